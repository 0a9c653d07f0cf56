/**
 * Runs commands alternately (A, B, C, A, B, C...) so that drift of a shared,
 * noisy machine hits every contender alike, and records wall time and the peak
 * resident memory of each run's whole process tree, plus whatever numbers a
 * contender measures around its runs (server requests...).
 *
 * Wall time is taken by a small timing process (TIMER_SOURCE, compiled by
 * buildTimer) rather than by this process's event loop: the bench also runs
 * the test server and samples /proc, and a run should not be charged for that.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
  /**
   * performance.now() just before the bench started the run (the timing process, when there is one), for
   * timings that end after it exits: a little early, so durations measured from it err on the long side.
   */
  startedAt: number;
  /**
   * With the timing process: the bench's own clock around the same run (the timer's start-up and any
   * event-loop delay included), kept to check the timer against. Absent when the bench's clock is `wallMs`.
   */
  harnessWallMs?: number;
  /** With the timing process: when the command's process ended; below `wallMs` when something it left behind kept its output open. */
  exitedMs?: number;
  /** With the timing process on Linux: bytes the command's own process read (rchar), files and pipes alike. */
  readBytes?: number;
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

  /**
   * `countRoot: false` leaves the root's own memory out of the sum (a measuring wrapper). `existing`: pids
   * listed before the root was started (see listPids), which cannot be its descendants; passing them saves
   * reading each one's parent while the run is being measured.
   */
  constructor(
    private readonly root: number,
    private readonly countRoot = true,
    existing: Iterable<number> = [],
  ) {
    this.members = new Set([root]);
    for (const pid of existing) if (pid !== root) this.parentOf.set(pid, 0);
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
    const fresh = listPids().filter((pid) => !this.parentOf.has(pid));
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

/** The processes that exist now. */
export function listPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (Number.isInteger(pid)) pids.push(pid);
  }
  return pids;
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
  /**
   * The timing process (buildTimer), which then measures wall time and max RSS; without it the bench's
   * own clock measures wall time and GNU time, when installed, max RSS.
   */
  timer?: string | null;
}

/**
 * Without the timing process, GNU time, when installed, measures the run's max
 * RSS. Bun's own rusage cannot: it spawns with vfork, so a child's max RSS starts
 * at the bench process's own high-water mark (hundreds of MB once the in-process
 * test server holds data). GNU time forks from its own small process, so its %M
 * is the child's. It costs every run 2-6 ms of wall time, hence the timer.
 */
export const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

/**
 * The timing process: forks and execs the command itself (no shell, no GNU time in between), starts its
 * clock (CLOCK_MONOTONIC) just before the fork and stops it once the command has exited and its stdout and
 * stderr are closed (relayed through pipes), which is what a caller that reads the command's output, such as
 * Claude Code running a hook, waits for; then reaps it. It writes "<wall ms> <exited ms> <max RSS KiB>" to
 * RESULT-FILE, "exited" being when the command's process ended (the same as wall unless something it left
 * behind kept its output open), then "<bytes read>", the command process's rchar from /proc (every byte its
 * read calls returned, page cache or disk; -1 where /proc has no io file), read while it is a zombie (waitid
 * WNOWAIT) so nothing is lost at exit. It exits with the command's exit code, or 128 + the signal that ended it.
 * Being small and forking (not vfork), its child's max RSS is the child's own, as with GNU time.
 */
export const TIMER_SOURCE = String.raw`/* ccs-bench-timer RESULT-FILE COMMAND [ARG...]: see bench/measure.ts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Copies what the pipe holds to the output; clears *open at end of file. A reader gone away only drops the data. */
static void relay(int from, int to, int *open) {
  char buf[65536];
  ssize_t n = read(from, buf, sizeof buf);
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) {
    *open = 0;
    return;
  }
  for (ssize_t off = 0; off < n;) {
    ssize_t w = write(to, buf + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return;
    off += w;
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s RESULT-FILE COMMAND [ARG...]\n", argv[0]);
    return 125;
  }
  signal(SIGPIPE, SIG_IGN);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
    perror("ccs-bench-timer: pipe");
    return 125;
  }
  double start = now_ms();
  pid_t pid = fork();
  if (pid < 0) {
    perror("ccs-bench-timer: fork");
    return 125;
  }
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    signal(SIGPIPE, SIG_DFL);
    execvp(argv[2], argv + 2);
    dprintf(2, "ccs-bench-timer: %s: %s\n", argv[2], strerror(errno));
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  /* pidfd_open (Linux 5.3+) tells when the process ended; without it, "exited" is when it was reaped. */
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  int out_open = 1, err_open = 1, running = pidfd >= 0;
  double exited = -1;
  while (out_open || err_open || running) {
    struct pollfd fds[3] = {{out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}, {running ? pidfd : -1, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      perror("ccs-bench-timer: poll");
      break;
    }
    if (fds[2].revents) {
      exited = now_ms();
      running = 0;
    }
    if (fds[0].revents) relay(out[0], 1, &out_open);
    if (fds[1].revents) relay(err[0], 2, &err_open);
  }
  long long rchar = -1;
  siginfo_t info;
  while (waitid(P_PID, pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  char io_path[64];
  snprintf(io_path, sizeof io_path, "/proc/%d/io", (int)pid);
  FILE *io = fopen(io_path, "r");
  if (io != NULL) {
    char line[128];
    while (fgets(line, sizeof line, io) != NULL && sscanf(line, "rchar: %lld", &rchar) != 1) {
    }
    fclose(io);
  }
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("ccs-bench-timer: wait4");
      return 125;
    }
  }
  double end = now_ms();
  if (exited < 0) exited = end;
  FILE *f = fopen(argv[1], "w");
  if (f == NULL || fprintf(f, "%.3f %.3f %ld %lld\n", end - start, exited - start, ru.ru_maxrss, rchar) < 0 || fclose(f) != 0) {
    perror("ccs-bench-timer: result file");
    return 125;
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
`;

/**
 * Compiles TIMER_SOURCE into `dir` with the system's C compiler, once per version of the source. Returns
 * the executable, or why there is none (then runs are timed by the bench's own clock).
 */
export async function buildTimer(dir: string): Promise<{ path: string } | { missing: string }> {
  const hash = createHash("sha256").update(TIMER_SOURCE).digest("hex").slice(0, 12);
  const path = join(dir, `ccs-bench-timer-${hash}`);
  if (existsSync(path)) return { path };
  const cc = ["cc", "gcc", "clang"].map((name) => Bun.which(name)).find((found) => found !== null);
  if (!cc) return { missing: "no C compiler (cc, gcc or clang) to build the timing process" };
  mkdirSync(dir, { recursive: true });
  const source = `${path}.${process.pid}.c`;
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(source, TIMER_SOURCE);
  try {
    const proc = Bun.spawn([cc, "-O2", "-o", partial, source], { stdout: "ignore", stderr: "pipe" });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    if (code !== 0) return { missing: `compiling the timing process failed (exit ${code}): ${stderr.trim().split("\n").slice(-3).join(" / ")}` };
    renameSync(partial, path);
    return { path };
  } finally {
    rmSync(source, { force: true });
    rmSync(partial, { force: true });
  }
}

let resultFiles = 0;

/**
 * Runs one invocation; stdout is kept only when asked for, the end of stderr for failure reports. Wall
 * time and max RSS come from the timing process when `timer` is given; else wall time is the bench's
 * own clock, from spawning the command until it exited and closed stderr, and max RSS comes from GNU time.
 */
export async function runOnce(inv: Invocation, { timeoutMs = 300_000, timer = null }: RunOptions = {}): Promise<Sample> {
  const resultFile = timer || GNU_TIME ? join(tmpdir(), `ccs-bench-run-${process.pid}-${resultFiles++}.txt`) : null;
  let argv = inv.argv;
  if (resultFile && timer) argv = [timer, resultFile, ...inv.argv];
  else if (resultFile && GNU_TIME) argv = [GNU_TIME, "--format=%M", `--output=${resultFile}`, "--", ...inv.argv];
  const existing = listPids();
  const started = performance.now();
  const proc = Bun.spawn(argv, {
    env: inv.env,
    stdin: inv.stdin === undefined ? "ignore" : new TextEncoder().encode(inv.stdin),
    stdout: inv.captureStdout ? "pipe" : "ignore",
    stderr: "pipe",
  });
  const tree = new TreeRssSampler(proc.pid, resultFile === null, existing);
  const poll = setInterval(() => tree.sample(), POLL_MS);
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    tree.killAll("SIGKILL");
  }, timeoutMs);
  const [exitCode, stderr, stdout] = await Promise.all([
    proc.exited,
    new Response(proc.stderr).text(),
    proc.stdout instanceof ReadableStream ? new Response(proc.stdout).text() : "",
  ]);
  const harnessWallMs = performance.now() - started;
  clearInterval(poll);
  clearTimeout(killer);
  const sample: Sample = {
    wallMs: harnessWallMs,
    peakRssBytes: tree.peakBytes,
    exitCode,
    timedOut,
    stderrTail: stderr.slice(-2_000),
    stdout,
    startedAt: started,
    metrics: {},
  };
  if (resultFile === null) return sample;
  const result = takeResult(resultFile);
  if (timer) {
    // A run killed on time-out leaves no result: the bench's clock stands.
    const [wallMs, exitedMs, maxRssKiB, readBytes] = result?.split(" ").map(Number) ?? [];
    if (wallMs !== undefined && Number.isFinite(wallMs)) Object.assign(sample, { wallMs, exitedMs, harnessWallMs });
    if (readBytes !== undefined && readBytes >= 0) sample.readBytes = readBytes;
    if (maxRssKiB !== undefined && Number.isFinite(maxRssKiB)) sample.peakRssBytes = Math.max(sample.peakRssBytes, maxRssKiB * 1024);
  } else {
    // GNU time's %M, in KiB: the last line (a line about a killing signal may come first).
    const kib = Number(result?.split("\n").at(-1));
    if (Number.isFinite(kib)) sample.peakRssBytes = Math.max(sample.peakRssBytes, kib * 1024);
  }
  return sample;
}

/** A wrapper's result file, trimmed, or null when it wrote none; the file is removed. */
function takeResult(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return null;
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
