import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { StateStore } from "../src/state/store.ts";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome, baseEnv } from "./helpers/cli.ts";
import { assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

/** Ctrl-C during `sync`: it stops sending, says what is pending, exits 130, and the next sync sends the rest. */

const CLI = join(import.meta.dir, "..", "src", "cli.ts");
const SESSIONS = 12;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** SESSIONS sessions of 3 messages each: far more requests than fit in the time before the interrupt. */
function transcripts() {
  const claude = tempClaudeDir();
  const ids = Array.from({ length: SESSIONS }, (_, i) => `${String(i).padStart(8, "0")}-aaaa-4aaa-8aaa-aaaaaaaaaaaa`);
  for (const [i, id] of ids.entries()) {
    claude.write(`p/${id}.jsonl`, jsonl([user(`task ${i}`, { sessionId: id }), assistant(`msg_${i}`, text("ok"), { sessionId: id }), user("thanks", { sessionId: id })]));
  }
  return { claude, ids };
}

const messagesOnServer = (ids: string[]) => ids.reduce((n, id) => n + (server.session(id)?.messages.length ?? 0), 0);
const writes = () => server.requests().filter((r) => r.method === "POST").length;

async function until(check: () => boolean, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(20)) if (check()) return true;
  return check();
}

function envFor(claudeDir: string) {
  return { HOME: tempHome(), CLAUDE_CONFIG_DIR: claudeDir, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
}

/** `sync --json` (or `sync`) sent SIGINT once `ready` (the server has seen a write), killed after `killAfterMs`; the faults are cleared after. */
const interruptedSync = (env: Record<string, string>, killAfterMs: number, ready = () => writes() > 0, args = ["--json"]) => interrupted(["sync", ...args], env, killAfterMs, ready);

/** The command sent SIGINT once `ready`, killed after `killAfterMs`; the faults are cleared after. */
async function interrupted(args: string[], env: Record<string, string>, killAfterMs: number, ready: () => boolean) {
  const proc = Bun.spawn([process.execPath, CLI, ...args], { env: { ...baseEnv(), ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const guard = setTimeout(() => proc.kill("SIGKILL"), killAfterMs);
  expect(await until(ready)).toBe(true);
  proc.kill("SIGINT");
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(guard);
  server.setFaults({});
  return { stdout, stderr, code };
}

describe("Ctrl-C during sync", () => {
  test("without a terminal: exit 130, JSON saying what is pending, and nothing lost on the next sync", async () => {
    server.reset();
    server.setFaults({ latencyMs: 400 });
    const { claude, ids } = transcripts();
    const env = envFor(claude.root);
    const { stdout, stderr, code } = await interruptedSync(env, 60_000);

    expect(code).toBe(130);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ ok: false, code: "interrupted" });
    expect(report.pending.messages).toBeGreaterThan(0);
    expect(report.pending.messages + report.messagesSent).toBe(SESSIONS * 3);
    expect(stderr).toContain("Stopping");
    expect(messagesOnServer(ids)).toBe(report.messagesSent);

    // Sessions were sent, but no run went to the end: status says so rather than "never".
    const status = await runCli(["status"], { env });
    expect(status.stdout).toContain("Last sync: none completed (the runs that sent these sessions stopped before the end)");
    expect(status.stdout).toContain(`Pending: `);

    const next = await runCli(["sync", "--json"], { env });
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ ok: true, messagesSent: report.pending.messages });
    expect(messagesOnServer(ids)).toBe(SESSIONS * 3);
    expect(server.violations()).toEqual([]);
  }, 240_000);

  test("a server that never answers: Ctrl-C gives up the requests on their way instead of waiting out their timeout", async () => {
    server.reset();
    server.setFaults({ rules: [{ method: "POST", kind: "hang", times: 1000 }] });
    const { claude, ids } = transcripts();
    const env = { ...envFor(claude.root), CLAUDE_CODE_SYNC_TIMEOUT_MS: "120000" };
    // Killed far sooner than the request timeout: only a run that gives its requests up exits 130.
    const { stdout, stderr, code } = await interruptedSync(env, 40_000);

    expect(code).toBe(130);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ ok: false, code: "interrupted", messagesSent: 0 });
    expect(report.error).toContain("the rest stays pending for the next sync");
    expect(stderr).toContain("3 s at most");

    const next = await runCli(["sync", "--json"], { env });
    expect(next.code).toBe(0);
    expect(messagesOnServer(ids)).toBe(SESSIONS * 3);
  }, 240_000);

  test("Ctrl-C while --full reads what the server holds: interrupted (130), not 'no answer within 120 s' from the network (exit 1)", async () => {
    server.reset();
    const { claude, ids } = transcripts();
    const env = { ...envFor(claude.root), CLAUDE_CODE_SYNC_TIMEOUT_MS: "120000" };
    expect((await runCli(["sync"], { env })).code).toBe(0);
    server.setFaults({ rules: [{ method: "GET", path: "/api/sessions", kind: "hang", times: 1000 }] });
    const listReads = () => server.requests().filter((r) => r.path === "/api/sessions").length;
    const before = listReads();
    // The second of this run's: the first ("does the server answer?") is not awaited; the second is --full's.
    const reads = () => listReads() >= before + 2;
    const { stdout, stderr, code } = await interruptedSync(env, 40_000, reads, ["--full", "--json"]);

    expect(code).toBe(130);
    expect(JSON.parse(stdout)).toMatchObject({ code: "interrupted" });
    expect(stderr).not.toContain("no answer");
    expect((await runCli(["sync", "--full"], { env })).code).toBe(0);
    expect(messagesOnServer(ids)).toBe(SESSIONS * 3);
  }, 240_000);

  test("a server that never answers, without --json: the requests given up are not said to be retried, nor to have timed out", async () => {
    server.reset();
    server.setFaults({ rules: [{ method: "POST", kind: "hang", times: 1000 }] });
    const { claude } = transcripts();
    const { stderr, code } = await interruptedSync({ ...envFor(claude.root), CLAUDE_CODE_SYNC_TIMEOUT_MS: "120000" }, 40_000, () => writes() > 0, []);
    expect(code).toBe(130);
    expect(stderr).toContain("Interrupted");
    expect(stderr).not.toContain("retrying");
    // Into a pipe there is no ^C to end a line after (it began with an empty line).
    expect(stderr).toStartWith("Stopping once");
  }, 240_000);

  test("writes the server applied but never answered, given up by Ctrl-C: the next sync finds them on the server instead of sending them again", async () => {
    server.reset();
    server.setFaults({ rules: [{ method: "POST", path: "/sync/message", kind: "hang", afterApply: true, times: 1000 }] });
    const { claude, ids } = transcripts();
    const env = { ...envFor(claude.root), CLAUDE_CODE_SYNC_TIMEOUT_MS: "120000" };
    const { code } = await interruptedSync(env, 40_000, () => messagesOnServer(ids) > 0);
    expect(code).toBe(130);
    const applied = messagesOnServer(ids);
    expect(applied).toBeGreaterThan(0);

    const next = await runCli(["sync", "--json"], { env });
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout).messagesSent).toBe(SESSIONS * 3 - applied);
    expect(messagesOnServer(ids)).toBe(SESSIONS * 3);
    // Each message written once: none of those the server applied was sent again.
    expect(server.violations()).toEqual([]);
  }, 240_000);

  test.each([
    [503, false],
    [504, true],
  ])("a server that fails every message write with %d: the next sync checks the writes against it only if they may have been applied", async (status, check) => {
    server.reset();
    server.setFaults({ rules: [{ method: "POST", path: "/sync/message", kind: status as 503 | 504, times: 1000 }] });
    const { claude } = transcripts();
    const env = envFor(claude.root);
    const stopped = await runCli(["sync", "--json"], { env, timeoutMs: 60_000 });
    server.setFaults({});
    expect(stopped.code).toBe(1);
    const stateDir = join(env.HOME, ".claude-code-sync", "state");
    const store = StateStore.open(join(stateDir, readdirSync(stateDir).find((f) => f.endsWith(".db")) as string));
    try {
      expect(store.hasUnconfirmedWrites()).toBe(check);
    } finally {
      store.close();
    }
    expect((await runCli(["sync"], { env })).code).toBe(0);
    expect(server.violations()).toEqual([]);
  }, 240_000);

  test("stopped while still reading: the sessions not read yet are said, and counted as work left", async () => {
    server.reset();
    server.setFaults({ latencyMs: 200 });
    const claude = tempClaudeDir();
    const count = 120;
    const filler = "x".repeat(120_000);
    const ids = Array.from({ length: count }, (_, i) => `${String(i).padStart(8, "0")}-bbbb-4bbb-8bbb-bbbbbbbbbbbb`);
    for (const [i, id] of ids.entries()) {
      claude.write(`p${i % 7}/${id}.jsonl`, jsonl([user(`task ${i} ${filler}`, { sessionId: id }), assistant(`msg_r${i}`, text(`done ${filler}`), { sessionId: id })]));
    }
    const env = envFor(claude.root);
    const { stdout, code } = await interruptedSync(env, 60_000);

    expect(code).toBe(130);
    const report = JSON.parse(stdout);
    expect(report.sessionsUnread).toBeGreaterThan(0);
    expect(report.sessionsRead + report.sessionsUnread).toBe(count);
    // status says it too, from the files alone: the pending counts are only what was read.
    const status = await runCli(["status", "--json"], { env });
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout).unread).toBe(report.sessionsUnread);

    const next = await runCli(["sync", "--json"], { env, timeoutMs: 120_000 });
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ ok: true, sessionsRead: report.sessionsUnread, sessionsUnread: 0 });
    expect(messagesOnServer(ids)).toBe(count * 2);
    const done = await runCli(["status", "--json"], { env });
    expect(JSON.parse(done.stdout)).toMatchObject({ unread: 0, pending: { sessions: 0, messages: 0 } });
    expect(done.code).toBe(0);
  }, 120_000);

  // Bun gives a subprocess a pseudo-terminal only on POSIX systems.
  test.skipIf(process.platform === "win32")("at a terminal, with the progress bar shown: exit 130 and the pending note", async () => {
    server.reset();
    server.setFaults({ latencyMs: 400 });
    const { claude, ids } = transcripts();
    const env = envFor(claude.root);
    let screen = "";
    const proc = Bun.spawn([process.execPath, CLI, "sync"], {
      env: { ...baseEnv(), TERM: "xterm", ...env },
      terminal: { cols: 120, rows: 40, data: (_term, data) => (screen += new TextDecoder().decode(data)) },
    });
    const guard = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    expect(await until(() => screen.includes("Sending sessions") && writes() > 0)).toBe(true);
    proc.terminal!.write("\x03");
    const code = await proc.exited;
    clearTimeout(guard);
    proc.terminal!.close();
    server.setFaults({});

    expect(code).toBe(130);
    expect(screen).toContain("Interrupted");
    expect(screen).toMatch(/Pending: \d+ sessions?, \d+ messages?; the next `claude-code-sync sync` sends them\./);
    const next = await runCli(["sync"], { env });
    expect(next.code).toBe(0);
    expect(messagesOnServer(ids)).toBe(SESSIONS * 3);
    expect(server.violations()).toEqual([]);
  }, 240_000);
});

describe("Ctrl-C in a one-off command, mid-request (it died with no word)", () => {
  /** A server slower than the command waits: the command is mid-request when Ctrl-C comes. */
  const slow = () => {
    server.reset();
    server.setFaults({ latencyMs: 20_000 });
    return { ...envFor(tempClaudeDir().root), CLAUDE_CODE_SYNC_TIMEOUT_MS: "60000" };
  };
  const asked = () => server.requests().length > 0;

  test.each([[["status"]], [["verify"]]])("%p: a line on stderr, exit 130", async (args) => {
    const r = await interrupted(args, slow(), 60_000, asked);
    expect(r).toMatchObject({ code: 130, stderr: "Stopped.\n" });
  });

  test.each([[["status", "--json"]], [["verify", "--json"]]])("%p: the failure in JSON on stdout too", async (args) => {
    const r = await interrupted(args, slow(), 60_000, asked);
    expect(r.code).toBe(130);
    expect(JSON.parse(r.stdout.split("\n").filter(Boolean).at(-1)!)).toEqual({ error: "Stopped.", code: "interrupted" });
  });

  test("synctest, its session sent: says which test session may be left on the server and how to delete it", async () => {
    const r = await interrupted(["synctest"], slow(), 60_000, () => server.requests().some((q) => q.method === "POST"));
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^Stopped\. The test session claude-code-sync-test-\d+ \("claude-code-sync test session \(safe to delete\)"\) may be on the server: delete it in your OpenSync dashboard \(Sessions\)\.\n$/);
  });
});
