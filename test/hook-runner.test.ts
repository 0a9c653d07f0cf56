import { describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SyncRequest } from "../src/hooks/queue.ts";
import { SyncLock } from "../src/state/lock.ts";
import { StateStore } from "../src/state/store.ts";
import type { TestServer } from "../testserver/server.ts";
import { runCli } from "./helpers/cli.ts";
import { hookUser, runnerDone, stopRunner, within } from "./helpers/hooks.ts";
import { spawnWatch } from "./helpers/watch.ts";
import { withServer } from "./helpers/with-server.ts";
import { processAlive } from "../src/runtime/process.ts";
import { SESSION, assistant, jsonl, text, user } from "./helpers/transcript.ts";

const OTHER = "22222222-2222-4222-8222-222222222222";
const tokens = (input: number, output: number) => ({ usage: { input, output, cacheCreation: 0, cacheRead: 0 } });

/** The session's request in the queue, as the runner left it (undefined once served). */
function queued(app: (...parts: string[]) => string, session = SESSION): SyncRequest | undefined {
  try {
    return JSON.parse(readFileSync(app("queue", `${session}.json`), "utf8")) as SyncRequest;
  } catch {
    return undefined;
  }
}

const firstTurn = [user("Add a health endpoint"), assistant("msg_1", text("Done."), tokens(10, 20))];
const secondTurn = [user("Thanks"), assistant("msg_2", text("Welcome."), tokens(5, 6))];

/** A hooks user whose session's first turn a Stop hook has synced. */
async function afterFirstTurn(server: TestServer) {
  const u = hookUser(server);
  u.claude.write(`p/${SESSION}.jsonl`, jsonl(firstTurn));
  await u.hook("Stop");
  await within(20_000, () => server.session(SESSION)?.messages.length === 2);
  return u;
}

// Tests marked concurrent run at once, each with its own server: they mostly wait (backoffs, idle times, late
// looks), and what they assert holds however long a step takes, within bounds of tens of seconds.
describe("a request stays queued until served", () => {
  test.concurrent("server down at SessionEnd: retried on a persisted backoff, reset by a new hook, delivered once the server is back, and status says so", () =>
    withServer(async (server) => {
      const { home, claude, env, path, hook, app } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl(firstTurn));
      server.setFaults({ rules: [{ kind: 503, times: 1_000_000 }] });

      await hook("SessionEnd", { reason: "prompt_input_exit" });
      await within(20_000, () => (queued(app)?.attempts ?? 0) >= 1);
      const first = queued(app) as SyncRequest;
      expect(first.lastError).toContain("503");
      const status = await runCli(["status"], { env });
      expect(status.stdout).toMatch(/Background sync: 1 session pending since \d\d:\d\d, retrying at \d\d:\d\d: .*503/);

      // Retried without another hook, the delay doubling: the second try comes at the first's time or later, and waits twice as long.
      await within(30_000, () => (queued(app)?.attempts ?? 0) >= 2);
      const second = queued(app) as SyncRequest;
      expect((second.nextAt as number) - (first.nextAt as number)).toBeGreaterThanOrEqual(10_000);

      // New lines and a new hook: the backoff starts over, and the runner tries at once.
      appendFileSync(path, jsonl(secondTurn));
      await hook("Stop");
      await within(20_000, () => queued(app)?.attempts === 1);

      // The server is back: delivered with no further hook.
      server.setFaults({});
      await within(30_000, () => server.session(SESSION)?.messages.length === 4 && queued(app) === undefined);
      expect(server.session(SESSION)?.completionTokens).toBe(26);
      expect(server.violations()).toEqual([]);
      expect((await runCli(["status"], { env })).stdout).toContain("Background sync: ok");
      await runnerDone(home);
    }), 120_000);

  test.concurrent("another process holding the state: not a failure, the request waits and is served soon after", () =>
    withServer(async (server) => {
      const { home, path, hook, app } = await afterFirstTurn(server);
      const [db] = readdirSync(app("state")).filter((name) => name.endsWith(".db"));
      const store = StateStore.open(app("state", db as string));
      try {
        // A manual sync (this test process) holds the state, once the runner's pass over the first turn (and its look a
        // second later) has let it go: the messages show on the server a moment before the pass ends.
        const lock = new SyncLock(store);
        await within(10_000, () => lock.tryAcquire());
        appendFileSync(path, jsonl(secondTurn));
        await hook("Stop");
        await within(30_000, () => queued(app)?.lastError !== undefined);
        const waiting = queued(app) as SyncRequest;
        expect(waiting.lastError).toContain(`Another sync (pid ${process.pid}) is still running`);
        expect(waiting.attempts).toBe(0);
        lock.release();
        await within(30_000, () => server.session(SESSION)?.messages.length === 4 && queued(app) === undefined);
      } finally {
        store.close();
      }
      expect(server.violations()).toEqual([]);
      await runnerDone(home);
    }), 90_000);

  test.concurrent("a stale runner.pid naming a live unrelated process does not stop the next hook's request from being served", () =>
    withServer(async (server) => {
      const { home, claude, hook, app } = hookUser(server);
      const unrelated = Bun.spawn(["sleep", "60"]);
      try {
        // Left by a runner before a reboot: the pid now names another program, and nobody touched the file since.
        mkdirSync(app(), { recursive: true });
        writeFileSync(app("runner.pid"), String(unrelated.pid));
        const then = new Date(Date.now() - 10 * 60_000);
        utimesSync(app("runner.pid"), then, then);
        claude.write(`p/${SESSION}.jsonl`, jsonl(firstTurn));
        await hook("Stop");
        await within(20_000, () => server.session(SESSION)?.messages.length === 2);
        await runnerDone(home);
        expect(unrelated.killed).toBe(false);
      } finally {
        unrelated.kill();
      }
    }), 60_000);

  test.concurrent.each(["sync", "watch"])("a runner killed after it claimed a SessionEnd's request: a %s by hand starts one that takes the request over, and the session's open response goes as the SessionEnd's pass sends it", (command) =>
    withServer(async (server) => {
      const { home, claude, env, path, app } = hookUser(server);
      // A background agent's response still open: a sync leaves it to the end of the session, or to a minute of quiet.
      claude.write(`p/${SESSION}.jsonl`, jsonl(firstTurn));
      claude.write(`p/${SESSION}/subagents/agent-a1.jsonl`, jsonl([user("Review", { isSidechain: true, agentId: "a1" }), assistant("msg_a", text("Two bugs found."), { ...tokens(1, 2), isSidechain: true, agentId: "a1", stopReason: null })]));
      // What a runner killed with kill -9 mid-pass leaves: its claim, and runner.pid naming it.
      const DEAD = 2 ** 22 + 7;
      mkdirSync(app("queue"), { recursive: true });
      writeFileSync(app("queue", `${SESSION}.claimed-${DEAD}`), JSON.stringify({ sessionId: SESSION, event: "SessionEnd", at: Date.now(), transcriptPath: path }));
      writeFileSync(app("runner.pid"), String(DEAD));
      const has = (t: string) => server.session(SESSION)?.messages.some((m) => m.textContent === t) === true;
      if (command === "sync") expect((await runCli(["sync"], { env })).code).toBe(0);
      else {
        const watch = spawnWatch(env, ["--quiet"]);
        try {
          await within(20_000, () => has("Done."));
        } finally {
          watch.proc.kill();
          await watch.exited();
        }
      }
      expect(has("Done.")).toBe(true);
      await within(20_000, () => has("Two bugs found.") && readdirSync(app("queue")).length === 0);
      await runnerDone(home);
      expect(server.violations()).toEqual([]);
    }), 60_000);

  test.concurrent("work parked by a refused key is resumed by the login with the new key, without another hook: by a runner still waiting for more, or by one the login starts (found by an exploratory tester)", () =>
    withServer(async (server) => {
      // Logged in by `login`, not the environment (which would override it); the runner waits minutes for more, as for a user.
      const u = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "600000" });
      const env = { HOME: u.home, CLAUDE_CONFIG_DIR: u.claude.root, CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "600000" };
      const login = (key: string) => runCli(["login", "--url", server.url, "--api-key-stdin"], { env, stdin: `${key}\n` });
      const hook = (event: string) =>
        runCli(["hook", event], { env, stdin: JSON.stringify({ session_id: SESSION, transcript_path: u.path, hook_event_name: event }) });
      expect((await login(server.apiKey)).code).toBe(0);
      try {
        u.claude.write(`p/${SESSION}.jsonl`, jsonl(firstTurn));
        await hook("Stop");
        await within(20_000, () => server.session(SESSION)?.messages.length === 2 && queued(u.app) === undefined);

        // The key is regenerated in the dashboard: the next turn waits for the user.
        const parked = async (messages: number) => {
          const key = server.rotateKey();
          appendFileSync(u.path, jsonl([user(`Next ${messages}`), assistant(`msg_${messages}`, text("Ok."), tokens(1, 1))]));
          await hook("Stop");
          await within(20_000, () => queued(u.app)?.nextAt === null);
          expect(queued(u.app)?.lastError).toContain("refused the API key");
          return key;
        };
        // A runner still waiting for more takes it up once the new key is saved.
        const first = await login(await parked(3));
        expect(first.stdout).toContain("The background sync resumes 1 session that waited for a login.");
        await within(20_000, () => server.session(SESSION)?.messages.length === 4 && queued(u.app) === undefined);

        // No runner left: the login starts one.
        const key = await parked(5);
        stopRunner(u.app("runner.pid"));
        await within(20_000, () => !existsSync(u.app("runner.pid")) || !processAlive(Number(readFileSync(u.app("runner.pid"), "utf8"))));
        expect((await login(key)).code).toBe(0);
        await within(20_000, () => server.session(SESSION)?.messages.length === 6 && queued(u.app) === undefined);
        expect(server.violations()).toEqual([]);
      } finally {
        stopRunner(u.app("runner.pid"));
      }
    }), 120_000);
});

describe("CLAUDE_CODE_SYNC_RUNNER_IDLE_MS", () => {
  test.concurrent.each(["1e12", "ten minutes"])("%p (past a timer's range; no number): the runner still waits for more work, and the next hook finds it", (idle) =>
    withServer(async (server) => {
      const u = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: idle });
      try {
        u.claude.write(`p/${SESSION}.jsonl`, jsonl(firstTurn));
        await u.hook("UserPromptSubmit");
        await within(20_000, () => server.session(SESSION)?.messages.length === 2 && queued(u.app) === undefined);
        // Past the start of the runner's wait for more work: a wait of NaN ms, or of more than 2^31 - 1, ended at once.
        await Bun.sleep(500);
        appendFileSync(u.path, jsonl(secondTurn));
        await u.hook("Stop");
        await within(20_000, () => server.session(SESSION)?.messages.length === 4);
        expect(u.log().match(/background sync started/g)).toHaveLength(1);
      } finally {
        stopRunner(u.app("runner.pid"));
      }
    }), 60_000);
});

describe("late looks and the runner's wait for more work", () => {
  test.concurrent("the late looks after a Stop do not lengthen the runner's wait: it leaves 40 s after its last work, its later looks not taken", () =>
    withServer(async (server) => {
      const u = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "40000" });
      try {
        u.claude.write(`p/${SESSION}.jsonl`, jsonl(firstTurn));
        await u.hook("Stop");
        await within(20_000, () => server.session(SESSION)?.messages.length === 2);
        // The late look 30 s after the Stop is within the wait; the next (1 min) is not. A wait started again by that
        // look would last to 70 s after the Stop.
        await runnerDone(u.home, 60_000);
        expect(server.violations()).toEqual([]);
      } finally {
        stopRunner(u.app("runner.pid"));
      }
    }), 90_000);
});

describe("the hook never hangs", () => {
  /** `hook Stop` from source, its stdin a pipe the test writes to. */
  const spawnHook = (env: Record<string, string>) =>
    Bun.spawn([process.execPath, join(import.meta.dir, "..", "src", "cli.ts"), "hook", "Stop"], {
      env: { PATH: process.env.PATH ?? "", CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "0", ...env },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });

  /** A hook whose stdin the test keeps open; resolves when the hook exits, with stdin still open. */
  async function hookWithOpenStdin(env: Record<string, string>, write?: string) {
    const proc = spawnHook(env);
    if (write !== undefined) {
      proc.stdin.write(write);
      await proc.stdin.flush();
    }
    const outcome = await exitOf(proc);
    proc.stdin.end();
    return outcome;
  }

  /** How a hook ended, bounded so no hook outlives the test: one still running then fails it (killed: exit code not 0). */
  async function exitOf(proc: { exited: Promise<number>; kill(): void; stdout: ReadableStream; stderr: ReadableStream }) {
    const guard = setTimeout(() => proc.kill(), 20_000);
    const code = await proc.exited;
    clearTimeout(guard);
    return { code, stdout: await new Response(proc.stdout).text(), stderr: await new Response(proc.stderr).text() };
  }

  test.concurrent("a large event is read to its end: Claude Code's write of it never meets a closed pipe", () =>
    withServer(async (server) => {
      const { home, claude, env, transcript } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint")]));
      // Many pipe buffers after the fields the hook needs; a writer that met a closed pipe dies of SIGPIPE (141).
      const event = JSON.stringify({ session_id: SESSION, transcript_path: transcript(), hook_event_name: "Stop", last_assistant_message: "y\\\"".repeat(1_000_000) });
      const file = join(home, "event.json");
      writeFileSync(file, event);
      const cli = join(import.meta.dir, "..", "src", "cli.ts");
      const proc = Bun.spawn(["bash", "-c", 'set -o pipefail; cat "$1" | "$2" "$3" hook Stop', "-", file, process.execPath, cli], {
        env: { PATH: process.env.PATH ?? "", CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "0", ...env },
        stdout: "pipe",
        stderr: "pipe",
      });
      expect(await exitOf(proc)).toEqual({ code: 0, stdout: "", stderr: "" });
      await within(20_000, () => server.session(SESSION)?.messages.length === 1);
      await runnerDone(home);
    }), 60_000);

  test.concurrent("stdin left open with nothing on it: the hook gives up after the fallback and exits", () =>
    withServer(async (server) => {
      const { env, app, log } = hookUser(server);
      expect(await hookWithOpenStdin(env)).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(log()).toContain("stdin stayed open 2 s without a complete JSON object");
      expect(existsSync(app("queue"))).toBe(false);
    }), 30_000);

  // One at a time: these two assert the hook read its event before its 2 s fallback fired.
  test("stdin left open after a complete event: the hook leaves its request and exits without waiting for the fallback", () =>
    withServer(async (server) => {
      const { home, claude, env, transcript, log } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint")]));
      const event = JSON.stringify({ session_id: SESSION, transcript_path: transcript(), hook_event_name: "Stop" });
      expect(await hookWithOpenStdin(env, event)).toEqual({ code: 0, stdout: "", stderr: "" });
      await within(20_000, () => server.session(SESSION)?.messages.length === 1);
      await runnerDone(home);
      // Had it waited for the 2 s fallback, it would have said so.
      expect(log()).not.toContain("stdin stayed open");
    }), 60_000);

  test("a huge event still being written (a Stop's 20 MB last_assistant_message): the hook leaves its request from the event's first fields and exits without reading the rest", () =>
    withServer(async (server) => {
      const { home, claude, env, transcript, log } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint")]));
      // Claude Code writes session_id and transcript_path first; the message after them has not all arrived.
      const head = JSON.stringify({ session_id: SESSION, transcript_path: transcript(), cwd: "/w", hook_event_name: "Stop", last_assistant_message: "" }).slice(0, -2);
      expect(await hookWithOpenStdin(env, `${head}${"y".repeat(100_000)}`)).toEqual({ code: 0, stdout: "", stderr: "" });
      await within(20_000, () => server.session(SESSION)?.messages.length === 1);
      await runnerDone(home);
      expect(log()).not.toContain("stdin stayed open");
    }), 60_000);

  test.concurrent("an event written slowly past the 2 s wait (a loaded machine) is read to its end: its writer never meets a closed pipe", () =>
    withServer(async (server) => {
      const { home, claude, env, transcript } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint")]));
      const proc = spawnHook(env);
      let exitedAt: number | undefined;
      void proc.exited.then(() => (exitedAt = Date.now()));
      const head = JSON.stringify({ session_id: SESSION, transcript_path: transcript(), hook_event_name: "Stop", last_assistant_message: "" }).slice(0, -2);
      proc.stdin.write(head);
      await proc.stdin.flush();
      // The rest of the message comes a piece every 500 ms, 3.5 s in all: each within the wait, the whole past it.
      for (let i = 0; i < 7; i++) {
        await Bun.sleep(500);
        expect(exitedAt).toBeUndefined();
        proc.stdin.write("y".repeat(10_000));
        await proc.stdin.flush();
      }
      proc.stdin.write('"}');
      await proc.stdin.flush();
      proc.stdin.end();
      expect(await exitOf(proc)).toEqual({ code: 0, stdout: "", stderr: "" });
      await within(20_000, () => server.session(SESSION)?.messages.length === 1);
      await runnerDone(home);
    }), 60_000);

  test("stdin that is not JSON is logged as such, with its start: not as an event without a session id", () =>
    withServer(async (server) => {
      const { env, app, log } = hookUser(server);
      const r = await runCli(["hook", "Stop"], { env, stdin: "{not json" });
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(log()).toContain('hook Stop: stdin is not JSON (9 characters, starting "{not json"); nothing to do');
      expect(log()).not.toContain("session id");
      expect(existsSync(app("queue"))).toBe(false);
    }), 30_000);

  // The excerpt was redacted with the built-in rules alone: a secret of the user's own pattern (config.json) went into the log.
  test("stdin that is not JSON: its start in the log is redacted with the user's own patterns too", () =>
    withServer(async (server) => {
      const { env, app, log } = hookUser(server);
      mkdirSync(app(), { recursive: true });
      writeFileSync(app("config.json"), JSON.stringify({ options: { redactPatterns: ["acme-[0-9]{6}"] } }), { mode: 0o600 });
      const r = await runCli(["hook", "Stop"], { env, stdin: "order acme-482913 shipped" });
      expect(r.code).toBe(0);
      expect(log()).toContain("hook Stop: stdin is not JSON (25 characters, starting ");
      expect(log()).not.toContain("482913");
    }), 30_000);

  // util-linux's script(1) gives the hook a terminal for stdin, as when someone types the command.
  const script = Bun.which("script");
  test.skipIf(!script)("stdin a terminal: nothing to wait for, the hook returns at once (no fallback wait)", () =>
    withServer(async (server) => {
      const { env, app, log } = hookUser(server);
      const cli = join(import.meta.dir, "..", "src", "cli.ts");
      const proc = Bun.spawn([script!, "-qec", `"${process.execPath}" "${cli}" hook Stop`, "/dev/null"], {
        env: { PATH: process.env.PATH ?? "", CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "0", ...env },
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
      });
      const guard = setTimeout(() => proc.kill(), 20_000);
      expect(await proc.exited).toBe(0);
      clearTimeout(guard);
      proc.stdin.end();
      expect(log()).toContain("hook Stop: stdin is not JSON (0 characters)");
      expect(log()).not.toContain("stdin stayed open");
      expect(existsSync(app("queue"))).toBe(false);
    }), 30_000);
});

/**
 * One at a time: what these assert depends on the runner's timing (a frozen runner waking before its heartbeat
 * runs; the other session served within the server's 10 s window).
 */
describe("a request stays queued until served, timed against the runner", () => {
  test.skipIf(process.platform === "win32")("a runner frozen (a laptop asleep) while the next hook's runner took its lock over takes none of the new runner's work when it wakes, and leaves", () =>
    withServer(async (server) => {
      const u = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "600000" });
      let frozen = 0;
      // The queue's requests and claims; not the late looks' chains a runner keeps beside them (late-look.ts).
      const requests = () => readdirSync(u.app("queue")).filter((n) => !n.startsWith(".late-"));
      try {
        u.claude.write(`p/${SESSION}.jsonl`, jsonl(firstTurn));
        await u.hook("UserPromptSubmit");
        // Frozen once it waits for more, its pass and the look a second later over: a claim of its own held when
        // frozen (the messages show on the server before the pass ends) would be put back when it wakes.
        await within(20_000, () => server.session(SESSION)?.messages.length === 2 && requests().length === 0);
        frozen = Number(readFileSync(u.app("runner.pid"), "utf8"));
        process.kill(frozen, "SIGSTOP");
        // What the lock and the queue hold after a takeover: runner.pid names the new runner (this process, alive), which
        // has claimed one request, while a hook's next one waits for it. The frozen runner's heartbeat has not run since.
        writeFileSync(u.app("runner.pid"), String(process.pid));
        const request = (session: string) => JSON.stringify({ sessionId: session, event: "Stop", at: Date.now(), transcriptPath: u.transcript(session) });
        const claimed = u.app("queue", `${SESSION}.claimed-${process.pid}`);
        writeFileSync(claimed, request(SESSION));
        writeFileSync(u.app("queue", `${OTHER}.json`), request(OTHER));
        process.kill(frozen, "SIGCONT");
        // It took the new runner's claim as a dead runner's, its heartbeat not yet run; now it checks the lock first, and leaves.
        await within(20_000, () => !processAlive(frozen) || !existsSync(claimed));
        expect(requests().sort()).toEqual([`${OTHER}.json`, `${SESSION}.claimed-${process.pid}`].sort());
        expect(readFileSync(u.app("runner.pid"), "utf8")).toBe(String(process.pid));
      } finally {
        if (frozen) for (const signal of ["SIGCONT", "SIGTERM"] as const) try { process.kill(frozen, signal); } catch {}
      }
    }), 60_000);

  test("a session update held back by the server's window goes on its own timer, while another session is served meanwhile", () =>
    withServer(async (server) => {
      const { home, claude, path, hook, app } = await afterFirstTurn(server);
      const before = server.session(SESSION)?.durationMs;

      // A line that changes only the duration: within 10 s of the last write the server would drop the update.
      appendFileSync(path, jsonl([user("Thanks")]));
      await hook("Stop");
      await within(20_000, () => server.session(SESSION)?.messages.length === 3 && queued(app)?.nextAt !== undefined);
      const held = queued(app) as SyncRequest;
      expect(held.lastError).toBeUndefined();

      claude.write(`p/${OTHER}.jsonl`, jsonl([user("Fix the login page", { sessionId: OTHER }), assistant("msg_9", text("Fixed."), { ...tokens(3, 4), sessionId: OTHER })]));
      await hook("Stop", {}, OTHER);
      await within(20_000, () => server.session(OTHER)?.messages.length === 2);
      // The other session did not wait behind the held update.
      expect(server.session(SESSION)?.durationMs).toBe(before);
      expect(queued(app)?.nextAt).toBe(held.nextAt);

      // No further hook: the update goes when its window ends.
      await within(30_000, () => server.session(SESSION)?.durationMs !== before && queued(app) === undefined);
      expect(server.violations()).toEqual([]);
      await runnerDone(home);
    }), 90_000);
});
