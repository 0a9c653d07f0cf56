/**
 * Issue 12, item 12: symbolic links where claude-code-sync keeps its files.
 * The state database as a link is refused (never opened, written or chmodded
 * through); the config folder or file as a link to something elsewhere: what
 * it points to keeps its mode, and the user is told what to run instead.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { looksLikeCrash, removeTempDirs, syncEnv, tempDir } from "./helpers/hardening.ts";
import { killWatches, spawnWatch } from "./helpers/watch.ts";
import { assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const posix = process.platform !== "win32";
const SESSION = "aaaaaaaa-1111-4111-8111-111111111111";
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  killWatches();
  await server.stop();
  removeTempDirs();
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** Where a HOME keeps the state of `url` (one database per server URL: the first 16 hex digits of its SHA-256). */
function statePathIn(home: string, url: string): string {
  return join(home, ".claude-code-sync", "state", `${createHash("sha256").update(url).digest("hex").slice(0, 16)}.db`);
}

describe.skipIf(!posix)("the state database as a symbolic link", () => {
  test("sync, status and watch refuse it with what to do; the file it points to keeps its content and mode", async () => {
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("hello", { sessionId: SESSION }), assistant("msg_1", text("hi"), { sessionId: SESSION })]));
    const home = tempHome();
    const env = syncEnv(server, claude.root, home);
    const precious = join(tempDir("ccs-elsewhere-"), "precious.txt");
    writeFileSync(precious, "somebody else's file\n");
    chmodSync(precious, 0o644);
    const state = statePathIn(home, server.url);
    mkdirSync(join(home, ".claude-code-sync", "state"), { recursive: true });
    symlinkSync(precious, state);

    const sync = await runCli(["sync"], { env });
    expect(sync.code).toBe(2);
    expect(looksLikeCrash(sync.stderr)).toBe(false);
    expect(sync.stderr).toContain(`The sync state at ${state} is a symbolic link`);
    expect(sync.stderr).toContain(`rm ${state}`);
    const status = await runCli(["status"], { env });
    expect(looksLikeCrash(status.stderr)).toBe(false);
    expect(`${status.stdout}${status.stderr}`).toContain("is a symbolic link");
    const watch = spawnWatch(env);
    const watched = await watch.exited();
    expect(watched.code).toBe(2);
    expect(watched.stderr).toContain("is a symbolic link");

    expect(readFileSync(precious, "utf8")).toBe("somebody else's file\n");
    expect(mode(precious)).toBe(0o644);
    for (const suffix of ["-wal", "-shm", "-journal"]) expect(existsSync(`${precious}${suffix}`)).toBe(false);
    expect(server.requests().filter((r) => r.method === "POST")).toEqual([]);
  }, 60_000);

  test("a link pointing nowhere is not followed to create the file", async () => {
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("hello", { sessionId: SESSION })]));
    const home = tempHome();
    const target = join(tempDir("ccs-elsewhere-"), "not-yet.db");
    mkdirSync(join(home, ".claude-code-sync", "state"), { recursive: true });
    symlinkSync(target, statePathIn(home, server.url));
    const r = await runCli(["sync"], { env: syncEnv(server, claude.root, home) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is a symbolic link");
    expect(existsSync(target)).toBe(false);
  }, 30_000);
});

describe.skipIf(!posix)("the config folder or file as a symbolic link", () => {
  const CONFIG = { options: { toolCalls: true } };

  test("~/.claude-code-sync linked to a shared folder: the folder keeps its mode; the user is told how to tighten it", async () => {
    const home = tempHome();
    const shared = join(tempDir("ccs-shared-"), "ccs");
    mkdirSync(shared);
    chmodSync(shared, 0o755);
    writeFileSync(join(shared, "config.json"), JSON.stringify(CONFIG));
    chmodSync(join(shared, "config.json"), 0o600);
    symlinkSync(shared, join(home, ".claude-code-sync"));

    const shown = await runCli(["config"], { env: { HOME: home } });
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain(`Run: chmod 700 "${shared}"`);
    const set = await runCli(["set", "thinking", "true"], { env: { HOME: home } });
    expect(set.code).toBe(0);
    expect(JSON.parse(readFileSync(join(shared, "config.json"), "utf8")).options.thinking).toBe(true);
    expect(mode(shared)).toBe(0o755);
  }, 30_000);

  test("config.json linked to a file elsewhere: that file keeps its mode and content", async () => {
    const home = tempHome();
    mkdirSync(join(home, ".claude-code-sync"), { mode: 0o700 });
    const dotfile = join(tempDir("ccs-dotfiles-"), "claude-code-sync.json");
    writeFileSync(dotfile, JSON.stringify(CONFIG));
    chmodSync(dotfile, 0o644);
    symlinkSync(dotfile, join(home, ".claude-code-sync", "config.json"));

    const shown = await runCli(["config"], { env: { HOME: home } });
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain(`Run: chmod 600 "${dotfile}"`);
    expect(mode(dotfile)).toBe(0o644);
    const set = await runCli(["set", "thinking", "true"], { env: { HOME: home } });
    expect(set.code).toBe(0);
    expect(mode(dotfile)).toBe(0o644);
    expect(readFileSync(dotfile, "utf8")).toBe(JSON.stringify(CONFIG));
  }, 30_000);
});
