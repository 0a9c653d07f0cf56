/**
 * Whether ccusage, the reference our token and cost totals are held to, counts a line's usage.
 * ccusage 20.0.24 skips the whole line when its timestamp is not a time as Claude Code writes it
 * (`2026-11-20T10:00:00.000Z`: no fraction or exactly 3 digits, `Z` or `±HH:MM`; it refuses 6 digits,
 * a date alone, a space for T, no zone, 30 February) or when its model is there but not a name
 * (null, "", a number). A line with no model at all it counts, at no price. Such a line is still
 * shown; only its tokens are left out, as ccusage leaves them out.
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{3})?(?:Z|[+-](\d{2}):(\d{2}))$/;

function referenceTime(value: unknown): boolean {
  const m = typeof value === "string" ? ISO_TIME.exec(value) : null;
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60 && offsetHours < 24 && offsetMinutes < 60;
}

export function referenceCounts(line: { timestamp?: unknown; message?: unknown }): boolean {
  const model = (line.message as { model?: unknown } | undefined)?.model;
  return referenceTime(line.timestamp) && (model === undefined || (typeof model === "string" && model !== ""));
}
