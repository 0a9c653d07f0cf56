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

/** The pid the runner's pid file names, if it names one. */
function runnerPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, "utf8"));
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The runner is our hook's child: end it by its pid so it does not outlive the bench (or its run, while it waits). */
export function stopRunner(pidFile: string): void {
  const pid = runnerPid(pidFile);
  try {
    if (pid !== undefined) process.kill(pid, "SIGTERM");
  } catch {
    // gone meanwhile
  }
}

/**
 * Everything the runner has read since it started (rchar from /proc: the state database, the price cache,
 * transcripts), or undefined where there is no /proc or no runner. Read while it waits, before it is stopped.
 */
export function runnerReadBytes(pidFile: string): number | undefined {
  const pid = runnerPid(pidFile);
  if (pid === undefined) return undefined;
  try {
    const rchar = /^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1];
    return rchar === undefined ? undefined : Number(rchar);
  } catch {
    return undefined;
  }
}

/** Stops the runner and waits (at most `timeoutMs`) until its process is gone, so the next run starts its own. */
export async function stopRunnerAndWait(pidFile: string, timeoutMs = 10_000): Promise<void> {
  const pid = runnerPid(pidFile);
  stopRunner(pidFile);
  if (pid === undefined) return;
  const deadline = performance.now() + timeoutMs;
  while (alive(pid)) {
    if (performance.now() > deadline) throw new Error(`the background runner (pid ${pid}) was still there ${timeoutMs / 1000} s after SIGTERM`);
    await Bun.sleep(10);
  }
}

/** Whether the process runs: a zombie (exited, its parent not yet told: a container's init may never reap) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc: the signal's answer stands
  }
}
