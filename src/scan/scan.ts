import { type SkippedFile, type TranscriptFile, discoverFiles } from "../discover/files.ts";
import { type FoldOptions, type MessageSink, SessionFold, type SessionMeta } from "../fold/session-fold.ts";
import { type SessionSummary, emptySessionUsage, summarize, usageBySession } from "../fold/summarize.ts";
import { UsageLedger } from "../fold/usage-ledger.ts";
import { parseLine } from "../transcript/parse-line.ts";
import { readLines } from "../transcript/read-lines.ts";

export interface ReadStats {
  badLines: number;
  unknownTypes: number;
  files: SkippedFile[];
}

export function emptyReadStats(): ReadStats {
  return { badLines: 0, unknownTypes: 0, files: [] };
}

/**
 * Reads one file from `offset` (at most about `maxBytes` of it) into a session
 * fold. An unreadable file (deleted meanwhile, no permission) is noted in
 * `stats`, never fatal: its offset stays where it was.
 */
export function foldFile(
  file: TranscriptFile,
  offset: number,
  fold: SessionFold,
  stats: ReadStats,
  maxBytes?: number,
): { offset: number; eof: boolean } {
  const inSubagentFile = file.kind === "subagent";
  try {
    return readLines(file.path, offset, {
      line(text) {
        const parsed = parseLine(text);
        if (!parsed.entry) {
          stats.badLines++;
          return;
        }
        if (parsed.unknownType) stats.unknownTypes++;
        fold.add(parsed.entry, inSubagentFile);
      },
      bad() {
        stats.badLines++;
      },
    }, maxBytes);
  } catch (error) {
    stats.files.push({ path: file.path, reason: `unreadable: ${(error as Error).message}` });
    return { offset, eof: true };
  }
}

export function groupBySession(files: TranscriptFile[]): Map<string, TranscriptFile[]> {
  const bySession = new Map<string, TranscriptFile[]>();
  for (const f of files) {
    const list = bySession.get(f.sessionId);
    if (list) list.push(f);
    else bySession.set(f.sessionId, [f]);
  }
  // The session's own file first, so its cwd and first prompt win over a subagent's.
  for (const list of bySession.values()) list.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "session" ? -1 : 1));
  return bySession;
}

export interface ScanResult {
  sessions: SessionSummary[];
  stats: ReadStats;
}

/**
 * A full read of every transcript under `roots`, folded into session
 * summaries; `onMessage` sees every message (dry-run only counts them).
 * Token dedup spans all files, so a session is always read among all others.
 */
export function scanAll(roots: string[], options: FoldOptions, onMessage?: MessageSink): ScanResult {
  const discovery = discoverFiles(roots);
  const stats: ReadStats = { ...emptyReadStats(), files: discovery.skipped };
  const ledger = new UsageLedger();
  // Only each session's metadata and message count outlive its fold, so memory does not grow with the corpus.
  const done: Array<{ meta: SessionMeta; messages: number }> = [];
  for (const [sessionId, files] of groupBySession(discovery.files)) {
    let messages = 0;
    const fold = new SessionFold(sessionId, options, ledger, (m) => {
      messages++;
      onMessage?.(m);
    });
    for (const file of files) foldFile(file, 0, fold, stats);
    fold.flush();
    done.push({ meta: fold.meta, messages });
  }
  const usage = usageBySession(ledger.records());
  const sessions = done
    .map(({ meta, messages }) => summarize(meta, usage.get(meta.sessionId) ?? emptySessionUsage(), messages))
    .filter((s) => s.messageCount > 0 || s.promptTokens + s.completionTokens > 0)
    .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
  return { sessions, stats };
}
