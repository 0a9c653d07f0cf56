/**
 * Longest wait taken from a Retry-After header. Beyond this, a sync run is
 * better stopped (the work stays pending) than left waiting.
 */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * A Retry-After header (RFC 9110: delay-seconds or an HTTP date) as
 * milliseconds from `now`, capped at MAX_RETRY_AFTER_MS; a date in the past is
 * 0. Undefined when absent or unreadable: the caller's own backoff applies.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  let ms: number;
  if (/^\d+$/.test(value)) {
    ms = Number(value) * 1000;
  } else {
    // Only the date forms: Date.parse would also take "1.5" or "soon-ish 2".
    if (!/[a-z]{3}/i.test(value)) return undefined;
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
