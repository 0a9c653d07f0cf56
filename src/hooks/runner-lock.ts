import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appDir } from "../paths.ts";
import { processAlive } from "../runtime/process.ts";

/**
 * One background runner per user: `runner.pid` names it. A hook creates the
 * file exclusively (O_EXCL) before starting a runner, so a burst of hooks
 * starts one. The runner touches the file every HEARTBEAT_MS; a file whose
 * process is gone, or that nobody touched for STALE_MS (its process id now
 * names another program: a reboot, a killed runner), is taken over.
 */
export const HEARTBEAT_MS = 15_000;
export const STALE_MS = 60_000;
/** A hook taking over a stale lock holds this meanwhile; one older than this was left by a hook that died. */
const TAKEOVER_STALE_MS = 10_000;

export const runnerFile = () => join(appDir(), "runner.pid");
const takeoverFile = () => `${runnerFile()}.takeover`;

interface Holder {
  pid: number;
  touchedAt: number;
}

function holder(): Holder | undefined {
  try {
    const path = runnerFile();
    const touchedAt = statSync(path).mtimeMs;
    return { pid: Number(readFileSync(path, "utf8")), touchedAt };
  } catch {
    return undefined;
  }
}

function live(h: Holder | undefined, now: number): boolean {
  return h !== undefined && h.pid > 0 && now - h.touchedAt < STALE_MS && processAlive(h.pid);
}

export function runnerAlive(now = Date.now()): boolean {
  return live(holder(), now);
}

const tmpFile = (path: string) => `${path}.${process.pid}.tmp`;

/** Creates the file, whole, only if it does not exist (a link, unlike a rename, never replaces one). */
function create(path: string, pid: number): boolean {
  const tmp = tmpFile(path);
  writeFileSync(tmp, String(pid), { mode: 0o600 });
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

/**
 * True when this process now holds the runner lock (and must start a runner),
 * false when a live runner (or another hook starting one) holds it.
 */
export function claimRunner(pid = process.pid): boolean {
  mkdirSync(appDir(), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(runnerFile(), pid)) return true;
    const stale = holder();
    if (stale === undefined) continue; // released meanwhile
    if (live(stale, Date.now())) return false;
    // Stale: replaced by one hook at a time, and only if it is still the same stale file.
    if (!create(takeoverFile(), pid)) {
      if (!clearDeadTakeover()) return false;
      continue;
    }
    try {
      const now = holder();
      if (now?.pid === stale.pid && now.touchedAt === stale.touchedAt) rmSync(runnerFile(), { force: true });
    } finally {
      rmSync(takeoverFile(), { force: true });
    }
  }
  return false;
}

/** Removes a takeover mark left by a hook that died holding it; false while another hook may still hold it. */
function clearDeadTakeover(): boolean {
  try {
    if (Date.now() - statSync(takeoverFile()).mtimeMs < TAKEOVER_STALE_MS) return false;
    rmSync(takeoverFile(), { force: true });
  } catch {}
  return true;
}

/** Names `pid` (the runner a hook just started) as the holder; atomic, so a reader never sees a half-written file. */
export function markRunner(pid: number): void {
  const tmp = tmpFile(runnerFile());
  writeFileSync(tmp, String(pid), { mode: 0o600 });
  renameSync(tmp, runnerFile());
}

/**
 * Whether this runner holds the lock. The hook that started it may not have
 * named it yet: the lock then names that hook, its parent, and is adopted.
 */
export function holdsRunner(pid = process.pid, parent = process.ppid): boolean {
  const h = holder();
  if (h?.pid === pid) return true;
  if (h?.pid !== parent) return false;
  markRunner(pid);
  return holder()?.pid === pid;
}

/** The heartbeat; false when the lock is no longer this runner's (it was judged stale and taken over). */
export function touchRunner(pid = process.pid): boolean {
  if (holder()?.pid !== pid) return false;
  try {
    const now = new Date();
    utimesSync(runnerFile(), now, now);
    return true;
  } catch {
    return false;
  }
}

export function releaseRunner(pid = process.pid): void {
  if (holder()?.pid === pid) rmSync(runnerFile(), { force: true });
}
