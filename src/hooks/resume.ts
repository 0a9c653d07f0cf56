import { log } from "./log.ts";
import { requeueParked } from "./queue.ts";
import { ensureRunner } from "./start-runner.ts";

/**
 * After a login: the hooks' work that waited for the user (a refused key...)
 * is retried now, not at the next hook, which may be days away. Returns how
 * many sessions; never throws (the login itself is done and saved).
 */
export function resumeParked(): number {
  try {
    const count = requeueParked();
    if (count > 0) ensureRunner();
    return count;
  } catch (error) {
    log(`login: could not restart the background sync: ${(error as Error).message}`);
    return 0;
  }
}
