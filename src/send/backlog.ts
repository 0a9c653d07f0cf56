/**
 * How far a sync's read may run ahead of its sender. The read is several
 * times faster than today's hosted OpenSync takes writes (one user's writes
 * one at a time, ~5 ms each plus the round trip): left alone, it put every
 * payload of a first sync in the outbox before most were sent (the state
 * peaked at 162 MB for a 256 MiB history, 620 MB for 1 GiB). So once the
 * payload this run added to the outbox, less what it sent, is over the
 * bound, the read waits for the sender.
 *
 * 32 MiB: at the 650 messages/s (~2 MB of payload/s) a local server
 * without latency takes, about 15 s of sending, while the read refills it a
 * chunk (8 MiB of transcript, under a second) at a time, so the sender never
 * starves; and a few percent of a large history.
 */
export const BACKLOG_LIMIT = 32 * 1024 * 1024;

/** What a payload takes in the outbox: its UTF-8 bytes (three per character of a CJK text, not one). */
export const outboxBytes = (payload: string): number => Buffer.byteLength(payload, "utf8");

export class Backlog {
  private bytes = 0;
  /** The sender has something queued, active or in flight: what waits may yet go in this run. */
  private draining = false;
  private ended = false;
  private wake: (() => void) | undefined;
  private readonly halt = new AbortController();

  constructor(readonly limit = BACKLOG_LIMIT) {}

  /**
   * The read's signal: the caller's (Ctrl-C), or the sender ended (a refused key, a server down, a
   * lost lock) with the backlog over its bound: reading on would only fill the outbox, so the read
   * stops; the state's offsets have the next sync read the rest.
   */
  readSignal(caller: AbortSignal | undefined): AbortSignal {
    return caller ? AbortSignal.any([caller, this.halt.signal]) : this.halt.signal;
  }

  /** The read put payloads of this many bytes in the outbox (outboxBytes). */
  queued(bytes: number): void {
    this.bytes += bytes;
    this.check();
  }

  /** The sender had a payload of this many bytes acknowledged (it leaves the outbox). */
  sent(bytes: number): void {
    this.bytes -= bytes;
    this.check();
  }

  /**
   * The sender has work (true), or has nothing it can send now (false: what is left waits for the
   * read, a window, or a next run), so a read waiting for it would wait for good.
   */
  senderBusy(busy: boolean): void {
    // A session fed to a sender that has ended is never sent by it.
    this.draining = busy && !this.ended;
    this.check();
  }

  senderEnded(): void {
    this.ended = true;
    this.draining = false;
    this.check();
  }

  /** Resolves once the read may go on: the backlog within its bound, or a sender that will not drain it. */
  room(): Promise<void> | undefined {
    if (this.mayRead()) return undefined;
    return new Promise((resolve) => {
      const before = this.wake;
      this.wake = () => (before?.(), resolve());
    });
  }

  private mayRead(): boolean {
    return this.bytes <= this.limit || !this.draining;
  }

  private check(): void {
    if (this.ended && this.bytes > this.limit) this.halt.abort();
    if (!this.wake || !this.mayRead()) return;
    const wake = this.wake;
    this.wake = undefined;
    wake();
  }
}
