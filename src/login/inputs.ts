import { type Config, resolveCredentials } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { HOSTED_SYNC_API } from "../opensync/hosted-addresses.ts";

/** A value for the login and where it came from: "--url", "--api-key", an environment variable's name, "config" or "prompt". */
export interface Given {
  value: string;
  source: string;
}

export interface Known {
  url?: Given;
  apiKey?: Given;
}

type Env = Record<string, string | undefined>;

/** What is already known before asking: flags first, then the environment, then the saved config. */
export function knownCredentials(options: Record<string, unknown>, env: Env, cfg: Config): Known {
  const saved = resolveCredentials(cfg, env);
  const pick = (flag: string, fromFlag: string | undefined, value: string | undefined, source: string | undefined): Given | undefined => {
    if (fromFlag !== undefined) return { value: fromFlag, source: flag };
    return value === undefined || source === undefined ? undefined : { value, source };
  };
  return {
    url: pick("--url", flagValue(options, "url", "--url"), saved.convexUrl, saved.source.convexUrl),
    apiKey: pick("--api-key", flagValue(options, "apiKey", "--api-key"), saved.apiKey, saved.source.apiKey),
  };
}

/**
 * Without a terminal nothing can be asked, so the key must come from a flag, stdin
 * or the environment; the saved key does not count (that is what `verify` checks).
 * The saved URL does, for a new key (a key rotated for the same server).
 */
export function requireGiven(known: Known): { url: Given; apiKey: Given } {
  const apiKey = known.apiKey?.source === "config" ? undefined : known.apiKey;
  const url = known.url?.source === "config" && apiKey === undefined ? undefined : known.url;
  if (url !== undefined && apiKey !== undefined) return { url, apiKey };
  const missing = [url === undefined && "--url", apiKey === undefined && "--api-key"].filter(Boolean).join(" and ");
  throw new UserError(
    `Missing ${missing}. Without a terminal to ask in, pipe the key: … | claude-code-sync login --url ${HOSTED_SYNC_API} --api-key-stdin ` +
      "(a self-hosted OpenSync: its https://<name>.convex.site), or set CLAUDE_CODE_SYNC_URL and CLAUDE_CODE_SYNC_API_KEY. " +
      "The key is in the OpenSync dashboard: Settings → API key.",
    2,
  );
}

/** A flag's value as text; cac turns `--api-key 123` into a number and a repeated flag into an array. */
function flagValue(options: Record<string, unknown>, name: string, flag: string): string | undefined {
  const value = options[name];
  if (Array.isArray(value)) throw new UserError(`${flag} was given more than once; give it once.`, 2);
  if (typeof value === "string" || typeof value === "number") return String(value).trim();
  return undefined;
}
