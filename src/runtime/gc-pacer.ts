/**
 * Reading transcripts makes garbage at a few times the bytes read (each line's
 * text, then its parsed values), and so do recording messages in the state
 * and sending them (each payload loaded, parsed and serialised again).
 * JavaScriptCore sizes its heap from the machine's RAM and lets that garbage
 * pile up, and freed memory is not given back to the system: on a 24 GiB
 * machine a 1 GiB scan peaked at ~250 MB. So every few MiB handled, a thread
 * checks the process's resident memory and, above the budget, collects fully
 * (which also returns free pages to the system). A history that fits the
 * budget is never slowed down.
 */
const CHECK_EVERY_BYTES = 4 * 1024 * 1024;
const RSS_BUDGET_BYTES = 160 * 1000 * 1000;

let sinceCheck = 0;

/** Counts bytes this thread just handled; collects when the process is over its memory budget. */
export function collectAfter(bytes: number): void {
  sinceCheck += bytes;
  if (sinceCheck < CHECK_EVERY_BYTES) return;
  sinceCheck = 0;
  if (process.memoryUsage.rss() > RSS_BUDGET_BYTES) Bun.gc(true);
}
