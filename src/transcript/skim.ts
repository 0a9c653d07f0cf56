/**
 * A message's line without what a count never reads (the dry run only
 * counts): what tools returned, about half of the bytes a transcript has us
 * parse, images' data, tools' inputs and thinking signatures. Counting needs
 * only each block's kind, its text and its tool's name. Finding where a value
 * ends needs its strings and brackets only: a few native searches instead of
 * building its objects.
 *
 * Only `message.content` of a line written as Claude Code writes it (no
 * whitespace, the role just before the content) is skimmed; anything else,
 * and anything that does not close where it should (a line cut short,
 * brackets that do not match), gives undefined and is parsed whole, so a bad
 * line stays a bad line. What is skipped is checked for its shape, not for
 * every rule of JSON (a raw control character inside a tool's output is not
 * looked for: JSON.stringify never writes one).
 */

import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, isEscaped } from "./json-bytes.ts";

/** A message's role: its blocks follow it, as Claude Code writes it (the role just before the content). */
const ROLE = Buffer.from('"role":"');
const BLOCKS_AFTER_ROLE = ['user","content":[', 'assistant","content":['].map((h) => Buffer.from(h));
/**
 * Per kind of block (its `type`, as written), the field a count never reads:
 * a tool's output and its input, an image's data, a thinking block's signature.
 */
const SKIPPED: Record<string, string> = {
  '"tool_result"': "content",
  '"image"': "source",
  '"tool_use"': "input",
  '"server_tool_use"': "input",
  '"thinking"': "signature",
};

/** Reused: lines are skimmed one at a time, and the result is parsed before the next. */
let scratch = Buffer.alloc(1 << 16);

/**
 * bytes[0, end) with the values SKIPPED names in `message.content` replaced
 * by `""`, or undefined when there is none to skip or the line is not in the
 * expected shape. The result is a view into a shared buffer, valid until the
 * next call. Values nested deeper than `maxDepth` are not skipped (the whole
 * line is then parsed, and judged).
 */
export function skimmedLine(bytes: Buffer, end: number, maxDepth: number): Buffer | undefined {
  // One search per line: in a user or assistant line the first role is its message's (nothing before it holds one).
  const role = bytes.indexOf(ROLE);
  if (role < 0 || role >= end) return undefined;
  const after = role + ROLE.length;
  const head = BLOCKS_AFTER_ROLE.find((h) => after + h.length <= end && bytes.compare(h, 0, h.length, after, after + h.length) === 0);
  if (!head) return undefined;
  const spans = skippedValues(bytes, after + head.length, end, maxDepth);
  if (!spans?.length) return undefined;
  if (scratch.length < end) scratch = Buffer.alloc(Math.max(end, scratch.length * 2));
  let out = 0;
  let from = 0;
  for (const [start, stop] of spans) {
    out += bytes.copy(scratch, out, from, start);
    scratch[out++] = QUOTE;
    scratch[out++] = QUOTE;
    from = stop;
  }
  out += bytes.copy(scratch, out, from, end);
  return scratch.subarray(0, out);
}

/** The [start, stop) of each value to skip (SKIPPED) in the array of blocks starting at `at`; undefined if it is not as expected. */
function skippedValues(b: Buffer, at: number, end: number, maxDepth: number): Array<[number, number]> | undefined {
  const spans: Array<[number, number]> = [];
  let i = at;
  if (b[i] === CLOSE_BRACKET) return spans;
  for (;;) {
    if (b[i] !== OPEN_BRACE) return undefined;
    i++;
    let type = "";
    const values = new Map<string, [number, number]>();
    if (b[i] === CLOSE_BRACE) i++;
    else
      for (;;) {
        const keyEnd = stringEnd(b, i, end);
        if (keyEnd < 0 || b[keyEnd] !== COLON) return undefined;
        const value = keyEnd + 1;
        const valueEnd = valueEndAt(b, value, end, maxDepth);
        if (valueEnd < 0) return undefined;
        const key = b.toString("latin1", i + 1, keyEnd - 1);
        if (key === "type") type = b.toString("latin1", value, valueEnd);
        else values.set(key, [value, valueEnd]);
        i = valueEnd;
        if (b[i] === COMMA) {
          i++;
          continue;
        }
        if (b[i] !== CLOSE_BRACE) return undefined;
        i++;
        break;
      }
    const skipped = values.get(SKIPPED[type] ?? "");
    if (skipped && skipped[1] - skipped[0] > 2) spans.push(skipped);
    if (b[i] === COMMA) {
      i++;
      continue;
    }
    return b[i] === CLOSE_BRACKET ? spans : undefined;
  }
}

/** Just after the string starting at `at` (its opening quote), or -1. */
function stringEnd(b: Buffer, at: number, end: number): number {
  if (b[at] !== QUOTE) return -1;
  let from = at + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, from);
    if (q < 0 || q >= end) return -1;
    if (!isEscaped(b, q)) return q + 1;
    from = q + 1;
  }
}

/** Just after the JSON value starting at `at`, or -1 if it does not close before `end` (or nests deeper than `maxDepth`). */
function valueEndAt(b: Buffer, at: number, end: number, maxDepth: number): number {
  const first = b[at];
  if (first === QUOTE) return stringEnd(b, at, end);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null, up to what ends it: one that is not (or nothing) is kept, and makes the skimmed line bad.
    let i = at;
    while (i < end && b[i] !== COMMA && b[i] !== CLOSE_BRACE && b[i] !== CLOSE_BRACKET) i++;
    return i;
  }
  // The closing bracket each open one expects, innermost last.
  const closers: number[] = [];
  for (let i = at; i < end; ) {
    const c = b[i];
    if (c === QUOTE) {
      i = stringEnd(b, i, end);
      if (i < 0) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (closers.push(c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET) > maxDepth) return -1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (closers.pop() !== c) return -1;
      if (closers.length === 0) return i + 1;
    }
    i++;
  }
  return -1;
}
