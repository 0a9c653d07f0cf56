import { Database } from "bun:sqlite";
import { chmodSync, existsSync, lstatSync, mkdirSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import { UserError } from "../errors.ts";
import { refusedWriteFix, writeBlockers } from "../runtime/writable.ts";
import { migrate } from "./schema.ts";

/** How long a statement waits for another process's write to finish before giving up. */
const BUSY_TIMEOUT_MS = 30_000;

/**
 * Opens (creating and migrating as needed) a state database. WAL, so the
 * hook's background sync, a manual sync and `status` can share it; every
 * write transaction of ours is IMMEDIATE, so a second process waits for the
 * first instead of failing with "database is locked".
 *
 * The path is never followed through a symbolic link, and only files this
 * call creates get their mode set: a state path that points elsewhere must
 * not make us change (or chmod) somebody else's file.
 */
export function openDatabase(path: string): Database {
  try {
    refuseSymlink(path);
    const dir = dirname(path);
    if (!existsSync(dir)) {
      const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (first) chmodSync(first, 0o700);
    }
    const created = !existsSync(path);
    const db = new Database(path, { create: true, strict: true });
    if (created) chmodSync(path, 0o600);
    db.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // auto_vacuum must be set before the first table exists; migrate() sets it for older files.
    if (created) db.run("PRAGMA auto_vacuum = INCREMENTAL");
    db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    migrate(db);
    return db;
  } catch (error) {
    throw stateError(error, path);
  }
}

function refuseSymlink(path: string): void {
  let link = false;
  try {
    link = lstatSync(path).isSymbolicLink();
  } catch {
    return; // does not exist yet
  }
  if (link) {
    throw new UserError(
      `The sync state at ${path} is a symbolic link; claude-code-sync does not write through links. Remove it (rm ${path}) and run the sync again: the state is rebuilt.`,
      2,
    );
  }
}

/** SQLite failures a user can meet, as what to do about them. */
export function stateError(error: unknown, path: string): Error {
  if (error instanceof UserError) return error;
  const code = (error as { code?: string }).code ?? "";
  const text = (error as Error).message ?? String(error);
  // A full disk also shows as an I/O error: opening a state whose shared-memory file must be made again.
  if (code.startsWith("SQLITE_FULL") || /disk is full|ENOSPC/.test(text) || (code.startsWith("SQLITE_IOERR") && diskIsFull(path))) {
    return diskFullError(path);
  }
  // A state the system refuses to change (an immutable flag, a file made read-only meanwhile) may show as an I/O or
  // a locking-protocol error (WAL's shared memory) rather than SQLITE_READONLY: said as what it is, with its fix.
  if (/^SQLITE_(IOERR|PROTOCOL|READONLY|CANTOPEN)/.test(code) && STATE_FILES.some((suffix) => writeBlockers(path + suffix).length > 0)) {
    return notWritable(path, text);
  }
  if (code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_PROTOCOL")) {
    return new UserError(`Reading or writing the sync state at ${path} failed (${code}: ${text}). Check that disk (its space, the system log) and run the sync again; nothing was lost.`, 1, "state-io-error");
  }
  if (code.startsWith("SQLITE_BUSY") || /database is locked/.test(text)) {
    return new UserError(`The sync state at ${path} stayed locked by another claude-code-sync process for ${BUSY_TIMEOUT_MS / 1000} s; nothing was lost.`, 1, "state-locked", "Try again when it has finished.");
  }
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN") || /EACCES|EROFS|EPERM|readonly/i.test(text)) return notWritable(path, text);
  if (code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB")) {
    return new UserError(
      `The sync state at ${path} is damaged. Move it aside (mv ${path} ${path}.broken) and run \`claude-code-sync sync\`: it rebuilds the state, and the server keeps one copy of each message.`,
      2,
      STATE_DAMAGED,
    );
  }
  return error instanceof Error ? error : new Error(text);
}

/** The database and the files SQLite makes beside it in WAL mode. */
const STATE_FILES = ["", "-wal", "-shm"];

function notWritable(path: string, text: string): UserError {
  return new UserError(`Cannot write the sync state at ${path} (${text}). To fix, ${refusedWriteFix(path)}; nothing was lost.`, 2, "state-not-writable");
}

export function diskFullError(path: string): UserError {
  return new UserError(`The disk holding ${path} is full. Free some space and run the sync again; nothing was lost.`, 1, "state-disk-full");
}

/** The code of a state that cannot be read: the one failure moving the state aside fixes. */
export const STATE_DAMAGED = "state-damaged";

/** Whether the disk holding `path` (a file in an existing folder) has less than 1 MiB left for us: a sync there fails. */
export function diskIsFull(path: string): boolean {
  try {
    const { bavail, bsize } = statfsSync(dirname(path));
    return bavail * bsize < 1 << 20;
  } catch {
    return false;
  }
}

