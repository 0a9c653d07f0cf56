/**
 * Follows the work a hook leaves behind: our `hook` returns at once and a
 * detached runner syncs, holding `<HOME>/.claude-code-sync/runner.pid` while it
 * runs and while it waits for more (src/hooks/runner.ts). Polls (bounded) until
 * the runner is gone or waiting (its queue folder empty: no request left, none
 * claimed), noting when the server first held what it holds at the end.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";

export interface BackgroundTimes {
  /** performance.now() of the first poll that saw the final count. */
  deliveredAt: number;
  /** performance.now() of the first poll that found the runner gone or waiting. */
  doneAt: number;
  /** The final count. */
  stored: number;
  /** Whether a runner was running when the follow started. */
  ran: boolean;
}

export interface FollowOptions {
  pidFile: string;
  /** What the server holds now (e.g. the session's message count). */
  stored: () => number;
  timeoutMs: number;
  pollMs?: number;
}

export async function followBackground({ pidFile, stored, timeoutMs, pollMs = 10 }: FollowOptions): Promise<BackgroundTimes> {
  const polls: { at: number; stored: number }[] = [];
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // The runner first, then the count: once the runner is gone or waiting, the count is final.
    const working = existsSync(pidFile) && !queueEmpty(pidFile);
    polls.push({ at: performance.now(), stored: stored() });
    if (!working) break;
    if (performance.now() > deadline) {
      stopRunner(pidFile);
      throw new Error(`the background runner was still running after ${(timeoutMs / 1000).toFixed(0)} s (stopped it)`);
    }
    await Bun.sleep(pollMs);
  }
  const last = polls.at(-1) as { at: number; stored: number };
  const first = polls.find((p) => p.stored === last.stored) as { at: number; stored: number };
  return { deliveredAt: first.at, doneAt: last.at, stored: last.stored, ran: polls.length > 1 };
}

/** No request waiting or claimed in the queue beside the runner's pid file. */
function queueEmpty(pidFile: string): boolean {
  try {
    return readdirSync(join(dirname(pidFile), "queue")).every((name) => name.startsWith("."));
  } catch {
    return true;
  }
}

/** The runner is our hook's child: end it by its pid so it does not outlive the bench (or its run, while it waits). */
export function stopRunner(pidFile: string): void {
  try {
    const pid = Number(readFileSync(pidFile, "utf8"));
    if (Number.isInteger(pid) && pid > 1) process.kill(pid, "SIGTERM");
  } catch {
    // gone meanwhile
  }
}
