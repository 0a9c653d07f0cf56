import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { statePath } from "../src/state/store.ts";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

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

  const before = await cli("status");
  expect(before.code).toBe(0);
  expect(before.stdout).toContain("Connected: true");
  expect(before.stdout).toContain(`Convex URL: ${server.url}`);
  expect(before.stdout).toContain("Sessions synced: 0");
  expect(before.stdout).toContain("Last sync: never");

  const sync = await cli("sync");
  expect(sync.code).toBe(0);
  expect(sync.stdout).toContain("2 message(s)");
  expect(server.session(SESSION)?.messages.length).toBe(2);

  const after = await cli("status", "--json");
  const status = JSON.parse(after.stdout);
  expect(status).toMatchObject({ connected: true, convexUrl: server.url, sessionsSynced: 1, pending: { sessions: 0, messages: 0 }, failed: [] });
  expect(Date.now() - Date.parse(status.lastSync)).toBeLessThan(60_000);
  expect((await cli("status")).stdout).toMatch(/Last sync: \d+ seconds? ago/);

  const logout = await cli("logout");
  expect(logout.code).toBe(0);
  const gone = await cli("status");
  expect(gone.stdout).toContain("Connected: false");
  expect((await cli("sync")).code).toBe(2);

  // The key never appears whole in anything the user saw.
  expect(all.join("\n")).not.toContain(server.apiKey);
});

test("status still checks the server when the state cannot be opened, and says why", async () => {
  const home = tempHome();
  const env = { HOME: home, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
  // A folder where the state database should be: it cannot be opened, whoever runs the test.
  mkdirSync(statePathIn(home, server.url), { recursive: true });
  const r = await runCli(["status"], { env });
  expect(r.stdout).toContain("Connected: true");
  expect(r.stdout).toContain("Cannot write the sync state");
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
