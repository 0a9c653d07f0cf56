import { transcriptRoot } from "../discover/roots.ts";
import { UserError } from "../errors.ts";
import { QUIET_MS } from "../scan/quiet.ts";
import type { Finalize } from "../scan/scan.ts";
import { FAILED_RETRY_MS } from "../state/store.ts";
import { connect, requireRoots, runPrices, scanSettings } from "../sync/context.ts";
import { type SyncReport, runSync } from "../sync/run-sync.ts";
import { clock } from "../watch/sync-line.ts";
import { LATE_EVENT } from "./late-look.ts";
import { TURN_OVER } from "./turn-over.ts";
import { log } from "./log.ts";
import type { Claim } from "./queue.ts";
import { type PassOutcome, failureText, retryKind } from "./schedule.ts";

/** How long a pass waits for a manual sync to release the state; after that the requests are retried soon (schedule.ts). */
const STATE_WAIT_MS = 5_000;

/** What a pass did for each session, and the line `status` shows for it. */
interface PassResult {
  outcome(sessionId: string): PassOutcome;
  ok: boolean;
  message: string;
}

/**
 * A late look's request (late-look.ts) closes what its hook closed when that was the session's end: nothing of
 * Claude Code writes the session after it. Not after a Stop: main-thread lines half a minute on are a turn Claude
 * Code began by itself (a background task's report, with no prompt hook), maybe half written; its own Stop closes it.
 */
const turnOver = (c: Claim) => (c.event === LATE_EVENT ? (c.after === "SessionEnd" ? TURN_OVER.get(c.after) : undefined) : TURN_OVER.get(c.event));

/**
 * One sync pass for the sessions claimed, and what it did for each; never throws. Checks of writes given up on
 * due within `recheckWithinMs` (while the runner waits for hooks anyway) are scheduled for their session.
 */
export async function pass(claims: Claim[], recheckWithinMs = 0): Promise<PassResult> {
  const only = new Set(claims.map((c) => c.sessionId));
  const finalize: Finalize = new Map(claims.flatMap((c) => {
    const over = turnOver(c);
    return over ? [[c.sessionId, over] as const] : [];
  }));
  const label = `${[...only].join(", ")} (${[...new Set(claims.map((c) => c.event))].join(", ")})`;
  try {
    // The runner retries on its own schedule: one quick retry for a blip, not the client's usual three.
    const conn = connect({ retries: 1 });
    try {
      // Claude Code run with another CLAUDE_CONFIG_DIR than the one this runner started with: its transcripts are read too.
      const roots = requireRoots(claims.flatMap((c) => (c.transcriptPath && transcriptRoot(c.transcriptPath)) || []));
      const prices = runPrices(conn.config, false);
      const report = await runSync(conn.store, conn.client, {
        ...scanSettings(conn.config, prices.book),
        roots,
        full: false,
        only,
        finalize,
        apiKey: conn.apiKey,
        waitForLockMs: STATE_WAIT_MS,
        refreshedPrices: prices.refreshed,
      });
      const left = new Set(conn.store.sessionsWithWork({ only, retryFailedBefore: Date.now() - FAILED_RETRY_MS }).map((w) => w.sessionId));
      // Held back (only subagents' files so far, a response still open): looked at again once its files are quiet,
      // as `watch` does, so a session whose own file never comes, or a turn Claude Code never ended, still goes.
      const quietAt = Date.now() + QUIET_MS;
      const held = new Map(conn.store.heldSessions().filter((id) => only.has(id)).map((id) => [id, quietAt]));
      const holdUntil = ({ sessionId, readyAt }: { sessionId: string; readyAt: number }) => held.set(sessionId, Math.min(held.get(sessionId) ?? readyAt, readyAt));
      // Writes given up on that the server may still apply: the session is synced again once they are over (sync/unsure.ts).
      report.unsureWrites.forEach(holdUntil);
      // And checked again when due, for one landing later still: a session nothing writes to gets no other pass.
      // Later checks are left to its next hook or a sync, rather than keep the runner for a day and a half.
      const horizon = Date.now() + recheckWithinMs;
      report.rechecks.filter((r) => r.readyAt <= horizon).forEach(holdUntil);
      const result = reported(label, report, left, held);
      log(result.logLine);
      return result;
    } finally {
      conn.store.close();
    }
  } catch (error) {
    const failed: PassOutcome = { kind: "failed", error: failureText(error), retry: retryKind(error) };
    log(`sync of ${label} failed: ${error instanceof UserError ? failed.error : (error as Error).stack ?? error}`);
    return { outcome: () => failed, ok: false, message: failed.error };
  }
}

/**
 * What a pass did for each session, from its report and the sessions it left
 * work for: nothing left, held back by a window, or stopped (and how to retry).
 */
export function reported(label: string, r: SyncReport, left: ReadonlySet<string>, heldUntil: ReadonlyMap<string, number> = new Map()): PassResult & { logLine: string } {
  const refused = new Set(r.failed.map((f) => f.id));
  // What stopped the pass, or kept writes from going after every attempt (a flaky server).
  const reason = r.stoppedBy ?? r.unsentError;
  const stopped: PassOutcome | undefined = reason && { kind: "failed", error: failureText(reason), retry: retryKind(reason) };
  const outcome = (sessionId: string): PassOutcome => {
    // Nothing left, or only what the server refused for good (a session it refused keeps its messages back).
    if (!left.has(sessionId) || refused.has(sessionId)) {
      const readyAt = heldUntil.get(sessionId);
      return readyAt === undefined ? { kind: "sent" } : { kind: "deferred", readyAt };
    }
    if (stopped) return stopped;
    const ready = r.deferredSessions.filter((d) => d.sessionId === sessionId).map((d) => d.readyAt);
    if (ready.length) return { kind: "deferred", readyAt: Math.min(...ready) };
    return { kind: "failed", error: "part of the session could not be sent yet", retry: "backoff" };
  };
  const sent = `${label}: ${r.messagesSent} message(s), ${r.sessionsSent} session update(s) sent`;
  const held = r.deferredSessions.length ? `; held back by the server's window until ${clock(new Date(Math.max(...r.deferredSessions.map((d) => d.readyAt))))}` : "";
  const why = stopped?.error ?? r.failed.map((f) => `${f.id}: ${f.error}`).join("; ");
  return { outcome, ok: !why, message: why || sent, logLine: `${sent}${held}${why ? `; not everything went: ${why}` : ""}` };
}
