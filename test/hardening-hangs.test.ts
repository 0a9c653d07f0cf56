/**
 * Issue 12's "hangs and crashes" that need more than one process, end to end:
 * the state database held by another process's write transaction, a sync
 * paused (SIGSTOP) past the lock's staleness while a second one takes over,
 * and answers that are not OpenSync's (a web page, an empty body, a 403) for
 * `sync` and `watch`.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { runCli, tempHome, baseEnv } from "./helpers/cli.ts";
import { CLI, comparable, countMismatches, faultCounts, looksLikeCrash, stateDbPath, syncEnv, useGeneratedHistory } from "./helpers/hardening.ts";
import { killWatches, spawnWatch } from "./helpers/watch.ts";
import { until } from "./testserver-helpers.ts";
import { assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const fx = useGeneratedHistory();
afterAll(killWatches);

const A = "aaaaaaaa-1111-4111-8111-111111111111";
const B = "bbbbbbbb-2222-4222-8222-222222222222";
const sessionOf = (id: string, words: string) => jsonl([user(`${words}?`, { sessionId: id }), assistant(`msg_${id.slice(0, 4)}`, text(`${words}.`), { sessionId: id })]);

/** Whether process `pid` has `path` open (Linux: its /proc fd links). */
function hasOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

describe.skipIf(!existsSync("/proc/self/fd"))("the state held by another process's write transaction (issue 12, item 2)", () => {
  /**
   * Holds BEGIN IMMEDIATE on the state database from this process, starts a
   * command, waits until the command has the database open and a little
   * more (a writer is then waiting for the lock), then lets go. A reader
   * never waits: it may be done before it is seen with the file open.
   */
  async function underHeldLock<T extends { proc: { pid: number; exitCode: number | null } }>(home: string, start: () => T): Promise<T> {
    const db = new Database(stateDbPath(home));
    db.run("BEGIN IMMEDIATE");
    try {
      const started = start();
      expect(await until(() => hasOpen(started.proc.pid, stateDbPath(home)) || started.proc.exitCode !== null, 20_000)).toBe(true);
      await Bun.sleep(700);
      return started;
    } finally {
      db.run("COMMIT");
      db.close();
    }
  }

  /** A command of the CLI in a child process, and its result once it exits. */
  function spawnCli(args: string[], env: Record<string, string>) {
    const proc = Bun.spawn([process.execPath, CLI, ...args], { env: { ...baseEnv(), ...env }, stdout: "pipe", stderr: "pipe" });
    const result = Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]).then(([stdout, stderr, code]) => ({ code, stdout, stderr }));
    return { proc, result };
  }

  /** A state made by one sync of session A, and session B written since: the next sync has B to send. */
  async function syncedThenMore() {
    fx.server.reset();
    const claude = tempClaudeDir();
    claude.write(`p/${A}.jsonl`, sessionOf(A, "first"));
    const home = tempHome();
    const env = syncEnv(fx.server, claude.root, home);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    claude.write(`p/${B}.jsonl`, sessionOf(B, "later"));
    return { home, env };
  }

  test("sync and status wait for it and succeed", async () => {
    const { home, env } = await syncedThenMore();
    const r = await (await underHeldLock(home, () => spawnCli(["sync", "--json"], env))).result;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, messagesSent: 2 });
    expect(fx.server.session(B)?.messages.length).toBe(2);

    // status only reads (WAL readers never wait for a writer): it must not fail either.
    const s = await (await underHeldLock(home, () => spawnCli(["status", "--json"], env))).result;
    expect(looksLikeCrash(s.stderr)).toBe(false);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ connected: true, sessionsSynced: 2, pending: { sessions: 0, messages: 0 } });
    expect(fx.server.violations()).toEqual([]);
  }, 60_000);

  test("watch waits for it, catches up, and reports no failure", async () => {
    const { home, env } = await syncedThenMore();
    const watch = await underHeldLock(home, () => spawnWatch(env));
    expect(await until(() => (fx.server.session(B)?.messages.length ?? 0) === 2, 30_000)).toBe(true);
    watch.proc.kill("SIGTERM");
    const { code, stderr } = await watch.exited();
    expect(code).toBe(0);
    expect(stderr).toBe("");
  }, 60_000);
});

/**
 * A proxy in front of the test server that delays every request (a slow
 * server, so a sync is caught in the middle) and, on request, stops passing
 * them on: those arriving then wait unanswered until `thaw`, which answers
 * them with a 429 (they never reached the server; the answer after which a
 * sender surely tries again) and passes later ones on without delay. It counts the requests that arrived, and records the body
 * of every write it passed on.
 */
function gateProxy(upstream: string, delayMs: number) {
  let mode: "pass" | "hold" = "pass";
  let arrived = 0;
  let forwarding = 0;
  const held: Array<() => void> = [];
  const passed: Array<{ path: string; body: string }> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      arrived++;
      const url = new URL(request.url);
      const body = request.method === "GET" ? "" : await request.text();
      await Bun.sleep(delayMs);
      if (mode === "hold") {
        await new Promise<void>((resolve) => held.push(resolve));
        return Response.json({ error: "Too many requests" }, { status: 429, headers: { "Retry-After": "1" } });
      }
      forwarding++;
      try {
        const headers = new Headers(request.headers);
        headers.delete("host");
        const answer = await fetch(`${upstream}${url.pathname}${url.search}`, { method: request.method, headers, ...(body ? { body } : {}) });
        if (request.method === "POST") passed.push({ path: url.pathname, body });
        return new Response(await answer.arrayBuffer(), { status: answer.status, headers: { "Content-Type": answer.headers.get("content-type") ?? "text/plain" } });
      } finally {
        forwarding--;
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    passed: () => [...passed],
    arrived: () => arrived,
    /** Holds what arrives from now on, once nothing is on its way to the server (what it answered was applied). */
    async hold() {
      expect(await until(() => forwarding === 0, 10_000)).toBe(true);
      mode = "hold";
    },
    /** Requests that arrive from now on are passed on (without delay); the held ones get a 429. */
    thaw() {
      mode = "pass";
      delayMs = 0;
      for (const release of held.splice(0)) release();
    },
    stop: () => server.stop(true),
  };
}

test.skipIf(process.platform === "win32")(
  "a sync paused past the lock's staleness while another takes over: it sends nothing more when it wakes and says why (issue 12, item 4)",
  async () => {
    fx.server.reset();
    const proxy = gateProxy(fx.server.url, 150);
    try {
      const home = tempHome();
      // Both syncs reach the server through the proxy: the same URL, so the same state and lock.
      const env = { ...baseEnv(), ...syncEnv({ url: proxy.url, apiKey: fx.server.apiKey }, fx.claudeDir, home), CLAUDE_CODE_SYNC_LOCK_STALE_MS: "1500" };
      const paused = spawn(process.execPath, [CLI, "sync", "--json"], { env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      paused.stdout.on("data", (d) => (out += d));
      paused.stderr.on("data", (d) => (out += d));
      const exited = new Promise<number>((resolve) => paused.on("exit", (code) => resolve(code ?? -1)));
      const pid = paused.pid as number;

      // In the middle of its messages: what reached the server so far is acknowledged and recorded, the rest is held at the proxy.
      expect(await until(() => proxy.passed().filter((p) => p.path === "/sync/message").length >= 15, 30_000)).toBe(true);
      await proxy.hold();
      await Bun.sleep(500);
      process.kill(pid, "SIGSTOP");
      let before: number;
      try {
        await Bun.sleep(2_500); // past the staleness: its heartbeat stopped with it
        proxy.thaw(); // what it had on its way is refused for a second (it sees that when it wakes); the second sync's requests go through
        const other = await runCli(["sync", "--json"], { env, timeoutMs: 60_000 });
        expect(other.stderr).toBe("");
        expect(other.code).toBe(0);
        expect(comparable(fx.server.dump())).toEqual(fx.reference);
      } finally {
        before = proxy.arrived();
        process.kill(pid, "SIGCONT");
      }
      const code = await exited;

      expect(code).toBe(1);
      expect(out).toContain("Another sync took over while this one was paused");
      expect(looksLikeCrash(out)).toBe(false);
      // Once awake it sent nothing: every message was written once, by one of the two.
      expect(proxy.arrived()).toBe(before);
      const perId = new Map<string, number>();
      for (const p of proxy.passed().filter((q) => q.path === "/sync/message")) {
        const id = JSON.parse(p.body).externalId as string;
        perId.set(id, (perId.get(id) ?? 0) + 1);
      }
      expect([...perId].filter(([, n]) => n > 1)).toEqual([]);
      const dump = fx.server.dump();
      expect(perId.size).toBe(dump.reduce((n, s) => n + s.messages.length, 0));
      expect(comparable(dump)).toEqual(fx.reference);
      expect(countMismatches(dump)).toEqual([]);
      expect(fx.server.violations()).toEqual([]);
    } finally {
      await proxy.stop();
    }
  },
  90_000,
);

describe("answers that are not OpenSync's (issue 12, item 11)", () => {
  test.each([
    ["a 200 with the web app's page", "html"],
    ["a 200 with an empty body", "empty"],
    ["a 403", 403],
  ] as const)("one %s is a hiccup: the same sync retries and completes", async (_name, kind) => {
    fx.server.reset();
    fx.server.setFaults({ rules: [{ path: "/sync/message", kind, skip: 5, times: 1 }] });
    const r = await runCli(["sync", "--json"], { env: syncEnv(fx.server, fx.claudeDir), timeoutMs: 60_000 });
    expect(faultCounts(fx.server)).toEqual({ [String(kind)]: 1 });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, failed: [] });
    expect(comparable(fx.server.dump())).toEqual(fx.reference);
    expect(fx.server.violations()).toEqual([]);
  }, 60_000);

  test("when they repeat, the sync stops and says what answered: exit 2 (a wrong URL) when nothing else answered, exit 1 (something in front blocks) when the server answered the rest; nothing is marked failed, the next sync completes", async () => {
    fx.server.reset();
    fx.server.setFaults({ rules: [{ kind: "html", times: 1000 }] });
    const env = syncEnv(fx.server, fx.claudeDir);
    const stopped = await runCli(["sync", "--json"], { env, timeoutMs: 60_000 });
    expect(stopped.code).toBe(2);
    const report = JSON.parse(stopped.stdout);
    expect(report).toMatchObject({ ok: false, code: "not-opensync", failed: [] });
    expect(report.error).toContain("answered HTTP 200 with a web page (\"OpenSync\") instead of OpenSync's reply: that is a web app's or a proxy's page, not the sync API");
    // Sessions and the server's list answered, only message writes got the page: the URL is right.
    fx.server.setFaults({ rules: [{ path: "/sync/message", kind: "html", times: 1000 }] });
    const blocked = await runCli(["sync", "--json"], { env, timeoutMs: 60_000 });
    expect(blocked.code).toBe(1);
    const again = JSON.parse(blocked.stdout);
    expect(again).toMatchObject({ ok: false, code: "item-blocked", failed: [] });
    expect(again.error).toContain("answered HTTP 200 with a web page");
    expect(again.error).not.toContain("login");
    fx.server.setFaults({});
    const next = await runCli(["sync", "--json"], { env, timeoutMs: 60_000 });
    expect(next.code).toBe(0);
    expect(comparable(fx.server.dump())).toEqual(fx.reference);
    expect(fx.server.violations()).toEqual([]);
  }, 60_000);

  test("watch keeps running when they repeat, and sends everything once the server answers again", async () => {
    fx.server.reset();
    fx.server.setFaults({ rules: [{ kind: "html", times: 1000 }] });
    const claude = tempClaudeDir();
    claude.write(`p/${A}.jsonl`, sessionOf(A, "through a portal"));
    const watch = spawnWatch(syncEnv(fx.server, claude.root));
    expect(await until(() => watch.stderr().includes("sync failed"), 30_000)).toBe(true);
    expect(watch.stderr()).toContain("a web page");
    expect(watch.proc.exitCode).toBeNull();
    fx.server.setFaults({});
    expect(await until(() => (fx.server.session(A)?.messages.length ?? 0) === 2, 30_000)).toBe(true);
    expect(watch.proc.exitCode).toBeNull();
    watch.proc.kill("SIGTERM");
    expect((await watch.exited()).code).toBe(0);
    expect(fx.server.violations()).toEqual([]);
  }, 60_000);
});
