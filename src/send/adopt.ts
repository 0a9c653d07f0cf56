import type { OpenSyncClient, Outcome } from "../opensync/client.ts";
import type { SessionWork, StateStore } from "../state/store.ts";
import { matchLegacy } from "./legacy.ts";
import { heldExactly, outboxToCompare } from "./server-copy.ts";

/**
 * A session the server has though the state never sent it: the state was
 * lost (a new HOME, `logout --forget`), or claude-code-sync 0.1.x sent it.
 * Its messages are read from the server once, after the session's own write:
 * each it holds exactly as we would send it is recorded as sent (OpenSync
 * appends every re-sent text to the session's search text again), and 0.1.x's
 * are matched with ours, so ours update them in place. The rest goes as usual.
 * The same read goes before the messages of a session sent from here that the
 * server may hold already, left there by a write given up on
 * (StateStore.hasUnsureCopies).
 */
export interface Adopter {
  /** Whether the server had the session before this run wrote anything of it (one session list per run). */
  had(sessionId: string): Promise<Outcome<boolean>>;
  /** For a session it had: its messages are read and matched with ours. */
  adopt(work: SessionWork, serverSessionId: string): Promise<Outcome<void>>;
}

export function serverAdopter(store: StateStore, client: OpenSyncClient): Adopter {
  let before: Promise<Outcome<string[]>> | undefined;
  return {
    async had(sessionId) {
      before ??= client.once.listSessions();
      const listed = await before;
      if (listed.ok) return { ...listed, value: listed.value.includes(sessionId) };
      // A list too large for the server to read (heavy users): every session is looked at instead.
      if (listed.kind === "refused") return { ok: true, value: true, latencyMs: listed.latencyMs, status: listed.status ?? 500 };
      before = undefined;
      return listed;
    },
    async adopt(work, serverSessionId) {
      const detail = await client.once.getServerSession(serverSessionId);
      if (!detail.ok) return detail;
      const theirs = detail.value?.messages ?? [];
      const ours = outboxToCompare(store, work.key);
      const exact = heldExactly(ours, new Map(theirs.map((m) => [m.externalId, m])));
      const recorded = new Set(exact.map((m) => m.externalId));
      const aliases = matchLegacy(work.sessionId, ours.filter((m) => !recorded.has(m.externalId)), theirs);
      store.write(() => {
        exact.forEach((m) => store.markMessageSent(m.externalId, m.hash, m.createdAt));
        aliases.forEach((t, our) => store.setAlias(our, t.externalId, t.createdAt));
      });
      return { ...detail, value: undefined };
    },
  };
}
