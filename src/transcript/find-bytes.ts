import { closeSync, openSync, readSync } from "node:fs";

const BLOCK = 1 << 20;

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
 * Whether one of `needles` occurs in the first `end` bytes of the file. Read a
 * block at a time, each overlapping the last by the longest needle's length less one,
 * so memory stays at one block. A file that cannot be read holds none.
 */
export function fileHolds(path: string, end: number, needles: readonly Buffer[]): boolean {
  const overlap = Math.max(0, ...needles.map((n) => n.length - 1));
  const buf = Buffer.alloc(BLOCK + overlap);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    let kept = 0; // the previous block's last bytes, at the front of buf
    for (let at = 0; at < end; ) {
      const n = readSync(fd, buf, kept, Math.min(BLOCK, end - at), at);
      if (n === 0) return false;
      const view = buf.subarray(0, kept + n);
      if (needles.some((needle) => view.includes(needle))) return true;
      at += n;
      kept = Math.min(overlap, view.length);
      buf.copyWithin(0, view.length - kept, view.length);
    }
    return false;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
