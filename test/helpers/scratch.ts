import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made = new Set<string>();

/**
 * A fresh folder under the system's temporary folder, removed once every test
 * has run (test/helpers/scratch-cleanup.ts, preloaded by bunfig.toml; bun test
 * runs no process exit handlers): a run of the suite leaves nothing behind.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes one folder scratchDir made, sooner (it holds hundreds of MB). */
export function removeScratchDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}

/** Removes every folder scratchDir made. */
export function removeScratchDirs(): void {
  for (const dir of made) removeScratchDir(dir);
}
