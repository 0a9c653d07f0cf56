import { readError } from "../discover/files.ts";
import type { SyncReport } from "../sync/run-sync.ts";
import { formatInt } from "./format.ts";

/** Transcripts the read failed on (no permission, deleted meanwhile): retried by the next sync. */
export function unreadableFiles(r: SyncReport) {
  return r.stats.files.filter((f) => readError(f) !== undefined);
}

/** Everything read and sent: exit 0. */
export function syncComplete(r: SyncReport): boolean {
  return !r.stoppedBy && r.failed.length === 0 && r.pendingMessages === 0 && r.pendingSessions === 0 && unreadableFiles(r).length === 0;
}

/** The one line a sync ends with, plus what is left and why. */
export function renderSyncSummary(r: SyncReport): string {
  const lines = [
    `Synced ${formatInt(r.sessionsSent)} session update(s) and ${formatInt(r.messagesSent)} message(s) (read ${formatInt(r.sessionsRead)} changed session(s)).`,
  ];
  if (r.stoppedBy) lines.push(r.stoppedBy.message);
  if (r.pendingMessages || r.pendingSessions) {
    lines.push(
      `Pending: ${formatInt(r.pendingSessions)} session(s), ${formatInt(r.pendingMessages)} message(s); the next \`claude-code-sync sync\` sends them.`,
    );
  }
  for (const f of r.failed.slice(0, 10)) lines.push(`Failed: ${f.id}: ${f.error}`);
  if (r.failed.length > 10) lines.push(`…and ${r.failed.length - 10} more failures (see \`claude-code-sync status\`).`);
  if (r.stats.badLines) lines.push(`Skipped ${formatInt(r.stats.badLines)} unreadable line(s).`);
  // Files or folders the read failed on (no permission, deleted meanwhile); empty files are not worth a line.
  const unreadable = unreadableFiles(r);
  for (const f of unreadable.slice(0, 5)) lines.push(`Could not read ${f.path} (${readError(f)}); the next sync tries again.`);
  if (unreadable.length > 5) lines.push(`…and ${unreadable.length - 5} more that could not be read.`);
  return lines.join("\n");
}

export function syncReportJson(r: SyncReport) {
  return {
    ok: syncComplete(r),
    sessionsRead: r.sessionsRead,
    bytesRead: r.bytesRead,
    sessionsSent: r.sessionsSent,
    messagesSent: r.messagesSent,
    deferred: r.deferred,
    pending: { sessions: r.pendingSessions, messages: r.pendingMessages },
    failed: r.failed,
    skipped: { badLines: r.stats.badLines, files: r.stats.files.length },
    ...(r.stoppedBy ? { error: r.stoppedBy.message } : {}),
  };
}
