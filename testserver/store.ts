import { Database } from "bun:sqlite";
import { documentBytes, type Issue, storageIssue } from "./validate.ts";
import type { Report } from "./violations.ts";

/**
 * OpenSync's data and its write semantics (../shared/opensync-contract.md),
 * quirks included, on bun:sqlite. One user: the test server has one API key.
 * `pending()` says whether the pending change (profile.ts) is deployed.
 */

export interface SessionArgs {
  externalId: string;
  title?: string;
  projectPath?: string;
  projectName?: string;
  model?: string;
  provider?: string;
  source?: string;
  promptTokens?: number;
  completionTokens?: number;
  cost?: number;
  durationMs?: number;
  createdAt?: number;
}

export interface PartArgs {
  type: string;
  content: unknown;
}

export interface MessageArgs {
  sessionExternalId: string;
  externalId: string;
  role: string;
  textContent?: string;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  durationMs?: number;
  source?: string;
  parts?: PartArgs[];
  createdAt?: number;
}

export interface StoredSession {
  id: string;
  externalId: string;
  title?: string;
  projectPath?: string;
  projectName?: string;
  model?: string;
  provider?: string;
  source: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  durationMs?: number;
  isPublic: boolean;
  messageCount: number;
  /** What the server's search sees; every message (re-)send appends its text parts. */
  searchableText: string;
  createdAt: number;
  updatedAt: number;
}

export interface StoredMessage {
  id: string;
  externalId: string;
  sessionExternalId: string;
  role: string;
  textContent?: string;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  durationMs?: number;
  createdAt: number;
  parts: PartArgs[];
}

export interface DumpSession extends StoredSession {
  messages: StoredMessage[];
}

/** A message whose session was deleted by "delete all data": stored, found by its id, shown nowhere. */
export type OrphanMessage = Omit<StoredMessage, "sessionExternalId"> & { sessionId: string };

/** A message row as a write finds it: its session may be gone. */
type FoundMessage = Omit<StoredMessage, "sessionExternalId"> & { sessionId: string; sessionExternalId?: string };

/** An exception inside a handler: the route answers 500 with `issue.text`. */
export class HandlerError extends Error {
  constructor(readonly issue: Issue) {
    super(issue.text);
  }
}

const SESSION_WINDOW_MS = 10_000;
const MESSAGE_WINDOW_MS = 5_000;
const MAX_TRANSACTION_BYTES = 16 * 1024 * 1024;
const MAX_TRANSACTION_DOCUMENTS = 16_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, externalId TEXT UNIQUE NOT NULL,
  title TEXT, projectPath TEXT, projectName TEXT, model TEXT, provider TEXT, source TEXT NOT NULL,
  promptTokens REAL NOT NULL, completionTokens REAL NOT NULL, cost REAL NOT NULL, durationMs REAL,
  messageCount INTEGER NOT NULL, searchableText TEXT NOT NULL, createdAt REAL NOT NULL, updatedAt REAL NOT NULL);
-- GET /api/sessions?limit=N reads the newest N through an index, as OpenSync's does (by_user_updated, take(limit)).
CREATE INDEX IF NOT EXISTS sessions_by_updated ON sessions (updatedAt DESC, seq DESC);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, sessionId TEXT NOT NULL,
  externalId TEXT NOT NULL, role TEXT NOT NULL, textContent TEXT, model TEXT,
  promptTokens REAL, completionTokens REAL, durationMs REAL, createdAt REAL NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_session ON messages (sessionId, createdAt, seq);
CREATE INDEX IF NOT EXISTS messages_by_external ON messages (externalId, seq);
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_session_external ON messages (sessionId, externalId);
CREATE TABLE IF NOT EXISTS parts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, messageId TEXT NOT NULL, ord INTEGER NOT NULL,
  type TEXT NOT NULL, content TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS parts_by_message ON parts (messageId, ord);
`;

type Row = Record<string, unknown>;

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
/** Convex-looking document ids: 32 characters of lowercase base32. */
export const ID_PATTERN = /^[a-z2-7]{32}$/;
function newId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => ID_ALPHABET[b % 32]).join("");
}

/** SQLite NULL for absent optional fields, and back. */
type Binding = string | number | null;
const orNull = <T extends Binding>(v: T | undefined): T | null => v ?? null;
const bindAll = (doc: Record<string, string | number | undefined>): Record<string, Binding> =>
  Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, orNull(v)]));
function withoutNulls<T>(row: Row): T {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)) as T;
}

function partText(content: unknown): string {
  if (typeof content === "string") return content;
  if (typeof content === "object" && content !== null) {
    const { text, content: inner } = content as Record<string, unknown>;
    if (typeof text === "string") return text;
    if (typeof inner === "string") return inner;
  }
  return "";
}

const textOfParts = (parts: PartArgs[] | undefined) =>
  (parts ?? []).filter((p) => p.type === "text").map((p) => partText(p.content)).filter(Boolean).join(" ");

export class Store {
  private readonly db: Database;

  constructor(
    path: string,
    private readonly now: () => number,
    private readonly pending: () => boolean,
  ) {
    this.db = new Database(path, { strict: true, create: true });
    this.db.exec("PRAGMA journal_mode = WAL;");
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  reset(): void {
    this.db.exec("DELETE FROM parts; DELETE FROM messages; DELETE FROM sessions;");
  }

  // --- sessions -------------------------------------------------------------

  private sessionRow(externalId: string): StoredSession | undefined {
    const row = this.db.query("SELECT * FROM sessions WHERE externalId = ?").get(externalId) as Row | null;
    return row ? this.toSession(row) : undefined;
  }

  private toSession(row: Row): StoredSession {
    const { seq: _seq, ...rest } = withoutNulls<StoredSession & { seq: number }>(row);
    return { ...rest, totalTokens: rest.promptTokens + rest.completionTokens, isPublic: false };
  }

  /**
   * POST /sync/session and each /sync/batch session. `createdAt` is honoured on
   * insert only (batch passes none: rows get server now). Returns the server id,
   * and whether anything was written (the 10 s window makes some calls no-ops).
   */
  upsertSession(args: SessionArgs, report: Report): { id: string; written: boolean; inserted: boolean } {
    const now = this.now();
    const existing = this.sessionRow(args.externalId);
    if (!existing) {
      const id = newId();
      this.db
        .query(
          `INSERT INTO sessions (id, externalId, title, projectPath, projectName, model, provider, source,
             promptTokens, completionTokens, cost, durationMs, messageCount, searchableText, createdAt, updatedAt)
           VALUES ($id, $externalId, $title, $projectPath, $projectName, $model, $provider, $source,
             $promptTokens, $completionTokens, $cost, $durationMs, 0, '', $createdAt, $updatedAt)`,
        )
        .run({
          id,
          externalId: args.externalId,
          title: orNull(args.title),
          projectPath: orNull(args.projectPath),
          projectName: orNull(args.projectName),
          model: orNull(args.model),
          provider: orNull(args.provider),
          source: args.source || "opencode",
          promptTokens: args.promptTokens ?? 0,
          completionTokens: args.completionTokens ?? 0,
          cost: args.cost ?? 0,
          durationMs: orNull(args.durationMs),
          createdAt: args.createdAt ?? now,
          updatedAt: now,
        });
      return { id, written: true, inserted: true };
    }

    // A total of 0 means "not given": a client that meant to lower a total to 0 leaves the old one showing.
    const kept = (["promptTokens", "completionTokens", "cost"] as const).filter((key) => args[key] === 0 && existing[key] > 0);
    if (kept.length > 0) report("total-not-lowered", `${kept.join(", ")} of 0 ignored: the server keeps ${kept.map((k) => existing[k]).join(", ")}`, args.externalId);
    const unchanged = (key: "title" | "model" | "projectPath") => args[key] === undefined || args[key] === existing[key];
    const sameTokens = (key: "promptTokens" | "completionTokens") => !args[key] || args[key] === existing[key];
    const age = now - existing.updatedAt;
    if (age < SESSION_WINDOW_MS && unchanged("title") && unchanged("model") && unchanged("projectPath") &&
        sameTokens("promptTokens") && sameTokens("completionTokens")) {
      const dropped = (["cost", "durationMs", "provider", "projectName", "source"] as const).filter(
        (key) => args[key] !== undefined && args[key] !== existing[key],
      );
      // The pending change keeps such changes; only a call that changes nothing stays a no-op.
      if (dropped.length === 0 || !this.pending()) {
        if (dropped.length > 0) {
          report("session-change-dropped", `change of ${dropped.join(", ")} ignored: session written ${age} ms ago (10 s window)`, args.externalId);
        }
        return { id: existing.id, written: false, inserted: false };
      }
    }

    // Numbers replace the old value only when > 0; strings only when given.
    const positive = (value: number | undefined, old: number | undefined) => (value !== undefined && value > 0 ? value : old);
    this.db
      .query(
        `UPDATE sessions SET title = $title, projectPath = $projectPath, projectName = $projectName, model = $model,
           provider = $provider, source = $source, promptTokens = $promptTokens, completionTokens = $completionTokens,
           cost = $cost, durationMs = $durationMs, updatedAt = $updatedAt WHERE id = $id`,
      )
      .run({
        id: existing.id,
        title: orNull(args.title ?? existing.title),
        projectPath: orNull(args.projectPath ?? existing.projectPath),
        projectName: orNull(args.projectName ?? existing.projectName),
        model: orNull(args.model ?? existing.model),
        provider: orNull(args.provider ?? existing.provider),
        source: args.source ?? existing.source,
        promptTokens: positive(args.promptTokens, existing.promptTokens) ?? 0,
        completionTokens: positive(args.completionTokens, existing.completionTokens) ?? 0,
        cost: positive(args.cost, existing.cost) ?? 0,
        durationMs: orNull(positive(args.durationMs, existing.durationMs)),
        updatedAt: now,
      });
    return { id: existing.id, written: true, inserted: false };
  }

  /** A message's missing session, auto-created (createdAt = now, the real start is lost). */
  private createSessionForMessage(args: MessageArgs, now: number, report: Report): StoredSession {
    report("message-before-session", `session ${args.sessionExternalId} auto-created with createdAt = now`, args.externalId);
    this.db
      .query(
        `INSERT INTO sessions (id, externalId, model, source, promptTokens, completionTokens, cost, messageCount,
           searchableText, createdAt, updatedAt)
         VALUES ($id, $externalId, $model, $source, 0, 0, 0, 0, '', $now, $now)`,
      )
      .run({ id: newId(), externalId: args.sessionExternalId, model: orNull(args.model), source: args.source || "opencode", now });
    return this.sessionRow(args.sessionExternalId)!;
  }

  /** Message writes refresh the session's write time (and feed the 10 s window). */
  private touchSession(session: StoredSession, now: number, inserted: number, text: string): void {
    this.db
      .query(
        `UPDATE sessions SET updatedAt = $now, messageCount = messageCount + $inserted,
           searchableText = CASE WHEN $text = '' THEN searchableText
             WHEN searchableText = '' THEN $text ELSE searchableText || ' ' || $text END
         WHERE id = $id`,
      )
      .run({ id: session.id, now, inserted, text });
  }

  // --- messages -------------------------------------------------------------

  /**
   * The row a message write updates. Today: the first with that id anywhere,
   * even in another session or orphaned by a deletion. The pending change:
   * the one with that id in the message's session.
   */
  private findMessage(externalId: string, session: StoredSession | undefined): FoundMessage | undefined {
    const select = `SELECT m.*, s.externalId AS sessionExternalId FROM messages m LEFT JOIN sessions s ON s.id = m.sessionId`;
    let row: Row | null;
    if (this.pending()) {
      if (!session) return undefined;
      row = this.db.query(`${select} WHERE m.sessionId = ? AND m.externalId = ?`).get(session.id, externalId) as Row | null;
    } else {
      row = this.db.query(`${select} WHERE m.externalId = ? ORDER BY m.seq LIMIT 1`).get(externalId) as Row | null;
    }
    return row ? this.toMessage(row) : undefined;
  }

  private toMessage(row: Row): FoundMessage {
    const { seq: _seq, ...rest } = withoutNulls<FoundMessage & { seq: number }>(row);
    return { ...rest, parts: this.partsOf(rest.id) };
  }

  private partsOf(messageId: string): PartArgs[] {
    const rows = this.db.query("SELECT type, content FROM parts WHERE messageId = ? ORDER BY ord, seq").all(messageId) as {
      type: string;
      content: string;
    }[];
    return rows.map((r) => ({ type: r.type, content: JSON.parse(r.content) }));
  }

  private insertMessageRow(args: MessageArgs, sessionId: string, createdAt: number): string {
    const id = newId();
    const doc = {
      sessionId,
      externalId: args.externalId,
      role: args.role,
      textContent: args.textContent,
      model: args.model,
      promptTokens: args.promptTokens,
      completionTokens: args.completionTokens,
      durationMs: args.durationMs,
      createdAt,
    };
    const issue = storageIssue(doc);
    if (issue) throw new HandlerError(issue);
    this.db
      .query(
        `INSERT INTO messages (id, sessionId, externalId, role, textContent, model, promptTokens, completionTokens,
           durationMs, createdAt)
         VALUES ($id, $sessionId, $externalId, $role, $textContent, $model, $promptTokens, $completionTokens,
           $durationMs, $createdAt)`,
      )
      .run(bindAll({ id, ...doc }));
    return id;
  }

  /** Inserts every storable part; throws for the first one Convex would refuse (the others stay written). */
  private insertParts(messageId: string, parts: PartArgs[] | undefined): void {
    let failure: Issue | null = null;
    for (const [ord, part] of (parts ?? []).entries()) {
      const issue = storageIssue({ messageId, type: part.type, content: part.content, order: ord });
      if (issue) {
        failure ??= { ...issue, path: `.parts[${ord}].content${issue.path}` };
        continue;
      }
      this.db
        .query("INSERT INTO parts (messageId, ord, type, content) VALUES (?, ?, ?, ?)")
        .run(messageId, ord, part.type, JSON.stringify(part.content));
    }
    if (failure) throw new HandlerError(failure);
  }

  private deleteParts(messageId: string): void {
    this.db.query("DELETE FROM parts WHERE messageId = ?").run(messageId);
  }

  private patchMessage(existing: FoundMessage, args: MessageArgs): void {
    const doc = {
      textContent: args.textContent ?? existing.textContent,
      model: args.model ?? existing.model,
      promptTokens: args.promptTokens ?? existing.promptTokens,
      completionTokens: args.completionTokens ?? existing.completionTokens,
      durationMs: args.durationMs ?? existing.durationMs,
    };
    const issue = storageIssue({ ...existing, parts: undefined, ...doc });
    if (issue) throw new HandlerError(issue);
    this.db
      .query(
        `UPDATE messages SET textContent = $textContent, model = $model, promptTokens = $promptTokens,
           completionTokens = $completionTokens, durationMs = $durationMs WHERE id = $id`,
      )
      .run({ id: existing.id, ...bindAll(doc) });
  }

  /** Whether a re-send would change nothing. With the pending change, omitted parts mean "keep them". */
  private sameSnapshot(existing: FoundMessage, args: MessageArgs): boolean {
    const partsKept = args.parts === undefined && this.pending();
    return (
      (args.textContent ?? existing.textContent) === existing.textContent &&
      (args.model ?? existing.model) === existing.model &&
      (args.promptTokens ?? existing.promptTokens) === existing.promptTokens &&
      (args.completionTokens ?? existing.completionTokens) === existing.completionTokens &&
      (args.durationMs ?? existing.durationMs) === existing.durationMs &&
      (partsKept || JSON.stringify(args.parts ?? []) === JSON.stringify(existing.parts))
    );
  }

  /**
   * Whether a re-send is skipped: today inside 5 s of the message's createdAt;
   * with the pending change only when it changes nothing (reported here).
   */
  private skipResend(existing: FoundMessage, args: MessageArgs, now: number, report: Report): boolean {
    if (this.pending()) {
      if (!this.sameSnapshot(existing, args)) return false;
      report("identical-resend", "message re-sent unchanged (a no-op with the pending change)", args.externalId);
      return true;
    }
    return now - existing.createdAt < MESSAGE_WINDOW_MS;
  }

  /** Reports the re-send mistakes a good client avoids, and the rows a deletion left behind. */
  private reportResend(existing: FoundMessage, args: MessageArgs, sessionId: string, report: Report): void {
    const id = args.externalId;
    if (existing.sessionExternalId === undefined) {
      report("message-orphaned", "message id belongs to a message whose session was deleted: updated there, shown nowhere", id);
    } else if (existing.sessionId !== sessionId) {
      report("message-other-session", `message id already used in session ${existing.sessionExternalId}; updated there in place`, id);
    }
    if (this.sameSnapshot(existing, args)) report("identical-resend", "message re-sent unchanged (its text is appended to the search text again)", id);
    if (args.parts === undefined && existing.parts.length > 0 && !this.pending()) {
      report("resend-without-parts", `re-send without parts deleted ${existing.parts.length} stored part(s)`, id);
    }
  }

  /** An update: today all parts are replaced (none when omitted); with the pending change omitted parts stay. */
  private updateMessage(existing: FoundMessage, args: MessageArgs): void {
    this.patchMessage(existing, args);
    if (args.parts === undefined && this.pending()) return;
    this.deleteParts(existing.id);
    this.insertParts(existing.id, args.parts);
  }

  /** POST /sync/message. Runs as one transaction: a HandlerError rolls everything back. */
  upsertMessage(args: MessageArgs, report: Report): string {
    return this.db.transaction(() => {
      const now = this.now();
      const found = this.sessionRow(args.sessionExternalId);
      const existing = this.findMessage(args.externalId, found);
      if (existing && this.skipResend(existing, args, now, report)) {
        if (!this.pending()) {
          report("resend-in-window", `re-send ignored: message createdAt is ${now - existing.createdAt} ms before now (5 s window)`, args.externalId);
        }
        return existing.id;
      }
      const session = found ?? this.createSessionForMessage(args, now, report);
      let id: string;
      if (existing) {
        this.reportResend(existing, args, session.id, report);
        this.updateMessage(existing, args);
        id = existing.id;
      } else {
        id = this.insertMessageRow(args, session.id, args.createdAt ?? now);
        this.insertParts(id, args.parts);
      }
      this.touchSession(session, now, existing ? 0 : 1, textOfParts(args.parts));
      return id;
    })();
  }

  // --- batch ----------------------------------------------------------------

  /** One /sync/batch chunk of sessions: one transaction; rows inserted here get createdAt = server now. */
  batchSessions(items: SessionArgs[], report: Report): number {
    return this.db.transaction(() => {
      let written = 0;
      for (const item of items) {
        const result = this.upsertSession(item, report);
        if (result.inserted) {
          report("batch-session-insert", "session inserted by batch: createdAt = server now, its real start time is lost", item.externalId);
        }
        if (result.written) written++;
      }
      return written;
    })();
  }

  /**
   * One /sync/batch chunk of messages: one transaction; per-message failures
   * are caught and listed (writes made before the failure stay). New rows get
   * createdAt = now. Today's bug: an existing message re-sent here loses its
   * parts (the pending change replaces them).
   */
  batchMessages(items: MessageArgs[], report: Report): { written: number; errors: string[] } {
    const bytes = items.reduce((sum, m) => sum + documentBytes(m), 0);
    const documents = items.reduce((sum, m) => sum + 1 + (m.parts?.length ?? 0), 0);
    if (bytes > MAX_TRANSACTION_BYTES || documents > MAX_TRANSACTION_DOCUMENTS) {
      const text = bytes > MAX_TRANSACTION_BYTES
        ? `Error: Too many bytes written in a single function execution (limit: ${MAX_TRANSACTION_BYTES} bytes)`
        : `Error: Too many documents written in a single function execution (limit: ${MAX_TRANSACTION_DOCUMENTS})`;
      throw new HandlerError({ reason: "oversized", path: ".messages", text });
    }
    return this.db.transaction(() => {
      const now = this.now();
      const errors: string[] = [];
      const seen = new Set<string>();
      let written = 0;
      const bySession = Map.groupBy(items, (m) => m.sessionExternalId);
      for (const messages of bySession.values()) {
        const session = this.sessionRow(messages[0]!.sessionExternalId) ?? this.createSessionForMessage(messages[0]!, now, report);
        let inserted = 0;
        const texts: string[] = [];
        for (const msg of messages) {
          const id = msg.externalId;
          const existing = this.findMessage(id, session);
          const repeated = seen.has(id);
          seen.add(id);
          if (existing && this.skipBatchResend(existing, msg, repeated, session.id, now, report)) continue;
          try {
            if (existing && this.pending()) {
              this.updateMessage(existing, msg);
            } else if (existing) {
              this.patchMessage(existing, msg);
              this.deleteParts(existing.id);
            } else {
              // A failing part leaves the row without it, uncounted in the session (as on the real server).
              this.insertParts(this.insertMessageRow(msg, session.id, now), msg.parts);
              inserted++;
              texts.push(textOfParts(msg.parts));
            }
            written++;
          } catch (e) {
            if (!(e instanceof HandlerError)) throw e;
            report(e.issue.reason, e.issue.text, id);
            errors.push(`${id}: ${e.issue.text}`);
          }
        }
        if (inserted > 0) this.touchSession(session, now, inserted, texts.filter(Boolean).join(" "));
      }
      return { written, errors };
    })();
  }

  /** Reports what a batch re-send does, and says whether it is skipped. */
  private skipBatchResend(existing: FoundMessage, msg: MessageArgs, repeated: boolean, sessionId: string, now: number, report: Report): boolean {
    const id = msg.externalId;
    if (!this.pending()) {
      if (repeated) report("batch-duplicate", "same message id twice in one batch: the later copy is dropped", id);
      else report("batch-resend", "existing message re-sent by batch: its parts are deleted and the new ones not written", id);
      return this.skipResend(existing, msg, now, report);
    }
    if (repeated) report("batch-duplicate", "same message id twice in one batch: the later copy replaces the first", id);
    if (this.skipResend(existing, msg, now, report)) return true;
    if (!repeated) this.reportResend(existing, msg, sessionId, report);
    return false;
  }

  // --- data loss ------------------------------------------------------------

  /** A session deleted in the dashboard: its messages and parts go with it. False if there was none. */
  deleteSession(externalId: string): boolean {
    return this.db.transaction(() => {
      const session = this.sessionRow(externalId);
      if (!session) return false;
      this.db.query("DELETE FROM parts WHERE messageId IN (SELECT id FROM messages WHERE sessionId = ?)").run(session.id);
      this.db.query("DELETE FROM messages WHERE sessionId = ?").run(session.id);
      this.db.query("DELETE FROM sessions WHERE id = ?").run(session.id);
      return true;
    })();
  }

  /** One message and its parts gone (as a failed migration or a manual fix in the database would leave it). False if there was none. */
  deleteMessage(externalId: string): boolean {
    return this.db.transaction(() => {
      const rows = this.db.query("SELECT id, sessionId FROM messages WHERE externalId = ?").all(externalId) as Array<{ id: string; sessionId: string }>;
      for (const { id, sessionId } of rows) {
        this.db.query("DELETE FROM parts WHERE messageId = ?").run(id);
        this.db.query("DELETE FROM messages WHERE id = ?").run(id);
        this.db.query("UPDATE sessions SET messageCount = messageCount - 1 WHERE id = ?").run(sessionId);
      }
      return rows.length > 0;
    })();
  }

  /** OpenSync's "delete all data": the sessions go, their messages and parts stay behind, orphaned. */
  deleteAllData(): number {
    return this.db.query("DELETE FROM sessions").run().changes;
  }

  /** Messages whose session is gone, in insertion order. */
  orphans(): OrphanMessage[] {
    const rows = this.db
      .query("SELECT * FROM messages WHERE sessionId NOT IN (SELECT id FROM sessions) ORDER BY seq")
      .all() as Row[];
    return rows.map((r) => {
      const { sessionExternalId: _none, ...message } = this.toMessage(r);
      return message;
    });
  }

  // --- reads ----------------------------------------------------------------

  listExternalIds(): string[] {
    return (this.db.query("SELECT externalId FROM sessions ORDER BY seq").all() as { externalId: string }[]).map((r) => r.externalId);
  }

  private sessions(order: "insertion" | "recent", limit = -1): StoredSession[] {
    const orderBy = order === "recent" ? "updatedAt DESC, seq DESC" : "seq";
    return (this.db.query(`SELECT * FROM sessions ORDER BY ${orderBy} LIMIT ?`).all(limit) as Row[]).map((r) => this.toSession(r));
  }

  private messagesOf(session: StoredSession): StoredMessage[] {
    const rows = this.db.query("SELECT * FROM messages WHERE sessionId = ? ORDER BY createdAt, seq").all(session.id) as Row[];
    return rows.map((r) => {
      const { sessionId: _sessionId, ...message } = this.toMessage(r);
      return { ...message, sessionExternalId: session.externalId };
    });
  }

  /** GET /api/sessions: newest first, as the read API shows them (no source). */
  apiSessions(limit: number) {
    return this.sessions("recent", limit).map(apiSession);
  }

  /** GET /api/sessions/get: null when there is no such session. */
  apiSession(id: string) {
    const row = this.db.query("SELECT * FROM sessions WHERE id = ?").get(id) as Row | null;
    if (!row) return null;
    const session = this.toSession(row);
    const messages = this.messagesOf(session).map(({ sessionExternalId: _s, ...m }) => m);
    return { session: apiSession(session), messages };
  }

  /** GET /api/stats: totals summed from session rows. */
  stats() {
    const sessions = this.sessions("insertion");
    const modelUsage: Record<string, { tokens: number; cost: number; sessions: number }> = {};
    for (const s of sessions) {
      const usage = (modelUsage[s.model ?? "unknown"] ??= { tokens: 0, cost: 0, sessions: 0 });
      usage.tokens += s.totalTokens;
      usage.cost += s.cost;
      usage.sessions += 1;
    }
    const sum = (f: (s: StoredSession) => number) => sessions.reduce((acc, s) => acc + f(s), 0);
    return {
      sessionCount: sessions.length,
      messageCount: sum((s) => s.messageCount),
      totalTokens: sum((s) => s.totalTokens),
      totalCost: sum((s) => s.cost),
      totalDurationMs: sum((s) => s.durationMs ?? 0),
      modelUsage,
    };
  }

  /** Everything stored, for assertions: sessions in insertion order, messages in dashboard order. */
  dump(): DumpSession[] {
    return this.sessions("insertion").map((s) => ({ ...s, messages: this.messagesOf(s) }));
  }
}

function apiSession(s: StoredSession) {
  const { source: _source, searchableText: _text, ...rest } = s;
  return rest;
}
