import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { appDir } from "../paths.ts";
import { createPidFile, isLivePid, livePid, readPidFile, removePidFile, touchPidFile, writePidFile } from "../runtime/pid-file.ts";

/**
 * One background runner per user: `runner.pid` names it. A hook creates the
 * file exclusively (O_EXCL) before starting a runner, so a burst of hooks
 * starts one. The runner touches the file every HEARTBEAT_MS; a file whose
 * process is gone, or that nobody touched for STALE_MS (its process id now
 * names another program: a reboot, a killed runner), is taken over.
 */
export { HEARTBEAT_MS, STALE_MS } from "../runtime/pid-file.ts";
/** A hook taking over a stale lock holds this meanwhile; one older than this was left by a hook that died. */
const TAKEOVER_STALE_MS = 10_000;

export const runnerFile = () => join(appDir(), "runner.pid");
const takeoverFile = () => `${runnerFile()}.takeover`;

const holder = () => readPidFile(runnerFile());

/** The pid of the background runner running now, if one is. */
export function runningRunnerPid(now = Date.now()): number | undefined {
  return livePid(runnerFile(), now);
}

export function runnerAlive(now = Date.now()): boolean {
  return runningRunnerPid(now) !== undefined;
}

/**
 * True when this process now holds the runner lock (and must start a runner),
 * false when a live runner (or another hook starting one) holds it.
 */
export function claimRunner(pid = process.pid): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createPidFile(runnerFile(), pid)) return true;
    const stale = holder();
    if (stale === undefined) continue; // released meanwhile
    if (isLivePid(stale, Date.now())) return false;
    // Stale: replaced by one hook at a time, and only if it is still the same stale file.
    if (!createPidFile(takeoverFile(), pid)) {
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

/** Names `pid` (the runner a hook just started) as the holder. */
export const markRunner = (pid: number) => writePidFile(runnerFile(), pid);

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
export const touchRunner = (pid = process.pid) => touchPidFile(runnerFile(), pid);

export const releaseRunner = (pid = process.pid) => removePidFile(runnerFile(), pid);
