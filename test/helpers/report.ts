import { emptyReadStats } from "../../src/scan/work.ts";
import type { SyncReport } from "../../src/sync/run-sync.ts";

/** A sync report with nothing read, sent or left, but for what `over` says. */
export function syncReport(over: Partial<SyncReport> = {}): SyncReport {
  return {
    sessionsRead: 0,
    sessionsUnread: 0,
    bytesRead: 0,
    stats: emptyReadStats(),
    pendingMessages: 0,
    pendingSessions: 0,
    sessionsSent: 0,
    messagesSent: 0,
    deferred: 0,
    deferredSessions: [],
    recreated: [],
    failed: [],
    unsent: 0,
    unknownModels: [],
    beingWritten: 0,
    refused: 0,
    unsureWrites: [],
    rechecks: [],
    ...over,
  };
}
