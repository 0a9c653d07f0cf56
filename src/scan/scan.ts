import { accessSync, constants } from "node:fs";
import { type KnownFolders, type ListedFolder, type SkippedFile, type TranscriptFile, discoverFiles, unreadable } from "../discover/files.ts";
import type { FoldSnapshot } from "../fold/session-fold.ts";
import type { FileRecord } from "../state/store.ts";
import type { FromWorker, ToWorker } from "./scan-worker.ts";
import { type ForkWait, waitOver } from "../discover/fork-origins.ts";
import { discoverWithForkParents } from "../discover/fork-parents.ts";
import { isQuiet } from "./quiet.ts";
import { type FileWork, type ReadSettings, type ReadStats, type SessionChunk, type SessionWorkItem, addStats, emptyReadStats } from "./work.ts";

/**
 * The one read path, for every command: discover the transcripts, plan what
 * is new in each session, read and fold it (in worker threads when there is
 * enough to read), and hand each chunk to the caller: the state (sync, hooks,
 * watch) or an in-memory summary (the dry run).
 */

/** Per session, whose open responses are complete: the main thread's, or all threads'. */
export type Finalize = ReadonlyMap<string, "main" | "all">;

interface ScanRequest {
  roots: string[];
  settings: ReadSettings;
  /** Read every file from the start. */
  full: boolean;
  /** Only these sessions. */
  only?: ReadonlySet<string>;
  /**
   * Sessions whose turn is known to be over (a Stop hook: "main", the main
   * thread's; a SessionEnd: "all", its subagents' too), or all of them (a dry
   * run reports the files as they are): their open responses are emitted as
   * they are. Others emit a response still being written only once their
   * files are quiet (QUIET_MS).
   */
  finalize?: Finalize | "all";
  /** Worker threads for a large read; default 2 on a machine with cores to spare (WORKERS_FROM_CORES), else none. */
  workers?: number;
  /** Read in the main thread below this many bytes. */
  parallelMinBytes?: number;
  onProgress?(bytesRead: number, bytesTotal: number): void;
  /** Once aborted (Ctrl-C), no further session is started; what was read so far is kept. */
  signal?: AbortSignal;
  now?: number;
}

/** Where a scan's chunks go: the state (a sync), or summaries (a dry run). */
export interface ChunkSink {
  /** A promise holds the read back until it settles (the state's outbox waiting for the sender: backlog.ts). */
  accept(chunk: SessionChunk): void | Promise<void>;
  /** Called once before the first chunk, only when there is something to read: what a read needs is loaded then. */
  prepare?(): Promise<void>;
}

/** What earlier reads left (nothing for a dry run). */
export interface ScanPast extends KnownFolders {
  files(folder: string): ReadonlyMap<string, FileRecord>;
  snapshot(sessionId: string): FoldSnapshot | undefined;
  /** Sessions whose fold keeps back a response that was still being written. */
  held: ReadonlySet<string>;
  /** Sessions read while a transcript their fork's copies name was not found, by session id. */
  forkWaits: ReadonlyMap<string, ForkWait>;
}

export const NO_PAST: ScanPast = { digest: () => undefined, files: () => new Map(), snapshot: () => undefined, held: new Set(), forkWaits: new Map() };

export interface ScanOutcome {
  sessionsRead: number;
  /** Sessions with something new that were not read: the run was stopped (Ctrl-C) first. */
  sessionsUnread: number;
  bytesRead: number;
  stats: ReadStats;
  /** The project folders listed in full (see discoverFiles): their digests can be recorded once what was read is. */
  folders: ListedFolder[];
}

/**
 * Workers only where cores are to spare. Measured on 2 cores (256 MiB dry
 * run, compiled, 2026-12-07): 2.04 s with two workers, 1.45 s in the main
 * thread. Not the chunks' handing over (the main thread then idles): each
 * thread compiles the same hot code again, and one thread's reading already
 * keeps JavaScriptCore's compiler busy on the second core (user CPU 1.86 s
 * for one thread, 2.84 s for two workers).
 */
const WORKERS_FROM_CORES = 4;

/** Below this many bytes to read, starting workers costs more than it saves. */
const PARALLEL_MIN_BYTES: Record<ReadSettings["mode"], number> = { count: 64 << 20, redactions: 16 << 20, payloads: 16 << 20 };

/**
 * Where to resume a file: undefined when it has not changed since the last
 * read. A file shorter than the offset, or replaced before its fingerprint
 * was known, is read again from the start; otherwise the reader checks the
 * fingerprint of the bytes before the offset (a file rewritten in place is
 * then read from the start).
 */
export function resumeFrom(file: TranscriptFile, past: FileRecord | undefined, full: boolean): Omit<FileWork, "file"> | undefined {
  if (full || !past) return { from: 0, fingerprint: null };
  if (file.size < past.offset) return { from: 0, fingerprint: null };
  if (past.fingerprint === null && past.identity !== file.identity) return { from: 0, fingerprint: null };
  if (file.size === past.size && file.mtimeMs === past.mtimeMs) return undefined;
  return { from: past.offset, fingerprint: past.fingerprint };
}

function groupBySession(files: TranscriptFile[]): Map<string, TranscriptFile[]> {
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

/** What to read, newest session first (so its messages reach the dashboard first). */
function planScan(files: TranscriptFile[], req: Pick<ScanRequest, "full" | "finalize" | "now">, past: ScanPast, waited: ReadonlySet<string>): SessionWorkItem[] {
  const now = req.now ?? Date.now();
  const items: Array<SessionWorkItem & { newest: number }> = [];
  for (const [sessionId, group] of groupBySession(files)) {
    const files: FileWork[] = group.map((file) => {
      const before = past.files(file.folder).get(file.path);
      if (waited.has(sessionId) && !req.full) return { file, from: 0, fingerprint: null, reread: true };
      const at = resumeFrom(file, before, req.full);
      if (!at) return { file, from: (before as FileRecord).offset, fingerprint: (before as FileRecord).fingerprint, unchanged: true };
      return { file, ...at, ...(at.from === 0 && before !== undefined && !req.full ? { reread: true } : {}) };
    });
    const newest = Math.max(...group.map((f) => f.mtimeMs));
    const quiet = isQuiet(newest, now);
    const over = req.finalize === "all" ? "all" : req.finalize?.get(sessionId);
    const final = over === "all" || quiet ? true : over === "main" ? "main" : false;
    // Nothing new, but a response held back while it was being written can go now that the turn is over.
    if (files.every((w) => w.unchanged) && !(final && past.held.has(sessionId))) continue;
    const snapshot = req.full ? undefined : past.snapshot(sessionId);
    items.push({ sessionId, files, ...(snapshot ? { snapshot } : {}), final, quiet, now, newest });
  }
  return items.sort((a, b) => b.newest - a.newest).map(({ newest: _, ...item }) => item);
}

/**
 * Sessions whose fork's copies name a transcript that was not found when they were read, and is there
 * now: read again from their start, so the copies count where a read of all of them counts them. Per
 * such session (none in nearly every history) a stat of its transcript and of each source's beside it,
 * and for a source not there, a listing of the root and a stat per project folder.
 */
function waitsOver(past: ScanPast, roots: readonly string[]): Set<string> {
  return new Set([...past.forkWaits].filter(([id, wait]) => waitOver(id, wait, roots)).map(([id]) => id));
}

/** Discovery, and the files of the `waited` sessions wherever discovery left them out (an unchanged folder, `only`). */
function discover(req: Pick<ScanRequest, "roots" | "only"> & { full?: boolean }, past: ScanPast, known: KnownFolders, waited: ReadonlySet<string>): ReturnType<typeof discoverFiles> {
  // What planScan will not read: unchanged, and neither a fork's wait that is over nor a response held back.
  const unread = (f: TranscriptFile) =>
    !waited.has(f.sessionId) && !past.held.has(f.sessionId) && resumeFrom(f, past.files(f.folder).get(f.path), req.full === true) === undefined;
  const discovery = req.only ? discoverWithForkParents(req.roots, known, req.only, unread) : discoverFiles(req.roots, known);
  if (waited.size === 0) return discovery;
  const listed = new Set(discovery.files.map((f) => f.path));
  const more = discoverFiles(req.roots, undefined, waited).files.filter((f) => !listed.has(f.path));
  const files = [...discovery.files, ...more].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ...discovery, files };
}

/**
 * The worker's module: from source, beside this file; in the compiled
 * executable, its own entry point (scripts/build.ts), named from src/.
 */
const WORKER_MODULE = Bun.isStandaloneExecutable ? "./scan/scan-worker.ts" : new URL("./scan-worker.ts", import.meta.url).href;

/** What earlier reads left, as discovery may use it: a full read, or a response held back that may be complete now, leaves no folder out as unchanged. */
function knownFolders(past: ScanPast, full: boolean): ScanPast {
  return full || past.held.size > 0 ? { ...past, digest: () => undefined } : past;
}

/**
 * How many sessions the next read would take up (new lines, or a response held back that is
 * complete now): what `status` says is not read yet; and the files and folders skipped, those
 * that cannot be read among them. Looks at the files' listings and sizes only.
 */
export function sessionsToRead(roots: string[], past: ScanPast): { sessions: Set<string>; skipped: SkippedFile[] } {
  const waited = waitsOver(past, roots);
  const discovery = discover({ roots }, past, knownFolders(past, false), waited);
  const items = planScan(discovery.files, { full: false }, past, waited);
  // A file listed but not readable (its permissions): the read would skip it; said now, not at the next sync.
  const locked = items.flatMap((item) =>
    item.files.flatMap((w) => {
      if (w.unchanged) return [];
      try {
        accessSync(w.file.path, constants.R_OK);
        return [];
      } catch (error) {
        return unreadable(w.file.path, error);
      }
    }),
  );
  return { sessions: new Set(items.map((item) => item.sessionId)), skipped: [...discovery.skipped, ...locked] };
}

/** Reads the sessions of `roots` that changed since `past`, handing each chunk to `sink` in the main thread. */
export async function scan(req: ScanRequest, past: ScanPast, sink: ChunkSink): Promise<ScanOutcome> {
  const count = req.workers ?? (req.only || navigator.hardwareConcurrency < WORKERS_FROM_CORES ? 1 : 2);
  const known = knownFolders(past, req.full);
  const waited = waitsOver(past, req.roots);
  const discovery = discover(req, past, known, waited);
  const items = planScan(discovery.files, req, past, waited);
  const total = items.reduce((sum, item) => sum + item.files.reduce((s, w) => s + (w.unchanged ? 0 : w.file.size - w.from), 0), 0);
  // Started only for a read that repays them: a sync with little or nothing new never loads them.
  const parallel = count > 1 && total >= (req.parallelMinBytes ?? PARALLEL_MIN_BYTES[req.settings.mode]);
  const workers = parallel ? Array.from({ length: count }, () => new Worker(WORKER_MODULE)) : [];
  try {
    const stats = emptyReadStats();
    let bytesRead = 0;
    const take = (chunk: SessionChunk) => {
      const accepted = sink.accept(chunk);
      addStats(stats, chunk.stats);
      bytesRead += chunk.bytesRead;
      req.onProgress?.(bytesRead, total);
      return accepted;
    };
    let read = 0;
    if (items.length > 0) await sink.prepare?.();
    if (parallel) read = await readInWorkers(workers, items, req.settings, req.roots, take, req.signal);
    else if (items.length > 0) {
      // Loaded only when there is something to read: a sync with nothing new never pays for the transcript parser.
      const { SessionReader } = await import("./read-session.ts");
      const reader = new SessionReader(req.settings, req.roots);
      const takeAndYield = async (chunk: SessionChunk) => {
        await take(chunk);
        await turnEventLoop();
      };
      for (const item of items) {
        if (req.signal?.aborted) break;
        await reader.read(item, takeAndYield);
        read++;
      }
    }
    stats.files.unshift(...discovery.skipped);
    stats.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { sessionsRead: read, sessionsUnread: items.length - read, bytesRead, stats, folders: discovery.folders };
  } finally {
    for (const w of workers) w.terminate();
  }
}

/**
 * Lets timers and replies from the network run between two chunks of a read
 * in the main thread: a sync sends the sessions already read while it reads
 * the next ones, and a read that never yields would hold its first request
 * back until the whole history is read.
 */
const turnEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Hands the sessions to the workers one at a time (each keeps one more queued), so a large
 * session does not hold the others back. Resolves to how many were read (all, unless aborted).
 */
function readInWorkers(
  workers: Worker[],
  items: SessionWorkItem[],
  settings: ReadSettings,
  roots: string[],
  take: (chunk: SessionChunk) => void | Promise<void>,
  signal: AbortSignal | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let pending = 0;
    if (items.length === 0) return resolve(0);
    const send = (w: Worker, message: ToWorker) => w.postMessage(message);
    const feed = (w: Worker) => {
      if (next >= items.length || signal?.aborted) return;
      pending++;
      send(w, { type: "read", item: items[next++] as SessionWorkItem });
    };
    for (const w of workers) {
      w.onmessage = (event: MessageEvent<FromWorker>) => {
        const m = event.data;
        try {
          // The worker waits for its ack: a sink that holds the read back holds the worker back.
          if (m.type === "chunk") void Promise.resolve(take(m.chunk)).then(() => send(w, { type: "ack" }), reject);
          else if (m.type === "read") {
            pending--;
            feed(w);
            if (pending === 0) resolve(next);
          } else reject(new Error(`scan worker failed: ${m.message}`));
        } catch (error) {
          reject(error);
        }
      };
      w.onerror = (event) => reject(new Error(`scan worker failed: ${event.message}`));
      send(w, { type: "init", settings, roots });
      feed(w);
      feed(w);
    }
  });
}
