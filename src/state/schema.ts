import type { Database } from "bun:sqlite";
import { UserError } from "../errors.ts";
import { payloadHash, windowKey } from "../plan/hash.ts";

/**
 * The state database's tables. What the server has is kept as hashes, never
 * as payloads: a payload waits in `outbox` only until the server has
 * acknowledged it, and the space it took is given back (incremental vacuum).
 *
 * - files: how far each transcript was read, and a fingerprint of the bytes
 *   before that offset (a file rewritten in place is read again from the start).
 * - folders: the digest of each project folder whose transcripts were all
 *   read to their end, as they were listed then: a scan that finds the same
 *   digest leaves the folder out. Triggers drop a folder's digest whenever a
 *   row of its files changes (a session to be read again, another account).
 * - sessions: each session as it should be on the server (`payload`, `hash`)
 *   and as it was last sent (`sent_hash`, `sent_key`: the fields the server's
 *   10 s window compares, of each copy it may hold after a write given up
 *   on); `held` when its fold keeps a response back that
 *   was still being written (sent once complete, or once the file is quiet).
 * - folds: the fold's carry-over between incremental reads (kept apart, so
 *   that scanning `sessions` stays cheap).
 * - usage: one row per deduplicated API response, across every run.
 * - messages: every message's content hash and what the server has.
 * - outbox: payloads not acknowledged yet.
 * - unsure_writes: writes given up on (no answer in time, a connection lost
 *   after the body went) that the server may still apply after a newer one
 *   of the same item, until `until`: then the item's latest copy goes again,
 *   and the server's copy is checked again at later syncs (`rechecks`).
 * Partial indexes hold only what is pending or failed, so status counts and
 * a sync with nothing to do never read the whole of a table.
 */
const SCHEMA_V2 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  session_id TEXT NOT NULL,
  identity TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL,
  offset INTEGER NOT NULL,
  fingerprint TEXT
);
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE,
  project TEXT,
  excluded INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER,
  last_at INTEGER,
  payload TEXT,
  hash TEXT,
  sent_hash TEXT,
  sent_key TEXT,
  written_at INTEGER,
  server_id TEXT,
  legacy_checked INTEGER NOT NULL DEFAULT 0,
  held INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  failed_at INTEGER
);
CREATE INDEX sessions_unsent ON sessions(last_at) WHERE hash IS NOT sent_hash;
CREATE INDEX sessions_sent ON sessions(id) WHERE sent_hash IS NOT NULL;
CREATE INDEX sessions_failed ON sessions(failed_at) WHERE error IS NOT NULL;
CREATE INDEX sessions_excluded ON sessions(id) WHERE excluded = 1;
CREATE INDEX sessions_held ON sessions(id) WHERE held = 1;
CREATE TABLE folds (session INTEGER PRIMARY KEY, snapshot TEXT NOT NULL);
CREATE TABLE models (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE usage (
  key INTEGER PRIMARY KEY,
  session INTEGER NOT NULL,
  file INTEGER,
  model INTEGER NOT NULL,
  sidechain INTEGER NOT NULL,
  at INTEGER,
  speed TEXT,
  geo TEXT,
  input INTEGER NOT NULL,
  output INTEGER NOT NULL,
  cw5 INTEGER NOT NULL,
  cw1h INTEGER NOT NULL,
  cr INTEGER NOT NULL,
  iterations TEXT
);
CREATE INDEX usage_session ON usage(session);
CREATE TABLE messages (
  external_id TEXT PRIMARY KEY,
  session INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  ord INTEGER NOT NULL,
  hash TEXT NOT NULL,
  sent_hash TEXT,
  alias TEXT,
  error TEXT,
  failed_at INTEGER
) WITHOUT ROWID;
CREATE INDEX messages_failed ON messages(failed_at) WHERE error IS NOT NULL;
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  external_id TEXT NOT NULL UNIQUE,
  session INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  ord INTEGER NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX outbox_order ON outbox(session, created_at, ord, external_id);
CREATE TABLE lock (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, token TEXT NOT NULL, heartbeat INTEGER NOT NULL);
`;

/** What schema 3 added. A path is under a folder when it sorts between "<folder>/" and "<folder>0". */
const FOLDERS = `
CREATE TABLE folders (path TEXT PRIMARY KEY, digest TEXT NOT NULL) WITHOUT ROWID;
CREATE TRIGGER files_insert AFTER INSERT ON files BEGIN
  DELETE FROM folders WHERE new.path > path || '/' AND new.path < path || '0';
END;
CREATE TRIGGER files_update AFTER UPDATE ON files BEGIN
  DELETE FROM folders WHERE (old.path > path || '/' AND old.path < path || '0') OR (new.path > path || '/' AND new.path < path || '0');
END;
CREATE TRIGGER files_delete AFTER DELETE ON files BEGIN
  DELETE FROM folders WHERE old.path > path || '/' AND old.path < path || '0';
END;
`;

/** What schema 4 added: whether a response's line is a resumed session's copy of its original's (UsageRecord.copy); older rows say not. */
const COPIES = `ALTER TABLE usage ADD COLUMN copy INTEGER NOT NULL DEFAULT 0;`;

/**
 * What schema 5 added. `item`: a message's external id, or '' for the session's own record; `hash` (and, for
 * the record, `window_key`) of what was given up on. Empty unless a write was: it costs nothing otherwise.
 */
const UNSURE_WRITES = `
CREATE TABLE unsure_writes (
  session INTEGER NOT NULL,
  item TEXT NOT NULL,
  hash TEXT NOT NULL,
  window_key TEXT,
  until INTEGER NOT NULL,
  PRIMARY KEY (session, item, hash)
) WITHOUT ROWID;
`;

/**
 * What schema 6 added: how many times a write given up on was checked again once over (0: not yet over). A
 * write may land later than it is taken to (unsure.ts): the server's copy is checked again, less and less often.
 */
const RECHECKS = `ALTER TABLE unsure_writes ADD COLUMN rechecks INTEGER NOT NULL DEFAULT 0;`;

/**
 * What schema 7 added: the models iterations name (an advisor's, a declined attempt's), listed with the models
 * responses were read with, as putUsage lists them now, so a sync reads the small models table, not every usage row.
 */
const ITERATION_MODELS = `INSERT OR IGNORE INTO models (name)
  SELECT DISTINCT json_extract(i.value, '$.model') FROM usage u, json_each(u.iterations) i
  WHERE u.iterations IS NOT NULL AND json_extract(i.value, '$.model') IS NOT NULL;`;

/** What each version added to the one before (from version 2 on). */
const ADDED: Record<number, string> = { 3: FOLDERS, 4: COPIES, 5: UNSURE_WRITES, 6: RECHECKS, 7: ITERATION_MODELS };

const SCHEMA = SCHEMA_V2 + FOLDERS + COPIES + UNSURE_WRITES + RECHECKS;

const SCHEMA_VERSION = 7;

/** Meta key present while a state is new: it has not yet read everything with the server's totals at hand (store.isNew). */
export const NEW_STATE = "new_state";

const userVersion = (db: Database) => (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
const hasTable = (db: Database, name: string) => db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== null;

/**
 * Brings the database to SCHEMA_VERSION (PRAGMA user_version). Runs in an
 * IMMEDIATE transaction and looks at the version again inside it, so two
 * processes opening an old file at once migrate it once.
 */
export function migrate(db: Database): void {
  if (userVersion(db) === SCHEMA_VERSION) return;
  let fromV1 = false;
  db.transaction(() => {
    const version = userVersion(db);
    if (version === SCHEMA_VERSION) return;
    if (version > SCHEMA_VERSION) {
      throw new UserError(
        `The sync state ${db.filename} was written by a newer claude-code-sync (schema ${version}). Upgrade claude-code-sync, or move the file aside to start over.`,
        2,
      );
    }
    if (version >= 2) for (let v = version + 1; v <= SCHEMA_VERSION; v++) db.run(ADDED[v] as string);
    else {
      // Version 1 (0.2.0) kept its version in meta, not in user_version.
      fromV1 = hasTable(db, "sessions");
      if (fromV1) migrateFromV1(db);
      else {
        db.run(SCHEMA);
        db.query("INSERT INTO meta (key, value) VALUES (?, '1')").run(NEW_STATE);
      }
    }
    db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  }).immediate();
  if (fromV1) {
    // Version 1 kept every payload it sent: give that space back once, and make later deletes give theirs back too.
    db.run("PRAGMA auto_vacuum = INCREMENTAL");
    db.run("VACUUM");
  }
}

/**
 * From 0.2.0's schema: what the server has (sent sessions and messages, as
 * hashes of what was sent) and the account and last-sync marks are kept;
 * everything derived from reading the transcripts (offsets, folds, usage, the
 * outbox) is dropped, so the next sync reads every transcript once more and
 * sends only what changed.
 */
function migrateFromV1(db: Database): void {
  for (const table of ["meta", "sessions", "messages"]) db.run(`ALTER TABLE ${table} RENAME TO v1_${table}`);
  for (const table of ["files", "usage", "requests", "lock"]) db.run(`DROP TABLE IF EXISTS ${table}`);
  for (const index of ["messages_session", "messages_outbox", "usage_session"]) db.run(`DROP INDEX IF EXISTS ${index}`);
  db.run(SCHEMA);
  db.run("INSERT INTO meta (key, value) SELECT key, value FROM v1_meta WHERE key IN ('account', 'last_sync')");

  const insertSession = db.query(
    "INSERT INTO sessions (session_id, project, excluded, created_at, sent_hash, sent_key, written_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
  );
  const ids = new Map<string, number>();
  const sessionRows = db.query("SELECT session_id, project, excluded, created_at, sent_payload, written_at FROM v1_sessions").all() as Array<{
    session_id: string;
    project: string | null;
    excluded: number;
    created_at: number | null;
    sent_payload: string | null;
    written_at: number | null;
  }>;
  for (const s of sessionRows) {
    const sent = s.sent_payload;
    const row = insertSession.get(
      s.session_id,
      s.project,
      s.excluded,
      s.created_at,
      sent === null ? null : payloadHash(sent),
      sent === null ? null : windowKey(JSON.parse(sent)),
      s.written_at,
    ) as { id: number };
    ids.set(s.session_id, row.id);
  }
  const insertMessage = db.query("INSERT INTO messages (external_id, session, created_at, ord, hash, sent_hash) VALUES (?, ?, ?, 0, ?, ?)");
  const sent = db.query("SELECT external_id, session_id, created_at, sent_hash FROM v1_messages WHERE sent_hash IS NOT NULL");
  for (const m of sent.iterate() as IterableIterator<{ external_id: string; session_id: string; created_at: number; sent_hash: string }>) {
    let session = ids.get(m.session_id);
    if (session === undefined) {
      session = (db.query("INSERT INTO sessions (session_id) VALUES (?) RETURNING id").get(m.session_id) as { id: number }).id;
      ids.set(m.session_id, session);
    }
    insertMessage.run(m.external_id, session, m.created_at, m.sent_hash, m.sent_hash);
  }
  for (const table of ["v1_meta", "v1_sessions", "v1_messages"]) db.run(`DROP TABLE ${table}`);
}
