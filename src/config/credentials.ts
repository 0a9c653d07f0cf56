import { UserError } from "../errors.ts";
import { keyFormatProblem } from "../login/key-format.ts";
import type { Config } from "./schema.ts";

/** Environment variables that override the saved connection; the older names are still honoured. */
export const URL_ENV = ["CLAUDE_CODE_SYNC_URL", "CLAUDE_SYNC_CONVEX_URL"] as const;
export const API_KEY_ENV = ["CLAUDE_CODE_SYNC_API_KEY", "CLAUDE_SYNC_API_KEY"] as const;

export interface Credentials {
  convexUrl: string | undefined;
  apiKey: string | undefined;
  /** Where each value came from: an environment variable's name, or "config". */
  source: { convexUrl: string | undefined; apiKey: string | undefined };
}

type Env = Record<string, string | undefined>;

/** The connection to use: environment first (new names before old), then the config file. */
export function resolveCredentials(cfg: Config, env: Env = process.env): Credentials {
  const url = pick(env, URL_ENV, cfg.convexUrl);
  const key = pick(env, API_KEY_ENV, cfg.apiKey);
  return {
    convexUrl: url.value,
    apiKey: key.value,
    source: { convexUrl: url.source, apiKey: key.source },
  };
}

/** The credentials, both set; otherwise the "not logged in" UserError (exit 2), `then` saying what to run after logging in. */
export function requireCredentials(cfg: Config, then = ""): Credentials & { convexUrl: string; apiKey: string } {
  const creds = resolveCredentials(cfg);
  if (creds.convexUrl && creds.apiKey) {
    // Said here, before any request: a value of the wrong shape may be another secret, not to be sent anywhere.
    const problem = keyFormatProblem(creds.apiKey);
    if (problem) throw new UserError(`The API key ${keyOrigin(creds.source.apiKey)} is no OpenSync key (nothing was sent): ${problem} ${keyFix(creds.source.apiKey)}`, 2, "api-key-malformed");
    return { ...creds, convexUrl: creds.convexUrl, apiKey: creds.apiKey };
  }
  throw new UserError(
    `Not logged in. Run \`claude-code-sync login\` (or set CLAUDE_CODE_SYNC_URL and CLAUDE_CODE_SYNC_API_KEY)${then}.`,
    2,
    "not-logged-in",
  );
}

/** Where a key came from, as the user finds it. */
const keyOrigin = (source: string | undefined) => (source === undefined || source === "config" ? "saved by login" : `in $${source}`);

/** How a key of the wrong shape is mended where it came from. */
const keyFix = (source: string | undefined) =>
  source === undefined || source === "config" ? "Then run claude-code-sync login with it." : `Then set $${source} to it, or unset it and run claude-code-sync login.`;

function pick(env: Env, names: readonly string[], fromFile: string | undefined) {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { value, source: name };
  }
  return { value: fromFile, source: fromFile === undefined ? undefined : "config" };
}

/** Enough of a key to tell keys apart, never the whole key: `osk_ab…wxyz`. */
export function maskKey(key: string): string {
  if (key.length < 16) return "…";
  return `${key.slice(0, 6)}…${key.slice(-4)}`;
}

/**
 * A URL as it may be shown: without a `user:password@` part and with any API
 * key in it masked. It is shown as given (the environment may hold anything),
 * so these are cut out of the text itself, parseable or not.
 */
export function shownUrl(url: string): string {
  // Up to the last "@": a password may hold "@" or "/" itself.
  const withoutUser = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/i, (_, scheme: string | undefined) => `${scheme ?? ""}…@`);
  return withoutUser.replace(/osk_[A-Za-z0-9_-]+/g, (key) => maskKey(key));
}
