import { loadConfig } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { AuthError } from "../opensync/errors.ts";
import { buildDryRunReport, renderDryRun } from "../report/dry-run.ts";
import { renderSyncSummary, syncComplete, syncReportJson } from "../report/sync-summary.ts";
import { summarizeAll } from "../scan/summaries.ts";
import { connect, requireRoots, scanSettings } from "../sync/context.ts";
import { runSync } from "../sync/run-sync.ts";

export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const session = typeof options.session === "string" ? options.session : undefined;
  if (options.session !== undefined && !session) throw new UserError("--session needs a session id.");
  const json = options.json === true;
  return options.dryRun
    ? dryRun(session, json, options.redactions === true)
    : sync(session, json, options.full === true, options.insecure === true);
}

/**
 * What a sync would send, read from scratch and sent nowhere. Titles are shown
 * as they would be sent (redacted). Counting the redactions in every message
 * scans all text for secrets, several times the cost of reading, so it is
 * asked for with --redactions.
 */
async function dryRun(session: string | undefined, json: boolean, countRedactions: boolean): Promise<number> {
  const roots = requireRoots();
  const settings = scanSettings(loadConfig());
  const { sessions, stats, redactions } = await summarizeAll(roots, settings.read, settings.prices, {
    mode: countRedactions ? "redactions" : "count",
    ...(session ? { only: new Set([session]) } : {}),
  });
  const chosen = sessions
    .filter((s) => (session ? s.externalId === session : !settings.isExcluded(s.projectPath)))
    .map((s) => (s.title === undefined ? s : { ...s, title: settings.scrub.text(s.title).text }));
  if (session && chosen.length === 0) throw new UserError(`No session ${session} found in ${roots.join(", ")}.`, 1);
  const report = buildDryRunReport(chosen, stats, countRedactions ? redactions : undefined);
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : `${renderDryRun(report)}\n`);
  return 0;
}

async function sync(session: string | undefined, json: boolean, full: boolean, insecure: boolean): Promise<number> {
  const roots = requireRoots();
  const conn = connect({ insecure });
  const settings = scanSettings(conn.config);
  const bar = !json && process.stderr.isTTY ? await progressBar() : undefined;
  try {
    const report = await runSync(conn.store, conn.client, {
      ...settings,
      roots,
      full,
      waitForWindowsMs: 12_000,
      apiKey: conn.apiKey,
      ...(session ? { only: new Set([session]) } : {}),
      onWaiting: (pid) => process.stderr.write(`Waiting for another sync (pid ${pid}) to finish…\n`),
      onProgress: bar,
    });
    bar?.(-1, 0);
    process.stdout.write(json ? `${JSON.stringify(syncReportJson(report))}\n` : `${renderSyncSummary(report)}\n`);
    if (report.stoppedBy instanceof AuthError) return 2;
    return syncComplete(report) ? 0 : 1;
  } finally {
    conn.store.close();
  }
}

/** A progress bar on a terminal; `(-1, 0)` closes it. Loaded only when shown. */
async function progressBar(): Promise<(done: number, total: number) => void> {
  const { progress } = await import("@clack/prompts");
  let bar: ReturnType<typeof progress> | undefined;
  let shown = 0;
  return (done, total) => {
    if (done < 0) {
      bar?.stop("Sent");
      return;
    }
    if (!bar) {
      bar = progress({ max: Math.max(total, 1), output: process.stderr });
      bar.start("Sending sessions");
    }
    bar.advance(done - shown, `Sending sessions (${done}/${total})`);
    shown = done;
  };
}
