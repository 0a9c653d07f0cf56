import { basename, dirname, join, resolve } from "node:path";

/**
 * Home folder; HOME wins so tests (and users) can point it elsewhere.
 * node:os is loaded only without HOME (Windows): loading it costs the hook
 * about a millisecond.
 */
export function home(): string {
  return process.env.HOME || process.env.USERPROFILE || (require("node:os") as typeof import("node:os")).homedir();
}

/** Our own folder: config, state database, logs. */
export function appDir(): string {
  return join(home(), ".claude-code-sync");
}

/**
 * Claude Code's config folders named by CLAUDE_CONFIG_DIR (a comma-separated
 * list; an entry may name the `projects` folder inside one, or start with ~),
 * or undefined when it is not set.
 */
export function configuredClaudeDirs(env: Record<string, string | undefined> = process.env): string[] | undefined {
  const entries = env.CLAUDE_CONFIG_DIR?.split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (!entries?.length) return undefined;
  return entries.map((entry) => {
    const dir = resolve(entry === "~" || entry.startsWith("~/") ? home() + entry.slice(1) : entry);
    return basename(dir) === "projects" ? dirname(dir) : dir;
  });
}
