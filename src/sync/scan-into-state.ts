import { type TranscriptFile, discoverFiles } from "../discover/files.ts";
import { type FoldOptions, type FoldSnapshot, SessionFold } from "../fold/session-fold.ts";
import { summarize } from "../fold/summarize.ts";
import { type ReadStats, emptyReadStats, foldFile, groupBySession } from "../scan/scan.ts";
import { StateLedger } from "../state/ledger.ts";
import type { FileRow, StateStore } from "../state/store.ts";
import { type Scrubber, messagePayload, payloadHash, sessionPayload } from "./payloads.ts";

export interface ScanRequest {
  roots: string[];
  fold: FoldOptions;
  scrub: Scrubber;
  isExcluded(projectPath: string | undefined): boolean;
  /** Re-read every file from the start. */
  full: boolean;
  /** Only these sessions. */
  only?: ReadonlySet<string>;
}

export interface ScanOutcome {
  sessionsRead: number;
  bytesRead: number;
  stats: ReadStats;
}

/** Bytes read between two commits: bounds the work a crash can undo, and the size of one transaction. */
const COMMIT_BYTES = 32 * 1024 * 1024;

/** Where to resume a file, or undefined when it has not changed since the last read. */
export function resumeOffset(file: TranscriptFile, row: FileRow | undefined, full: boolean): number | undefined {
  if (full || !row) return 0;
  // Replaced (another inode) or rewritten shorter: read it again from the start; message ids and usage keys make that idempotent.
  if (row.identity !== file.identity || file.size < row.offset) return 0;
  if (file.size === row.size && file.mtimeMs === row.mtime_ms) return undefined;
  return row.offset;
}

/**
 * Reads what is new in the transcripts into the state database: file offsets,
 * each session's fold, its deduplicated usage, and the outbox of messages
 * whose content the server does not have yet. Each commit holds the offsets
 * together with what was read up to them, so a crash loses nothing and
 * repeats nothing.
 */
export function scanIntoState(store: StateStore, req: ScanRequest): ScanOutcome {
  const discovery = discoverFiles(req.roots);
  const stats: ReadStats = { ...emptyReadStats(), files: discovery.skipped };
  const ledger = new StateLedger(store);
  const read = new Set<string>();
  let bytesRead = 0;

  for (const [sessionId, files] of groupBySession(discovery.files)) {
    if (req.only && !req.only.has(sessionId)) continue;
    const work = files
      .map((file) => ({ file, offset: resumeOffset(file, store.getFile(file.path), req.full) }))
      .filter((w): w is { file: TranscriptFile; offset: number } => w.offset !== undefined);
    if (work.length === 0) continue;
    read.add(sessionId);

    const row = store.getSession(sessionId);
    const snapshot = !req.full && row?.fold ? (JSON.parse(row.fold) as FoldSnapshot) : undefined;
    const fold: SessionFold = new SessionFold(
      sessionId,
      req.fold,
      ledger,
      (m) => {
        if (req.isExcluded(fold.meta.cwd ?? fold.meta.anyCwd)) return;
        const { payload, redactions } = messagePayload(m, req.scrub);
        const json = JSON.stringify(payload);
        store.putMessage({ externalId: m.externalId, sessionId, createdAt: m.createdAt, hash: payloadHash(json), payload: json, redactions });
      },
      snapshot,
    );
    for (const [i, { file, offset: start }] of work.entries()) {
      let offset = start;
      let eof = false;
      while (!eof) {
        store.transaction(() => {
          const unreadable = stats.files.length;
          const r = foldFile(file, offset, fold, stats, COMMIT_BYTES);
          bytesRead += r.offset - offset;
          offset = r.offset;
          eof = r.eof;
          // A file that could not be read (foldFile noted it) keeps its old row, so the next sync tries it again.
          if (stats.files.length === unreadable) store.putFile(file, offset, eof);
          // The session is finished in the commit of its last bytes: a crash never leaves it read but not ready to send.
          const finished = eof && i === work.length - 1;
          // Responses still open at the end of what is written are sent as they are; later lines update them.
          // (`final: false` would hold back responses still being written: that needs the Stop hook or a
          // quiet file to say when to send them, and a way back to sessions whose files did not change.)
          if (finished) fold.flush({ final: true });
          store.putFold(sessionId, fold.snapshot());
          if (finished) refreshSessionPayload(store, sessionId, req);
        });
      }
    }
  }

  // A response found again in a later session can move its tokens between sessions: refresh what the ledger touched.
  store.transaction(() => {
    for (const sessionId of ledger.touched) refreshSessionPayload(store, sessionId, req);
  });
  return { sessionsRead: read.size, bytesRead, stats };
}

/** The session as it should now be on the server, from its fold and its usage. */
function refreshSessionPayload(store: StateStore, sessionId: string, req: ScanRequest): void {
  const fold = store.getSession(sessionId)?.fold;
  if (!fold) return;
  const { meta } = JSON.parse(fold) as FoldSnapshot;
  const summary = summarize(meta, store.sessionUsage(sessionId), store.messageCount(sessionId));
  if (summary.messageCount === 0 && summary.promptTokens + summary.completionTokens === 0) return;
  store.putPayload(sessionId, JSON.stringify(sessionPayload(summary, req.scrub)), {
    excluded: req.isExcluded(summary.projectPath),
    project: summary.projectPath,
    createdAt: summary.createdAt,
  });
}
