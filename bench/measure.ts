/**
 * Runs commands alternately (A, B, C, A, B, C...) so that drift of a shared,
 * noisy machine hits every contender alike, and records wall time and the peak
 * resident memory of each run's whole process tree. Also renders RESULTS.md.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";

/** What one measured run executes. */
export interface Invocation {
  argv: string[];
  env: Record<string, string>;
  stdin?: string;
}

export interface Contender {
  label: string;
  /** Unmeasured set-up before each run (fresh HOME, state to start from...). */
  prepare: (run: number) => Promise<Invocation>;
  /** Unmeasured clean-up after each run. */
  cleanup?: () => Promise<void>;
}

export interface Sample {
  wallMs: number;
  /** Largest of: rusage max RSS (largest single process) and the sampled sum over the tree. */
  peakRssBytes: number;
  exitCode: number | null;
  timedOut: boolean;
  stderrTail: string;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface ContenderResult {
  label: string;
  samples: Sample[];
  wallMs: Spread;
  rssBytes: Spread;
  /** Runs that exited non-zero or timed out (kept out of the medians). */
  failures: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export function summarize(label: string, samples: Sample[]): ContenderResult {
  const ok = samples.filter((s) => s.exitCode === 0 && !s.timedOut);
  return {
    label,
    samples,
    wallMs: spread(ok.map((s) => s.wallMs)),
    rssBytes: spread(ok.map((s) => s.peakRssBytes)),
    failures: samples.length - ok.length,
  };
}

/**
 * Samples the resident memory of a process and all its descendants from /proc.
 * Each pid's parent is read once, so a sample costs a directory listing plus
 * one small read per process of the tree, not one per process of the machine.
 */
export class TreeRssSampler {
  peakBytes = 0;
  private readonly parentOf = new Map<number, number>();
  private readonly members: Set<number>;

  constructor(root: number) {
    this.members = new Set([root]);
  }

  sample(): void {
    const fresh: number[] = [];
    for (const name of readdirSync("/proc")) {
      const pid = Number(name);
      if (Number.isInteger(pid) && !this.parentOf.has(pid)) fresh.push(pid);
    }
    fresh.sort((a, b) => a - b); // parents usually have the lower pid
    for (const pid of fresh) {
      const stat = readProc(`/proc/${pid}/stat`);
      if (stat === null) continue;
      // Fields after the command name, which may itself contain spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      this.parentOf.set(pid, ppid);
      if (this.members.has(ppid)) this.members.add(pid);
    }
    let total = 0;
    for (const pid of this.members) {
      const statm = readProc(`/proc/${pid}/statm`);
      if (statm !== null) total += Number(statm.split(" ")[1]) * PAGE_SIZE;
    }
    this.peakBytes = Math.max(this.peakBytes, total);
  }
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return null; // the process exited meanwhile
  }
}

/** x86-64 and arm64 Linux as shipped by distributions. */
const PAGE_SIZE = 4096;
const POLL_MS = 10;

export interface RunOptions {
  timeoutMs?: number;
}

/** Runs one invocation; stdout is discarded, the end of stderr kept for failure reports. */
export async function runOnce(inv: Invocation, { timeoutMs = 300_000 }: RunOptions = {}): Promise<Sample> {
  const started = performance.now();
  const proc = Bun.spawn(inv.argv, {
    env: inv.env,
    stdin: inv.stdin === undefined ? "ignore" : new TextEncoder().encode(inv.stdin),
    stdout: "ignore",
    stderr: "pipe",
  });
  const tree = new TreeRssSampler(proc.pid);
  const poll = setInterval(() => tree.sample(), POLL_MS);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, timeoutMs);
  const [exitCode, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  const wallMs = performance.now() - started;
  clearInterval(poll);
  clearTimeout(timer);
  const maxRss = proc.resourceUsage()?.maxRSS ?? 0;
  return { wallMs, peakRssBytes: Math.max(maxRss, tree.peakBytes), exitCode, timedOut, stderrTail: stderr.slice(-2_000) };
}

export interface AlternateOptions extends RunOptions {
  runs: number;
  /** Unrecorded rounds first (page cache, first-run costs). */
  warmup?: number;
  onSample?: (label: string, run: number, sample: Sample) => void;
}

/** Runs every contender `runs` times, alternating between them. */
export async function alternate(contenders: readonly Contender[], options: AlternateOptions): Promise<ContenderResult[]> {
  const samples = contenders.map(() => [] as Sample[]);
  const warmup = options.warmup ?? 1;
  for (let round = -warmup; round < options.runs; round++) {
    for (const [i, c] of contenders.entries()) {
      let sample: Sample;
      try {
        sample = await runOnce(await c.prepare(round), options);
      } catch (e) {
        // A failed set-up fails this run only; the other contenders still get measured.
        sample = { wallMs: Number.NaN, peakRssBytes: Number.NaN, exitCode: null, timedOut: false, stderrTail: `set-up failed: ${e instanceof Error ? e.message : String(e)}` };
      }
      await c.cleanup?.();
      if (round < 0) continue;
      samples[i]?.push(sample);
      options.onSample?.(c.label, round, sample);
    }
  }
  return contenders.map((c, i) => summarize(c.label, samples[i] ?? []));
}

/** A throw-away HOME for one run, and the environment that points the tools at a corpus. */
export function isolatedEnv(configDir: string | null, extra: Record<string, string> = {}): { env: Record<string, string>; home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), "ccs-bench-home-"));
  const env: Record<string, string> = { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", ...extra };
  if (configDir !== null) env.CLAUDE_CONFIG_DIR = configDir;
  return { env, home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------
// RESULTS.md

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

export interface ScenarioReport {
  id: string;
  title: string;
  baseline: string;
  results: ContenderResult[];
  /** Contenders or whole scenarios that could not run, with why. */
  notes: string[];
}

export interface Report {
  date: string;
  machine: MachineInfo;
  versions: Record<string, string>;
  runs: number;
  warmup: number;
  scenarios: ScenarioReport[];
}

const ms = (v: number) => (Number.isNaN(v) ? "n/a" : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
const wall = (w: Spread) => (Number.isNaN(w.median) ? "n/a" : `${ms(w.median)} (${ms(w.min)}-${ms(w.max)})`);
const mib = (v: number) => (Number.isNaN(v) ? "n/a" : `${(v / 2 ** 20).toFixed(0)} MiB`);
const ratio = (v: number, base: number | undefined) => (base === undefined || Number.isNaN(v) || Number.isNaN(base) ? "" : `${(v / base).toFixed(2)}x`);

export function renderResults(report: Report): string {
  const out: string[] = [
    "# Benchmark results",
    "",
    "Produced by `npm run bench` (bench/run.ts); do not edit by hand.",
    "",
    `- Date: ${report.date}`,
    `- Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memory} RAM, ${report.machine.os}`,
    `- Versions: ${Object.entries(report.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `- Method: ${report.runs} measured runs per command after ${report.warmup} warm-up round(s), commands alternated ` +
      "(A, B, C, A, B, C...). Wall time is the median (min-max). Peak RSS is the median over runs of each run's " +
      "peak resident memory of the whole process tree (the larger of rusage max RSS and the sum sampled from /proc every 10 ms). " +
      "Every run gets a fresh temporary HOME; CLAUDE_CONFIG_DIR points at the generated corpus. " +
      "Ratios are against the scenario's baseline (lower is better).",
    "",
  ];
  for (const s of report.scenarios) {
    out.push(`## ${s.title}`, "");
    if (s.results.length) {
      const base = s.results.find((r) => r.label === s.baseline);
      out.push("| command | median wall (min-max) | peak RSS | wall vs baseline | RSS vs baseline | failed runs |", "|---|---|---|---|---|---|");
      for (const r of s.results) {
        out.push(
          `| ${r.label}${r.label === s.baseline ? " (baseline)" : ""} | ${wall(r.wallMs)} | ${mib(r.rssBytes.median)} | ` +
            `${ratio(r.wallMs.median, base?.wallMs.median)} | ${ratio(r.rssBytes.median, base?.rssBytes.median)} | ${r.failures || ""} |`,
        );
      }
      out.push("");
    }
    for (const note of s.notes) out.push(`- ${note}`);
    if (s.notes.length) out.push("");
  }
  return out.join("\n");
}
