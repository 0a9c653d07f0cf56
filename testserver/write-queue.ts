/**
 * One user's writes, one after another: every session or message write of the
 * hosted OpenSync also updates that user's usage rows, so Convex runs them in
 * turn. Each takes the profile's service time. The peaks let tests check that
 * parallel requests were really queued, without measuring time.
 */

export interface WriteStats {
  /** Write transactions finished. */
  writes: number;
  /** Waiting or running now. */
  queued: number;
  running: number;
  peakQueued: number;
  /** More than 1 would mean two writes overlapped. */
  peakRunning: number;
  paused: boolean;
}

export class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  private gate: Promise<void> = Promise.resolve();
  private openGate: (() => void) | null = null;
  private stats = { writes: 0, queued: 0, running: 0, peakQueued: 0, peakRunning: 0 };
  private closed = false;

  constructor(private readonly serviceMs: () => number) {}

  /** Runs `work` after every write queued before it, then waits the service time before the next. */
  async run<T>(work: () => T): Promise<T> {
    const stats = this.stats;
    stats.queued++;
    stats.peakQueued = Math.max(stats.peakQueued, stats.queued);
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      await this.gate;
      stats.running++;
      stats.peakRunning = Math.max(stats.peakRunning, stats.running);
      try {
        const service = this.serviceMs();
        if (service > 0) await Bun.sleep(service);
        // The server stopped meanwhile: its store is closed, and nobody waits for the answer.
        if (this.closed) return await new Promise<never>(() => {});
        return work();
      } finally {
        stats.running--;
        stats.writes++;
      }
    } finally {
      stats.queued--;
      release();
    }
  }

  /** Writes queue up and none starts until resume() (a test sets up a crowd deterministically). */
  pause(): void {
    if (this.openGate) return;
    this.gate = new Promise((resolve) => {
      this.openGate = resolve;
    });
  }

  resume(): void {
    this.openGate?.();
    this.openGate = null;
  }

  current(): WriteStats {
    return { ...this.stats, paused: this.openGate !== null };
  }

  /** Writes still queued or in service never run (the server is stopping). */
  close(): void {
    this.closed = true;
    this.resume();
  }

  /** Restarts the counters (the queue itself keeps running). */
  resetStats(): void {
    const { queued, running } = this.stats;
    this.stats = { writes: 0, queued, running, peakQueued: queued, peakRunning: running };
  }
}
