import type { Config } from "../config/schema.ts";
import { UserError } from "../errors.ts";
import { isLoopback, normalizeUrl } from "./url.ts";

/**
 * Plain http:// would carry the API key and every transcript unencrypted, so it
 * is refused unless the server is on this machine or the user says so. Call it
 * before any request (login, sync, watch); a malformed URL is refused here too.
 */
export function assertTransportAllowed(url: string, insecure: boolean): void {
  const normalized = normalizeUrl(url);
  if (insecure || !normalized.startsWith("http:") || isLoopback(normalized)) return;
  const { host } = new URL(normalized);
  throw new UserError(
    `Refusing plain http:// to ${host}: the API key and your sessions would travel unencrypted. ` +
      `Use ${normalized.replace(/^http:/, "https:")} if the server supports it, or add --insecure ` +
      "if you trust every network between you and the server.",
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
