import type { ShownTokens } from "../fold/summarize.ts";
import type { OpenSyncClient } from "../opensync/client.ts";
import { MAX_LIST_LIMIT, type ServerSession } from "../opensync/read-api.ts";
import type { StateStore } from "../state/store.ts";
import { heldExactly, outboxToCompare, serverCopy } from "./server-copy.ts";

/**
 * The server, not our state, is the truth about what it holds: a user
 * deletes sessions in the dashboard, OpenSync's "delete all data" leaves
 * nothing, a new deployment starts empty. What the state says was sent but
 * the server lacks is marked unsent here, so the next read (a `--full` one
 * reads everything) sends it again.
 */
export interface Reconciled {
  /** Sessions the state says were sent. */
  sent: number;
  /** Of those, sessions the server does not have (all their messages are sent again). */
  sessionsMissing: number;
  /** Messages missing from sessions the server has only in part. */
  messagesMissing: number;
}

/** How many of the sessions we sent the server lacks; nothing is changed (verify, status). */
async function missingSessions(store: StateStore, client: OpenSyncClient): Promise<{ sent: number; missing: string[] }> {
  const sent = store.sentSessionIds();
  const onServer = await serverSessionIds(client, sent.length);
  return { sent: sent.length, missing: sent.filter((id) => !onServer.has(id)) };
}

/**
 * The unpaginated list; for a user with so many sessions that the server
 * cannot read them in one query, the newest MAX_LIST_LIMIT from the read API
 * (then older sessions are taken to be there).
 */
async function serverSessionIds(client: OpenSyncClient, needed: number): Promise<Set<string>> {
  const listed = await client.once.listSessions();
  if (listed.ok) return new Set(listed.value);
  if (listed.kind !== "refused" || needed <= MAX_LIST_LIMIT) throw listed.error;
  return new Set((await client.listServerSessions({ limit: MAX_LIST_LIMIT })).map((s) => s.externalId));
}

/**
 * The server's totals of the sessions it holds (the newest MAX_LIST_LIMIT),
 * for a new state (created, lost and made again, reset for another account):
 * it cannot say in which of two sessions the server counts the responses they
 * share (a resumed copy and its original); those totals can. Undefined when
 * the server holds nothing (the state is then settled: all the server will hold
 * it sends itself), or cannot say: for now (asked again next time; the sending
 * meets the same problem and says so), or ever (settled: placed by path). With
 * each, the server's id of the session (its copy is read by that: early-adopt.ts).
 */
export async function serverTotalsForNewState(store: StateStore, client: OpenSyncClient): Promise<Map<string, ShownTokens & { serverId: string }> | undefined> {
  // One attempt: a server out of reach is met, and said, by the sending.
  const listed = await client.once.listServerSessions({ limit: MAX_LIST_LIMIT });
  if (!listed.ok) {
    // A server whose read API cannot answer this (none, or a list too large to read) never will: asking every sync would cost each a request.
    if (listed.kind === "refused" || listed.kind === "final-url") store.markSettled();
    return undefined;
  }
  if (listed.value.length === 0) {
    store.markSettled();
    return undefined;
  }
  return new Map(listed.value.map((s) => [s.externalId, { promptTokens: s.promptTokens, completionTokens: s.completionTokens, serverId: s.id }]));
}

/** Sessions the server holds with fewer messages than were sent to it from here: some were lost there (its copy says which). */
export function heldInPart(store: StateStore, listed: ServerSession[]): ServerSession[] {
  return listed.filter((s) => s.messageCount < store.sentMessages(s.externalId).length);
}

export async function reconcile(store: StateStore, client: OpenSyncClient, now = Date.now()): Promise<Reconciled> {
  const { sent, missing } = await missingSessions(store, client);
  // Ids this run sends lost messages under: new ones, unique to this reconciliation.
  const rekey = now.toString(36);
  store.write(() => missing.forEach((id) => store.forgetSentSession(id, rekey)));
  let messagesMissing = 0;
  // Sessions the server has in part: its message count says so, its copy says which.
  const gone = new Set(missing);
  const listed = await client.listServerSessions({ limit: MAX_LIST_LIMIT });
  for (const s of heldInPart(store, listed.filter((s) => !gone.has(s.externalId)))) {
    messagesMissing += await forgetWhatServerLacks(store, client, s.externalId, s.id, rekey);
  }
  return { sent, sessionsMissing: missing.length, messagesMissing };
}

/**
 * The messages of a session sent before that its server copy lacks are
 * marked unsent, under new ids, and the session is read again (their
 * payloads are not kept once sent), so the next read sends them. Returns how
 * many.
 */
async function forgetWhatServerLacks(store: StateStore, client: OpenSyncClient, sessionId: string, serverId: string, rekey: string): Promise<number> {
  const held = await serverCopy(client, serverId);
  const lost = store
    .sentMessages(sessionId)
    .filter((m) => !held.has(m.alias ?? m.externalId))
    .map((m) => m.externalId);
  if (lost.length === 0) return 0;
  store.write(() => {
    store.forgetSentMessages(lost, rekey);
    store.rereadSession(sessionId);
  });
  return lost.length;
}

/**
 * Sessions the server made anew while this run wrote them (SendOutcome.recreated):
 * what it lost with them is marked to go again, as `reconcile` does for
 * sessions it finds in part, then their new ids are recorded. Returns the
 * sessions with messages to send again.
 */
export async function restoreRecreated(
  store: StateStore,
  client: OpenSyncClient,
  recreated: ReadonlyArray<{ sessionId: string; serverId: string }>,
  now = Date.now(),
): Promise<Set<string>> {
  const rekey = now.toString(36);
  const again = new Set<string>();
  for (const { sessionId, serverId } of recreated) {
    if ((await forgetWhatServerLacks(store, client, sessionId, serverId, rekey)) > 0) again.add(sessionId);
    store.write(() => store.setServerId(sessionId, serverId));
  }
  return again;
}

/** The sent hash of a session found on the server after a killed run: no payload's hash, so the session's own still goes. */
const CREATED_UNRECORDED = "unrecorded";

/** Every session with work, one with a refused message included: what the server holds is recorded whatever we made of it. */
const ANY_TIME = Number.MAX_SAFE_INTEGER;

/**
 * After a run that ended without letting go of the state (killed, or paused
 * and taken over): acknowledgements are recorded in batches, so messages it
 * wrote may be on the server with no record of it, and a plain re-send would
 * add their text to the session's search text a second time. The outbox is
 * checked against the server's copy of each session it has: a message held
 * exactly as it would be sent is recorded as sent, and a session it created
 * as on the server. Anything else is sent as usual. Returns how many
 * messages were recorded.
 */
export async function recoverUnrecorded(store: StateStore, client: OpenSyncClient): Promise<number> {
  const work = store.sessionsWithWork({ retryFailedBefore: ANY_TIME });
  if (work.length === 0) return 0;
  const onServer = new Map((await client.listServerSessions({ limit: MAX_LIST_LIMIT })).map((s) => [s.externalId, s]));
  let recorded = 0;
  for (const w of work) {
    const server = onServer.get(w.sessionId);
    if (!server) continue;
    // Written by the killed run after what was recorded: an update that changes only what the server's window ignores waits from this write.
    if (w.sentHash !== null && (w.writtenAt ?? 0) < server.updatedAt) store.write(() => store.markWritten(w.key, server.updatedAt));
    // Created by the killed run: its next write is an update, not a first write (made without totals, over those the server has).
    if (w.sentHash === null) {
      store.write(() => store.markSessionSent(w.key, { hash: CREATED_UNRECORDED, windowKey: "", at: server.updatedAt, serverId: server.id, createdAt: server.createdAt }));
    }
    if (server.messageCount === 0) continue;
    const held = await serverCopy(client, server.id);
    const found = heldExactly(outboxToCompare(store, w.key), held);
    store.write(() => found.forEach((m) => store.markMessageSent(m.externalId, m.hash, m.createdAt)));
    recorded += found.length;
  }
  return recorded;
}
