import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appDir } from "../paths.ts";
import type { SyncRequest } from "./queue.ts";
import { TURN_OVER } from "./turn-over.ts";

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

function tmpFile(dir: string, name: string): string {
  return join(dir, `.${name}.${process.pid}.tmp`);
}

/**
 * Events that end a turn or the session, strongest last: a pass for them sends the responses still open
 * (hooks/pass.ts). A request replacing one of them keeps its event, unless it begins anew (BEGINS).
 */
const ENDS = [...TURN_OVER.keys()];
/** A prompt or a session beginning: what is open after them is being written, not complete. */
const BEGINS = ["UserPromptSubmit", "SessionStart"];

/**
 * A hook's request: replaces any waiting request of the session, and with it its backoff (there are new lines
 * to send). A turn's or the session's end waiting (a busy runner) is kept through a later event that begins
 * nothing (a background agent's SubagentStop right after the Stop): its pass would otherwise hold the open
 * responses a minute more. Costs a hook one read of a small file.
 */
export function enqueue(request: SyncRequest): void {
  const ended = BEGINS.includes(request.event) ? undefined : waitingEnd(requestPath(request.sessionId));
  writeQueued(fileName(request.sessionId), ended && ENDS.indexOf(ended) > ENDS.indexOf(request.event) ? { ...request, event: ended } : request);
}

/**
 * A request that never replaces one waiting (a late look's: a hook's own request, newer, reads the same files
 * and knows what its event closes). Returns whether it was queued.
 */
export function offer(request: SyncRequest): boolean {
  let queued = true;
  writeQueued(fileName(request.sessionId), request, (tmp, path) => {
    try {
      // A link, unlike a rename, never replaces a request a hook wrote meanwhile.
      linkSync(tmp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      queued = false;
    }
    rmSync(tmp, { force: true });
  });
  return queued;
}

const requestPath = (sessionId: string) => join(queueDir(), fileName(sessionId) + REQUEST);

/** Writes `value` whole beside its place in the queue folder (`name` and `.json`), then `place`s it there. */
export function writeQueued(name: string, value: unknown, place: (tmp: string, path: string) => void = renameSync): void {
  const dir = queueDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = tmpFile(dir, name);
  try {
    writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    place(tmp, join(dir, name + REQUEST));
  } catch (error) {
    // A full disk: no empty file is left behind in the queue.
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** The event of the session's waiting request, when it ends a turn or the session. */
function waitingEnd(path: string): string | undefined {
  try {
    const { event } = JSON.parse(readFileSync(path, "utf8")) as { event?: unknown };
    return typeof event === "string" && ENDS.includes(event) ? event : undefined;
  } catch {
    return undefined; // none waiting, or torn: the new request is written whole
  }
}
