import { plural } from "../report/format.ts";
import { shownId } from "../report/session-id.ts";
import type { SyncReport } from "../sync/run-sync.ts";
import { withoutRetryNote } from "../errors.ts";
import { type Origin, withFix } from "../report/failure.ts";

/** `14:03:07`, local time: enough to tell the lines of a long-running watch apart. */
export function clock(at = new Date()): string {
  return at.toTimeString().slice(0, 8);
}

/** Which sessions a pass was about: a few ids (short ones, which `sync --session` takes), or "all sessions" for a full pass. */
export function scope(only: readonly string[] | undefined, verbose = false): string {
  if (!only) return "all sessions";
  const shown = only.slice(0, 3).map((id) => shownId(id, verbose));
  return `session ${shown.join(", ")}${only.length > 3 ? ` +${only.length - 3}` : ""}`;
}

/**
 * The one line a watch prints after a sync; undefined when a pass over changed
 * sessions had nothing to send (a file touched without new lines, or half a
 * line written so far: read, but nothing complete to send).
 */
export function syncLine(r: SyncReport, only: readonly string[] | undefined, at: Date, verbose = false): string | undefined {
  if (r.sessionsSent + r.messagesSent + r.deferred + r.failed.length === 0) {
    return only ? undefined : `${clock(at)} ${scope(only)}: up to date`;
  }
  const notes = [
    // The server ignores a session's update that follows the last too soon (its re-send windows): say when, not the jargon.
    r.deferred ? `${plural(r.deferred, "update")} to follow in a few seconds (the server takes a session's updates only so often)` : "",
    r.failed.length ? `${plural(r.failed.length, "item")} refused by the server (see \`claude-code-sync status\`)` : "",
  ].filter(Boolean);
  const sent = `sent ${plural(r.messagesSent, "message")}, ${plural(r.sessionsSent, "session update")}`;
  return `${clock(at)} ${scope(only, verbose)}: ${sent}${notes.length ? `; ${notes.join("; ")}` : ""}`;
}

/**
 * A failed pass and when the next one comes; with `origin`, a server's answer carries the fix that
 * fits where the URL and key come from (a variable to change, not a login), as sync words it.
 */
export function failureLine(error: Error, retryInMs: number, at = new Date(), origin?: Origin): string {
  const shown = origin ? (withFix(error, origin) as Error) : error;
  return `${clock(at)} sync failed: ${withoutRetryNote(shown)}. Next try in ${Math.round(retryInMs / 1000)} s.`;
}
