import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { statePath } from "../src/state/store.ts";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";

const CLI = join(import.meta.dir, "..", "src", "cli.ts");
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const OTHER = "22222222-2222-4222-8222-222222222222";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

test("login -> status -> sync -> status -> logout, as a user types it", async () => {
  const home = tempHome();
  const claude = tempClaudeDir();
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("Write the changelog"), assistant("msg_1", text("Here it is."))]));
  const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root };
  const all: string[] = [];
  const cli = async (...args: string[]) => {
    const r = await runCli(args, { env });
    all.push(r.stdout, r.stderr);
    return r;
  };

  const login = await cli("login", "--url", server.url, "--api-key", server.apiKey);
  expect(login.code).toBe(0);
  expect(login.stdout).toContain(`Logged in to ${server.url}`);
  expect(statSync(join(home, ".claude-code-sync", "config.json")).mode & 0o777).toBe(0o600);

  // Before the first sync its transcripts are work left: said, and exit 1.
  const before = await cli("status");
  expect(before.code).toBe(1);
  expect(before.stdout).toBe(
    [
      `OpenSync URL: ${server.url}`,
      "Sessions synced: 0",
      "Last sync: never",
      "Not read yet: 1 session changed since the last sync (run `claude-code-sync sync`)",
      "Connected: true (0 sessions on the server)",
      "",
    ].join("\n"),
  );

  const sync = await cli("sync");
  expect(sync.code).toBe(0);
  expect(sync.stdout).toBe("Synced 1 session update and 2 messages (read 1 changed session).\n");
  expect(server.session(SESSION)?.messages.length).toBe(2);

  const after = await cli("status", "--json");
  const status = JSON.parse(after.stdout);
  expect(status).toMatchObject({
    connected: true,
    opensyncUrl: server.url,
    convexUrl: server.url,
    serverSessions: 1,
    sessionsSynced: 1,
    pending: { sessions: 0, messages: 0 },
    unread: 0,
    failed: [],
  });
  expect(after.code).toBe(0);
  expect(Date.now() - Date.parse(status.lastSync)).toBeLessThan(60_000);
  expect((await cli("status")).stdout).toMatch(/Last sync: \d+ seconds? ago/);

  const logout = await cli("logout");
  expect(logout.code).toBe(0);
  const gone = await cli("status");
  expect(gone.code).toBe(2);
  expect(gone.stdout).toContain("Connected: false");
  expect(gone.stdout).toContain("Not logged in");
  expect((await cli("sync")).code).toBe(2);

  // The key never appears whole in anything the user saw.
  expect(all.join("\n")).not.toContain(server.apiKey);
}, 30_000);

test("status still checks the server when the state cannot be opened, and says why", async () => {
  const home = tempHome();
  const env = { HOME: home, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
  // A folder where the state database should be: it cannot be opened, whoever runs the test.
  mkdirSync(statePathIn(home, server.url), { recursive: true });
  const r = await runCli(["status"], { env });
  expect(r.stdout).toContain("Connected: true");
  expect(r.stdout).toContain("Cannot write the sync state");
  // Not "0" and "never": what the state holds is not known.
  expect(r.stdout).toContain("Sessions synced: unknown (the sync state cannot be read; see below)\nLast sync: unknown");
  const json = JSON.parse((await runCli(["status", "--json"], { env })).stdout);
  expect(json).toMatchObject({ connected: true, sessionsSynced: null, lastSync: null });
});

test("status on a state damaged past its first page: what to do, not a stack trace (found by an exploratory tester)", async () => {
  const home = tempHome();
  const claude = tempClaudeDir();
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint"), assistant("msg_1", text("Done."))]));
  const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
  expect((await runCli(["sync"], { env })).code).toBe(0);
  const path = statePathIn(home, server.url);
  const pristine = readFileSync(path);
  // The header and schema page stay, so it opens; then the pages from `from` on are garbage, so a query fails:
  // the first one (the URL it records), or one of those that count what it holds.
  for (const from of [1, 16]) {
    const fd = openSync(path, "r+");
    writeSync(fd, pristine);
    const page = 4096;
    writeSync(fd, Buffer.alloc(pristine.length - page * from, "garbage"), 0, pristine.length - page * from, page * from);
    closeSync(fd);
    const r = await runCli(["status"], { env });
    expect(r.stderr).not.toContain("SQLiteError");
    expect(r.stdout).toContain(`The sync state at ${path} is damaged. Move it aside`);
    expect(r.stdout).toContain("Connected: true");
    expect(r.code).toBe(2);
  }
});

test("status shows what it knows at once, then that the server did not answer within 4 s", async () => {
  const env = { HOME: tempHome(), CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
  server.setFaults({ failureRate: 1, failureKinds: ["hang"] });
  try {
    const proc = Bun.spawn([process.execPath, CLI, "status"], { env: { PATH: process.env.PATH ?? "", ...env }, stdout: "pipe", stderr: "pipe" });
    const reader = proc.stdout.getReader();
    let early = "";
    while (!early.includes("Last sync:")) {
      const { value, done } = await reader.read();
      if (done) break;
      early += new TextDecoder().decode(value);
    }
    // The local facts came while the server was still being asked.
    expect(early).toContain("Sessions synced: 0");
    expect(proc.exitCode).toBeNull();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(await proc.exited).toBe(1);
    expect(rest).toContain("Connected: false");
    expect(rest).toContain("no answer within 4 s");
    expect(rest).toContain("check your network");
  } finally {
    server.setFaults({});
  }
}, 30_000);

test("status: a refused key from the environment names the variable; the URL is never shown with a password", async () => {
  const env = { HOME: tempHome(), CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: `osk_${"z".repeat(32)}` };
  const r = await runCli(["status", "--json"], { env });
  expect(r.code).toBe(2);
  expect(JSON.parse(r.stdout)).toMatchObject({ connected: false, code: "auth-refused", error: expect.stringContaining("set $CLAUDE_CODE_SYNC_API_KEY") });
  expect(r.stdout).not.toContain("z".repeat(32));

  const withPassword = server.url.replace("http://", "http://bob:hunter2@");
  const text = await runCli(["status"], { env: { ...env, CLAUDE_CODE_SYNC_URL: withPassword } });
  expect(text.code).toBe(2);
  expect(text.stdout).toContain("OpenSync URL: http://…@127.0.0.1");
  expect(text.stdout + text.stderr).not.toContain("hunter2");
});

/** The state database's path for `url` under another HOME. */
function statePathIn(home: string, url: string): string {
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    return statePath(url);
  } finally {
    process.env.HOME = saved;
  }
}

test("thinking turned off after it was sent: sync --full leaves no thinking text on the server, and a new state finds every message as it would send it", async () => {
  server.reset();
  const claude = tempClaudeDir();
  const thinking = { type: "thinking", thinking: "PRIVATE-REASONING about the lock", signature: "sig" };
  claude.write(
    `p/${SESSION}.jsonl`,
    jsonl([user("Explain the lock"), assistant("msg_1", thinking, { stopReason: null }), assistant("msg_1", { type: "tool_use", id: "toolu_1", name: "Read", input: { file_path: "/x" } })]),
  );
  const home = tempHome();
  const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
  expect((await runCli(["set", "thinking", "on"], { env })).code).toBe(0);
  expect((await runCli(["sync"], { env })).code).toBe(0);
  expect(JSON.stringify(server.dump())).toContain("PRIVATE-REASONING");

  expect((await runCli(["set", "thinking", "off"], { env })).code).toBe(0);
  expect((await runCli(["sync", "--full"], { env })).code).toBe(0);
  // In the messages; OpenSync's search text keeps all it was sent (set says so).
  expect(JSON.stringify(server.dump().map((s) => s.messages))).not.toContain("PRIVATE-REASONING");

  const fresh = await runCli(["sync", "--json"], { env: { ...env, HOME: tempHome() } });
  expect(JSON.parse(fresh.stdout)).toMatchObject({ ok: true, messagesSent: 0 });
  expect(server.violations()).toEqual([]);
});

test("status while a sync runs: names it, and says a session changed since may be read by it, not only to run a sync (found by an exploratory tester)", async () => {
  server.reset();
  const home = tempHome();
  const claude = tempClaudeDir();
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("Write the changelog"), assistant("msg_1", text("Here it is."))]));
  const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
  server.setFaults({ rules: [{ kind: "hang", path: "/sync/session", times: 100 }] });
  const sync = Bun.spawn([process.execPath, CLI, "sync"], { env: { ...process.env, ...env }, stdout: "ignore", stderr: "ignore" });
  try {
    for (const end = Date.now() + 15_000; Date.now() < end && !server.requests().some((r) => r.path === "/sync/session"); ) await Bun.sleep(50);
    claude.write(`p/${OTHER}.jsonl`, jsonl([user("And the release notes", { sessionId: OTHER }), assistant("msg_2", text("Done."), { sessionId: OTHER })]));
    const status = await runCli(["status"], { env });
    expect(status.stdout).toContain(`a sync is running now (pid ${sync.pid})`);
    expect(status.stdout).toContain("Not read yet: 1 session changed since the last sync (the running sync may read them; if it does not, run `claude-code-sync sync` once it ends)");
  } finally {
    sync.kill("SIGKILL");
    await sync.exited;
    server.setFaults({});
  }
}, 60_000);
