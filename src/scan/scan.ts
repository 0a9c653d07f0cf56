import { agentIdOf, agentMeta } from "../discover/agent-meta.ts";
import { type SkippedFile, type TranscriptFile, discoverFiles, unreadable } from "../discover/files.ts";
import type { FoldOptions, MessageSink, SessionFold } from "../fold/session-fold.ts";
import { type SessionSummary, emptySessionUsage, summarize, usageBySession } from "../fold/summarize.ts";
import { UsageLedger } from "../fold/usage-ledger.ts";
import { type FoldedGroups, type FoldedSession, type SessionGroup, foldSessions } from "./fold-sessions.ts";
import { parseLine } from "../transcript/parse-line.ts";
import { readLines } from "../transcript/read-lines.ts";
import { collectAfterReading } from "../runtime/gc-pacer.ts";

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
  const agentId = inSubagentFile ? agentIdOf(file.path) : undefined;
  const meta = agentId ? agentMeta(file.path) : undefined;
  if (agentId && meta) fold.describeAgent(agentId, meta);
  try {
    return readLines(file.path, offset, {
      line(bytes, start) {
        collectAfterReading(bytes.length);
        const parsed = parseLine(bytes);
        if (!parsed.entry) {
          stats.badLines++;
          return;
        }
        if (parsed.unknownType) stats.unknownTypes++;
        fold.add(parsed.entry, inSubagentFile, start);
      },
    }, maxBytes);
  } catch (error) {
    stats.files.push(unreadable(file.path, error));
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

/** Below this many bytes, starting workers costs more than it saves. */
const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/**
 * Splits sessions into `n` bins of about equal bytes (largest first, each to
 * the lightest bin): whole sessions, so each fold sees all of its files.
 */
export function partition(groups: SessionGroup[], n: number): SessionGroup[][] {
  const bins = Array.from({ length: n }, () => ({ bytes: 0, groups: [] as SessionGroup[] }));
  const size = (g: SessionGroup) => g.files.reduce((sum, f) => sum + f.size, 0);
  for (const g of [...groups].sort((a, b) => size(b) - size(a))) {
    const lightest = bins.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    lightest.groups.push(g);
    lightest.bytes += size(g);
  }
  return bins.map((b) => b.groups).filter((g) => g.length > 0);
}

/**
 * The worker's module: from source, beside this file; in the compiled
 * executable, its own entry point (scripts/build.ts), named from src/.
 */
const WORKER_MODULE = Bun.isStandaloneExecutable ? "./scan/scan-worker.ts" : new URL("./scan-worker.ts", import.meta.url).href;

function foldInWorker(worker: Worker, groups: SessionGroup[], options: FoldOptions): Promise<FoldedGroups> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<FoldedGroups>) => {
      resolve(event.data);
      worker.terminate();
    };
    worker.onerror = (event) => {
      reject(new Error(`scan worker failed: ${event.message}`));
      worker.terminate();
    };
    worker.postMessage({ groups, options });
  });
}

export interface ScanOptions {
  /** Sees every message; forces a single-threaded read (messages stay in this thread). */
  onMessage?: MessageSink;
  /** Worker threads for a large read; default: one per core, at most 2. */
  workers?: number;
  /** Read in one thread below this many bytes (default 64 MiB). */
  parallelMinBytes?: number;
}

/**
 * A full read of every transcript under `roots`, folded into session
 * summaries. A large history is read by worker threads, whole sessions each;
 * usage is then deduplicated here in session order, so the result is the same
 * as a read in one thread.
 */
export async function scanAll(roots: string[], options: FoldOptions, scan: ScanOptions = {}): Promise<ScanResult> {
  const count = scan.onMessage ? 1 : (scan.workers ?? Math.min(2, navigator.hardwareConcurrency));
  // Started before the files are listed, so that they load while it happens; let go if the history is small.
  const workers = count > 1 ? Array.from({ length: count }, () => new Worker(WORKER_MODULE)) : [];
  const discovery = discoverFiles(roots);
  const groups = [...groupBySession(discovery.files)].map(([sessionId, files]) => ({ sessionId, files }));
  const bytes = discovery.files.reduce((sum, f) => sum + f.size, 0);
  const bins = workers.length > 0 && bytes >= (scan.parallelMinBytes ?? PARALLEL_MIN_BYTES) ? partition(groups, workers.length) : [];
  for (const unused of workers.slice(bins.length)) unused.terminate();
  const parts =
    bins.length > 0
      ? await Promise.all(bins.map((bin, i) => foldInWorker(workers[i] as Worker, bin, options)))
      : [foldSessions(groups, options, scan.onMessage)];

  const stats: ReadStats = { ...emptyReadStats(), files: discovery.skipped };
  const folded = new Map<string, FoldedSession>();
  for (const part of parts) {
    stats.badLines += part.stats.badLines;
    stats.unknownTypes += part.stats.unknownTypes;
    stats.files.push(...part.stats.files);
    for (const s of part.sessions) folded.set(s.meta.sessionId, s);
  }
  const ledger = new UsageLedger();
  for (const g of groups) {
    const s = folded.get(g.sessionId);
    if (s) ledger.addBatch(s.usage);
  }
  const usage = usageBySession(ledger.records());
  const sessions = groups
    .map((g) => folded.get(g.sessionId))
    .filter((s): s is FoldedSession => s !== undefined)
    .map((s) => summarize(s.meta, usage.get(s.meta.sessionId) ?? emptySessionUsage(), s.messages))
    .filter((s) => s.messageCount > 0 || s.promptTokens + s.completionTokens > 0)
    .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
  return { sessions, stats };
}
