import type { StateStore } from "../state/store.ts";

/**
 * Writes given up on with their outcome unknown (no answer in time, a
 * connection lost after the body went). The server may still apply one, and
 * after a newer write of the same item: it serialises each user's writes, but
 * a request still on its way (a slow proxy, a server that queued it) is
 * applied whenever it arrives, putting back older totals or older text that
 * nothing would send again. So the sender records each (StateStore.markUnsure),
 * a run after one killed with writes on their way counts what was pending
 * (StateStore.markPendingUnsure), and once such a write must be over, the
 * item's latest copy goes again, once.
 */

/**
 * How long after it was given up on such a write is taken as over: two of the
 * client's timeouts (30 s by default). A write that has not arrived by then is
 * taken as lost: nothing bounds a network's delays, this bounds the wait.
 */
export const unsureForMs = (timeoutMs: number) => 2 * timeoutMs;

/**
 * Settles the sessions (of `only`) whose writes given up on are over by `now`:
 * their record is due again, and those whose messages go again are to be read
 * again (StateStore.settleUnsure). One transaction: a run killed after it
 * finds them pending. Returns the sessions settled.
 */
export function settleDue(store: StateStore, only: ReadonlySet<string> | undefined, now: number): string[] {
  const due = store.unsureSessions(only).filter((s) => s.readyAt <= now).map((s) => s.sessionId);
  if (due.length > 0) store.write(() => due.forEach((id) => store.settleUnsure(id)));
  return due;
}
