import { closeSync, openSync, readSync } from "node:fs";

const HEAD_BYTES = 1024;
const TAIL_BYTES = 4096;
const buffer = Buffer.alloc(HEAD_BYTES + TAIL_BYTES);

/**
 * A fingerprint of a file's bytes before `offset`: its first KiB and the
 * 4 KiB just before the offset. A transcript that was appended to keeps it;
 * one rewritten in place (same inode, truncated, grown again past the old
 * offset) almost surely does not, and is then read again from the start
 * instead of being resumed in the middle of a line.
 */
export function fingerprintAt(path: string, offset: number): string | null {
  if (offset <= 0) return null;
  const fd = openSync(path, "r");
  try {
    const head = readSync(fd, buffer, 0, Math.min(HEAD_BYTES, offset), 0);
    const tailStart = Math.max(0, offset - TAIL_BYTES);
    const tail = readSync(fd, buffer, head, Math.min(TAIL_BYTES, offset - tailStart), tailStart);
    return Bun.hash(buffer.subarray(0, head + tail)).toString(36);
  } finally {
    closeSync(fd);
  }
}
