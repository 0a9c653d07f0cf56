import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { processAlive } from "./process.ts";

/**
 * A file that names a running process by its pid; the file's time is the
 * process's heartbeat, so a holder killed without cleaning up (its pid
 * reused by another program after a reboot) looks stale once nobody touches it.
 */
/** A holder touches its file this often, and one nobody touched for STALE_MS is gone: several beats of slack. */
export const HEARTBEAT_MS = 15_000;
export const STALE_MS = 60_000;

export interface PidHolder {
  pid: number;
  touchedAt: number;
}

/** The holder; pid 0 (no process) when the file holds no pid (zeros or a torn write after a crash), so it can be taken over. */
export function readPidFile(path: string): PidHolder | undefined {
  try {
    const touchedAt = statSync(path).mtimeMs;
    const pid = Number(readFileSync(path, "utf8"));
    return { pid: Number.isSafeInteger(pid) && pid > 0 ? pid : 0, touchedAt };
  } catch {
    return undefined;
  }
}

/** The holder's process is alive and has beaten its heart within STALE_MS. */
export function isLivePid(h: PidHolder | undefined, now: number): boolean {
  return h !== undefined && h.pid > 0 && now - h.touchedAt < STALE_MS && processAlive(h.pid);
}

/** The pid the file names, if its process is alive and beat its heart lately. */
export function livePid(path: string, now: number): number | undefined {
  const h = readPidFile(path);
  return isLivePid(h, now) ? h?.pid : undefined;
}

const tmpFile = (path: string) => `${path}.${process.pid}.tmp`;

function writeTmp(path: string, pid: number): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = tmpFile(path);
  writeFileSync(tmp, String(pid), { mode: 0o600 });
  return tmp;
}

/** Creates the file, whole, only if it does not exist (a link, unlike a rename, never replaces one). */
export function createPidFile(path: string, pid: number): boolean {
  const tmp = writeTmp(path, pid);
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Names `pid` as the holder, replacing any; atomic, so a reader never sees a half-written file. */
export function writePidFile(path: string, pid: number): void {
  renameSync(writeTmp(path, pid), path);
}

/** The heartbeat; false when the file no longer names `pid` (taken over, or removed). */
export function touchPidFile(path: string, pid: number): boolean {
  if (readPidFile(path)?.pid !== pid) return false;
  try {
    const now = new Date();
    utimesSync(path, now, now);
    return true;
  } catch {
    return false;
  }
}

export function removePidFile(path: string, pid: number): void {
  if (readPidFile(path)?.pid === pid) rmSync(path, { force: true });
}
