import type { TranscriptFile } from "../discover/files.ts";
import { type FoldOptions, type MessageSink, SessionFold, type SessionMeta } from "../fold/session-fold.ts";
import { type RecordBatch, UsageLedger } from "../fold/usage-ledger.ts";
import { type ReadStats, emptyReadStats, foldFile } from "./scan.ts";

export interface SessionGroup {
  sessionId: string;
  files: TranscriptFile[];
}

/** What a full read of one session leaves: its metadata, message count and usage. */
export interface FoldedSession {
  meta: SessionMeta;
  messages: number;
  usage: RecordBatch;
}

export interface FoldedGroups {
  sessions: FoldedSession[];
  stats: ReadStats;
}

/**
 * Reads and folds whole sessions. Pure of any cross-session state, so it runs
 * the same in the main thread or in a scan worker; token dedup across
 * sessions happens afterwards, in session order.
 */
export function foldSessions(groups: SessionGroup[], options: FoldOptions, onMessage?: MessageSink): FoldedGroups {
  const stats = emptyReadStats();
  const sessions = groups.map(({ sessionId, files }): FoldedSession => {
    const ledger = new UsageLedger();
    const fold = new SessionFold(sessionId, options, ledger, onMessage);
    for (const file of files) foldFile(file, 0, fold, stats);
    // A full read: whatever is open is all there is.
    fold.flush({ final: true });
    return { meta: fold.meta, messages: fold.messages, usage: ledger.toBatch() };
  });
  return { sessions, stats };
}
