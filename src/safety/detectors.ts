import { KeywordScanner } from "./keyword-scan.ts";
import { type RedactionKind, redactionMarker } from "./marker.ts";

/**
 * How the redactor runs its rules: one keyword pass finds where each rule may apply, each rule
 * looks only there and reports the secrets it finds as spans of the text as written, and the spans
 * of all rules are merged and replaced in one last pass. No rule sees another's output, so the
 * order of rules only decides which kind names a secret two rules found.
 */

export interface Finding {
  start: number;
  end: number;
  kind: RedactionKind;
  /**
   * A token found by its shape: widened to the whole run of token characters it sits in, so that
   * a rule whose pattern stops early (a capped length, a newer longer format) leaks no tail.
   */
  token?: boolean;
}

/** Keyword occurrences as flat [start, end, start, end...], in order of their end. */
export type Hits = readonly number[];

export interface Detector {
  /** Lowercase ASCII; the detector runs only when one occurs in the text. None: on every text. */
  readonly keywords: readonly string[];
  /** Adds the secrets it finds to `out`; `hits` are the occurrences of its own keywords. */
  find(text: string, hits: Hits, out: Finding[]): void;
}

export interface Ranked extends Finding {
  /** The detector's position in its set, plus the set's offset: lower names a shared finding. */
  rank: number;
}

const NO_HITS: Hits = [];

export class DetectorSet {
  private readonly scanner: KeywordScanner;
  /** For each keyword, the detectors that asked for it. */
  private readonly listeners: number[][];
  private readonly lengths: number[];
  /** Detectors without keywords: they run on every text. */
  private readonly alwaysOn: number[];
  /** Each detector's hits during one find (emptied again before it returns). */
  private readonly hits: (number[] | undefined)[];

  constructor(private readonly detectors: readonly Detector[]) {
    const index = new Map<string, number>();
    this.listeners = [];
    detectors.forEach((d, di) => {
      for (const k of new Set(d.keywords)) {
        let ki = index.get(k);
        if (ki === undefined) {
          ki = index.size;
          index.set(k, ki);
          this.listeners.push([]);
        }
        this.listeners[ki]?.push(di);
      }
    });
    this.alwaysOn = detectors.flatMap((d, di) => (d.keywords.length === 0 ? [di] : []));
    this.hits = new Array(detectors.length);
    const keywords = [...index.keys()];
    this.lengths = keywords.map((k) => k.length);
    this.scanner = new KeywordScanner(keywords);
  }

  /** Every secret found, each ranked by the position of the detector that found it (plus `offset`). */
  find(text: string, offset = 0): Ranked[] {
    // Only the detectors a keyword woke up run, in rank order; the always-on ones too.
    const hits = this.hits;
    const woken = this.alwaysOn.slice();
    if (this.lengths.length > 0) {
      this.scanner.scan(text, (keyword, end) => {
        const start = end - (this.lengths[keyword] as number);
        for (const d of this.listeners[keyword] as number[]) {
          const list = hits[d];
          if (list === undefined) {
            hits[d] = [start, end];
            woken.push(d);
          } else list.push(start, end);
        }
      });
    }
    const out: Ranked[] = [];
    if (woken.length === 0) return out;
    woken.sort((a, b) => a - b);
    for (const rank of woken) {
      const own = hits[rank];
      hits[rank] = undefined;
      const from = out.length;
      (this.detectors[rank] as Detector).find(text, own ?? NO_HITS, out as Finding[]);
      for (let i = from; i < out.length; i++) (out[i] as Ranked).rank = offset + rank;
    }
    return out;
  }
}

/** Characters a token is made of, for widening a token finding to its whole run. */
function isTokenChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f || // _
    c === 0x2d || // -
    c === 0x2b || // +
    c === 0x2f || // /
    c === 0x3d // =
  );
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Replaces every finding with its marker; overlapping findings become one, named by the
 * first-ranked (most specific) of them: a private key that is a JSON value is a private-key.
 */
export function applyFindings(text: string, all: Ranked[]): { text: string; count: number } {
  const findings = all.filter((f) => f.end > f.start);
  if (findings.length === 0) return { text, count: 0 };
  for (const f of findings) {
    if (!f.token) continue;
    while (f.end < text.length && isTokenChar(text.charCodeAt(f.end))) f.end++;
    while (f.start > 0 && isAlnum(text.charCodeAt(f.start - 1))) f.start--;
  }
  findings.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank);
  let out = "";
  let copied = 0;
  let count = 0;
  for (let i = 0; i < findings.length; ) {
    const first = findings[i] as Ranked;
    let end = first.end;
    let j = i + 1;
    while (j < findings.length && (findings[j] as Ranked).start < end) {
      end = Math.max(end, (findings[j] as Ranked).end);
      j++;
    }
    let best = first;
    for (let k = i + 1; k < j; k++) if ((findings[k] as Ranked).rank < best.rank) best = findings[k] as Ranked;
    out += text.slice(copied, first.start) + redactionMarker(best.kind);
    copied = end;
    count++;
    i = j;
  }
  return { text: out + text.slice(copied), count };
}
