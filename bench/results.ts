/**
 * bench/RESULTS.md: the machine, the versions, and one table per scenario with
 * ratios against the scenario's baseline.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import type { ContenderResult, Spread } from "./measure.ts";

export interface MachineInfo {
  cpu: string;
  cores: number;
  memory: string;
  os: string;
}

export function machineInfo(): MachineInfo {
  let os = `${process.platform} ${process.arch}`;
  try {
    const release = readFileSync("/etc/os-release", "utf8");
    os = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? os;
  } catch {
    // not Linux: keep platform/arch
  }
  let kernel = "";
  try {
    kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  } catch {
    // no /proc
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: kernel ? `${os}, kernel ${kernel}` : os,
  };
}

/** An extra column: the median of one metric the contenders report (see Contender.inspect). */
export interface MetricColumn {
  metric: string;
  header: string;
  format: "count" | "ms" | "decimal";
}

export interface ScenarioReport {
  id: string;
  title: string;
  baseline: string;
  runs: number;
  warmup: number;
  columns: MetricColumn[];
  results: ContenderResult[];
  /** Contenders or whole scenarios that could not run, with why; findings worth a sentence. */
  notes: string[];
}

export interface Report {
  date: string;
  /** Wall time of the whole bench, set-up included. */
  elapsedMs: number;
  machine: MachineInfo;
  versions: Record<string, string>;
  runs: number;
  warmup: number;
  /** Whether the timing process (measure.ts buildTimer) measured wall time and max RSS. */
  timer: boolean;
  /** Without the timer: whether GNU time measured max RSS (measure.ts GNU_TIME); without either only the /proc samples count. */
  gnuTime: boolean;
  scenarios: ScenarioReport[];
  /** The issues' targets as a table (bench/targets.ts), shown before the scenarios. */
  targets?: string[];
}

/** Tenths of a millisecond below 100 ms, where start-up times are compared. */
const ms = (v: number) =>
  Number.isNaN(v) ? "n/a" : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;
const mib = (v: number) => (Number.isNaN(v) ? "n/a" : `${(v / 2 ** 20).toFixed(0)} MiB`);
const ratio = (v: number, base: number | undefined) => (base === undefined || Number.isNaN(v) || Number.isNaN(base) ? "" : `${(v / base).toFixed(2)}x`);
/** A table cell: no pipes or line breaks from tool output may break the row. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

function wall(w: Spread): string {
  if (Number.isNaN(w.median)) return "n/a";
  return w.min === w.max ? ms(w.median) : `${ms(w.median)} (${ms(w.min)}–${ms(w.max)})`;
}

function metric(value: number | undefined, format: MetricColumn["format"]): string {
  if (value === undefined) return "";
  if (Number.isNaN(value)) return "n/a";
  if (format === "ms") return ms(value);
  if (format === "decimal") return value.toFixed(2);
  return Math.round(value).toLocaleString("en-US");
}

function runsCell(r: ContenderResult): string {
  const ok = r.samples.length - r.failures;
  return r.failures ? `${ok} ok, ${r.failures} failed` : String(ok);
}

function table(s: ScenarioReport): string[] {
  const base = s.results.find((r) => r.label === s.baseline);
  // Ratios need something to compare: a lone contender has none.
  const ratios = base !== undefined && s.results.length > 1;
  const headers = ["command", "runs", "median wall (min–max)", "peak RSS", ...(ratios ? ["wall vs baseline", "RSS vs baseline"] : []), ...s.columns.map((c) => c.header)];
  const rows = s.results.map((r) => [
    r.label === s.baseline && ratios ? `${r.label} (baseline)` : r.label,
    runsCell(r),
    wall(r.wallMs),
    mib(r.rssBytes.median),
    ...(ratios ? [ratio(r.wallMs.median, base?.wallMs.median), ratio(r.rssBytes.median, base?.rssBytes.median)] : []),
    ...s.columns.map((c) => metric(r.metrics[c.metric]?.median, c.format)),
  ]);
  return [headers, headers.map(() => "---"), ...rows].map((cells) => `| ${cells.map(cell).join(" | ")} |`);
}

function wallMethod(report: Report): string {
  if (report.timer) {
    return (
      "Each run is timed by a small C program the bench builds (bench/measure.ts, TIMER_SOURCE), not by the bench's " +
      "own event loop, which also runs the test server: it forks and execs the command, and its clock runs from just " +
      "before the fork until the command has exited and closed its stdout and stderr, what a caller such as Claude " +
      "Code waits for."
    );
  }
  return (
    "Each run is timed by the bench process's own clock, from spawning the command until it exited and closed its stderr " +
    `(no C compiler to build the timing process)${report.gnuTime ? ", GNU time's own start-up and exit (2-6 ms) included" : ""}.`
  );
}

function rssMethod(report: Report): string {
  if (report.timer) return "the larger of the largest single process's max RSS, reported by the timing process, and the tree's sum sampled from /proc every 10 ms";
  return report.gnuTime
    ? "the larger of the largest single process's max RSS, measured by GNU time wrapped around each run, and the tree's sum sampled from /proc every 10 ms"
    : "sampled from /proc every 10 ms, summed over the tree; GNU time was not installed, so peaks shorter than 10 ms may be missed";
}

export function renderResults(report: Report): string {
  const out: string[] = [
    "# Benchmark results",
    "",
    "Produced by `npm run bench` (bench/run.ts); do not edit by hand.",
    "",
    `- Date: ${report.date} (the whole bench took ${(report.elapsedMs / 60_000).toFixed(1)} min)`,
    `- Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memory} RAM, ${report.machine.os}`,
    `- Versions: ${Object.entries(report.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `- Method: ${report.runs} measured runs per command after ${report.warmup} warm-up round(s) unless a scenario says ` +
      "otherwise, commands alternated (A, B, C, A, B, C...). Wall time is the median (min–max) over the successful runs. " +
      `${wallMethod(report)} ` +
      `Peak RSS is the median over runs of each run's peak resident memory of the whole process tree (${rssMethod(report)}). ` +
      "Every run gets a fresh temporary HOME unless a scenario " +
      "says otherwise; CLAUDE_CONFIG_DIR points at the generated corpus. Ratios are against the scenario's baseline " +
      "(lower is better). Server scenarios use the in-process OpenSync test server (testserver/); their request counts " +
      "come from the server, their message counts from `sync --json` (`messagesSent`) or, for hooks, from the server.",
    "",
  ];
  if (report.targets) out.push("## Targets", "", ...report.targets, "");
  for (const s of report.scenarios) {
    out.push(`## ${s.title}`, "");
    if (s.runs !== report.runs || s.warmup !== report.warmup) out.push(`${s.runs} measured run(s) per command after ${s.warmup} warm-up round(s).`, "");
    if (s.results.length) out.push(...table(s), "");
    for (const note of s.notes) out.push(`- ${note}`);
    if (s.notes.length) out.push("");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
