/**
 * "Did you mean": the known names closest to what was typed, if close enough. Edits are
 * counted with a swap of two neighbours as one ("stauts" is one edit from
 * "status"), case and leading dashes aside; a single letter matches the
 * names it starts ("-V": --verbose, --version); a word of a longer name stands for it ("--key":
 * --api-key).
 */
export function didYouMean(typed: string, known: readonly string[], max = 3): string[] {
  const t = bare(typed);
  const scored = known.map((name) => ({ name, d: t.length === 1 && bare(name).startsWith(t) ? 0 : editDistance(t, bare(name)) }));
  // Only the closest: "--sesion" is --session, and not --version too.
  const best = Math.min(...scored.map(({ d }) => d));
  // Not close: a name of which it is a whole word ("--key" is --api-key).
  if (best > Math.max(1, Math.floor(t.length / 3))) return t.length < 3 ? [] : known.filter((name) => bare(name).split("-").includes(t)).sort((a, b) => a.length - b.length).slice(0, max);
  return scored
    .filter(({ d }) => d === best)
    .slice(0, max)
    .map(({ name }) => name);
}

/** " Did you mean `a` or `b`?", or nothing. */
export function suggestion(typed: string, known: readonly string[]): string {
  const names = didYouMean(typed, known).map((name) => `\`${name}\``);
  if (names.length === 0) return "";
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
  return ` Did you mean ${list}?`;
}

const bare = (name: string) => name.replace(/^-+/, "").toLowerCase();

/** Optimal string alignment distance. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
