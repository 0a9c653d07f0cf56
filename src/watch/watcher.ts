import { join } from "node:path";
import { UserError } from "../errors.ts";
import { AuthError, TransientError } from "../opensync/errors.ts";
import type { StateStore } from "../state/store.ts";
import type { SyncReport } from "../sync/run-sync.ts";
import type { Origin } from "../report/failure.ts";
import { ChangeQueue } from "./change-queue.ts";
import { changeTarget } from "./change-target.ts";
import { eventsReliable, holdsLinks, watchTree } from "./fs-events.ts";
import { rescan } from "./rescan.ts";
import { clock, failureLine, syncLine } from "./sync-line.ts";

/** How often polled roots are listed (no events there, or events stopped working). */
export const POLL_MS = 2_000;
/** Roots with events are still listed this often: a missed event costs at most this delay. */
const SAFETY_RESCAN_MS = 60_000;
/** Folder events come in bursts (a new project folder, then its file): list the files once the burst is over. */
const RESCAN_DELAY_MS = 250;
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 120_000;

/**
 * A pass not made: "held" (nothing may be sent now: logged out, the key
 * refused, the config unusable; tried again every POLL_MS), "switched"
 * (other credentials, another server's state: a catch-up pass over
 * everything follows at once).
 */
export type PassSkipped = "held" | "switched";

interface WatchOptions {
  roots: string[];
  /** The state of the server synced to now (rescans compare the files with it). */
  store(): StateStore;
  /** One sync pass: these sessions, or everything when undefined. */
  sync(only: ReadonlySet<string> | undefined): Promise<SyncReport | PassSkipped>;
  /** Poll every root instead of using file-system events. */
  poll: boolean;
  /** A line about a sync (muted by --quiet). */
  log(line: string): void;
  /** A problem worth seeing even with --quiet. */
  warn(line: string): void;
  /** Whole session ids in the lines. */
  verbose?: boolean;
  /** Where the URL and key in use come from, for the fix a failure names. */
  origin?(): Origin;
}

interface Watcher {
  /** Settles once watching has ended: resolved after stop(), rejected by what ended it (a refused key, a wrong URL). */
  done: Promise<void>;
  /** Stops watching; the sync in progress, if any, finishes first. */
  stop(): void;
  /** A catch-up pass over everything, as soon as the pass in progress (if any) ends. */
  resync(): void;
}

/** A sleep that a file change or stop() cuts short. */
class Alarm {
  #wake: (() => void) | undefined;

  sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.ring(), ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  ring(): void {
    this.#wake?.();
  }
}

/**
 * Watches the transcript roots and syncs each changed session shortly after
 * its last write: a catch-up pass over everything first, then one pass at a
 * time over the sessions that are ready. Changes seen during a pass wait for
 * the next one; failed passes are retried with backoff.
 */
export function startWatcher(o: WatchOptions): Watcher {
  const queue = new ChangeQueue();
  const alarm = new Alarm();
  const closers: Array<() => void> = [];
  const polled = new Set<string>();
  const subagents = new Map<string, string>();
  let rescanTimer: ReturnType<typeof setTimeout> | undefined;
  /** A look when the first held session goes quiet: without it, it would wait for the next safety listing. */
  let quietLook: { at: number; timer: ReturnType<typeof setTimeout> } | undefined;
  let stopping = false;

  const touch = (sessionId: string) => {
    queue.touch(sessionId, Date.now());
    alarm.ring();
  };

  const lookWhenQuiet = (at: number | undefined) => {
    if (at === undefined || stopping || (quietLook && quietLook.at <= at)) return;
    clearTimeout(quietLook?.timer);
    const timer = setTimeout(() => {
      quietLook = undefined;
      look(o.roots);
    }, at - Date.now());
    quietLook = { at, timer };
  };

  const look = (roots: string[]) => {
    if (stopping || roots.length === 0) return;
    const found = rescan(roots, o.store());
    for (const [path, sessionId] of found.subagents) subagents.set(path, sessionId);
    for (const id of found.changed) touch(id);
    lookWhenQuiet(found.quietAt);
  };

  /** Roots whose changes events do not all report are listed every POLL_MS instead. */
  const eventsMiss = (root: string) => !eventsReliable(root) || holdsLinks(root);

  const rescanSoon = () => {
    rescanTimer ??= setTimeout(() => {
      rescanTimer = undefined;
      // A folder event may be a new link (a linked project folder): from then on that root is polled.
      for (const root of o.roots) if (eventsMiss(root)) polled.add(root);
      look(o.roots);
    }, RESCAN_DELAY_MS);
  };

  const onChange = (root: string, relative: string) => {
    const target = changeTarget(relative);
    if (target === "rescan") rescanSoon();
    else if (target && "agentFile" in target) {
      const sessionId = subagents.get(join(root, target.agentFile));
      if (sessionId) touch(sessionId);
      else rescanSoon();
    } else if (target) touch(target.session);
  };

  for (const root of o.roots) {
    if (o.poll || eventsMiss(root)) {
      polled.add(root);
      continue;
    }
    const close = watchTree(
      root,
      (relative) => onChange(root, relative),
      (reason) => {
        if (stopping) return;
        o.warn(`${clock()} file events stopped for ${root} (${reason}); checking it every ${POLL_MS / 1000} s instead.`);
        polled.add(root);
      },
    );
    closers.push(close);
  }

  /** Periodic listings start after the catch-up pass, which reads everything anyway. */
  const startTimers = () => {
    const poll = setInterval(() => look([...polled]), POLL_MS);
    const safety = setInterval(() => look(o.roots.filter((r) => !polled.has(r))), SAFETY_RESCAN_MS);
    closers.push(() => clearInterval(poll), () => clearInterval(safety));
  };

  let full = true;
  let failures = 0;
  let blockedUntil = 0;

  const retryLater = (only: string[] | undefined, error: Error) => {
    failures++;
    // A server that asked to wait (429 with Retry-After) is not asked again sooner, even past the usual longest pause.
    const asked = error instanceof TransientError ? (error.retryAfterMs ?? 0) : 0;
    const delay = Math.max(asked, Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (failures - 1)));
    blockedUntil = Date.now() + delay;
    if (only) queue.retryAt(only, blockedUntil);
    o.warn(failureLine(error, delay, new Date(), o.origin?.()));
  };

  /** Writes held back by the server's windows: each session is synced again when its window has passed. */
  const retryDeferred = (deferred: SyncReport["deferredSessions"]) => {
    for (const d of deferred) queue.retryAt([d.sessionId], d.readyAt);
  };

  const pass = async (only: string[] | undefined) => {
    try {
      const report = await o.sync(only && new Set(only));
      if (report === "held") {
        blockedUntil = Date.now() + POLL_MS;
        if (only) queue.retryAt(only, blockedUntil);
        return;
      }
      if (report === "switched") {
        failures = 0;
        return resync();
      }
      if (report.stoppedBy instanceof AuthError) throw report.stoppedBy;
      if (report.stoppedBy) return retryLater(only, report.stoppedBy);
      // Writes that failed every attempt of the pass (a flaky server): the pass is tried again, with backoff.
      if (report.unsentError) return retryLater(only, report.unsentError);
      failures = 0;
      if (!only) full = false;
      const line = syncLine(report, only, new Date(), o.verbose);
      if (line) o.log(line);
      retryDeferred(report.deferredSessions);
      // Writes given up on that the server may still apply: synced again once they are over (sync/unsure.ts).
      retryDeferred(report.unsureWrites);
      // And checked again when due, for one landing later still: a session nothing writes to gets no other pass.
      // (A check the server could not answer is put off by the sync itself: never due at once again.)
      retryDeferred(report.rechecks);
      // A response left open (or a session only its subagents wrote) goes once its files are quiet: looked at then.
      // Only the time is taken here; what is quiet already is left to the looks, so a session that stays held is no loop.
      if (report.beingWritten > 0 && !quietLook) lookWhenQuiet(rescan(o.roots, o.store()).quietAt);
    } catch (error) {
      // Exit code 1 is "try again later" (server out of reach, another sync holding the lock, disk full); 2 needs the user.
      if (error instanceof UserError && error.exitCode === 1) retryLater(only, error);
      else throw error;
    }
  };

  const loop = async () => {
    let timersStarted = false;
    while (!stopping) {
      const t = Date.now();
      const readyAt = blockedUntil > t ? blockedUntil : full ? t : queue.nextReady();
      if (readyAt === undefined || readyAt > t) {
        await alarm.sleep(readyAt === undefined ? undefined : readyAt - t);
        continue;
      }
      await pass(full ? undefined : queue.take(t));
      if (!timersStarted && !stopping) startTimers();
      timersStarted = true;
    }
  };

  const close = () => {
    stopping = true;
    clearTimeout(rescanTimer);
    clearTimeout(quietLook?.timer);
    for (const closer of closers.splice(0)) closer();
    alarm.ring();
  };

  const resync = () => {
    full = true;
    blockedUntil = 0;
    alarm.ring();
  };

  return { done: loop().finally(close), stop: close, resync };
}
