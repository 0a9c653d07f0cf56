/** A session waits this long after its last write, so a burst of lines is sent in one sync. */
export const QUIET_MS = 1_000;
/** A session written without a pause is still synced this often. */
export const MAX_WAIT_MS = 10_000;

interface Pending {
  /** First change not synced yet. */
  first: number;
  /** Latest change. */
  last: number;
  /** Not before this time (a retry waiting for the server's re-send window). */
  notBefore: number;
}

/**
 * Which changed sessions are ready to sync: quiet for QUIET_MS, or changing
 * for MAX_WAIT_MS already. Pure bookkeeping; the caller passes the time.
 */
export class ChangeQueue {
  readonly #pending = new Map<string, Pending>();

  /** A write to the session's files was seen at `now`: new lines go out without waiting for an earlier retry time. */
  touch(sessionId: string, now: number): void {
    const p = this.#pending.get(sessionId);
    if (p) Object.assign(p, { last: now, notBefore: 0 });
    else this.#pending.set(sessionId, { first: now, last: now, notBefore: 0 });
  }

  /** Sync these again at `at` (or later, if they change meanwhile). */
  retryAt(sessionIds: Iterable<string>, at: number): void {
    for (const id of sessionIds) {
      const p = this.#pending.get(id);
      if (p) p.notBefore = Math.max(p.notBefore, at);
      else this.#pending.set(id, { first: at, last: at - QUIET_MS, notBefore: at });
    }
  }

  /** Removes and returns the sessions ready at `now`. */
  take(now: number): string[] {
    const ready = [...this.#pending].filter(([, p]) => readyAt(p) <= now).map(([id]) => id);
    for (const id of ready) this.#pending.delete(id);
    return ready;
  }

  /** When the next session becomes ready; undefined when none waits. */
  nextReady(): number | undefined {
    let next: number | undefined;
    for (const p of this.#pending.values()) next = Math.min(next ?? Number.POSITIVE_INFINITY, readyAt(p));
    return next;
  }
}

function readyAt(p: Pending): number {
  return Math.max(p.notBefore, Math.min(p.last + QUIET_MS, p.first + MAX_WAIT_MS));
}
