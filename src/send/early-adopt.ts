import type { StateStore } from "../state/store.ts";
import { type Adopter, Budget } from "./adopt.ts";
import { Backlog } from "./backlog.ts";

/**
 * A new state facing a server that holds sessions (a new machine, a lost state, every upgrade
 * from 0.1.x) sends nothing until the whole read is done (sync/state-sink.ts, `ready`): the read
 * put the whole history in the outbox first, 156 MB of state file for a 256 MiB history. Most of it
 * the server holds already, and the server's list gave each session's id: so each session the
 * server holds is compared with the server's copy as soon as it is read (adopt.ts), and what the
 * server holds leaves the outbox then. The read waits while the sessions not yet compared hold more
 * than BACKLOG_LIMIT of it. A few go at once (the sender's own pacing is not there to slow them); after one
 * fails, that one and every later session are left to the sender's own comparison (check, session, adopt),
 * which backs off from a server in trouble and stops at one out of reach.
 */
const IN_FLIGHT = 4;

export class EarlyAdoption {
  /** The outbox bytes of the sessions taken and not yet compared: comparisons drain it as the sender drains its own. */
  private readonly uncompared: Backlog;
  private readonly slots = new Budget(IN_FLIGHT);
  private readonly taken = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private failed = false;

  constructor(
    private readonly store: StateStore,
    private readonly adopter: Adopter,
    /** The server's id of each session it holds, by our id (its list). */
    private readonly serverIds: ReadonlyMap<string, string>,
    limit?: number,
  ) {
    this.uncompared = new Backlog(limit);
    this.uncompared.senderBusy(true);
  }

  /** A session read to its end: compared with the server's copy once per run, if the server holds it. */
  take(sessionId: string): void {
    const serverId = this.serverIds.get(sessionId);
    if (serverId === undefined || this.taken.has(sessionId)) return;
    this.taken.add(sessionId);
    const work = this.store.sessionsWithWork({ only: new Set([sessionId]), retryFailedBefore: Number.MAX_SAFE_INTEGER }).at(0);
    if (!work || work.legacyChecked) return;
    const bytes = this.store.outboxBytes(work.key);
    this.uncompared.queued(bytes);
    const done: Promise<void> = this.slots
      .take(1)
      .then(() => (this.failed ? undefined : this.adopter.adopt(work, serverId, bytes)))
      .then((o) => {
        // Compared: the sender writes the session and sends the rest, with no check of its own.
        if (o?.ok) this.store.write(() => this.store.markLegacyChecked(work.key));
        else if (o) this.failed = true;
      })
      // A state that cannot record it (a lost lock, a full disk): the sender meets that too, and says so.
      .catch(() => void (this.failed = true))
      .finally(() => {
        this.slots.give(1);
        this.running.delete(done);
        this.uncompared.sent(bytes);
      });
    this.running.add(done);
  }

  /** Resolves once the read may go on: the sessions not yet compared within the bound. */
  room(): Promise<void> | undefined {
    return this.uncompared.room();
  }

  /** Resolves once every comparison started has ended: before the sender takes the sessions up. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}
