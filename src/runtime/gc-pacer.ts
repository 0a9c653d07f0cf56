/**
 * Reading transcripts makes garbage at a few times the bytes read (each line's
 * text, then its parsed values). JavaScriptCore sizes its heap from the
 * machine's RAM and lets that garbage pile up, and freed memory is not given
 * back to the system: on a 24 GiB machine a 1 GiB scan peaked at ~330 MB. A
 * full collection after every 32 MiB read, in each thread that reads, keeps it
 * under 200 MB for about a tenth more time (bench/RESULTS.md).
 */
const COLLECT_EVERY_BYTES = 32 * 1024 * 1024;

let sinceCollect = 0;

/** Counts bytes just read by this thread and collects when enough garbage can have piled up. */
export function collectAfterReading(bytes: number): void {
  sinceCollect += bytes;
  if (sinceCollect < COLLECT_EVERY_BYTES) return;
  sinceCollect = 0;
  Bun.gc(true);
}
