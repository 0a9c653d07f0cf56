import { selfArgv } from "../claude-settings/self-command.ts";
import { claimRunner, markRunner, releaseRunner, runnerAlive } from "./runner-lock.ts";

/** The internal event name of the background runner (`hook _runner`). */
export const RUNNER_EVENT = "_runner";

/** Starts the background runner unless one runs (or another process is starting one): a hook's request, or work a login unparked, is then served. */
export function ensureRunner(): void {
  if (!runnerAlive() && claimRunner()) startRunner();
}

/** Starts the runner this process claimed the lock for, and names it in the lock so the next hook of a burst sees it running. */
function startRunner(): void {
  try {
    const child = Bun.spawn([...selfArgv(), "hook", RUNNER_EVENT], {
      detached: true,
      stdio: ["ignore", "ignore", "ignore"],
      windowsHide: true,
    });
    markRunner(child.pid);
    child.unref();
  } catch (error) {
    releaseRunner();
    throw error;
  }
}
