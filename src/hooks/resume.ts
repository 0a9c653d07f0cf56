import { log } from "./log.ts";
import { requeueParked, runnerWorkLeft } from "./queue.ts";
import { runnerAlive } from "./runner-lock.ts";
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

/**
 * After a sync or at a watch's start: work a runner left when it was killed (kill -9, a crash; its claims and
 * timed retries) is taken over by the next runner, which only a hook starts, maybe days later: one starts now.
 * Its passes then send what this sync did not: a SessionEnd's open responses, retries. Costs a listing of the
 * queue folder. Never throws.
 */
export function resumeLeftWork(by: string): void {
  try {
    if (!runnerAlive() && runnerWorkLeft()) {
      ensureRunner();
      log(`${by}: took over the background sync's work left by a runner that stopped`);
    }
  } catch (error) {
    log(`${by}: could not restart the background sync: ${(error as Error).message}`);
  }
}
