import type { Ranked } from "./detectors.ts";
import { redactionMarker } from "./marker.ts";
import { isTokenChar, wrappedEnd } from "./wrapped.ts";

/** Replacing what the detectors found: one pass over the text, whatever the number of findings. */

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * A literal's end and the next literal's start, as code wraps a long token: JavaScript's
 * `'sk_live_…' +` then `'…'` below, Python's `"…"` then `"…"` on the next line (implicit
 * concatenation). Not two arguments on one line (a shell's `"a" "b"`): a `+` or a line break.
 */
const CONTINUED = /(['"])(?:[ \t]*\+[ \t]*(?:\r?\n[ \t]*)?|[ \t]*\r?\n[ \t]*(?:\+[ \t]*)?)\1/y;
/** The fewest token characters a wrapped piece has: a short one is another value (`'…' + 'px'`). */
const PIECE_MIN = 8;

/**
 * Where the run of token characters from `at` ends, across a token's pieces wrapped into several literals.
 * A token that is a URL path's segment (`/v1/ghp_…/run`) ends at the next `/`: the rest is the path, not base64.
 */
function tokenRunEnd(text: string, at: number, segment: boolean): number {
  const inRun = (c: number) => isTokenChar(c) && !(segment && c === 0x2f);
  for (;;) {
    while (at < text.length && inRun(text.charCodeAt(at))) at++;
    CONTINUED.lastIndex = at;
    const quote = CONTINUED.exec(text)?.[1];
    if (quote === undefined) return at;
    let end = CONTINUED.lastIndex;
    while (end < text.length && isTokenChar(text.charCodeAt(end))) end++;
    if (end - CONTINUED.lastIndex < PIECE_MIN || text[end] !== quote) return at;
    at = end;
  }
}

/**
 * Widens token findings to their whole run of token characters. Runs already walked are
 * remembered, so that a thousand tokens chained in one run cost one walk, not a thousand.
 */
function widenTokens(text: string, findings: Ranked[]): void {
  findings.sort((a, b) => a.start - b.start);
  let forwardFrom = -1;
  let forwardTo = -1; // text[forwardFrom, forwardTo) is one token's run (its wrapped pieces too), which ends at forwardTo
  let backFrom = -1;
  let backTo = -1; // text[backTo, backFrom) are letters or digits, text[backTo - 1] is not
  for (const f of findings) {
    if (!f.token) continue;
    if (f.end >= forwardFrom && f.end <= forwardTo) f.end = forwardTo; // walked before
    else {
      forwardFrom = f.end;
      f.end = tokenRunEnd(text, f.end, text.charCodeAt(f.start - 1) === 0x2f);
      forwardTo = f.end;
    }
    const from = f.start;
    while (f.start > 0 && isAlnum(text.charCodeAt(f.start - 1))) {
      if (f.start >= backTo && f.start <= backFrom) {
        f.start = backTo; // walked before
        break;
      }
      f.start--;
    }
    backFrom = from;
    backTo = f.start;
  }
}

/**
 * Replaces every finding with its marker; overlapping findings become one, named by the
 * first-ranked (most specific) of them: a private key that is a JSON value is a private-key.
 * A finding takes the lines below that continue it (wrapped.ts).
 * Tokens are widened over `words`, the text as the rules read it (redact.ts asWords). `seen` is
 * told each value replaced, and where it starts.
 */
export function applyFindings(text: string, all: Ranked[], words: string = text, seen?: (value: string, start: number) => void): { text: string; count: number } {
  const findings = all.filter((f) => f.end > f.start);
  if (findings.length === 0) return { text, count: 0 };
  widenTokens(words, findings);
  findings.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank);
  let out = "";
  let copied = 0;
  let count = 0;
  for (let i = 0; i < findings.length; ) {
    const first = findings[i] as Ranked;
    let end = first.end;
    let j = i + 1;
    // The findings it overlaps, and the lines below that continue it (wrapped.ts), which may hold more findings.
    for (let wrapped = -1; wrapped !== end; ) {
      while (j < findings.length && (findings[j] as Ranked).start < end) {
        end = Math.max(end, (findings[j] as Ranked).end);
        j++;
      }
      wrapped = end;
      end = wrappedEnd(words, first.start, end);
    }
    let best = first;
    for (let k = i + 1; k < j; k++) if ((findings[k] as Ranked).rank < best.rank) best = findings[k] as Ranked;
    seen?.(text.slice(first.start, end), first.start);
    out += text.slice(copied, first.start) + redactionMarker(best.kind);
    copied = end;
    count++;
    i = j;
  }
  return { text: out + text.slice(copied), count };
}
