import { claudeSettingsPath } from "./location.ts";
import { registeredArgv } from "./self-command.ts";
import { readSettings } from "./settings-file.ts";
import { enabledPlugin, hookStatus } from "./status.ts";

/**
 * Our hooks in the user's Claude Code settings, as login and logout speak of them: every event
 * handled by this executable as setup writes it (or by our plugin), some, or none. An unreadable
 * settings.json counts as none: `verify` and `setup` report it.
 */
export function installedHooks(): "all" | "some" | "none" {
  try {
    const text = readSettings(claudeSettingsPath());
    if (enabledPlugin(text)) return "all";
    const states = Object.values(hookStatus(text, registeredArgv()).states);
    if (states.every((state) => state === "current")) return "all";
    return states.some((state) => state !== "missing") ? "some" : "none";
  } catch {
    return "none";
  }
}
