import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appDir } from "../paths.ts";
import { processAlive } from "../runtime/process.ts";

/**
 * The hand-over from `hook <event>` (which must return at once) to the
 * background runner: one small file per session asking for a sync. A burst of
 * hooks for one session rewrites the same file, so it coalesces into one more
 * pass. The runner claims a file by renaming it, so a hook that fires during a
 * pass leaves a fresh request for the next one. A lost request only delays a
 * sync: the state is incremental, and the next pass or `sync` catches up.
 */
export interface SyncRequestFile {
  sessionId: string;
  event: string;
  at: number;
}

export interface Claim extends SyncRequestFile {
  path: string;
}

const REQUEST = ".json";
const CLAIMED = ".claimed-";

export function queueDir(): string {
  return join(appDir(), "queue");
}

function fileName(sessionId: string): string {
  // Session ids are UUIDs; anything else is made safe for a file name.
  return sessionId.replace(/[^A-Za-z0-9._-]/g, "_");
}

export function enqueue(request: SyncRequestFile): void {
  const dir = queueDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = fileName(request.sessionId);
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(request), { mode: 0o600 });
  renameSync(tmp, join(dir, name + REQUEST));
}


function list(): string[] {
  try {
    return readdirSync(queueDir());
  } catch {
    return [];
  }
}

/** Requests waiting (claims of dead runners count: they are taken over). */
export function hasRequests(): boolean {
  return list().some((n) => n.endsWith(REQUEST) || deadClaim(n));
}

function deadClaim(name: string): boolean {
  const i = name.indexOf(CLAIMED);
  return i > 0 && !processAlive(Number(name.slice(i + CLAIMED.length)));
}

/** Takes every waiting request (and those a killed runner had claimed). */
export function claimAll(pid = process.pid): Claim[] {
  const dir = queueDir();
  const claims: Claim[] = [];
  for (const name of list()) {
    if (!name.endsWith(REQUEST) && !deadClaim(name)) continue;
    const base = name.endsWith(REQUEST) ? name.slice(0, -REQUEST.length) : name.slice(0, name.indexOf(CLAIMED));
    const path = join(dir, `${base}${CLAIMED}${pid}`);
    try {
      renameSync(join(dir, name), path);
      const request = JSON.parse(readFileSync(path, "utf8")) as SyncRequestFile;
      if (typeof request.sessionId === "string") claims.push({ ...request, path });
      else rmSync(path, { force: true });
    } catch {
      // Another runner took it, or a torn file: nothing to do with it.
    }
  }
  return claims;
}

export function release(claims: Claim[]): void {
  for (const c of claims) rmSync(c.path, { force: true });
}

const runnerFile = () => join(appDir(), "runner.pid");

export function runnerAlive(): boolean {
  try {
    const pid = Number(readFileSync(runnerFile(), "utf8"));
    return pid > 0 && processAlive(pid);
  } catch {
    return false;
  }
}

export function markRunner(pid = process.pid): void {
  mkdirSync(appDir(), { recursive: true, mode: 0o700 });
  writeFileSync(runnerFile(), String(pid), { mode: 0o600 });
}

export function clearRunner(pid = process.pid): void {
  try {
    if (Number(readFileSync(runnerFile(), "utf8")) === pid) rmSync(runnerFile(), { force: true });
  } catch {}
}
