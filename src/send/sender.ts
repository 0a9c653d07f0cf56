import { type UserError, withoutRetryNote } from "../errors.ts";
import type { Outcome } from "../opensync/client.ts";
import { BlockedItemError, type FailureKind, ProtocolError, RETRY_ON_NEXT_SYNC, TransientError } from "../opensync/errors.ts";
import type { MessagePayload, SessionPayload } from "../opensync/payload.ts";
import { payloadHash, windowKey } from "../plan/hash.ts";
import { clampTimestamp } from "../safety/sanitize.ts";
import { stateError } from "../state/db.ts";
import { LockLostError } from "../state/lock.ts";
import { FAILED_RETRY_MS, type OutboxMessage, type SessionWork, type StateStore } from "../state/store.ts";
import { Pacer } from "./pacer.ts";
import type { Adopter } from "./adopt.ts";
import { type Backlog, outboxBytes } from "./backlog.ts";
import type { SendTransport } from "./transport.ts";
import { messageReadyAt, sessionReadyAt } from "./windows.ts";
import { collectAfter } from "../runtime/gc-pacer.ts";

interface SenderOptions {
  only?: ReadonlySet<string>;
  /** Try refused items again now (`sync --retry-failed`), not only once they changed or a day passed. */
  retryFailed?: boolean;
  now?: () => number;
  signal?: AbortSignal;
  pacer?: Pacer;
  /** Sessions a pass has ended for, of the sessions fed so far. */
  onProgress?(done: number, total: number): void;
  /** A write failed and is to be tried again: why (said while the user waits, rather than silence). */
  onRetry?(reason: string): void;
  /**
   * For sessions we never sent: whether the server already had them (a lost
   * state, or claude-code-sync 0.1.x sent them) and, for those, which of their
   * messages it has already (adopt.ts). Failures are retried like writes; a
   * session is not sent before it is known.
   */
  adopter?: Adopter;
  /** Whether the server has answered a request of this run with our key (a read before sending): then a stranger's answer to one item blocks that item. */
  serverAnswered?: () => boolean;
  /**
   * How long after it was given up on a write with an unknown outcome (no answer in time, a connection
   * lost after the body went) may still be applied by the server: such writes are recorded
   * (StateStore.markUnsure), and the items they wrote go again once that time has passed.
   */
  unsureForMs?: number;
  /**
   * The server's clock (the client's ServerClock and readServerClock): read
   * before the first write, so no createdAt goes out in the server's future
   * and re-send windows run by its time. Without it, the local clock.
   */
  serverClock?: ServerTime;
  /** Told what the sender takes out of the outbox, and whether it has work: the read waits on it (backlog.ts). */
  backlog?: Backlog;
}

export interface ServerTime {
  /** Server time - local time (0 or negative: server-clock.ts). */
  offset(): number;
  /** The most server time - local time can be (ServerClock.ceiling). */
  ceiling(): number;
  /** Resolves once the server's clock has been read (or could not be); never rejects. */
  read(): Promise<void>;
}

export interface SendOutcome {
  sessionsSent: number;
  messagesSent: number;
  /** Held back by the server's re-send windows, with when each session's next write may go. */
  deferred: number;
  deferredSessions: Array<{ sessionId: string; readyAt: number }>;
  /** Refused by the server this run. */
  failed: Array<{ id: string; error: string }>;
  /** Writes that failed every attempt this run (left pending for the next), and the last reason. */
  unsent: number;
  unsentError?: UserError;
  /** Why sending stopped early: a refused key, a wrong URL, a server out of reach, or the lock lost. */
  stoppedBy?: UserError;
  /** Stopped by the caller's signal (Ctrl-C). */
  interrupted?: boolean;
  /** A write failed in a way that may have come after the server applied it (no answer, a 504). */
  maybeApplied?: boolean;
  /**
   * Sessions the server answered with another id than the one it gave before:
   * it made them anew (deleted in the dashboard, "delete all data", a new
   * deployment), without the messages sent earlier (reconcile.ts restores them).
   */
  recreated: Array<{ sessionId: string; serverId: string }>;
}

/** Attempts at one write within a run before it is left for the next run. */
const MAX_ATTEMPTS = 4;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 8_000;
/** Failures in a row, with no success between, after which the server is taken to be down. */
const DOWN_AFTER = 8;
/**
 * A 429 asking for a longer pause than this ends the run, saying so, rather
 * than leaving it silent for minutes, and so do 429s that go on this long
 * with nothing let through: what is not sent stays pending.
 */
const LONGEST_PAUSE_MS = 60_000;
/**
 * Answers in a row that are not OpenSync's (a web page, an empty body, a 403)
 * after which the URL is taken to be wrong: one alone is a proxy's hiccup.
 * Once a request of the run went through, the URL is right: such answers are
 * then about the item (a firewall blocking it), and DOWN_AFTER still applies.
 */
const STRANGER_AFTER = 3;
/** Sessions worked on at once; each may have several messages in flight. */
const ACTIVE_SESSIONS = 16;
/** Messages of one session read ahead from the outbox. */
const LOOK_AHEAD = 64;
/** Acknowledgements are recorded in one transaction per this many, or per ACK_FLUSH_MS. */
const ACK_BATCH = 64;
const ACK_FLUSH_MS = 100;

type Step = "check" | "session" | "adopt" | "messages" | "blocked";

interface Retry {
  at: number;
  attempts: number;
}

/** A session being sent: its own write, then its outbox, in order. */
interface Active {
  work: SessionWork;
  step: Step;
  /** Its payload is to be sent (new or changed, and not refused recently). */
  sessionDue: boolean;
  /** The server has the session (its messages may go). */
  onServer: boolean;
  /** The server had the session before we first sent it (a lost state, or 0.1.x sent it). */
  serverHad: boolean;
  /** The server may hold copies of its pending messages already (StateStore.hasUnsureCopies): its copy is read before they go. */
  compare: boolean;
  /** The read had ended when this pass took the session up (or retook it): its totals are final. */
  readDone: boolean;
  stepRetry?: Retry;
  stepInFlight: boolean;
  outbox?: Iterator<OutboxMessage>;
  buffer: Array<OutboxMessage & { retry?: Retry }>;
  exhausted: boolean;
  /** createdAt (as sent) of the messages in flight: a message with the same time waits (the server orders equal times by insertion). */
  inFlightTimes: Map<number, number>;
  inFlight: number;
  deferredUntil: number;
  /** The window key of its record, held back by the window at its step. */
  heldKey?: string;
}

/**
 * Sends the outbox: per session, the session first (so the server keeps its
 * real start time), then its messages in order, pipelined (each carries its
 * own createdAt, so their order on the server holds; messages of the same
 * millisecond go one after another). Newest sessions first. The number of
 * requests in flight adapts to the server (Pacer). One write that fails
 * every attempt is left for the next run; the run stops only when the key is
 * refused, the URL is wrong, the server looks down, or the caller aborts.
 * Each acknowledgement is recorded (in small batches); nothing is marked sent
 * before the server acknowledged it.
 */
export class Sender {
  private readonly now: () => number;
  private readonly pacer: Pacer;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active: Active[] = [];
  private readonly outcome: SendOutcome = { sessionsSent: 0, messagesSent: 0, deferred: 0, deferredSessions: [], failed: [], unsent: 0, recreated: [] };
  private readonly acks: Array<() => void> = [];
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = 0;
  private failuresInRow = 0;
  private strangersInRow = 0;
  private anySucceeded = false;
  /** The state is marked as having writes to confirm (mayWrite). */
  private marked = false;
  /** When the server started answering every write with 429 (undefined: it is not). */
  private limitedSince: number | undefined;
  private closed = false;
  private stopped = false;
  /**
   * The sessions fed, and those a pass has ended for, for the progress shown: a session read in
   * several rounds is fed again (it showed "Sent 12 sessions" for 7).
   */
  private readonly fed = new Set<string>();
  private readonly passed = new Set<string>();
  private wake: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly retryFailedBefore: number;
  /** Sessions created on the server without their totals while the read went on: their totals follow once it is done. */
  private readonly provisional = new Set<string>();
  /** Whether each session this run has taken up was on the server when it was first taken up (before any write of this run). */
  private readonly heldBefore = new Map<string, boolean>();
  private clockState: "unread" | "reading" | "read";
  /** The latest server time used, in this run or an earlier one: a later estimate may be lower (server-clock.ts), and times clamped to it keep their order. */
  private serverTimeUsed: number;

  constructor(
    private readonly store: StateStore,
    private readonly transport: SendTransport,
    private readonly options: SenderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.pacer = options.pacer ?? new Pacer();
    this.clockState = options.serverClock ? "unread" : "read";
    this.serverTimeUsed = options.serverClock ? store.serverTimeUsed() : Number.NEGATIVE_INFINITY;
    this.retryFailedBefore = options.retryFailed ? Number.POSITIVE_INFINITY : this.now() - FAILED_RETRY_MS;
    options.signal?.addEventListener("abort", () => this.poke(), { once: true });
  }

  /** Everything pending in the state now, newest first. */
  loadPending(): void {
    for (const w of this.store.sessionsWithWork({ ...(this.options.only ? { only: this.options.only } : {}), retryFailedBefore: this.retryFailedBefore })) {
      this.feed(w.sessionId);
    }
  }

  /**
   * A session became ready to send (the scan finished reading it). Also one outside `only`: a session
   * read here took responses away from it (a fork synced before its parent), and its lowered totals
   * must go now, or the server counts those responses twice until that session is synced again.
   */
  feed(sessionId: string): void {
    if (this.queued.has(sessionId)) return;
    // A session being sent now is looked at again once this pass over it ends.
    this.queued.add(sessionId);
    this.queue.push(sessionId);
    this.fed.add(sessionId);
    this.options.backlog?.senderBusy(true);
    this.poke();
  }

  /** Stops taking new writes (the caller's read failed); what is in flight finishes. */
  stop(): void {
    this.stopped = true;
    this.poke();
  }

  /**
   * Whether the server held the session before this run wrote anything of it: known for the
   * sessions this run has taken up, undefined for the others (their state is still as before).
   */
  heldBeforeRun(sessionId: string): boolean | undefined {
    return this.heldBefore.get(sessionId);
  }

  /** No more sessions will be fed: the totals of those created without them go now. */
  close(): void {
    this.closed = true;
    for (const id of this.provisional) this.feed(id);
    this.provisional.clear();
    this.poke();
  }

  async run(): Promise<SendOutcome> {
    try {
      for (;;) {
        if (!this.stopping()) {
          this.activate();
          this.launch();
          if (this.inFlight === 0 && this.active.length === 0 && this.queue.length === 0 && this.closed) break;
          // A session just finished its pass and one waits for a place (or for that same session's next pass).
          if (this.queue.some((id) => !this.isActive(id)) && this.active.length < ACTIVE_SESSIONS) continue;
        }
        // Stopping (decided before this pass or in it: a lost lock, a failed record): once nothing is in flight.
        if (this.stopping() && this.inFlight === 0) break;
        if (this.inFlight === 0 && this.active.length === 0 && this.queue.length === 0) this.options.backlog?.senderBusy(false);
        await this.sleep();
      }
    } finally {
      clearTimeout(this.timer);
      this.flushAcks();
      this.options.backlog?.senderEnded();
    }
    // Whatever stopped it (the failures of what it had in flight while paused...), a lost lock is the reason to give.
    if (this.outcome.stoppedBy) this.mayWrite();
    for (const a of this.active) this.noteDeferred(a);
    if (this.options.signal?.aborted) this.outcome.interrupted = true;
    return this.outcome;
  }

  private accepted(): boolean {
    return this.anySucceeded || this.options.serverAnswered?.() === true;
  }

  private stopping(): boolean {
    return this.stopped || this.outcome.stoppedBy !== undefined || this.options.signal?.aborted === true;
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Until something finishes, is fed, or the next retry is due. */
  private sleep(): Promise<void> {
    clearTimeout(this.timer);
    const next = this.nextTimer();
    return new Promise((resolve) => {
      this.wake = resolve;
      if (next !== undefined) this.timer = setTimeout(() => this.poke(), Math.max(0, next - this.now()));
    });
  }

  private nextTimer(): number | undefined {
    let next = this.pacer.resumeAt > this.now() ? this.pacer.resumeAt : undefined;
    const consider = (at: number | undefined) => {
      if (at !== undefined) next = next === undefined ? at : Math.min(next, at);
    };
    for (const a of this.active) {
      consider(a.stepRetry?.at);
      for (const m of a.buffer) consider(m.retry?.at);
    }
    return next;
  }

  private isActive(sessionId: string): boolean {
    return this.active.some((a) => a.work.sessionId === sessionId);
  }

  private activate(): void {
    while (this.active.length < ACTIVE_SESSIONS && this.queue.length > 0) {
      const sessionId = this.queue.shift() as string;
      if (this.isActive(sessionId)) {
        this.queue.push(sessionId); // re-fed while being sent: after the current pass
        if (this.queue.every((id) => this.isActive(id))) return;
        continue;
      }
      this.queued.delete(sessionId);
      // What earlier passes sent is recorded before this one reads the outbox, so nothing goes twice.
      this.flushAcks();
      const work = this.store
        .sessionsWithWork({ only: new Set([sessionId]), retryFailedBefore: this.retryFailedBefore })
        .at(0);
      if (!work) {
        this.finished(sessionId);
        continue;
      }
      if (!this.heldBefore.has(sessionId)) this.heldBefore.set(sessionId, work.sentHash !== null);
      const sessionDue = work.hash !== work.sentHash && (work.error === null || (work.failedAt ?? 0) < this.retryFailedBefore);
      const check = sessionDue && work.sentHash === null && !work.legacyChecked && this.options.adopter !== undefined;
      const compare = work.serverId !== null && this.options.adopter !== undefined && this.store.hasUnsureCopies(work.key);
      // Messages of a session the server does not have wait for it (they would create it with the wrong start time).
      const step: Step = check ? "check" : sessionDue ? "session" : work.sentHash === null ? "blocked" : compare ? "adopt" : "messages";
      this.active.push({
        work,
        step,
        sessionDue,
        onServer: work.sentHash !== null,
        serverHad: false,
        compare,
        readDone: this.closed,
        stepInFlight: false,
        buffer: [],
        exhausted: false,
        inFlightTimes: new Map(),
        inFlight: 0,
        deferredUntil: 0,
      });
    }
  }

  private finished(sessionId: string): void {
    this.passed.add(sessionId);
    this.options.onProgress?.(this.passed.size, this.fed.size);
  }

  /** Starts every write that may go now, up to the pacer's limit, taking turns between sessions. */
  private launch(): void {
    if (this.now() < this.pacer.resumeAt || !this.mayWrite()) return;
    let progress = true;
    while (progress && this.inFlight < this.pacer.limit && !this.stopping()) {
      progress = false;
      for (const a of [...this.active]) {
        if (this.inFlight >= this.pacer.limit) break;
        if (this.startNext(a)) progress = true;
        else if (this.idle(a)) this.retire(a);
      }
    }
  }

  /**
   * Whether the server's clock has been read, reading it the first time a
   * write needs it: one request, unless an answer of this run showed it (a
   * session's update, which needs no clock: the server keeps the createdAt it
   * has, goes first and shows it).
   */
  private clockKnown(): boolean {
    const clock = this.options.serverClock;
    if (!clock || this.clockState === "read") return true;
    if (this.clockState === "unread") {
      this.clockState = "reading";
      this.inFlight++;
      const done = () => {
        this.inFlight--;
        this.clockState = "read";
        this.poke();
      };
      void clock.read().then(done, done);
    }
    return false;
  }

  /** Server time - local time to apply (0 without a server clock). */
  private offset(): number {
    return this.options.serverClock?.offset() ?? 0;
  }

  /**
   * The server's time now by the estimate, not below a time used before (by this run or an earlier
   * one: times clamped to it stay in order) unless that is in the server's future for sure, past the
   * most its clock can read now: then a clock was changed since. Only a time from a clock read is
   * kept as that floor: a session's update goes before (the server keeps the createdAt it has), with
   * our clock's time, which would set it too high and then be dropped with it.
   */
  private serverNow(now: number): number {
    const estimate = now + this.offset();
    const ceiling = now + (this.options.serverClock?.ceiling() ?? 0);
    const at = this.serverTimeUsed > ceiling ? estimate : Math.max(estimate, this.serverTimeUsed);
    if (this.clockState === "read") this.serverTimeUsed = at;
    return at;
  }

  /**
   * Whether requests may still start: not once another sync took the lock
   * over (this one was paused past the lock's staleness and woke up), or
   * everything it sends would be sent twice. Checked before every launch.
   */
  private mayWrite(): boolean {
    try {
      this.store.checkGuard();
      // Before the first request: a run that does not end cleanly leaves the mark, and the next sync checks its writes.
      if (!this.marked) this.store.write(() => this.store.markUnconfirmedWrites(true));
      this.marked = true;
      return true;
    } catch (error) {
      if (error instanceof LockLostError) this.outcome.stoppedBy = error;
      else this.outcome.stoppedBy ??= stateError(error, this.store.path) as UserError;
      return false;
    }
  }

  /** Whether a session has nothing in flight and nothing left to try in this run. */
  private idle(a: Active): boolean {
    if (a.stepInFlight || a.inFlight > 0 || a.stepRetry) return false;
    if (a.step === "check" || a.step === "session" || a.step === "adopt") return false;
    if (a.step === "blocked") return true;
    this.fill(a);
    return a.exhausted && a.buffer.length === 0;
  }

  private retire(a: Active): void {
    this.active.splice(this.active.indexOf(a), 1);
    this.noteDeferred(a);
    this.finished(a.work.sessionId);
  }

  private noteDeferred(a: Active): void {
    // A record held back waits out the window of the session's last write, which its messages sent since have moved.
    const readyAt = a.heldKey === undefined ? a.deferredUntil : Math.max(a.deferredUntil, sessionReadyAt(a.work, a.heldKey, this.now()));
    if (readyAt > 0) this.outcome.deferredSessions.push({ sessionId: a.work.sessionId, readyAt });
  }

  private defer(a: Active, readyAt: number): void {
    this.outcome.deferred++;
    a.deferredUntil = Math.max(a.deferredUntil, readyAt);
  }

  private fill(a: Active): void {
    if (a.exhausted || a.buffer.length >= LOOK_AHEAD) return;
    a.outbox ??= this.store.outbox(a.work.key, this.retryFailedBefore);
    while (a.buffer.length < LOOK_AHEAD) {
      const next = a.outbox.next();
      if (next.done) {
        a.exhausted = true;
        return;
      }
      a.buffer.push(next.value);
    }
  }

  /**
   * The read ended after this pass took the session up, before its write: what it writes is what
   * the read finished with (a file read meanwhile may have taken its responses), whole.
   */
  private retake(a: Active): void {
    a.readDone = true;
    const fresh = this.store.sessionsWithWork({ only: new Set([a.work.sessionId]), retryFailedBefore: this.retryFailedBefore }).at(0);
    if (fresh) a.work = fresh;
  }

  /** Starts this session's next write if one may go; false when it has none ready. */
  private startNext(a: Active): boolean {
    const now = this.now();
    if (a.step === "check" || a.step === "session" || a.step === "adopt") {
      if (a.stepInFlight || (a.stepRetry && a.stepRetry.at > now)) return false;
      if (a.step !== "session") {
        this.startAdopterStep(a);
        return true;
      }
      if (this.closed && !a.readDone) this.retake(a);
      const payload = JSON.parse(a.work.payload as string) as Omit<SessionPayload, "createdAt">;
      const key = windowKey(payload);
      const readyAt = sessionReadyAt(a.work, key, now);
      if (readyAt > now) {
        this.defer(a, readyAt);
        a.heldKey = key;
        // A retry held back (a write given up on may land and open the window) is the held record's now: one still set
        // would keep the session from ever being done, and the run from ending.
        a.stepRetry = undefined;
        a.step = "messages"; // the server has the session: its messages need not wait
        return true;
      }
      // A new session's createdAt is kept for good: never in the server's future.
      if (a.work.sentHash === null && !this.clockKnown()) return false;
      this.startSession(a, payload, key);
      return true;
    }
    if (a.step !== "messages" || !a.onServer || !this.clockKnown()) return false;
    this.fill(a);
    const serverNow = this.serverNow(now);
    for (let i = 0; i < a.buffer.length; i++) {
      const m = a.buffer[i] as OutboxMessage & { retry?: Retry };
      // Never in the server's future: it would never update the message (messages clamped to one time go in order).
      const createdAt = clampTimestamp(m.createdAt, serverNow);
      if (a.inFlightTimes.has(createdAt)) return false; // same millisecond as one in flight: after it, in order
      if (m.retry && m.retry.at > now) return false; // later ones wait for it (order)
      const readyAt = messageReadyAt(m, now, this.offset());
      if (readyAt > now) {
        this.defer(a, readyAt);
        a.buffer.splice(i--, 1);
        continue;
      }
      a.buffer.splice(i, 1);
      this.startMessage(a, m, createdAt);
      return true;
    }
    return false;
  }

  private track<T>(promise: Promise<Outcome<T>>, onDone: (outcome: Outcome<T>) => void): void {
    this.inFlight++;
    void promise.then((outcome) => {
      this.inFlight--;
      try {
        if (outcome.ok) {
          this.failuresInRow = 0;
          this.strangersInRow = 0;
          this.anySucceeded = true;
          this.limitedSince = undefined;
          this.pacer.success(outcome.latencyMs);
        } else if (outcome.error instanceof TransientError && outcome.error.maybeApplied) {
          this.outcome.maybeApplied = true;
        }
        onDone(outcome);
      } catch (error) {
        this.outcome.stoppedBy ??= stateError(error, this.store.path) as UserError;
      }
      this.poke();
    });
  }

  /**
   * A session new to the server, written while the read goes on, is created
   * without its totals: a file read later can take responses away from it (a
   * resumed copy read before its original), and the server never lowers a
   * total to 0. Its totals follow once the read is done (close), with the
   * tokens changed, so no window holds them back.
   */
  private provisionalPayload(a: Active, payload: Omit<SessionPayload, "createdAt">): Omit<SessionPayload, "createdAt"> | undefined {
    // Only for a session the server was found to lack in this run: one it had (0.1.x's), or one an earlier run
    // checked and may have written without recording it (killed, disk full), keeps its totals until ours replace them.
    if (a.readDone || a.work.sentHash !== null || a.serverHad || a.work.legacyChecked) return undefined;
    if (!payload.promptTokens && !payload.completionTokens && !payload.cost) return undefined;
    return { ...payload, promptTokens: 0, completionTokens: 0, cost: 0 };
  }

  private startSession(a: Active, full: Omit<SessionPayload, "createdAt">, fullKey: string): void {
    const now = this.now();
    const createdAt = a.work.createdAt === null ? undefined : clampTimestamp(a.work.createdAt, this.serverNow(now));
    const provisional = this.provisionalPayload(a, full);
    const payload = provisional ?? full;
    const body: SessionPayload = { ...payload, ...(createdAt !== undefined ? { createdAt } : {}) };
    // Recorded as sent with the hash of what went, so the full payload is still due.
    const hash = provisional ? payloadHash(JSON.stringify(provisional)) : (a.work.hash as string);
    const key = provisional ? windowKey(provisional) : fullKey;
    a.stepInFlight = true;
    this.track(this.transport.upsertSession(body), (o) => {
      a.stepInFlight = false;
      if (o.ok) {
        a.stepRetry = undefined;
        a.onServer = true;
        if (!provisional) this.outcome.sessionsSent++;
        else if (this.closed) this.feed(a.work.sessionId);
        else this.provisional.add(a.work.sessionId);
        // Made anew: its new id is recorded once what it lost is marked to go again, so a run that stops before finds it again.
        const recreated = a.work.serverId !== null && a.work.serverId !== o.value.sessionId;
        if (recreated) this.outcome.recreated.push({ sessionId: a.work.sessionId, serverId: o.value.sessionId });
        const serverId = recreated ? undefined : o.value.sessionId;
        this.ack(() => this.store.markSessionSent(a.work.key, { hash, windowKey: key, at: this.now(), ...(serverId ? { serverId } : {}), ...(createdAt !== undefined ? { createdAt } : {}) }));
        a.step = a.serverHad || a.compare ? "adopt" : "messages";
        a.work = { ...a.work, sentHash: hash, sentKey: key, writtenAt: this.now(), serverId: o.value.sessionId };
        return;
      }
      this.noteUnsure(o, a, { item: "", hash, windowKey: key });
      const previous = a.stepRetry;
      a.stepRetry = undefined;
      this.failed(o, a.work.sessionId, (retry) => (a.stepRetry = retry), previous, () => {
        this.ack(() => this.store.markSessionFailed(a.work.key, o.error.message, this.now()));
        // Its messages would make the server create the session with the wrong start time.
        if (!a.onServer) a.step = "blocked";
        else a.step = "messages";
      }, () => {
        if (!a.onServer) a.step = "blocked";
        else a.step = "messages";
      });
    });
  }

  /** The adopter's steps: did the server have the session before (then, after its upsert) which of its messages does it have. */
  private startAdopterStep(a: Active): void {
    const adopter = this.options.adopter as Adopter;
    a.stepInFlight = true;
    const call = a.step === "check" ? adopter.had(a.work.sessionId) : adopter.adopt(a.work, a.work.serverId as string);
    this.track<boolean | number>(call, (o) => {
      a.stepInFlight = false;
      if (o.ok) {
        a.stepRetry = undefined;
        if (a.step === "check" && o.value === true) a.serverHad = true;
        else this.ack(() => this.store.markLegacyChecked(a.work.key));
        // What the server held left the outbox, as if sent: a read waiting for room goes on.
        if (a.step === "adopt") this.options.backlog?.sent(o.value as number);
        a.step = a.step === "check" ? "session" : "messages";
        return;
      }
      // Sending without knowing what the server has would duplicate messages: leave the session for the next run.
      const previous = a.stepRetry;
      a.stepRetry = undefined;
      this.failed(o, a.work.sessionId, (retry) => (a.stepRetry = retry), previous, () => (a.step = "blocked"), () => (a.step = "blocked"));
    });
  }

  /** `createdAt`: the message's, clamped to the server's time. */
  private startMessage(a: Active, m: OutboxMessage & { retry?: Retry }, createdAt: number): void {
    collectAfter(m.payload.length);
    const fields = JSON.parse(m.payload) as Omit<MessagePayload, "createdAt">;
    // A message without text says so: on an update, an omitted textContent keeps the old one (the thinking text
    // of a message sent with thinking on would stay after turning it off). Not in the hash: nothing is sent again for it.
    const body: MessagePayload = { textContent: "", ...fields, ...(m.alias ? { externalId: m.alias } : {}), createdAt };
    a.inFlight++;
    a.inFlightTimes.set(createdAt, (a.inFlightTimes.get(createdAt) ?? 0) + 1);
    this.track(this.transport.upsertMessage(body), (o) => {
      a.inFlight--;
      const left = (a.inFlightTimes.get(createdAt) ?? 1) - 1;
      if (left === 0) a.inFlightTimes.delete(createdAt);
      else a.inFlightTimes.set(createdAt, left);
      if (o.ok) {
        this.outcome.messagesSent++;
        const at = this.now();
        this.ack(() => {
          this.store.markMessageSent(m.externalId, m.hash, createdAt);
          this.store.markWritten(a.work.key, at);
        });
        this.options.backlog?.sent(outboxBytes(m.payload));
        a.work = { ...a.work, writtenAt: at };
        return;
      }
      this.noteUnsure(o, a, { item: m.externalId, hash: m.hash });
      this.failed(
        o,
        m.externalId,
        (retry) => {
          m.retry = retry;
          a.buffer.unshift(m);
        },
        m.retry,
        () => this.ack(() => this.store.markMessageFailed(m.externalId, o.error.message, this.now())),
        () => {},
      );
    });
  }

  /**
   * A write whose outcome is unknown may still be applied after a newer write of the same item (the next
   * attempt, the next pass): recorded before anything acknowledged later, so even a run killed after
   * leaves the item to go again (sync/unsure.ts).
   */
  private noteUnsure(o: Extract<Outcome<unknown>, { ok: false }>, a: Active, write: { item: string; hash: string; windowKey?: string }): void {
    if (!(o.error instanceof TransientError && o.error.maybeApplied)) return;
    const until = this.now() + (this.options.unsureForMs ?? 0);
    this.ack(() => this.store.markUnsure(a.work.key, { ...write, until }));
    // At once, not with the next batch: a run killed before that would leave no trace of a write that may still land.
    this.flushAcks();
  }

  /**
   * A failed write: refused items are recorded; transient ones are retried
   * with backoff until MAX_ATTEMPTS (then left for the next run); the run
   * stops on a refused key, a wrong URL, or a server that looks down.
   */
  private failed(
    o: Extract<Outcome<unknown>, { ok: false }>,
    id: string,
    retryAt: (retry: Retry) => void,
    previous: Retry | undefined,
    refused: () => void,
    givenUp: () => void,
  ): void {
    const kind: FailureKind = o.kind;
    if (kind === "refused") {
      this.outcome.failed.push({ id, error: o.error.message });
      refused();
      return;
    }
    const repeatedStranger = kind === "not-opensync" && !this.accepted() && ++this.strangersInRow >= STRANGER_AFTER;
    if (kind === "final-auth" || kind === "final-url" || kind === "server-down" || kind === "tls" || repeatedStranger) {
      this.outcome.stoppedBy ??= o.error;
      givenUp();
      return;
    }
    const now = this.now();
    const pause = o.retryAfterMs ?? BACKOFF_MAX_MS;
    if (kind === "rate-limited") this.limitedSince ??= now;
    const limitedFor = this.limitedSince === undefined ? 0 : now - this.limitedSince;
    if (kind === "rate-limited" && (pause > LONGEST_PAUSE_MS || limitedFor + pause > LONGEST_PAUSE_MS)) {
      const minutes = Math.ceil(pause / 60_000);
      const why =
        pause > LONGEST_PAUSE_MS
          ? `OpenSync asks this client to wait ${minutes} minute${minutes === 1 ? "" : "s"}`
          : `OpenSync has asked this client to slow down for ${Math.round(limitedFor / 1000)} s, letting nothing through`;
      this.outcome.stoppedBy ??= new TransientError(`${withoutRetryNote(o.error)}: ${why}, so this sync stops here rather than wait.`, 1, false, {
        retryNote: RETRY_ON_NEXT_SYNC,
        kind: "rate-limited",
        reason: o.error.message,
        retryAfterMs: pause,
      });
      givenUp();
      return;
    }
    // A stranger's answer to one item, from a server that answers us otherwise: something blocks that item.
    const error = o.error instanceof ProtocolError && this.accepted() ? new BlockedItemError(o.error, id) : o.error;
    if (kind === "rate-limited") this.pacer.pause(pause, now);
    else {
      this.pacer.failure();
      // A stranger answering every item after others went through stops the run as that, never as a wrong URL.
      if (++this.failuresInRow >= DOWN_AFTER) this.outcome.stoppedBy ??= error;
    }
    const attempts = (previous?.attempts ?? 0) + 1;
    if (attempts >= MAX_ATTEMPTS && kind !== "rate-limited") {
      this.outcome.unsent++;
      this.outcome.unsentError = error;
      givenUp();
      return;
    }
    // Not once stopping: a request given up by Ctrl-C is not retried.
    if (!this.stopping()) this.options.onRetry?.(withoutRetryNote(error));
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (attempts - 1));
    retryAt({ at: now + Math.round(delay * (0.5 + Math.random() / 2)), attempts });
  }

  private ack(mark: () => void): void {
    this.acks.push(mark);
    if (this.acks.length >= ACK_BATCH) this.flushAcks();
    else this.ackTimer ??= setTimeout(() => this.flushAcks(), ACK_FLUSH_MS);
  }

  private flushAcks(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.acks.length === 0) return;
    const marks = this.acks.splice(0);
    try {
      this.store.write(() => {
        for (const mark of marks) mark();
        if (this.options.serverClock) this.store.recordServerTimeUsed(this.serverTimeUsed);
      });
    } catch (error) {
      // Lock lost, disk full: stop, saying what to do; what was acknowledged but not recorded is sent again next time (an update in place).
      this.outcome.stoppedBy ??= stateError(error, this.store.path) as UserError;
      this.poke();
    }
  }
}
