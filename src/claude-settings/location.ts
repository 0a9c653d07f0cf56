import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { configuredClaudeDirs, home } from "../paths.ts";

/**
 * Claude Code's user settings file: in the first CLAUDE_CONFIG_DIR entry when
 * that is set (it may be a comma-separated list, and an entry may name the
 * `projects` folder inside it), else ~/.claude/settings.json.
 */
export function claudeSettingsPath(env: Record<string, string | undefined> = process.env): string {
  return join(configuredClaudeDirs(env)?.[0] ?? join(home(), ".claude"), "settings.json");
}

/**
 * The CLAUDE_CONFIG_DIR folder setup would write into when it does not exist: a
 * typo is likelier than a folder Claude Code has not made yet, and a folder
 * setup made would hide the typo from sync and status (they take an existing one
 * for a new install).
 */
export function missingConfiguredDir(env: Record<string, string | undefined> = process.env): string | undefined {
  const dir = configuredClaudeDirs(env)?.[0];
  return dir !== undefined && !existsSync(dir) ? dir : undefined;
}

/** Whether writing the settings file creates its folder (~/.claude before Claude Code's first run). */
export const folderIsNew = (path: string): boolean => !existsSync(dirname(path));
