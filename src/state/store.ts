import type { Database, Statement } from "bun:sqlite";
import { join } from "node:path";
import type { ForkWait } from "../discover/fork-origins.ts";
import type { FoldSnapshot } from "../fold/session-fold.ts";
import type { UsageRecord } from "../fold/usage-ledger.ts";
import { appDir } from "../paths.ts";
import { withKeys } from "../plan/hash.ts";
import { openDatabase, stateError } from "./db.ts";
import { NEW_STATE } from "./schema.ts";

const UNCONFIRMED_WRITES = "unconfirmed_writes";
const PENDING_REASON = "pending_reason";
/** Kept in meta: a few rows at most, none in nearly every history, so a scan reads one row. */
const FORK_WAITS = "fork_waits";
const SERVER_TIME_USED = "server_time_used";

/** One database per server URL, so logging in elsewhere starts from nothing. */
export function statePath(serverUrl: string): string {
  const id = new Bun.CryptoHasher("sha256").update(serverUrl).digest("hex").slice(0, 16);
  return join(appDir(), "state", `${id}.db`);
}

/** How far a transcript was read. */
export interface FileRecord {
  id: number;
  path: string;
  sessionId: string;
  identity: string;
  /** -1 until a read reached the end of the file. */
  size: number;
  mtimeMs: number;
  offset: number;
  /** Fingerprint of the bytes before `offset`; null when not known (state written by 0.2.0). */
  fingerprint: string | null;
}

/** A session with something to send: its payload (new or changed) or messages in the outbox. */
export interface SessionWork {
  key: number;
  sessionId: string;
  /** The session as it should be on the server; null while it has not been read to the end yet. */
  payload: string | null;
  hash: string | null;
  sentHash: string | null;
  sentKey: string | null;
  createdAt: number | null;
  lastAt: number | null;
  /** When the server last wrote it, or may have: a write given up on may land until its `until`. */
  writtenAt: number | null;
  serverId: string | null;
  legacyChecked: boolean;
  /** The server refused the session payload (and when). */
  error: string | null;
  failedAt: number | null;
}

export interface OutboxMessage {
  externalId: string;
  /** The id the server already knows this message by (sent by claude-code-sync 0.1.x). */
  alias: string | null;
  createdAt: number;
  ord: number;
  hash: string;
  sentHash: string | null;
  payload: string;
  error: string | null;
  failedAt: number | null;
}

/** A message as it should be on the server: built, redacted and hashed once, where it was read. */
export interface MessageRecord {
  externalId: string;
  sessionId: string;
  createdAt: number;
  ord: number;
  hash: string;
  payload: string;
}

export interface Failure {
  id: string;
  error: string;
  at: number;
}

/** What is left to send: what a sync's summary says. */
interface PendingCounts {
  sessionsPending: number;
  messagesPending: number;
}

interface StateCounts extends PendingCounts {
  sessionsSynced: number;
  failed: Failure[];
  failedCount: number;
  lastSync?: number;
}

/** Free pages a step of releaseSpace gives back: 8 MiB of 4 KiB pages, about what one chunk of reading logs. */
const VACUUM_STEP_PAGES = 2048;

/** Outbox rows read at once when sending: one session's outbox can hold hundreds of MB. */
const OUTBOX_PAGE = 200;

/**
 * The state database behind typed methods: no SQL and no rows leave this
 * module. Writes happen inside `write()` (an IMMEDIATE transaction that first
 * checks, when a lock is held, that this process still holds it).
 */
export class StateStore {
  private readonly statements = new Map<string, Statement>();
  private readonly sessionKeys = new Map<string, number>();
  private readonly modelIds = new Map<string, number>();
  /** Checked at the start of every write transaction once set (see lock.ts). */
  private guard: (() => void) | undefined;

  constructor(readonly db: Database) {}

  static open(path: string): StateStore {
    return new StateStore(openDatabase(path));
  }

  get path(): string {
    return this.db.filename;
  }

  /** The state of `serverUrl`; it records the URL, so a listing of the state folder can name each database. */
  static forServer(serverUrl: string): StateStore {
    const path = statePath(serverUrl);
    const store = StateStore.open(path);
    try {
      if (store.getMeta("url") !== serverUrl) store.setMeta("url", serverUrl);
    } catch (error) {
      // Opened, but a damaged page is met here: said as the open would say it.
      store.close();
      throw stateError(error, path);
    }
    return store;
  }

  close(): void {
    this.db.close();
  }

  /** Runs `check` at the start of every write transaction (the lock's "do I still hold it?"). */
  guardWrites(check: (() => void) | undefined): void {
    this.guard = check;
  }

  /** Runs the write guard without writing: throws LockLostError once another sync took the lock over. */
  checkGuard(): void {
    this.guard?.();
  }

  write<T>(fn: () => T): T {
    return this.db
      .transaction(() => {
        this.guard?.();
        return fn();
      })
      .immediate();
  }

  /**
   * What SQLite's quick check finds wrong with the file, one problem each (empty when it is sound). A row may
   * hold a hundred lines under a "*** in database main ***" heading: split, without the heading.
   */
  integrityProblems(): string[] {
    const rows = (this.db.query("PRAGMA quick_check").all() as Array<Record<string, string>>).map((row) => String(Object.values(row)[0]));
    if (rows.length === 1 && rows[0] === "ok") return [];
    return rows.flatMap((row) => row.split("\n")).filter((line) => line.trim() !== "" && !/^\*\*\* in database /.test(line));
  }

  /**
   * Gives the space payloads took back to the file system once they were
   * sent: the free pages (incremental vacuum), and the write-ahead log that
   * freeing them filled, emptied, so the next run does not read it again when
   * it opens the database. A run that freed nothing has nothing to give back.
   */
  releaseSpace(): void {
    const free = () => (this.db.query("PRAGMA freelist_count").get() as { freelist_count: number }).freelist_count;
    let left = free();
    if (left === 0) return;
    // A step at a time, each its own transaction, which SQLite checkpoints as it commits: in one step the log took
    // every page the vacuum moved (92 MB of log for 150 MB given back, first sync of a 256 MiB history).
    for (let before = Number.POSITIVE_INFINITY; left > 0 && left < before; before = left, left = free()) {
      this.db.run(`PRAGMA incremental_vacuum(${VACUUM_STEP_PAGES})`);
    }
    this.db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  private q(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.query(sql)));
    return s;
  }

  /** The `n` a `SELECT COUNT(*) AS n` query gives. */
  private count(sql: string, ...params: number[]): number {
    return (this.q(sql).get(...params) as { n: number }).n;
  }

  // ---- meta

  getMeta(key: string): string | undefined {
    return (this.q("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | null)?.value;
  }

  setMeta(key: string, value: string): void {
    this.q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  private deleteMeta(key: string): void {
    this.q("DELETE FROM meta WHERE key = ?").run(key);
  }

  /**
   * Whether the state has yet to read every transcript with the server's totals at hand: from its
   * creation (or a reset) until a sync that read everything settles it (`markSettled`).
   */
  isNew(): boolean {
    return this.getMeta(NEW_STATE) !== undefined;
  }

  markSettled(): void {
    this.deleteMeta(NEW_STATE);
  }

  /**
   * Whether a run wrote to the server and did not end cleanly (killed, stopped by a full disk,
   * interrupted, abandoned while a server hung): writes it sent may be applied with no record of it,
   * so the next sync checks them against the server first.
   */
  hasUnconfirmedWrites(): boolean {
    return this.getMeta(UNCONFIRMED_WRITES) !== undefined;
  }

  markUnconfirmedWrites(unconfirmed: boolean): void {
    if (unconfirmed) this.setMeta(UNCONFIRMED_WRITES, "1");
    else this.deleteMeta(UNCONFIRMED_WRITES);
  }

  /** Why the last run left work pending (a server down, a blocked item), for `status`; undefined clears it (no write when there is none). */
  recordPendingReason(reason: string | undefined, at = Date.now()): void {
    if (reason !== undefined) this.setMeta(PENDING_REASON, JSON.stringify({ reason, at }));
    else if (this.getMeta(PENDING_REASON) !== undefined) this.deleteMeta(PENDING_REASON);
  }

  /** Sessions waiting for a transcript their fork's copies name (ForkWait), by session id. */
  forkWaits(): Map<string, ForkWait> {
    const value = this.getMeta(FORK_WAITS);
    // Written by setForkWaits only.
    return new Map(value === undefined ? [] : (JSON.parse(value) as Array<[string, ForkWait]>));
  }

  setForkWaits(waits: ReadonlyMap<string, ForkWait>): void {
    if (waits.size > 0) this.setMeta(FORK_WAITS, JSON.stringify([...waits]));
    else if (this.getMeta(FORK_WAITS) !== undefined) this.deleteMeta(FORK_WAITS);
  }

  pendingReason(): { reason: string; at: number } | undefined {
    const value = this.getMeta(PENDING_REASON);
    // Written by recordPendingReason only, like every row the store reads back.
    return value === undefined ? undefined : (JSON.parse(value) as { reason: string; at: number });
  }

  /**
   * The latest server time the sender clamped a createdAt to (by its estimate of the server's clock,
   * which never runs ahead of it; -Infinity when none): later runs clamp no lower, so messages clamped
   * in one run stay after those clamped in the one before (unless our clock was changed since: sender.ts).
   */
  serverTimeUsed(): number {
    const value = this.getMeta(SERVER_TIME_USED);
    return value === undefined ? Number.NEGATIVE_INFINITY : Number(value);
  }

  recordServerTimeUsed(at: number): void {
    if (Number.isFinite(at) && at !== this.serverTimeUsed()) this.setMeta(SERVER_TIME_USED, String(at));
  }

  /** Forgets everything read and sent (another account): the next sync reads and sends it all again. */
  reset(): void {
    this.write(() => {
      for (const table of ["files", "sessions", "folds", "usage", "messages", "outbox", "unsure_writes"]) this.db.run(`DELETE FROM ${table}`);
      this.setMeta(NEW_STATE, "1");
    });
    this.sessionKeys.clear();
  }

  // ---- files

  /** The files read so far under a project folder, by path (a range of the path index). */
  filesIn(folder: string): Map<string, FileRecord> {
    const out = new Map<string, FileRecord>();
    // Every path that starts with "<folder>/" sorts after it and before "<folder>0" ('0' follows '/').
    for (const r of this.q("SELECT * FROM files WHERE path > ? AND path < ?").iterate(`${folder}/`, `${folder}0`) as IterableIterator<FileRow>) {
      out.set(r.path, fileRecord(r));
    }
    return out;
  }

  /** The recorded digest of each project folder all of whose files were read (see folderDigest); a change to a file's row drops its folder's. */
  folderDigests(): Map<string, string> {
    return new Map((this.q("SELECT path, digest FROM folders").all() as Array<{ path: string; digest: string }>).map((r) => [r.path, r.digest]));
  }

  setFolderDigest(folder: string, digest: string): void {
    this.q("INSERT INTO folders (path, digest) VALUES (?, ?) ON CONFLICT(path) DO UPDATE SET digest = excluded.digest").run(folder, digest);
  }

  /**
   * Records how far a file was read. Until a read reached its end the size is
   * stored as -1, so a run stopped between two commits resumes the file even
   * though it has not changed since.
   */
  putFile(f: { path: string; sessionId: string; identity: string; size: number; mtimeMs: number }, offset: number, complete: boolean, fingerprint: string | null): number {
    const row = this.q(
      `INSERT INTO files (path, session_id, identity, size, mtime_ms, offset, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET session_id = excluded.session_id, identity = excluded.identity, size = excluded.size,
         mtime_ms = excluded.mtime_ms, offset = excluded.offset, fingerprint = excluded.fingerprint
       RETURNING id`,
    ).get(f.path, f.sessionId, f.identity, complete ? f.size : -1, f.mtimeMs, offset, fingerprint) as { id: number };
    return row.id;
  }

  // ---- sessions

  /** The integer key of a session, creating its row on first sight. */
  sessionKey(sessionId: string): number {
    let key = this.sessionKeys.get(sessionId);
    if (key === undefined) {
      const row =
        (this.q("SELECT id FROM sessions WHERE session_id = ?").get(sessionId) as { id: number } | null) ??
        (this.q("INSERT INTO sessions (session_id) VALUES (?) RETURNING id").get(sessionId) as { id: number });
      key = row.id;
      this.sessionKeys.set(sessionId, key);
    }
    return key;
  }

  private existingSessionKey(sessionId: string): number | undefined {
    return this.sessionKeys.get(sessionId) ?? (this.q("SELECT id FROM sessions WHERE session_id = ?").get(sessionId) as { id: number } | null)?.id;
  }

  getFold(sessionId: string): FoldSnapshot | undefined {
    const key = this.existingSessionKey(sessionId);
    if (key === undefined) return undefined;
    const row = this.q("SELECT snapshot FROM folds WHERE session = ?").get(key) as { snapshot: string } | null;
    return row ? (JSON.parse(row.snapshot) as FoldSnapshot) : undefined;
  }

  putFold(sessionId: string, snapshot: FoldSnapshot): void {
    this.q("INSERT INTO folds (session, snapshot) VALUES (?, ?) ON CONFLICT(session) DO UPDATE SET snapshot = excluded.snapshot").run(
      this.sessionKey(sessionId),
      JSON.stringify(snapshot),
    );
  }

  /** The session as it should now be on the server; a change clears an earlier refusal. */
  putSessionPayload(
    sessionId: string,
    payload: string,
    hash: string,
    fields: { excluded: boolean; project?: string; createdAt?: number; lastAt?: number },
  ): void {
    this.q(
      `UPDATE sessions SET payload = ?, hash = ?, excluded = ?, project = ?, created_at = COALESCE(created_at, ?), last_at = ?,
         error = CASE WHEN hash IS ? THEN error ELSE NULL END, failed_at = CASE WHEN hash IS ? THEN failed_at ELSE NULL END
       WHERE id = ?`,
    ).run(payload, hash, fields.excluded ? 1 : 0, fields.project ?? null, fields.createdAt ?? null, fields.lastAt ?? null, hash, hash, this.sessionKey(sessionId));
  }

  /** Whether the session's fold keeps back a response still being written. */
  setHeld(sessionId: string, held: boolean): void {
    this.q("UPDATE sessions SET held = ? WHERE id = ?").run(held ? 1 : 0, this.sessionKey(sessionId));
  }

  /** Sessions whose fold keeps back a response still being written. */
  heldSessions(): string[] {
    return (this.q("SELECT session_id FROM sessions WHERE held = 1").all() as Array<{ session_id: string }>).map((r) => r.session_id);
  }

  /** Sessions kept out by `excludeProjects`, with their project: the scan reads them again once they are no longer excluded. */
  excludedSessions(): Array<{ sessionId: string; project: string | null }> {
    return (this.q("SELECT session_id, project FROM sessions WHERE excluded = 1").all() as Array<{ session_id: string; project: string | null }>).map(
      (r) => ({ sessionId: r.session_id, project: r.project }),
    );
  }

  /**
   * Makes the next scan read a session from the start: its files' offsets and
   * fold are dropped. Its messages keep their hashes, so only what changed (or
   * what the server was found to lack) is sent again.
   */
  rereadSession(sessionId: string): void {
    const key = this.existingSessionKey(sessionId);
    this.q("DELETE FROM files WHERE session_id = ?").run(sessionId);
    if (key !== undefined) this.q("DELETE FROM folds WHERE session = ?").run(key);
  }

  /** Sessions whose payload the server acknowledged (a sample, for the account check). */
  sentSessionIds(limit = Number.MAX_SAFE_INTEGER): string[] {
    return (this.q("SELECT session_id FROM sessions WHERE sent_hash IS NOT NULL LIMIT ?").all(limit) as Array<{ session_id: string }>).map((r) => r.session_id);
  }

  /**
   * The server no longer has this session (deleted in the dashboard, data
   * lost): it and all its messages count as never sent, and it is read again.
   * The messages go under new ids (`<id>~<rekey>`): after OpenSync's "delete
   * all data" their old rows live on, orphaned, and a re-send under the same
   * id would update those, out of sight.
   */
  forgetSentSession(sessionId: string, rekey: string): void {
    const key = this.existingSessionKey(sessionId);
    if (key === undefined) return;
    this.q("UPDATE sessions SET sent_hash = NULL, sent_key = NULL, server_id = NULL, written_at = NULL WHERE id = ?").run(key);
    this.q("UPDATE messages SET sent_hash = NULL, alias = external_id || ? WHERE external_id >= ? AND external_id < ?").run(`~${rekey}`, ...idRange(sessionId));
    this.rereadSession(sessionId);
  }

  /** These messages are not on the server any more (found by comparing with its copy): sent again, under new ids (see forgetSentSession). */
  forgetSentMessages(externalIds: Iterable<string>, rekey: string): void {
    const forget = this.q("UPDATE messages SET sent_hash = NULL, alias = external_id || ? WHERE external_id = ?");
    for (const id of externalIds) forget.run(`~${rekey}`, id);
  }

  /** Ids of a session's messages the server acknowledged, with the id it knows each by. */
  sentMessages(sessionId: string): Array<{ externalId: string; alias: string | null }> {
    return (
      this.q("SELECT external_id, alias FROM messages WHERE external_id >= ? AND external_id < ? AND sent_hash IS NOT NULL").all(
        ...idRange(sessionId),
      ) as Array<{ external_id: string; alias: string | null }>
    ).map((r) => ({ externalId: r.external_id, alias: r.alias }));
  }

  messageCount(sessionId: string): number {
    return (this.q("SELECT COUNT(*) AS n FROM messages WHERE external_id >= ? AND external_id < ?").get(...idRange(sessionId)) as { n: number }).n;
  }

  /**
   * Sessions with something to send, newest first (the dashboard shows this
   * week before last year): a payload the server does not have, or messages
   * in the outbox. Refused items wait until they change, until a day has
   * passed (`retryFailedBefore`), or until asked for (`retryFailedBefore` = now);
   * so do the messages of a session refused before the server had it.
   * The planner, not knowing how few sessions are unsent, would scan the whole
   * table: the partial index is named, so a sync with nothing new reads a few pages.
   * Sessions named by `only` (the sender takes up one at a time; a hook's pass
   * names its own) are looked up by id, their outbox by its index: listing every
   * session with work reads the whole outbox, 0.3 s a call with 110k messages
   * in it, which the sender paid for each of a first sync's thousands of sessions.
   */
  sessionsWithWork(options: { only?: ReadonlySet<string>; retryFailedBefore: number }): SessionWork[] {
    const rows = (
      options.only
        ? this.q(NAMED_SESSIONS_WITH_WORK).all(options.retryFailedBefore, JSON.stringify([...options.only]))
        : this.q(SESSIONS_WITH_WORK).all(options.retryFailedBefore)
    ) as Array<SessionRow & { lands_by: number | null }>;
    return rows.map((r) => ({ ...sessionWork(r), writtenAt: r.lands_by === null ? r.written_at : Math.max(r.written_at ?? 0, r.lands_by) }));
  }

  /** The bytes of a session's payloads waiting in the outbox. */
  outboxBytes(sessionKey: number): number {
    return (this.q("SELECT COALESCE(SUM(length(CAST(payload AS BLOB))), 0) AS n FROM outbox WHERE session = ?").get(sessionKey) as { n: number }).n;
  }

  /** One session's outbox in sending order (time, then transcript order), a page at a time. */
  *outbox(sessionKey: number, retryFailedBefore: number): Generator<OutboxMessage> {
    const page = this.q(
      `SELECT o.external_id, o.created_at AS order_at, m.created_at, o.ord, o.payload, m.hash, m.sent_hash, m.alias, m.error, m.failed_at
       FROM outbox o CROSS JOIN messages m ON m.external_id = o.external_id
       WHERE o.session = ?1 AND (o.created_at, o.ord, o.external_id) > (?2, ?3, ?4) AND (m.error IS NULL OR m.failed_at < ?5)
       ORDER BY o.created_at, o.ord, o.external_id LIMIT ${OUTBOX_PAGE}`,
    );
    let after: [number, number, string] = [Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, ""];
    for (;;) {
      const rows = page.all(sessionKey, after[0], after[1], after[2], retryFailedBefore) as OutboxRow[];
      for (const r of rows) {
        after = [r.order_at, r.ord, r.external_id];
        yield {
          externalId: r.external_id,
          alias: r.alias,
          createdAt: r.created_at,
          ord: r.ord,
          hash: r.hash,
          sentHash: r.sent_hash,
          payload: r.payload,
          error: r.error,
          failedAt: r.failed_at,
        };
      }
      if (rows.length < OUTBOX_PAGE) return;
    }
  }

  markSessionSent(key: number, sent: { hash: string; windowKey: string; at: number; serverId?: string; createdAt?: number }): void {
    this.q(
      `UPDATE sessions SET sent_hash = ?, sent_key = ?, written_at = ?, server_id = COALESCE(?, server_id),
         created_at = COALESCE(?, created_at), error = NULL, failed_at = NULL WHERE id = ?`,
    ).run(sent.hash, sent.windowKey, sent.at, sent.serverId ?? null, sent.createdAt ?? null, key);
  }

  /** The id the server knows the session by, once what it lost when it made the session anew is marked to go again (reconcile.ts). */
  setServerId(sessionId: string, serverId: string): void {
    this.q("UPDATE sessions SET server_id = ? WHERE session_id = ?").run(serverId, sessionId);
  }

  /** Whether the session was written to the server. */
  sentToServer(sessionId: string): boolean {
    return this.q("SELECT 1 FROM sessions WHERE session_id = ? AND sent_hash IS NOT NULL").get(sessionId) !== null;
  }

  markWritten(key: number, at: number): void {
    this.q("UPDATE sessions SET written_at = ? WHERE id = ?").run(at, key);
  }

  markSessionFailed(key: number, error: string, at: number): void {
    this.q("UPDATE sessions SET error = ?, failed_at = ? WHERE id = ?").run(error, at, key);
  }

  markLegacyChecked(key: number): void {
    this.q("UPDATE sessions SET legacy_checked = 1 WHERE id = ?").run(key);
  }

  /**
   * Acknowledged: the server has this content. Only if the message did not
   * change meanwhile (a newer payload stays in the outbox). `createdAt` is the
   * time the server stored (clamped to the send time): the re-send window is
   * measured from it.
   */
  markMessageSent(externalId: string, hash: string, createdAt: number): void {
    const changed = this.q(
      "UPDATE messages SET sent_hash = hash, created_at = MIN(created_at, ?), error = NULL, failed_at = NULL WHERE external_id = ? AND hash = ?",
    ).run(createdAt, externalId, hash).changes;
    if (changed) this.q("DELETE FROM outbox WHERE external_id = ?").run(externalId);
  }

  markMessageFailed(externalId: string, error: string, at: number): void {
    this.q("UPDATE messages SET error = ?, failed_at = ? WHERE external_id = ?").run(error, at, externalId);
  }

  /**
   * The server already has this message under the id claude-code-sync 0.1.x
   * gave it, stored at `createdAt`: ours updates it in place (so it counts as
   * on the server, and its re-send window runs from that time).
   */
  setAlias(externalId: string, alias: string, createdAt: number): void {
    this.q("UPDATE messages SET alias = ?, created_at = ?, sent_hash = COALESCE(sent_hash, ?) WHERE external_id = ?").run(alias, createdAt, LEGACY_COPY, externalId);
  }

  /** `sync --retry-failed`: every refused item is tried again now. */
  clearFailures(): number {
    const a = this.q("UPDATE sessions SET error = NULL, failed_at = NULL WHERE error IS NOT NULL").run().changes;
    const b = this.q("UPDATE messages SET error = NULL, failed_at = NULL WHERE error IS NOT NULL").run().changes;
    return a + b;
  }

  // ---- writes given up on

  /**
   * A write of this session's record (`item` '') or of one of its messages (`item`: its id) was given up on
   * with its outcome unknown: the server may apply it until `until`, after a newer write of the same item.
   */
  markUnsure(sessionKey: number, w: { item: string; hash: string; windowKey?: string; until: number }): void {
    this.q(`INSERT INTO unsure_writes (session, item, hash, window_key, until) VALUES (?, ?, ?, ?, ?) ${UNSURE_AGAIN}`).run(
      sessionKey,
      w.item,
      w.hash,
      w.windowKey ?? null,
      w.until,
    );
  }

  /**
   * A run that did not end cleanly (killed, stopped by a full disk) may have had writes on their way,
   * unanswered and unrecorded: each item still pending counts as a write given up on until `until`. What
   * a message's write carried is its pending payload (nothing changed the state since); a record's may be
   * an earlier read's or the provisional one, so its hash is '', which matches none: it goes again once.
   */
  markPendingUnsure(until: number): void {
    this.q(
      `INSERT INTO unsure_writes (session, item, hash, until)
       SELECT id, '', '', ?1 FROM sessions INDEXED BY sessions_unsent WHERE hash IS NOT sent_hash AND payload IS NOT NULL ${UNSURE_AGAIN}`,
    ).run(until);
    this.q(
      `INSERT INTO unsure_writes (session, item, hash, until)
       SELECT o.session, o.external_id, m.hash, ?1 FROM outbox o CROSS JOIN messages m ON m.external_id = o.external_id WHERE true ${UNSURE_AGAIN}`,
    ).run(until);
  }

  /**
   * Sessions with writes given up on not yet over, and when the last of them is (the table is empty unless a
   * write was given up on). Those only checked again once over (`rechecks`) are not among them.
   */
  unsureSessions(only?: ReadonlySet<string>): Array<{ sessionId: string; readyAt: number }> {
    const rows = this.q(
      "SELECT s.session_id, MAX(u.until) AS ready_at FROM unsure_writes u JOIN sessions s ON s.id = u.session WHERE u.rechecks = 0 GROUP BY u.session",
    ).all() as Array<{ session_id: string; ready_at: number }>;
    return rows.filter((r) => !only || only.has(r.session_id)).map((r) => ({ sessionId: r.session_id, readyAt: r.ready_at }));
  }

  /** Sessions whose writes given up on are over and checked again from time to time, and when each is next. */
  rechecked(only?: ReadonlySet<string>): Array<{ sessionId: string; nextAt: number }> {
    const rows = this.q(
      "SELECT s.session_id, MIN(u.until) AS next_at FROM unsure_writes u JOIN sessions s ON s.id = u.session WHERE u.rechecks > 0 GROUP BY u.session",
    ).all() as Array<{ session_id: string; next_at: number }>;
    return rows.filter((r) => !only || only.has(r.session_id)).map((r) => ({ sessionId: r.session_id, nextAt: r.next_at }));
  }

  /**
   * The writes of a session given up on are over (`unsureSessions`' time has passed): each item that the
   * server may hold an older copy of than the one last acknowledged goes again. The record is due again,
   * behind the window the late write may have opened; a message is read again from its transcript (its
   * payload left the outbox when acknowledged). An item still pending goes anyway. Each is then checked
   * again at `recheckAt` (recheckUnsure). Returns whether the session is to be read again (the caller's
   * scan then sends those messages).
   */
  settleUnsure(sessionId: string, recheckAt: number): boolean {
    const key = this.existingSessionKey(sessionId);
    if (key === undefined) return false;
    const marks = this.unsureMarks(key).filter((m) => m.rechecks === 0);
    const record = marks.filter((m) => m.item === "");
    const session = this.q("SELECT hash, sent_hash, sent_key FROM sessions WHERE id = ?").get(key) as { hash: string | null; sent_hash: string | null; sent_key: string | null };
    const stale = record.filter((m) => m.hash !== session.sent_hash);
    // The server's 10 s window runs from a late write's landing, the record's or a message's (which writes the
    // session too), at `until` at the latest.
    if (marks.length > 0) this.q("UPDATE sessions SET written_at = MAX(COALESCE(written_at, 0), ?) WHERE id = ?").run(Math.max(...marks.map((m) => m.until)), key);
    if (session.sent_hash !== null && record.length > 0) {
      // It holds the copy acknowledged or one a late write carried (landed before or after it): an update waits
      // the window out if any of them has its key.
      this.q("UPDATE sessions SET sent_hash = CASE WHEN ?1 AND sent_hash = hash THEN ?2 ELSE sent_hash END, sent_key = ?3 WHERE id = ?4").run(
        stale.length > 0,
        UNKNOWN_COPY,
        withKeys(session.sent_key, stale.map((m) => m.window_key)),
        key,
      );
    }
    this.q("UPDATE unsure_writes SET rechecks = 1, until = ? WHERE session = ? AND rechecks = 0").run(recheckAt, key);
    return this.messagesDueAgain(sessionId, marks);
  }

  /**
   * What checking a session again compares the server's copy with: its record as acknowledged, when a write
   * given up on carried another (undefined: none did, or a newer one is pending and goes anyway).
   */
  recheckedRecord(sessionId: string): { serverId: string; payload: string } | undefined {
    const key = this.existingSessionKey(sessionId);
    if (key === undefined) return undefined;
    const row = this.q(
      `SELECT s.server_id, s.payload FROM sessions s WHERE s.id = ?1 AND s.hash = s.sent_hash AND s.server_id IS NOT NULL AND s.payload IS NOT NULL
         AND EXISTS (SELECT 1 FROM unsure_writes u WHERE u.session = ?1 AND u.item = '' AND u.rechecks > 0 AND u.hash IS NOT s.sent_hash)`,
    ).get(key) as { server_id: string; payload: string } | null;
    return row ? { serverId: row.server_id, payload: row.payload } : undefined;
  }

  /**
   * A session's writes given up on, checked again: a late one may have landed since. The record is due again
   * when the server's copy was found to differ (`recordLandedAt`: when the server last wrote it, where its
   * 10 s window runs from); a message is read again as settleUnsure does (the sender compares it with the
   * server's copy before it goes). Each is next checked at `nextAt(rechecks done)`. Returns whether the
   * session is to be read again.
   */
  recheckUnsure(sessionId: string, recordLandedAt: number | undefined, nextAt: (rechecks: number) => number): boolean {
    const key = this.existingSessionKey(sessionId);
    if (key === undefined) return false;
    const marks = this.unsureMarks(key).filter((m) => m.rechecks > 0);
    if (recordLandedAt !== undefined) {
      this.q("UPDATE sessions SET sent_hash = ?1, written_at = MAX(COALESCE(written_at, 0), ?2) WHERE id = ?3 AND sent_hash = hash").run(UNKNOWN_COPY, recordLandedAt, key);
    }
    const next = this.q("UPDATE unsure_writes SET rechecks = rechecks + 1, until = ?1 WHERE session = ?2 AND item = ?3 AND hash = ?4");
    for (const m of marks) next.run(nextAt(m.rechecks), key, m.item, m.hash);
    return this.messagesDueAgain(sessionId, marks);
  }

  /** A session's checks the server could not answer: due again at `at`, not at once (a pass scheduled for them would ask again in a loop). */
  postponeRechecks(sessionId: string, at: number): void {
    const key = this.existingSessionKey(sessionId);
    if (key !== undefined) this.q("UPDATE unsure_writes SET until = MAX(until, ?1) WHERE session = ?2 AND rechecks > 0").run(at, key);
  }

  /**
   * Writes given up on checked again more than `rechecks` times are forgotten. Not by the run of their last
   * check: what it read again is compared with the server's copy before it goes (hasUnsureCopies) in that run.
   */
  dropRechecked(rechecks: number): void {
    this.q("DELETE FROM unsure_writes WHERE rechecks > ?").run(rechecks);
  }

  private unsureMarks(key: number): UnsureRow[] {
    return this.q("SELECT item, hash, window_key, until, rechecks FROM unsure_writes WHERE session = ? ORDER BY until").all(key) as UnsureRow[];
  }

  /** Messages acknowledged as another copy than a write given up on carried: marked as on the server in a copy unknown, their session read again. */
  private messagesDueAgain(sessionId: string, marks: UnsureRow[]): boolean {
    let reread = false;
    const again = this.q("UPDATE messages SET sent_hash = ?1 WHERE external_id = ?2 AND sent_hash = hash AND sent_hash IS NOT ?3");
    for (const m of marks) if (m.item !== "") reread = again.run(UNKNOWN_COPY, m.item, m.hash).changes > 0 || reread;
    if (reread) this.rereadSession(sessionId);
    return reread;
  }

  /**
   * Whether a message of this session waits to go though the server may hold that very copy: one a write given
   * up on may have left there (settleUnsure's UNKNOWN_COPY), or one whose own write was given up on. Sent again,
   * its text would be appended to the session's search text a second time: the server's copy is compared first.
   */
  hasUnsureCopies(sessionKey: number): boolean {
    // First the session's writes given up on (none, as a rule): then nothing else is read.
    if (this.q("SELECT 1 FROM unsure_writes WHERE session = ? LIMIT 1").get(sessionKey) === null) return false;
    return (
      this.q(
        `SELECT 1 FROM outbox o CROSS JOIN messages m ON m.external_id = o.external_id WHERE o.session = ?1 AND (m.sent_hash = ?2
           OR EXISTS (SELECT 1 FROM unsure_writes u WHERE u.session = ?1 AND u.item = o.external_id AND u.hash = m.hash)) LIMIT 1`,
      ).get(sessionKey, UNKNOWN_COPY) !== null
    );
  }

  // ---- messages

  /**
   * Records a message as it should be on the server. Unchanged since the
   * server acknowledged it: nothing to send. New or changed: its payload
   * waits in the outbox. The stored time of a message the server has is kept
   * (the server never changes it after insert). Returns whether the payload
   * went to the outbox.
   */
  putMessage(m: MessageRecord): boolean {
    const key = this.sessionKey(m.sessionId);
    const row = this.q(
      `INSERT INTO messages (external_id, session, created_at, ord, hash) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT(external_id) DO UPDATE SET
         created_at = CASE WHEN messages.sent_hash IS NULL THEN excluded.created_at ELSE messages.created_at END,
         ord = excluded.ord,
         error = CASE WHEN messages.hash = excluded.hash THEN messages.error ELSE NULL END,
         failed_at = CASE WHEN messages.hash = excluded.hash THEN messages.failed_at ELSE NULL END,
         hash = excluded.hash
       RETURNING created_at, sent_hash`,
    ).get(m.externalId, key, m.createdAt, m.ord, m.hash) as { created_at: number; sent_hash: string | null };
    if (row.sent_hash === m.hash) {
      this.q("DELETE FROM outbox WHERE external_id = ?").run(m.externalId);
      return false;
    }
    this.q(
      `INSERT INTO outbox (external_id, session, created_at, ord, payload) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(external_id) DO UPDATE SET created_at = excluded.created_at, ord = excluded.ord, payload = excluded.payload`,
    ).run(m.externalId, key, row.created_at, m.ord, m.payload);
    return true;
  }

  // ---- usage (the persistent side of the usage ledger)

  /** The kept copy of a response, with the path of the file it was read from. */
  getUsage(key: bigint): UsageRecord | undefined {
    const row = this.q(
      `SELECT u.*, s.session_id, m.name AS model_name, f.path AS file_path FROM usage u
       JOIN sessions s ON s.id = u.session JOIN models m ON m.id = u.model LEFT JOIN files f ON f.id = u.file WHERE u.key = ?`,
    ).get(key) as UsageRow | null;
    return row ? usageRecord(row) : undefined;
  }

  putUsage(key: bigint, record: UsageRecord, file: number | null): void {
    const t = record.tokens;
    // The models its iterations name (an advisor's, a declined attempt's) are priced too: listed with the others (modelNames).
    for (const it of record.iterations ?? []) if (it.model) this.modelId(it.model);
    this.q(
      `INSERT INTO usage (key, session, file, model, sidechain, copy, at, speed, geo, input, output, cw5, cw1h, cr, iterations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET session = excluded.session, file = excluded.file, model = excluded.model, sidechain = excluded.sidechain, copy = excluded.copy,
         at = excluded.at, speed = excluded.speed, geo = excluded.geo, input = excluded.input, output = excluded.output,
         cw5 = excluded.cw5, cw1h = excluded.cw1h, cr = excluded.cr, iterations = excluded.iterations`,
    ).run(
      key,
      this.sessionKey(record.sessionId),
      file,
      this.modelId(record.model),
      record.sidechain ? 1 : 0,
      record.copy ? 1 : 0,
      record.at ?? null,
      record.speed ?? null,
      record.inferenceGeo ?? null,
      t.input,
      t.output,
      t.cacheWrite5m,
      t.cacheWrite1h,
      t.cacheRead,
      record.iterations ? JSON.stringify(record.iterations) : null,
    );
  }

  sessionUsage(sessionId: string): UsageRecord[] {
    const key = this.existingSessionKey(sessionId);
    if (key === undefined) return [];
    const rows = this.q(
      "SELECT u.*, ?2 AS session_id, m.name AS model_name, NULL AS file_path FROM usage u JOIN models m ON m.id = u.model WHERE u.session = ?1",
    ).all(key, sessionId) as UsageRow[];
    return rows.map(usageRecord);
  }

  /** Whether the state has read any transcript. */
  hasReadFiles(): boolean {
    return this.q("SELECT 1 FROM files LIMIT 1").get() !== null;
  }

  /** The id of a transcript the state has read, by its path. */
  fileId(path: string): number | null {
    return (this.q("SELECT id FROM files WHERE path = ?").get(path) as { id: number } | null)?.id ?? null;
  }

  /** Forgets the usage counted for a session (it is read again from scratch); returns it, for its totals to be refreshed. */
  dropSessionUsage(sessionId: string): string[] {
    const key = this.existingSessionKey(sessionId);
    if (key === undefined) return [];
    this.q("DELETE FROM usage WHERE session = ?").run(key);
    return [sessionId];
  }

  /** Every model name responses and their iterations were read with (the models table is small: a handful per user). */
  modelNames(): string[] {
    return (this.q("SELECT name FROM models").all() as Array<{ name: string }>).map((r) => r.name);
  }

  /** Sessions with responses of these models, or iterations of them (to price them again when a price changed: rare, so the usage rows are read whole). */
  sessionsUsingModels(models: readonly string[]): string[] {
    if (models.length === 0) return [];
    const rows = this.q(
      `SELECT s.session_id FROM usage u JOIN models m ON m.id = u.model JOIN sessions s ON s.id = u.session
       WHERE m.name IN (SELECT value FROM json_each(?1))
       UNION
       SELECT s.session_id FROM usage u, json_each(u.iterations) i JOIN sessions s ON s.id = u.session
       WHERE u.iterations IS NOT NULL AND json_extract(i.value, '$.model') IN (SELECT value FROM json_each(?1))`,
    ).all(JSON.stringify(models)) as Array<{ session_id: string }>;
    return rows.map((r) => r.session_id);
  }

  private modelId(name: string): number {
    let id = this.modelIds.get(name);
    if (id === undefined) {
      const row =
        (this.q("SELECT id FROM models WHERE name = ?").get(name) as { id: number } | null) ??
        (this.q("INSERT INTO models (name) VALUES (?) RETURNING id").get(name) as { id: number });
      id = row.id;
      this.modelIds.set(name, id);
    }
    return id;
  }

  // ---- counts (from partial indexes: what is pending or failed, never whole tables)

  /**
   * Only what is pending: a sync's summary. Reads no more at any history size
   * (counts() also counts the sessions synced, an index as long as the history).
   */
  pending(options?: { retryFailedBefore: number }): PendingCounts {
    const retryFailedBefore = options?.retryFailedBefore ?? Date.now() - FAILED_RETRY_MS;
    return {
      sessionsPending: this.sessionsWithWork({ retryFailedBefore }).length,
      messagesPending: this.count(
        `SELECT COUNT(*) AS n FROM outbox o CROSS JOIN messages m ON m.external_id = o.external_id JOIN sessions s ON s.id = o.session
         WHERE (m.error IS NULL OR m.failed_at < ?1) AND s.payload IS NOT NULL AND ${SENDABLE_SESSION}`,
        retryFailedBefore,
      ),
    };
  }

  /** Sessions whose last response was still being written when last read (the held index: cheap at any size). */
  beingWrittenCount(): number {
    return this.count("SELECT COUNT(*) AS n FROM sessions WHERE held = 1");
  }

  /** Items the server refused, waiting for a change, a day, or `--retry-failed` (partial indexes: cheap at any size). */
  refusedCount(): number {
    return this.count("SELECT COUNT(*) AS n FROM sessions WHERE error IS NOT NULL") + this.count("SELECT COUNT(*) AS n FROM messages WHERE error IS NOT NULL");
  }

  /** Everything `status` and `verify` show. */
  counts(options?: { retryFailedBefore: number }): StateCounts {
    const failed = this.q(
      `SELECT session_id AS id, error, failed_at AS at FROM sessions WHERE error IS NOT NULL
       UNION ALL SELECT external_id AS id, error, failed_at AS at FROM messages WHERE error IS NOT NULL ORDER BY at DESC LIMIT 50`,
    ).all() as Failure[];
    const last = this.getMeta("last_sync");
    return {
      sessionsSynced: this.count("SELECT COUNT(*) AS n FROM sessions WHERE sent_hash IS NOT NULL"),
      ...this.pending(options),
      failed,
      failedCount: this.refusedCount(),
      ...(last ? { lastSync: Number(last) } : {}),
    };
  }
}

/**
 * A session (`s`) whose messages may go: the server has it, or it was not
 * refused since ?1. Those of a session refused before the server had it wait
 * with it (sent, they would make the server create it with the wrong start).
 */
const SENDABLE_SESSION = "(s.sent_hash IS NOT NULL OR s.error IS NULL OR s.failed_at < ?1)";

/** A session with work (sessionsWithWork): a write given up on may still land, until its `until`: the server's window may run from then. */
const WORK_COLUMNS = "s.*, (SELECT MAX(u.until) FROM unsure_writes u WHERE u.session = s.id AND u.rechecks = 0) AS lands_by";
const SENDABLE_WORK = `s.excluded = 0 AND s.payload IS NOT NULL AND ${SENDABLE_SESSION} ORDER BY COALESCE(s.last_at, s.created_at, 0) DESC`;
/** Session `t`'s own payload is due. */
const sessionDue = (t: string) => `${t}.hash IS NOT ${t}.sent_hash AND (${t}.error IS NULL OR ${t}.failed_at < ?1)`;
/** An outbox row whose message may go. */
const MESSAGE_DUE = "m.error IS NULL OR m.failed_at < ?1";
const SESSIONS_WITH_WORK = `SELECT ${WORK_COLUMNS} FROM sessions s WHERE s.id IN (
    SELECT d.id FROM sessions d INDEXED BY sessions_unsent WHERE ${sessionDue("d")}
    UNION SELECT o.session FROM outbox o CROSS JOIN messages m ON m.external_id = o.external_id WHERE ${MESSAGE_DUE})
  AND ${SENDABLE_WORK}`;
/** The same for the sessions whose ids ?2 lists (JSON). */
const NAMED_SESSIONS_WITH_WORK = `SELECT ${WORK_COLUMNS} FROM sessions s WHERE s.session_id IN (SELECT value FROM json_each(?2))
  AND ((${sessionDue("s")}) OR EXISTS (
    SELECT 1 FROM outbox o CROSS JOIN messages m ON m.external_id = o.external_id WHERE o.session = s.id AND (${MESSAGE_DUE})))
  AND ${SENDABLE_WORK}`;

/** The sent hash of a message the server has from claude-code-sync 0.1.x: on the server, but not our content. */
const LEGACY_COPY = "0.1.x";

/** The sent hash of an item the server has, maybe as a write given up on left it (settleUnsure): on the server, content unknown. */
const UNKNOWN_COPY = "unknown";

/** A refused item is tried again once this long has passed (or when it changes, or with --retry-failed). */
export const FAILED_RETRY_MS = 24 * 60 * 60 * 1000;

/** The key range of one session's messages: their ids are `<sessionId>:<...>`. */
function idRange(sessionId: string): [string, string] {
  return [`${sessionId}:`, `${sessionId};`];
}

interface FileRow {
  id: number;
  path: string;
  session_id: string;
  identity: string;
  size: number;
  mtime_ms: number;
  offset: number;
  fingerprint: string | null;
}

function fileRecord(r: FileRow): FileRecord {
  return { id: r.id, path: r.path, sessionId: r.session_id, identity: r.identity, size: r.size, mtimeMs: r.mtime_ms, offset: r.offset, fingerprint: r.fingerprint };
}

interface SessionRow {
  id: number;
  session_id: string;
  payload: string | null;
  hash: string | null;
  sent_hash: string | null;
  sent_key: string | null;
  created_at: number | null;
  last_at: number | null;
  written_at: number | null;
  server_id: string | null;
  legacy_checked: number;
  error: string | null;
  failed_at: number | null;
}

function sessionWork(r: SessionRow): SessionWork {
  return {
    key: r.id,
    sessionId: r.session_id,
    payload: r.payload,
    hash: r.hash,
    sentHash: r.sent_hash,
    sentKey: r.sent_key,
    createdAt: r.created_at,
    lastAt: r.last_at,
    writtenAt: r.written_at,
    serverId: r.server_id,
    legacyChecked: r.legacy_checked === 1,
    error: r.error,
    failedAt: r.failed_at,
  };
}

interface UnsureRow {
  item: string;
  hash: string;
  window_key: string | null;
  until: number;
  rechecks: number;
}

/** A write given up on again: over at the later of the two times, and not yet over if it was being checked again. */
const UNSURE_AGAIN = "ON CONFLICT(session, item, hash) DO UPDATE SET until = CASE WHEN rechecks > 0 THEN excluded.until ELSE MAX(until, excluded.until) END, rechecks = 0";

interface OutboxRow {
  order_at: number;
  external_id: string;
  created_at: number;
  ord: number;
  payload: string;
  hash: string;
  sent_hash: string | null;
  alias: string | null;
  error: string | null;
  failed_at: number | null;
}

interface UsageRow {
  session_id: string;
  file_path: string | null;
  model_name: string;
  sidechain: number;
  copy: number;
  at: number | null;
  speed: string | null;
  geo: string | null;
  input: number;
  output: number;
  cw5: number;
  cw1h: number;
  cr: number;
  iterations: string | null;
}

function usageRecord(row: UsageRow): UsageRecord {
  return {
    key: null,
    sessionId: row.session_id,
    model: row.model_name,
    sidechain: row.sidechain === 1,
    ...(row.copy === 1 ? { copy: true } : {}),
    tokens: { input: row.input, output: row.output, cacheWrite5m: row.cw5, cacheWrite1h: row.cw1h, cacheRead: row.cr },
    ...(row.at === null ? {} : { at: row.at }),
    ...(row.speed === null ? {} : { speed: row.speed }),
    ...(row.geo === null ? {} : { inferenceGeo: row.geo }),
    ...(row.iterations === null ? {} : { iterations: JSON.parse(row.iterations) as UsageRecord["iterations"] }),
    ...(row.file_path === null ? {} : { file: row.file_path }),
  };
}
