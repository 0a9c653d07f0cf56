import { KeywordScanner, Pairs } from "./keyword-scan.ts";
import { isStandIn } from "./look-alikes.ts";
import type { RedactionKind } from "./marker.ts";

/**
 * How the redactor runs its rules: one keyword pass finds where each rule may apply, each rule
 * looks only there and reports the secrets it finds as spans of the text as written, and the spans
 * of all rules are merged and replaced in one last pass (spans.ts). No rule sees another's output,
 * so the order of rules only decides which kind names a secret two rules found.
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

/**
 * The longest value the rules' regexes read at once (a bound that keeps them linear). A value cut
 * there is a long opaque one (a certificate's key data, a session token): its finding is marked a
 * token, widened to its whole run, so that no tail is left.
 */
export const VALUE_MAX = 1000;
export const widenedIfCut = (value: string): { token?: true } => (value.length >= VALUE_MAX ? { token: true } : {});

/**
 * A quoted value's regex source, between its quotes: units up to the closing quote (or the text's
 * end: a cut text closes it there), or VALUE_MAX units without a space and more after them, an
 * opaque value too long to read at once (a long prose string is no secret), taken whole by
 * widenedIfCut. The exact count cannot backtrack to a shorter match.
 */
export const quotedValue = (unit: string, close: string): string =>
  `(?:(?![ \t])${unit}){${VALUE_MAX}}(?=${unit})|${unit}{1,${VALUE_MAX}}(?=${close}|$)`;

/** A "double" (backslash escapes read) and a 'single' quoted value, each one group: between its quotes. */
export const DOUBLE_QUOTED = `"(${quotedValue(String.raw`(?:[^"\\\r\n]|\\[^\r\n])`, '"')})"?`;
export const SINGLE_QUOTED = `'(${quotedValue(String.raw`[^'\r\n]`, "'")})'?`;

/** Keyword occurrences as flat [start, end, start, end...], in order of their start. */
export type Hits = ArrayLike<number>;

export interface Detector {
  /** Lowercase ASCII; the detector runs only when one occurs in the text. None: on every text. */
  readonly keywords: readonly string[];
  /** Adds the secrets it finds to `out`; `hits` are the occurrences of its own keywords. */
  find(text: string, hits: Hits, out: Finding[]): void;
}

/**
 * A rule that reads `pattern` (sticky, with indices) where each of its keywords occurs: the first of
 * the pattern's groups that matched is the secret, if `accept` takes it, unless it is a stand-in (`<password>`, `changeme`).
 */
export function stickyDetector(keywords: readonly string[], pattern: RegExp, kind: RedactionKind, accept: (value: string) => boolean = () => true): Detector {
  return {
    keywords,
    find(text: string, hits: Hits, out: Finding[]): void {
      for (let i = 0; i < hits.length; i += 2) {
        pattern.lastIndex = hits[i] as number;
        const m = pattern.exec(text);
        const group = m ? m.findIndex((g, j) => j > 0 && g !== undefined) : -1;
        const span = group > 0 ? m?.indices?.[group] : undefined;
        if (m && span && accept(m[group] as string) && !isStandIn(m[group] as string)) out.push({ start: span[0], end: span[1], kind });
      }
    },
  };
}

export interface Ranked extends Finding {
  /** The detector's position in its set, plus the set's offset: lower names a shared finding. */
  rank: number;
}

export class DetectorSet {
  private readonly scanner: KeywordScanner;
  /** For each keyword, the detectors that asked for it. */
  private readonly listeners: number[][];
  /** For each detector, 1 at the keywords it asked for. */
  private readonly asked: Uint8Array[];
  private readonly lengths: number[];
  /** Detectors without keywords: they run on every text. */
  private readonly alwaysOn: number[];
  // Scratch space of `find`, kept between calls: redactValue calls it for every string of a message.
  private readonly hits = new Pairs();
  private readonly own = new Pairs();
  /** woken[d] === stamp: detector d has a hit in the current text; seen[k] === stamp: so has keyword k. */
  private readonly woken: Int32Array;
  private readonly seen: Int32Array;
  private stamp = 0;

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
    this.asked = detectors.map((d) => {
      const mask = new Uint8Array(index.size);
      for (const k of d.keywords) mask[index.get(k) as number] = 1;
      return mask;
    });
    this.alwaysOn = detectors.flatMap((d, di) => (d.keywords.length === 0 ? [di] : []));
    this.woken = new Int32Array(detectors.length);
    const keywords = [...index.keys()];
    this.seen = new Int32Array(keywords.length);
    this.lengths = keywords.map((k) => k.length);
    this.scanner = new KeywordScanner(keywords);
  }

  /** Every secret found, each ranked by the position of the detector that found it (plus `offset`). */
  find(text: string, offset = 0): Ranked[] {
    // Only the detectors a keyword woke up run, in rank order; the always-on ones too.
    const woken = this.alwaysOn.slice();
    const hits = this.hits; // (keyword, end)
    const own = this.own; // (start, end) of one detector's keywords
    hits.length = 0;
    const stamp = ++this.stamp;
    if (this.lengths.length > 0) this.scanner.scan(text, hits);
    for (let i = 0; i < hits.length; i += 2) {
      const keyword = hits.data[i] as number;
      if (this.seen[keyword] === stamp) continue;
      this.seen[keyword] = stamp;
      for (const d of this.listeners[keyword] as number[]) {
        if (this.woken[d] !== stamp) {
          this.woken[d] = stamp;
          woken.push(d);
        }
      }
    }
    const out: Ranked[] = [];
    if (woken.length === 0) return out;
    woken.sort((a, b) => a - b);
    for (const rank of woken) {
      const asked = this.asked[rank] as Uint8Array;
      own.length = 0;
      let sorted = true;
      for (let i = 0; i < hits.length; i += 2) {
        const keyword = hits.data[i] as number;
        if (asked[keyword] === 1) {
          const end = hits.data[i + 1] as number;
          const start = end - (this.lengths[keyword] as number);
          if (own.length > 0 && start < (own.data[own.length - 2] as number)) sorted = false;
          own.push(start, end);
        }
      }
      if (!sorted) own.sortByFirst();
      const from = out.length;
      (this.detectors[rank] as Detector).find(text, own.data.subarray(0, own.length), out as Finding[]);
      for (let i = from; i < out.length; i++) (out[i] as Ranked).rank = offset + rank;
    }
    hits.shrink();
    own.shrink();
    return out;
  }
}
