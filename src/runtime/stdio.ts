import { type Stats, fstatSync, statSync, writeSync } from "node:fs";
import { UserError } from "../errors.ts";

/**
 * Output without `process.stdout` and `process.stderr`: in a compiled Bun
 * program the first touch of either stream (even `.isTTY`) sets up Node's
 * stream machinery, about 19 ms of a command's start-up (measured: a program
 * that prints one line takes 38 ms through process.stdout, 19 ms through
 * this). Writes are synchronous and whole, so nothing is lost when the
 * command returns.
 */
export function writeOut(text: string): void {
  writeAll(1, text);
}

export function writeErr(text: string): void {
  writeAll(2, text);
}

/** Outputs a write failed on (a full disk, an I/O error): later writes to them are dropped, said once. */
const lost = new Set<1 | 2>();

function writeAll(fd: 1 | 2, text: string): void {
  if (lost.has(fd)) return;
  // A Windows console shows UTF-8 bytes written to it raw as another code page: its stream converts them.
  if (process.platform === "win32") {
    (fd === 1 ? process.stdout : process.stderr).write(text);
    return;
  }
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(fd, bytes, at);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A pipe left non-blocking by whoever made it, and full: its reader will drain it.
      if (code === "EAGAIN") Bun.sleepSync(1);
      // The reader is gone (`| head -1`; a socket pair, as Bun.spawn makes, says ECONNRESET): there is nobody to tell anything.
      else if (code === "EPIPE" || code === "ECONNRESET") return;
      else {
        // Stdout into a file on a full disk: said on stderr, once, without a stack trace; a failing stderr has nobody to tell.
        lost.add(fd);
        if (fd === 2) return;
        throw new UserError(`Cannot write the output (${(error as Error).message}): free some space or send it elsewhere, and run the command again to see it.`, 1);
      }
    }
  }
}

/** A character device: a terminal, or /dev/null and the like; never a pipe or a file. */
export function characterDevice(fd: number): boolean {
  return statOf(fd)?.isCharacterDevice() === true;
}

/**
 * Whether `fd` is a terminal. node:tty (about 13 ms to load) is asked only
 * about a character device other than /dev/null: never for the pipes, files
 * and /dev/null of scripts, hooks and CI.
 */
export function isTerminal(fd: number): boolean {
  const st = statOf(fd);
  if (!st?.isCharacterDevice() || st.rdev === nullDevice()) return false;
  return (require("node:tty") as typeof import("node:tty")).isatty(fd);
}

function statOf(fd: number): Stats | undefined {
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}

/** /dev/null's device number; undefined where there is none (Windows). */
function nullDevice(): number | undefined {
  try {
    return statSync("/dev/null").rdev;
  } catch {
    return undefined;
  }
}
