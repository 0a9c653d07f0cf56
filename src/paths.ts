import { homedir } from "node:os";
import { join } from "node:path";

/** Home folder; HOME wins so tests (and users) can point it elsewhere. */
export function home(): string {
  return process.env.HOME || homedir();
}

/** Our own folder: config, state database, logs. */
export function appDir(): string {
  return join(home(), ".claude-code-sync");
}
