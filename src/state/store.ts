import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { TranscriptFile } from "../discover/files.ts";
import type { FoldSnapshot } from "../fold/session-fold.ts";
import { type SessionUsage, addRecord, emptySessionUsage } from "../fold/summarize.ts";
import type { UsageRecord } from "../fold/usage-ledger.ts";
import { appDir } from "../paths.ts";
import { openDatabase } from "./db.ts";

/** One database per server URL, so logging in elsewhere starts from nothing. */
export function statePath(serverUrl: string): string {
  const id = createHash("sha256").update(serverUrl).digest("hex").slice(0, 16);
  return join(appDir(), "state", `${id}.db`);
}

export interface FileRow {
  path: string;
  session_id: string;
  identity: string;
  size: number;
  mtime_ms: number;
  offset: number;
}

export interface SessionRow {
  session_id: string;
  fold: string | null;
  payload: string | null;
  sent_payload: string | null;
  sent_at: number | null;
  error: string | null;
  excluded: number;
  redactions: number;
  project: string | null;
  created_at: number | null;
  /** When we last wrote anything of this session to the server (its 10 s window runs from there). */
  written_at: number | null;
}

export interface PendingMessage {
  external_id: string;
  hash: string;
  payload: string;
  sent_hash: string | null;
  created_at: number;
}

export interface StateCounts {
  sessionsSynced: number;
  sessionsPending: number;
  messagesPending: number;
  failed: Array<{ id: string; error: string }>;
  lastSync?: number;
}

type Row = Record<string, string | number | null>;

/** Outbox rows read at once when sending. */
const OUTBOX_PAGE = 500;

/** Typed access to the state database; every method is one statement or one small transaction. */
export class StateStore {
  constructor(readonly db: Database) {}

  static open(path: string): StateStore {
    return new StateStore(openDatabase(path));
  }

  /** The state of `serverUrl`; it records the URL, so a listing of the state folder can name each database. */
  static forServer(serverUrl: string): StateStore {
    const store = StateStore.open(statePath(serverUrl));
    if (store.getMeta("url") !== serverUrl) store.setMeta("url", serverUrl);
    return store;
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getMeta(key: string): string | undefined {
    return (this.db.query("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | null)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  /** Forgets what the server has (another account): everything is read and sent again. */
  reset(): void {
    this.transaction(() => {
      for (const table of ["files", "sessions", "usage", "messages", "requests"]) this.db.run(`DELETE FROM ${table}`);
    });
  }

  // ---- files

  getFile(path: string): FileRow | undefined {
    return (this.db.query("SELECT * FROM files WHERE path = ?").get(path) as FileRow | null) ?? undefined;
  }

  /**
   * Records how far a file was read. Until the read reached its end, the size
   * is stored as -1, so a run stopped between two commits resumes the file
   * even though it has not changed since.
   */
  putFile(file: TranscriptFile, offset: number, complete: boolean): void {
    this.db
      .query(
        `INSERT INTO files (path, session_id, identity, size, mtime_ms, offset) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(path) DO UPDATE SET session_id = excluded.session_id, identity = excluded.identity,
           size = excluded.size, mtime_ms = excluded.mtime_ms, offset = excluded.offset`,
      )
      .run(file.path, file.sessionId, file.identity, complete ? file.size : -1, file.mtimeMs, offset);
  }

  // ---- sessions

  getSession(sessionId: string): SessionRow | undefined {
    return (this.db.query("SELECT * FROM sessions WHERE session_id = ?").get(sessionId) as SessionRow | null) ?? undefined;
  }

  putFold(sessionId: string, snapshot: FoldSnapshot | null): void {
    this.db
      .query("INSERT INTO sessions (session_id, fold) VALUES (?, ?) ON CONFLICT(session_id) DO UPDATE SET fold = excluded.fold")
      .run(sessionId, snapshot ? JSON.stringify(snapshot) : null);
  }

  /** The session as it should be on the server; a change clears an old failure. */
  putPayload(sessionId: string, payload: string, fields: { excluded: boolean; project?: string; createdAt?: number }): void {
    this.db
      .query(
        `INSERT INTO sessions (session_id, payload, excluded, project, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(session_id) DO UPDATE SET
           error = CASE WHEN sessions.payload IS excluded.payload THEN sessions.error ELSE NULL END,
           payload = excluded.payload, excluded = excluded.excluded, project = excluded.project, created_at = excluded.created_at`,
      )
      .run(sessionId, payload, fields.excluded ? 1 : 0, fields.project ?? null, fields.createdAt ?? null);
  }

  markSessionSent(sessionId: string, payload: string, at: number): void {
    this.db
      .query("UPDATE sessions SET sent_payload = ?, sent_at = ?, written_at = ?, error = NULL WHERE session_id = ?")
      .run(payload, at, at, sessionId);
  }

  markWritten(sessionId: string, at: number): void {
    this.db.query("UPDATE sessions SET written_at = ? WHERE session_id = ?").run(at, sessionId);
  }

  markSessionFailed(sessionId: string, error: string): void {
    this.db.query("UPDATE sessions SET error = ? WHERE session_id = ?").run(error, sessionId);
  }

  /** Sessions with something to send: a new or changed session payload, or messages in the outbox. */
  sessionsWithWork(only?: ReadonlySet<string>): SessionRow[] {
    const rows = this.db
      .query(
        `SELECT s.* FROM sessions s WHERE s.excluded = 0 AND s.payload IS NOT NULL AND (
           (s.error IS NULL AND s.sent_payload IS NOT s.payload)
           OR EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.session_id AND m.payload IS NOT NULL AND m.error IS NULL))
         ORDER BY s.session_id`,
      )
      .all() as SessionRow[];
    return only ? rows.filter((r) => only.has(r.session_id)) : rows;
  }

  // ---- usage (the persistent side of the usage ledger)

  getUsage(key: string): UsageRecord | undefined {
    const row = this.db.query("SELECT * FROM usage WHERE key = ?").get(key) as Row | null;
    return row ? usageFromRow(row) : undefined;
  }

  putUsage(key: string, r: UsageRecord): void {
    this.db
      .query(
        `INSERT INTO usage (key, session_id, model, sidechain, fast, input, output, cw5, cw1h, cr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET session_id = excluded.session_id, model = excluded.model, sidechain = excluded.sidechain,
           fast = excluded.fast, input = excluded.input, output = excluded.output, cw5 = excluded.cw5, cw1h = excluded.cw1h, cr = excluded.cr`,
      )
      .run(
        key,
        r.sessionId,
        r.model,
        r.sidechain ? 1 : 0,
        r.fast ? 1 : 0,
        r.tokens.input,
        r.tokens.output,
        r.tokens.cacheWrite5m,
        r.tokens.cacheWrite1h,
        r.tokens.cacheRead,
      );
  }

  sessionUsage(sessionId: string): SessionUsage {
    const usage = emptySessionUsage();
    for (const row of this.db.query("SELECT * FROM usage WHERE session_id = ?").all(sessionId) as Row[]) {
      addRecord(usage, usageFromRow(row));
    }
    return usage;
  }

  // ---- messages (the outbox)

  /**
   * Records a message as it should be on the server. Unchanged since it was
   * acknowledged: nothing to send. Changed: its payload waits in the outbox.
   */
  putMessage(m: { externalId: string; sessionId: string; createdAt: number; hash: string; payload: string; redactions: number }): void {
    this.db
      .query(
        `INSERT INTO messages (external_id, session_id, created_at, hash, payload, redactions) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(external_id) DO UPDATE SET
           payload = CASE WHEN messages.sent_hash = excluded.hash THEN NULL ELSE excluded.payload END,
           error = CASE WHEN messages.hash = excluded.hash THEN messages.error ELSE NULL END,
           hash = excluded.hash, created_at = excluded.created_at, redactions = excluded.redactions`,
      )
      .run(m.externalId, m.sessionId, m.createdAt, m.hash, m.payload, m.redactions);
  }

  /** The session's outbox in sending order, read a page at a time: one session's can hold hundreds of MB. */
  *pendingMessages(sessionId: string): Generator<PendingMessage> {
    const page = this.db.query(
      `SELECT external_id, hash, payload, sent_hash, created_at FROM messages
       WHERE session_id = ? AND payload IS NOT NULL AND error IS NULL AND (created_at, external_id) > (?, ?)
       ORDER BY created_at, external_id LIMIT ${OUTBOX_PAGE}`,
    );
    let rows = page.all(sessionId, Number.MIN_SAFE_INTEGER, "") as PendingMessage[];
    for (;;) {
      yield* rows;
      const last = rows.at(-1);
      if (rows.length < OUTBOX_PAGE || !last) return;
      rows = page.all(sessionId, last.created_at, last.external_id) as PendingMessage[];
    }
  }

  /** Acknowledged: only if the message was not changed meanwhile. */
  markMessageSent(externalId: string, hash: string): void {
    this.db.query("UPDATE messages SET sent_hash = ?, payload = NULL, error = NULL WHERE external_id = ? AND hash = ?").run(hash, externalId, hash);
  }

  markMessageFailed(externalId: string, error: string): void {
    this.db.query("UPDATE messages SET error = ? WHERE external_id = ?").run(error, externalId);
  }

  messageCount(sessionId: string): number {
    return (this.db.query("SELECT COUNT(*) AS n FROM messages WHERE session_id = ?").get(sessionId) as { n: number }).n;
  }

  redactions(sessionId: string): number {
    return (this.db.query("SELECT COALESCE(SUM(redactions), 0) AS n FROM messages WHERE session_id = ?").get(sessionId) as { n: number }).n;
  }

  counts(): StateCounts {
    const one = (sql: string) => (this.db.query(sql).get() as { n: number }).n;
    const failed = this.db
      .query(
        `SELECT session_id AS id, error FROM sessions WHERE error IS NOT NULL
         UNION ALL SELECT external_id AS id, error FROM messages WHERE error IS NOT NULL LIMIT 50`,
      )
      .all() as Array<{ id: string; error: string }>;
    const last = this.getMeta("last_sync");
    return {
      sessionsSynced: one("SELECT COUNT(*) AS n FROM sessions WHERE sent_payload IS NOT NULL"),
      sessionsPending: one(
        `SELECT COUNT(*) AS n FROM sessions s WHERE s.excluded = 0 AND s.payload IS NOT NULL AND s.error IS NULL AND (s.sent_payload IS NOT s.payload
           OR EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.session_id AND m.payload IS NOT NULL AND m.error IS NULL))`,
      ),
      messagesPending: one("SELECT COUNT(*) AS n FROM messages WHERE payload IS NOT NULL AND error IS NULL"),
      failed,
      ...(last ? { lastSync: Number(last) } : {}),
    };
  }
}

function usageFromRow(row: Row): UsageRecord {
  return {
    key: row.key as string,
    sessionId: row.session_id as string,
    model: row.model as string,
    sidechain: row.sidechain === 1,
    fast: row.fast === 1,
    tokens: {
      input: row.input as number,
      output: row.output as number,
      cacheWrite5m: row.cw5 as number,
      cacheWrite1h: row.cw1h as number,
      cacheRead: row.cr as number,
    },
  };
}
