import type { SessionSummary, UsageTotals } from "../fold/summarize.ts";
import { roundUsd } from "../pricing/index.ts";
import type { ReadStats } from "../scan/work.ts";
import { type Column, formatInt, formatUsd, plural, table } from "./format.ts";
import { shownId } from "./session-id.ts";
import { badLinesText, longLinesLines, unplacedLines, unreadableFiles, unreadableLines, untimedLines } from "./unreadable.ts";

type DryRunSession = Omit<SessionSummary, "unknownModels"> & {
  /** Secrets that would be redacted from this session's messages (with `--redactions`). */
  redactions?: number;
};

export interface DryRunReport {
  sessions: DryRunSession[];
  totals: UsageTotals & { cost: number; sessions: number; messages: number };
  /** `files`: empty or unreadable; `unreadable`: those the read failed on (their sessions are not counted). */
  skipped: {
    badLines: number;
    firstBadLine?: { path: string; offset: number };
    /** Transcripts of sessions with no line whose time can be read: not counted, not sent. */
    untimed: string[];
    /** Lines let go as too many of a session waited for its first time. */
    unplacedLines: number;
    /** Lines over the reader's limit, skipped: a sync says the same. */
    longLines: number;
    files: number;
    unknownTypes: number;
    unreadable: Array<{ path: string; error: string }>;
  };
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
    totals: { ...totals, cost: roundUsd(totals.cost) },
    skipped: {
      badLines: stats.badLines,
      firstBadLine: stats.firstBadLine,
      untimed: stats.untimed,
      unplacedLines: stats.unplacedLines,
      longLines: stats.longLines,
      files: stats.files.length,
      unknownTypes: stats.unknownTypes,
      unreadable: unreadableFiles(stats.files),
    },
    unknownModels: [...unknown].sort(),
  };
}

/** A model as a table has room for: "claude-sonnet-4-5-20250929" is "sonnet-4-5". */
export function shortModel(model: string): string {
  return model.replace(/^claude-/, "").replace(/-\d{8}$/, "");
}

/** One row per session and a totals row, in `width` columns; with `verbose`, whole ids and model names, as wide as they need. */
export function renderDryRun(report: DryRunReport, verbose: boolean, width: number): string {
  const counted = report.sessions.some((s) => s.redactions !== undefined);
  const columns: Column[] = [
    // Under about 70 columns the model goes first, then the project, the counts; the id (for --session), title and cost stay.
    { header: "Id" },
    { header: "Session", min: 12 },
    { header: "Project", min: 7, drop: 2 },
    { header: "Model", min: 6, drop: 1 },
    { header: "Messages", numeric: true, drop: 3 },
    { header: "Tokens", numeric: true, drop: 5 },
    { header: "Cost", numeric: true },
    ...(counted ? [{ header: "Redacted", numeric: true, drop: 4 }] : []),
  ];
  const rows = report.sessions.map((s) => [
    shownId(s.externalId, verbose),
    s.title ?? "(no prompt)",
    s.projectName ?? "",
    s.model === undefined ? "" : verbose ? s.model : shortModel(s.model),
    formatInt(s.messageCount),
    formatInt(s.promptTokens + s.completionTokens),
    formatUsd(s.cost),
    ...(counted ? [formatInt(s.redactions ?? 0)] : []),
  ]);
  const t = report.totals;
  rows.push([
    "Total",
    plural(t.sessions, "session"),
    "",
    "",
    formatInt(t.messages),
    formatInt(t.inputTokens + t.outputTokens + t.cacheCreationTokens + t.cacheReadTokens),
    formatUsd(t.cost),
    ...(counted ? [formatInt(report.sessions.reduce((n, s) => n + (s.redactions ?? 0), 0))] : []),
  ]);
  const lines = [table(columns, rows, verbose ? Number.POSITIVE_INFINITY : width), "", "Dry run: nothing was sent.", "Each session as the server would hold it; a sync sends only what it lacks."];
  const empty = report.skipped.files - report.skipped.unreadable.length;
  const skipped = [
    empty ? `${plural(empty, "empty file")}` : "",
    report.skipped.badLines ? badLinesText(report.skipped.badLines, report.skipped.firstBadLine) : "",
  ].filter(Boolean);
  if (skipped.length) lines.push(`Skipped ${skipped.join(" and ")}.`);
  lines.push(...untimedLines(report.skipped.untimed));
  lines.push(...unplacedLines(report.skipped.unplacedLines));
  lines.push(...longLinesLines(report.skipped.longLines));
  lines.push(...unreadableLines(report.skipped.unreadable, "its sessions are not counted"));
  if (report.unknownModels.length) {
    lines.push(`No price known for: ${report.unknownModels.join(", ")} (counted at $0).`);
  }
  return lines.join("\n");
}
