import { closeSync, openSync, readSync } from "node:fs";

const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

/** Whether a UTF-8 byte order mark starts at `at`. */
export const startsWithBom = (buf: Uint8Array, at = 0) => buf[at] === BOM[0] && buf[at + 1] === BOM[1] && buf[at + 2] === BOM[2];

const CHUNK = 1 << 20;
/**
 * The longest line read. A longer one (a transcript with no newline at all,
 * or a corrupt file) is skipped and reported, never held in memory: a 2 GB
 * file without newlines would otherwise grow the buffer to gigabytes.
 */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
/**
 * Reused across calls (reads are synchronous): a fresh 1 MiB per file costs more than the reading. A read a
 * line's handler starts (a fork's copy looks up its parent's file) has a buffer of its own.
 */
const shared = Buffer.alloc(CHUNK);
let sharedInUse = false;

interface LineHandlers {
  /**
   * A complete, non-blank line: its bytes without the line ending (a view
   * into the read buffer, valid only during the call) and its byte range in
   * the file [start, end), end after the `\n`.
   */
  line(bytes: Buffer, start: number, end: number): void;
  /**
   * A line longer than the limit, skipped: its byte range, and when its newline came, its last bytes (at least half
   * the limit, without the line ending: a view valid only during the call) and their offset in the file.
   */
  tooLong?(start: number, end: number, tail?: { bytes: Buffer; at: number }): void;
}

interface ReadResult {
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
 * left for the next read. Lines stay bytes: decoding is the parser's job, which
 * can skip the parts of a line it never reads.
 */
export function readLines(
  path: string,
  fromOffset: number,
  handlers: LineHandlers,
  maxBytes = Number.POSITIVE_INFINITY,
  maxLine = MAX_LINE_BYTES,
): ReadResult {
  const fd = openSync(path, "r");
  const nested = sharedInUse;
  sharedInUse = true;
  try {
    let buf = nested ? Buffer.alloc(CHUNK) : shared;
    let filled = 0; // bytes at the front of buf not consumed yet (an incomplete line)
    let bufStart = fromOffset; // file offset of buf[0]
    let skipping = false; // inside a line longer than maxLine: its bytes are dropped up to its newline
    let bytesRead = 0;
    let eof = false;
    for (;;) {
      // Stop only after a whole line: a single line longer than maxBytes is read to its end, else the caller would ask for it forever.
      if (bytesRead >= maxBytes && bufStart > fromOffset && !skipping) break;
      if (filled === buf.length) {
        if (buf.length >= maxLine) {
          // bufStart stays at the line's start; its bytes so far are dropped but for the last half, where a line
          // Claude Code glued to this one after a crash would be (the caller is given it with the line's range).
          skipping = true;
          filled = buf.length >> 1;
          buf.copyWithin(0, buf.length - filled);
        } else {
          // One line longer than the buffer: grow instead of failing.
          const bigger = Buffer.alloc(Math.min(buf.length * 2, maxLine));
          bigger.set(buf);
          buf = bigger;
        }
      }
      // Reads are sequential: the next byte is always fromOffset + bytesRead (= bufStart + filled outside a skip).
      const at = fromOffset + bytesRead;
      const n = readSync(fd, buf, filled, buf.length - filled, at);
      if (n === 0) {
        // An overlong line still without its newline is not consumed (it may still be being written), only reported.
        if (skipping) handlers.tooLong?.(bufStart, at);
        eof = true;
        break;
      }
      bytesRead += n;
      const end = filled + n;
      if (skipping) {
        // The bytes kept before `filled` hold no newline: only those just read are searched.
        const found = buf.subarray(filled, end).indexOf(NEWLINE);
        if (found < 0) {
          filled = end;
          continue;
        }
        const nl = filled + found;
        const tailAt = at - filled; // the file offset of buf[0]
        const lineEnd = tailAt + nl + 1;
        handlers.tooLong?.(bufStart, lineEnd, { bytes: buf.subarray(0, nl > 0 && buf[nl - 1] === CR ? nl - 1 : nl), at: tailAt });
        skipping = false;
        bufStart = lineEnd;
        // What follows the skipped line in this read may hold whole lines already.
        const last = end > nl + 1 ? buf.lastIndexOf(NEWLINE, end - 1) : nl;
        if (last > nl) emitLines(buf.subarray(nl + 1), last - nl - 1, bufStart, handlers);
        buf.copyWithin(0, last + 1, end);
        filled = end - last - 1;
        bufStart += last - nl;
        continue;
      }
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
    sharedInUse = nested;
    closeSync(fd);
  }
}

/** Emits the lines of buf[0..last] (buf[last] is a newline), without `\r\n` endings or the file's BOM. */
function emitLines(buf: Buffer, last: number, bufStart: number, handlers: LineHandlers): void {
  let from = 0;
  while (from <= last) {
    const nl = buf.indexOf(NEWLINE, from);
    const start = bufStart + from;
    let first = from;
    let stop = nl;
    from = nl + 1;
    if (stop > first && buf[stop - 1] === CR) stop--;
    if (start === 0 && startsWithBom(buf, first)) first += 3;
    if (stop > first) handlers.line(buf.subarray(first, stop), start, bufStart + nl + 1);
  }
}
