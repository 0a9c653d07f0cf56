import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { closedPort as closedPortOf } from "./helpers/closed-port.ts";

let server: TestServer;
let closedPort: number;
beforeAll(async () => {
  server = await startTestServer();
  closedPort = await closedPortOf();
});
afterAll(() => server.stop());

const env = (over: Record<string, string> = {}) => ({
  HOME: tempHome(),
  CLAUDE_CODE_SYNC_URL: server.url,
  CLAUDE_CODE_SYNC_API_KEY: server.apiKey,
  ...over,
});

describe("synctest", () => {
  test("creates a clearly named session with two messages and finds it in the list", async () => {
    server.reset();
    const before = Date.now();
    const r = await runCli(["synctest"], { env: env() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);

    const sessions = server.dump();
    expect(sessions.length).toBe(1);
    const s = sessions[0]!;
    expect(s.externalId).toMatch(/^claude-code-sync-test-\d+$/);
    expect(s).toMatchObject({ title: "claude-code-sync test session (safe to delete)", source: "claude-code" });
    expect(s.messages.map((m) => [m.role, m.externalId])).toEqual([
      ["user", `${s.externalId}:user`],
      ["assistant", `${s.externalId}:assistant`],
    ]);
    for (const m of s.messages) expect(m.createdAt).toBeLessThanOrEqual(Date.now());
    expect(s.createdAt).toBeGreaterThan(before - 60_000);
    expect(server.counts()["GET /sync/sessions/list"]).toBe(1);
    expect(server.violations()).toEqual([]);

    expect(r.stdout).toContain(s.externalId);
    expect(r.stdout).toContain(s.id);
    expect(r.stdout).toContain("OpenSync dashboard");
    expect(r.stdout).not.toContain(server.apiKey);
  });

  test("not logged in: exit 2, says to log in, sends nothing", async () => {
    server.reset();
    const r = await runCli(["synctest"], { env: { HOME: tempHome() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("claude-code-sync login");
    expect(server.requests()).toEqual([]);
  });

  test("a refused key: exit 2, the fix, the key never shown", async () => {
    server.reset();
    const wrong = `osk_${"r".repeat(32)}`;
    const r = await runCli(["synctest"], { env: env({ CLAUDE_CODE_SYNC_API_KEY: wrong }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("synctest failed: the server refused the API key");
    expect(r.stderr).toContain("$CLAUDE_CODE_SYNC_API_KEY");
    expect(r.stderr).not.toContain("r".repeat(32));
    expect(server.dump()).toEqual([]);
  });

  test("a URL that is not OpenSync (404): exit 2, check the URL where it was set", async () => {
    server.reset();
    const r = await runCli(["synctest"], { env: env({ CLAUDE_CODE_SYNC_URL: `${server.url}/not-here` }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("404");
    expect(r.stderr).toContain("set $CLAUDE_CODE_SYNC_URL to the sync API's address, or unset it and run claude-code-sync login; the address is https://api.opensync.dev for hosted OpenSync, or your own deployment's https://<name>.convex.site");
  });

  test("server unreachable: exit 1, what to check", async () => {
    const r = await runCli(["synctest"], { env: env({ CLAUDE_CODE_SYNC_URL: `http://127.0.0.1:${closedPort}` }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`synctest failed: OpenSync at 127.0.0.1:${closedPort} is not reachable`);
    expect(r.stderr).toContain("check your network");
  });
});
