import { mayHoldKey } from "../plan/hash.ts";

/**
 * OpenSync's re-send windows (../shared/opensync-contract.md), as when a
 * write may go. Pure: the sender asks, passing the time.
 */

/** A message re-send is ignored until 5 s after its createdAt, by the server's clock; wait a little longer (its estimate's error). */
export const MESSAGE_WINDOW_MS = 6_000;
/** A session update that changes neither title, model, path nor tokens is dropped within 10 s of the session's last write. */
export const SESSION_WINDOW_MS = 11_000;

/**
 * When (local time) an update of a message the server has may go: its window
 * runs from the createdAt the server stored (clamped to the server's time at
 * the first send, so a clock ahead of the server never holds it back for
 * hours), by the server's clock: `offset` is server time - local time
 * (server-clock.ts; 0 or negative).
 */
export function messageReadyAt(m: { createdAt: number; sentHash: string | null }, now: number, offset = 0): number {
  if (m.sentHash === null) return now; // new: the window does not apply
  return Math.max(now, Math.min(m.createdAt, now + offset) + MESSAGE_WINDOW_MS - offset);
}

/**
 * When a session update may go: at once unless the server has the session,
 * a copy it may hold differs from it only in fields the window ignores (same
 * window key: `sentKey` lists those copies' keys, plan/hash.ts), and it was
 * written less than the window ago.
 */
export function sessionReadyAt(s: { sentHash: string | null; sentKey: string | null; writtenAt: number | null }, nextKey: string, now: number): number {
  if (s.sentHash === null || !mayHoldKey(s.sentKey, nextKey) || s.writtenAt === null) return now;
  return Math.max(now, Math.min(s.writtenAt, now) + SESSION_WINDOW_MS);
}
