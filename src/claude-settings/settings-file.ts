import { constants, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../config/atomic-write.ts";
import { UserError } from "../errors.ts";

/** The file's text, or undefined when there is none yet. */
export function readSettings(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UserError(`Cannot read ${path}: ${(error as Error).message}. Check that you can read it.`);
  }
}

/**
 * Replace the settings file atomically, after copying the old one to
 * `<file>.bak-<timestamp>` (returned). A symlinked file (dotfile managers) is
 * written through the link; the file keeps its permissions; a new file and its
 * folder are created (owner-only: settings may hold tokens in `env`).
 */
export function writeSettings(path: string, text: string): string | undefined {
  const target = existsSync(path) ? realpathSync(path) : path;
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
    throw new UserError(`Cannot write ${target}: ${(error as Error).message}. Check the folder's permissions.`);
  }
}

function freshBackupPath(target: string): string {
  const base = `${target}.bak-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  let path = base;
  for (let n = 1; existsSync(path); n++) path = `${base}-${n}`;
  return path;
}
