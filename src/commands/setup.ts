import { MIN_CLAUDE_CODE, installedClaudeVersion, isOlder } from "../claude-settings/claude-version.ts";
import { unifiedDiff } from "../claude-settings/diff.ts";
import { type HookChange, type MergeResult, mergeHooks } from "../claude-settings/merge.ts";
import { claudeSettingsPath, folderIsNew, missingConfiguredDir } from "../claude-settings/location.ts";
import { registeredArgv, shellWord } from "../claude-settings/self-command.ts";
import { readSettings, removeSettings, writeSettings } from "../claude-settings/settings-file.ts";
import { SettingsError } from "../claude-settings/settings-json.ts";
import { lastingSetup, temporaryCopyIn } from "../claude-settings/temporary-copy.ts";
import { loadConfig, resolveCredentials } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { writeOut } from "../runtime/stdio.ts";

/** `setup [--dry-run] [--uninstall]`: register (or remove) our hooks in Claude Code's settings.json, changing nothing else. */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const path = claudeSettingsPath();
  const self = registeredArgv();
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
  const say = (line: string) => writeOut(`${line}\n`);

  // Before "already registered": hooks an earlier setup pointed into this very copy are no better for being there.
  if (!uninstall) requireLastingProgram(self, path);
  if (!result.changed) {
    say(uninstall ? `No claude-code-sync hooks in ${path}; nothing to remove.` : `The hooks are already registered in ${path}; nothing changed.`);
    return 0;
  }
  if (!uninstall) {
    requireConfiguredDir();
    requireRecentClaudeCode(path);
  }
  if (options.dryRun) {
    say(`Would change ${path}:\n`);
    say(unifiedDiff(original ?? "", result.text ?? "", [original === undefined ? "/dev/null" : path, result.text === undefined ? "/dev/null" : `${path} (after setup)`]));
    say("");
    for (const line of summary(result.changes)) say(line);
    say("Dry run: nothing was written.");
    return 0;
  }

  const newFolder = folderIsNew(path);
  const backup = result.text === undefined ? removeSettings(path) : writeSettings(path, result.text);
  if (uninstall) {
    say(`Removed the claude-code-sync hooks from ${path}.`);
    if (result.text === undefined) say("The file held nothing else (setup had created it), so it is gone.");
  } else {
    say(`Registered the claude-code-sync hooks in ${path}${newFolder ? ` (a new folder: Claude Code has not run here yet; it reads the file when it starts)` : ""}:`);
    for (const line of summary(result.changes)) say(`  ${line}`);
    say(`  They run ${self.join(" ")} hook <Event> (without a shell; Claude Code waits only for SessionEnd's).`);
    say(`  They need Claude Code ${MIN_CLAUDE_CODE} or later.`);
    if (!Bun.isStandaloneExecutable) {
      say("  (running from source: the hooks use this checkout; run setup again from the installed binary later)");
    }
  }
  if (backup) say(`Previous file saved as ${backup}`);
  if (!uninstall && !hasCredentials()) say('Next: run "claude-code-sync login" so the hooks know where to sync.');
  return 0;
}

const ACTIONS: Record<HookChange["action"], string> = {
  added: "added",
  updated: "brought up to date in place",
  removed: "removed (a duplicate, or an event no longer used)",
};

function summary(changes: HookChange[]): string[] {
  return (Object.keys(ACTIONS) as HookChange["action"][]).flatMap((action) => {
    const events = [...new Set(changes.filter((c) => c.action === action).map((c) => c.event))];
    return events.length > 0 ? [`${ACTIONS[action]}: ${events.join(", ")}`] : [];
  });
}

/**
 * Hooks are never pointed into a package runner's temporary copy (`npx claude-code-sync setup`, pnpm dlx,
 * bunx, yarn dlx): it is cleared at any time, and the hooks would then fail in silence. Only this executable
 * is ever registered (another install may be another version), so an installed one on PATH is named, not registered.
 */
function requireLastingProgram(self: string[], path: string): void {
  const copy = temporaryCopyIn(self);
  if (copy === undefined) return;
  throw new UserError(
    `This claude-code-sync is ${copy.runner}'s temporary copy (${copy.path}), which may be deleted at any time: hooks running it would then stop syncing without a word. ${path} was left untouched; ${lastingSetup()}.`,
  );
}

/** Nothing written into a folder CLAUDE_CONFIG_DIR names but that does not exist: see missingConfiguredDir. */
function requireConfiguredDir(): void {
  const dir = missingConfiguredDir();
  if (dir === undefined) return;
  throw new UserError(
    `CLAUDE_CONFIG_DIR names ${dir}, which does not exist, so Claude Code has never run with it: nothing was written. ` +
      `If it is mistyped, set CLAUDE_CONFIG_DIR to the folder that holds Claude Code's settings.json and projects/ (or unset it to use ~/.claude); ` +
      `if it is the folder you mean, create it (mkdir -p ${shellWord(dir)}) and run setup again.`,
  );
}

/** Hooks Claude Code does not understand would sync nothing, or worse: see MIN_CLAUDE_CODE. */
function requireRecentClaudeCode(path: string): void {
  const version = installedClaudeVersion();
  if (version === undefined || !isOlder(version, MIN_CLAUDE_CODE)) return;
  throw new UserError(
    `Claude Code ${version} is installed (claude --version), and the hooks need ${MIN_CLAUDE_CODE} or later: older versions would not run them, ` +
      `and those before 2.1.101 would ignore all of settings.json. Update Claude Code (claude update), then run setup again. ${path} was left untouched.`,
  );
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
