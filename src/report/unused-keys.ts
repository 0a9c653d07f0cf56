import { type Config, unusedKeysWarning } from "../config/index.ts";
import { writeErr } from "../runtime/stdio.ts";

/** Said on stderr by the commands that act on the config (sync, status): a typo in a privacy option must not pass unseen. */
export function warnUnusedKeys(config: Config): void {
  const warning = unusedKeysWarning(config);
  if (warning) writeErr(`claude-code-sync: ${warning}\n`);
}
