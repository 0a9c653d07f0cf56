/**
 * The figures issues 13, 14 and 15 set, read off the scenarios' medians: one
 * row per target with what was measured and whether it is met. Pure, so the
 * arithmetic is tested (test/bench-targets.test.ts) without running a bench.
 */
import type { ScenarioReport } from "./results.ts";

export interface TargetRow {
  issue: number;
  target: string;
  measured: string;
  /** undefined when a figure it needs was not measured (scenario skipped or failed). */
  met: boolean | undefined;
}

/** Labels the targets read (bench/run.ts names its contenders with these). */
export interface TargetLabels {
  ccusage: string;
  dryRun: string;
  firstSync: string;
  noOp: string;
  /** A Stop hook of a session with nothing new (its runner's bytes read). */
  hookNoOp: string;
  hook: string;
  node: string;
  /** A new state's first sync facing a server that holds the history (its state's peak size). */
  newState: string;
}

/** "A few MB", as issue 15 puts what a hook pass with nothing new may read. */
const FEW_MB = 4 * 2 ** 20;

type Lookup = (scenario: string, label: string, metric?: string) => number | undefined;

function lookup(scenarios: readonly ScenarioReport[]): Lookup {
  return (id, label, metric) => {
    const result = scenarios.find((s) => s.id === id)?.results.find((r) => r.label === label);
    const value = metric === undefined ? result?.wallMs.median : metric === "rss" ? result?.rssBytes.median : result?.metrics[metric]?.median;
    return value === undefined || Number.isNaN(value) ? undefined : value;
  };
}

const x = (v: number) => `${v.toFixed(2)}x`;
const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
const mib = (v: number) => `${(v / 2 ** 20).toFixed(1)} MiB`;

/** A row from figures that may be missing: `judge` runs only when all are there. */
function row<T extends number[]>(issue: number, target: string, figures: { [K in keyof T]: number | undefined }, judge: (...v: T) => [string, boolean]): TargetRow {
  if (figures.some((f) => f === undefined)) return { issue, target, measured: "not measured", met: undefined };
  const [measured, met] = judge(...(figures as T));
  return { issue, target, measured, met };
}

export function targetRows(scenarios: readonly ScenarioReport[], l: TargetLabels): TargetRow[] {
  const get = lookup(scenarios);
  const native = get("scan-256MiB", l.ccusage);
  const ours = scenarios.flatMap((s) => s.results.filter((r) => r.label.startsWith("claude-code-sync ")).map((r) => r.rssBytes.median)).filter((v) => !Number.isNaN(v));
  return [
    row<[number, number]>(13, "first sync at 20 ms round trip, 5 ms serial writes: every message sent is on the server, no contract violation", [get("throughput-20ms", l.firstSync, "messagesPerS"), deliveredWhole(get, "throughput-20ms", l.firstSync)], (rate, ok) => [`${rate.toFixed(0)} messages/s`, ok === 1]),
    row<[number, number]>(13, "the same at 100 ms round trip, at least 100 messages/s", [get("throughput-100ms", l.firstSync, "messagesPerS"), deliveredWhole(get, "throughput-100ms", l.firstSync)], (rate, ok) => [`${rate.toFixed(0)} messages/s`, ok === 1 && rate >= 100]),
    row<[number]>(14, "Stop to visible on the server under 1 s (local server, 20 ms latency)", [get("hook-stop", l.hook, "deliveredMs")], (v) => [ms(v), v < 1000]),
    row<[number, number]>(14, "the hook's wall time under half of `node -e 0`'s", [get("hook-stop", l.hook), get("hook-stop", l.node)], (h, n) => [`${ms(h)} vs ${ms(n)}: ${x(h / n)}`, h / n < 0.5]),
    row<[number, number]>(15, "dry run of 256 MiB within 1.2x of ccusage native's full scan", [get("scan-256MiB", l.dryRun), native], (d, n) => [`${ms(d)} vs ${ms(n)}: ${x(d / n)}`, d / n <= 1.2]),
    row<[number, number]>(15, "first sync of 256 MiB: first write within 3x of ccusage native's full scan", [get("first-sync-256MiB", l.firstSync, "firstWriteMs"), native], (f, n) => [`${ms(f)} vs ${ms(n)}: ${x(f / n)}`, f / n <= 3]),
    row<[number]>(15, "the state at most 25% of the history's size", [get("first-sync-256MiB", l.firstSync, "stateShare")], (v) => [`${(v * 100).toFixed(1)}%`, v <= 0.25]),
    row<[number]>(15, "the same at its peak, in a new state's first sync facing a server that holds the history (256 MiB)", [get("new-state-256MiB", l.newState, "peakStateShare")], (v) => [`${(v * 100).toFixed(1)}%`, v <= 0.25]),
    row<[number, number]>(15, "a sync with nothing new at most 0.1x ccusage native's full scan (256 MiB)", [get("rescan-256MiB", l.noOp), get("rescan-256MiB", l.ccusage)], (o, n) => [`${ms(o)} vs ${ms(n)}: ${x(o / n)}`, o / n <= 0.1]),
    row<[number, number]>(15, "a sync with nothing new reads no more at 256 MiB than at 10 MB (bytes its process read)", [get("rescan-256MiB", l.noOp, "processReadBytes"), get("rescan-10MB", l.noOp, "processReadBytes")], (big, small) => [`${mib(big)} vs ${mib(small)}`, big <= small * 1.1]),
    hookPassRow(get, l.hookNoOp),
    row<[number]>(15, "peak memory at most 200 MiB for every command measured here", [ours.length > 0 ? Math.max(...ours) : undefined], (v) => [`largest median peak ${mib(v)}`, v <= 200 * 2 ** 20]),
  ];
}

/**
 * Issue 15 bounds a hook pass with nothing new at 1 GiB; that scenario runs only when asked (bench/run.ts --long),
 * so without it the row reads the largest history of every run, 256 MiB. 10 MB's figure is shown beside it.
 */
function hookPassRow(get: Lookup, label: string): TargetRow {
  const atGiB = get("rescan-1GiB", label, "runnerReadBytes");
  const [size, big] = atGiB === undefined ? ["256 MiB", get("rescan-256MiB", label, "runnerReadBytes")] : ["1 GiB", atGiB];
  const gap = size === "1 GiB" ? "" : "; the issue says at 1 GiB: bench/run.ts --long";
  const small = get("rescan-10MB", label, "runnerReadBytes");
  return row<[number]>(15, `a hook pass with nothing new reads at most ${mib(FEW_MB)} (bytes its runner read at ${size}, then at 10 MB${gap})`, [big], (b) => [
    small === undefined ? mib(b) : `${mib(b)} vs ${mib(small)}`,
    b <= FEW_MB,
  ]);
}

/** 1 when the run's messages all reached the server without a violation, 0 when not, undefined when not measured. */
function deliveredWhole(get: Lookup, id: string, label: string): number | undefined {
  const [sent, stored, violations] = [get(id, label, "messages"), get(id, label, "stored"), get(id, label, "violations")];
  if (sent === undefined || stored === undefined || violations === undefined) return undefined;
  return sent === stored && violations === 0 ? 1 : 0;
}

export function renderTargets(rows: readonly TargetRow[]): string[] {
  const verdict = (met: boolean | undefined) => (met === undefined ? "not measured" : met ? "met" : "not met");
  return [
    "| issue | target | measured | verdict |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| #${r.issue} | ${r.target} | ${r.measured} | ${verdict(r.met)} |`),
  ];
}
