import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomHex } from "../runtime/random.ts";

/**
 * Replace `path` with `text` so readers see the old file or the new one, never a
 * half-written one: write a temp file beside it, flush it, then rename over.
 * `mode` is set explicitly (not left to the umask).
 */
export function writeFileAtomic(path: string, text: string, mode: number): void {
  const temp = `${path}.${process.pid}-${randomHex(4)}.tmp`;
  try {
    const fd = openSync(temp, "wx", mode);
    try {
      writeSync(fd, text);
      if (process.platform !== "win32") fchmodSync(fd, mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // The folder refuses this too (read-only): the write's own error is the one to tell.
    }
    throw error;
  }
}
