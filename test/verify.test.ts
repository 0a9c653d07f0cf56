import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { HOOK_EVENTS, hooksSection } from "../src/claude-settings/hook-spec.ts";
import { writePidFile } from "../src/runtime/pid-file.ts";
import { shellWord } from "../src/claude-settings/self-command.ts";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { closedPort as closedPortOf } from "./helpers/closed-port.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

let server: TestServer;
let closedPort: number;
beforeAll(async () => {
  server = await startTestServer();
  closedPort = await closedPortOf();
});
afterAll(() => server.stop());

interface CheckOut {
  id: string;
  status: "ok" | "warn" | "fail" | "skip";
  detail: string;
  fix?: string;
}

/** A temp HOME and Claude folder holding one session, logged in through the environment. */
function setupEnv() {
  const claude = tempClaudeDir();
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("hi"), assistant("msg_1", text("hello"))]));
  const home = tempHome();
  const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
  return { claude, home, env };
}

async function verify(env: Record<string, string>) {
  const r = await runCli(["verify", "--json"], { env });
  const out = JSON.parse(r.stdout) as { ok: boolean; checks: CheckOut[] };
  return { code: r.code, ok: out.ok, check: (id: string) => out.checks.find((c) => c.id === id)!, checks: out.checks, stderr: r.stderr };
}

const statuses = (checks: CheckOut[]) => Object.fromEntries(checks.map((c) => [c.id, c.status]));

describe("verify", () => {
  test("all green after setup, login by environment and a sync; text and JSON agree", async () => {
    const { env } = setupEnv();
    expect((await runCli(["setup"], { env })).code).toBe(0);
    expect((await runCli(["sync"], { env })).code).toBe(0);

    const text = await runCli(["verify"], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain("✗");
    expect(text.stdout.match(/^✓ /gm)?.length).toBe(9);
    expect(text.stdout).toContain("All checks passed.");
    expect(text.stdout).not.toContain(server.apiKey);

    const json = await verify(env);
    expect(json.code).toBe(0);
    expect(json.ok).toBe(true);
    expect(statuses(json.checks)).toEqual({
      config: "ok",
      credentials: "ok",
      server: "ok",
      apiKey: "ok",
      hooks: "ok",
      state: "ok",
      prices: "ok",
      serverCopy: "ok",
      transcripts: "ok",
    });
    expect(json.check("apiKey").detail).toContain("1 session on the server");
    expect(json.check("serverCopy").detail).toBe("the server has all 1 session sent from here, each with every message");
    expect(json.check("state").detail).toContain("1 session synced, 0 messages pending");
  }, 30_000);

  test("a new install (logged in, no hooks yet): verify warns with the fix and exits 0, as sync does (it exited 1)", async () => {
    const { env } = setupEnv();
    const r = await verify(env);
    expect(r.check("hooks")).toMatchObject({ status: "warn", fix: "claude-code-sync setup (or run claude-code-sync watch)" });
    expect(r.check("hooks").detail).toEndWith("sessions are sent only when claude-code-sync sync runs");
    expect(r.checks.filter((c) => c.status !== "ok").map((c) => c.id)).toEqual(["hooks"]);
    expect(r.ok).toBe(true);
    const text = await runCli(["verify"], { env });
    expect(text.stdout).toContain("! Claude Code hooks  none registered in");
    expect(text.stdout).toEndWith("All checks passed; 1 warning (!) above, with its fix.\n");
    expect([r.code, text.code, (await runCli(["sync"], { env })).code]).toEqual([0, 0, 0]);
  }, 30_000);

  test("before Claude Code's first session (no projects/ folder yet): a warning, exit 0, as sync's 'nothing to sync yet'", async () => {
    const { env } = setupEnv();
    const fresh = { ...env, CLAUDE_CONFIG_DIR: tempHome() }; // exists, no projects/ in it yet
    const r = await verify(fresh);
    expect(r.check("transcripts")).toMatchObject({ status: "warn", detail: expect.stringContaining("Claude Code creates the folder with its first session") });
    expect([r.code, (await runCli(["sync"], { env: fresh })).code]).toEqual([0, 0]);
  }, 30_000);

  test("no hooks while `watch` runs, as the fix advises: ok, naming the watch, exit 0", async () => {
    const { env, home } = setupEnv();
    expect((await runCli(["sync"], { env })).code).toBe(0);
    // This test's process stands for the running watch: what counts is a live pid in watch.pid.
    writePidFile(join(home, ".claude-code-sync", "watch.pid"), process.pid);
    const r = await verify(env);
    expect(r.check("hooks")).toMatchObject({ status: "ok", detail: `none registered in ${join(env.CLAUDE_CONFIG_DIR, "settings.json")}; \`claude-code-sync watch\` (pid ${process.pid}) syncs instead` });
    expect(r.code).toBe(0);
  }, 30_000);

  test("hooks of a moved install are outdated: fix with setup", async () => {
    const { env, claude } = setupEnv();
    writeFileSync(join(claude.root, "settings.json"), JSON.stringify({ hooks: hooksSection({ argv: ["/old/bin/claude-code-sync"] }) }));
    const r = await verify(env);
    expect(r.code).toBe(2); // hooks that cannot run: something to change, as a wrong URL is
    expect(r.check("hooks")).toMatchObject({ status: "fail", fix: "claude-code-sync setup" });
    expect(r.check("hooks").detail).toContain("another claude-code-sync");
  });

  // `npx claude-code-sync setup` (pnpm dlx, bunx, yarn dlx) registered the runner's copy before setup refused it:
  // the runner clears it at any time, and the hooks then fail in silence.
  test.each([
    ["exec form, npx", { hooks: hooksSection({ argv: ["/home/jane/.npm/_npx/3f9c2a7e/node_modules/@claude-code-sync/linux-x64/bin/claude-code-sync"] }) }, "npx"],
    ["0.2's shell form, pnpm dlx", { hooks: Object.fromEntries(["SessionStart", "UserPromptSubmit", "Stop", "SubagentStop", "SessionEnd"].map((e) => [e, [{ hooks: [{ type: "command", command: `/home/jane/.cache/pnpm/dlx/7kq2/19a3-3c1d/node_modules/.bin/claude-code-sync hook ${e}` }] }]])) }, "pnpm dlx"],
  ])("hooks registered into a package runner's temporary copy (%s): a failure naming the copy; setup replaces them", async (_form, settings, runner) => {
    const { env, claude } = setupEnv();
    writeFileSync(join(claude.root, "settings.json"), JSON.stringify(settings));
    const r = await verify(env);
    expect(r.code).toBe(2); // hooks that will not run once the copy is gone, as a moved install's
    expect(r.check("hooks")).toMatchObject({ status: "fail", fix: "claude-code-sync setup" });
    expect(r.check("hooks").detail).toContain(`, ${runner}'s temporary copy (setup was run through ${runner}), which may be deleted at any time`);
    expect((await runCli(["setup"], { env })).code).toBe(0);
    expect((await verify(env)).check("hooks")).toMatchObject({ status: "ok" });
  }, 60_000);

  // Hooks written by hand (or from an old README) that run us through a package runner at every event: they sync,
  // but Claude Code waits while the runner starts and looks the package up. A warning, and setup puts its own in their place.
  const shellHooks = (line: string) => ({ hooks: Object.fromEntries(HOOK_EVENTS.map((e) => [e, [{ matcher: "*", hooks: [{ type: "command", command: `${line} hook ${e}` }] }]])) });
  const setupHooks = hooksSection({ argv: [process.execPath, join(import.meta.dir, "..", "src", "cli.ts")] }) as Record<string, object[]>;
  test.each([
    ["npx, shell form", shellHooks("npx claude-code-sync"), "npx claude-code-sync", "npx"],
    ["npx -y at a tag, shell form", shellHooks("npx -y claude-code-sync@latest"), "npx -y claude-code-sync@latest", "npx"],
    ["pnpm dlx, exec form", { hooks: hooksSection({ argv: ["pnpm", "dlx", "claude-code-sync"] }) }, "pnpm dlx claude-code-sync", "pnpm dlx"],
    ["bunx, exec form", { hooks: hooksSection({ argv: ["bunx", "claude-code-sync"] }) }, "bunx claude-code-sync", "bunx"],
    ["yarn dlx, shell form", shellHooks("yarn dlx claude-code-sync"), "yarn dlx claude-code-sync", "yarn dlx"],
    ["npx for Stop beside setup's hooks", { hooks: { ...setupHooks, Stop: [...setupHooks.Stop!, ...shellHooks("npx claude-code-sync").hooks.Stop!] } }, "npx claude-code-sync", "npx"],
  ])("hooks that run us through a package runner (%s): a warning with the fix; setup replaces them, one handler an event", async (_form, settings, command, runner) => {
    const { env, claude } = setupEnv();
    const path = join(claude.root, "settings.json");
    writeFileSync(path, JSON.stringify(settings));
    const r = await verify(env);
    expect(r.code).toBe(0); // they sync
    expect(r.check("hooks").status).toBe("warn");
    expect(r.check("hooks").detail).toContain(`${command} hook <Event>: ${runner} is started first at every event`);
    expect(r.check("hooks").fix).toStartWith("claude-code-sync setup");
    expect((await runCli(["setup"], { env })).code).toBe(0);
    expect((await verify(env)).check("hooks")).toMatchObject({ status: "ok" });
    const hooks = JSON.parse(readFileSync(path, "utf8")).hooks as Record<string, Array<{ hooks: unknown[] }>>;
    expect(HOOK_EVENTS.map((e) => hooks[e]!.flatMap((g) => g.hooks).length)).toEqual(HOOK_EVENTS.map(() => 1));
    expect(JSON.stringify(hooks)).not.toMatch(/npx|dlx|bunx/);
  }, 60_000);

  /** settings.json as 0.2's setup wrote it for this CLI: shell command lines, five events. */
  const earlierSetup = (events = ["SessionStart", "UserPromptSubmit", "Stop", "SubagentStop", "SessionEnd"]) => {
    const self = [process.execPath, join(import.meta.dir, "..", "src", "cli.ts")].map(shellWord).join(" ");
    return JSON.stringify({ hooks: Object.fromEntries(events.map((e) => [e, [{ hooks: [{ type: "command", command: `${self} hook ${e}`, timeout: 10 }] }]])) });
  };

  test("hooks of an earlier setup still work: ok, saying that setup upgrades them; setup does, and they are current", async () => {
    const { env, claude } = setupEnv();
    writeFileSync(join(claude.root, "settings.json"), earlierSetup());
    const before = await verify(env);
    expect(before.check("hooks")).toMatchObject({ status: "ok" });
    expect(before.check("hooks").detail).toBe(
      `registered in ${join(claude.root, "settings.json")} in an earlier form, which works; claude-code-sync setup upgrades them and adds StopFailure, PostCompact`,
    );
    expect((await runCli(["setup"], { env })).code).toBe(0);
    const after = await verify(env);
    expect(after.check("hooks")).toMatchObject({ status: "ok" });
    expect(after.check("hooks").detail).toStartWith("SessionStart, UserPromptSubmit, Stop, StopFailure, SubagentStop, PostCompact, SessionEnd registered in");
  }, 60_000);

  test("an event the sync needs has no hook: a warning naming it", async () => {
    const { env, claude } = setupEnv();
    writeFileSync(join(claude.root, "settings.json"), earlierSetup(["SessionStart", "UserPromptSubmit", "SubagentStop", "SessionEnd"]));
    const r = await verify(env);
    expect(r.check("hooks")).toMatchObject({ status: "warn", fix: "claude-code-sync setup (or run claude-code-sync watch)" });
    expect(r.check("hooks").detail).toBe(`missing for Stop in ${join(claude.root, "settings.json")}: sessions are sent only when claude-code-sync sync runs`);
  }, 30_000);

  test("hooks from the enabled plugin: ok when claude-code-sync is on PATH, else a failure saying so", async () => {
    const { env, claude, home } = setupEnv();
    writeFileSync(join(claude.root, "settings.json"), JSON.stringify({ enabledPlugins: { "claude-code-sync@claude-code-sync": true } }));
    const bin = join(home, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "claude-code-sync"), "#!/bin/sh\n", { mode: 0o755 });
    const onPath = await verify({ ...env, PATH: `${bin}:/usr/bin:/bin` });
    expect(onPath.check("hooks")).toMatchObject({ status: "ok" });
    expect(onPath.check("hooks").detail).toContain(`plugin claude-code-sync@claude-code-sync (enabled in ${join(claude.root, "settings.json")}); they run ${join(bin, "claude-code-sync")}`);
    const notOnPath = await verify({ ...env, PATH: "/usr/bin:/bin" });
    expect(notOnPath.code).toBe(2);
    expect(notOnPath.check("hooks")).toMatchObject({ status: "fail" });
    expect(notOnPath.check("hooks").detail).toContain("PATH has none");
  });

  test("a disabled plugin is no hooks; the plugin and setup's hooks together are a failure", async () => {
    const { env, claude } = setupEnv();
    const settings = join(claude.root, "settings.json");
    writeFileSync(settings, JSON.stringify({ enabledPlugins: { "claude-code-sync@x": false } }));
    expect((await verify(env)).check("hooks")).toMatchObject({ status: "warn", fix: "claude-code-sync setup (or run claude-code-sync watch)" });
    expect((await runCli(["setup"], { env })).code).toBe(0);
    const both = JSON.parse(readFileSync(settings, "utf8"));
    writeFileSync(settings, JSON.stringify({ ...both, enabledPlugins: { "claude-code-sync@x": true } }));
    const r = await verify(env);
    expect(r.check("hooks")).toMatchObject({ status: "fail", fix: "claude-code-sync setup --uninstall (the plugin stays)" });
    expect(r.check("hooks").detail).toContain("every event runs twice");
  });

  test("a refused key from the config file: fix with login; the key never shown", async () => {
    const { env, home } = setupEnv();
    const wrong = `osk_${"w".repeat(32)}`;
    mkdirSync(join(home, ".claude-code-sync"), { mode: 0o700 });
    writeFileSync(join(home, ".claude-code-sync", "config.json"), JSON.stringify({ convexUrl: server.url, apiKey: wrong }), { mode: 0o600 });
    const { CLAUDE_CODE_SYNC_API_KEY: _, CLAUDE_CODE_SYNC_URL: __, ...withoutEnv } = env;
    const r = await runCli(["verify"], { env: withoutEnv });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/✓ Server reachable/);
    expect(r.stdout).toMatch(/✗ API key valid +the server refused the API key \(Invalid API key\)/);
    expect(r.stdout).toContain("fix: claude-code-sync login");
    expect(r.stdout).not.toContain("w".repeat(32));
  });

  test("a refused key from the environment: the fix names the variable", async () => {
    const { env } = setupEnv();
    const r = await verify({ ...env, CLAUDE_CODE_SYNC_API_KEY: `osk_${"e".repeat(32)}` });
    expect(r.code).toBe(2);
    expect(r.check("apiKey").status).toBe("fail");
    expect(r.check("apiKey").fix).toContain("$CLAUDE_CODE_SYNC_API_KEY");
  });

  test("a wrong URL from the environment: the fix names the variable", async () => {
    const { env } = setupEnv();
    const wrong = { ...env, CLAUDE_CODE_SYNC_URL: `${server.url}/nope` };
    const r = await verify(wrong);
    expect([r.code, (await runCli(["sync"], { env: wrong })).code]).toEqual([2, 2]); // a wrong URL: 2 from both (verify said 1)
    expect(r.check("server")).toMatchObject({ status: "fail" });
    expect(r.check("server").fix).toStartWith("set $CLAUDE_CODE_SYNC_URL to the sync API's address, or unset it and run claude-code-sync login; the address is https://api.opensync.dev for hosted OpenSync, or your own deployment's https://<name>.convex.site");
  });

  test("server down: the server check fails with what to check, the key check is skipped", async () => {
    const { env } = setupEnv();
    const r = await verify({ ...env, CLAUDE_CODE_SYNC_URL: `http://127.0.0.1:${closedPort}` });
    expect(r.code).toBe(1);
    expect(r.check("server")).toMatchObject({ status: "fail" });
    expect(r.check("server").detail).toContain(`127.0.0.1:${closedPort}`);
    expect(r.check("server").fix).toContain("check your network");
    expect(r.check("apiKey").status).toBe("skip");
  });

  test("not logged in: credentials fail with login; the server checks are skipped", async () => {
    const { claude } = setupEnv();
    const r = await verify({ HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root });
    expect(r.code).toBe(2); // a login problem: 2, as for every command
    expect(r.check("credentials")).toMatchObject({ status: "fail" });
    expect(r.check("credentials").fix).toStartWith("claude-code-sync login");
    expect([r.check("server").status, r.check("apiKey").status, r.check("state").status]).toEqual(["skip", "skip", "skip"]);
  });

  test("no transcripts folder: a failure that says where to look, exit 2 as sync's", async () => {
    const { env } = setupEnv();
    const nowhere = { ...env, CLAUDE_CONFIG_DIR: join(tempHome(), "nowhere") };
    const r = await verify(nowhere);
    expect([r.code, (await runCli(["sync"], { env: nowhere })).code]).toEqual([2, 2]);
    expect(r.check("transcripts").status).toBe("fail");
    expect(r.check("transcripts").fix).toContain("CLAUDE_CONFIG_DIR");
  });

  // A typo in one entry of a CLAUDE_CONFIG_DIR list was passed over in silence: "✓", and that account's sessions never sent.
  test("a CLAUDE_CONFIG_DIR list naming a folder that is not there: a warning that names it, exit 0", async () => {
    const { env, claude } = setupEnv();
    const typo = join(tempHome(), ".claude-wrok");
    const r = await verify({ ...env, CLAUDE_CONFIG_DIR: `${claude.root},${typo}` });
    expect(r.code).toBe(0);
    expect(r.check("transcripts")).toMatchObject({ status: "warn", fix: "correct it in CLAUDE_CONFIG_DIR, or remove it" });
    expect(r.check("transcripts").detail).toContain(`CLAUDE_CONFIG_DIR also names ${typo}, no folder: nothing there is read`);
    // One that exists but has no projects/ yet (an account with no session so far) is no typo.
    const fresh = tempHome();
    expect((await verify({ ...env, CLAUDE_CONFIG_DIR: `${claude.root},${fresh}` })).check("transcripts").status).toBe("ok");
  });

  test.skipIf(process.platform === "win32")("a config file others can read is reported and made owner-only", async () => {
    const { env, home } = setupEnv();
    const dir = join(home, ".claude-code-sync");
    mkdirSync(dir, { mode: 0o700 });
    const path = join(dir, "config.json");
    writeFileSync(path, JSON.stringify({ options: {} }));
    chmodSync(path, 0o644);
    const r = await verify(env);
    expect(r.check("config")).toMatchObject({ status: "ok" });
    expect(r.check("config").detail).toContain("other users could read it");
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test("a broken config file fails with how to fix it", async () => {
    const { env, home } = setupEnv();
    mkdirSync(join(home, ".claude-code-sync"), { mode: 0o700 });
    writeFileSync(join(home, ".claude-code-sync", "config.json"), "{ not json", { mode: 0o600 });
    const r = await verify(env);
    expect(r.check("config").status).toBe("fail");
    expect(r.check("config").fix).toContain("claude-code-sync login");
    expect(r.check("credentials").status).toBe("skip");
  });

  test("a file where our folder or the state's folder should be fails with the move that mends it, as sync says", async () => {
    const { env, home } = setupEnv();
    const dir = join(home, ".claude-code-sync");
    writeFileSync(dir, "");
    const r = await verify(env);
    expect(r.code).toBe(2);
    expect(r.check("config")).toMatchObject({ status: "fail", fix: `move ${dir} aside, a file where a folder should be (mv "${dir}" "${dir}.old")` });
    expect(r.check("credentials").status).toBe("skip");

    const { env: env2, home: home2 } = setupEnv();
    const state = join(home2, ".claude-code-sync", "state");
    mkdirSync(join(home2, ".claude-code-sync"), { mode: 0o700 });
    writeFileSync(state, "");
    const s = await verify(env2);
    expect(s.code).toBe(2);
    expect(s.check("state")).toMatchObject({ status: "fail", fix: `move ${state} aside, a file where a folder should be (mv "${state}" "${state}.old")` });
    expect((await runCli(["sync"], { env: env2 })).stderr).toContain(s.check("state").fix!);
  });

  test("a folder where config.json should be: moving it aside is the fix, not chmod 600 (verify said that, the others 'EISDIR: illegal operation on a directory')", async () => {
    const { env, home } = setupEnv();
    const path = join(home, ".claude-code-sync", "config.json");
    mkdirSync(path, { recursive: true, mode: 0o755 });
    const r = await verify(env);
    const says = `Cannot read ${path}: it is a folder, where a file should be: move it aside (mv "${path}" "${path}.old") and try again.`;
    expect(r.check("config")).toMatchObject({ status: "fail", detail: says, fix: `mv "${path}" "${path}.old"` });
    const sync = await runCli(["sync"], { env });
    expect(sync).toMatchObject({ code: 2, stderr: `claude-code-sync: ${says}\n` });

    const settings = join(env.CLAUDE_CONFIG_DIR, "settings.json");
    mkdirSync(settings);
    const setup = await runCli(["setup"], { env });
    expect(setup).toMatchObject({ code: 2, stderr: `claude-code-sync: Cannot read ${settings}: it is a folder, where a file should be: move it aside (mv "${settings}" "${settings}.old") and try again.\n` });
  });

  test("state: a lock left by a dead process is cleared; a damaged database fails with the way out", async () => {
    const { env, home } = setupEnv();
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const stateDir = join(home, ".claude-code-sync", "state");
    const db = join(stateDir, readdirSync(stateDir).find((f) => f.endsWith(".db"))!);
    const dead = Bun.spawnSync([process.execPath, "-e", "0"]).pid; // exited: its pid is free
    const sqlite = new Database(db);
    sqlite.run("INSERT OR REPLACE INTO lock (id, pid, token, heartbeat) VALUES (1, ?, ?, ?)", [dead, "gone", Date.now()]);
    sqlite.close();

    const stale = await verify(env);
    expect(stale.check("state")).toMatchObject({ status: "ok" });
    expect(stale.check("state").detail).toContain(`cleared a stale lock left by pid ${dead}`);
    const after = new Database(db);
    expect(after.query("SELECT COUNT(*) AS n FROM lock").get()).toEqual({ n: 0 });
    after.close();

    for (const f of readdirSync(stateDir)) writeFileSync(join(stateDir, f), "this is not a database".repeat(500));
    const damaged = await verify(env);
    expect(damaged.code).toBe(2); // as sync, which refuses a damaged state until it is moved aside
    expect(damaged.check("state").status).toBe("fail");
    expect(damaged.check("state").fix).toContain(`mv "${db}" "${db}.broken"`);
  });

  // SQLite's check answered its hundred lines in one row, and the check's detail printed every one of them.
  test("state: a damaged page map is said in one line, the first three problems and how many more", async () => {
    const { env, home } = setupEnv();
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const stateDir = join(home, ".claude-code-sync", "state");
    const db = join(stateDir, readdirSync(stateDir).find((f) => f.endsWith(".db"))!);
    // Page 2, the page map of an incrementally vacuumed database: the file opens and reads, and the check lists each page it cannot place.
    const bytes = readFileSync(db);
    bytes.fill(0x5a, 4096, 8192);
    writeFileSync(db, bytes);

    const damaged = await verify(env);
    expect(damaged.code).toBe(2);
    const { detail, fix } = damaged.check("state");
    expect(detail).toMatch(new RegExp(`^${db.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is damaged: [^;\n]+; [^;\n]+; [^;\n]+; and \\d+ more$`));
    expect(detail).not.toContain("***");
    expect(fix).toContain(`mv "${db}" "${db}.broken"`);
  });

  test("state: a database damaged past its first page is said damaged, as sync says, not in SQLite's words", async () => {
    const { env, home } = setupEnv();
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const stateDir = join(home, ".claude-code-sync", "state");
    const db = join(stateDir, readdirSync(stateDir).find((f) => f.endsWith(".db"))!);
    // The header and schema (page 1) stay: the file opens, and the damage is met on reading.
    const bytes = readFileSync(db);
    bytes.fill(0xa5, 4096);
    writeFileSync(db, bytes);

    const damaged = await verify(env);
    const sync = await runCli(["sync"], { env });
    expect([damaged.code, sync.code]).toEqual([2, 2]);
    // The detail before the matcher: toMatchObject puts its matchers in place of the fields they match (oven-sh/bun#3521).
    expect(damaged.check("state").detail).toBe(sync.stderr.trim().replace(/^claude-code-sync: /, ""));
    expect(damaged.check("state")).toMatchObject({ status: "fail", fix: expect.stringContaining(`mv "${db}" "${db}.broken"`) });
    expect(damaged.check("serverCopy")).toMatchObject({ status: "skip", detail: "needs a readable sync state" });
  });
});
