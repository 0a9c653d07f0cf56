import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { scratchDir } from "./helpers/scratch.ts";
import { killWatches, spawnWatch } from "./helpers/watch.ts";
import { withServer } from "./helpers/with-server.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const OTHER = "22222222-2222-4222-8222-222222222222";
const THIRD = "33333333-3333-4333-8333-333333333333";

afterAll(killWatches);

function envFor(server: TestServer, claudeDir: string, home = tempHome()) {
  return { HOME: home, CLAUDE_CONFIG_DIR: claudeDir, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
}

/** Polls until `check` holds, at most `ms`; returns whether it did. */
async function until(check: () => boolean, ms = 15_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(100)) if (check()) return true;
  return check();
}

const messages = (server: TestServer, id: string) => server.session(id)?.messages.length ?? 0;

// At once, each with its own server: every test waits for what it asserts within bounds of 10 s or more.
describe.concurrent("watch", () => {
  test("catches up, then syncs appended lines, new sessions, new folders and subagents; survives deletions; exits 0 on SIGTERM", () =>
    withServer(async (server) => {
      const claude = tempClaudeDir();
      const first = claude.write(`p/${SESSION}.jsonl`, jsonl([user("Fix the build"), assistant("msg_1", text("On it."))]));
      const watch = spawnWatch(envFor(server, claude.root));

      expect(await until(() => messages(server, SESSION) === 2)).toBe(true);
      appendFileSync(first, jsonl([user("And the tests"), assistant("msg_2", text("Done."))]));
      expect(await until(() => messages(server, SESSION) === 4)).toBe(true);

      // A new session in a project folder that did not exist.
      const other = claude.write(`q/${OTHER}.jsonl`, jsonl([user("New project", { sessionId: OTHER, cwd: "/home/dev/q" })]));
      expect(await until(() => messages(server, OTHER) === 1)).toBe(true);

      // A flat 2.0.x subagent file names its session only inside.
      claude.write(
        "q/agent-a1b2c3.jsonl",
        jsonl([user("Subtask", { sessionId: OTHER, isSidechain: true, agentId: "a1b2c3", cwd: "/home/dev/q" })]),
      );
      expect(await until(() => messages(server, OTHER) === 2)).toBe(true);

      rmSync(first);
      rmSync(join(claude.projects, "p"), { recursive: true });
      appendFileSync(other, jsonl([assistant("msg_3", text("Started."), { sessionId: OTHER, cwd: "/home/dev/q" })]));
      expect(await until(() => messages(server, OTHER) === 3)).toBe(true);

      // A session that comes and goes before it is synced is no error.
      const fleeting = claude.write(`q/${THIRD}.jsonl`, jsonl([user("gone", { sessionId: THIRD })]));
      rmSync(fleeting);
      appendFileSync(other, jsonl([user("still here?", { sessionId: OTHER, cwd: "/home/dev/q" })]));
      expect(await until(() => messages(server, OTHER) === 4)).toBe(true);
      expect(watch.proc.exitCode).toBeNull();

      watch.proc.kill("SIGTERM");
      const { code, stdout, stderr } = await watch.exited();
      expect(code).toBe(0);
      expect(stdout).toContain("Watching");
      // Results on stdout; stderr is for problems, and there were none.
      expect(stderr).not.toMatch(/Watching|sent|error|failed/i);
      expect(server.session(SESSION)?.messages.length).toBe(4); // deleting files deletes nothing remotely
      expect(server.violations()).toEqual([]);

      // The short ids of its lines are what `sync --session` takes.
      const shortId = stdout.match(/ session ([0-9a-f]{8}): sent 2 messages/)?.[1];
      expect(shortId).toBe(SESSION.slice(0, 8));
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Fix the build")]));
      const dry = await runCli(["sync", "--dry-run", "--json", "--session", shortId!], { env: envFor(server, claude.root) });
      expect(JSON.parse(dry.stdout).sessions.map((s: { externalId: string }) => s.externalId)).toEqual([SESSION]);
    }), 90_000);

  test("project folders reached through symbolic links: lines appended behind the link are synced as they come, for a link made before or during the watch", () =>
    withServer(async (server) => {
      const claude = tempClaudeDir();
      /** A project folder kept elsewhere (dotfiles, another disk), linked into projects/ as `name`. */
      const linked = (name: string, sessionId: string, line: string) => {
        const real = join(scratchDir("ccs-linked-"), name);
        mkdirSync(real);
        const file = join(real, `${sessionId}.jsonl`);
        writeFileSync(file, jsonl([user(line, { sessionId })]));
        symlinkSync(real, join(claude.projects, name));
        return file;
      };
      const first = linked("p", SESSION, "before the watch");
      const watch = spawnWatch(envFor(server, claude.root));
      expect(await until(() => messages(server, SESSION) === 1)).toBe(true);
      appendFileSync(first, jsonl([assistant("msg_1", text("behind the link"))]));
      expect(await until(() => messages(server, SESSION) === 2)).toBe(true);

      const second = linked("q", OTHER, "linked while watching");
      expect(await until(() => messages(server, OTHER) === 1)).toBe(true);
      appendFileSync(second, jsonl([assistant("msg_2", text("also behind a link"), { sessionId: OTHER })]));
      expect(await until(() => messages(server, OTHER) === 2)).toBe(true);

      watch.proc.kill("SIGTERM");
      expect((await watch.exited()).code).toBe(0);
      expect(server.violations()).toEqual([]);
    }), 90_000);

  test("`set` while watching holds from the next write: a project excluded then gets nothing more sent", () =>
    withServer(async (server) => {
      const claude = tempClaudeDir();
      const env = envFor(server, claude.root);
      const secret = claude.write(`p/${SESSION}.jsonl`, jsonl([user("before the exclusion")]));
      const other = claude.write(`q/${OTHER}.jsonl`, jsonl([user("elsewhere", { sessionId: OTHER, cwd: "/home/dev/q" })]));
      const watch = spawnWatch(env);
      expect(await until(() => messages(server, SESSION) === 1 && messages(server, OTHER) === 1)).toBe(true);

      expect((await runCli(["set", "excludeProjects", "+project-x"], { env })).code).toBe(0);
      appendFileSync(secret, jsonl([user("after the exclusion")]));
      await Bun.sleep(300);
      // Written after the excluded one, so synced in the same pass or a later one.
      appendFileSync(other, jsonl([user("still synced", { sessionId: OTHER, cwd: "/home/dev/q" })]));
      expect(await until(() => messages(server, OTHER) === 2)).toBe(true);
      expect(messages(server, SESSION)).toBe(1);

      watch.proc.kill("SIGTERM");
      expect((await watch.exited()).code).toBe(0);
    }), 90_000);

  test("--poll finds new sessions without file events; Ctrl-C (SIGINT) exits 130 as for any command, SIGTERM (a service manager's stop) 0, as --help says", () =>
    withServer(async (server) => {
      const claude = tempClaudeDir();
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("hello"), assistant("msg_1", text("hi"))]));
      const watch = spawnWatch(envFor(server, claude.root), ["--poll"]);
      expect(await until(() => messages(server, SESSION) === 2)).toBe(true);

      claude.write(`r/${OTHER}.jsonl`, jsonl([user("polled", { sessionId: OTHER })]));
      expect(await until(() => messages(server, OTHER) === 1)).toBe(true);

      watch.proc.kill("SIGINT");
      expect((await watch.exited()).code).toBe(130);
      expect(server.violations()).toEqual([]);
      const help = (await runCli(["watch", "--help"], { env: envFor(server, claude.root) })).stdout;
      expect(help).toMatch(/^ +0 +stopped by SIGTERM/m);
      expect(help).toMatch(/^ +130 +stopped by Ctrl-C \(SIGINT\)/m);
    }), 60_000);

  test("a new install, before Claude Code's first session: sync has nothing to sync yet (exit 0), watch waits for the projects folder and syncs it once it appears", () =>
    withServer(async (server) => {
      const claudeDir = scratchDir("ccs-claude-");
      const env = envFor(server, claudeDir);
      const sync = await runCli(["sync"], { env });
      expect(sync.code).toBe(0);
      // One line that says why (it came after "Synced 0 session updates and 0 messages").
      expect(sync.stdout).toStartWith("No Claude Code sessions yet");
      expect(sync.stdout.trim().split("\n")).toHaveLength(1);
      expect(sync.stdout).toContain("Nothing to sync yet");
      const watch = spawnWatch(env);
      expect(await until(() => watch.stdout().includes("Waiting for it"))).toBe(true);
      expect(watch.proc.exitCode).toBeNull();
      mkdirSync(join(claudeDir, "projects", "p"), { recursive: true });
      writeFileSync(join(claudeDir, "projects", "p", `${SESSION}.jsonl`), jsonl([user("first ever"), assistant("msg_1", text("hello"))]));
      expect(await until(() => messages(server, SESSION) === 2, 30_000)).toBe(true);
      watch.proc.kill("SIGTERM");
      const { code, stdout, stderr } = await watch.exited();
      expect(code).toBe(0);
      expect(stdout).toContain(`Watching ${join(claudeDir, "projects")}`);
      expect(stderr).toBe("");
      expect(server.violations()).toEqual([]);
    }), 90_000);

  test("follows login and logout while running: a login to another server sends everything there, a logout stops sending and says so, a login again resumes", () =>
    withServer(async (server) => {
      const other = await startTestServer();
      try {
        const claude = tempClaudeDir();
        const file = claude.write(`p/${SESSION}.jsonl`, jsonl([user("one"), assistant("msg_1", text("two"))]));
        const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root };
        const login = (to: TestServer) => runCli(["login", "--url", to.url, "--api-key-stdin"], { env, stdin: to.apiKey });
        expect((await login(server)).code).toBe(0);
        const watch = spawnWatch(env);
        expect(await until(() => messages(server, SESSION) === 2)).toBe(true);

        expect((await login(other)).code).toBe(0);
        const onOther = () => other.session(SESSION)?.messages.length ?? 0;
        expect(await until(() => onOther() === 2, 30_000)).toBe(true);
        appendFileSync(file, jsonl([user("three")]));
        expect(await until(() => onOther() === 3, 30_000)).toBe(true);

        expect((await runCli(["logout"], { env })).code).toBe(0);
        expect(await until(() => watch.stderr().includes("logged out: run claude-code-sync login to sync again. Nothing is sent until then"), 30_000)).toBe(true);
        appendFileSync(file, jsonl([user("four")]));
        expect((await login(other)).code).toBe(0);
        expect(await until(() => onOther() === 4, 30_000)).toBe(true);
        // The server holds the line before the watch prints its pass: wait for the pass's line too.
        const passSaid = () => watch.stdout().lastIndexOf("sent 1 message") > watch.stdout().lastIndexOf("logged in: now syncing to");
        await until(passSaid, 10_000);
        const out = watch.stdout();
        // The line written while logged out went once logged in again, not before.
        expect(out.lastIndexOf("logged in: now syncing to")).toBeLessThan(out.lastIndexOf("sent 1 message"));
        expect(messages(server, SESSION)).toBe(2);

        watch.proc.kill("SIGTERM");
        expect((await watch.exited()).code).toBe(0);
        expect(server.violations()).toEqual([]);
        expect(other.violations()).toEqual([]);
      } finally {
        await other.stop();
      }
    }), 120_000);

  test("the day's price refresh runs in a watch too: a model it did not know is priced from the refreshed list and its session sent again with its cost", () =>
    withServer(async (server) => {
      // A LiteLLM-shaped list that prices a model the embedded table does not know: $30 per million output tokens.
      const list = { "claude-opus-6": { litellm_provider: "anthropic", mode: "chat", input_cost_per_token: 6e-6, output_cost_per_token: 3e-5 } };
      const prices = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json(list) });
      try {
        const claude = tempClaudeDir();
        const usage = { input: 0, output: 1_000_000, cacheCreation: 0, cacheRead: 0 };
        claude.write(`p/${SESSION}.jsonl`, jsonl([user("price me"), assistant("msg_1", text("ok"), { model: "claude-opus-6", usage })]));
        const watch = spawnWatch({ ...envFor(server, claude.root), CLAUDE_CODE_SYNC_PRICES_URL: `http://127.0.0.1:${prices.port}/prices.json` });
        expect(await until(() => (server.session(SESSION)?.cost ?? 0) > 0, 30_000)).toBe(true);
        expect(server.session(SESSION)?.cost).toBeCloseTo(30, 6);
        // The passes that follow keep the refreshed prices.
        appendFileSync(join(claude.projects, "p", `${SESSION}.jsonl`), jsonl([user("and more")]));
        expect(await until(() => messages(server, SESSION) === 3)).toBe(true);
        expect(server.session(SESSION)?.cost).toBeCloseTo(30, 6);
        watch.proc.kill("SIGTERM");
        expect((await watch.exited()).code).toBe(0);
        expect(server.violations()).toEqual([]);
      } finally {
        prices.stop(true);
      }
    }), 90_000);

  test("the saved key regenerated in the dashboard while watching: says so with the fix, keeps watching, and sends what waited once logged in with the new key", () =>
    withServer(async (server) => {
      const claude = tempClaudeDir();
      const file = claude.write(`p/${SESSION}.jsonl`, jsonl([user("one")]));
      const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root };
      const login = () => runCli(["login", "--url", server.url, "--api-key-stdin"], { env, stdin: server.apiKey });
      expect((await login()).code).toBe(0);
      const watch = spawnWatch(env);
      expect(await until(() => messages(server, SESSION) === 1)).toBe(true);
      server.rotateKey();
      appendFileSync(file, jsonl([user("two")]));
      expect(await until(() => watch.stderr().includes("refused the API key"), 30_000)).toBe(true);
      expect(watch.stderr()).toContain("claude-code-sync login");
      expect(watch.proc.exitCode).toBeNull();
      expect((await login()).code).toBe(0);
      expect(await until(() => messages(server, SESSION) === 2, 30_000)).toBe(true);
      watch.proc.kill("SIGTERM");
      const { code, stderr } = await watch.exited();
      expect(code).toBe(0);
      // Said once, not at every retry.
      expect(stderr.split("refused the API key").length - 1).toBe(1);
      expect(server.violations()).toEqual([]);
    }), 90_000);

  test("config.json edited by hand into an error while watching: says what is wrong, sends nothing meanwhile, keeps watching, and goes on once it is mended", () =>
    withServer(async (server) => {
      const claude = tempClaudeDir();
      const file = claude.write(`p/${SESSION}.jsonl`, jsonl([user("one")]));
      const home = tempHome();
      const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root };
      expect((await runCli(["login", "--url", server.url, "--api-key-stdin"], { env, stdin: server.apiKey })).code).toBe(0);
      const configFile = join(home, ".claude-code-sync", "config.json");
      const good = readFileSync(configFile, "utf8");
      const watch = spawnWatch(env);
      expect(await until(() => messages(server, SESSION) === 1)).toBe(true);
      writeFileSync(configFile, good.replace(/"thinking": false/, '"thinking": fals'));
      appendFileSync(file, jsonl([user("two")]));
      expect(await until(() => watch.stderr().includes("is not valid JSON"), 30_000)).toBe(true);
      expect(watch.stderr()).toContain("Nothing is sent until then; this watch goes on once it is.");
      expect(watch.proc.exitCode).toBeNull();
      writeFileSync(configFile, good);
      expect(await until(() => messages(server, SESSION) === 2, 30_000)).toBe(true);
      watch.proc.kill("SIGTERM");
      expect((await watch.exited()).code).toBe(0);
      expect(server.violations()).toEqual([]);
    }), 90_000);

  test("--quiet prints nothing while all is well", () =>
    withServer(async (server) => {
      const claude = tempClaudeDir();
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("quiet please")]));
      const watch = spawnWatch(envFor(server, claude.root), ["--quiet"]);
      expect(await until(() => messages(server, SESSION) === 1)).toBe(true);
      watch.proc.kill("SIGTERM");
      expect(await watch.exited()).toEqual({ code: 0, stdout: "", stderr: "" });
    }), 60_000);

  test("the server out of reach: keeps watching, says so, and sends everything once it is back", () =>
    withServer(async (server) => {
      server.setFaults({ failureRate: 1, failureKinds: ["drop"] });
      const claude = tempClaudeDir();
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("offline"), assistant("msg_1", text("queued"))]));
      const watch = spawnWatch(envFor(server, claude.root));
      expect(await until(() => watch.stderr().includes("sync failed"), 30_000)).toBe(true);
      expect(watch.stderr()).toContain("Next try in");
      expect(watch.stdout()).not.toContain("sync failed");
      server.setFaults({});
      expect(await until(() => messages(server, SESSION) === 2, 30_000)).toBe(true);
      watch.proc.kill("SIGTERM");
      expect((await watch.exited()).code).toBe(0);
    }), 90_000);

  test("a real 404 mid-watch (the deployment no longer routes the sync API): keeps watching, names the variable the URL comes from, and sends once it is routed again", () =>
    withServer(async (server) => {
      const claude = tempClaudeDir();
      const file = claude.write(`p/${SESSION}.jsonl`, jsonl([user("first"), assistant("msg_1", text("one"))]));
      const watch = spawnWatch(envFor(server, claude.root));
      expect(await until(() => messages(server, SESSION) === 2)).toBe(true);
      // OpenSync's own answer for a path it does not serve (the contract's "Errors"): not a proxy page, not a hiccup.
      server.setFaults({ rules: [{ kind: 404, times: 1_000 }] });
      appendFileSync(file, jsonl([user("second")]));
      expect(await until(() => watch.stderr().includes("sync failed"), 30_000)).toBe(true);
      expect(watch.stderr()).toContain("answered 404");
      // The URL comes from $CLAUDE_CODE_SYNC_URL: a login would change nothing (it said "Run `claude-code-sync login` with the right URL").
      expect(watch.stderr()).toContain("Fix: set $CLAUDE_CODE_SYNC_URL to the sync API's address, or unset it and run claude-code-sync login");
      expect(watch.stderr()).not.toContain("Run `claude-code-sync login`");
      expect(watch.stderr()).toContain("Next try in 5 s.");
      expect(watch.proc.exitCode).toBeNull();
      server.setFaults({});
      expect(await until(() => messages(server, SESSION) === 3, 30_000)).toBe(true);
      watch.proc.kill("SIGTERM");
      expect((await watch.exited()).code).toBe(0);
    }), 90_000);

  test("status while a watch retries: names the watch and says it sends what is pending, not to run a sync; once it ends, advises a sync again", () =>
    withServer(async (server) => {
      server.setFaults({ failureRate: 1, failureKinds: [503] });
      const claude = tempClaudeDir();
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("offline"), assistant("msg_1", text("queued"))]));
      const env = envFor(server, claude.root);
      const watch = spawnWatch(env);
      expect(await until(() => watch.stderr().includes("sync failed"), 30_000)).toBe(true);
      const during = await runCli(["status"], { env });
      expect(during.stdout).toContain(`\`watch\` is running (pid ${watch.proc.pid})`);
      expect(during.stdout).toMatch(/Pending: 1 session, 2 messages \(the running `watch` sends them/);
      const json = JSON.parse((await runCli(["status", "--json"], { env })).stdout);
      expect(json.watchRunning).toBe(watch.proc.pid);
      watch.proc.kill("SIGTERM");
      expect((await watch.exited()).code).toBe(0);
      const after = await runCli(["status"], { env });
      expect(after.stdout).not.toContain("`watch`");
      expect(after.stdout).toContain("Pending: 1 session, 2 messages (run `claude-code-sync sync`)");
      expect(JSON.parse((await runCli(["status", "--json"], { env })).stdout).watchRunning).toBeNull();
      server.setFaults({});
    }), 90_000);

  test("nothing to send and the server out of reach at start: says so, not 'up to date'; 'up to date' once it answers", () =>
    withServer(async (server) => {
      const claude = tempClaudeDir();
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("synced before"), assistant("msg_1", text("yes"))]));
      const home = tempHome();
      const env = envFor(server, claude.root, home);
      expect((await runCli(["sync"], { env })).code).toBe(0);
      server.setFaults({ failureRate: 1, failureKinds: ["drop"] });
      const watch = spawnWatch(env);
      expect(await until(() => watch.stderr().includes("sync failed"), 30_000)).toBe(true);
      expect(watch.stdout()).not.toContain("up to date");
      server.setFaults({});
      expect(await until(() => watch.stdout().includes("up to date"), 30_000)).toBe(true);
      watch.proc.kill("SIGTERM");
      expect((await watch.exited()).code).toBe(0);
    }), 90_000);

  test("SIGTERM while a request hangs: gives up after the grace period, exits 0, leaves no lock behind", () =>
    withServer(async (server) => {
      server.setFaults({ failureRate: 1, failureKinds: ["hang"] });
      const claude = tempClaudeDir();
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("stuck")]));
      const home = tempHome();
      const watch = spawnWatch(envFor(server, claude.root, home));
      expect(await until(() => server.requests().length > 0)).toBe(true);
      watch.proc.kill("SIGTERM");
      expect((await watch.exited()).code).toBe(0);
      server.setFaults({});
      const stateDir = join(home, ".claude-code-sync", "state");
      const db = new Database(join(stateDir, readdirSync(stateDir).find((f) => f.endsWith(".db"))!));
      expect(db.query("SELECT * FROM lock").all()).toEqual([]);
      db.close();
    }), 60_000);

  test("SIGTERM while writes the server applied hang: the next sync finds them on the server instead of sending them again", () =>
    withServer(async (server) => {
      server.setFaults({ rules: [{ method: "POST", path: "/sync/message", kind: "hang", afterApply: true, times: 1000 }] });
      const claude = tempClaudeDir();
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("one"), assistant("msg_1", text("two")), user("three")]));
      const env = envFor(server, claude.root, tempHome());
      const watch = spawnWatch(env);
      expect(await until(() => (server.session(SESSION)?.messages.length ?? 0) > 0)).toBe(true);
      watch.proc.kill("SIGTERM");
      expect((await watch.exited()).code).toBe(0);
      server.setFaults({});
      const applied = server.session(SESSION)?.messages.length ?? 0;
      const next = await runCli(["sync", "--json"], { env });
      expect(JSON.parse(next.stdout)).toMatchObject({ ok: true, messagesSent: 3 - applied });
      expect(server.session(SESSION)?.messages.length).toBe(3);
      expect(server.violations()).toEqual([]);
    }), 60_000);

  test("a refused key from the environment: the fix names the variable, exit 2, the key never shown", () =>
    withServer(async (server) => {
      const claude = tempClaudeDir();
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("x")]));
      const badKey = `osk_${"q".repeat(32)}`;
      const watch = spawnWatch({ ...envFor(server, claude.root), CLAUDE_CODE_SYNC_API_KEY: badKey });
      const { code, stderr } = await watch.exited();
      expect(code).toBe(2);
      expect(stderr).toContain("set $CLAUDE_CODE_SYNC_API_KEY to the current key from the OpenSync dashboard, or unset it and run claude-code-sync login");
      expect(stderr).not.toContain("q".repeat(32));
      expect(server.dump()).toEqual([]);
    }), 60_000);

  test("not logged in: a clear error before watching", async () => {
    const claude = tempClaudeDir();
    const watch = spawnWatch({ HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root });
    const { code, stderr } = await watch.exited();
    expect(code).toBe(2);
    expect(stderr).toContain("claude-code-sync login");
  }, 30_000);
});
