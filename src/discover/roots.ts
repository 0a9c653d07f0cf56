import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { configuredClaudeDirs, home } from "../paths.ts";

/**
 * The `projects/` folders to read. CLAUDE_CONFIG_DIR (a comma-separated list,
 * each entry a config folder or its `projects/` folder) replaces the defaults,
 * as it does for Claude Code; otherwise both the classic and the XDG location.
 * `also`: more `projects/` folders, read as well when they exist.
 */
export function projectRoots(env: Record<string, string | undefined> = process.env, also: string[] = []): string[] {
  const candidates = [
    ...(configuredClaudeDirs(env)?.map((dir) => join(dir, "projects")) ?? [join(home(), ".config", "claude", "projects"), join(home(), ".claude", "projects")]),
    ...also,
  ];
  const seen = new Set<string>();
  const roots: string[] = [];
  for (const dir of candidates) {
    if (!isFolder(dir)) continue;
    const real = realpathSync(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    roots.push(dir);
  }
  return roots;
}

/**
 * The `projects/` folder a session's transcript (`<root>/projects/<project>/<session>.jsonl`,
 * as a hook event names it) lies in; undefined for a path not laid out so.
 */
export function transcriptRoot(path: string): string | undefined {
  const dir = dirname(dirname(path));
  return basename(dir) === "projects" ? dir : undefined;
}

/**
 * No projects/ folder because Claude Code has written no session yet: the
 * default places, or a CLAUDE_CONFIG_DIR folder that exists (Claude Code creates
 * projects/ in it with the first session). A configured folder that does not
 * exist, or is a file, is more likely a typo, and said as a problem.
 */
export function noSessionsYet(env: Record<string, string | undefined> = process.env): boolean {
  return configuredClaudeDirs(env)?.every(isFolder) ?? true;
}

/** The CLAUDE_CONFIG_DIR entries that are no folder (a typo, most likely): read as nothing while the others are read. */
export function missingClaudeDirs(env: Record<string, string | undefined> = process.env): string[] {
  return configuredClaudeDirs(env)?.filter((dir) => !isFolder(dir)) ?? [];
}

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Where projectRoots looked when it found none, and what to do: for `sync` and `verify`. */
export function noRootsFound(env: Record<string, string | undefined> = process.env): { looked: string; fix: string } {
  const configured = configuredClaudeDirs(env);
  if (configured) {
    const files = configured.filter((dir) => existsSync(dir) && !isFolder(dir));
    return {
      looked: `no projects/ folder in ${configured.join(" or ")} (CLAUDE_CONFIG_DIR${files.length ? `; ${files.join(", ")} is a file, not a folder` : ""})`,
      fix: "set CLAUDE_CONFIG_DIR to the folder that holds Claude Code's projects/, or unset it to use ~/.claude",
    };
  }
  return {
    looked: "no ~/.claude/projects or ~/.config/claude/projects",
    fix: "start Claude Code once (it creates the folder), or set CLAUDE_CONFIG_DIR to the folder that holds projects/",
  };
}
