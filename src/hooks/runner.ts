import { type FSWatcher, watch } from "node:fs";
import { sessionBytes } from "../discover/session-bytes.ts";
import { clock } from "../watch/sync-line.ts";
import { type BackgroundStatus, recordBackgroundStatus } from "./background-status.ts";
import { log } from "./log.ts";
import { pass } from "./pass.ts";
import { HANDOVER_MS, queueDir } from "./enqueue.ts";
import { withTranscript } from "./transcript-path.ts";
import { LateLooks } from "./late-look.ts";
import { type Claim, type SyncRequest, claim, done, putBack, waiting } from "./queue.ts";
import { HEARTBEAT_MS, claimRunner, holdsRunner, releaseRunner, touchRunner } from "./runner-lock.ts";
import { afterLook, afterPass, isDue, isScheduled, needsPass } from "./schedule.ts";

const DEFAULT_IDLE_MS = 10 * 60_000;
/** A timer of more than 2^31 - 1 ms (24.8 days) fires at once: a runner asked to wait that long left at once. */
const MAX_IDLE_MS = 24 * 60 * 60_000;

/** The wait from CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: the default when unset or no number (a wait of NaN ms ended at once), else 0 to a day. */
export function idleMs(value: string | undefined): number {
  const ms = value === undefined || value.trim() === "" ? Number.NaN : Number(value);
  if (Number.isNaN(ms)) return DEFAULT_IDLE_MS;
  return Math.min(Math.max(ms, 0), MAX_IDLE_MS);
}

/**
 * How long the runner waits for more requests once none is scheduled: a
 * session's next hook (the Stop after a UserPromptSubmit...) then finds it
 * running and returns without starting a process. Waiting, it holds no lock on
 * the state and no open state, and wakes on a change to the queue folder.
 */
const IDLE_MS = idleMs(process.env.CLAUDE_CODE_SYNC_RUNNER_IDLE_MS);
/** A look at the queue while waiting, in case a change notification is missed (network home folders...). */
const IDLE_POLL_MS = 2_000;

/**
 * The detached process behind `hook <event>`, one per user (runner-lock.ts):
 * serves the requests that are due, each session on its own schedule (a
 * session held back by the server's window or by a failure waits on its own
 * timer while other requests are served at once), then waits a while for
 * more. It gives up the lock before its last look at the queue, so a hook
 * that fires after that look starts a new runner instead of relying on this one.
 */
export async function runQueue(): Promise<void> {
  log("background sync started");
  if (!holdsRunner()) {
    log("another background sync holds runner.pid: leaving the queue to it");
    return;
  }
  let holding = true;
  const beat = setInterval(() => {
    holding = touchRunner();
  }, HEARTBEAT_MS);
  const rounds = new Rounds();
  let firstLook = true;
  /** The wait for more work runs from the last round that served some: late looks and empty wakes do not lengthen it. */
  let idleFrom = Date.now();
  try {
    while (holding) {
      // Frozen past STALE_MS (a laptop asleep), this runner may have lost the lock before its heartbeat could tell:
      // the new holder's claims are then not its to take, and the queue is left to it.
      if (!(holding = touchRunner())) {
        log("another background sync took over runner.pid: leaving the queue to it");
        break;
      }
      const queued = waiting();
      const now = Date.now();
      // Requests waiting for a hook (a refused key...) are tried again with any new hook, and by a new runner.
      const wakeParked = firstLook || queued.some(isFresh);
      firstLook = false;
      const claims = claim((r) => isDue(r, now, wakeParked));
      if (claims.length > 0) {
        await rounds.serve(claims);
        idleFrom = Date.now();
        continue;
      }
      const retries = queued.filter(isScheduled).map((r) => r.nextAt);
      const next = retries.length ? Math.min(...retries) : undefined;
      const idleEnd = next ?? idleFrom + IDLE_MS;
      const late = rounds.late.nextAt();
      if (await queueChange(late !== undefined && late < idleEnd ? late : idleEnd)) continue;
      if (late !== undefined && late <= Date.now() && late < idleEnd) {
        rounds.late.look(Date.now());
        continue;
      }
      if (next !== undefined) continue;
      releaseRunner();
      holding = false;
      if (waiting().some(isFresh)) holding = claimRunner();
      if (!holding) rounds.late.abandon();
    }
  } finally {
    clearInterval(beat);
    releaseRunner();
  }
}

/** A hook's request, not yet served. */
const isFresh = (r: SyncRequest) => r.nextAt === undefined;

/**
 * Waits until the queue folder changes or a poll finds a hook's request (true),
 * or until `deadline` (false).
 */
function queueChange(deadline: number): Promise<boolean> {
  if (deadline <= Date.now()) return Promise.resolve(false);
  // What the passes allocated is given back before the wait.
  Bun.gc(true);
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    let handover: Timer | undefined;
    const finish = (changed: boolean) => {
      clearInterval(poll);
      clearTimeout(timer);
      clearTimeout(handover);
      watcher?.close();
      resolve(changed);
    };
    const look = () => {
      if (waiting().some(isFresh)) finish(true);
    };
    const poll = setInterval(look, IDLE_POLL_MS);
    const timer = setTimeout(() => finish(false), deadline - Date.now());
    try {
      watcher = watch(queueDir(), () => {
        handover ??= setTimeout(() => finish(true), HANDOVER_MS);
      });
    } catch {
      // No change notifications here: the polling alone finds requests.
    }
    // A request that came before the watch began.
    look();
  });
}

/** What the session's files hold (its transcript and its subagents'): a subagent's lines may come while its parent's file stays as it was. */
const filesSize = (r: SyncRequest) => (r.transcriptPath === undefined ? undefined : sessionBytes(r.transcriptPath, r.sessionId));

/** The runner's rounds: serve what is due, put back what is left with its schedule, record the status. */
class Rounds {
  /** When each session's pending work was first asked for, across newer requests that replaced its queued one. */
  private since = new Map<string, number>();
  private last: Pick<BackgroundStatus, "at" | "ok" | "message"> | undefined;
  readonly late = new LateLooks();

  async serve(claimed: Claim[]): Promise<void> {
    const claims = claimed.map(withTranscript);
    const work: Claim[] = [];
    /** The files' bytes before the pass, as the look found them: the next look compares with these. */
    const sizes = new Map<string, number | undefined>();
    for (const c of claims) {
      this.late.forget(c);
      const size = filesSize(c);
      // A look while the files settle needs no pass if none of them grew: the next look, the held work's time, or done.
      if (needsPass(c, size)) {
        work.push(c);
        sizes.set(c.path, size);
      } else {
        const next = afterLook(c, Date.now());
        this.finish(c, next);
        if (!next) this.late.remember(c);
      }
    }
    if (work.length > 0) {
      const result = await pass(work, IDLE_MS);
      const now = Date.now();
      const retries = work.flatMap((c) => {
        const request = { ...c, since: c.since ?? this.since.get(c.sessionId) };
        const next = afterPass(request, result.outcome(c.sessionId), now, sizes.get(c.path));
        this.finish(c, next);
        // Done with no look after (a late look's pass that ended past its look): the late looks compare with the bytes before the pass.
        if (!next) this.late.remember({ ...c, readSize: sizes.get(c.path) });
        return next?.lastError === undefined ? [] : [next.nextAt ?? null];
      });
      if (retries.length) logRetry(retries);
      this.last = { at: now, ok: result.ok, message: result.message };
    }
    if (this.last) recordBackgroundStatus({ ...this.last, pending: waiting().map(pending) });
  }

  /** Done, or back into the queue. */
  private finish(c: Claim, next: SyncRequest | undefined): void {
    if (next) {
      putBack(c, next);
      this.since.set(c.sessionId, next.since ?? next.at);
    } else {
      done(c);
      this.since.delete(c.sessionId);
    }
  }
}

/** When the sessions a pass failed for are tried again (null: at the next hook). */
function logRetry(retries: Array<number | null>): void {
  const times = retries.filter((t) => t !== null);
  const when = times.length ? `next try at ${clock(new Date(Math.min(...times)))}` : "tried again at the next hook";
  log(`${retries.length} session(s) kept in the queue, ${when}`);
}

function pending(r: SyncRequest) {
  return { sessionId: r.sessionId, since: r.since ?? r.at, attempts: r.attempts ?? 0, nextAt: r.nextAt === undefined ? r.at : r.nextAt, lastError: r.lastError };
}
