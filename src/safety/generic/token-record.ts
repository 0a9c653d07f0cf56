import type { Detector, Finding, Hits } from "../detectors.ts";
import { isTokenStandIn } from "../look-alikes.ts";

/**
 * Cloudflare's API token as its creation answers with it (`POST /user/tokens`, `/accounts/…/tokens`):
 * `{"result": {"id": …, "name": …, "status": "active", "issued_on": …, "policies": […], "value": "…"}}`.
 * The token has no prefix of its own and its field says only `value`: the fields beside it in its
 * record, `issued_on` and `policies`, say what it is, in whatever order they come. Listing tokens shows
 * the same records without a value. The answer may be JSON escaped inside a string (a log's line, a
 * tool's result quoted in JSON: `{\"result\":{…\"value\":\"…\"}}`): its quotes are then read as such.
 */
const TOKEN = /^[A-Za-z0-9_-]{30,100}$/;
/** How far a record is read after its start (a token's policies list its resources). */
const REACH = 20_000;
/** How far before its `issued_on` a record's start is looked for: the fields before it are few and short. */
const BACK = 2_000;

/** The most backslashes read before a quote: JSON escaped seven times over at most, as the assignment rule reads it. */
const ESCAPES_MAX = 7;
const RUN_MAX = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

export const tokenRecordDetector: Detector = {
  keywords: ["issued_on"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let readTo = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < readTo) continue; // inside a record read already: each character is read once
      const escapes = keyEscapes(text, at);
      if (escapes === undefined) continue;
      const json = new EscapedJson(text, escapes);
      const key = at - 1 - escapes;
      // Its record from the start, or (a start too far back) from this field on, as the fields after it are read.
      const start = json.recordStart(key, Math.max(readTo, at - BACK));
      readTo = json.readRecord(start === undefined ? key : start + 1, out);
    }
  },
};

/**
 * How many backslashes escape the quotes of the key `issued_on` at `at` (0 in JSON, 1 in JSON inside a string…),
 * or undefined when it is no key: the same quote on both sides.
 */
function keyEscapes(text: string, at: number): number | undefined {
  if (text.charCodeAt(at - 1) !== QUOTE) return undefined;
  let escapes = 0;
  while (escapes <= ESCAPES_MAX && at - 2 - escapes >= 0 && text.charCodeAt(at - 2 - escapes) === BACKSLASH) escapes++;
  return escapes <= ESCAPES_MAX && text.startsWith(`${"\\".repeat(escapes)}"`, at + "issued_on".length) ? escapes : undefined;
}

/**
 * JSON whose quotes carry `escapes` backslashes. A quote of its own has `escapes` of them before it, after any
 * number of escaped backslashes (each `2 * escapes + 2` of them); a quote inside one of its strings has more
 * (`2 * escapes + 1`): so a quote of its own is told by the count before it alone, read from either side.
 */
class EscapedJson {
  private readonly period: number;
  constructor(
    private readonly text: string,
    private readonly escapes: number,
  ) {
    this.period = 2 * escapes + 2;
  }

  private isQuote(j: number): boolean {
    if (this.text.charCodeAt(j) !== QUOTE) return false;
    let run = 0;
    while (run <= RUN_MAX && j - 1 - run >= 0 && this.text.charCodeAt(j - 1 - run) === BACKSLASH) run++;
    return run <= RUN_MAX && run % this.period === this.escapes;
  }

  /** The `{` opening the record whose field starts at `from`, looked for back to `limit`. */
  recordStart(from: number, limit: number): number | undefined {
    let depth = 0;
    let inString = false;
    for (let j = from - 1; j >= limit; j--) {
      const c = this.text.charCodeAt(j);
      if (c === QUOTE && this.isQuote(j)) inString = !inString;
      else if (inString) continue;
      else if (c === 0x7d || c === 0x5d) depth++;
      else if (c === 0x7b || c === 0x5b) {
        if (depth === 0) return c === 0x7b ? j : undefined;
        depth--;
      }
    }
    return undefined;
  }

  /** The end of the string whose opening quote is at `open`: its closing quote, or -1 when its line ends first. */
  private stringEnd(open: number, end: number): number {
    for (let j = open + 1; j < end; j++) {
      const c = this.text.charCodeAt(j);
      if (c === 0x0a) return -1;
      if (c === QUOTE && this.isQuote(j)) return j;
    }
    return -1;
  }

  /**
   * Reads a record's fields from `from` (after its `{`, or at one of its keys) to its end: the value of a record with
   * `policies` is the token. Returns where the reading stopped.
   */
  readRecord(from: number, out: Finding[]): number {
    const text = this.text;
    const end = Math.min(text.length, from + REACH);
    let depth = 0;
    let policies = false;
    let value: [number, number] | undefined;
    // At the record's end, or where the text stops short of it (a cut output): its value, when it has policies.
    const finish = (at: number): number => {
      const token = value && text.slice(value[0], value[1]);
      if (value && token && policies && TOKEN.test(token) && !isTokenStandIn(token)) out.push({ start: value[0], end: value[1], kind: "cloudflare-api-token", token: true });
      return at;
    };
    for (let j = from; j < end; j++) {
      const c = text.charCodeAt(j);
      if (c === QUOTE && this.isQuote(j)) {
        const close = this.stringEnd(j, end);
        if (close < 0) return finish(end);
        if (depth === 0) {
          const key = text.slice(j + 1, close - this.escapes);
          let after = close + 1;
          while (after < end && isBlank(text.charCodeAt(after))) after++;
          if (text.charCodeAt(after) === 0x3a) {
            if (key === "policies") policies = true;
            if (key === "value") value = this.stringAfter(after + 1, end);
          }
        }
        j = close;
      } else if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth < 0) return finish(j);
    }
    return finish(end);
  }

  /** The span of the string value after a key's colon (at `from`), between its quotes. */
  private stringAfter(from: number, end: number): [number, number] | undefined {
    let j = from;
    while (j < end && (isBlank(this.text.charCodeAt(j)) || this.text.charCodeAt(j) === BACKSLASH)) j++;
    if (!this.isQuote(j)) return undefined;
    const close = this.stringEnd(j, end);
    return close < 0 ? undefined : [j + 1, close - this.escapes];
  }
}
