import { delimiter } from "node:path";

/**
 * Where a package runner unpacks a package it runs without an install, known by one folder of the path
 * (the caches may be anywhere: npm_config_cache, pnpm's cacheDir, TMPDIR). Each runner clears its copy
 * at any time, so hooks naming it would later fail in silence.
 */
const TEMPORARY_FOLDERS: ReadonlyArray<{ runner: string; folder: RegExp }> = [
  // ~/.npm/_npx/<hash>/node_modules/…
  { runner: "npx", folder: /^_npx$/ },
  // <pnpm cache>/dlx/<key>/<prepare>/node_modules/… (~/.cache/pnpm, ~/Library/Caches/pnpm, %LOCALAPPDATA%\pnpm-cache)
  { runner: "pnpm dlx", folder: /^dlx$/ },
  // $TMPDIR/bunx-<uid>-<package>@<version>/node_modules/…, or <bun install cache>/.bunx-<uid>/<package>@<version>/…
  { runner: "bunx", folder: /^\.?bunx-/ },
  // $TMPDIR/xfs-<random>/dlx-<pid>/…
  { runner: "yarn dlx", folder: /^dlx-\d+$/ },
];

/** The runner whose temporary copy `path` lies in, if any. */
function runnerOf(path: string): string | undefined {
  const folders = path.split(/[\\/]/);
  return TEMPORARY_FOLDERS.find(({ folder }) => folders.some((name) => folder.test(name)))?.runner;
}

/**
 * The program path of `argv` that lies in a package runner's temporary copy, and the runner. Found by
 * the path alone: npm_command=exec is set as well when npx runs a global install (a lasting path).
 */
export function temporaryCopyIn(argv: readonly string[]): { path: string; runner: string } | undefined {
  for (const path of argv) {
    const runner = runnerOf(path);
    if (runner !== undefined) return { path, runner };
  }
  return undefined;
}

/** A claude-code-sync on PATH outside the runners' copies (a runner puts its own first on PATH): an installed one. */
export function installedOnPath(env: Record<string, string | undefined> = process.env): string | undefined {
  const lasting = (env.PATH ?? "").split(delimiter).filter((dir) => runnerOf(dir) === undefined);
  return Bun.which("claude-code-sync", { PATH: lasting.join(delimiter) }) ?? undefined;
}
