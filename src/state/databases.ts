import { Database } from "bun:sqlite";
import { readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileWriteError } from "../runtime/writable.ts";
import { SyncLock } from "./lock.ts";
import { StateStore, statePath } from "./store.ts";

/**
 * The state folder as a whole: one database per server URL ever synced to
 * (statePath), each with its -wal and -shm companions. Listing them shows
 * the ones of URLs no longer in use; removing them is `logout --forget`.
 */

interface StateDatabase {
  path: string;
  /** The server it belongs to, as recorded in its meta table; undefined for one made before URLs were recorded. */
  url: string | undefined;
  /** With its -wal and -shm files. */
  bytes: number;
  modifiedMs: number;
}

const COMPANIONS = ["", "-wal", "-shm"];

export function stateFolder(): string {
  return dirname(statePath(""));
}

/** Every state database, most recently written first; none when the folder does not exist yet. */
export function listStateDatabases(): StateDatabase[] {
  let names: string[];
  try {
    names = readdirSync(stateFolder()).filter((name) => name.endsWith(".db"));
  } catch {
    return [];
  }
  return names
    .map((name) => describe(join(stateFolder(), name)))
    .filter((db): db is StateDatabase => db !== undefined)
    .sort((a, b) => b.modifiedMs - a.modifiedMs);
}

/**
 * Whether any state records a session the server acknowledged, whichever server (`set`'s notes about the
 * sessions already synced). One that cannot be read counts as having some: a note too many is harmless.
 */
export function anySessionSent(): boolean {
  return listStateDatabases().some((db) => {
    let store: StateStore | undefined;
    try {
      store = StateStore.open(db.path);
      return store.sentSessionIds(1).length > 0;
    } catch {
      return true;
    } finally {
      store?.close();
    }
  });
}

/** Whether `db` is the state of `url` (compared by file name, so it holds for databases that never recorded a URL). */
export function isStateOf(db: StateDatabase, url: string | undefined): boolean {
  return url !== undefined && db.path === statePath(url);
}

function describe(path: string): StateDatabase | undefined {
  let bytes = 0;
  let modifiedMs = 0;
  for (const suffix of COMPANIONS) {
    try {
      const st = statSync(path + suffix);
      bytes += st.size;
      modifiedMs = Math.max(modifiedMs, st.mtimeMs);
    } catch {
      if (suffix === "") return undefined; // gone meanwhile
    }
  }
  return { path, url: recordedUrl(path), bytes, modifiedMs };
}

/** The URL in the meta table; undefined when not recorded or unreadable (damaged: `verify` reports that). */
function recordedUrl(path: string): string | undefined {
  let db: Database | undefined;
  try {
    db = new Database(path, { readwrite: true, create: false });
    db.run("PRAGMA busy_timeout = 2000");
    return (db.query("SELECT value FROM meta WHERE key = 'url'").get() as { value: string } | null)?.value;
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

/**
 * Deletes a state database and its companions, unless a running sync holds
 * it: then nothing is deleted and the holder's pid is returned. A database
 * too damaged to open is deleted all the same.
 */
export function removeStateDatabase(path: string): { removed: true } | { removed: false; busyPid: number } {
  const busyPid = runningSync(path);
  if (busyPid !== undefined) return { removed: false, busyPid };
  try {
    for (const suffix of COMPANIONS) rmSync(path + suffix, { force: true });
  } catch (error) {
    throw fileWriteError(error, path, "the sync state");
  }
  return { removed: true };
}

function runningSync(path: string): number | undefined {
  let store: StateStore;
  try {
    store = StateStore.open(path);
  } catch {
    return undefined;
  }
  try {
    const lock = new SyncLock(store);
    if (!lock.tryAcquire()) return lock.holder()?.pid ?? 0;
    lock.release();
    return undefined;
  } finally {
    store.close();
  }
}
