/**
 * The server's clock as seen from here. OpenSync never updates a message whose
 * createdAt is in its future, and times its 5 s re-send window by its own clock
 * (../shared/opensync-contract.md): with the user's clock ahead of the server's,
 * a createdAt clamped to the user's clock is still in the server's future.
 * Each answer's `Date` header (1 s resolution) gives a sample of the offset
 * (server time - local time); pure functions, and a small holder of samples.
 */

/** Samples kept: the median of the latest ones rides out one odd answer (a proxy's own Date). */
const SAMPLES = 9;
/**
 * An estimate within this of zero is no skew: the header's 1 s resolution plus
 * the answer's way back. Below it the windows' own second of slack covers it.
 */
export const RESOLUTION_MS = 2_000;

/** What one answer tells of the offset: it lies in [low, high). */
export interface OffsetSample {
  /**
   * The header's time minus the local time the answer came back. Never above the
   * true offset (the header was written before, and is rounded down to the
   * second), so a time clamped with it is never in the server's future and a
   * window timed with it never ends early; the midpoint of the request would err
   * either way. A slow answer (a loaded machine) puts it seconds too low.
   */
  low: number;
  /** The header's second's end minus the local time the request left: the header was written after. */
  high: number;
}

/** One answer's sample; undefined for a missing or unparseable header. */
export function offsetSample(dateHeader: string | null | undefined, sentAt: number, receivedAt: number): OffsetSample | undefined {
  if (!dateHeader) return undefined;
  const server = Date.parse(dateHeader);
  return Number.isFinite(server) ? { low: server - receivedAt, high: server + 1000 - sentAt } : undefined;
}

/**
 * The offset to apply: the lower median of the samples when the local clock is
 * ahead of the server's by more than the resolution, else 0. A clock behind the
 * server's changes nothing: a createdAt clamped to it is in the server's past,
 * and windows timed by it end late, never early.
 */
export function estimateOffset(samples: readonly number[]): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[(sorted.length - 1) >> 1] as number;
  return median < -RESOLUTION_MS ? median : 0;
}

/** The latest samples of one server's answers; shared by a client and its copies. */
export class ServerClock {
  private readonly samples: OffsetSample[] = [];

  /** Whether an answer has carried a usable Date header yet. */
  get read(): boolean {
    return this.samples.length > 0;
  }

  note(sample: OffsetSample | undefined): void {
    if (sample === undefined) return;
    this.samples.push(sample);
    if (this.samples.length > SAMPLES) this.samples.shift();
  }

  /** Server time - local time to apply (0 or negative). */
  offset(): number {
    return estimateOffset(this.samples.map((s) => s.low));
  }

  /**
   * The most the offset can be (the upper median of the samples' highs: one odd answer does not
   * lower it); the estimate plus the resolution before any answer was read. A server time used
   * before is in the server's future only if above local time plus this: a slow answer, which
   * lowers the estimate, does not make it look so.
   */
  ceiling(): number {
    if (this.samples.length === 0) return this.offset() + RESOLUTION_MS;
    const sorted = this.samples.map((s) => s.high).sort((a, b) => a - b);
    return sorted[sorted.length >> 1] as number;
  }
}
