import { runningRunnerPid } from "../hooks/runner-lock.ts";
import { runningWatchPid } from "../watch/watch-mark.ts";

/**
 * The process holding the state's lock as the person knows it: the sync the
 * hooks started in the background, a `watch`, or another sync. A manual sync
 * that waits for one of the first two waits for work it would do itself.
 */
export function syncHolderName(pid: number): string {
  if (pid === runningRunnerPid()) return `the background sync the hooks started (pid ${pid})`;
  if (pid === runningWatchPid()) return `\`claude-code-sync watch\` (pid ${pid})`;
  return `another sync (pid ${pid})`;
}
