import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomApiKey, startTestServer, type TestServer } from "../testserver/server.ts";
import { type CliResult, runCli, tempHome } from "./helpers/cli.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const configFile = (home: string) => join(home, ".claude-code-sync", "config.json");
const masked = (key: string) => `${key.slice(0, 6)}…${key.slice(-4)}`;

/** `login` without a terminal (stdin ignored), in a fresh HOME; the key must never show up whole. */
async function login(args: string[], env: Record<string, string> = {}, key = server.apiKey): Promise<CliResult & { home: string }> {
  const home = tempHome();
  const result = await runCli(["login", ...args], { env: { HOME: home, ...env } });
  expect(result.stdout + result.stderr).not.toContain(key);
  return { ...result, home };
}

describe("login without a terminal", () => {
  test("checks the server, saves the config owner-only, and shows the key masked", async () => {
    const r = await login(["--url", `${server.url}/`, "--api-key", server.apiKey]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Logged in to ${server.url} as key ${masked(server.apiKey)} (0 sessions on the server)`);
    expect(r.stdout).toContain("claude-code-sync sync");
    expect(r.stdout).toContain("claude-code-sync setup");
    if (process.platform !== "win32") expect(statSync(configFile(r.home)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(configFile(r.home), "utf8"));
    expect(saved).toMatchObject({ convexUrl: server.url, apiKey: server.apiKey });
    expect(saved.allowInsecure).toBeUndefined();
    expect(server.counts()).toMatchObject({ "GET /health": expect.any(Number), "GET /sync/sessions/list": expect.any(Number) });
  });

  test("a new login with the hooks set up (a rotated key) does not ask for setup again; with some missing, it does", async () => {
    const home = tempHome();
    const env = { HOME: home, CLAUDE_CONFIG_DIR: tempHome() };
    const setupLine = "claude-code-sync setup   sync new sessions automatically";
    expect((await runCli(["setup"], { env })).code).toBe(0);
    const again = await runCli(["login", "--url", server.url, "--api-key", server.apiKey], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain(setupLine);
    expect(again.stdout).toContain("the Claude Code hooks are set up");

    const settings = join(env.CLAUDE_CONFIG_DIR, "settings.json");
    const parsed = JSON.parse(readFileSync(settings, "utf8"));
    delete parsed.hooks.Stop;
    writeFileSync(settings, JSON.stringify(parsed));
    const partly = await runCli(["login", "--url", server.url, "--api-key", server.apiKey], { env });
    expect(partly.stdout).toContain(setupLine);
  });

  test.each([[["--api-key-stdin"]], [["--api-key", "-"]], [["--api-key=-"]]])("%p reads the key from stdin, and says nothing of ps", async (flag: string[]) => {
    const home = tempHome();
    const r = await runCli(["login", "--url", server.url, ...flag], { env: { HOME: home }, stdin: `${server.apiKey}\n` });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout + r.stderr).not.toContain(server.apiKey);
    expect(JSON.parse(readFileSync(configFile(home), "utf8"))).toMatchObject({ convexUrl: server.url, apiKey: server.apiKey });
  });

  test("a rotated key piped in logs in to the saved server without --url again", async () => {
    const home = tempHome();
    expect((await runCli(["login", "--url", server.url, "--api-key-stdin"], { env: { HOME: home }, stdin: `${server.apiKey}\n` })).code).toBe(0);
    const fresh = server.rotateKey();
    const r = await runCli(["login", "--api-key-stdin"], { env: { HOME: home }, stdin: `${fresh}\n` });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(configFile(home), "utf8"))).toMatchObject({ convexUrl: server.url, apiKey: fresh });
  });

  test("a background failure from before a new login: status says it is past", async () => {
    const home = tempHome();
    mkdirSync(join(home, ".claude-code-sync"), { recursive: true, mode: 0o700 });
    const failedAt = Date.now() - 120_000;
    const pending = [{ sessionId: "s1", since: failedAt, attempts: 1, nextAt: null, lastError: "OpenSync refused the API key" }];
    writeFileSync(join(home, ".claude-code-sync", "background.json"), JSON.stringify({ at: failedAt, ok: false, message: "refused", pending }));
    expect((await runCli(["login", "--url", server.url, "--api-key-stdin"], { env: { HOME: home }, stdin: `${server.apiKey}\n` })).code).toBe(0);
    const status = await runCli(["status"], { env: { HOME: home, CLAUDE_CONFIG_DIR: tempHome() } });
    expect(status.stdout).toContain("Background sync: failed 2 minutes ago (OpenSync refused the API key), before the login at");

    // A variable that still holds another key wins over the login: the failure is not history then.
    const other = tempHome();
    mkdirSync(join(other, ".claude-code-sync"), { recursive: true, mode: 0o700 });
    writeFileSync(join(other, ".claude-code-sync", "background.json"), JSON.stringify({ at: failedAt, ok: false, message: "refused", pending }));
    const stale = randomApiKey();
    const overridden = await runCli(["login", "--url", server.url, "--api-key-stdin"], { env: { HOME: other, CLAUDE_CODE_SYNC_API_KEY: stale }, stdin: `${server.apiKey}\n` });
    expect(overridden.stdout).toContain("holds a different key");
    const still = await runCli(["status"], { env: { HOME: other, CLAUDE_CONFIG_DIR: tempHome() } });
    expect(still.stdout).not.toContain("before the login");
  });

  test("a sync stopped by a refused key, then a login with the new key: status no longer says to log in (found by an exploratory tester)", async () => {
    server.reset();
    const home = tempHome();
    const claude = tempClaudeDir();
    const lines = [user("Refactor the parser")];
    for (let i = 0; i < 20; i++) lines.push(assistant(`msg_${i}`, text(`step ${i}`)));
    claude.write(`p/${SESSION}.jsonl`, jsonl(lines));
    const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root };
    expect((await runCli(["login", "--url", server.url, "--api-key-stdin"], { env, stdin: `${server.apiKey}\n` })).code).toBe(0);
    // The key is regenerated in the dashboard during the sync.
    server.setFaults({ unauthorizedAfter: 6 });
    expect((await runCli(["sync"], { env })).code).toBe(2);
    expect((await runCli(["status"], { env })).stdout).toContain("refused the API key");
    server.setFaults({});
    const fresh = server.rotateKey();
    expect((await runCli(["login", "--api-key-stdin"], { env, stdin: `${fresh}\n` })).code).toBe(0);
    const status = await runCli(["status"], { env });
    expect(status.stdout).toMatch(/Pending: 1 session, \d+ messages \(run `claude-code-sync sync`\)/);
    expect(status.stdout).not.toContain("refused the API key");
  });

  test("a server that never answers: one timeout (CLAUDE_CODE_SYNC_TIMEOUT_MS), not a retry of it; nothing saved", async () => {
    server.setFaults({ failureRate: 1, failureKinds: ["hang"] });
    try {
      const before = server.requests().length;
      const r = await login(["--url", server.url, "--api-key", server.apiKey], { CLAUDE_CODE_SYNC_TIMEOUT_MS: "300" });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("no answer within 0.3 s");
      expect(server.requests().slice(before).map((q) => `${q.path} ${q.status}`)).toEqual(["/health hung"]);
      expect(existsSync(configFile(r.home))).toBe(false);
    } finally {
      server.setFaults({});
    }
  });

  test("--api-key-stdin with nothing piped is a usage error", async () => {
    const r = await runCli(["login", "--url", server.url, "--api-key-stdin"], { env: { HOME: tempHome() }, stdin: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--api-key-stdin found nothing on stdin");
  });

  test("a key given with --api-key works, with a warning that others can see it", async () => {
    const r = await login(["--url", server.url, "--api-key", server.apiKey]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Warning: a key given with --api-key can be seen by other users of this machine (ps)");
    expect(r.stderr).toContain("--api-key-stdin");
    expect(r.stderr).toContain("CLAUDE_CODE_SYNC_API_KEY");
  });

  test("takes the credentials from the environment variables", async () => {
    const r = await login([], { CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(configFile(r.home), "utf8"))).toMatchObject({ convexUrl: server.url, apiKey: server.apiKey });
  });

  test("the older variable names work too, and a differing variable is pointed out", async () => {
    const stale = randomApiKey();
    const r = await login(["--api-key", server.apiKey], { CLAUDE_SYNC_CONVEX_URL: server.url, CLAUDE_SYNC_API_KEY: stale });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("$CLAUDE_SYNC_API_KEY holds a different key");
    expect(r.stdout + r.stderr).not.toContain(stale);
  });

  test("missing flags are a usage error at once, not a wait for input", async () => {
    const r = await login([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Missing --url and --api-key");
    // Most users are on hosted OpenSync: its address, not only a self-hosted one's shape.
    expect(r.stderr).toContain("login --url https://api.opensync.dev --api-key-stdin");
    expect(r.stderr).toContain("CLAUDE_CODE_SYNC_API_KEY");
    expect(existsSync(configFile(r.home))).toBe(false);

    const keyOnly = await login(["--api-key", server.apiKey]);
    expect(keyOnly.code).toBe(2);
    expect(keyOnly.stderr).toContain("Missing --url.");
  });

  test("a malformed key is refused before anything is sent", async () => {
    const before = server.requests().length;
    const bad = `osk_${"x".repeat(40)}`;
    const r = await login(["--url", server.url, "--api-key", bad], {}, bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('40 characters after "osk_"');
    expect(r.stderr).toContain("Settings → API key");
    expect(server.requests().length).toBe(before);
    expect(existsSync(configFile(r.home))).toBe(false);
  });

  test("a key the server refuses (401) saves nothing and says where to get a new one", async () => {
    const other = randomApiKey();
    const r = await login(["--url", server.url, "--api-key", other], {}, other);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`refused the API key ${masked(other)}`);
    expect(r.stderr).toContain("Settings → API key");
    expect(existsSync(configFile(r.home))).toBe(false);
  });

  test("a wrong URL (404) saves nothing and shows what was tried", async () => {
    const r = await login(["--url", `${server.url}/nope`, "--api-key", server.apiKey]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`tried ${server.url}/nope/health: 404`);
    expect(existsSync(configFile(r.home))).toBe(false);
  });

  test("a server failing with 503: said to be up but failing, not to check the URL and the network (it said that); nothing saved", async () => {
    server.setFaults({ rules: [{ path: "/sync/sessions/list", kind: 503, times: 10 }] });
    try {
      const r = await login(["--url", server.url, "--api-key", server.apiKey]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("(HTTP 503) after 2 attempts. The server is up but failing: try again later");
      expect(r.stderr).not.toContain("Check the URL");
      expect(existsSync(configFile(r.home))).toBe(false);
    } finally {
      server.setFaults({});
    }
  });

  test("a server that is down is a network error naming the URL", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const url = `http://127.0.0.1:${closed.port}`;
    closed.stop(true);
    const r = await login(["--url", url, "--api-key", server.apiKey]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Check the URL (${url})`);
    expect(existsSync(configFile(r.home))).toBe(false);
  });

  test("plain http to another machine is refused before any network call", async () => {
    const r = await login(["--url", "http://example.invalid", "--api-key", server.apiKey]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Refusing plain http:// to example.invalid");
    expect(r.stderr).toContain("--insecure");
    // No check was started: the refusal came first, not a failed lookup.
    expect(r.stdout).not.toContain("Checking");
    expect(existsSync(configFile(r.home))).toBe(false);
  });

  test("a plain http URL in the environment: status and verify, which take no --insecure, say how to allow it", async () => {
    const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: tempHome(), CLAUDE_CODE_SYNC_URL: "http://example.invalid", CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
    for (const command of ["status", "verify"]) {
      const r = await runCli([command], { env });
      expect(r.stdout + r.stderr).toContain("claude-code-sync login --url http://example.invalid --insecure");
    }
  });

  test("swapped URL and key are refused without printing the key", async () => {
    const r = await login(["--url", server.apiKey, "--api-key", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("swapped");
  });

  test("hosted OpenSync's web app address becomes its sync API, and the note says why", async () => {
    const r = await login(["--url", "https://app.opensync.dev", "--api-key", "osk_short"], {}, "osk_short");
    expect(r.stdout).toContain("Using https://api.opensync.dev: app.opensync.dev is the OpenSync web app, which takes no syncs");
    // The malformed key stopped it before any request to the real service.
    expect(r.stdout).not.toContain("Checking");
    expect(r.code).toBe(2);
  });

  test("a URL with user:password is refused without repeating it", async () => {
    const r = await login(["--url", "https://admin:hunter2@example.com", "--api-key", server.apiKey]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("user:password@");
    expect(r.stdout + r.stderr).not.toContain("hunter2");
  });

  test("URL and key swapped in the environment: refused, neither printed", async () => {
    const r = await login([], { CLAUDE_CODE_SYNC_URL: server.apiKey, CLAUDE_CODE_SYNC_API_KEY: server.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("swapped");
  });

  test("a variable that overrides the URL is pointed out without its user:password", async () => {
    const r = await login(["--url", server.url, "--api-key", server.apiKey], { CLAUDE_CODE_SYNC_URL: "https://admin:hunter2@other.example.com" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("$CLAUDE_CODE_SYNC_URL is set to https://other.example.com and overrides");
    expect(r.stdout).not.toContain("hunter2");
  });

  test("a .convex.cloud URL is changed to .convex.site, and the change is shown", async () => {
    const r = await login(["--url", "https://happy-otter-123.convex.cloud", "--api-key", "osk_short"], {}, "osk_short");
    expect(r.stdout).toContain("Using https://happy-otter-123.convex.site");
    expect(r.code).toBe(2);
  });
});

test("a failed login leaves the saved login as it was", async () => {
  const home = tempHome();
  const env = { HOME: home };
  expect((await runCli(["login", "--url", server.url, "--api-key", server.apiKey], { env })).code).toBe(0);
  const before = readFileSync(configFile(home), "utf8");
  const r = await runCli(["login", "--url", server.url, "--api-key", randomApiKey()], { env });
  expect(r.code).toBe(2);
  expect(readFileSync(configFile(home), "utf8")).toBe(before);
});

test("a config that cannot be used is mended by a login: kept aside, a new one saved; a failed login leaves it in place", async () => {
  const home = tempHome();
  const env = { HOME: home };
  const dir = join(home, ".claude-code-sync");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const broken = '{"convexUrl": "https://x.convex.site", broken\n';
  writeFileSync(configFile(home), broken, { mode: 0o600 });
  expect((await runCli(["status"], { env })).stderr).toContain('run "claude-code-sync login" again (it keeps this file aside)');

  const refused = await runCli(["login", "--url", server.url, "--api-key", randomApiKey()], { env });
  expect(refused.code).toBe(2);
  expect(readFileSync(configFile(home), "utf8")).toBe(broken);

  const r = await runCli(["login", "--url", server.url, "--api-key", server.apiKey], { env });
  expect(r.code).toBe(0);
  expect(JSON.parse(readFileSync(configFile(home), "utf8"))).toMatchObject({ convexUrl: server.url, apiKey: server.apiKey });
  const aside = readdirSync(dir).filter((f) => f.startsWith("config.json.broken-"));
  expect(aside.length).toBe(1);
  expect(readFileSync(join(dir, aside[0] as string), "utf8")).toBe(broken);
  expect(r.stdout).toContain(`it is kept as ${join(dir, aside[0] as string)}`);
  expect((await runCli(["status", "--json"], { env })).code).toBe(0);
});
