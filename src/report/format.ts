/** Small formatting helpers shared by the human-readable outputs. */

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function formatUsd(n: number): string {
  return `$${n.toFixed(2)}`;
}

/** East Asian wide characters and emoji take two terminal columns. */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1faff}\u{20000}-\u{3fffd}]/u;

const columns = (ch: string) => (WIDE.test(ch) ? 2 : 1);

export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += columns(ch);
  return w;
}

/** Cuts to `width` terminal columns with an ellipsis. */
export function fit(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  let w = 0;
  for (const ch of text) {
    if (w + columns(ch) > width - 1) break;
    out += ch;
    w += columns(ch);
  }
  return `${out}…`;
}

/** Left-aligned text columns, right-aligned numeric columns. */
export function table(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const pad = " ".repeat((widths[i] ?? 0) - displayWidth(c));
        return numeric[i] ? pad + c : c + pad;
      })
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
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
