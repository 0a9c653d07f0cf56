import type { StateStore } from "./store.ts";
import { processAlive } from "../runtime/process.ts";

/** A holder that has not beaten its heart for this long is gone (killed, machine slept through it). */
export const STALE_MS = 120_000;


/**
 * One sync at a time per state database: the hook's background runs and a
 * manual `sync` take turns. A lock whose process died is taken over.
 */
export function tryLock(store: StateStore, pid = process.pid, now = Date.now()): boolean {
  return store.db
    .transaction(() => {
      const held = store.db.query("SELECT pid, heartbeat FROM lock WHERE id = 1").get() as { pid: number; heartbeat: number } | null;
      if (held && held.pid !== pid && processAlive(held.pid) && now - held.heartbeat < STALE_MS) return false;
      store.db.query("INSERT OR REPLACE INTO lock (id, pid, heartbeat) VALUES (1, ?, ?)").run(pid, now);
      return true;
    })
    .immediate();
}

export function heartbeat(store: StateStore, pid = process.pid, now = Date.now()): void {
  store.db.query("UPDATE lock SET heartbeat = ? WHERE id = 1 AND pid = ?").run(now, pid);
}

export function unlock(store: StateStore, pid = process.pid): void {
  store.db.query("DELETE FROM lock WHERE id = 1 AND pid = ?").run(pid);
}

export function lockHolder(store: StateStore): number | undefined {
  return (store.db.query("SELECT pid FROM lock WHERE id = 1").get() as { pid: number } | null)?.pid;
}
