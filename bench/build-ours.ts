/**
 * Our executable as of the working tree: dist/claude-code-sync is rebuilt
 * (`npm run build`, a few seconds) when it is missing or older than any source.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** What the build reads. */
const INPUTS = ["src", "scripts", "package.json"];

/** Latest modification time (ms) of the files at these paths, folders walked; missing paths count as 0. */
export function newestChange(paths: readonly string[]): number {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const info = statSync(path);
    if (!info.isDirectory()) {
      newest = Math.max(newest, info.mtimeMs);
      continue;
    }
    for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

export function isStale(binary: string, inputs: readonly string[]): boolean {
  return !existsSync(binary) || newestChange(inputs) > statSync(binary).mtimeMs;
}

/** Builds when stale; returns why the executable is unavailable, or null when it is ready. */
export async function ensureBuilt(root: string, binary: string, log: (message: string) => void): Promise<string | null> {
  if (!isStale(binary, INPUTS.map((p) => join(root, p)))) return null;
  log(`${binary} is missing or older than the sources: running npm run build`);
  const proc = Bun.spawn(["npm", "run", "build"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code === 0 && existsSync(binary)) return null;
  const tail = `${out}\n${err}`.trim().split("\n").slice(-3).join(" / ");
  return `skipped: npm run build failed (exit ${code}): ${tail}`;
}
