import { basename, dirname, join, resolve } from "node:path";
import { home } from "../paths.ts";

/**
 * Claude Code's user settings file: in the first CLAUDE_CONFIG_DIR entry when
 * that is set (it may be a comma-separated list, and an entry may name the
 * `projects` folder inside it), else ~/.claude/settings.json.
 */
export function claudeSettingsPath(env: Record<string, string | undefined> = process.env): string {
  const first = env.CLAUDE_CONFIG_DIR?.split(",")
    .map((entry) => entry.trim())
    .find((entry) => entry !== "");
  if (first === undefined) return join(home(), ".claude", "settings.json");
  const root = resolve(first === "~" || first.startsWith("~/") ? home() + first.slice(1) : first);
  return join(basename(root) === "projects" ? dirname(root) : root, "settings.json");
}
