import { type FSWatcher, watch } from "node:fs";
import { UserError } from "../errors.ts";
import { AuthError } from "../opensync/errors.ts";
import { connect, requireRoots, scanSettings } from "../sync/context.ts";
import { type SyncReport, runSync } from "../sync/run-sync.ts";
import { SESSION_WINDOW_MS } from "../send/windows.ts";
import { log, recordBackgroundStatus } from "./log.ts";
import { type Claim, claimAll, clearRunner, hasRequests, markRunner, queueDir, release } from "./queue.ts";

/** Claude Code may still be writing the last lines when the hook fires: look once more after this. */
const SETTLE_MS = 1_000;
const RETRY_DELAYS_MS = [2_000, 8_000, 30_000];

/**
 * How long the runner waits for more requests once the queue is empty: a
 * session's next hook (the Stop after a UserPromptSubmit...) then finds it
 * running and returns without starting a process. Idle, it holds no lock and
 * no open state, and wakes on a change to the queue folder.
 */
const IDLE_MS = Number(process.env.CLAUDE_CODE_SYNC_RUNNER_IDLE_MS ?? 10 * 60_000);
/** A look at the queue while idle, in case a change notification is missed (network home folders...). */
const IDLE_POLL_MS = 2_000;

/**
 * The detached process behind `hook <event>`: syncs the sessions hooks asked
 * for, one pass at a time, then waits a while for more. It gives up its runner
 * mark before the last look at the queue, so a hook that fires after that look
 * starts a new runner instead of relying on this one.
 */
export async function runQueue(): Promise<void> {
  markRunner();
  try {
    for (;;) {
      const claims = claimAll();
      if (claims.length > 0) {
        await syncClaims(claims);
        release(claims);
        continue;
      }
      if (await requestWithin(IDLE_MS)) continue;
      clearRunner();
      if (!hasRequests()) return;
      markRunner();
    }
  } finally {
    clearRunner();
  }
}

/** Waits until a request is queued (true) or `ms` pass without one (false). */
function requestWithin(ms: number): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(hasRequests());
  // What the passes allocated is given back before the wait.
  Bun.gc(true);
  const deadline = Date.now() + ms;
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    const done = (found: boolean) => {
      clearInterval(timer);
      watcher?.close();
      resolve(found);
    };
    const look = () => {
      if (hasRequests()) done(true);
      else if (Date.now() >= deadline) done(false);
    };
    const timer = setInterval(look, Math.min(IDLE_POLL_MS, ms));
    try {
      watcher = watch(queueDir(), look);
    } catch {
      // No change notifications here: the polling alone finds requests.
    }
    look();
  });
}

async function syncClaims(claims: Claim[]): Promise<void> {
  const only = new Set(claims.map((c) => c.sessionId));
  const label = `${[...only].join(", ")} (${[...new Set(claims.map((c) => c.event))].join(", ")})`;
  try {
    const conn = connect();
    try {
      const settings = scanSettings(conn.config);
      const pass = () =>
        runSync(conn.store, conn.client, { ...settings, roots: requireRoots(), full: false, only, apiKey: conn.apiKey, waitForLockMs: 120_000 });
      let report = await pass();
      await Bun.sleep(SETTLE_MS);
      report = merge(report, await pass());
      // Updates held back by the server's windows (a session's final totals, a changed message).
      for (let i = 0; i < 2 && report.deferred > 0 && !report.stoppedBy; i++) {
        await Bun.sleep(SESSION_WINDOW_MS);
        report = merge(report, await pass());
      }
      for (const delay of RETRY_DELAYS_MS) {
        if (!report.stoppedBy || report.stoppedBy instanceof AuthError) break;
        log(`sync of ${label} will retry in ${delay / 1000} s: ${report.stoppedBy.message}`);
        await Bun.sleep(delay);
        report = merge(report, await pass());
      }
      finish(label, report);
    } finally {
      conn.store.close();
    }
  } catch (error) {
    const message = error instanceof UserError ? error.message : `unexpected error: ${(error as Error).stack ?? error}`;
    log(`sync of ${label} failed: ${message}`);
    recordBackgroundStatus({ at: Date.now(), ok: false, message });
  }
}

/** Counts add up over passes; what is pending or stopped is the last pass's. */
function merge(a: SyncReport, b: SyncReport): SyncReport {
  return {
    ...b,
    sessionsSent: a.sessionsSent + b.sessionsSent,
    messagesSent: a.messagesSent + b.messagesSent,
    failed: [...a.failed, ...b.failed],
  };
}

function finish(label: string, r: SyncReport): void {
  const summary = `${label}: ${r.messagesSent} message(s), ${r.sessionsSent} session update(s) sent`;
  if (r.stoppedBy || r.failed.length) {
    const why = r.stoppedBy?.message ?? r.failed.map((f) => `${f.id}: ${f.error}`).join("; ");
    log(`${summary}; not everything went: ${why}`);
    recordBackgroundStatus({ at: Date.now(), ok: false, message: why });
  } else {
    log(summary);
    recordBackgroundStatus({ at: Date.now(), ok: true, message: summary });
  }
}
