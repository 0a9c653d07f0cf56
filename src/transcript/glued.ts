import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, isEscaped } from "./json-bytes.ts";
import { type ParseOptions, parseLine } from "./parse-line.ts";
import type { Entry } from "./schema.ts";

/**
 * Where a glued object may start: `{"` after a byte that cannot come before a
 * value in Claude Code's compact JSON (`:`, `,`, `[`). A nested object always
 * follows one of those, so only the glue point (and a string that ends in `{`)
 * is tried; a half line cut just after one of them is found by where the line's
 * last object opens (lastObjectStart).
 */
const PRECEDES_VALUE = new Set([COLON, COMMA, OPEN_BRACKET]);
/** Tries per bad line: each decodes the rest of the line, and the glue point is nearly always the first. */
const MAX_TRIES = 8;

export interface GluedEntry {
  /** Byte offset of the object within the line. */
  at: number;
  entry: Entry;
  unknownType: boolean;
}

/**
 * The complete lines in a line that is not JSON. When Claude Code is killed
 * mid-write and later appends to the file, its next line is glued to the half
 * one: `{"type":"assistant",...{"type":"user",...}\n`. Its response was billed
 * and its prompt typed, but a reader that parses whole lines (ccusage, Claude
 * Code's own resume) loses it. Right to left, the first suffix that parses is
 * the last complete line: one starting at a `{` inside it is cut off by the
 * outer object's closing brace after it. What stands before it is read the
 * same way (a whole first line whose newline was lost is read too); the half
 * line stays lost. Empty when nothing complete is found.
 */
export function gluedEntries(bytes: Buffer, options: ParseOptions = {}): GluedEntry[] {
  // A half line is one Claude Code began, as it begins every line: other bytes (a BOM inside a file, garbage) are not one.
  if (bytes[0] !== OPEN_BRACE || bytes[1] !== QUOTE) return [];
  const last = lastObjectStart(bytes);
  const found: GluedEntry[] = [];
  let end = bytes.length;
  let tries = 0;
  for (let at = bytes.lastIndexOf(OPEN_BRACE, end - 1); at > 0 && tries < MAX_TRIES; at = bytes.lastIndexOf(OPEN_BRACE, at - 1)) {
    // After `:` `,` `[`, only the line's last object: a half line before another line can end in a whole nested value.
    const afterValueStart = PRECEDES_VALUE.has(bytes[at - 1]!);
    if (bytes[at + 1] !== QUOTE || (afterValueStart && at !== last)) continue;
    tries++;
    const parsed = parseLine(bytes.subarray(at, end), options);
    // So can a line cut short with nothing glued: its last object is then a nested one, a content block, of no line type.
    if (!parsed.entry || (afterValueStart && parsed.unknownType)) continue;
    found.unshift({ at, entry: parsed.entry, unknownType: parsed.unknownType });
    end = at;
    const first = parseLine(bytes.subarray(0, end), options);
    if (first.entry) {
      found.unshift({ at: 0, entry: first.entry, unknownType: first.unknownType });
      break;
    }
  }
  return found;
}

/**
 * The complete line at the end of a line too long to read (read-lines.ts), from its last bytes: a half
 * file-history snapshot of tens of MB, Claude Code killed while writing it, then the next line glued to it.
 * Only the object that closes at the line's end is tried, and only as a line of a known type: a whole long line
 * opens before these bytes, and a half one can end in a nested value of its own (of no line type).
 */
export function gluedAtEnd(tail: Buffer, options: ParseOptions = {}): GluedEntry | undefined {
  const at = lastObjectStart(tail);
  if (at < 0 || tail[at + 1] !== QUOTE) return undefined;
  const parsed = parseLine(tail.subarray(at), options);
  return parsed.entry && !parsed.unknownType ? { at, entry: parsed.entry, unknownType: false } : undefined;
}

/**
 * Where the object that closes at the line's end opens, brackets matched right
 * to left (strings skipped), or -1. In a line that ends with a complete one,
 * that is its first byte, whatever the half line before it ends with. Kinds of
 * brackets are not checked: parsing what it finds does.
 */
function lastObjectStart(bytes: Buffer): number {
  if (bytes[bytes.length - 1] !== CLOSE_BRACE) return -1;
  let depth = 0;
  for (let i = bytes.length - 1; i >= 0; i--) {
    const c = bytes[i];
    if (c === QUOTE) i = stringStart(bytes, i);
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth++;
    else if ((c === OPEN_BRACE || c === OPEN_BRACKET) && --depth === 0) return c === OPEN_BRACE ? i : -1;
  }
  return -1;
}

/** The opening quote of the string whose closing quote is at `close`: the first quote before it not escaped (an even run of backslashes before it), or -1. */
function stringStart(bytes: Buffer, close: number): number {
  for (let q = bytes.lastIndexOf(QUOTE, close - 1); q >= 0; q = bytes.lastIndexOf(QUOTE, q - 1)) {
    if (!isEscaped(bytes, q)) return q;
  }
  return -1;
}
