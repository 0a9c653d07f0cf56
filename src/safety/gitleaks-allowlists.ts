/** gitleaks' allowlists: what makes a finding of a rule (or of any rule) not a secret. */

/**
 * Finds stopwords in a secret (generic-api-key has some 1,500): indexed by their first two
 * letters, so a secret of n characters costs n map lookups and a few comparisons, and building
 * the index costs next to nothing.
 */
class Stopwords {
  private readonly byStart = new Map<string, string[]>();
  private readonly short: string[];

  constructor(words: readonly string[]) {
    this.short = words.filter((w) => w.length < 2);
    for (const w of words) {
      if (w.length < 2) continue;
      const start = w.slice(0, 2);
      const list = this.byStart.get(start);
      if (list) list.push(w);
      else this.byStart.set(start, [w]);
    }
  }

  in(secret: string): boolean {
    const lower = secret.toLowerCase();
    if (this.short.some((w) => lower.includes(w))) return true;
    for (let i = 0; i + 1 < lower.length; i++) {
      const words = this.byStart.get(lower.slice(i, i + 2));
      if (words?.some((w) => lower.startsWith(w, i))) return true;
    }
    return false;
  }
}

/** One gitleaks allowlist: its regexes test the secret, the match or the line; its stopwords the secret. */
export class Allowlist {
  private readonly regexes: RegExp[];
  private readonly stopwords: Stopwords | null;

  constructor(
    private readonly target: "secret" | "match" | "line",
    regexes: readonly string[],
    stopwords: readonly string[],
  ) {
    this.regexes = regexes.map((s) => new RegExp(s));
    this.stopwords = stopwords.length > 0 ? new Stopwords(stopwords) : null;
  }

  /** Whether the finding is allowed; `around` gives the match or the line, only when a regex needs it. */
  allows(secret: string, around: (target: "match" | "line") => string): boolean {
    if (this.stopwords?.in(secret)) return true;
    if (this.regexes.length === 0) return false;
    const tested = this.target === "secret" ? secret : around(this.target);
    return this.regexes.some((re) => re.test(tested));
  }
}

/** How far the line of a match reaches on either side, at most: a line can be megabytes long. */
const LINE_REACH = 1000;

/** The line(s) text[start, end) is on, up to LINE_REACH characters before and after it. */
export function lineAround(text: string, start: number, end: number): string {
  let from = start;
  const low = Math.max(0, start - LINE_REACH);
  while (from > low && text.charCodeAt(from - 1) !== 10) from--;
  let to = end;
  const high = Math.min(text.length, end + LINE_REACH);
  while (to < high && text.charCodeAt(to) !== 10) to++;
  return text.slice(from, to);
}
