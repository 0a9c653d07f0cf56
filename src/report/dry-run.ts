import type { SessionSummary, UsageTotals } from "../fold/summarize.ts";
import type { ReadStats } from "../scan/work.ts";
import { fit, formatInt, formatUsd, table } from "./format.ts";

export type DryRunSession = Omit<SessionSummary, "unknownModels"> & {
  /** Secrets that would be redacted from this session's messages (with `--redactions`). */
  redactions?: number;
};

export interface DryRunReport {
  sessions: DryRunSession[];
  totals: UsageTotals & { cost: number; sessions: number; messages: number };
  skipped: { badLines: number; files: number; unknownTypes: number };
  unknownModels: string[];
}

export function buildDryRunReport(sessions: SessionSummary[], stats: ReadStats, redactions?: ReadonlyMap<string, number>): DryRunReport {
  const totals = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, cost: 0, sessions: 0, messages: 0 };
  const unknown = new Set<string>();
  for (const s of sessions) {
    totals.inputTokens += s.usage.inputTokens;
    totals.outputTokens += s.usage.outputTokens;
    totals.cacheCreationTokens += s.usage.cacheCreationTokens;
    totals.cacheReadTokens += s.usage.cacheReadTokens;
    totals.cost += s.cost;
    totals.sessions++;
    totals.messages += s.messageCount;
    for (const m of s.unknownModels) unknown.add(m);
  }
  return {
    sessions: sessions.map(({ unknownModels: _, ...rest }) =>
      redactions ? { ...rest, redactions: redactions.get(rest.externalId) ?? 0 } : rest,
    ),
    totals,
    skipped: { badLines: stats.badLines, files: stats.files.length, unknownTypes: stats.unknownTypes },
    unknownModels: [...unknown].sort(),
  };
}

export function renderDryRun(report: DryRunReport): string {
  const counted = report.sessions.some((s) => s.redactions !== undefined);
  const rows = report.sessions.map((s) => [
    fit(s.title ?? "(no prompt)", 48),
    fit(s.projectName ?? "", 24),
    fit(s.model ?? "", 28),
    formatInt(s.messageCount),
    formatInt(s.promptTokens + s.completionTokens),
    formatUsd(s.cost),
    ...(counted ? [formatInt(s.redactions ?? 0)] : []),
  ]);
  const t = report.totals;
  rows.push([
    `Total: ${formatInt(t.sessions)} sessions`,
    "",
    "",
    formatInt(t.messages),
    formatInt(t.inputTokens + t.outputTokens + t.cacheCreationTokens + t.cacheReadTokens),
    formatUsd(t.cost),
    ...(counted ? [formatInt(report.sessions.reduce((n, s) => n + (s.redactions ?? 0), 0))] : []),
  ]);
  const lines = [
    table(
      ["Session", "Project", "Model", "Messages", "Tokens", "Cost", ...(counted ? ["Redacted"] : [])],
      rows,
      [false, false, false, true, true, true, true],
    ),
    "",
    "Dry run: nothing was sent.",
  ];
  if (report.skipped.files || report.skipped.badLines) {
    lines.push(`Skipped ${report.skipped.files} file(s) (empty or unreadable) and ${report.skipped.badLines} unreadable line(s).`);
  }
  if (report.unknownModels.length) {
    lines.push(`No price known for: ${report.unknownModels.join(", ")} (counted at $0).`);
  }
  return lines.join("\n");
}
