/**
 * Runs commands alternately (A, B, C, A, B, C...) so that drift of a shared,
 * noisy machine hits every contender alike, and records wall time and the peak
 * resident memory of each run's whole process tree, plus whatever numbers a
 * contender measures around its runs (server requests...).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What one measured run executes. */
export interface Invocation {
  argv: string[];
  env: Record<string, string>;
  stdin?: string;
  /** Keep stdout (for `inspect`); otherwise it is discarded. */
  captureStdout?: boolean;
}

/** Numbers a contender measures around a run, by name (see MetricColumn in results.ts). */
export type Metrics = Record<string, number>;

export interface Contender {
  label: string;
  /** Unmeasured set-up before each run (fresh HOME, state to start from...). */
  prepare: (run: number) => Promise<Invocation>;
  /**
   * Unmeasured, after a run that exited 0: waits for work the tool left in the
   * background, checks its output and returns its metrics. Throwing fails the run.
   */
  inspect?: (sample: Sample) => Promise<Metrics>;
  /** Unmeasured clean-up after each run. */
  cleanup?: () => Promise<void>;
  /** Once, after the last run. */
  dispose?: () => Promise<void>;
}

export interface Sample {
  wallMs: number;
  /** Larger of: GNU time's max RSS (the tree's largest single process) and the sampled sum over the tree. */
  peakRssBytes: number;
  exitCode: number | null;
  timedOut: boolean;
  stderrTail: string;
  /** All of stdout when the invocation asked for it, else "". */
  stdout: string;
  /** performance.now() when the process was started, for timings that end after it exits. */
  startedAt: number;
  metrics: Metrics;
  /** Why a run that exited 0 still counts as failed (set-up or inspection failed). */
  error?: string;
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
  /** Per metric name, over the successful runs that reported it. */
  metrics: Record<string, Spread>;
  /** Runs that failed (kept out of the medians). */
  failures: number;
}

export function succeeded(s: Sample): boolean {
  return s.exitCode === 0 && !s.timedOut && s.error === undefined;
}

/** What went wrong in a failed run, in a few words. */
export function outcome(s: Sample): string {
  if (s.error !== undefined) return s.error;
  if (s.timedOut) return "timed out";
  return s.exitCode === null ? "not run" : `exit ${s.exitCode}`;
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
  const ok = samples.filter(succeeded);
  const names = new Set(ok.flatMap((s) => Object.keys(s.metrics)));
  const metrics: Record<string, Spread> = {};
  for (const name of names) metrics[name] = spread(ok.map((s) => s.metrics[name] ?? Number.NaN).filter(Number.isFinite));
  return {
    label,
    samples,
    wallMs: spread(ok.map((s) => s.wallMs)),
    rssBytes: spread(ok.map((s) => s.peakRssBytes)),
    metrics,
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

  /** `countRoot: false` leaves the root's own memory out of the sum (a measuring wrapper). */
  constructor(
    private readonly root: number,
    private readonly countRoot = true,
  ) {
    this.members = new Set([root]);
  }

  /** Sends a signal to every process of the tree seen so far (ours: started by the run). */
  killAll(signal: NodeJS.Signals): void {
    this.sample();
    for (const pid of this.members) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
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
      if (pid === this.root && !this.countRoot) continue;
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

/**
 * GNU time, when installed, measures the run's max RSS. Bun's own rusage cannot:
 * it spawns with vfork, so a child's max RSS starts at the bench process's own
 * high-water mark (hundreds of MB once the in-process test server holds data).
 * GNU time forks from its own small process, so its %M is the child's.
 */
export const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

let rssFiles = 0;

/** Runs one invocation; stdout is kept only when asked for, the end of stderr for failure reports. */
export async function runOnce(inv: Invocation, { timeoutMs = 300_000 }: RunOptions = {}): Promise<Sample> {
  const rssFile = GNU_TIME && join(tmpdir(), `ccs-bench-rss-${process.pid}-${rssFiles++}.txt`);
  const argv = GNU_TIME && rssFile ? [GNU_TIME, "--format=%M", `--output=${rssFile}`, "--", ...inv.argv] : inv.argv;
  const started = performance.now();
  const proc = Bun.spawn(argv, {
    env: inv.env,
    stdin: inv.stdin === undefined ? "ignore" : new TextEncoder().encode(inv.stdin),
    stdout: inv.captureStdout ? "pipe" : "ignore",
    stderr: "pipe",
  });
  const tree = new TreeRssSampler(proc.pid, rssFile === null);
  const poll = setInterval(() => tree.sample(), POLL_MS);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    tree.killAll("SIGKILL");
  }, timeoutMs);
  const [exitCode, stderr, stdout] = await Promise.all([
    proc.exited,
    new Response(proc.stderr).text(),
    proc.stdout instanceof ReadableStream ? new Response(proc.stdout).text() : "",
  ]);
  const wallMs = performance.now() - started;
  clearInterval(poll);
  clearTimeout(timer);
  return {
    wallMs,
    peakRssBytes: Math.max(rssFile ? takeGnuTimeRss(rssFile) : 0, tree.peakBytes),
    exitCode,
    timedOut,
    stderrTail: stderr.slice(-2_000),
    stdout,
    startedAt: started,
    metrics: {},
  };
}

/** GNU time's %M (KiB; the last line: a line about a killing signal may come first), in bytes; the file is removed. */
function takeGnuTimeRss(file: string): number {
  try {
    const kib = Number(readFileSync(file, "utf8").trim().split("\n").at(-1));
    return Number.isFinite(kib) ? kib * 1024 : 0;
  } catch {
    return 0;
  } finally {
    rmSync(file, { force: true });
  }
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
  try {
    for (let round = -warmup; round < options.runs; round++) {
      for (const [i, c] of contenders.entries()) {
        const sample = await measureOnce(c, round, options);
        await c.cleanup?.();
        if (round < 0) continue;
        samples[i]?.push(sample);
        options.onSample?.(c.label, round, sample);
      }
    }
  } finally {
    for (const c of contenders) await c.dispose?.();
  }
  return contenders.map((c, i) => summarize(c.label, samples[i] ?? []));
}

/** One run of one contender; a failed set-up or inspection fails this run only, the others still get measured. */
async function measureOnce(c: Contender, round: number, options: RunOptions): Promise<Sample> {
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  let inv: Invocation;
  try {
    inv = await c.prepare(round);
  } catch (e) {
    const nan = Number.NaN;
    return { wallMs: nan, peakRssBytes: nan, exitCode: null, timedOut: false, stderrTail: "", stdout: "", startedAt: nan, metrics: {}, error: `set-up failed: ${message(e)}` };
  }
  const sample = await runOnce(inv, options);
  if (c.inspect && succeeded(sample)) {
    try {
      sample.metrics = await c.inspect(sample);
    } catch (e) {
      sample.error = message(e);
    }
  }
  return sample;
}

/** A throw-away HOME for one run, and the environment that points the tools at a corpus. */
export function isolatedEnv(configDir: string | null, extra: Record<string, string> = {}): { env: Record<string, string>; home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), "ccs-bench-home-"));
  const env: Record<string, string> = { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", ...extra };
  if (configDir !== null) env.CLAUDE_CONFIG_DIR = configDir;
  return { env, home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}
