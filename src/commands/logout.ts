import { basename } from "node:path";
import { EXIT_INTERRUPTED } from "../report/interrupt.ts";
import { installedHooks } from "../claude-settings/installed.ts";
import { API_KEY_ENV, type Config, configPath, loadConfig, saveConfig, shownUrl, URL_ENV } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { plural } from "../report/format.ts";
import { listStateDatabases, removeStateDatabase, stateFolder } from "../state/databases.ts";
import { isTerminal, writeErr, writeOut } from "../runtime/stdio.ts";

/**
 * `logout [--forget]`: forget the saved URL and API key, keep the options.
 * Running it twice is fine. --forget also deletes the sync state of every server.
 */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const say = (line: string) => writeOut(`${line}\n`);
  const { convexUrl, apiKey, ...rest } = savedConfig();
  if (convexUrl === undefined && apiKey === undefined) {
    say("No saved credentials; nothing to remove.");
  } else {
    saveConfig(rest);
    say(`Removed the saved URL and API key from ${configPath()} (options kept).`);
  }
  const stillSet = [...URL_ENV, ...API_KEY_ENV].filter((name) => process.env[name]?.trim());
  if (stillSet.length > 0) {
    say(`Note: ${stillSet.join(", ")} ${stillSet.length === 1 ? "is" : "are"} still set in your environment and will still be used.`);
  }
  if (installedHooks() !== "none") {
    say("The Claude Code hooks stay installed until you run `claude-code-sync setup --uninstall`; logged out, they sync nothing.");
  }
  if (options.forget !== true) return 0;
  return forgetState(say, isTerminal(0) && isTerminal(1) ? askFirst : undefined);
}

/** The saved config; one that cannot be used may still hold the key, and deleting it is how to log out (login would keep it aside). */
function savedConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof UserError) || error.code !== "config-error") throw error;
    throw new UserError(`${error.message} To log out instead, delete it (the options in it go too): rm "${configPath()}"`, 2, error.code);
  }
}

/** On a terminal, --forget asks before it deletes: what it costs is said first, and no is the default; undefined when cancelled. */
async function askFirst(question: string): Promise<boolean | undefined> {
  const { confirm, isCancel } = await import("@clack/prompts");
  const answer = await confirm({ message: question, initialValue: false });
  return isCancel(answer) ? undefined : answer;
}

// One line: the terminal (or the question's frame) wraps it to its width; a break of ours cut it short at 80 columns.
const COST =
  "The next sync (yours, a hook's or watch's) then reads every transcript again from the start and reads back " +
  "every session the server holds, one request each, to send only what it lacks: slower than a usual sync, once.";

/**
 * Deletes every state database, once `confirm` (on a terminal) agrees. What
 * that costs is said plainly: the state is what lets a sync read only what is
 * new and send only what the server lacks.
 */
export async function forgetState(say: (line: string) => void, confirm?: (question: string) => Promise<boolean | undefined>): Promise<number> {
  const databases = listStateDatabases();
  if (databases.length === 0) {
    say(`No sync state in ${stateFolder()}; nothing to forget.`);
    return 0;
  }
  const answer = confirm && (await confirm(`Delete the sync state of ${plural(databases.length, "server")} in ${stateFolder()}?\n${COST}`));
  if (confirm && !answer) {
    say("Sync state kept.");
    // Ctrl-C's code, as every command gives it; no is a refusal (1).
    return answer === undefined ? EXIT_INTERRUPTED : 1;
  }
  const busy: string[] = [];
  let removed = 0;
  for (const db of databases) {
    const result = removeStateDatabase(db.path);
    if (result.removed) removed++;
    else busy.push(`${basename(db.path)} (${db.url ? shownUrl(db.url) : "URL not recorded"}): a sync is running (pid ${result.busyPid})`);
  }
  if (removed > 0) {
    say(`Deleted the sync state of ${plural(removed, "server")} in ${stateFolder()}.\n${COST}`);
  }
  if (busy.length > 0) {
    writeErr(`Kept ${busy.join("; ")}. Run \`claude-code-sync logout --forget\` again once it has finished.\n`);
    return 1;
  }
  return 0;
}
