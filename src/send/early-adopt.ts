import type { StateStore } from "../state/store.ts";
import type { Adopter } from "./adopt.ts";
import { BACKLOG_LIMIT } from "./backlog.ts";

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
  private pendingBytes = 0;
  private readonly taken = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  /** Sessions taken while IN_FLIGHT were running: started as those end. */
  private readonly queued: Array<() => void> = [];
  private failed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly adopter: Adopter,
    /** The server's id of each session it holds, by our id (its list). */
    private readonly serverIds: ReadonlyMap<string, string>,
    private readonly limit = BACKLOG_LIMIT,
  ) {}

  /** A session read to its end: compared with the server's copy once per run, if the server holds it. */
  take(sessionId: string): void {
    const serverId = this.serverIds.get(sessionId);
    if (serverId === undefined || this.taken.has(sessionId)) return;
    this.taken.add(sessionId);
    const work = this.store.sessionsWithWork({ only: new Set([sessionId]), retryFailedBefore: Number.MAX_SAFE_INTEGER }).at(0);
    if (!work || work.legacyChecked) return;
    const bytes = this.store.outboxBytes(work.key);
    this.pendingBytes += bytes;
    const done: Promise<void> = this.turn()
      .then(() => (this.failed ? undefined : this.adopter.adopt(work, serverId)))
      .then((o) => {
        // Compared: the sender writes the session and sends the rest, with no check of its own.
        if (o?.ok) this.store.write(() => this.store.markLegacyChecked(work.key));
        else if (o) this.failed = true;
      })
      // A state that cannot record it (a lost lock, a full disk): the sender meets that too, and says so.
      .catch(() => void (this.failed = true))
      .finally(() => {
        this.running.delete(done);
        this.queued.shift()?.();
        this.pendingBytes -= bytes;
        this.check();
      });
    this.running.add(done);
  }

  /** Resolves when this comparison may start: at once while fewer than IN_FLIGHT run, else as one ends. */
  private turn(): Promise<void> {
    if (this.running.size < IN_FLIGHT) return Promise.resolve();
    return new Promise((resolve) => this.queued.push(resolve));
  }

  /** Resolves once the read may go on: the sessions not yet compared within the bound. */
  room(): Promise<void> | undefined {
    if (this.pendingBytes <= this.limit) return undefined;
    return new Promise((resolve) => {
      const before = this.wake;
      this.wake = () => (before?.(), resolve());
    });
  }

  /** Resolves once every comparison started has ended: before the sender takes the sessions up. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private check(): void {
    if (!this.wake || this.pendingBytes > this.limit) return;
    const wake = this.wake;
    this.wake = undefined;
    wake();
  }
}
