import { shownSession } from "../plan/payloads.ts";
import { type DryRunReport, buildDryRunReport } from "../report/dry-run.ts";
import { summarizeAll } from "../scan/summaries.ts";
import type { ScanSettings } from "./context.ts";

/**
 * What a sync would send, read from scratch and sent nowhere: the sync's read
 * with no state behind it and no server after it. Titles are shown as they
 * would be sent (redacted). Counting the redactions in every message scans all
 * text for secrets, several times the cost of reading, so it is asked for.
 */
export async function dryRun(roots: string[], settings: ScanSettings, options: { session?: string; countRedactions: boolean }): Promise<DryRunReport> {
  const { session, countRedactions } = options;
  const { sessions, stats, redactions } = await summarizeAll(roots, settings.read, settings.prices, {
    mode: countRedactions ? "redactions" : "count",
    ...(session ? { only: new Set([session]) } : {}),
  });
  const scrub = await settings.loadScrub();
  const chosen = sessions
    .filter((s) => (session ? s.externalId === session : !settings.isExcluded(s.projectPath)))
    .map((s) => shownSession(s, scrub));
  return buildDryRunReport(chosen, stats, countRedactions ? redactions : undefined);
}
