/** Small formatting helpers shared by the human-readable outputs. */

/** 1880 -> "1,880". By hand: a first toLocaleString loads ICU's number data, 5-20 ms of every start. */
export function formatInt(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ",");
}

/**
 * Dollars to the cent, half up on the decimal figure. toFixed(2) alone rounds the binary one, and
 * 1.005 is stored as 1.00499999999999989...: it showed $1.00. Costs are exact to the billionth
 * (roundUsd), so six decimals of cents hold the decimal figure and drop the binary tail.
 */
export function formatUsd(n: number): string {
  const cents = Math.round(Number((n * 100).toFixed(6)));
  return `$${(cents / 100).toFixed(2)}`;
}

/** A count and its noun: "1 session", "1,880 sessions", "2 entries" (with `many` given). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}

let graphemes: Intl.Segmenter | undefined;

/** Cuts to `width` terminal columns with an ellipsis; wide characters and emoji count as two. */
export function fit(text: string, width: number): string {
  if (Bun.stringWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  for (const { segment } of graphemes.segment(text)) {
    const w = Bun.stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

export interface Column {
  header: string;
  /** Right-aligned. */
  numeric?: boolean;
  /** The column gives up width, down to this, when the table is too wide; columns without it keep theirs. */
  min?: number;
  /** Left out, lowest first, when the table is still too wide with every column at its minimum (a terminal under 70 columns wrapped every row). */
  drop?: number;
}

const GAP = 2;

/**
 * Columns laid out in at most `maxWidth` terminal columns: when the natural
 * widths do not fit, the widest shrinkable column gives up a column at a time,
 * and its cells are cut with an ellipsis; when they are all at their minimum,
 * droppable columns go.
 */
export function table(columns: Column[], rows: string[][], maxWidth: number): string {
  const cells = rows.map((row) => columns.map((_, i) => (row[i] ?? "").replace(/\s+/g, " ")));
  const natural = columns.map((c, i) => Math.max(Bun.stringWidth(c.header), ...cells.map((r) => Bun.stringWidth(r[i]!))));
  let kept = columns.map((_, i) => i);
  let layout = shrink(kept.map((i) => columns[i]!), kept.map((i) => natural[i]!), maxWidth);
  for (let next = nextToDrop(columns, kept); !layout.fits && next !== undefined; next = nextToDrop(columns, kept)) {
    kept = kept.filter((i) => i !== next);
    layout = shrink(kept.map((i) => columns[i]!), kept.map((i) => natural[i]!), maxWidth);
  }
  const line = (row: string[]) =>
    kept
      .map((i, k) => {
        const width = layout.widths[k]!;
        const shown = fit(row[i]!, width);
        const pad = " ".repeat(width - Bun.stringWidth(shown));
        return columns[i]!.numeric ? pad + shown : shown + pad;
      })
      .join(" ".repeat(GAP))
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n");
}

/** The widest shrinkable column gives up a column at a time, down to its minimum, until the table fits. */
function shrink(columns: Column[], natural: number[], maxWidth: number): { widths: number[]; fits: boolean } {
  const widths = [...natural];
  let excess = widths.reduce((a, b) => a + b, 0) + GAP * (columns.length - 1) - maxWidth;
  while (excess > 0) {
    let widest = -1;
    columns.forEach((c, i) => {
      if (c.min !== undefined && widths[i]! > c.min && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    });
    if (widest < 0) break;
    widths[widest]!--;
    excess--;
  }
  return { widths, fits: excess <= 0 };
}

/** The kept column with the lowest `drop`, if any. */
function nextToDrop(columns: Column[], kept: number[]): number | undefined {
  return kept.filter((i) => columns[i]!.drop !== undefined).sort((a, b) => columns[a]!.drop! - columns[b]!.drop!)[0];
}

/** The width human tables fit: the terminal's, or 80 columns when the output is not a terminal. */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns ? stream.columns : 80;
}

/** "5 minutes ago", as the published docs show it. */
export function timeAgo(then: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"} ago`;
  if (s < 60) return unit(s, "second");
  if (s < 3600) return unit(Math.floor(s / 60), "minute");
  if (s < 86_400) return unit(Math.floor(s / 3600), "hour");
  return unit(Math.floor(s / 86_400), "day");
}
