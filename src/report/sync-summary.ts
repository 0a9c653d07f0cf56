import { BlockedItemError } from "../opensync/errors.ts";
import type { SyncReport } from "../sync/run-sync.ts";
import { type Failure, exitCodeOf } from "./failure.ts";
import { formatInt, plural } from "./format.ts";
import { shownId } from "./session-id.ts";
import { badLinesText, longLinesLines, unplacedLines, unreadableFiles, unreadableLines, untimedLines } from "./unreadable.ts";

/** Why a run ended early, worded for the person (with the fix) and coded for scripts. */
export type Stop = Pick<Failure, "message" | "code">;

export const INTERRUPTED: Stop = {
  message: "Interrupted: nothing more was sent; what the server confirmed is recorded, and the rest stays pending for the next sync.",
  code: "interrupted",
};

/** Transcripts the read failed on (no permission, an I/O error; one deleted meanwhile is no failure): retried by the next sync. */
const unreadableOf = (r: SyncReport) => unreadableFiles(r.stats.files);

/** Everything read and sent: exit 0. */
export function syncComplete(r: SyncReport): boolean {
  return !r.stoppedBy && r.failed.length === 0 && r.pendingMessages === 0 && r.pendingSessions === 0 && r.sessionsUnread === 0 && unreadableOf(r).length === 0;
}

/**
 * What is left; an item something in front of OpenSync blocks goes only once that lets it through, and nothing
 * goes while what stopped the run needs the user (a refused key, a wrong URL: exit 2), both said on stderr.
 */
function pendingLine(r: SyncReport): string {
  const next =
    r.unsentError instanceof BlockedItemError
      ? "the next sync tries them again, and sends the blocked item once it is let through"
      : r.stoppedBy && exitCodeOf(r.stoppedBy) === 2
        ? "the next `claude-code-sync sync` sends them once the problem below is fixed"
        : "the next `claude-code-sync sync` sends them";
  return `Pending: ${plural(r.pendingSessions, "session")}, ${plural(r.pendingMessages, "message")}; ${next}.`;
}

/**
 * Not pending work, as a response being written is not: sessions with writes given up on that the server may
 * still apply over newer ones (sync/unsure.ts); the hooks and `watch` sync them again once those are over.
 */
const unsureLine = (n: number) =>
  `Not confirmed: ${plural(n, "session")} had writes given up on before an answer, which the server may still apply; nothing is lost: once they are over (two request timeouts: 30 s by default) the next sync sends ${n === 1 ? "it" : "them"} again (a hook's or \`watch\`'s, or run \`claude-code-sync sync\` then).`;

/** Sessions with new lines the run stopped before reading: not in the pending counts, which are what was read. */
const unreadLine = (n: number) => `Not read yet: ${plural(n, "session")} with new lines; the next \`claude-code-sync sync\` reads and sends ${n === 1 ? "it" : "them"}.`;

/** The one line a sync ends with, plus what is left and why (what stopped the run is a failure: the command says it on stderr). */
export function renderSyncSummary(r: SyncReport, verbose: boolean): string {
  const lines = [
    `Synced ${plural(r.sessionsSent, "session update")} and ${plural(r.messagesSent, "message")} (read ${plural(r.sessionsRead, "changed session")}).`,
  ];
  if (r.reconciled) lines.push(reconciledLine(r.reconciled));
  if (r.recreated.length) lines.push(recreatedLine(r.recreated.length));
  if (r.missingOnServer) lines.push(missingOnServerLine(r.missingOnServer));
  if (r.pendingMessages || r.pendingSessions) lines.push(pendingLine(r));
  if (r.sessionsUnread) lines.push(unreadLine(r.sessionsUnread));
  if (r.unsureWrites.length) lines.push(unsureLine(r.unsureWrites.length));
  if (r.beingWritten) lines.push(beingWrittenLine(r.beingWritten));
  if (r.unknownModels.length) lines.push(unknownModelsLine(r.unknownModels));
  lines.push(...longLinesLines(r.stats.longLines));
  if (r.stats.messagesCut) lines.push(cutLine(r.stats.messagesCut));
  for (const f of r.failed.slice(0, 10)) lines.push(`Failed: ${shownId(f.id, verbose)}: ${f.error}`);
  if (r.failed.length > 10) lines.push(`…and ${formatInt(r.failed.length - 10)} more failures (see \`claude-code-sync status\`).`);
  if (r.refused > r.failed.length) lines.push(refusedEarlierLine(r.refused - r.failed.length));
  if (r.stats.badLines) lines.push(`Skipped ${badLinesText(r.stats.badLines, r.stats.firstBadLine)}.`);
  lines.push(...untimedLines(r.stats.untimed));
  lines.push(...unplacedLines(r.stats.unplacedLines));
  // Files or folders the read failed on (no permission, an I/O error; one deleted meanwhile is no failure); empty files are not worth a line.
  lines.push(...unreadableLines(unreadableOf(r), "the next sync tries again"));
  return lines.join("\n");
}

/** Not whole: OpenSync stores at most 1 MiB of one message (sanitize.ts). */
const cutLine = (n: number) => `Cut ${plural(n, "message")} to the size OpenSync stores of one message; each is marked where it was cut.`;

/** Not pending either: the server refused them, and sending them again unchanged would be refused again. */
const refusedEarlierLine = (n: number) =>
  `${plural(n, "item")} the server refused earlier ${n === 1 ? "waits" : "wait"} for a change, or \`claude-code-sync sync --retry-failed\` (\`claude-code-sync status\` lists them).`;

/**
 * Not pending work (nothing is wrong): a response is sent once, whole, when its turn is over; a session only
 * its subagents have written to so far, once its own file appears (chunk.awaitingOwnFile).
 */
export const beingWrittenLine = (n: number) =>
  `${plural(n, "session")} ${n === 1 ? "is" : "are"} still being written: the last response goes once it is complete (the next sync, or the Stop hook), and a session only its subagents have written to so far once its own transcript appears or its files have been quiet for a minute.`;

/** Models without a price, and what to do about it. */
export function unknownModelsLine(models: readonly string[]): string {
  return `No price known for ${models.join(", ")}: counted at $0 until one is (the daily price refresh may bring it; or add it under "prices" in ~/.claude-code-sync/config.json).`;
}

/** What `sync --full` found the server lacked (it was then sent again). */
function reconciledLine(r: NonNullable<SyncReport["reconciled"]>): string {
  if (r.sessionsMissing + r.messagesMissing === 0) return `The server has everything sent from here (${plural(r.sent, "session")}).`;
  const parts = [r.sessionsMissing ? plural(r.sessionsMissing, "session") : "", r.messagesMissing ? plural(r.messagesMissing, "message") : ""].filter(Boolean);
  return `The server no longer had ${parts.join(" and ")} sent from here: sent again.`;
}

/** Sessions sent from here that the server no longer has (`status` and `sync` say it alike). */
export const missingOnServerLine = (n: number) =>
  `The server no longer has ${plural(n, "session")} sent from here (deleted there, or its data was reset): \`claude-code-sync sync --full\` sends them again.`;

/** Sessions the server made anew when this run wrote them (its earlier messages, gone with them, were sent again). */
const recreatedLine = (n: number) =>
  `The server no longer had ${plural(n, "session")} sent from here (deleted in the dashboard, or its data deleted): sent again, with the messages sent before.`;

/** Why a run that was not stopped still did not finish everything (exit 1), for scripts. */
function unfinished(r: SyncReport): Stop | undefined {
  if (r.failed.length > 0) return { message: `The server refused ${plural(r.failed.length, "item")} (see "failed").`, code: "items-refused" };
  if (unreadableOf(r).length > 0) return { message: "Some transcripts could not be read; the next sync tries again.", code: "unreadable-files" };
  if (r.pendingMessages || r.pendingSessions) return { message: pendingLine(r), code: "pending" };
  if (r.sessionsUnread) return { message: unreadLine(r.sessionsUnread), code: "pending" };
  return undefined;
}

export function syncReportJson(r: SyncReport, stop: Stop | undefined) {
  const why = stop ?? unfinished(r);
  return {
    ok: stop === undefined && syncComplete(r),
    sessionsRead: r.sessionsRead,
    sessionsUnread: r.sessionsUnread,
    bytesRead: r.bytesRead,
    sessionsSent: r.sessionsSent,
    messagesSent: r.messagesSent,
    deferred: r.deferred,
    pending: { sessions: r.pendingSessions, messages: r.pendingMessages },
    beingWritten: r.beingWritten,
    ...(r.unsureWrites.length ? { unconfirmed: r.unsureWrites.length } : {}),
    failed: r.failed,
    refused: r.refused,
    skipped: {
      badLines: r.stats.badLines,
      firstBadLine: r.stats.firstBadLine,
      longLines: r.stats.longLines,
      untimed: r.stats.untimed,
      unplacedLines: r.stats.unplacedLines,
      files: r.stats.files.length,
    },
    messagesCut: r.stats.messagesCut,
    ...(r.reconciled ? { reconciled: r.reconciled } : {}),
    ...(r.recreated.length ? { recreated: r.recreated.map((s) => s.sessionId) } : {}),
    ...(r.missingOnServer ? { missingOnServer: r.missingOnServer } : {}),
    unknownModels: r.unknownModels,
    ...(why ? { error: why.message, code: why.code } : {}),
  };
}
