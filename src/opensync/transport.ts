import type { Config } from "../config/schema.ts";
import { UserError } from "../errors.ts";
import { isLoopback, normalizeUrl } from "./url.ts";

/** Whether `url` is plain http:// to another machine: what needs --insecure. */
export function needsInsecure(url: string): boolean {
  const normalized = normalizeUrl(url);
  return normalized.startsWith("http:") && !isLoopback(normalized);
}

/**
 * Plain http:// would carry the API key and every transcript unencrypted, so it
 * is refused unless the server is on this machine or the user says so. Call it
 * before any request (login, sync, watch); a malformed URL is refused here too.
 */
export function assertTransportAllowed(url: string, insecure: boolean): void {
  if (!needsInsecure(url) || insecure) return;
  const normalized = normalizeUrl(url);
  throw new UserError(
    `Refusing plain http:// to ${new URL(normalized).host}: the API key and your sessions would travel unencrypted. ` +
      `Use ${normalized.replace(/^http:/, "https:")} if the server supports it. If you trust every network between you and the server, ` +
      `allow it for this URL from now on with claude-code-sync login --url ${normalized} --insecure (sync, watch and synctest also take --insecure for one run).`,
    2,
  );
}

/**
 * Whether this run may use plain http:// to `url`: the --insecure flag, or the
 * opt-in `login --insecure` saved, which covers only the URL it was saved with.
 */
export function insecureAllowed(url: string, flag: boolean, cfg: Pick<Config, "convexUrl" | "allowInsecure">): boolean {
  return flag || (cfg.allowInsecure === true && cfg.convexUrl === normalizeUrl(url));
}

/**
 * The URL to talk to: normalised, and allowed by the transport policy for this run. `source` is where it
 * came from (an environment variable's name, or "config"): a variable's URL that cannot be used is said to
 * be the variable's, which wins over the saved URL and which no login changes.
 */
export function allowedServerUrl(rawUrl: string, insecureFlag: boolean, cfg: Pick<Config, "convexUrl" | "allowInsecure">, source?: string): string {
  try {
    const url = normalizeUrl(rawUrl);
    assertTransportAllowed(url, insecureAllowed(url, insecureFlag, cfg));
    return url;
  } catch (error) {
    const variable = envSource(source);
    if (!(error instanceof UserError) || variable === undefined) throw error;
    throw new UserError(`${error.message} It comes from $${variable}: ${urlFromEnvFix(variable)}.`, error.exitCode, error.code);
  }
}

/** The environment variable a value came from; undefined for the config file or nothing. */
export const envSource = (source: string | undefined): string | undefined => (source === undefined || source === "config" ? undefined : source);

/** How a URL from an environment variable is mended: there, or by unsetting it (the variable wins over what login saves). */
export const urlFromEnvFix = (variable: string) => `set $${variable} to the right address, or unset it and run claude-code-sync login`;
