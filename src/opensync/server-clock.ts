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

/**
 * One answer's sample: the header's time minus the local time the answer came
 * back. Never above the true offset (the header was written before, and is
 * rounded down to the second), so a time clamped with it is never in the
 * server's future and a window timed with it never ends early; the midpoint of
 * the request would err either way. undefined for a missing or unparseable header.
 */
export function offsetSample(dateHeader: string | null | undefined, receivedAt: number): number | undefined {
  if (!dateHeader) return undefined;
  const server = Date.parse(dateHeader);
  return Number.isFinite(server) ? server - receivedAt : undefined;
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
  private readonly samples: number[] = [];

  /** Whether an answer has carried a usable Date header yet. */
  get read(): boolean {
    return this.samples.length > 0;
  }

  note(sample: number | undefined): void {
    if (sample === undefined) return;
    this.samples.push(sample);
    if (this.samples.length > SAMPLES) this.samples.shift();
  }

  /** Server time - local time to apply (0 or negative). */
  offset(): number {
    return estimateOffset(this.samples);
  }
}
