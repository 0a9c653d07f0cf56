import { delimiter, sep } from "node:path";

/** The folder of npm's cache where `npx` (`npm exec`) unpacks a package it runs without an install: `~/.npm/_npx/<hash>/`. */
const NPX_FOLDER = "_npx";

/**
 * The program path of `argv` that lies in npx's cache, which npm clears at any time: hooks naming it
 * would fail later, silently. Found by the path alone: npm_command=exec is set as well when npx runs a
 * global install (a lasting path), and the cache may be anywhere (npm_config_cache).
 */
export function npxCopyIn(argv: readonly string[]): string | undefined {
  return argv.find((arg) => arg.split(/[\\/]/).includes(NPX_FOLDER));
}

/** A claude-code-sync on PATH outside npx's cache (npx puts its own first on PATH): an installed one. */
export function installedOnPath(env: Record<string, string | undefined> = process.env): string | undefined {
  const lasting = (env.PATH ?? "").split(delimiter).filter((dir) => !dir.split(sep).includes(NPX_FOLDER));
  return Bun.which("claude-code-sync", { PATH: lasting.join(delimiter) }) ?? undefined;
}
