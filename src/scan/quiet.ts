/**
 * A session whose files were last written this long ago is not being written
 * any more: a response still open at its end is complete as it is.
 */
export const QUIET_MS = 60_000;

/**
 * Whether files last written at `lastWrite` are quiet at `now`. A time more than QUIET_MS ahead
 * is no write to wait for (a clock set wrong, a copy's restored times): waiting for it could
 * hold a session back for years.
 */
export function isQuiet(lastWrite: number, now: number): boolean {
  return now - lastWrite >= QUIET_MS || lastWrite - now > QUIET_MS;
}
