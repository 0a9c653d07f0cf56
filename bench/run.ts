/**
 * `npm run bench`: one command that measures claude-code-sync against its peers.
 *
 *   bun bench/run.ts [--runs 5] [--warmup 1] [--quick] [--only id,id] [--long] [--seed 1] [--timeout 180] [--out bench/RESULTS.md]
 *
 * Rebuilds dist/claude-code-sync when it is older than the sources, generates
 * (and caches) synthetic corpora, installs the peers into the bench cache
 * (BENCH_CACHE, default ~/.cache/claude-code-sync-bench), runs the scenarios
 * below and writes bench/RESULTS.md. `--quick` is a smoke run on tiny corpora,
 * one run each, written to the cache folder instead. `--long` adds the
 * scenarios too slow for every run (`long`), which `--only` can also name.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "../src/runtime/zod.ts";
import { SESSION_WINDOW_MS } from "../src/send/windows.ts";
import { followBackground, runnerReadBytes, stopRunner, stopRunnerAndWait } from "./background.ts";
import { ensureBuilt } from "./build-ours.ts";
import { GENERATOR_VERSION } from "./generate.ts";
import { alternate, buildTimer, type Contender, GNU_TIME, type Invocation, isolatedEnv, type Metrics, outcome, type Sample } from "./measure.ts";
import { benchCacheDir, ensurePeers, type Peers } from "./peers.ts";
import { machineInfo, type MetricColumn, type Report, renderResults, type ScenarioReport } from "./results.ts";
import { type BenchServer, type BenchServerOptions, startBenchServer } from "./server.ts";
import { renderTargets, targetRows } from "./targets.ts";

const ROOT = resolve(import.meta.dir, "..");
/** Real transcripts beside the checkout (never copied into it); scenarios that read them skip without. */
const SHARED_CORPUS = resolve(ROOT, "..", "shared", "corpus");
const OURS = join(ROOT, "dist", "claude-code-sync");
const LATENCY_MS = 20;
/** Bound on waiting for our hook's background runner after a run. */
const RUNNER_TIMEOUT_MS = 120_000;
/** Bound on one unmeasured set-up step (the 1 GiB first sync takes minutes). */
const SETUP_TIMEOUT_MS = 900_000;
/** Lines held back from the transcript until just before the measured hook: "one more turn". */
const NEW_TURN_LINES = 30;

// ---------------------------------------------------------------------------
// Scenario table. Each contender is a factory; throwing Skip leaves it out with a note.

/** Thrown by a contender factory that cannot run here (tool not built, server missing...). */
class Skip extends Error {}

interface ScenarioEnv {
  corpusDir: string | null;
  peers: Peers;
  /** Path of our built executable, or null (then `oursMissing` says why). */
  ours: string | null;
  oursMissing: string;
  /** The local OpenSync test server, for scenarios that declare `server`. */
  server: BenchServer | null;
  /** Adds a line under the scenario's table. */
  note: (text: string) => void;
}

/** A contender without its label: the scenario table's key is the label. */
type Runner = Omit<Contender, "label">;
type Factory = (env: ScenarioEnv) => Promise<Runner> | Runner;

interface Scenario {
  id: string;
  title: string;
  /** Corpus size (see generate.ts parseSize), "shared" for ../shared/corpus, or null when the scenario reads none. */
  corpus: string | null;
  /** Start the test server with this added latency per request and this server time per write. */
  server?: BenchServerOptions;
  baseline: string;
  contenders: Record<string, Factory>;
  /** For slow scenarios: at most this many measured runs, this many warm-up rounds, this long per run. */
  maxRuns?: number;
  warmup?: number;
  timeoutS?: number;
  columns?: MetricColumn[];
  /** How this scenario is set up, shown under its table. */
  notes?: string[];
  /** Too slow for every run (minutes of set-up): run with --long, or when --only names it. */
  long?: true;
}

const REQUESTS: MetricColumn = { metric: "requests", header: "server requests", format: "count" };
const MESSAGES: MetricColumn = { metric: "messages", header: "messages sent", format: "count" };
const PER_MESSAGE: MetricColumn = { metric: "requestsPerMessage", header: "requests / message", format: "decimal" };
const BYTES_READ: MetricColumn = { metric: "bytesRead", header: "transcript bytes read", format: "count" };
const DELIVERED: MetricColumn = { metric: "deliveredMs", header: "new messages on server after", format: "ms" };
const BACKGROUND: MetricColumn = { metric: "backgroundMs", header: "background sync done after", format: "ms" };
const PROCESS_READ: MetricColumn = { metric: "processReadBytes", header: "bytes read by the process", format: "count" };
const RUNNER_READ: MetricColumn = { metric: "runnerReadBytes", header: "bytes read by the hook's runner", format: "count" };
const FIRST_WRITE: MetricColumn = { metric: "firstWriteMs", header: "first write on server after", format: "ms" };
const STATE_SHARE: MetricColumn = { metric: "stateShare", header: "state size / history size", format: "decimal" };
const PEAK_STATE_SHARE: MetricColumn = { metric: "peakStateShare", header: "peak state size / history size", format: "decimal" };
const RATE: MetricColumn = { metric: "messagesPerS", header: "messages / s", format: "decimal" };
const STORED: MetricColumn = { metric: "stored", header: "messages on server", format: "count" };
const VIOLATIONS: MetricColumn = { metric: "violations", header: "contract violations", format: "count" };

/** The issues' yardstick: ccusage's compiled binary, a full scan (it keeps no state). */
export const CCUSAGE_NATIVE = "ccusage native binary, session --json --offline";
const CCUSAGE_CONTENDERS: Record<string, Factory> = {
  [CCUSAGE_NATIVE]: (e) => withFreshHome(e.corpusDir, () => [e.peers.ccusage.native, "session", "--json", "--offline"]),
};
export const DRY_RUN = "claude-code-sync sync --dry-run --json";
const SCAN_CONTENDERS: Record<string, Factory> = {
  ...CCUSAGE_CONTENDERS,
  // What `npx ccusage` users run: Node starting the same binary.
  "ccusage session --json --offline (Node launcher)": (e) => withFreshHome(e.corpusDir, () => [e.peers.ccusage.bin, "session", "--json", "--offline"]),
  [DRY_RUN]: (e) => withFreshHome(e.corpusDir, () => [ours(e), "sync", "--dry-run", "--json"]),
};
export const NO_OP = "claude-code-sync sync --json (nothing new)";
export const FIRST_SYNC = "claude-code-sync sync --json (first)";
export const HOOK_NO_OP = "claude-code-sync hook Stop (nothing new)";
export const NEW_STATE = "claude-code-sync sync --json (new state, the server holds the history)";
export const HOOK_WAITING = "claude-code-sync hook Stop (runner waiting, as within a session)";
/** Serial server time per write in the throughput scenarios (issue 13). */
const WRITE_SERVICE_MS = 5;

const NO_CHANGE_NOTE =
  "`claude-code-sync sync --json` keeps one HOME for all its runs, set up by one unmeasured first sync of the whole " +
  "history (sent without added latency); every measured run is checked to read no transcript byte and send nothing.";
const NO_STATE_NOTE = "ccusage keeps no state: each of its runs is a full scan.";
const NO_CHANGE_NOTES = [NO_CHANGE_NOTE, NO_STATE_NOTE];

function noChangeScenario(size: "10MB" | "256MiB", title: string): Scenario {
  return {
    id: `rescan-${size}`,
    title: `No-change re-scan after a sync, ${title}, local server without added latency`,
    corpus: size,
    server: { latencyMs: 0 },
    baseline: CCUSAGE_NATIVE,
    contenders: { ...CCUSAGE_CONTENDERS, [NO_OP]: noChangeSync, [HOOK_NO_OP]: noChangeHook },
    columns: [REQUESTS, BYTES_READ, PROCESS_READ, RUNNER_READ],
    notes: [...NO_CHANGE_NOTES, PROCESS_READ_NOTE, HOOK_NO_OP_NOTE],
  };
}

const PROCESS_READ_NOTE =
  '"bytes read by the process" is everything the command\'s process read (rchar: the state database, the price cache, transcripts), from /proc when it exited.';
const HOOK_NO_OP_NOTE = `\`${HOOK_NO_OP}\` keeps its own HOME, set up by one unmeasured first sync of the whole history, and runs a Stop hook of a session of about 1.5 MB with nothing new: the hook queues the request and starts the background runner, which makes the pass. "bytes read by the hook's runner" is everything that runner read (rchar, from /proc) by the time it waits with an empty queue, its looks of the seconds after the Stop included; the runner is then stopped. Each run is checked to add no message to the server.`;

/** Issue 15's "a hook pass with nothing new reads a few MB at most at 1 GiB", where the issue sets it: only the hook (its set-up sync alone takes minutes). */
const HOOK_AT_1GIB: Scenario = {
  id: "rescan-1GiB",
  title: "No-change Stop hook after a sync, 1 GiB history, local server without added latency",
  corpus: "1GiB",
  server: { latencyMs: 0 },
  baseline: CCUSAGE_NATIVE,
  contenders: { ...CCUSAGE_CONTENDERS, [HOOK_NO_OP]: noChangeHook },
  columns: [REQUESTS, RUNNER_READ],
  timeoutS: 900,
  notes: [HOOK_NO_OP_NOTE, NO_STATE_NOTE],
  long: true,
};

function throughputScenario(latencyMs: number): Scenario {
  return {
    id: `throughput-${latencyMs}ms`,
    title: `First sync of ../shared/corpus, ${latencyMs} ms round trip, ${WRITE_SERVICE_MS} ms of serial server time per write`,
    corpus: "shared",
    server: { latencyMs, writeServiceMs: WRITE_SERVICE_MS },
    baseline: FIRST_SYNC,
    contenders: { [FIRST_SYNC]: firstSync },
    maxRuns: 1,
    warmup: 0,
    timeoutS: 900,
    columns: [REQUESTS, MESSAGES, RATE, STORED, VIOLATIONS],
    notes: [
      "Today's hosted OpenSync runs one user's writes one after another (testserver writeServiceMs): how fast a first sync " +
        "goes over a real network. Starts from an empty server and a fresh HOME; messages / s is messages sent over the " +
        "whole run's wall time; the server's copy is checked against what the sync said it sent.",
    ],
  };
}

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
  { id: "scan-256MiB", title: "Full scan of a 256 MiB history", corpus: "256MiB", baseline: CCUSAGE_NATIVE, contenders: SCAN_CONTENDERS },
  {
    id: "first-sync-256MiB",
    title: "First sync of a 256 MiB history, local server without added latency",
    corpus: "256MiB",
    server: { latencyMs: 0 },
    baseline: CCUSAGE_NATIVE,
    contenders: { ...CCUSAGE_CONTENDERS, [FIRST_SYNC]: firstSync },
    maxRuns: 2,
    warmup: 0,
    timeoutS: 900,
    columns: [FIRST_WRITE, REQUESTS, MESSAGES, PER_MESSAGE, STATE_SHARE],
    notes: [
      "Each run of ours starts from an empty server and a fresh HOME. \"first write on server after\" runs from the start " +
        "of the command to the server's receipt of its first write: how soon the dashboard starts filling. The state's size " +
        "is that of its folder after the run.",
    ],
  },
  {
    id: "new-state-256MiB",
    title: "A new state facing a server that holds the 256 MiB history (a new machine, a lost state, an upgrade from 0.1.x), local server without added latency",
    corpus: "256MiB",
    server: { latencyMs: 0 },
    baseline: CCUSAGE_NATIVE,
    contenders: { ...CCUSAGE_CONTENDERS, [NEW_STATE]: newStateSync },
    maxRuns: 3,
    warmup: 0,
    timeoutS: 900,
    columns: [REQUESTS, MESSAGES, STORED, PEAK_STATE_SHARE],
    notes: [
      `\`${NEW_STATE}\` keeps one HOME, set up by one unmeasured first sync of the whole history; before each measured run ` +
        "its state folder is deleted (the configuration stays). The run reads the whole history, reads the server's copy of " +
        "each session and records what it holds as sent: each run is checked to send no message and to leave the server's " +
        "count of messages as it was. The state folder's size is sampled every 100 ms while it runs: its peak.",
    ],
  },
  noChangeScenario("10MB", "10 MB history"),
  noChangeScenario("256MiB", "256 MiB history"),
  HOOK_AT_1GIB,
  throughputScenario(20),
  throughputScenario(100),
  {
    id: "hook-stop",
    title: `Stop hook after one more turn of a ~1.5 MB session, ${LATENCY_MS} ms server latency`,
    corpus: "100MB",
    server: { latencyMs: LATENCY_MS },
    baseline: "node -e 0",
    contenders: {
      "node -e 0": (e) => withFreshHome(null, () => ["node", "-e", "0"]),
      "claude-code-sync@0.1.15 hook Stop": oldHookStop,
      [HOOK_WAITING]: (e) => oursHookStop(e, RUNNER_WAITING),
      "claude-code-sync hook Stop (hook starts the runner)": (e) => oursHookStop(e, RUNNER_EXITS),
    },
    columns: [REQUESTS, MESSAGES, PER_MESSAGE, DELIVERED, BACKGROUND],
    notes: [
      "Each run: empty server and fresh HOME; an unmeasured hook run syncs the session without its last " +
        `${NEW_TURN_LINES} lines (and its background sync is waited for), the lines are appended, then the measured ` +
        "hook runs with a real Stop payload on stdin.",
      "Our hook returns at once and leaves the sync to a detached runner, which then waits for more requests " +
        "(10 min by default, src/hooks/runner.ts). After each run the bench waits (unmeasured, at most " +
        `${RUNNER_TIMEOUT_MS / 1000} s) until the runner is gone or waiting with an empty queue, polling the test server ` +
        'in-process every 10 ms, then stops the runner. "new messages on server after" is the time from the hook\'s start ' +
        'until the server held all the messages it holds at the end, "background sync done after" until the runner was ' +
        "done. claude-code-sync@0.1.15 sends inline, so its values are about its wall time.",
      '"runner waiting": the set-up hook\'s runner is still waiting when the measured hook runs, as it is for the hooks ' +
        "of a session in use (a turn's Stop after its UserPromptSubmit); the hook only queues the request. " +
        '"hook starts the runner": runners exit as soon as their queue is empty (CLAUDE_CODE_SYNC_RUNNER_IDLE_MS=0), so ' +
        "the measured hook starts one, as the first hook after 10 quiet minutes does; its wall time includes that start " +
        "and the runner's competition for the CPU while the hook exits.",
      "A hook's wall time is what Claude Code waits for: from the fork of the hook until it has exited and closed its " +
        "stdout and stderr.",
      `Before the measured run of our hook the bench waits out the ${SESSION_WINDOW_MS / 1000} s in which our tool holds ` +
        "back a session's changed totals after sending them (src/sync/send.ts), as a real turn would; otherwise the " +
        "runner would wait for that window itself.",
      "Server requests and messages count the measured run and its background sync; messages are those the server " +
        "gained. claude-code-sync@0.1.15 sends only assistant text blocks as messages, one request each, then the session.",
    ],
  },
];

// ---------------------------------------------------------------------------
// Contender building blocks

function ours(e: ScenarioEnv): string {
  if (e.ours === null) throw new Skip(e.oursMissing);
  return e.ours;
}

function server(e: ScenarioEnv): BenchServer {
  if (e.server === null) throw new Skip("needs the test server");
  return e.server;
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

/** A contender that keeps one HOME for all its runs; `setUp` runs once, before the first. */
function withSharedHome(corpusDir: string | null, setUp: (env: Record<string, string>) => Promise<void>, build: (env: Record<string, string>) => Invocation): Runner {
  let iso: ReturnType<typeof isolatedEnv> | null = null;
  let ready: Promise<void> | null = null;
  return {
    prepare: async () => {
      iso ??= isolatedEnv(corpusDir);
      const env = iso.env;
      ready ??= setUp(env);
      await ready;
      return build(env);
    },
    dispose: async () => iso?.cleanup(),
  };
}

/** Runs a set-up step (not measured) and returns how long it took; its failure carries the tool's own message. */
async function setupStep(inv: Invocation): Promise<number> {
  const started = performance.now();
  const proc = Bun.spawn(inv.argv, {
    env: inv.env,
    stdin: inv.stdin === undefined ? "ignore" : new TextEncoder().encode(inv.stdin),
    stdout: "ignore",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), SETUP_TIMEOUT_MS);
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`set-up step \`${inv.argv.slice(0, 3).join(" ")}\` exited ${code}: ${stderr.trim().slice(-500)}`);
  return performance.now() - started;
}

async function loginOurs(e: ScenarioEnv, env: Record<string, string>): Promise<void> {
  const s = server(e);
  await setupStep({ argv: [ours(e), "login", "--url", s.url, "--api-key", s.apiKey], env });
}

/** The part of `sync --json`'s report the bench reads (src/report/sync-summary.ts). */
const SyncReportSchema = z.looseObject({ ok: z.boolean(), bytesRead: z.number(), sessionsSent: z.number(), messagesSent: z.number() });

function syncReport(sample: Sample): z.infer<typeof SyncReportSchema> {
  const last = sample.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return SyncReportSchema.parse(JSON.parse(last));
  } catch {
    throw new Error(`\`sync --json\` printed no report: ${JSON.stringify(sample.stdout.slice(-300))}`);
  }
}

/** Each run starts from an empty server and a fresh HOME. */
function firstSync(e: ScenarioEnv): Runner {
  const [srv, bin] = [server(e), ours(e)];
  let before = 0;
  let home = "";
  return {
    ...withFreshHome(e.corpusDir, async (runHome, env) => {
      home = runHome;
      srv.reset();
      await loginOurs(e, env);
      before = srv.requests();
      return { argv: [bin, "sync", "--json"], env, captureStdout: true };
    }),
    inspect: async (sample): Promise<Metrics> => {
      const report = syncReport(sample);
      if (report.messagesSent === 0) throw new Error("the first sync sent no message");
      const requests = srv.requests() - before;
      const stored = srv.stored();
      const firstWriteAt = srv.firstWriteAt();
      return {
        requests,
        messages: report.messagesSent,
        requestsPerMessage: requests / report.messagesSent,
        messagesPerS: report.messagesSent / (sample.wallMs / 1000),
        stored: stored.messages,
        violations: srv.violations(),
        ...(firstWriteAt !== undefined ? { firstWriteMs: firstWriteAt - (performance.timeOrigin + sample.startedAt) } : {}),
        ...(e.corpusDir !== null ? { stateShare: folderBytes(join(home, ".claude-code-sync", "state")) / folderBytes(e.corpusDir) } : {}),
      };
    },
  };
}

/** The no-change contenders' set-up: a login, then one first sync of the whole history (without the scenario's latency). */
async function syncedOnce(e: ScenarioEnv, env: Record<string, string>, label: string): Promise<void> {
  await loginOurs(e, env);
  const took = await server(e).unthrottled(() => setupStep({ argv: [ours(e), "sync", "--json"], env }));
  log(`  set-up sync took ${(took / 1000).toFixed(1)} s`);
  e.note(`${label}: the unmeasured set-up sync of the whole history took ${(took / 1000).toFixed(1)} s.`);
}

/** Our `sync --json` with nothing new since the unmeasured first sync (sent without the scenario's latency). */
function noChangeSync(e: ScenarioEnv): Runner {
  const [srv, bin] = [server(e), ours(e)];
  let before = 0;
  return {
    ...withSharedHome(
      e.corpusDir,
      (env) => syncedOnce(e, env, NO_OP),
      (env) => {
        before = srv.requests();
        return { argv: [bin, "sync", "--json"], env, captureStdout: true };
      },
    ),
    inspect: async (sample): Promise<Metrics> => {
      const r = syncReport(sample);
      if (r.bytesRead > 0 || r.sessionsSent > 0 || r.messagesSent > 0) {
        throw new Error(`not a no-change run: read ${r.bytesRead} bytes, sent ${r.sessionsSent} session(s) and ${r.messagesSent} message(s)`);
      }
      return { requests: srv.requests() - before, bytesRead: r.bytesRead, ...(sample.readBytes !== undefined ? { processReadBytes: sample.readBytes } : {}) };
    },
  };
}

/** Our `sync --json` with its state deleted after the unmeasured first sync: all it reads, the server holds. */
function newStateSync(e: ScenarioEnv): Runner {
  const [srv, bin] = [server(e), ours(e)];
  let before = 0;
  let stored = 0;
  let state: ReturnType<typeof folderPeak> | undefined;
  return {
    ...withSharedHome(
      e.corpusDir,
      (env) => syncedOnce(e, env, NEW_STATE),
      (env) => {
        const stateDir = join(env.HOME as string, ".claude-code-sync", "state");
        rmSync(stateDir, { recursive: true, force: true });
        before = srv.requests();
        stored = srv.stored().messages;
        state = folderPeak(stateDir);
        return { argv: [bin, "sync", "--json"], env, captureStdout: true };
      },
    ),
    inspect: async (sample): Promise<Metrics> => {
      const r = syncReport(sample);
      const now = srv.stored().messages;
      const peak = state?.stop() ?? Number.NaN;
      if (r.messagesSent > 0 || now !== stored) throw new Error(`sent again what the server held: ${r.messagesSent} message(s), the server's count ${stored} -> ${now}`);
      return { requests: srv.requests() - before, messages: r.messagesSent, stored: now, peakStateShare: peak / folderBytes(e.corpusDir as string) };
    },
  };
}

/**
 * A Stop hook of a session with nothing new since the unmeasured first sync: what its runner reads (issue 15:
 * a hook pass with nothing new reads a few MB at most, whatever the history's size). Each run's hook starts a
 * runner, which serves the request and its looks of the next seconds, then waits; its rchar is read then, and
 * it is stopped before the next run.
 */
function noChangeHook(e: ScenarioEnv): Runner {
  const [srv, bin] = [server(e), ours(e)];
  const source = pickTranscript(e.corpusDir as string, 1_500_000);
  const sessionId = source.file.replace(/\.jsonl$/, "");
  let pidFile = "";
  let requestsBefore = 0;
  let storedBefore = 0;
  return {
    ...withSharedHome(
      e.corpusDir,
      (env) => syncedOnce(e, env, HOOK_NO_OP),
      (env) => {
        Object.assign(env, RUNNER_WAITING);
        pidFile = join(env.HOME as string, ".claude-code-sync", "runner.pid");
        requestsBefore = srv.requests();
        storedBefore = srv.messagesOf(sessionId);
        return { argv: [bin, "hook", "Stop"], env, stdin: stopPayload(sessionId, source.path, env.HOME as string) };
      },
    ),
    inspect: async (): Promise<Metrics> => {
      const t = await followBackground({ pidFile, stored: () => srv.messagesOf(sessionId), timeoutMs: RUNNER_TIMEOUT_MS });
      const read = runnerReadBytes(pidFile);
      await stopRunnerAndWait(pidFile);
      if (!t.ran) throw new Error("the hook left no runner to follow");
      if (t.stored !== storedBefore) throw new Error(`not a no-change run: the server got ${t.stored - storedBefore} message(s)`);
      return { requests: srv.requests() - requestsBefore, ...(read !== undefined ? { runnerReadBytes: read } : {}) };
    },
  };
}

/** What Claude Code writes to a Stop hook's stdin. */
function stopPayload(sessionId: string, transcriptPath: string, cwd: string): string {
  return JSON.stringify({ session_id: sessionId, transcript_path: transcriptPath, cwd, permission_mode: "default", hook_event_name: "Stop", stop_hook_active: false });
}

interface HookTool {
  argv: () => string[];
  configure: (env: Record<string, string>) => Promise<void>;
  /** Unmeasured pause between the set-up hook's sync and the new turn. */
  turnMs: number;
}

/** Runner-idle settings of our two hook contenders (src/hooks/runner.ts waits 10 min by default). */
const RUNNER_WAITING = { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: String(5 * 60_000) };
const RUNNER_EXITS = { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "0" };

/**
 * Steady state of a Stop hook: the session was synced by an earlier hook run
 * (unmeasured, its background work waited for), then a turn was appended; the
 * measured run sends that turn.
 */
function hookStop(e: ScenarioEnv, tool: HookTool): Runner {
  const srv = server(e);
  const source = pickTranscript(e.corpusDir as string, 1_500_000);
  const sessionId = source.file.replace(/\.jsonl$/, "");
  const lines = readFileSync(source.path, "utf8").split("\n").filter(Boolean);
  const cut = Math.max(1, lines.length - NEW_TURN_LINES);
  let pidFile = "";
  let requestsBefore = 0;
  let storedBefore = 0;
  const follow = () => followBackground({ pidFile, stored: () => srv.messagesOf(sessionId), timeoutMs: RUNNER_TIMEOUT_MS });
  return {
    ...withFreshHome(null, async (home, env) => {
      srv.reset();
      const configDir = join(home, ".claude");
      const transcript = join(configDir, "projects", source.project, source.file);
      mkdirSync(dirname(transcript), { recursive: true });
      writeFileSync(transcript, `${lines.slice(0, cut).join("\n")}\n`);
      env.CLAUDE_CONFIG_DIR = configDir;
      pidFile = join(home, ".claude-code-sync", "runner.pid");
      await tool.configure(env);
      const stdin = stopPayload(sessionId, transcript, home);
      await setupStep({ argv: tool.argv(), env, stdin });
      await follow();
      await Bun.sleep(tool.turnMs);
      appendFileSync(transcript, `${lines.slice(cut).join("\n")}\n`);
      requestsBefore = srv.requests();
      storedBefore = srv.messagesOf(sessionId);
      return { argv: tool.argv(), env, stdin };
    }),
    inspect: async (sample): Promise<Metrics> => {
      const t = await follow();
      stopRunner(pidFile);
      const messages = t.stored - storedBefore;
      if (messages <= 0) throw new Error("the server got no new message of the new turn");
      const requests = srv.requests() - requestsBefore;
      return {
        requests,
        messages,
        requestsPerMessage: requests / messages,
        deliveredMs: t.deliveredAt - sample.startedAt,
        ...(t.ran ? { backgroundMs: t.doneAt - sample.startedAt } : {}),
      };
    },
  };
}

function oldHookStop(e: ScenarioEnv): Runner {
  const s = server(e);
  return hookStop(e, {
    argv: () => [e.peers.oldTool.bin, "hook", "Stop"],
    configure: async (env) => {
      // The old tool reads these two variables before its config file (see bench/PEERS.md).
      env.CLAUDE_SYNC_CONVEX_URL = s.url;
      env.CLAUDE_SYNC_API_KEY = s.apiKey;
    },
    turnMs: 0,
  });
}

function oursHookStop(e: ScenarioEnv, idle: Record<string, string>): Runner {
  const bin = ours(e);
  const configure = async (env: Record<string, string>) => {
    Object.assign(env, idle);
    await loginOurs(e, env);
  };
  return hookStop(e, { argv: () => [bin, "hook", "Stop"], configure, turnMs: SESSION_WINDOW_MS });
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
// Set-up: corpora, the test server

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

async function startServer(options: BenchServerOptions): Promise<BenchServer> {
  if (!existsSync(join(ROOT, "testserver", "server.ts"))) throw new Skip("skipped: testserver/server.ts is not available");
  return startBenchServer(options);
}

/** A folder's largest size while a run goes on, sampled every 100 ms (a file gone between listing and stat skips that sample). */
function folderPeak(dir: string): { stop(): number } {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, folderBytes(dir));
    } catch {
      // Not made yet, or a file (the WAL) removed while listed: the next sample counts.
    }
  };
  const timer = setInterval(sample, 100);
  return { stop: () => (clearInterval(timer), sample(), peak) };
}

/** Bytes of the files under `dir` (the state's folder, a corpus). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const stat = statSync(join(dir, name));
    if (stat.isFile()) total += stat.size;
  }
  return total;
}

// ---------------------------------------------------------------------------

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

/** First line of a command's stdout, or "?" / "not found". */
async function firstLine(argv: string[], cwd?: string): Promise<string> {
  const iso = isolatedEnv(null);
  try {
    const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "ignore", env: iso.env, ...(cwd ? { cwd } : {}) });
    const [code, out] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
    return code === 0 ? out.trim().split("\n")[0] || "?" : "?";
  } catch {
    return "not found";
  } finally {
    iso.cleanup();
  }
}

/** The commit measured, and whether the tree differed from it (read-only git commands). */
async function commit(): Promise<string> {
  const head = await firstLine(["git", "rev-parse", "--short", "HEAD"], ROOT);
  const proc = Bun.spawn(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, stdout: "pipe", stderr: "ignore" });
  const changes = (await new Response(proc.stdout).text()).trim();
  await proc.exited;
  return changes ? `${head} + uncommitted changes` : head;
}

/** Tiny stand-ins for the corpora of a --quick smoke run. */
const QUICK_SIZES: Record<string, string> = { "100MB": "3MB", "256MiB": "4MB", "1GiB": "4MB", "10MB": "2MB" };

function sharedCorpus(): string {
  if (!existsSync(join(SHARED_CORPUS, "projects"))) throw new Skip(`skipped: no ${SHARED_CORPUS} beside this checkout`);
  return SHARED_CORPUS;
}

/** One sample's log line; with the timing process, the bench's own clock around the same run as a check. */
function describeSample(sample: Sample): string {
  const checks: string[] = [];
  if (sample.harnessWallMs !== undefined) checks.push(`bench clock ${sample.harnessWallMs.toFixed(1)} ms`);
  if (sample.exitedMs !== undefined && sample.wallMs - sample.exitedMs > 1) checks.push(`process ended after ${sample.exitedMs.toFixed(1)} ms`);
  return [
    `${sample.wallMs.toFixed(1)} ms${checks.length ? ` (${checks.join(", ")})` : ""}`,
    `${(sample.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    outcome(sample),
    ...Object.entries(sample.metrics).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(2)}`),
  ].join(", ");
}

async function runScenario(s: Scenario, base: Omit<ScenarioEnv, "corpusDir" | "server" | "note">, opts: Options, timer: string | null): Promise<ScenarioReport> {
  const notes: string[] = [...(s.notes ?? [])];
  const size = s.corpus && opts.quick ? (QUICK_SIZES[s.corpus] ?? s.corpus) : s.corpus;
  const title = size && size !== s.corpus ? `${s.title} [quick: ${size} corpus]` : s.title;
  const runs = Math.min(opts.runs, s.maxRuns ?? opts.runs);
  const warmup = Math.min(opts.warmup, s.warmup ?? opts.warmup);
  const report: ScenarioReport = { id: s.id, title, baseline: s.baseline, runs, warmup, columns: s.columns ?? [], results: [], notes };
  const started = performance.now();
  let running: BenchServer | null = null;
  try {
    const corpusDir = size === "shared" ? sharedCorpus() : size ? await ensureCorpus(opts.cacheDir, size, opts.seed) : null;
    if (s.server) running = await startServer(s.server);
    const env: ScenarioEnv = { ...base, corpusDir, server: running, note: (text) => notes.push(text) };
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
      runs,
      warmup,
      timeoutMs: Math.max(opts.timeoutMs, (s.timeoutS ?? 0) * 1000),
      timer,
      onSample: (label, run, sample) => log(`  ${label} #${run + 1}: ${describeSample(sample)}`),
    });
    for (const r of report.results) {
      const failed = r.samples.find((x) => x.exitCode !== 0 || x.timedOut || x.error !== undefined);
      if (!failed) continue;
      const tail = failed.stderrTail.trim().split("\n").slice(-2).join(" / ");
      notes.push(`${r.label}: ${r.failures} run(s) failed (${outcome(failed)})${tail ? `: ${tail}` : ""}`);
    }
  } catch (e) {
    notes.push(e instanceof Skip ? `whole scenario ${e.message}` : `scenario failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await running?.stop();
    log(`${s.id}: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  return report;
}

interface Options {
  runs: number;
  warmup: number;
  quick: boolean;
  seed: number;
  only: string[] | null;
  long: boolean;
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
      long: { type: "boolean", default: false },
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
    long: values.long ?? false,
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
  // The commit the executable is built from, read now: a commit made while the bench runs is not what it measures.
  const measured = await commit();
  const oursMissing = await ensureBuilt(ROOT, OURS, log);
  const base = { peers, ours: oursMissing === null ? OURS : null, oursMissing: oursMissing ?? "" };
  const built = await buildTimer(opts.cacheDir);
  const timer = "path" in built ? built.path : null;
  if (!("path" in built)) log(`runs are timed by the bench's own clock: ${built.missing}`);
  const scenarios: ScenarioReport[] = [];
  for (const s of SCENARIOS) {
    if (opts.only ? !opts.only.includes(s.id) : s.long && !opts.long) continue;
    scenarios.push(await runScenario(s, base, opts, timer));
  }
  const report: Report = {
    date: new Date().toISOString(),
    elapsedMs: performance.now() - started,
    machine: machineInfo(),
    versions: {
      bun: Bun.version,
      node: await firstLine(["node", "--version"]),
      ccusage: peers.ccusage.version,
      "claude-code-sync@0.1.15": await firstLine([peers.oldTool.bin, "--version"]),
      "claude-code-sync (ours)": base.ours ? `${await firstLine([base.ours, "--version"])} at ${measured}` : "not built",
    },
    runs: opts.runs,
    warmup: opts.warmup,
    timer: timer !== null,
    gnuTime: GNU_TIME !== null,
    scenarios,
    targets: renderTargets(
      targetRows(scenarios, { ccusage: CCUSAGE_NATIVE, dryRun: DRY_RUN, firstSync: FIRST_SYNC, noOp: NO_OP, hookNoOp: HOOK_NO_OP, hook: HOOK_WAITING, node: "node -e 0", newState: NEW_STATE }),
    ),
  };
  const markdown = renderResults(report);
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, markdown);
  console.log(markdown);
  log(`wrote ${opts.out} in ${(report.elapsedMs / 1000).toFixed(0)} s`);
}

if (import.meta.main) {
  main().catch((e) => {
    console.error(`[bench] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
