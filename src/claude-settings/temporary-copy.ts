import { delimiter } from "node:path";
import { shellWord } from "./self-command.ts";

/**
 * Where a package runner unpacks a package it runs without an install, known by the folders of the path
 * (the caches may be anywhere: npm_config_cache, pnpm's cacheDir, TMPDIR), matched against the path with
 * `/` between its folders. Each runner clears its copy at any time, so hooks naming it would later fail
 * in silence.
 */
const TEMPORARY_FOLDERS: ReadonlyArray<{ runner: string; folder: RegExp }> = [
  // ~/.npm/_npx/<hash>/node_modules/…
  { runner: "npx", folder: /(^|\/)_npx\// },
  // <pnpm cache>/dlx/<key>/<prepare>/node_modules/… (~/.cache/pnpm, ~/Library/Caches/pnpm, %LOCALAPPDATA%\pnpm-cache):
  // dlx alone is a name anyone may give a folder.
  { runner: "pnpm dlx", folder: /(^|\/)pnpm(-cache)?\/dlx\// },
  // $TMPDIR/bunx-<uid>-<package>@<version>/node_modules/…, or <bun install cache>/.bunx-<uid>/<package>@<version>/…
  { runner: "bunx", folder: /(^|\/)\.?bunx-\d+[-/]/ },
  // $TMPDIR/xfs-<random>/dlx-<pid>/…
  { runner: "yarn dlx", folder: /(^|\/)dlx-\d+\// },
];

export interface TemporaryCopy {
  /** The argument found in the copy. */
  path: string;
  runner: string;
}

/** The runner whose temporary copy `path` lies in, if any. */
function runnerOf(path: string): string | undefined {
  const folders = `${path.replaceAll("\\", "/")}/`;
  return TEMPORARY_FOLDERS.find(({ folder }) => folder.test(folders))?.runner;
}

/**
 * The program path of `argv` that lies in a package runner's temporary copy, and the runner. Found by
 * the path alone: npm_command=exec is set as well when npx runs a global install (a lasting path).
 */
export function temporaryCopyIn(argv: readonly string[]): TemporaryCopy | undefined {
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

/** How a user of a runner's copy gets hooks that last: setup run by the installed claude-code-sync, or an install first. */
export function lastingSetup(env: Record<string, string | undefined> = process.env): string {
  const installed = installedOnPath(env);
  return installed !== undefined
    ? `claude-code-sync is installed at ${installed}: run ${shellWord(installed)} setup`
    : "install it for good, then run claude-code-sync setup: npm install -g claude-code-sync, " +
        "or the install script (curl -fsSL https://github.com/claude-code-sync/claude-code-sync/releases/latest/download/install.sh | sh), " +
        "or Homebrew (brew install claude-code-sync/tap/claude-code-sync)";
}
