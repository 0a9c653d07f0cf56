import { lineDiff } from "../claude-settings/diff.ts";
import { HOOK_EVENTS, type MergeResult, mergeHooks, SettingsError } from "../claude-settings/hooks.ts";
import { claudeSettingsPath } from "../claude-settings/location.ts";
import { selfCommand } from "../claude-settings/self-command.ts";
import { readSettings, writeSettings } from "../claude-settings/settings-file.ts";
import { loadConfig, resolveCredentials } from "../config/index.ts";
import { UserError } from "../errors.ts";

/** `setup [--dry-run] [--uninstall]`: register (or remove) our hooks in Claude Code's settings.json. */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const path = claudeSettingsPath();
  const self = selfCommand();
  const uninstall = Boolean(options.uninstall);
  const original = readSettings(path);
  let result: MergeResult;
  try {
    result = mergeHooks(original, self, uninstall ? "uninstall" : "install");
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    throw new UserError(
      `Cannot update ${path}: ${error.message}. It was left untouched; fix it (Claude Code cannot read it either) and run setup again.`,
    );
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);

  if (!result.changed) {
    say(uninstall ? `No claude-code-sync hooks in ${path}; nothing to remove.` : `The hooks are already registered in ${path}; nothing changed.`);
    return 0;
  }
  if (options.dryRun) {
    say(`Would change "hooks" in ${path}:\n`);
    say(lineDiff(section(result.hooksBefore), section(result.hooksAfter)));
    say("\nDry run: nothing was written.");
    return 0;
  }

  const backup = writeSettings(path, result.text);
  if (uninstall) {
    say(`Removed the claude-code-sync hooks from ${path}.`);
  } else {
    say(`Registered the claude-code-sync hooks in ${path}:`);
    say(`  ${HOOK_EVENTS.join(", ")} run: ${self} hook <Event>`);
    if (!Bun.isStandaloneExecutable) {
      say("  (running from source: the hooks use this checkout; run setup again from the installed binary later)");
    }
  }
  if (backup) say(`Previous file saved as ${backup}`);
  if (!uninstall && !hasCredentials()) say('Next: run "claude-code-sync login" so the hooks know where to sync.');
  return 0;
}

function section(hooks: unknown): string {
  return `"hooks": ${JSON.stringify(hooks ?? {}, null, 2)}`;
}

function hasCredentials(): boolean {
  try {
    const credentials = resolveCredentials(loadConfig(), process.env);
    return credentials.convexUrl !== undefined && credentials.apiKey !== undefined;
  } catch {
    // A broken config is reported by the commands that need it; setup itself succeeded.
    return true;
  }
}
