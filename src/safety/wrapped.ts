import { drawnAtRandom } from "./generic/handed-key.ts";
import { WORDS_NAME, mixedCase } from "./look-alikes.ts";

/**
 * A secret shown over several lines: where a value found on one line goes on below it. A rule
 * reads one line; without this, the lines below a wrapped key were sent as they are.
 */

/** Characters a token is made of (base64, base64url and hex, `=` padding). */
export function isTokenChar(c: number): boolean {
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

/** A wrapped piece's characters: a token's, and a JWT's dots; `=` only as padding at a piece's end. */
const isPieceChar = (c: number) => c !== 0x3d && (isTokenChar(c) || c === 0x2e);
const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
const isBlank = (c: number) => c === 0x20 || c === 0x09;
const isSpace = (c: number) => isBlank(c) || c === 0x0a || c === 0x0d;

/** The narrowest width a value is wrapped at (PEM's and `fold -w 64`'s): a shorter line is not a wrapped one. */
const WRAP_MIN = 64;
/**
 * The widths tools wrap at by default: PEM and `openssl base64` 64, coreutils' `base64` 76, `fold`
 * and terminals 80. A line that wide may go on in one shorter line; at another width, only after
 * a full line as wide, which shows the width.
 */
const USUAL_WIDTHS = [64, 76, 80];

/** The length of the line break at `at`: 1 (`\n`), 2 (`\r\n`), or 0 when none is there. */
function lineBreak(text: string, at: number): number {
  if (text.charCodeAt(at) === 0x0a) return 1;
  return text.charCodeAt(at) === 0x0d && text.charCodeAt(at + 1) === 0x0a ? 2 : 0;
}

/**
 * The end of a value found in text[start, end) once the lines that continue it are added: the
 * same, when none does. Three ways a value goes on:
 * - a shell line continued with a trailing `\` (`export API_KEY=abcd…\` then `efgh…`): the run
 *   of token characters that starts the next line (not an option's `-`);
 * - a quoted value open at its line's end (`API_KEY="abcd…` in a `.env`, which may hold lines):
 *   the lines below up to its closing quote, each a run of token characters;
 * - a value wrapped at a fixed width (`base64` at 76 columns, `fold -w 64`, a terminal): its line
 *   is full, the value found ends it, and the next lines are each one run of its alphabet (hex
 *   stays hex) exactly as wide, the last one maybe shorter. Blanks before each line are not
 *   counted: the Read tool's line numbers read as spaces (redact.ts), and indentation. The same
 *   lines folded onto one, each piece after one space, as a title's source is (fold/prompt.ts).
 * Each line is read once, by the value ending just before it: linear over a text's findings.
 */
export function wrappedEnd(text: string, start: number, end: number): number {
  // The `\` right after the value, or the value's own last character (a flag's value runs to a space).
  const slash = text.charCodeAt(end) === 0x5c ? end : text.charCodeAt(end - 1) === 0x5c ? end - 1 : -1;
  if (slash >= 0 && lineBreak(text, slash + 1) > 0) return Math.max(end, continuedEnd(text, slash));
  const folded = text.charCodeAt(end) === 0x20;
  if (!folded && lineBreak(text, end) === 0) return end;
  let lineStart = start; // in a folded text, the start of the word
  if (folded) while (lineStart > 0 && !isSpace(text.charCodeAt(lineStart - 1))) lineStart--;
  else lineStart = text.lastIndexOf("\n", end - 1) + 1;
  if (lineStart > start) return end; // a value over several lines already
  let hex = true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isTokenChar(c) && c !== 0x2e) return end;
    hex &&= isHex(c);
  }
  const quote = text.charCodeAt(start - 1);
  if (!folded && (quote === 0x22 || quote === 0x27)) return quotedEnd(text, quote, end);
  let contentStart = lineStart;
  while (isBlank(text.charCodeAt(contentStart))) contentStart++;
  const wrapped = fixedWidthEnd(text, lineStart, contentStart, end, hex, folded);
  if (wrapped !== end || folded) return wrapped;
  // Split by hand right after its label (a value alone on its line is one of a list: one key a line).
  return contentStart < start ? handSplitEnd(text, end, hex, end - lineStart >= WRAP_MIN) : end;
}

/** wrappedEnd's value on a line of its own from `lineStart` (its first non-blank at `contentStart`), ending at `end`, wrapped at a fixed width. */
function fixedWidthEnd(text: string, lineStart: number, contentStart: number, end: number, hex: boolean, folded: boolean): number {
  // The line's width with or without the blanks before it: `fold` counts indentation, a Read's number is not the file's.
  const widths = [end - contentStart, end - lineStart].filter((w) => w >= WRAP_MIN);
  if (widths.length === 0) return end;
  const widest = Math.max(...widths);
  let width = 0; // known once a full line shows it
  for (;;) {
    const gap = folded ? (text.charCodeAt(end) === 0x20 ? 1 : 0) : lineBreak(text, end);
    if (gap === 0) return end;
    let from = end + gap;
    if (!folded) while (isBlank(text.charCodeAt(from))) from++;
    let to = from;
    const limit = from + widest + 1; // a line wider than the value's is not its piece: read no further
    while (to < limit && isPieceChar(text.charCodeAt(to)) && (!hex || isHex(text.charCodeAt(to)))) to++;
    let padded = to;
    while (padded < to + 2 && text.charCodeAt(padded) === 0x3d) padded++;
    const ends = padded === text.length || (folded ? text.charCodeAt(padded) === 0x20 : lineBreak(text, padded) > 0);
    if (to === from || !ends) return end;
    if (width === 0 && widths.includes(padded - from)) width = padded - from;
    if (width > 0 && padded - from === width) {
      end = padded;
      if (padded > to) return end; // padding ends a base64 value
      continue;
    }
    // A shorter last line: after a full one, or at a usual width; folded, only after a full one (a word follows a value in prose).
    const wide = width || (folded ? undefined : widths.find((w) => USUAL_WIDTHS.includes(w)));
    return wide !== undefined && padded - from < wide ? padded : end;
  }
}

/**
 * The shortest rest of a key split by hand: shorter ones are words as often (`iOS17`). Below a line
 * as wide as a wrapped one, a terminal's last few characters (`t8Rv6Jb`), random if not a word.
 */
const SPLIT_MIN = 8;
const WRAPPED_REST_MIN = 4;

/**
 * A key split by hand over two lines, or wrapped at a width of no usual tool (a terminal's 147
 * columns): the value ends its line, after its label, and the next line is one random-looking word alone (hex
 * stays hex), which a key's rest is and a line of prose, code or a setting (`NODE_ENV=…`) is not.
 */
function handSplitEnd(text: string, end: number, hex: boolean, wide: boolean): number {
  const gap = lineBreak(text, end);
  if (gap === 0) return end;
  let from = end + gap;
  while (isBlank(text.charCodeAt(from))) from++;
  let to = from;
  while (to < text.length && isPieceChar(text.charCodeAt(to))) to++;
  let padded = to;
  while (padded < to + 2 && text.charCodeAt(padded) === 0x3d) padded++;
  if (padded !== text.length && lineBreak(text, padded) === 0) return end;
  const word = text.slice(from, to);
  if (word.length < (wide ? WRAPPED_REST_MIN : SPLIT_MIN)) return end;
  if (hex) return /^[0-9a-fA-F]+$/.test(word) && /\d/.test(word) && /[a-fA-F]/.test(word) ? padded : end;
  const random = drawnAtRandom(word) || (wide && !WORDS_NAME.test(word) && (/\d/.test(word) || mixedCase(word)));
  return random ? padded : end;
}

/** The end of a value continued by the `\` at `at` onto the next lines, each a run of token characters (`at` when none is). */
function continuedEnd(text: string, at: number): number {
  let end = at;
  for (;;) {
    const brk = lineBreak(text, end + 1);
    if (text.charCodeAt(end) !== 0x5c || brk === 0) return end;
    let from = end + 1 + brk;
    while (isBlank(text.charCodeAt(from))) from++;
    if (text.charCodeAt(from) === 0x2d) return end;
    let to = from;
    while (to < text.length && isTokenChar(text.charCodeAt(to))) to++;
    if (to === from) return end;
    end = to;
  }
}

/**
 * The end of a value open at `at`'s line end, up to its closing `quote` that ends a line below: the
 * lines between and before it each a run of token characters (`at` when it is not so closed; a
 * quote with more after it opens another value: `NEXT="…`).
 */
function quotedEnd(text: string, quote: number, at: number): number {
  let end = at;
  for (;;) {
    const brk = lineBreak(text, end);
    if (brk === 0) return at;
    end += brk;
    while (isBlank(text.charCodeAt(end))) end++;
    while (end < text.length && isTokenChar(text.charCodeAt(end))) end++;
    if (text.charCodeAt(end) !== quote) continue;
    let after = end + 1;
    while (isBlank(text.charCodeAt(after))) after++;
    return after === text.length || lineBreak(text, after) > 0 ? end : at;
  }
}
