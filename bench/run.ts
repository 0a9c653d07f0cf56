/**
 * `npm run bench`: one command that measures claude-code-sync against its peers.
 *
 *   bun bench/run.ts [--runs 5] [--warmup 1] [--quick] [--only id,id] [--seed 1] [--out bench/RESULTS.md]
 *
 * Generates (and caches) synthetic corpora, installs the peers into the bench
 * cache (BENCH_CACHE, default ~/.cache/claude-code-sync-bench), runs the
 * scenarios below and writes bench/RESULTS.md. `--quick` is a smoke run on tiny
 * corpora, one run each, written to the cache folder instead.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { GENERATOR_VERSION } from "./generate.ts";
import { alternate, type Contender, type Invocation, isolatedEnv, machineInfo, type Report, renderResults, type Sample, type ScenarioReport } from "./measure.ts";
import { benchCacheDir, ensurePeers, type Peers } from "./peers.ts";

const ROOT = resolve(import.meta.dir, "..");
const OURS = join(ROOT, "dist", "claude-code-sync");
const LATENCY_MS = 20;

// ---------------------------------------------------------------------------
// Scenario table. Each contender is a factory; throwing Skip leaves it out with a note.

/** Thrown by a contender factory that cannot run here (tool not built, server missing...). */
class Skip extends Error {}

interface TestServer {
  url: string;
  apiKey: string;
}

interface ScenarioEnv {
  corpusDir: string | null;
  peers: Peers;
  /** Path of our built executable, or null (then `oursMissing` says why). */
  ours: string | null;
  oursMissing: string;
  /** The local OpenSync test server, for scenarios that declare `server`. */
  server: TestServer | null;
}

/** A contender without its label: the scenario table's key is the label. */
type Runner = Omit<Contender, "label">;
type Factory = (env: ScenarioEnv) => Promise<Runner> | Runner;

interface Scenario {
  id: string;
  title: string;
  /** Corpus size (see generate.ts parseSize), or null when the scenario reads none. */
  corpus: string | null;
  /** Start the test server with this added latency per request. */
  server?: { latencyMs: number };
  baseline: string;
  contenders: Record<string, Factory>;
}

const SCAN_CONTENDERS: Record<string, Factory> = {
  "ccusage session --json --offline": (e) => withFreshHome(e.corpusDir, () => [e.peers.ccusage.bin, "session", "--json", "--offline"]),
  "ccusage (native binary, no Node launcher)": (e) =>
    withFreshHome(e.corpusDir, () => [e.peers.ccusage.native, "session", "--json", "--offline"]),
  "claude-code-sync sync --dry-run --json": (e) => withFreshHome(e.corpusDir, () => [ours(e), "sync", "--dry-run", "--json"]),
};

export const SCENARIOS: Scenario[] = [
  {
    id: "startup",
    title: "Start-up (no transcripts read)",
    corpus: null,
    baseline: "node -e 0",
    contenders: {
      "node -e 0": (e) => withFreshHome(e.corpusDir, () => ["node", "-e", "0"]),
      "claude-code-sync@0.1.15 --version": (e) => withFreshHome(e.corpusDir, () => [e.peers.oldTool.bin, "--version"]),
      "claude-code-sync --version": (e) => withFreshHome(e.corpusDir, () => [ours(e), "--version"]),
    },
  },
  { id: "scan-100MB", title: "Full scan of a 100 MB history", corpus: "100MB", baseline: "ccusage session --json --offline", contenders: SCAN_CONTENDERS },
  { id: "scan-1GiB", title: "Full scan of a 1 GiB history", corpus: "1GiB", baseline: "ccusage session --json --offline", contenders: SCAN_CONTENDERS },
  // Hooks for the scenarios that need the local test server (testserver/server.ts).
  {
    id: "first-sync",
    title: `First sync of a 100 MB history, ${LATENCY_MS} ms server latency`,
    corpus: "100MB",
    server: { latencyMs: LATENCY_MS },
    baseline: "claude-code-sync sync (first)",
    contenders: { "claude-code-sync sync (first)": firstSync },
  },
  {
    id: "re-sync",
    title: `Re-sync with nothing new (100 MB history), ${LATENCY_MS} ms server latency`,
    corpus: "100MB",
    server: { latencyMs: LATENCY_MS },
    baseline: "claude-code-sync sync (nothing new)",
    contenders: { "claude-code-sync sync (nothing new)": reSync },
  },
  {
    id: "hook-stop",
    title: `Stop hook after one more turn of a ~1.5 MB session, ${LATENCY_MS} ms server latency`,
    corpus: "100MB",
    server: { latencyMs: LATENCY_MS },
    baseline: "claude-code-sync@0.1.15 hook Stop",
    contenders: { "claude-code-sync@0.1.15 hook Stop": oldHookStop, "claude-code-sync hook Stop": oursHookStop },
  },
];

// ---------------------------------------------------------------------------
// Contender building blocks

function ours(e: ScenarioEnv): string {
  if (e.ours === null) throw new Skip(e.oursMissing);
  return e.ours;
}

/** A contender whose every run gets a fresh HOME; `build` may do unmeasured set-up in it. */
function withFreshHome(
  corpusDir: string | null,
  build: (home: string, env: Record<string, string>) => string[] | Invocation | Promise<Invocation>,
): Runner {
  let cleanup = () => {};
  return {
    prepare: async () => {
      const iso = isolatedEnv(corpusDir);
      cleanup = iso.cleanup;
      const built = await build(iso.home, iso.env);
      return Array.isArray(built) ? { argv: built, env: iso.env } : built;
    },
    cleanup: async () => cleanup(),
  };
}

/** Runs a set-up step (not measured); its failure aborts the scenario with the tool's own message. */
async function setupStep(inv: Invocation): Promise<void> {
  const proc = Bun.spawn(inv.argv, {
    env: inv.env,
    stdin: inv.stdin === undefined ? "ignore" : new TextEncoder().encode(inv.stdin),
    stdout: "ignore",
    stderr: "pipe",
  });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`set-up step \`${inv.argv.slice(0, 3).join(" ")}\` exited ${code}: ${stderr.trim().slice(-500)}`);
}

function server(e: ScenarioEnv): TestServer {
  if (e.server === null) throw new Skip("needs the test server");
  return e.server;
}

async function loginOurs(e: ScenarioEnv, env: Record<string, string>): Promise<void> {
  const s = server(e);
  await setupStep({ argv: [ours(e), "login", "--url", s.url, "--api-key", s.apiKey], env });
}

/** Every run starts from a fresh HOME; the server keeps what earlier runs sent, so later runs upsert. */
function firstSync(e: ScenarioEnv): Runner {
  return withFreshHome(e.corpusDir, async (_home, env) => {
    await loginOurs(e, env);
    return { argv: [ours(e), "sync", "--json"], env };
  });
}

function reSync(e: ScenarioEnv): Runner {
  return withFreshHome(e.corpusDir, async (_home, env) => {
    await loginOurs(e, env);
    await setupStep({ argv: [ours(e), "sync", "--json"], env });
    return { argv: [ours(e), "sync", "--json"], env };
  });
}

/** Lines held back from the transcript until just before the measured hook: "one more turn". */
const NEW_TURN_LINES = 30;

/**
 * Steady state of a Stop hook: the session was synced by an earlier hook run
 * (unmeasured), then a turn was appended; the measured run sends that turn.
 */
function hookStop(e: ScenarioEnv, argv: () => string[], configure: (env: Record<string, string>) => Promise<void>): Runner {
  const source = pickTranscript(e.corpusDir as string, 1_500_000);
  const lines = readFileSync(source.path, "utf8").split("\n").filter(Boolean);
  const cut = Math.max(1, lines.length - NEW_TURN_LINES);
  return withFreshHome(null, async (home, env) => {
    const configDir = join(home, ".claude");
    const transcript = join(configDir, "projects", source.project, source.file);
    mkdirSync(dirname(transcript), { recursive: true });
    writeFileSync(transcript, `${lines.slice(0, cut).join("\n")}\n`);
    env.CLAUDE_CONFIG_DIR = configDir;
    await configure(env);
    const stdin = JSON.stringify({
      session_id: source.file.replace(/\.jsonl$/, ""),
      transcript_path: transcript,
      cwd: home,
      permission_mode: "default",
      hook_event_name: "Stop",
      stop_hook_active: false,
    });
    await setupStep({ argv: argv(), env, stdin });
    appendFileSync(transcript, `${lines.slice(cut).join("\n")}\n`);
    return { argv: argv(), env, stdin };
  });
}

function oldHookStop(e: ScenarioEnv): Runner {
  const s = server(e);
  return hookStop(
    e,
    () => [e.peers.oldTool.bin, "hook", "Stop"],
    async (env) => {
      // The old tool reads these two variables before its config file (see bench/PEERS.md).
      env.CLAUDE_SYNC_CONVEX_URL = s.url;
      env.CLAUDE_SYNC_API_KEY = s.apiKey;
    },
  );
}

function oursHookStop(e: ScenarioEnv): Runner {
  return hookStop(
    e,
    () => [ours(e), "hook", "Stop"],
    (env) => loginOurs(e, env),
  );
}

/** The main session file whose size is closest to `bytes` (subagent files excluded). */
function pickTranscript(corpusDir: string, bytes: number): { path: string; project: string; file: string } {
  let best: { path: string; project: string; file: string; gap: number } | null = null;
  const projects = join(corpusDir, "projects");
  for (const project of readdirSync(projects)) {
    for (const file of readdirSync(join(projects, project))) {
      if (!file.endsWith(".jsonl") || file.startsWith("agent-")) continue;
      const path = join(projects, project, file);
      const gap = Math.abs(statSync(path).size - bytes);
      if (best === null || gap < best.gap) best = { path, project, file, gap };
    }
  }
  if (best === null) throw new Error(`no session file in ${projects}`);
  return best;
}

// ---------------------------------------------------------------------------
// Set-up: corpora, our build, the test server

/** Generates a corpus once per size, seed and generator version; later runs reuse it. */
async function ensureCorpus(cacheDir: string, size: string, seed: number): Promise<string> {
  const dir = join(cacheDir, "corpus", `${size}-seed${seed}-g${GENERATOR_VERSION}`);
  if (existsSync(join(dir, ".complete"))) return dir;
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  log(`generating ${size} corpus (seed ${seed}) in ${dir}`);
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "generate.ts"), "--out", partial, "--size", size, "--seed", String(seed)], {
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await proc.exited) !== 0) throw new Error(`generating the ${size} corpus failed`);
  writeFileSync(join(partial, ".complete"), "");
  renameSync(partial, dir);
  return dir;
}

/** Builds dist/claude-code-sync when missing; returns why it is unavailable, or null. */
async function ensureOurs(): Promise<string | null> {
  if (existsSync(OURS)) return null;
  log("dist/claude-code-sync missing: running npm run build");
  const proc = Bun.spawn(["npm", "run", "build"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code === 0 && existsSync(OURS)) return null;
  const tail = `${out}\n${err}`.trim().split("\n").slice(-3).join(" / ");
  return `skipped: dist/claude-code-sync is not built (npm run build exited ${code}: ${tail})`;
}

interface RunningServer {
  server: TestServer;
  /** Requests per route so far, e.g. { "POST /sync/message": 12 }. */
  counts: () => Record<string, number>;
  stop: () => Promise<void>;
}

/** Starts the local OpenSync look-alike in this process, with added latency per request. */
async function startServer(latencyMs: number): Promise<RunningServer> {
  if (!existsSync(join(ROOT, "testserver", "server.ts"))) throw new Skip("skipped: testserver/server.ts is not available");
  const { startTestServer } = await import("../testserver/server.ts");
  const handle = await startTestServer({ faults: { latencyMs } });
  return { server: { url: handle.url, apiKey: handle.apiKey }, counts: () => handle.counts(), stop: () => handle.stop() };
}

// ---------------------------------------------------------------------------

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

async function version(argv: string[]): Promise<string> {
  const iso = isolatedEnv(null);
  try {
    const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "ignore", env: iso.env });
    const [code, out] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
    return code === 0 ? out.trim().split("\n")[0] || "?" : "?";
  } catch {
    return "not found";
  } finally {
    iso.cleanup();
  }
}

function outcome(sample: Sample): string {
  if (sample.timedOut) return "timed out";
  return sample.exitCode === null ? "not run" : `exit ${sample.exitCode}`;
}

/** Tiny stand-ins for the corpora of a --quick smoke run. */
const QUICK_SIZES: Record<string, string> = { "100MB": "3MB", "1GiB": "6MB" };

async function runScenario(s: Scenario, base: Omit<ScenarioEnv, "corpusDir" | "server">, opts: Options): Promise<ScenarioReport> {
  const notes: string[] = [];
  const size = s.corpus && opts.quick ? (QUICK_SIZES[s.corpus] ?? s.corpus) : s.corpus;
  const title = size && size !== s.corpus ? `${s.title} [quick: ${size} corpus]` : s.title;
  const report: ScenarioReport = { id: s.id, title, baseline: s.baseline, results: [], notes };
  let running: RunningServer | null = null;
  try {
    const corpusDir = size ? await ensureCorpus(opts.cacheDir, size, opts.seed) : null;
    if (s.server) running = await startServer(s.server.latencyMs);
    const env: ScenarioEnv = { ...base, corpusDir, server: running?.server ?? null };
    const contenders: Contender[] = [];
    for (const [label, factory] of Object.entries(s.contenders)) {
      try {
        contenders.push({ ...(await factory(env)), label });
      } catch (e) {
        if (!(e instanceof Skip)) throw e;
        notes.push(`${label}: ${e.message}`);
      }
    }
    if (contenders.length === 0) return report;
    log(`${s.id}: ${contenders.map((c) => c.label).join(" | ")}`);
    report.results = await alternate(contenders, {
      runs: opts.runs,
      warmup: opts.warmup,
      timeoutMs: opts.timeoutMs,
      onSample: (label, run, sample) =>
        log(`  ${label} #${run + 1}: ${sample.wallMs.toFixed(0)} ms, ${(sample.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${outcome(sample)}`),
    });
    for (const r of report.results) {
      const failed = r.samples.find((x) => x.exitCode !== 0 || x.timedOut);
      if (failed) notes.push(`${r.label}: ${r.failures} run(s) failed (${outcome(failed)}): ${failed.stderrTail.trim().split("\n").slice(-2).join(" / ")}`);
    }
    if (running) {
      // Shows that the tools really talked to the server (the old tool exits 0 whatever happens).
      const counts = Object.entries(running.counts()).map(([route, n]) => `${route} ${n}`);
      notes.push(`Requests the test server answered during this scenario (all contenders, warm-up and set-up included): ${counts.join(", ") || "none"}.`);
    }
  } catch (e) {
    notes.push(e instanceof Skip ? `whole scenario ${e.message}` : `scenario failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await running?.stop();
  }
  return report;
}

interface Options {
  runs: number;
  warmup: number;
  quick: boolean;
  seed: number;
  only: string[] | null;
  out: string;
  cacheDir: string;
  timeoutMs: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      runs: { type: "string" },
      warmup: { type: "string" },
      quick: { type: "boolean", default: false },
      seed: { type: "string", default: "1" },
      only: { type: "string" },
      out: { type: "string" },
      timeout: { type: "string", default: "180" },
    },
  });
  const quick = values.quick ?? false;
  const cacheDir = benchCacheDir();
  const int = (name: string, text: string | undefined, fallback: number, min: number) => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${text}".`);
    return n;
  };
  const only = values.only ? values.only.split(",").map((x) => x.trim()) : null;
  for (const id of only ?? []) {
    if (!SCENARIOS.some((s) => s.id === id)) throw new Error(`Unknown scenario "${id}"; known: ${SCENARIOS.map((s) => s.id).join(", ")}.`);
  }
  return {
    runs: int("runs", values.runs, quick ? 1 : 5, 1),
    warmup: int("warmup", values.warmup, quick ? 0 : 1, 0),
    quick,
    seed: int("seed", values.seed, 1, 0),
    only,
    out: values.out ?? (quick ? join(cacheDir, "RESULTS.quick.md") : join(ROOT, "bench", "RESULTS.md")),
    cacheDir,
    timeoutMs: int("timeout", values.timeout, 180, 1) * 1000,
  };
}

async function main(): Promise<void> {
  const opts = readOptions();
  const started = performance.now();
  mkdirSync(opts.cacheDir, { recursive: true });
  log(`cache: ${opts.cacheDir}`);
  const peers = await ensurePeers(opts.cacheDir);
  const oursMissing = await ensureOurs();
  const base = { peers, ours: oursMissing === null ? OURS : null, oursMissing: oursMissing ?? "" };
  const scenarios: ScenarioReport[] = [];
  for (const s of SCENARIOS) {
    if (opts.only && !opts.only.includes(s.id)) continue;
    scenarios.push(await runScenario(s, base, opts));
  }
  const report: Report = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    versions: {
      bun: Bun.version,
      node: await version(["node", "--version"]),
      ccusage: peers.ccusage.version,
      "claude-code-sync@0.1.15": await version([peers.oldTool.bin, "--version"]),
      "claude-code-sync (ours)": base.ours ? await version([base.ours, "--version"]) : "not built",
    },
    runs: opts.runs,
    warmup: opts.warmup,
    scenarios,
  };
  const markdown = renderResults(report);
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, markdown);
  console.log(markdown);
  log(`wrote ${opts.out} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

if (import.meta.main) {
  main().catch((e) => {
    console.error(`[bench] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
