import { join } from "node:path";
import { configuredClaudeDirs, home } from "../paths.ts";

/**
 * Claude Code's user settings file: in the first CLAUDE_CONFIG_DIR entry when
 * that is set (it may be a comma-separated list, and an entry may name the
 * `projects` folder inside it), else ~/.claude/settings.json.
 */
export function claudeSettingsPath(env: Record<string, string | undefined> = process.env): string {
  return join(configuredClaudeDirs(env)?.[0] ?? join(home(), ".claude"), "settings.json");
}
