import { readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile } from "../runtime/json-file.ts";
import { z } from "../runtime/zod.ts";
import { REQUEST, enqueue, offer, queueDir } from "./enqueue.ts";

/**
 * The hand-over from `hook <event>` (which must return at once) to the
 * background runner: one small file per session asking for a sync. A burst of
 * hooks for one session rewrites the same file, so it coalesces into one more
 * pass. The runner claims a file by renaming it, so a hook that fires during a
 * pass leaves a fresh request for the next one. A request leaves the queue only
 * once a pass left nothing pending for its session: until then it is put back
 * with its retry schedule (src/hooks/schedule.ts).
 */
// Built when a request is first read: a sync with no queue (a manual sync, which only lists the queue folder) never builds it.
const SyncRequestSchema = z.lazy(() =>
  z.object({
    sessionId: z.string().check(z.minLength(1)),
    event: z.string(),
    /** When the latest hook for this work fired. */
    at: z.number(),
    transcriptPath: z.optional(z.string()),
    // Written by the runner when it puts a request back.
    /** When the work still pending was first asked for. */
    since: z.optional(z.number()),
    /** Failed passes since the latest hook. */
    attempts: z.optional(z.number()),
    /** When to try again; absent: now (a hook's request); null: at the next hook or the next runner's start. */
    nextAt: z.optional(z.nullable(z.number())),
    lastError: z.optional(z.string()),
    /** The bytes of the session's files (its transcript, its subagents') when the last pass read them: a look while they settle needs a pass only if they grew. */
    readSize: z.optional(z.number()),
    /** When work held back (the server's window, a response still open) is due whatever the files do: a look before it that finds them unchanged waits on. */
    readyAt: z.optional(z.number()),
    /** A late look's request (late-look.ts): the hook whose late looks left it. */
    after: z.optional(z.string()),
    /** The looks after a pass that ended past the files' settling (schedule.ts MAX_FOLLOWS). */
    follows: z.optional(z.number()),
  }),
);
export type SyncRequest = z.infer<typeof SyncRequestSchema>;

export interface Claim extends SyncRequest {
  path: string;
}

const CLAIMED = ".claimed-";

function list(): string[] {
  try {
    return readdirSync(queueDir());
  } catch {
    return [];
  }
}

const read = (path: string): SyncRequest | undefined => readJsonFile(path, SyncRequestSchema);

/** The requests waiting (not those being served). */
export function waiting(): SyncRequest[] {
  return list()
    .filter((n) => n.endsWith(REQUEST) && !n.startsWith("."))
    .flatMap((n) => read(join(queueDir(), n)) ?? []);
}

/**
 * Whether a runner has work here: a request claimed by one that never finished (killed: its claims wait for the
 * next runner), or one waiting for its time (not parked until the next hook or login).
 */
export function runnerWorkLeft(): boolean {
  return list().some((n) => n.includes(CLAIMED)) || waiting().some((r) => r.nextAt !== null);
}

/**
 * After a login: the requests parked until the user acted (a refused key, no
 * login) are asked for again as their hook asked (a runner waiting for more
 * wakes on a hook's request, not on a parked one). Returns how many.
 */
export function requeueParked(now = Date.now()): number {
  const parked = waiting().filter((r) => r.nextAt === null);
  for (const r of parked) enqueue({ sessionId: r.sessionId, event: r.event, at: now, ...(r.transcriptPath ? { transcriptPath: r.transcriptPath } : {}) });
  return parked.length;
}

/**
 * Takes the requests `take` accepts, and those another runner had claimed: the
 * runner that calls this holds the runner lock, so another runner's claims are
 * those of one that died or was judged stale. Those come first, so that a
 * waiting request of the same session (newer) is the one kept.
 */
export function claim(take: (request: SyncRequest) => boolean, pid = process.pid): Claim[] {
  const dir = queueDir();
  const names = list();
  const orphans = names.filter((n) => n.includes(CLAIMED) && !n.endsWith(`${CLAIMED}${pid}`));
  const claims = new Map<string, Claim>();
  for (const name of [...orphans, ...names.filter((n) => n.endsWith(REQUEST) && !n.startsWith("."))]) {
    const from = join(dir, name);
    const isOrphan = name.includes(CLAIMED);
    if (!isOrphan) {
      const request = read(from);
      if (request && !take(request)) continue;
    }
    const base = isOrphan ? name.slice(0, name.indexOf(CLAIMED)) : name.slice(0, -REQUEST.length);
    const path = join(dir, `${base}${CLAIMED}${pid}`);
    try {
      renameSync(from, path);
    } catch {
      continue; // another runner took it
    }
    const request = read(path);
    if (request) claims.set(base, { ...request, path });
    else rmSync(path, { force: true }); // torn or foreign: nothing to serve
  }
  return [...claims.values()];
}

/** Served: nothing pending for the session. */
export function done(claim: Claim): void {
  rmSync(claim.path, { force: true });
}

/**
 * Back into the queue with its schedule, unless a hook left a newer request
 * meanwhile: that one wins (new lines, backoff reset).
 */
export function putBack(claim: Claim, next: SyncRequest): void {
  try {
    offer(next);
  } catch {
    return; // A full disk...: the claim stays, and the next runner takes it over.
  }
  rmSync(claim.path, { force: true });
}
