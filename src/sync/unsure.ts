import type { OpenSyncClient } from "../opensync/client.ts";
import type { SessionPayload } from "../opensync/payload.ts";
import { holdsRecord } from "../send/server-copy.ts";
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
 * Once over, a session's writes given up on are checked again at later syncs (a write may land later than it
 * is taken to: a request held by a proxy): after one more such time, then twice as long each time, this many
 * times (30 s to about 17 hours apart by default, a day and a half in all). Each check costs one read of the
 * session from the server, and a sync only when one is due.
 */
const RECHECKS = 12;

/** When the check after `done` checks (of a write over at `now`) is due; after the last, it is forgotten instead. */
export const recheckAt = (now: number, unsureMs: number, done: number): number => now + unsureMs * 2 ** done;

/**
 * Settles the sessions (of `only`) whose writes given up on are over by `now`: their record is due again,
 * and those whose messages go again are to be read again (StateStore.settleUnsure). One transaction: a run
 * killed after it finds them pending. Then checks again those of `only` due a check (recheck). Returns the
 * sessions settled or checked.
 */
export async function settleDue(store: StateStore, client: OpenSyncClient, only: ReadonlySet<string> | undefined, now: number, unsureMs: number): Promise<string[]> {
  const due = store.unsureSessions(only).filter((s) => s.readyAt <= now).map((s) => s.sessionId);
  if (due.length > 0) store.write(() => due.forEach((id) => store.settleUnsure(id, now + unsureMs)));
  // Checked often enough: forgotten (StateStore.dropRechecked). The table is empty unless a write was given up on.
  if (store.rechecked(only).length > 0) store.write(() => store.dropRechecked(RECHECKS));
  const checked: string[] = [];
  const dueChecks = store.rechecked(only).filter((s) => s.nextAt <= now);
  for (const { sessionId } of dueChecks) {
    if (await recheck(store, client, sessionId, now, unsureMs)) {
      checked.push(sessionId);
      continue;
    }
    // A server that cannot show one now is not asked for the others: each is asked once more such time has passed.
    const left = dueChecks.slice(checked.length).map((s) => s.sessionId);
    store.write(() => left.forEach((id) => store.postponeRechecks(id, now + unsureMs)));
    break;
  }
  return [...due, ...checked];
}

/**
 * A late write of the session's record puts back older totals: the server's copy is read (one request) and
 * the record goes again if it differs. Its messages are read again, and compared with the server's copy
 * before they go (StateStore.hasUnsureCopies). A server that cannot show it now is asked at the next sync.
 */
async function recheck(store: StateStore, client: OpenSyncClient, sessionId: string, now: number, unsureMs: number): Promise<boolean> {
  const record = store.recheckedRecord(sessionId);
  let landedAt: number | undefined;
  if (record) {
    const read = await client.once.getServerSession(record.serverId);
    if (!read.ok) return false;
    const held = read.value?.session;
    // In local time, for the 10 s window its landing opened (the server's clock is taken to be behind, if anything).
    if (held && !holdsRecord(held, JSON.parse(record.payload) as Omit<SessionPayload, "createdAt">)) landedAt = held.updatedAt - client.serverClock.offset();
  }
  store.write(() => store.recheckUnsure(sessionId, landedAt, (done) => recheckAt(now, unsureMs, done)));
  return true;
}
