import { constants, existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { HOOK_EVENTS, NEWER_EVENTS } from "../claude-settings/hook-spec.ts";
import { claudeSettingsPath } from "../claude-settings/location.ts";
import { registeredArgv } from "../claude-settings/self-command.ts";
import { readSettings } from "../claude-settings/settings-file.ts";
import { SettingsError } from "../claude-settings/settings-json.ts";
import { type HookState, type HookStatus, enabledPlugin, hookStatus } from "../claude-settings/status.ts";
import { lastingSetup, temporaryCopyIn } from "../claude-settings/temporary-copy.ts";
import { CONFIG_FILE_MODE, type Config, type Credentials, configPath, defaultConfig, loadConfig, maskKey, resolveCredentials, unusedKeys, unusedKeysText } from "../config/index.ts";
import { discoverFiles } from "../discover/files.ts";
import { missingClaudeDirs, noRootsFound, noSessionsYet, projectRoots } from "../discover/roots.ts";
import { UserError } from "../errors.ts";
import { formatInt, plural } from "../report/format.ts";
import { unreadableFiles } from "../report/unreadable.ts";
import { keyFormatProblem } from "../login/key-format.ts";
import type { OpenSyncClient } from "../opensync/client.ts";
import { MAX_LIST_LIMIT, type ServerSession } from "../opensync/read-api.ts";
import { heldInPart } from "../send/reconcile.ts";
import { loadPriceBook } from "../pricing/index.ts";
import { mayAccess } from "../runtime/access.ts";
import { blockerFix, fileAbove, ownerOnlyFix, refusedReadFix, refusedWriteFix, writeBlockers } from "../runtime/writable.ts";
import { envSource, urlFromEnvFix } from "../opensync/transport.ts";
import { SyncLock } from "../state/lock.ts";
import { unpricedModels } from "../sync/run-sync.ts";
import { STATE_DAMAGED, diskFullError, diskIsFull, stateError } from "../state/db.ts";
import { StateStore, statePath } from "../state/store.ts";
import { runningWatchPid } from "../watch/watch-mark.ts";
import { isExecutable } from "./executable.ts";
import { checkClient, explainServerError, keyFix } from "./server.ts";

/** "warn": worth fixing, but nothing fails for it (no hooks yet: `sync` run by hand still sends everything). */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface Check {
  id: "config" | "credentials" | "server" | "apiKey" | "hooks" | "state" | "prices" | "serverCopy" | "transcripts";
  name: string;
  status: CheckStatus;
  detail: string;
  /** The command (or step) that fixes a failure or a warning. */
  fix?: string;
  /**
   * A failure's exit code, the one `sync` gives for the same problem: 2 when the user must change
   * something (config, login, URL, hooks that cannot run, a state to move aside), 1 when it is work left.
   */
  exitCode?: 1 | 2;
}

const ok = (id: Check["id"], name: string, detail: string): Check => ({ id, name, status: "ok", detail });
const fail = (id: Check["id"], name: string, detail: string, fix: string, exitCode: 1 | 2): Check => ({ id, name, status: "fail", detail, fix, exitCode });
const warn = (id: Check["id"], name: string, detail: string, fix: string): Check => ({ id, name, status: "warn", detail, fix });
const skip = (id: Check["id"], name: string, detail: string): Check => ({ id, name, status: "skip", detail });

const LOGIN = "claude-code-sync login";
const SETUP_OR_WATCH = "claude-code-sync setup (or run claude-code-sync watch)";
const checksPermissions = process.platform !== "win32";
/** What a check of the state's contents says when the state cannot be read: the state check says why, once. */
const NEEDS_STATE = "needs a readable sync state";

/** Every check, in the order a problem has to be fixed; later ones are skipped when what they need is broken. */
export async function runChecks(): Promise<Check[]> {
  const { check: config, value } = configCheck();
  const checks = [config];
  const creds = resolveCredentials(value ?? defaultConfig());
  const target = credentialsCheck(value, creds);
  const server = await serverChecks(target, creds.source);
  checks.push(target.check, ...server.checks);
  checks.push(hooksCheck(), stateCheck(target.url), pricesCheck(target.url, value ?? defaultConfig()));
  if (target.url && server.sessions) checks.push(serverCopyCheck(target.url, server.sessions, server.listed));
  checks.push(transcriptsCheck());
  return checks;
}

function configCheck(): { check: Check; value?: Config } {
  const name = "Config file";
  const path = configPath();
  const inTheWay = fileInTheWay("config", name, path);
  if (inTheWay) return { check: inTheWay };
  // A folder it may not open hides the file: not "none yet", which login would not mend either.
  if (existsSync(dirname(path)) && !mayAccess(dirname(path), constants.X_OK)) return { check: fail("config", name, `${dirname(path)} cannot be opened`, refusedReadFix(path), 2) };
  if (!existsSync(path)) return { check: ok("config", name, `none yet at ${path} (login writes it)`), value: defaultConfig() };
  const readableByOthers = (): boolean => checksPermissions && (statSync(path).mode & 0o077) !== 0;
  const wasOpen = readableByOthers();
  try {
    const value = loadConfig(); // tightens permissions that let others read the key
    const note = wasOpen ? "; other users could read it: its permissions were just set to owner-only" : checksPermissions ? ", owner-only" : "";
    const unused = unusedKeys(value);
    const unusedNote = unused.length > 0 ? `; not used by this version: ${unusedKeysText(unused)}` : "";
    // A key close to one of ours is a typo that does nothing (a newer version's option is not close to ours).
    const typos = unused.filter((u) => u.meant !== undefined);
    if (typos.length > 0) {
      const fix = `in ${path}, rename ${typos.map((u) => `${u.key} to ${u.meant}`).join(", ")}`;
      return { check: fail("config", name, `${path} is readable${note}${unusedNote}`, fix, 2), value };
    }
    return { check: ok("config", name, `${path} is readable${note}${unusedNote}`), value };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    // A file it may not read: login, which would read it first, is no fix.
    const fix = !mayAccess(path, constants.R_OK)
      ? refusedReadFix(path)
      : statSync(path).isDirectory()
        ? `mv "${path}" "${path}.old"`
        : readableByOthers()
          ? ownerOnlyFix(path, CONFIG_FILE_MODE)
          : `fix ${path} by hand, or run ${LOGIN} again (it keeps the file aside)`;
    return { check: fail("config", name, error.message, fix, 2) };
  }
}

/** A file where one of `path`'s folders should be: no mode makes it a folder, only moving it aside does (as sync and login say). */
function fileInTheWay(id: Check["id"], name: string, path: string): Check | undefined {
  const file = fileAbove(path);
  return file ? fail(id, name, `${path} cannot be read or written: ${file} is a file where a folder should be`, refusedWriteFix(path), 2) : undefined;
}

interface Target {
  check: Check;
  url?: string;
  client?: OpenSyncClient;
}

function credentialsCheck(config: Config | undefined, creds: ReturnType<typeof resolveCredentials>): Target {
  const name = "Credentials";
  if (!config) return { check: skip("credentials", name, "needs a readable config file") };
  const { convexUrl, apiKey } = creds;
  if (!convexUrl || !apiKey) {
    const missing = !convexUrl && !apiKey ? "no server URL and no API key" : !convexUrl ? "no server URL" : "no API key";
    return { check: fail("credentials", name, `not logged in: ${missing}`, `${LOGIN} (or set CLAUDE_CODE_SYNC_URL and CLAUDE_CODE_SYNC_API_KEY)`, 2) };
  }
  const problem = keyFormatProblem(apiKey);
  if (problem) return { check: fail("credentials", name, problem, keyFix(creds.source.apiKey), 2) };
  try {
    const { url, client } = checkClient(config, { convexUrl, apiKey, source: creds.source }, false);
    const from = (source: string | undefined) => (source === "config" ? "config file" : `$${source}`);
    return {
      check: ok("credentials", name, `${url} (from ${from(creds.source.convexUrl)}), key ${maskKey(apiKey)} (from ${from(creds.source.apiKey)})`),
      url,
      client,
    };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const variable = envSource(creds.source.convexUrl);
    const fix = variable !== undefined ? urlFromEnvFix(variable) : /plain http/.test(error.message) ? `${LOGIN} --insecure, or use https://` : LOGIN;
    return { check: fail("credentials", name, error.message, fix, 2) };
  }
}

/** The newest sessions with their message counts; undefined when the server's read API does not answer (the check then counts sessions only). */
async function messageCounts(client: OpenSyncClient): Promise<ServerSession[] | undefined> {
  const listed = await client.once.listServerSessions({ limit: MAX_LIST_LIMIT });
  return listed.ok ? listed.value : undefined;
}

interface ServerAnswers {
  checks: Check[];
  /** The sessions it holds, when it answered. */
  sessions?: Set<string>;
  listed?: ServerSession[];
}

/** The server's checks, and what it holds. */
async function serverChecks({ client, url }: Target, source: Credentials["source"]): Promise<ServerAnswers> {
  const server = "Server reachable";
  const key = "API key valid";
  if (!client || !url) return { checks: [skip("server", server, "needs credentials"), skip("apiKey", key, "needs credentials")] };
  try {
    await client.health();
  } catch (error) {
    const e = explainServerError(error, url, source.apiKey, source.convexUrl);
    return { checks: [fail("server", server, e.problem, e.fix, e.exitCode), skip("apiKey", key, "needs the server")] };
  }
  const reachable = ok("server", server, `${url}/health answers`);
  try {
    const sessions = await client.listSessions();
    return {
      checks: [reachable, ok("apiKey", key, `accepted; ${plural(sessions.length, "session")} on the server`)],
      sessions: new Set(sessions),
      listed: await messageCounts(client),
    };
  } catch (error) {
    const e = explainServerError(error, url, source.apiKey, source.convexUrl);
    return { checks: [reachable, fail("apiKey", key, e.problem, e.fix, e.exitCode)] };
  }
}

/** Every model read has a price: an unknown one costs $0 in the dashboard until it has one. */
function pricesCheck(url: string | undefined, config: Config): Check {
  const name = "Model prices";
  const path = url === undefined ? undefined : statePath(url);
  if (path === undefined || !existsSync(path)) return ok("prices", name, "no responses read yet");
  let store: StateStore | undefined;
  try {
    store = StateStore.open(path);
    const unknown = unpricedModels(store, loadPriceBook({ prices: config.options.prices, priceUpdates: config.options.priceUpdates }));
    if (unknown.length === 0) return ok("prices", name, `every model read has a price (${plural(store.modelNames().length, "model")})`);
    // Said, never guessed; but the sessions are sent (sync exits 0 and names them), and a price added later reprices them.
    return warn(
      "prices",
      name,
      `no price known for ${unknown.join(", ")}: counted at $0`,
      'add them under "prices" in ~/.claude-code-sync/config.json (see the README, Pricing), or wait for the daily price refresh',
    );
  } catch {
    return skip("prices", name, NEEDS_STATE);
  } finally {
    store?.close();
  }
}

/** The server is the truth about what it holds: fewer of our sessions, or of their messages, than the state says were sent means data was lost there. */
function serverCopyCheck(url: string, onServer: Set<string>, listed: ServerSession[] | undefined): Check {
  const name = "Server copy";
  const path = statePath(url);
  if (!existsSync(path)) return ok("serverCopy", name, "nothing sent from here yet");
  let store: StateStore | undefined;
  try {
    store = StateStore.open(path);
    const sent = store.sentSessionIds();
    const missing = sent.filter((id) => !onServer.has(id));
    // A session deleted there and written again since (the next turn's hook) is held, without its earlier messages.
    const inPart = listed === undefined ? 0 : heldInPart(store, listed).length;
    if (missing.length === 0 && inPart === 0) {
      return ok("serverCopy", name, `the server has all ${plural(sent.length, "session")} sent from here${listed === undefined ? "" : ", each with every message"}`);
    }
    const lost = [
      ...(missing.length ? [`no longer has ${plural(missing.length, "session")} of the ${formatInt(sent.length)} sent from here`] : []),
      ...(inPart ? [`holds ${plural(inPart, "session")} with fewer messages than were sent from here`] : []),
    ];
    return fail("serverCopy", name, `the server ${lost.join(" and ")} (deleted there, or its data was reset)`, "claude-code-sync sync --full (sends again whatever the server lacks)", 1);
  } catch {
    return skip("serverCopy", name, NEEDS_STATE);
  } finally {
    store?.close();
  }
}

function hooksCheck(): Check {
  const name = "Claude Code hooks";
  const path = claudeSettingsPath();
  const self = registeredArgv();
  let status: HookStatus;
  let plugin: string | undefined;
  try {
    const text = readSettings(path);
    status = hookStatus(text, self);
    plugin = enabledPlugin(text);
  } catch (error) {
    if (error instanceof SettingsError) {
      return fail("hooks", name, `${path} cannot be read: ${error.message}`, `fix ${path} (Claude Code cannot read it either), then claude-code-sync setup`, 2);
    }
    if (error instanceof UserError) return fail("hooks", name, error.message, `make ${path} readable, then claude-code-sync setup`, 2);
    throw error;
  }
  const where = (state: HookState) => HOOK_EVENTS.filter((event) => status.states[event] === state);
  const missing = where("missing");
  if (plugin) return pluginHooksCheck(name, path, plugin, missing.length < HOOK_EVENTS.length);
  // The fix offers `watch` instead of hooks: one running does their job. Without either, nothing fails (`sync` by hand
  // or from cron sends everything, and exits 0): a new install is warned, as verify and sync agree on its exit code.
  const lacking = (detail: string) => {
    const watch = runningWatchPid();
    return watch === undefined
      ? warn("hooks", name, `${detail}: sessions are sent only when claude-code-sync sync runs`, SETUP_OR_WATCH)
      : ok("hooks", name, `${detail}; \`claude-code-sync watch\` (pid ${watch}) syncs instead`);
  };
  if (missing.length === HOOK_EVENTS.length) return lacking(`none registered in ${path}`);
  // An earlier setup registered all but the newer events: its hooks still sync.
  const needed = missing.filter((event) => !NEWER_EVENTS.has(event));
  if (needed.length > 0) return lacking(`missing for ${needed.join(", ")} in ${path}`);
  // A failure, as for hooks running a moved install: they stop syncing, without a word, whenever the runner clears its copy.
  const temporary = where("temporary");
  if (temporary.length > 0) {
    const copy = status.temporaryCopy!;
    return fail(
      "hooks",
      name,
      `${temporary.join(", ")} ${temporary.length === 1 ? "runs" : "run"} ${copy.path}, ${copy.runner}'s temporary copy (setup was run through ${copy.runner}), which may be deleted at any time: the hooks then stop syncing without a word`,
      temporaryCopyIn(self) === undefined ? "claude-code-sync setup" : lastingSetup(),
      2,
    );
  }
  const elsewhere = where("elsewhere");
  if (elsewhere.length > 0) {
    return fail("hooks", name, `${elsewhere.join(", ")} ${elsewhere.length === 1 ? "runs" : "run"} another claude-code-sync (moved, or an older install), not ${self.join(" ")}`, "claude-code-sync setup", 2);
  }
  const program = self[0]!;
  if (!isExecutable(program)) return fail("hooks", name, `the hooks run ${program}, which is missing or not executable`, "claude-code-sync setup", 2);
  // A warning: they sync. But Claude Code waits on each event's hook, and the runner, started first each time, looks the
  // package up (the registry, when its cache has none) before ours starts.
  const runner = status.throughRunner;
  if (runner) {
    const { events, command } = runner;
    return warn(
      "hooks",
      name,
      `${events.join(", ")} ${events.length === 1 ? "runs" : "run"} ${command} hook <Event>: ${runner.runner} is started first at every event (hundreds of ms to seconds, the network when its cache has no copy), and Claude Code waits for it`,
      temporaryCopyIn(self) === undefined ? "claude-code-sync setup (it puts this install's hooks in their place)" : lastingSetup(),
    );
  }
  const older = where("older");
  if (missing.length > 0 || older.length > 0) {
    const adds = missing.length > 0 ? ` and adds ${missing.join(", ")}` : "";
    return ok("hooks", name, `registered in ${path} in an earlier form, which works; claude-code-sync setup upgrades them${adds}`);
  }
  return ok("hooks", name, `${HOOK_EVENTS.join(", ")} registered in ${path}`);
}

/** The plugin's hooks run `claude-code-sync` from PATH (hooks/hooks.json). */
function pluginHooksCheck(name: string, path: string, plugin: string, alsoInSettings: boolean): Check {
  if (alsoInSettings) {
    return fail("hooks", name, `the plugin ${plugin} and hooks in ${path} are both on: every event runs twice`, "claude-code-sync setup --uninstall (the plugin stays)", 2);
  }
  const program = Bun.which("claude-code-sync");
  if (!program) {
    return fail("hooks", name, `the plugin ${plugin} runs claude-code-sync from PATH, and PATH has none`, "put the claude-code-sync executable on PATH (see Install in the README)", 2);
  }
  return ok("hooks", name, `from the plugin ${plugin} (enabled in ${path}); they run ${program}`);
}

function stateCheck(url: string | undefined): Check {
  const name = "Sync state";
  if (!url) return skip("state", name, "needs credentials (one state per server)");
  const path = statePath(url);
  const inTheWay = fileInTheWay("state", name, path);
  if (inTheWay) return inTheWay;
  const blockers = writeBlockers(path);
  if (blockers.length > 0) {
    const what = `${blockers.join(" and ")} ${blockers.length === 1 ? "is" : "are"} not writable by you`;
    return fail("state", name, `${path} cannot be ${existsSync(path) ? "written" : "created"}: ${what}`, blockerFix(blockers), 2);
  }
  if (diskIsFull(path)) return fail("state", name, diskFullError(path).message, stateFix("state-disk-full", path), 1);
  if (!existsSync(path)) return ok("state", name, `none yet at ${path} (the first sync creates it)`);
  const fix = `mv "${path}" "${path}.broken" && claude-code-sync sync (the state is rebuilt; the server keeps one copy of each message)`;
  let store: StateStore | undefined;
  try {
    store = StateStore.open(path);
    const result = store.integrityProblems();
    if (result.length > 0) {
      const more = result.length > 3 ? `; and ${formatInt(result.length - 3)} more` : "";
      return fail("state", name, `${path} is damaged: ${result.slice(0, 3).join("; ")}${more}`, fix, 2);
    }
    const counts = store.counts();
    const lock = lockNote(store);
    return ok("state", name, `${path} is consistent; ${plural(counts.sessionsSynced, "session")} synced, ${plural(counts.messagesPending, "message")} pending${lock}`);
  } catch (error) {
    // Whatever stops the database from opening or reading is what this check is for; only a damaged
    // state is fixed by moving it aside (a full disk or a lock is not).
    // A read that meets damage throws SQLite's own text ("database disk image is malformed"): said as sync says it.
    const known = stateError(error, path);
    if (known instanceof UserError && known.code !== STATE_DAMAGED) return fail("state", name, known.message, stateFix(known.code, path), known.exitCode === 2 ? 2 : 1);
    return fail("state", name, known.message, fix, 2);
  } finally {
    store?.close();
  }
}

/** What fixes a state that cannot be opened for a reason other than damage. */
function stateFix(code: string | undefined, path: string): string {
  if (code === "state-disk-full") return `free some space on the disk holding ${dirname(path)}`;
  if (code === "state-locked") return "wait for the other claude-code-sync process to finish";
  return `check the disk holding ${dirname(path)} (its space, the system log)`;
}

/** A lock left by a process that died is taken over by the next sync anyway; clearing it here shows it was there. */
function lockNote(store: StateStore): string {
  const lock = new SyncLock(store);
  const holder = lock.holder()?.pid;
  if (holder === undefined) return "";
  if (!lock.tryAcquire()) return `; a sync is running now (pid ${holder})`;
  lock.release();
  return `; cleared a stale lock left by pid ${holder}, which is no longer running`;
}

/**
 * Where the transcripts are, and whether every one can be read: a file the sync may not open
 * (its mode, a folder's) is never synced, and only a sync would say so.
 */
function transcriptsCheck(): Check {
  const name = "Transcripts";
  const roots = projectRoots();
  if (roots.length === 0) {
    const { looked, fix } = noRootsFound();
    // Before Claude Code's first session `sync` has nothing to do and exits 0; a folder set that is not there is a typo (2).
    if (noSessionsYet()) return warn("transcripts", name, `${looked}: no Claude Code sessions yet (Claude Code creates the folder with its first session)`, fix);
    return fail("transcripts", name, `${looked}: no Claude Code sessions to sync`, fix, 2);
  }
  const { files, skipped } = discoverFiles(roots);
  const unreadable = [...unreadableFiles(skipped).map((f) => f.path), ...files.filter((f) => !mayAccess(f.path, constants.R_OK)).map((f) => f.path)];
  const missing = missingClaudeDirs();
  if (unreadable.length === 0 && missing.length > 0) {
    const them = missing.length === 1 ? "it" : "them";
    return warn("transcripts", name, `${roots.join(", ")}; CLAUDE_CONFIG_DIR also names ${missing.join(", ")}, no folder: nothing there is read`, `correct ${them} in CLAUDE_CONFIG_DIR, or remove ${them}`);
  }
  if (unreadable.length === 0) return ok("transcripts", name, roots.join(", "));
  const first = unreadable[0] as string;
  return fail(
    "transcripts",
    name,
    `cannot read ${plural(unreadable.length, "transcript or folder", "transcripts or folders")}, which ${unreadable.length === 1 ? "is" : "are"} not synced: ${first}${unreadable.length > 1 ? ", …" : ""}`,
    `make ${unreadable.length === 1 ? "it" : "them"} readable by you (for example: chmod u+r "${first}")`,
    1,
  );
}

