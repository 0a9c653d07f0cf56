import { join } from "node:path";

/**
 * Home folder; HOME wins so tests (and users) can point it elsewhere.
 * node:os is loaded only without HOME (Windows): loading it costs the hook
 * about a millisecond.
 */
export function home(): string {
  return process.env.HOME || process.env.USERPROFILE || (require("node:os") as typeof import("node:os")).homedir();
}

/** Our own folder: config, state database, logs. */
export function appDir(): string {
  return join(home(), ".claude-code-sync");
}
