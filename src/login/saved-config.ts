import type { Config } from "../config/index.ts";
import { needsInsecure } from "../opensync/transport.ts";

/**
 * The config after a successful login to `convexUrl` (normalized). A plain
 * http:// URL off this machine got this far only with --insecure, so later
 * commands may use it too; an older opt-in goes with the old URL.
 */
export function loggedInConfig(cfg: Config, convexUrl: string, apiKey: string): Config {
  const { allowInsecure: _previous, ...rest } = cfg;
  return { ...rest, convexUrl, apiKey, ...(needsInsecure(convexUrl) ? { allowInsecure: true } : {}) };
}
