import { loadConfig, resolveCredentials } from "../config/index.ts";
import { discoverFiles } from "../discover/files.ts";
import { UserError } from "../errors.ts";
import { failureJson, failureOf, withFix } from "../report/failure.ts";
import { outputWidth } from "../report/format.ts";
import { warnUnusedKeys } from "../report/unused-keys.ts";
import { retryNotice, terminalProgress } from "../report/progress.ts";
import { resolveSessionId } from "../report/session-id.ts";
import { INTERRUPTED, renderSyncSummary, syncComplete, syncReportJson } from "../report/sync-summary.ts";
import { releaseHeldBy } from "../state/lock.ts";
import { connect, noSessionsYetLine, rootsOrNoneYet, runPrices, scanSettings } from "../sync/context.ts";
import { runSync } from "../sync/run-sync.ts";
import { resumeLeftWork } from "../hooks/resume.ts";
import { isTerminal, writeErr, writeOut } from "../runtime/stdio.ts";
import { EXIT_INTERRUPTED } from "../report/interrupt.ts";

/** A new install (Claude Code never run): a sync has nothing to read yet, and says so calmly. */
const NOTHING_YET = () => `${noSessionsYetLine()} Nothing to sync yet: once you have used Claude Code, run sync again (or let setup's hooks or watch send each session as you work).`;

export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  if (options.redactions === true && options.dryRun !== true) {
    throw new UserError("--redactions counts what a dry run would redact: add --dry-run (claude-code-sync sync --dry-run --redactions).", 2, "usage");
  }
  if (Array.isArray(options.session)) throw new UserError("--session was given more than once; give it once.", 2, "usage");
  const given = options.session === undefined ? undefined : String(options.session);
  const json = options.json === true;
  const verbose = options.verbose === true;
  return options.dryRun
    ? dryRun(given, json, verbose, options.redactions === true)
    : sync(given, json, verbose, {
        full: options.full === true,
        insecure: options.insecure === true,
        retryFailed: options.retryFailed === true,
        offline: options.offline === true,
      });
}

/** The session `--session` names (a whole id or its start), among the transcripts on disk. */
function chosenSession(given: string | undefined, roots: string[]): string | undefined {
  if (given === undefined) return undefined;
  return resolveSessionId(given, discoverFiles(roots).files.map((f) => f.sessionId), roots.join(", "));
}

/** `sync --dry-run`: sync/dry-run.ts, printed. */
async function dryRun(given: string | undefined, json: boolean, verbose: boolean, countRedactions: boolean): Promise<number> {
  const roots = rootsOrNoneYet();
  const session = chosenSession(given, roots);
  const config = loadConfig();
  warnUnusedKeys(config);
  // The dry run's own modules: a sync does not load them.
  const [core, { renderDryRun }] = await Promise.all([import("../sync/dry-run.ts"), import("../report/dry-run.ts")]);
  const report = await core.dryRun(roots, scanSettings(config), { ...(session ? { session } : {}), countRedactions });
  writeOut(json ? `${JSON.stringify(report)}\n` : `${renderDryRun(report, verbose, outputWidth())}\n`);
  if (!json && roots.length === 0) writeOut(`${NOTHING_YET()}\n`);
  // As a sync would: what could not be read leaves the figures short.
  return report.skipped.unreadable.length > 0 ? 1 : 0;
}

interface SyncFlags {
  full: boolean;
  insecure: boolean;
  retryFailed: boolean;
  offline: boolean;
}

async function sync(given: string | undefined, json: boolean, verbose: boolean, flags: SyncFlags): Promise<number> {
  const roots = rootsOrNoneYet();
  const giveUp = new AbortController();
  const conn = connect({ insecure: flags.insecure, stop: giveUp.signal });
  warnUnusedKeys(conn.config);
  const origin = { url: conn.url, source: resolveCredentials(conn.config).source };
  const prices = runPrices(conn.config, flags.offline);
  const refreshedPrices = prices.refreshed;
  try {
    const session = chosenSession(given, roots);
    const settings = scanSettings(conn.config, prices.book);
    const progress = !json && isTerminal(2) ? await terminalProgress(process.stderr) : undefined;
    const interrupt = onInterrupt(giveUp, isTerminal(2), () => {
      progress?.stop();
      releaseHeldBy(conn.store);
    });
    let report: Awaited<ReturnType<typeof runSync>>;
    try {
      report = await runSync(conn.store, conn.client, {
        ...settings,
        roots,
        full: flags.full,
        // --full also asks the server what it holds, and sends again what it lacks.
        reconcile: flags.full,
        confirmWithServer: true,
        retryFailed: flags.retryFailed,
        // A manual sync waits out the server's short re-send windows, so it ends with everything sent.
        waitForWindowsMs: 12_000,
        refreshedPrices,
        apiKey: conn.apiKey,
        ...(session ? { only: new Set([session]) } : {}),
        signal: interrupt.signal,
        onWaiting: (holder) => writeErr(`Waiting for ${holder} to finish…\n`),
        onProgress: progress?.sending,
        onReadProgress: progress?.reading,
        ...(json ? {} : { onRetry: retryNotice(progress, writeErr) }),
      });
    } catch (error) {
      // Ctrl-C while the server's copy is read (--full, a new state): the read given up is no fault of the server's.
      if (!interrupt.signal.aborted) throw withFix(error, origin);
      writeErr(`claude-code-sync: ${INTERRUPTED.message}\n`);
      if (json) writeOut(`${JSON.stringify(failureJson(INTERRUPTED))}\n`);
      return EXIT_INTERRUPTED;
    } finally {
      progress?.stop();
      interrupt.dispose();
    }
    // What stopped the run, or what kept writes from going after every attempt (a flaky server).
    const reason = report.stoppedBy ?? report.unsentError;
    const stopped = reason ? failureOf(reason, origin) : undefined;
    const stop = interrupt.signal.aborted ? INTERRUPTED : stopped;
    if (json) writeOut(`${JSON.stringify(syncReportJson(report, stop))}\n`);
    else {
      // A new install with nothing left from before: the one line that says why nothing was synced.
      const nothingAtAll = roots.length === 0 && report.sessionsSent + report.messagesSent === 0 && syncComplete(report);
      if (!nothingAtAll) writeOut(`${renderSyncSummary(report, verbose)}\n`);
      if (roots.length === 0) writeOut(`${NOTHING_YET()}\n`);
      // Like any failure, on stderr: whether the state's disk fills while reading or while sending, it is said in the same place.
      if (stop) writeErr(`claude-code-sync: ${stop.message}\n`);
    }
    if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
    if (stopped) return stopped.exitCode;
    return syncComplete(report) ? 0 : 1;
  } finally {
    conn.store.close();
    resumeLeftWork("sync");
    // The summary is out; the price refresh (once a day, a few seconds at most) finishes before the process ends.
    await refreshedPrices;
  }
}

/** How long a Ctrl-C waits for the requests on their way: a server that hangs keeps nobody waiting for its timeout. */
const GRACE_MS = 3_000;

/**
 * Ctrl-C (or SIGTERM) aborts the returned signal: the sync stops sending, and
 * the command says what is pending; GRACE_MS later `giveUp` gives up the
 * requests still on their way (they stay pending). A second one ends the
 * process at once; the state is safe at any moment, `abandon` only tidies up.
 * `onTerminal`: stderr is a terminal, which echoes ^C on its current line.
 */
function onInterrupt(giveUp: AbortController, onTerminal: boolean, abandon: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const handler = () => {
    if (!controller.signal.aborted) {
      // Off the line where the terminal echoed ^C (and the progress bar is); a pipe has no such line to end.
      writeErr(`${onTerminal ? "\n" : ""}Stopping once the requests on their way are answered, ${GRACE_MS / 1000} s at most (Ctrl-C again to stop at once)…\n`);
      controller.abort();
      timer = setTimeout(() => giveUp.abort(), GRACE_MS);
      return;
    }
    abandon();
    writeErr("Stopped. What was not sent stays pending for the next sync.\n");
    process.exit(EXIT_INTERRUPTED);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
