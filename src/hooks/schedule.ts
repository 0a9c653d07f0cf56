import { UserError, withoutRetryNote } from "../errors.ts";
import { maskCredentials } from "../opensync/errors.ts";
import type { SyncRequest } from "./queue.ts";

/**
 * When the runner serves a request again. Pure: the runner passes the clock.
 * A request leaves the queue only when a pass left nothing pending for its
 * session; until then it waits for the server's window to end, for a retry
 * (backing off from 5 s to 30 min), or, when only the user can fix the cause
 * (a refused key, not logged in), for the next hook.
 */
const FIRST_RETRY_MS = 5_000;
export const MAX_RETRY_MS = 30 * 60_000;
/** Another process holds the state (a manual sync, `database is locked`): it is done soon. */
export const BUSY_RETRY_MS = 2_000;
/**
 * Claude Code writes a session's lines around its hooks, some a few seconds after: the files are looked at
 * again every SETTLE_MS (a look costs a stat; a pass only if they grew). After an event that may be a
 * session's last (a turn's end, a subagent's, the session's), until SETTLE_FOR_MS after it, so what is
 * written after it goes without another hook; after the others (a prompt, a start), once: the turn's end
 * follows, and passes every second while Claude Code works would only repeat its own.
 */
export const SETTLE_MS = 1_000;
export const SETTLE_FOR_MS = 5_000;
const MAY_BE_LAST: ReadonlySet<string> = new Set(["Stop", "StopFailure", "SubagentStop", "SessionEnd"]);
export const mayBeLast = (event: string) => MAY_BE_LAST.has(event);
/**
 * A pass that ends past those looks is looked after once more: it could not see what was written while it
 * read and sent (a first pass over a long session, a slow server). After an event that may be the last, while
 * each of these looks finds the files grown, they go on, each gap twice the last (1, 2, 4, 8, 16 s: about 30 s
 * past the window); one that finds them as the pass left them ends them. After the others, one such look: the
 * turn's end follows them, unless the terminal was closed first (the turn written while its prompt's pass sent,
 * then no Stop). A look costs a stat of the session's files.
 */
export const MAX_FOLLOWS = 5;
/** Work asked for longer ago than this stays queued (and shown) but is no longer retried on its own. */
export const RETRY_FOR_MS = 7 * 24 * 60 * 60_000;

/** How a failure is retried: with backoff, soon (the state is busy), or after the user acted. */
export type Retry = "backoff" | "soon" | "user";

/** What a pass did for one session. */
export type PassOutcome =
  | { kind: "sent" }
  | { kind: "deferred"; readyAt: number }
  | { kind: "failed"; error: string; retry: Retry };

export function retryDelay(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

/** Whether the runner serves the request now; a runner's first look also takes those waiting for a hook. */
export function isDue(r: SyncRequest, now: number, firstLook: boolean): boolean {
  if (r.nextAt === undefined) return true;
  return r.nextAt === null ? firstLook : r.nextAt <= now;
}

/** Whether the request keeps the runner awake (it has a time to be retried at). */
export function isScheduled(r: SyncRequest): r is SyncRequest & { nextAt: number } {
  return typeof r.nextAt === "number";
}

/** A look while the transcript settles needs a pass only if the transcript grew since the last one read it. */
export function needsPass(r: SyncRequest, transcriptSize: number | undefined): boolean {
  return r.readSize === undefined || transcriptSize !== r.readSize;
}

/**
 * The request as it goes back into the queue after a pass, or undefined when
 * it is done. `readSize` is the transcript's size just before the pass (or the look that found it unchanged).
 */
export function afterPass(r: SyncRequest, outcome: PassOutcome, now: number, readSize?: number, passed = true): SyncRequest | undefined {
  const base = {
    sessionId: r.sessionId,
    event: r.event,
    at: r.at,
    since: r.since ?? r.at,
    ...(r.transcriptPath ? { transcriptPath: r.transcriptPath } : {}),
    ...(r.after ? { after: r.after } : {}),
  };
  const last = mayBeLast(r.event);
  /** The last look at the files. */
  const end = r.at + (last ? SETTLE_FOR_MS : SETTLE_MS);
  const follows = r.follows ?? 0;
  /** The look after a pass that ended past them. */
  const follow =
    passed && readSize !== undefined && follows < (last ? MAX_FOLLOWS : 1) ? { nextAt: now + SETTLE_MS * 2 ** follows, readSize, follows: follows + 1 } : undefined;
  switch (outcome.kind) {
    case "sent": {
      if (now >= end) return follow && { ...base, attempts: 0, ...follow };
      return { ...base, attempts: 0, nextAt: Math.min(now + SETTLE_MS, end), ...(readSize !== undefined ? { readSize } : {}) };
    }
    case "deferred": {
      // Lines may still come while it waits (the main thread's, a held subagent's response open): looked at until the files settle.
      const look = Math.min(now + SETTLE_MS, end);
      if (now >= end && follow && follow.nextAt < outcome.readyAt) return { ...base, attempts: 0, ...follow, readyAt: outcome.readyAt };
      if (now >= end || readSize === undefined || outcome.readyAt <= look) return { ...base, attempts: 0, nextAt: outcome.readyAt };
      return { ...base, attempts: 0, nextAt: look, readSize, readyAt: outcome.readyAt };
    }
    case "failed": {
      const attempts = (r.attempts ?? 0) + (outcome.retry === "soon" ? 0 : 1);
      const nextAt =
        outcome.retry === "soon" ? now + BUSY_RETRY_MS : outcome.retry === "user" || now - r.at > RETRY_FOR_MS ? null : now + retryDelay(attempts);
      return { ...base, attempts, nextAt, lastError: outcome.error };
    }
  }
}

/** After a look that found the files as the last pass left them: the next look, the held work's time, or done. */
export function afterLook(r: SyncRequest, now: number): SyncRequest | undefined {
  const outcome: PassOutcome = r.readyAt === undefined ? { kind: "sent" } : { kind: "deferred", readyAt: r.readyAt };
  return afterPass(r, outcome, now, r.readSize, false);
}

/** How a pass that failed as a whole (`error` thrown, or the reason sending stopped) is retried. */
export function retryKind(error: unknown): Retry {
  const code = String((error as { code?: unknown }).code ?? "");
  const message = (error as Error).message ?? String(error);
  // Another process holds the state for a moment: SQLite's lock (raw, or as state/db.ts tells it), or the sync lock (run-sync.ts acquire's code).
  if (code.startsWith("SQLITE_BUSY") || code === "state-locked" || code === "sync-running" || /database is locked/.test(message)) return "soon";
  // Exit code 2: authentication, configuration, a damaged or unwritable state; retrying alone will not fix it.
  if (error instanceof UserError && error.exitCode === 2) return "user";
  return "backoff";
}

/** A failure as the queue, the status and the log keep it (API keys masked): the runner says itself when it retries. */
export function failureText(error: unknown): string {
  if (error instanceof UserError) return maskCredentials(withoutRetryNote(error));
  return `unexpected error: ${maskCredentials((error as Error).message ?? String(error))}`;
}
