import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appDir } from "../paths.ts";
import type { SyncRequest } from "./queue.ts";

/*
 * The hook's side of the queue (queue.ts has the runner's). It loads no zod:
 * zod/mini takes about 7 ms to load, a third of the hook's own time, and
 * Claude Code waits for every hook. What a hook writes here is read back
 * through SyncRequestSchema by the runner before anything uses it.
 */

/**
 * A runner takes up a hook's request this long after it arrives (a waiting
 * runner), or after it was started (a new one): the hook exits first, with the
 * CPU to itself, since Claude Code waits for that exit; and hooks fired
 * together (Stop and SubagentStop...) are served in one pass.
 */
export const HANDOVER_MS = 30;

export const REQUEST = ".json";

export function queueDir(): string {
  return join(appDir(), "queue");
}

export function fileName(sessionId: string): string {
  // Session ids are UUIDs; anything else is made safe for a file name.
  return sessionId.replace(/[^A-Za-z0-9._-]/g, "_");
}

export function tmpFile(dir: string, name: string): string {
  return join(dir, `.${name}.${process.pid}.tmp`);
}

/** A hook's request: replaces any waiting request of the session, and with it its backoff (there are new lines to send). */
export function enqueue(request: SyncRequest): void {
  const dir = queueDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = fileName(request.sessionId);
  const tmp = tmpFile(dir, name);
  try {
    writeFileSync(tmp, JSON.stringify(request), { mode: 0o600 });
    renameSync(tmp, join(dir, name + REQUEST));
  } catch (error) {
    // A full disk: no empty file is left behind in the queue.
    rmSync(tmp, { force: true });
    throw error;
  }
}
