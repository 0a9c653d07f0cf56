import type { OpenSyncClient, Outcome } from "../opensync/client.ts";
import type { SessionWork, StateStore } from "../state/store.ts";
import { type OwnMessage, matchLegacy, matchable, sentByLegacy } from "./legacy.ts";
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
  /**
   * For a session it had: its messages are read and matched with ours. Resolves to the outbox bytes of
   * those recorded as sent (they leave the outbox as a sent one does: the read waits on it, backlog.ts).
   * `outboxBytes`, the session's outbox (StateStore.outboxBytes), when the caller has it already.
   */
  adopt(work: SessionWork, serverSessionId: string, outboxBytes?: number): Promise<Outcome<number>>;
}

/**
 * What adoptions may hold at once, counted in our payloads' bytes: each holds the server's copy of a session
 * beside ours, tens of MB for a long one. A new state facing a server holding a 256 MiB history went past
 * 200 MiB with the sender's 16 sessions at once. One adoption always goes, however large.
 */
export const ADOPTING_BYTES = 16 * 1024 * 1024;

/** Units in use out of a limit (bytes, or comparisons at once); a taker waits while others hold some and its share would pass the limit. */
export class Budget {
  private used = 0;
  private waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async take(bytes: number): Promise<void> {
    while (this.used > 0 && this.used + bytes > this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.used += bytes;
  }

  give(bytes: number): void {
    this.used -= bytes;
    for (const wake of this.waiting.splice(0)) wake();
  }
}

export function serverAdopter(store: StateStore, client: OpenSyncClient, budget = new Budget(ADOPTING_BYTES)): Adopter {
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
    async adopt(work, serverSessionId, bytes = store.outboxBytes(work.key)) {
      await budget.take(bytes);
      try {
        return await adoptHeld(store, client, work, serverSessionId);
      } finally {
        budget.give(bytes);
      }
    },
  };
}

/** Reads the server's copy of the session and records which of ours it holds (and under which of 0.1.x's ids). */
async function adoptHeld(store: StateStore, client: OpenSyncClient, work: SessionWork, serverSessionId: string): Promise<Outcome<number>> {
  const detail = await client.once.getServerSession(serverSessionId);
  if (!detail.ok) return detail;
  const theirs = detail.value?.messages ?? [];
  // Ours not held exactly are kept (what matching reads of them) only where there are 0.1.x's messages to match.
  const unmatched: OwnMessage[] = [];
  const keep = theirs.some(sentByLegacy(work.sessionId)) ? (m: OwnMessage) => unmatched.push(matchable(m)) : undefined;
  const exact = heldExactly(outboxToCompare(store, work.key), new Map(theirs.map((m) => [m.externalId, m])), keep);
  const aliases = matchLegacy(work.sessionId, unmatched, theirs);
  store.write(() => {
    exact.forEach((m) => store.markMessageSent(m.externalId, m.hash, m.createdAt));
    aliases.forEach((t, our) => store.setAlias(our, t.externalId, t.createdAt));
  });
  return { ...detail, value: exact.reduce((sum, m) => sum + m.bytes, 0) };
}
