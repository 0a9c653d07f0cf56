import { closeSync, openSync, readSync } from "node:fs";

const NEWLINE = 0x0a;
const CHUNK = 1 << 20;
const decoder = new TextDecoder("utf-8", { fatal: true });
/** Reused across calls (reads are synchronous, never nested): a fresh 1 MiB per file costs more than the reading. */
const shared = new Uint8Array(CHUNK);

export interface LineHandlers {
  /** A complete line's text (no line ending) and its byte range [start, end), end after the `\n`. */
  line(text: string, start: number, end: number): void;
  /** A complete line that is not valid UTF-8. */
  bad?(start: number, end: number): void;
}

export interface ReadResult {
  /** Byte offset just after the last complete line: where the next read starts. */
  offset: number;
  bytesRead: number;
  /** False when the read stopped at `maxBytes` with more of the file left. */
  eof: boolean;
}

/**
 * Reads the complete lines of a file from a byte offset, in fixed-size chunks,
 * so memory is bounded by the chunk size and the longest line, not the file.
 * A last line without `\n` may still be being written by Claude Code: it is
 * left for the next read.
 */
export function readLines(path: string, fromOffset: number, handlers: LineHandlers, maxBytes = Number.POSITIVE_INFINITY): ReadResult {
  const fd = openSync(path, "r");
  try {
    let buf = shared;
    let filled = 0; // bytes at the front of buf not consumed yet (an incomplete line)
    let bufStart = fromOffset; // file offset of buf[0]
    let bytesRead = 0;
    let eof = false;
    for (;;) {
      // Stop only after a whole line: a single line longer than maxBytes is read to its end, else the caller would ask for it forever.
      if (bytesRead >= maxBytes && bufStart > fromOffset) break;
      if (filled === buf.length) {
        // One line longer than the buffer: grow instead of failing.
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const n = readSync(fd, buf, filled, buf.length - filled, bufStart + filled);
      if (n === 0) {
        eof = true;
        break;
      }
      bytesRead += n;
      const end = filled + n;
      const last = buf.lastIndexOf(NEWLINE, end - 1);
      if (last < filled) {
        filled = end; // no line ends in what was just read
        continue;
      }
      emitLines(buf, last, bufStart, handlers);
      buf.copyWithin(0, last + 1, end);
      filled = end - last - 1;
      bufStart += last + 1;
    }
    return { offset: bufStart, bytesRead, eof };
  } finally {
    closeSync(fd);
  }
}

/**
 * Emits the lines of buf[0..last] (buf[last] is a newline). The whole block is
 * decoded at once, which is several times faster than a decode per line; `\n`
 * never occurs inside a UTF-8 sequence, so the split strings match the byte
 * ranges between newlines. Invalid UTF-8 falls back to a decode per line.
 */
function emitLines(buf: Uint8Array, last: number, bufStart: number, handlers: LineHandlers): void {
  let texts: string[] | undefined;
  try {
    texts = decoder.decode(buf.subarray(0, last)).split("\n");
  } catch {
    texts = undefined;
  }
  let from = 0;
  let i = 0;
  while (from <= last) {
    const nl = buf.indexOf(NEWLINE, from);
    let text = texts ? (texts[i++] as string) : decodeLine(buf, from, nl);
    const start = bufStart + from;
    const end = bufStart + nl + 1;
    from = nl + 1;
    if (text === undefined) {
      handlers.bad?.(start, end);
      continue;
    }
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (start === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text !== "") handlers.line(text, start, end);
  }
}

function decodeLine(buf: Uint8Array, from: number, nl: number): string | undefined {
  try {
    return decoder.decode(buf.subarray(from, nl));
  } catch {
    return undefined;
  }
}
