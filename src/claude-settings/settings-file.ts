import { constants, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "../config/atomic-write.ts";
import { fileWriteError, folderInTheWay } from "../runtime/writable.ts";
import { UserError } from "../errors.ts";

/**
 * The file's text, or undefined when there is none yet. Decoding is strict (and
 * keeps a byte order mark) so that the text written back is the same bytes
 * wherever setup changes nothing.
 */
export function readSettings(path: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    if ((error as NodeJS.ErrnoException).code === "EISDIR") throw new UserError(`Cannot read ${path}: ${folderInTheWay(path)}.`);
    throw new UserError(`Cannot read ${path}: ${(error as Error).message}. Check that you can read it.`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UserError(`Cannot read ${path}: it is not UTF-8 text, which Claude Code cannot read either. It was left untouched: fix it, then run claude-code-sync setup.`);
  }
}

/**
 * Replace the settings file atomically, after copying the old one to
 * `<file>.bak-<timestamp>` (returned). A symlinked file (dotfile managers) is
 * written through the link; the file keeps its permissions; a new file and its
 * folder are created (owner-only: settings may hold tokens in `env`).
 */
export function writeSettings(path: string, text: string): string | undefined {
  const target = linkTarget(path);
  if (target !== path && !existsSync(target) && !existsSync(dirname(target))) {
    throw new UserError(`Cannot write ${path}: it is a link to ${target}, whose folder does not exist. It was left untouched: create that folder (or replace the link with a file), then run claude-code-sync setup again.`);
  }
  try {
    let backup: string | undefined;
    let mode = 0o600;
    if (existsSync(target)) {
      mode = statSync(target).mode & 0o777;
      backup = freshBackupPath(target);
      copyFileSync(target, backup, constants.COPYFILE_EXCL);
    } else {
      mkdirSync(dirname(target), { recursive: true });
    }
    writeFileAtomic(target, text, mode);
    return backup;
  } catch (error) {
    const explained = fileWriteError(error, target, "Claude Code's settings");
    throw explained instanceof UserError ? explained : new UserError(`Cannot write ${target}: ${(error as Error).message}. Check the folder's permissions.`);
  }
}

/** The file a path names, through its symlinks, also when the last one points at a file not there yet (a link is never replaced by a file). */
function linkTarget(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  let target = path;
  for (let hops = 0; hops < 40 && isSymlink(target); hops++) target = resolve(dirname(target), readlinkSync(target));
  return target;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function freshBackupPath(target: string): string {
  const base = `${target}.bak-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  let path = base;
  for (let n = 1; existsSync(path); n++) path = `${base}-${n}`;
  return path;
}

/**
 * Removes a settings file that holds only what setup writes into a new one
 * (nothing is lost: setup can write it again). A symlinked one (dotfile
 * managers) is kept and emptied to `{}` instead, after a backup.
 */
export function removeSettings(path: string): string | undefined {
  try {
    if (lstatSync(path).isSymbolicLink()) return writeSettings(path, "{}\n");
    rmSync(path);
    return undefined;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Cannot remove ${path}: ${(error as Error).message}. Check the folder's permissions.`);
  }
}
