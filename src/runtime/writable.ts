import { constants, existsSync, statSync } from "node:fs";
import { mayAccess } from "./access.ts";
import { dirname } from "node:path";
import { UserError } from "../errors.ts";

/**
 * What keeps `path` from being written, all of it at once (one fix, not one per
 * try): the file, and its folder (a database makes files beside it) or, when
 * the folder is still to be made, the nearest folder above that exists; empty
 * when nothing does.
 */
export function writeBlockers(path: string): string[] {
  const file = existsSync(path) && !mayAccess(path, constants.W_OK) ? [path] : [];
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return mayAccess(dir, constants.W_OK | constants.X_OK) ? file : [...file, dir];
}

/** The fix for a write to `path` that was refused: what blocks it, else its folder. */
export function refusedWriteFix(path: string): string {
  const file = fileAbove(path);
  if (file) return `move ${file} aside, a file where a folder should be (mv "${file}" "${file}.old")`;
  const blockers = writeBlockers(path);
  return blockerFix(blockers.length > 0 ? blockers : [dirname(path)]);
}

/** The chmod (or chown) that lets `blockers` (from writeBlockers) be written again. */
export function blockerFix(blockers: string[]): string {
  // Permissions never stop root: only an immutable flag (chattr +i) or a read-only mount does, and chmod fixes neither.
  if (process.getuid?.() === 0) {
    const chattr = blockers.map((b) => `"${b}"`).join(" ");
    const are = blockers.length > 1 ? "they are" : "it is";
    return `make ${blockers.join(" and ")} writable: ${are} marked immutable or on a read-only mount (for example: chattr -i ${chattr}, or remount read-write)`;
  }
  const theirs = blockers.filter(othersOwn);
  const commands = blockers.map((b) => (theirs.includes(b) ? takeBack(b) : `chmod u+rw${b.endsWith(".db") ? "" : "x"} "${b}"`)).join(" && ");
  return `${anotherUsers(theirs)}make ${blockers.join(" and ")} writable by you (for example: ${commands})`;
}

/**
 * Whether another user owns `path`: a `sudo claude-code-sync …` writes the user's folder as root (its HOME is
 * the user's), and no chmod of the user's mends that, a chown does.
 */
function othersOwn(path: string): boolean {
  const me = process.getuid?.();
  try {
    const owner = statSync(path, { throwIfNoEntry: false })?.uid;
    return me !== undefined && owner !== undefined && owner !== me;
  } catch {
    return false; // its folder cannot be opened: that folder is the one to mend
  }
}

/** The chown that gives `path` (a folder with all in it) back to the user. */
function takeBack(path: string): string {
  return `sudo chown ${statSync(path).isDirectory() ? "-R " : ""}"$(id -un)" "${path}"`;
}

/** What says `paths` are another user's, before the fix that takes them back. */
function anotherUsers(paths: string[]): string {
  return paths.length === 0 ? "" : `${paths.join(" and ")} ${paths.length === 1 ? "belongs" : "belong"} to another user (a run with sudo?): `;
}

/** The fix for a read of `path` that was refused: what blocks it (its folder, when that cannot be opened, else the file), taken back or chmod-ed. */
export function refusedReadFix(path: string): string {
  const dir = dirname(path);
  const blocker = mayAccess(dir, constants.X_OK) ? path : dir;
  const theirs = othersOwn(blocker);
  return `${anotherUsers(theirs ? [blocker] : [])}make ${blocker} readable by you (for example: ${theirs ? takeBack(blocker) : `chmod ${blocker === dir ? "u+rwx" : "u+rw"} "${blocker}"`})`;
}

/**
 * The fix for `path`, which others may read and this user could not make `mode`: a chmod only its owner
 * may run, so another user's (a `sudo claude-code-sync login` with a umask of 022) is taken back first.
 */
export function ownerOnlyFix(path: string, mode: number): string {
  const chmod = `chmod ${mode.toString(8)} "${path}"`;
  return othersOwn(path) ? `${anotherUsers([path])}take it back (${takeBack(path)}), then claude-code-sync makes it owner-only` : chmod;
}

/** A file standing where a folder of `path` should be (`~/.claude-code-sync` made as a file by hand or by another tool). */
export function fileAbove(path: string): string | undefined {
  for (let dir = dirname(path); dirname(dir) !== dir; dir = dirname(dir)) if (existsSync(dir) && !statSync(dir).isDirectory()) return dir;
  return undefined;
}

/** What mends an ENOTDIR met at `path`: the move of the file in the way. */
export function fileInTheWay(path: string): string {
  const file = fileAbove(path) ?? dirname(path);
  return `${file} is a file where a folder should be: move it aside (mv "${file}" "${file}.old") and try again`;
}

/** What mends an EISDIR met at `path`: the move of the folder standing where that file should be. */
export function folderInTheWay(path: string): string {
  return `it is a folder, where a file should be: move it aside (mv "${path}" "${path}.old") and try again`;
}

/**
 * A failed write of one of our files (`what`, at `path`) as what to do about
 * it, or the error itself when it is not about the disk: a full disk, a
 * read-only file system, a file or folder not writable by the user.
 */
export function fileWriteError(error: unknown, path: string, what: string): Error {
  if (error instanceof UserError) return error;
  const code = (error as { code?: string }).code ?? "";
  const text = (error as Error).message ?? String(error);
  if (code === "ENOSPC" || code === "EDQUOT") return new UserError(`Cannot write ${what} at ${path}: the disk is full. Free some space and try again; nothing was changed.`, 1);
  if (code === "EROFS") return new UserError(`Cannot write ${what} at ${path}: it is on a read-only file system. Remount it writable, or point HOME elsewhere; nothing was changed.`, 2);
  if (code === "EACCES" || code === "EPERM") {
    return new UserError(`Cannot write ${what} at ${path} (${text}). To fix, ${refusedWriteFix(path)}; nothing was changed.`, 2);
  }
  if (code === "ENOTDIR") return new UserError(`Cannot write ${what} at ${path}: ${fileInTheWay(path)}; nothing was changed.`, 2);
  // Any other failure of the file system (a file where a folder should be...): said plainly, without a stack trace.
  if ((error as { syscall?: string }).syscall !== undefined) return new UserError(`Cannot write ${what} at ${path} (${text}); nothing was changed.`, 2);
  return error instanceof Error ? error : new Error(text);
}
