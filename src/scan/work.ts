import type { SkippedFile, TranscriptFile } from "../discover/files.ts";
import type { ForkWait } from "../discover/fork-origins.ts";
import type { FoldOptions, FoldSnapshot, SessionMeta } from "../fold/session-fold.ts";
import type { RecordBatch } from "../fold/usage-ledger.ts";
import type { MessageRecord } from "../state/store.ts";

/**
 * What passes between the scan's orchestrator (main thread) and the readers
 * (worker threads, or the main thread for a small read): plain data only.
 */

/** What to do with messages: count them (dry run), build them to count redactions, or build them to send. */
type MessageMode = "count" | "redactions" | "payloads";

export interface ReadSettings {
  fold: FoldOptions;
  mode: MessageMode;
  redact: boolean;
  redactPatterns: readonly string[];
  excludeProjects: readonly string[];
}

/** One file of a session to read, from where the last read stopped. */
export interface FileWork {
  file: TranscriptFile;
  from: number;
  /** Fingerprint of the bytes before `from` as last read: if they differ now, the file was rewritten and is read from 0. */
  fingerprint: string | null;
  /** Nothing new in it: read only if the session is read again from scratch. */
  unchanged?: boolean;
  /** Read before, but replaced or cut shorter since: the session is read again from scratch. */
  reread?: boolean;
}

/** One session to read: its changed files and the fold's carry-over from the last read. */
export interface SessionWorkItem {
  sessionId: string;
  files: FileWork[];
  snapshot?: FoldSnapshot;
  /**
   * Emit the responses still open at the end rather than only the complete ones: all of them (its files
   * are quiet, or a dry run), or "main": the main thread's (its turn is over; subagents run in the
   * background may still be writing theirs).
   */
  final: boolean | "main";
  /** Its files have not changed for QUIET_MS (a hook's "turn over" does not make a session quiet). */
  quiet: boolean;
  /** When the read was planned: lines last written QUIET_MS before it end their turn too (a copy's files are new, its lines are not). */
  now: number;
}

/** A file's progress within one chunk. */
export interface FileProgress {
  file: TranscriptFile;
  offset: number;
  eof: boolean;
  fingerprint: string | null;
  /** It could not be read (noted in the stats): its old progress stands. */
  failed: boolean;
}


export interface ReadStats {
  badLines: number;
  /** Where the first of them is, so that the user can look at it. */
  firstBadLine?: { path: string; offset: number };
  unknownTypes: number;
  longLines: number;
  /** Messages cut to fit what the server stores (marked in their text): built to send, not counted by a dry run. */
  messagesCut: number;
  /** Sessions read to their end with lines to show and no line whose time could be read: the transcript of each (see SessionFold.unplaced). */
  untimed: string[];
  /** Lines let go unshown: more than HELD_MEMORY waited in a session for its first time (session-fold.ts, `held`). */
  unplacedLines: number;
  files: SkippedFile[];
}

export function emptyReadStats(): ReadStats {
  return { badLines: 0, unknownTypes: 0, longLines: 0, messagesCut: 0, untimed: [], unplacedLines: 0, files: [] };
}

export function addStats(into: ReadStats, from: ReadStats): void {
  into.badLines += from.badLines;
  into.firstBadLine ??= from.firstBadLine;
  into.unknownTypes += from.unknownTypes;
  into.longLines += from.longLines;
  into.messagesCut += from.messagesCut;
  into.untimed.push(...from.untimed);
  into.unplacedLines += from.unplacedLines;
  into.files.push(...from.files);
}

/**
 * What reading part of a session produced. A large session comes in several
 * chunks (each one commit of the state): the files' offsets, the fold's
 * carry-over, the new usage records and messages up to that point.
 */
export interface SessionChunk {
  sessionId: string;
  files: FileProgress[];
  /**
   * The first chunk of a read from the session's start that replaces what was read before: a file
   * was rewritten, or a secret found late may be bare in messages recorded before.
   */
  startsOver: boolean;
  /** The session's last chunk of this scan. */
  done: boolean;
  meta: SessionMeta;
  snapshot: FoldSnapshot;
  /** Usage records read in this chunk, deduplicated within it; `paths` names the file of each row. */
  usage: RecordBatch;
  messages: MessageRecord[];
  messageCount: number;
  redactions: number;
  excluded: boolean;
  /**
   * Read again once the session's files are quiet (see SessionWorkItem.final):
   * the fold keeps back a response still being written, or the session is
   * `awaitingOwnFile`.
   */
  held: boolean;
  /**
   * Only subagents' lines so far (Claude Code 2.0 writes its "Warmup" agents
   * before the session's own file): the session is not sent yet, as OpenSync
   * keeps the createdAt of its first write and the own file's first line may
   * be later. It goes when that file appears or the files are quiet.
   */
  awaitingOwnFile: boolean;
  /** Copies read in this chunk name a session whose transcript was not found: the state waits for it (ForkWait). */
  forkWait?: ForkWait;
  bytesRead: number;
  stats: ReadStats;
}
