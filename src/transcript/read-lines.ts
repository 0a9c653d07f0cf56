import { closeSync, openSync, readSync } from "node:fs";

const NEWLINE = 0x0a;
const CHUNK = 1 << 20;
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

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
}

/**
 * Reads the complete lines of a file from a byte offset, in fixed-size chunks,
 * so memory is bounded by the chunk size and the longest line, not the file.
 * A last line without `\n` may still be being written by Claude Code: it is
 * left for the next read.
 */
export function readLines(path: string, fromOffset: number, handlers: LineHandlers): ReadResult {
  const fd = openSync(path, "r");
  try {
    let buf = new Uint8Array(CHUNK);
    let filled = 0; // bytes of buf holding data not yet consumed
    let bufStart = fromOffset; // file offset of buf[0]
    let bytesRead = 0;
    for (;;) {
      if (filled === buf.length) {
        // One line longer than the buffer: grow instead of failing.
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const n = readSync(fd, buf, filled, buf.length - filled, bufStart + filled);
      if (n === 0) break;
      bytesRead += n;
      const end = filled + n;
      let lineStart = 0;
      for (let i = buf.indexOf(NEWLINE, filled); i !== -1 && i < end; i = buf.indexOf(NEWLINE, i + 1)) {
        emit(buf, lineStart, i, bufStart, handlers);
        lineStart = i + 1;
      }
      // Keep the incomplete tail at the front of the buffer.
      buf.copyWithin(0, lineStart, end);
      filled = end - lineStart;
      bufStart += lineStart;
    }
    return { offset: bufStart, bytesRead };
  } finally {
    closeSync(fd);
  }
}

function emit(buf: Uint8Array, from: number, newline: number, bufStart: number, handlers: LineHandlers): void {
  let to = newline;
  if (to > from && buf[to - 1] === 0x0d) to--; // CRLF
  const start = bufStart + from;
  const end = bufStart + newline + 1;
  if (to === from) return; // blank line
  let text: string;
  try {
    text = decoder.decode(buf.subarray(from, to));
  } catch {
    handlers.bad?.(start, end);
    return;
  }
  handlers.line(text, start, end);
}
