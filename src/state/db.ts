import { Database } from "bun:sqlite";
import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { UserError } from "../errors.ts";

/**
 * The embedded state: what was read of each transcript, what the server has,
 * and an outbox of what is still to send. One database per server (see
 * statePath); WAL so the hook's background sync and a manual sync can share it.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  identity TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL,
  offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY,
  fold TEXT,
  payload TEXT,
  sent_payload TEXT,
  sent_at INTEGER,
  error TEXT,
  excluded INTEGER NOT NULL DEFAULT 0,
  redactions INTEGER NOT NULL DEFAULT 0,
  project TEXT,
  created_at INTEGER,
  written_at INTEGER
);
CREATE TABLE IF NOT EXISTS usage (
  key TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  model TEXT NOT NULL,
  sidechain INTEGER NOT NULL,
  fast INTEGER NOT NULL,
  input INTEGER NOT NULL,
  output INTEGER NOT NULL,
  cw5 INTEGER NOT NULL,
  cw1h INTEGER NOT NULL,
  cr INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_session ON usage(session_id);
CREATE TABLE IF NOT EXISTS messages (
  external_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  hash TEXT NOT NULL,
  sent_hash TEXT,
  payload TEXT,
  error TEXT,
  redactions INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_session ON messages(session_id, created_at);
-- The outbox: small, and asked for on every run.
CREATE INDEX IF NOT EXISTS messages_outbox ON messages(session_id, created_at) WHERE payload IS NOT NULL;
CREATE TABLE IF NOT EXISTS requests (session_id TEXT PRIMARY KEY, requested_at INTEGER NOT NULL, final INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS lock (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, heartbeat INTEGER NOT NULL);
`;

const SCHEMA_VERSION = "1";

export function openDatabase(path: string): Database {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = new Database(path, { create: true, strict: true });
    chmodSync(path, 0o600);
    db.run("PRAGMA busy_timeout = 10000");
    db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    db.transaction(() => {
      db.run(SCHEMA);
      db.query("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
    })();
    return db;
  } catch (error) {
    throw stateError(error, path);
  }
}

/** SQLite failures a user can meet, as what to do about them. */
export function stateError(error: unknown, path: string): Error {
  const code = (error as { code?: string }).code ?? "";
  const text = (error as Error).message ?? String(error);
  if (code.startsWith("SQLITE_FULL") || /disk is full|ENOSPC/.test(text)) {
    return new UserError(`The disk holding ${path} is full. Free some space and run the sync again; nothing was lost.`, 1);
  }
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN") || /EACCES|EROFS|EPERM|readonly/i.test(text)) {
    return new UserError(
      `Cannot write the sync state at ${path} (${text}). Check that ${dirname(path)} is writable by you (for example: chmod u+rwx ${dirname(path)}); nothing was lost.`,
      2,
    );
  }
  if (code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB")) {
    return new UserError(
      `The sync state at ${path} is damaged. Move it aside (mv ${path} ${path}.broken) and run \`claude-code-sync sync\`: it rebuilds the state, and the server keeps one copy of each message.`,
      2,
    );
  }
  return error instanceof Error ? error : new Error(text);
}
