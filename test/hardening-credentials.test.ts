/**
 * The API key under pressure: revoked in the middle of a run, never printed or
 * written to a log, never sent over plain http:// to another machine.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { randomApiKey } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import {
  checkState,
  comparable,
  countMismatches,
  looksLikeCrash,
  syncEnv,
  useGeneratedHistory,
} from "./helpers/hardening.ts";
import { SESSION } from "./helpers/transcript.ts";

const fx = useGeneratedHistory();

describe("a key revoked in the middle of a run (401 after N requests)", () => {
  test.each([["--json"], ["(text output)"]])("%s: exit 2, says to log in, marks nothing sent that was not acknowledged", async (mode) => {
    fx.server.reset();
    fx.server.setFaults({ unauthorizedAfter: 30 });
    const home = tempHome();
    const env = syncEnv(fx.server, fx.claudeDir, home);
    const r = await runCli(mode === "--json" ? ["sync", "--json"] : ["sync"], { env });
    expect(r.code).toBe(2);
    expect(looksLikeCrash(r.stderr)).toBe(false);
    expect(`${r.stdout}${r.stderr}`).toContain("claude-code-sync login");
    expect(`${r.stdout}${r.stderr}`).not.toContain(fx.server.apiKey);

    const partial = fx.server.dump();
    const accepted = partial.reduce((n, s) => n + s.messages.length, 0);
    expect(accepted).toBeGreaterThan(0); // the key did work for a while
    const state = checkState(home, partial);
    expect(state).toMatchObject({ integrity: "ok", sentButMissing: [], sessionsSentButMissing: [] });
    expect(state.messagesSent).toBe(accepted); // every acknowledged message was recorded

    // The user logs in again (here: the server takes the key again): the next sync completes the data, re-sending nothing.
    fx.server.setFaults({});
    const good = await runCli(["sync", "--json"], { env });
    expect(good.code).toBe(0);
    const dump = fx.server.dump();
    expect(comparable(dump)).toEqual(fx.reference);
    expect(countMismatches(dump)).toEqual([]);
    expect(fx.server.violations()).toEqual([]);
    const refused = fx.server.requests().filter((q) => q.status === 401).length;
    console.log(
      `[hardening] 401 ${mode}: ${refused} request(s) refused after 30, ${accepted} messages were on the fx.server; ` +
        `the next sync completed ${dump.length} sessions exactly`,
    );
  }, 60_000);

  test("a key regenerated for the same account keeps the state: nothing is sent again", async () => {
    fx.server.reset();
    const home = tempHome();
    expect((await runCli(["sync", "--json"], { env: syncEnv(fx.server, fx.claudeDir, home) })).code).toBe(0);
    const before = fx.server.requests().length;
    fx.server.rotateKey();
    const r = await runCli(["sync", "--json"], { env: syncEnv(fx.server, fx.claudeDir, home) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, sessionsSent: 0, messagesSent: 0 });
    // The list proves the account is the same; the small read is the manual sync hearing the server answer.
    expect(fx.server.requests().slice(before).map((q) => `${q.method} ${q.path}`).sort()).toEqual(["GET /api/sessions", "GET /sync/sessions/list"]);
  });
});

/** Every file under `dir` (the state database, logs, config...), read as bytes; one removed meanwhile is not there. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .flatMap((path) => {
      try {
        return statSync(path).isFile() ? [{ path, text: readFileSync(path).toString("latin1") }] : [];
      } catch {
        return [];
      }
    });
}

/** Pieces of 12 characters of the key's secret part: a key shown whole, or cut, shows one of them. */
function keyPieces(key: string): string[] {
  const secret = key.slice("osk_".length);
  return Array.from({ length: secret.length - 11 }, (_, i) => secret.slice(i, i + 12));
}

async function waitForFile(path: string, maxMs: number): Promise<boolean> {
  for (const end = Date.now() + maxMs; Date.now() < end; await Bun.sleep(50)) if (existsSync(path)) return true;
  return false;
}

test("the API key never appears in any command's output, nor in any file under ~/.claude-code-sync", async () => {
  fx.server.reset();
  const home = tempHome();
  const env = syncEnv(fx.server, fx.claudeDir, home);
  const wrongKey = randomApiKey();
  const wrongEnv = { ...env, CLAUDE_CODE_SYNC_API_KEY: wrongKey };
  const { CLAUDE_CODE_SYNC_URL: _u, CLAUDE_CODE_SYNC_API_KEY: _k, ...noCredentials } = env;
  const hookInput = JSON.stringify({ session_id: SESSION, hook_event_name: "Stop", cwd: "/tmp" });

  const runs: Array<[string[], Record<string, string>, string?]> = [
    [["sync", "--dry-run", "--json"], env],
    [["sync"], env],
    [["sync", "--json"], env],
    [["status"], env],
    [["status", "--json"], env],
    [["config"], env],
    [["config", "--json"], env],
    [["verify"], env],
    [["verify", "--json"], env],
    [["sync"], wrongEnv],
    [["sync", "--json"], wrongEnv],
    [["status", "--json"], wrongEnv],
    [["verify"], wrongEnv],
    [["login", "--url", fx.server.url, "--api-key", wrongKey], noCredentials],
    [["login", "--url", fx.server.url, "--api-key", `${wrongKey}x`], noCredentials],
    [["hook", "Stop"], wrongEnv, hookInput],
  ];
  const outputs: Array<{ path: string; text: string }> = [];
  for (const [args, runEnv, stdin] of runs) {
    const r = await runCli(args, { env: runEnv, ...(stdin ? { stdin } : {}) });
    expect(looksLikeCrash(r.stderr)).toBe(false);
    outputs.push({ path: `output of \`${args[0]} ${args[1] ?? ""}\``, text: `${r.stdout}${r.stderr}` });
  }
  // The hook's background run logs its outcome: wait for it (it gives up at once on a 401), and for it to be gone.
  expect(await waitForFile(join(home, ".claude-code-sync", "background.json"), 30_000)).toBe(true);
  for (const end = Date.now() + 30_000; Date.now() < end && existsSync(join(home, ".claude-code-sync", "runner.pid")); ) await Bun.sleep(50);

  const files = filesUnder(join(home, ".claude-code-sync"));
  const haystacks = [...outputs, ...files];
  for (const key of [fx.server.apiKey, wrongKey]) {
    const pieces = keyPieces(key);
    const leaks = haystacks.filter((h) => pieces.some((p) => h.text.includes(p))).map((h) => h.path);
    expect(leaks).toEqual([]);
  }
  expect(keyPieces(fx.server.apiKey).length).toBe(21);
  const names = files.map((f) => f.path.split(".claude-code-sync/")[1]).join(", ");
  console.log(`[hardening] key hygiene: ${runs.length} runs, ${files.length} files under ~/.claude-code-sync (${names}) checked`);
}, 90_000);

describe("plain http:// to another machine", () => {
  // 0.0.0.0 is not a loopback name to the client, but on Linux it reaches this machine's listeners: a request sent by mistake would show up on the test server.
  const remote = () => fx.server.url.replace("127.0.0.1", "0.0.0.0");

  test.each([["sync"], ["sync --json"], ["watch"], ["status"], ["verify"], ["synctest"]])("`%s` is refused before any request", async (command) => {
    fx.server.reset();
    const env = { ...syncEnv(fx.server, fx.claudeDir), CLAUDE_CODE_SYNC_URL: remote() };
    const r = await runCli(command.split(" "), { env, timeoutMs: 15_000 });
    expect(r.code).not.toBe(0);
    if (!r.stderr.includes("not available in this version")) expect(`${r.stdout}${r.stderr}`).toContain("--insecure");
    expect(fx.server.requests()).toEqual([]);
  });

  test("`login` is refused before any request", async () => {
    fx.server.reset();
    const r = await runCli(["login", "--url", remote(), "--api-key", fx.server.apiKey], { env: { HOME: tempHome(), CLAUDE_CONFIG_DIR: fx.claudeDir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--insecure");
    expect(fx.server.requests()).toEqual([]);
  });

  test("with --insecure the same URL is used (so the checks above would see a request)", async () => {
    fx.server.reset();
    const env = { ...syncEnv(fx.server, fx.claudeDir), CLAUDE_CODE_SYNC_URL: remote() };
    const r = await runCli(["sync", "--insecure", "--json"], { env });
    expect(r.code).toBe(0);
    expect(fx.server.requests().length).toBeGreaterThan(0);
  });
});
