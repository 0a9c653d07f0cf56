import { basename } from "node:path";
import { type Config, loadConfig, requireCredentials, resolveCredentials, shownUrl } from "../config/index.ts";
import { loadPriceBook } from "../pricing/index.ts";
import { beingWrittenLine, missingOnServerLine, unknownModelsLine } from "../report/sync-summary.ts";
import { unpricedModels } from "../sync/run-sync.ts";
import { type BackgroundStatus, backgroundLine, readBackgroundStatus } from "../hooks/background-status.ts";
import { type HookFailure, hookFailureCurrent, hookFailureLine, readHookFailure } from "../hooks/hook-failure.ts";
import { createClient, timeoutFromEnv } from "../opensync/client.ts";
import { allowedServerUrl } from "../opensync/transport.ts";
import { type Failure, type Origin, failureOf } from "../report/failure.ts";
import { formatInt, plural, timeAgo } from "../report/format.ts";
import { unreadableFiles, unreadableLines } from "../report/unreadable.ts";
import { shownId } from "../report/session-id.ts";
import { warnUnusedKeys } from "../report/unused-keys.ts";
import { isStateOf, listStateDatabases, stateFolder } from "../state/databases.ts";
import { diskFullError, diskIsFull, stateError } from "../state/db.ts";
import { StateStore, statePath } from "../state/store.ts";
import { runningSyncPid } from "../state/lock.ts";
import { runningWatchPid } from "../watch/watch-mark.ts";
import { projectRoots } from "../discover/roots.ts";
import { sessionsToRead } from "../scan/scan.ts";
import { rootsOrNoneYet } from "../sync/context.ts";
import { statePast } from "../sync/state-sink.ts";
import { writeOut } from "../runtime/stdio.ts";
import { clock } from "../watch/sync-line.ts";
import { stopOnCtrlC } from "../report/interrupt.ts";

/** `status` answers within a few seconds: the server gets one try of this long (or CLAUDE_CODE_SYNC_TIMEOUT_MS). */
const CHECK_TIMEOUT_MS = 4_000;

interface Status {
  connected: boolean;
  opensyncUrl: string | null;
  /** The same as opensyncUrl, under the name earlier versions gave it. */
  convexUrl: string | null;
  /** Sessions the server holds for this key, when it answered. */
  serverSessions: number | null;
  /** Models read that no price is known for (counted at $0). */
  unknownModels: string[];
  /** Of the sessions sent from here, how many the server no longer has (deleted there, data reset), when it answered. */
  missingOnServer: number | null;
  /** null: the state could not be read (the error says why). */
  sessionsSynced: number | null;
  lastSync: string | null;
  pending: { sessions: number; messages: number };
  /** Why the last sync that ended with work pending left it (a server down, an item blocked), and when. */
  pendingReason: { reason: string; at: string } | null;
  /** Sessions with changes no sync has read yet (new lines since, or a run stopped before reading them): not in `pending`, which is what was read. */
  unread: number;
  /** Transcripts and project folders that cannot be read (no permission): no sync can read them until that is fixed. */
  unreadable: Array<{ path: string; error: string }>;
  /** Sessions whose last response was still being written at the last sync: it goes once complete (not pending work). */
  beingWritten: number;
  /**
   * Writes given up on that the server may still apply over newer ones (sync/unsure.ts): the sessions sent again
   * by the first sync from `sendAgainAt` (the latest of them), and those whose server copy later syncs check again.
   */
  unconfirmed: { sessions: number; sendAgainAt: string | null; checkedAgain: number };
  /** The process id of a sync running now (a hook's, watch's or a manual one), if one is. */
  syncRunning: number | null;
  /** The process id of a `watch` running now, if one is: it sends what is pending and reads what changes. */
  watchRunning: number | null;
  failed: Array<{ id: string; error: string }>;
  /** The last background (hook) sync, if any. */
  background: BackgroundStatus | null;
  /** The last hook that could not queue its sync, unless a sync or a background round went through since. */
  hookFailure: HookFailure | null;
  /** With --verbose. */
  stateDatabases?: Array<{ path: string; url: string | null; inUse: boolean; bytes: number; modifiedAt: string }>;
  error?: string;
  code?: string;
}

/**
 * What this machine knows, shown at once, then whether the server answers
 * (one short try). Exit 0 when connected with nothing pending or failed;
 * otherwise 1 (work left, a server out of reach) or 2 (login and URL problems).
 */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const json = options.json === true;
  stopOnCtrlC(json);
  const verbose = options.verbose === true;
  const config = loadConfig();
  warnUnusedKeys(config);
  const creds = resolveCredentials(config);
  const status: Status = {
    connected: false,
    opensyncUrl: creds.convexUrl === undefined ? null : shownUrl(creds.convexUrl),
    convexUrl: null,
    serverSessions: null,
    missingOnServer: null,
    unknownModels: [],
    sessionsSynced: 0,
    lastSync: null,
    pending: { sessions: 0, messages: 0 },
    pendingReason: null,
    unread: 0,
    unreadable: [],
    beingWritten: 0,
    unconfirmed: { sessions: 0, sendAgainAt: null, checkedAgain: 0 },
    syncRunning: null,
    watchRunning: runningWatchPid() ?? null,
    failed: [],
    background: readBackgroundStatus(),
    hookFailure: readHookFailure(),
  };
  const problems: Failure[] = [];
  let server: { origin: Origin; apiKey: string } | undefined;
  let sent: string[] = [];
  try {
    const { convexUrl, apiKey, source } = requireCredentials(config);
    const url = allowedServerUrl(convexUrl, false, config, source.convexUrl);
    status.opensyncUrl = url;
    server = { origin: { url, source: creds.source }, apiKey };
    // An unwritable state folder is no lost connection: the server is asked all the same.
    sent = readCounts(url, status, config);
    // Readable, but a sync there fails: said as the sync would say it.
    if (diskIsFull(statePath(url))) problems.push(failureOf(diskFullError(statePath(url))));
  } catch (error) {
    if (server) status.sessionsSynced = null;
    problems.push(failureOf(error));
  }
  // A CLAUDE_CONFIG_DIR naming no folder (a typo) is refused by sync: status does not call that all well.
  try {
    rootsOrNoneYet();
  } catch (error) {
    problems.push(failureOf(error));
  }
  if (status.hookFailure && !hookFailureCurrent(status.hookFailure, status.lastSync ? Date.parse(status.lastSync) : undefined, status.background?.at)) {
    status.hookFailure = null;
  }
  if (verbose) status.stateDatabases = databases(status.opensyncUrl ?? undefined);
  if (!json) writeOut(`${localLines(status, verbose).join("\n")}\n`);

  if (server) {
    const answer = await askServer(server.origin, server.apiKey);
    if ("sessions" in answer) {
      status.connected = true;
      status.serverSessions = answer.sessions.size;
      status.missingOnServer = sent.filter((id) => !answer.sessions.has(id)).length;
    } else {
      problems.unshift(answer);
    }
  }
  status.convexUrl = status.opensyncUrl;
  const worst = problems.find((p) => p.exitCode === 2) ?? problems[0];
  if (worst) Object.assign(status, { error: problems.map((p) => p.message).join("\n"), code: worst.code });
  writeOut(json ? `${JSON.stringify(status)}\n` : `${serverLines(status, problems).join("\n")}\n`);
  return worst?.exitCode ?? (workLeft(status) ? 1 : 0);
}

function workLeft(s: Status): boolean {
  return s.hookFailure !== null || s.pending.sessions > 0 || s.pending.messages > 0 || s.unread > 0 || s.unreadable.length > 0 || s.failed.length > 0 || (s.missingOnServer ?? 0) > 0;
}

async function askServer(origin: Origin, apiKey: string): Promise<{ sessions: Set<string> } | Failure> {
  const client = createClient({ url: origin.url, apiKey, retries: 0, timeoutMs: timeoutFromEnv() ?? CHECK_TIMEOUT_MS });
  try {
    return { sessions: new Set(await client.listSessions()) };
  } catch (error) {
    return failureOf(error, origin);
  }
}

/** What was synced, pending and failed, from this server's state database; returns the sessions sent. */
function readCounts(url: string, status: Status, config: Config): string[] {
  const store = StateStore.forServer(url);
  try {
    status.unknownModels = unpricedModels(store, loadPriceBook({ prices: config.options.prices, priceUpdates: config.options.priceUpdates }));
    const counts = store.counts();
    status.sessionsSynced = counts.sessionsSynced;
    status.lastSync = counts.lastSync ? new Date(counts.lastSync).toISOString() : null;
    status.syncRunning = runningSyncPid(store) ?? null;
    status.pending = { sessions: counts.sessionsPending, messages: counts.messagesPending };
    const why = store.pendingReason();
    if (why && (counts.sessionsPending || counts.messagesPending)) status.pendingReason = { reason: why.reason, at: new Date(why.at).toISOString() };
    status.failed = counts.failed;
    const unsure = store.unsureSessions();
    const sendAgainAt = unsure.length ? new Date(Math.max(...unsure.map((u) => u.readyAt))).toISOString() : null;
    status.unconfirmed = { sessions: unsure.length, sendAgainAt, checkedAgain: store.rechecked().length };
    const past = statePast(store);
    const toRead = sessionsToRead(projectRoots(), past);
    status.unread = toRead.sessions.size;
    // A held session the next read would send (its files went quiet) is not read yet, no longer being written.
    status.beingWritten = [...past.held].filter((id) => !toRead.sessions.has(id)).length;
    status.unreadable = unreadableFiles(toRead.skipped);
    return store.sentSessionIds();
  } catch (error) {
    // A page damaged past the header is met by a query, not by the open: what to do, not a stack trace.
    throw stateError(error, store.path);
  } finally {
    store.close();
  }
}

function databases(url: string | undefined): NonNullable<Status["stateDatabases"]> {
  return listStateDatabases().map((db) => ({
    path: db.path,
    url: db.url ?? null,
    inUse: isStateOf(db, url),
    bytes: db.bytes,
    modifiedAt: new Date(db.modifiedMs).toISOString(),
  }));
}

/** "never" only when nothing was ever sent: the last-sync mark is set by runs that went to the end. */
function lastSyncText(s: Status): string {
  if (s.sessionsSynced === null) return "unknown";
  const running = [
    s.syncRunning === null || s.syncRunning === s.watchRunning ? "" : `; a sync is running now (pid ${s.syncRunning})`,
    s.watchRunning === null ? "" : `; \`watch\` is running (pid ${s.watchRunning})`,
  ].join("");
  if (s.lastSync) return `${timeAgo(Date.parse(s.lastSync))}${running}`;
  if (running) return `none completed yet${running}`;
  return s.sessionsSynced > 0 ? "none completed (the runs that sent these sessions stopped before the end)" : "never";
}

/** Who takes care of work left: a sync running now, a watch, or the user. */
function nextStep(s: Status, what: "send" | "read"): string {
  if (s.syncRunning !== null && s.syncRunning !== s.watchRunning) {
    return what === "send" ? "the running sync is sending them" : "the running sync may read them; if it does not, run `claude-code-sync sync` once it ends";
  }
  if (s.watchRunning !== null) return what === "send" ? "the running `watch` sends them, and retries while the server does not take them" : "the running `watch` reads them";
  return "run `claude-code-sync sync`";
}

function localLines(s: Status, verbose: boolean): string[] {
  const lines = [`OpenSync URL: ${s.opensyncUrl ?? "(not set)"}`, `Sessions synced: ${s.sessionsSynced === null ? "unknown (the sync state cannot be read; see below)" : formatInt(s.sessionsSynced)}`, `Last sync: ${lastSyncText(s)}`];
  if (s.pending.sessions || s.pending.messages) {
    lines.push(`Pending: ${plural(s.pending.sessions, "session")}, ${plural(s.pending.messages, "message")} (${nextStep(s, "send")})`);
    if (s.pendingReason) lines.push(`  Left by a sync ${timeAgo(Date.parse(s.pendingReason.at))}: ${s.pendingReason.reason}.`);
  }
  if (s.unread) lines.push(`Not read yet: ${plural(s.unread, "session")} changed since the last sync (${nextStep(s, "read")})`);
  lines.push(...unreadableLines(s.unreadable, "no sync can read it until you can (check its owner and permissions)"));
  if (s.beingWritten) lines.push(beingWrittenLine(s.beingWritten));
  if (s.unconfirmed.sessions) lines.push(unconfirmedLine(s.unconfirmed.sessions, Date.parse(s.unconfirmed.sendAgainAt as string), s));
  if (s.unconfirmed.checkedAgain) lines.push(checkedAgainLine(s.unconfirmed.checkedAgain));
  if (s.failed.length) {
    lines.push(`Failed: ${plural(s.failed.length, "item")} the server refused:`);
    for (const f of s.failed.slice(0, 5)) lines.push(`  ${shownId(f.id, verbose)}: ${f.error}`);
  }
  if (s.unknownModels.length) lines.push(unknownModelsLine(s.unknownModels));
  if (s.background) lines.push(backgroundLine(s.background, Date.now(), s.lastSync ? Date.parse(s.lastSync) : undefined));
  if (s.hookFailure) lines.push(hookFailureLine(s.hookFailure));
  if (s.stateDatabases) lines.push(...databaseLines(s.stateDatabases));
  return lines;
}

/** Not pending work: what a write given up on may have left is sent again once it is over. */
function unconfirmedLine(n: number, at: number, s: Status): string {
  const when = at > Date.now() ? `from ${clock(new Date(at))}` : "now";
  const by = s.watchRunning !== null ? "the running `watch` sends" : "the next sync (a hook's, or `claude-code-sync sync`) sends";
  return `Not confirmed: ${plural(n, "session")} had writes given up on before an answer, which the server may still apply; nothing is lost: ${by} ${n === 1 ? "it" : "them"} again ${when}.`;
}

/** Nothing to do: a late landing of such a write is looked for, a read of the session each time. */
const checkedAgainLine = (n: number) =>
  `Checked again: ${plural(n, "session")} had writes given up on that may land late; later syncs compare ${n === 1 ? "its" : "their"} server copy, less and less often, for about a day and a half.`;

function databaseLines(dbs: NonNullable<Status["stateDatabases"]>): string[] {
  if (dbs.length === 0) return [`State databases: none yet in ${stateFolder()}`];
  const lines = [`State databases in ${stateFolder()}:`];
  for (const db of dbs) {
    const url = db.url === null ? "(URL not recorded: made by an older version)" : shownUrl(db.url);
    const size = `${(db.bytes / 1024 / 1024).toFixed(1)} MiB, written ${timeAgo(Date.parse(db.modifiedAt))}`;
    lines.push(`  ${basename(db.path)}  ${db.inUse ? "in use    " : "not in use"}  ${url}  (${size})`);
  }
  if (dbs.some((db) => !db.inUse)) {
    lines.push("  `claude-code-sync logout --forget` deletes them all, the one in use too (see `claude-code-sync logout --help`).");
  }
  return lines;
}

function serverLines(s: Status, problems: Failure[]): string[] {
  const connected = s.connected ? `Connected: true (${plural(s.serverSessions ?? 0, "session")} on the server)` : "Connected: false";
  const missing = s.missingOnServer
    ? [missingOnServerLine(s.missingOnServer)]
    : [];
  return [connected, ...missing, ...problems.map((p) => p.message)];
}
