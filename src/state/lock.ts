import { UserError } from "../errors.ts";
import { processAlive } from "../runtime/process.ts";
import { randomHex } from "../runtime/random.ts";
import type { StateStore } from "./store.ts";

/**
 * A holder that has not beaten its heart for this long is gone (killed,
 * paused, machine slept through it). CLAUDE_CODE_SYNC_LOCK_STALE_MS shortens
 * it: a test hook (a paused sync taken over within seconds), not a setting.
 */
export const STALE_MS = Number(process.env.CLAUDE_CODE_SYNC_LOCK_STALE_MS) > 0 ? Number(process.env.CLAUDE_CODE_SYNC_LOCK_STALE_MS) : 120_000;
/** How often a holder proves it is alive: several times within the staleness. */
export const HEARTBEAT_MS = STALE_MS / 8;

/** This process lost the lock while it was paused (laptop sleep, Ctrl-Z): another sync took over. */
export class LockLostError extends UserError {
  constructor() {
    super("Another sync took over while this one was paused (the machine slept, or the process was stopped); this one stopped. Nothing was lost.", 1);
    this.name = "LockLostError";
  }
}

/**
 * Gives up the lock this process holds, when it must leave without its
 * SyncLock (a watch abandoning a sync stuck on the network): the next sync
 * need not wait for it to look stale. (The run's writes stay marked
 * unconfirmed: the next sync checks them against the server.)
 */
export function releaseHeldBy(store: StateStore, pid = process.pid): void {
  store.db.query("DELETE FROM lock WHERE id = 1 AND pid = ?").run(pid);
}

interface Holder {
  pid: number;
  token: string;
  heartbeat: number;
}

function lockHolder(store: StateStore): Holder | undefined {
  return (store.db.query("SELECT pid, token, heartbeat FROM lock WHERE id = 1").get() as Holder | null) ?? undefined;
}

/** Whether the holder is a sync running now: its process alive and its heart beating. */
const isLive = (held: Holder, now: number) => processAlive(held.pid) && now - held.heartbeat < STALE_MS;

/** The process id of a sync running now on this state, if one is (`status` says so). */
export function runningSyncPid(store: StateStore, now = Date.now()): number | undefined {
  const held = lockHolder(store);
  return held && isLive(held, now) ? held.pid : undefined;
}

/**
 * One sync at a time per state database: the hook's background runs, `watch`
 * and a manual `sync` take turns. The lock names its holder by a random
 * token, not only by pid (pids are reused), and a holder that stops beating
 * its heart is taken over. Once taken, every write transaction of the store
 * first checks that the token is still ours: a sync that was paused past the
 * staleness and woke up stops at its next write instead of sending
 * everything a second time.
 */
export class SyncLock {
  readonly token = randomHex(12);
  /**
   * Taken from a holder that never let go (killed, or paused past the
   * staleness): writes it had sent may be on the server with no record of
   * them in the state (reconcile.ts recoverUnrecorded).
   */
  tookOver = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly pid = process.pid,
  ) {}

  holder(): Holder | undefined {
    return lockHolder(this.store);
  }

  tryAcquire(now = Date.now()): boolean {
    const taken = this.store.db
      .transaction(() => {
        const held = this.holder();
        if (held && held.token !== this.token && isLive(held, now)) return false;
        if (held && held.token !== this.token) this.tookOver = true;
        this.store.db.query("INSERT OR REPLACE INTO lock (id, pid, token, heartbeat) VALUES (1, ?, ?, ?)").run(this.pid, this.token, now);
        return true;
      })
      .immediate();
    if (taken) this.hold();
    return taken;
  }

  /** Whether this lock is still ours (nobody took it over). */
  held(): boolean {
    return this.holder()?.token === this.token;
  }

  heartbeat(now = Date.now()): void {
    this.store.db.query("UPDATE lock SET heartbeat = ? WHERE id = 1 AND token = ?").run(now, this.token);
  }

  release(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.store.guardWrites(undefined);
    this.store.db.query("DELETE FROM lock WHERE id = 1 AND token = ?").run(this.token);
  }

  private hold(): void {
    this.store.guardWrites(() => {
      if (!this.held()) throw new LockLostError();
    });
    this.timer = setInterval(() => {
      try {
        this.heartbeat();
      } catch {
        // A full disk fails this write too; the run itself reports it.
      }
    }, HEARTBEAT_MS);
    this.timer.unref?.();
  }
}
