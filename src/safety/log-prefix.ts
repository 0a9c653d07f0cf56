/**
 * A log's time before each of its lines, as CI runners and log collectors write it: GitHub Actions' raw log (`2026-12-07T10:00:00.1234567Z `),
 * GitLab's (`2026-12-07T10:00:00.123456Z 00O `), `docker logs -t`'s and `kubectl logs --timestamps`' (nanoseconds), Buildkite's
 * (`[2026-12-07T10:00:00Z] `), Heroku's (`2026-12-07T10:00:00.123456+00:00 app[web.1]: `), a bracketed clock (`[10:00:01] `), and
 * BuildKit's step and seconds (`#12 0.345 `); after a Compose service's name (`docker compose logs -t`: `api-1  | 2026-…Z `). Read as spaces, a line holds what the program printed: `UPSTREAM=…` under `env`'s other
 * lines, an `env:` block, as they stand without a log around them (the rules that look at a line's start see it).
 */
const LOG_PREFIX =
  /^[ \t]{0,40}(?:[\w.-]{0,64}[-_]\d{1,3}[ \t]+\|[ \t]+)?(?:\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?\]?(?:[ \t]+\d\d[OE]\+?|[ \t]+[\w-]{1,20}\[[\w.-]{1,40}\]:)?|\[\d\d:\d\d:\d\d(?:\.\d{1,9})?\]|#\d{1,5}[ \t]+\d{1,6}\.\d{3})(?=[ \t])/gm;

/**
 * What every prefix holds: a clock's time, or BuildKit's step and seconds. A text without one (most) is not read line by line:
 * the line-start pattern cost 7% of redacting 20 MB of ordinary text.
 */
const IN_EVERY_PREFIX = /\d\d:\d\d:\d\d|#\d{1,5}[ \t]+\d{1,6}\.\d{3}/;

/** `text` with each line's log prefix as spaces (same length: findings keep their positions). */
export function blankLogPrefixes(text: string): string {
  return IN_EVERY_PREFIX.test(text) ? text.replace(LOG_PREFIX, (prefix) => " ".repeat(prefix.length)) : text;
}
