import { readLines } from "./read-lines.ts";

/**
 * The bytes a transcript line holds a string as: inside a JSON string, and
 * inside a JSON string nested in one (a tool's input written as text).
 * Claude Code writes JSON.stringify's output, which escapes only quotes,
 * backslashes and control characters.
 */
export function writtenForms(value: string): Buffer[] {
  const once = JSON.stringify(value).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [...new Set([value, once, twice])].map((form) => Buffer.from(form));
}

/**
 * Whether one of `needles` occurs in the first `end` bytes of the file, read
 * line by line as a transcript is (a needle holds no line break). A file that
 * cannot be read holds none.
 */
export function fileHolds(path: string, end: number, needles: readonly Buffer[]): boolean {
  let found = false;
  const line = (bytes: Buffer, start: number) => {
    if (found || start >= end) return;
    const within = bytes.subarray(0, end - start);
    found = needles.some((needle) => within.includes(needle));
  };
  try {
    readLines(path, 0, { line }, end);
  } catch {
    return false;
  }
  return found;
}
