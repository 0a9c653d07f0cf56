/**
 * How many requests to keep in flight: additive increase while latency stays
 * near the best seen, multiplicative decrease on failures (5xx, timeouts) or
 * when latency rises (the server is queueing our writes: today's OpenSync
 * runs one user's writes one after another). Pure bookkeeping; the sender
 * reports each outcome with the time it took.
 */
interface PacerOptions {
  initial?: number;
  min?: number;
  max?: number;
}

/** Latency above the baseline by this factor (plus slack) counts as queueing. */
const RISE = 1.5;
const SLACK_MS = 25;
/** The baseline is the best latency of the last this many successes. */
const WINDOW = 64;

export class Pacer {
  private value: number;
  private readonly min: number;
  private readonly max: number;
  private recent: number[] = [];
  private baseline = Number.POSITIVE_INFINITY;
  /** No second decrease before this many more outcomes (one round of requests in flight). */
  private cooldown = 0;
  private pausedUntil = 0;

  constructor(options: PacerOptions = {}) {
    this.min = options.min ?? 1;
    this.max = options.max ?? 64;
    this.value = options.initial ?? 4;
  }

  /** Requests allowed in flight now. */
  get limit(): number {
    return Math.max(this.min, Math.floor(this.value));
  }

  /** Until when no request may start (a 429's Retry-After). */
  get resumeAt(): number {
    return this.pausedUntil;
  }

  success(latencyMs: number): void {
    this.recent.push(latencyMs);
    if (this.recent.length > WINDOW) this.recent.shift();
    this.baseline = Math.min(...this.recent);
    if (this.cooldown > 0) this.cooldown--;
    if (latencyMs > this.baseline * RISE + SLACK_MS) this.decrease(0.75);
    else this.value = Math.min(this.max, this.value + 1 / this.value);
  }

  /** A 5xx, a timeout, a reset connection. */
  failure(): void {
    if (this.cooldown > 0) this.cooldown--;
    this.decrease(0.5);
  }

  /** A 429: nobody starts before `retryAfterMs` has passed, and fewer after. */
  pause(retryAfterMs: number, now: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    this.decrease(0.5);
  }

  private decrease(factor: number): void {
    if (this.cooldown > 0) return;
    this.value = Math.max(this.min, this.value * factor);
    this.cooldown = this.limit;
  }
}
