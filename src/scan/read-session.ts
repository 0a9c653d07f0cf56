import { agentIdOf, agentMeta } from "../discover/agent-meta.ts";
import { unreadable } from "../discover/files.ts";
import { ForkOrigins } from "../discover/fork-origins.ts";
import { projectExclusion } from "../config/exclude.ts";
import { type FoldSnapshot, type FoldedMessage, SessionFold } from "../fold/session-fold.ts";
import { type Ledger, type UsageRecord, UsageLedger } from "../fold/usage-ledger.ts";
import { payloadHash } from "../plan/hash.ts";
import { messagePayload, snapshotAtRest } from "../plan/message-payload.ts";
import { type Scrubber, scrubberFrom } from "../plan/payloads.ts";
import { collectAfter } from "../runtime/gc-pacer.ts";
import { type Redactor, createRedactor } from "../safety/redact.ts";
import { type SeenDigests, SeenSecrets } from "../safety/seen-secrets.ts";
import type { MessagePayload } from "../opensync/payload.ts";
import type { MessageRecord } from "../state/store.ts";
import { fileHolds, writtenForms } from "../transcript/find-bytes.ts";
import { fingerprintAt } from "../transcript/fingerprint.ts";
import { type ParseOptions, parseLine } from "../transcript/parse-line.ts";
import { gluedAtEnd, gluedEntries } from "../transcript/glued.ts";
import { readLines } from "../transcript/read-lines.ts";
import type { Entry } from "../transcript/schema.ts";
import {
  type FileProgress,
  type FileWork,
  type ReadSettings,
  type ReadStats,
  type SessionChunk,
  type SessionWorkItem,
  emptyReadStats,
} from "./work.ts";
import { isQuiet } from "./quiet.ts";

/**
 * Bytes read between two chunks (two commits) when messages are built: bounds
 * memory and what a crash can undo, and how long a read in the main thread
 * keeps the sender waiting.
 */
const CHUNK_BYTES = 8 * 1024 * 1024;

/** Searches of the bytes already recorded for secrets found late, per read of a session (see `shownBefore`). */
const MAX_SEARCHES = 4;

/** A ledger that stamps each record with the file it came from and collects one chunk's records. */
class ChunkLedger implements Ledger {
  file = "";
  current = new UsageLedger();

  add(record: UsageRecord): void {
    record.file = this.file;
    this.current.add(record);
  }

  take(): UsageLedger {
    const done = this.current;
    this.current = new UsageLedger();
    return done;
  }
}

type ChunkSink = (chunk: SessionChunk) => void | Promise<void>;

/**
 * Reads sessions: each one's changed files from where the last read stopped,
 * folded into messages and usage, in chunks. The same code runs in a scan
 * worker or in the main thread; messages are built (redacted, sized, hashed)
 * here, once.
 */
export class SessionReader {
  private readonly redactor: Redactor | undefined;
  /** Building messages to send: the read's progress goes to the state, which resumes from it. */
  private readonly keepsState: boolean;

  /** Only counting: what tools returned is never looked at, so it is not parsed. */
  private readonly parsing: ParseOptions;
  /** `excludeProjects`, compiled once for every session this reader reads. */
  private readonly excluded: (projectPath: string | undefined) => boolean;
  /** Where forks' copies were made, each parent's copies read once for every session this reader reads. */
  private readonly origins: ForkOrigins;

  /** `roots`: the scan's, where a fork's parent is looked for beyond the fork's own root. */
  constructor(private readonly settings: ReadSettings, roots: readonly string[]) {
    this.origins = new ForkOrigins(roots);
    this.excluded = projectExclusion(settings.excludeProjects);
    this.keepsState = settings.mode === "payloads";
    this.parsing = { skim: settings.mode === "count" };
    this.redactor = settings.redact && settings.mode !== "count" ? createRedactor({ extraPatterns: settings.redactPatterns }) : undefined;
  }

  async read(item: SessionWorkItem, emit: ChunkSink): Promise<void> {
    // A file replaced, cut shorter, or rewritten in place: the whole session is read again from scratch, every
    // file from its start (message ids and usage keys make that idempotent; the state drops its old usage).
    // So is one with a subagent's meta file there now, whose task was shown before without it.
    const restart = item.files.some((w) => w.reread === true || (!w.unchanged && w.from > 0 && !sameBytes(w)) || describedLate(w, item.snapshot));
    // A secret the session shows again bare, after a rule found it, goes too (told to later reads by its digest).
    const seen = new SeenSecrets(restart ? undefined : item.snapshot?.seen);
    // One found only now that messages already recorded (an earlier read's, an earlier chunk's) show bare: the
    // session is read again from its start knowing it, and those messages are recorded again, redacted.
    if ((await this.pass(item, restart ? "restart" : "resume", seen, emit)) === "again") await this.pass(item, "again", seen, emit);
  }

  /**
   * One read of the session: its new lines ("resume"), or all its lines from the start ("restart",
   * and "again" after a read that found a secret late). Resolves to "again" when a secret it found
   * may be bare in messages recorded before. Bytes read again are not counted as read (progress).
   */
  private async pass(item: SessionWorkItem, from: "resume" | "restart" | "again", seen: SeenSecrets, emit: ChunkSink): Promise<"again" | undefined> {
    const restart = from !== "resume";
    const files: FileWork[] = restart ? item.files.map((w) => ({ ...w, from: 0, fingerprint: null })) : item.files.filter((w) => !w.unchanged);
    const scrub = scrubberFrom(this.redactor, seen);
    const ledger = new ChunkLedger();
    const messages: MessageRecord[] = [];
    /** The first `stale` of `messages` were built before `seen` last learned a secret, or as it did: they may show it bare. */
    let stale = 0;
    let redactions = 0;
    let counted = 0;
    const folder = (item.files.find((w) => w.file.kind === "session") ?? (item.files[0] as FileWork)).file.folder;
    /** Sessions this chunk's copies name whose transcripts were not found. */
    const missing = new Set<string>();
    const fold: SessionFold = new SessionFold(
      item.sessionId,
      // What a dry run counts is what a sync's state would hold: each message once.
      this.keepsState ? this.settings.fold : { ...this.settings.fold, countOnce: true },
      ledger,
      this.settings.mode === "count"
        ? undefined
        : (m) => {
            const before = seen.learned;
            this.build(m, fold, scrub, messages, (built) => {
              redactions += built.redactions;
              if (built.cut) stats.messagesCut++;
            });
            // This message too: a secret one of its parts showed may be bare in a part redacted before it.
            if (seen.learned !== before) stale = messages.length;
          },
      restart ? undefined : item.snapshot,
      (source) => {
        const origin = this.origins.originOf(source, folder);
        if (origin.missing !== undefined) missing.add(origin.missing);
        return origin.sessionId;
      },
    );
    // Messages are built (to send, or to count what they redact) a chunk at a time; a count builds none.
    const maxBytes = this.settings.mode === "count" ? Number.POSITIVE_INFINITY : CHUNK_BYTES;

    let stats = emptyReadStats();
    let progress: FileProgress[] = [];
    let bytesRead = 0;
    /** Per file, the bytes whose messages were recorded before this chunk's (by earlier reads, or earlier chunks). */
    const recorded = new Map(item.files.map((w) => [w.file.path, restart ? 0 : w.from]));
    let again: "again" | undefined;
    let searches = 0;
    let startsOver = restart;
    const flushChunk = async (done: boolean) => {
      // Copied transcripts are new files of old lines: their turns ended when their lines were written.
      const linesQuiet = fold.meta.lastAt !== undefined && isQuiet(fold.meta.lastAt, item.now);
      const heldBack = done && fold.flush({ final: linesQuiet || item.final });
      redactions += rescrubEarlier(messages, stale, seen);
      stale = 0;
      const fresh = seen.takeFresh();
      // Each search reads what was recorded before: past a few in one pass, reading again is cheaper than looking.
      if (fresh.length > 0 && !again && (++searches > MAX_SEARCHES || shownBefore(fresh, recorded))) again = "again";
      // The session is handed on to be sent only with its last chunk: the read again's, so nothing of this one goes.
      if (done && again) return;
      for (const p of progress) if (!p.failed) recorded.set(p.file.path, p.offset);
      // A dry run builds messages only to count what they redact: they go no further.
      const built = messages.splice(0);
      const snapshot = fold.snapshot();
      // The session's end (SessionEnd: the user left before a prompt) or quiet ends the wait for its own file; a turn's or a subagent's end does not.
      const awaitingOwnFile = done && item.final !== true && !linesQuiet && fold.meta.firstAt === undefined;
      // No line with a time, none waiting for one (file-history-snapshot lines, written before the first prompt): nothing
      // to send, so nothing held back; the session's first lines are new bytes, read as any.
      const nothingToShow = fold.meta.lastAt === undefined && fold.unplaced === 0;
      const excluded = this.excluded(fold.meta.cwd ?? fold.meta.anyCwd);
      // Read to its end and still no line with a time: nothing places the session (session-fold.ts, `held`). Said, not left out
      // unseen, unless its project is one the user keeps out.
      if (done && !awaitingOwnFile && !excluded && fold.unplaced > 0) stats.untimed.push(item.files[0]!.file.path);
      stats.unplacedLines += fold.takeLostUnplaced();
      const chunk: SessionChunk = {
        sessionId: item.sessionId,
        files: progress,
        startsOver,
        done,
        meta: { ...fold.meta },
        snapshot: this.keepsState ? withSeen(snapshotAtRest(snapshot, scrub), seen.carried()) : snapshot,
        usage: ledger.take().toBatch(),
        messages: this.keepsState ? built : [],
        messageCount: fold.messages - counted,
        redactions,
        excluded,
        held: (awaitingOwnFile && !nothingToShow) || heldBack,
        awaitingOwnFile,
        ...(missing.size > 0 ? { forkWait: { folder, sources: [...missing] } } : {}),
        bytesRead,
        stats,
      };
      counted = fold.messages;
      missing.clear();
      startsOver = false;
      redactions = 0;
      bytesRead = 0;
      stats = emptyReadStats();
      progress = [];
      await emit(chunk);
    };

    if (restart) progress.push(...item.files.map((w) => ({ file: w.file, offset: 0, eof: false, fingerprint: null, failed: false })));
    for (const [i, work] of files.entries()) {
      ledger.file = work.file.path;
      let offset = work.from;
      for (let eof = false; !eof; ) {
        const read = readFile(work, offset, fold, stats, maxBytes, this.parsing);
        if (from !== "again") bytesRead += read.offset - offset;
        offset = read.offset;
        eof = read.eof;
        // Only the state resumes files: a dry run needs no fingerprint.
        const fingerprint = read.failed || !this.keepsState ? work.fingerprint : safeFingerprint(work.file.path, offset);
        progress.push({ file: work.file, offset, eof, fingerprint, failed: read.failed });
        if (!eof) await flushChunk(false);
      }
      if (i === files.length - 1) await flushChunk(true);
    }
    // Nothing new to read: a held-back response is complete now that the turn is over.
    if (files.length === 0) await flushChunk(true);
    return again;
  }

  private build(m: FoldedMessage, fold: SessionFold, scrub: Scrubber, into: MessageRecord[], count: (built: { redactions: number; cut: boolean }) => void): void {
    if (this.excluded(fold.meta.cwd ?? fold.meta.anyCwd)) return;
    const { payload, redactions, cut } = messagePayload(m, scrub);
    count({ redactions, cut });
    // Kept to the chunk's end in a dry run too: a secret found later in the chunk may still be redacted in them (rescrubEarlier).
    const json = JSON.stringify(payload);
    into.push({ externalId: m.externalId, sessionId: m.sessionId, createdAt: m.createdAt, ord: m.order ?? 0, hash: payloadHash(json), payload: json });
  }
}

/**
 * A secret a rule found in a later message of the chunk, shown bare by one built before it (a
 * password first written into a file, then named in a reply): the first `stale` messages, built
 * before `seen` last learned one, are redacted again with all it knows, before anything of the
 * chunk is recorded or sent. Returns how many secrets that replaced.
 */
function rescrubEarlier(messages: MessageRecord[], stale: number, seen: SeenSecrets): number {
  let count = 0;
  messages.slice(0, stale).forEach((record, i) => {
    const payload = JSON.parse(record.payload) as MessagePayload;
    const again = seen.redactValue(payload.parts);
    if (again.count === 0) return;
    // Counted in the parts, as messagePayload counts: the text repeats the text parts.
    count += again.count;
    // Changed in place: the same keys in the same order as a payload built knowing the secret (the same hash).
    payload.parts = again.value;
    if (payload.textContent !== undefined) payload.textContent = seen.redact(payload.textContent).text;
    const json = JSON.stringify(payload);
    messages[i] = { ...record, hash: payloadHash(json), payload: json };
  });
  return count;
}

/** Whether one of these secrets occurs in the bytes of the session's files whose messages were already recorded. */
function shownBefore(secrets: string[], recorded: ReadonlyMap<string, number>): boolean {
  const needles = secrets.flatMap(writtenForms);
  return [...recorded].some(([path, end]) => end > 0 && fileHolds(path, end, needles));
}

function withSeen(snapshot: FoldSnapshot, seen: SeenDigests | undefined): FoldSnapshot {
  return seen ? { ...snapshot, seen } : snapshot;
}

/** Whether this file is a subagent's whose task was shown without its meta file, and the meta file is there now. */
function describedLate(w: FileWork, snapshot: FoldSnapshot | undefined): boolean {
  if (w.file.kind !== "subagent" || !snapshot?.bareAgents) return false;
  const id = agentIdOf(w.file.path);
  return id !== undefined && snapshot.bareAgents.includes(id) && agentMeta(w.file.path) !== undefined;
}

/** Whether the bytes before a resumed offset are still those that were read. */
function sameBytes(w: FileWork): boolean {
  if (w.fingerprint === null) return true; // read by an older version: trusted as before
  return safeFingerprint(w.file.path, w.from) === w.fingerprint;
}

function safeFingerprint(path: string, offset: number): string | null {
  try {
    return fingerprintAt(path, offset);
  } catch {
    return null;
  }
}

/**
 * Reads one file from `offset` (at most about `maxBytes`) into the fold. An
 * unreadable file (no permission) is noted in `stats`, never fatal: its offset
 * stays where it was, so the next read tries again. One deleted since it was
 * listed is not noted: its offset stays too, as a file no longer listed keeps its.
 */
function readFile(
  work: FileWork,
  offset: number,
  fold: SessionFold,
  stats: ReadStats,
  maxBytes: number,
  parsing: ParseOptions,
): { offset: number; eof: boolean; failed: boolean } {
  const inSubagentFile = work.file.kind === "subagent";
  const agentId = inSubagentFile ? agentIdOf(work.file.path) : undefined;
  const meta = agentId === undefined ? undefined : agentMeta(work.file.path);
  // A subagent's prompt is shown as its type and task, from the meta file beside its transcript.
  if (agentId !== undefined && meta) fold.describeAgent(agentId, meta);
  const add = (entry: Entry, unknownType: boolean, at: number) => {
    if (unknownType) stats.unknownTypes++;
    fold.add(entry, inSubagentFile, at);
  };
  try {
    const r = readLines(
      work.file.path,
      offset,
      {
        line(bytes, start) {
          collectAfter(bytes.length);
          const parsed = parseLine(bytes, parsing);
          if (parsed.entry) return add(parsed.entry, parsed.unknownType, start);
          stats.badLines++;
          stats.firstBadLine ??= { path: work.file.path, offset: start };
          // The half line stays lost; a complete one Claude Code glued to it after a crash is read.
          for (const glued of gluedEntries(bytes, parsing)) add(glued.entry, glued.unknownType, start + glued.at);
        },
        tooLong(_start, _end, tail) {
          stats.longLines++;
          const glued = tail && gluedAtEnd(tail.bytes, parsing);
          if (glued) add(glued.entry, glued.unknownType, tail.at + glued.at);
        },
      },
      maxBytes,
    );
    return { offset: r.offset, eof: r.eof, failed: false };
  } catch (error) {
    stats.files.push(...unreadable(work.file.path, error));
    return { offset, eof: true, failed: true };
  }
}
