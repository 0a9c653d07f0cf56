import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../package.json";
import { runCli, tempHome } from "./helpers/cli.ts";
import { closedPort } from "./helpers/closed-port.ts";
import { terminal } from "./helpers/terminal.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const env = () => ({ HOME: tempHome() });

describe("command line", () => {
  test("--version prints the package version", async () => {
    const r = await runCli(["--version"], { env: env() });
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  test("--version --json prints the version as JSON", async () => {
    const r = await runCli(["--version", "--json"], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ version: pkg.version });
  });

  // `help` said "Unknown command \"help\"".
  test.each([[[], []], [[], ["status"]], [[], ["sync"]], [["--verbose"], ["status"]]])("%p help %p shows what --help shows", async (flags, topic) => {
    const asked = await runCli([...flags, "help", ...topic], { env: env() });
    const flag = await runCli([...flags, ...topic, "--help"], { env: env() });
    expect(asked).toMatchObject({ code: 0, stderr: "" });
    expect(asked.stdout).toContain("Usage:");
    expect(asked.stdout).toBe(flag.stdout);
  });

  // It showed only a self-hosted address's shape (https://<name>.convex.site), not hosted OpenSync's.
  test("login --help names hosted OpenSync's address", async () => {
    const r = await runCli(["login", "--help"], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--url <url> +OpenSync URL \(hosted OpenSync: https:\/\/api\.opensync\.dev\)/);
  });

  // It listed exit codes 1 and 2, which the hook never gives (Claude Code would show them as a hook error).
  test("hook --help: exit 0, always", async () => {
    const r = await runCli(["hook", "--help"], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout.slice(r.stdout.indexOf("Exit codes:"))).toBe("Exit codes:\n  0  always, also when something went wrong: that goes to\n     ~/.claude-code-sync/sync.log, and status shows it\n");
  });

  test("--help lists every documented command", async () => {
    const r = await runCli(["--help"], { env: env() });
    for (const c of ["login", "status", "sync", "logout", "setup", "verify", "synctest", "config", "set", "hook", "watch"]) {
      expect(r.stdout).toContain(`  ${c}`);
    }
  });

  test("an unknown command exits 2 with a clear message", async () => {
    const r = await runCli(["frobnicate"], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown command "frobnicate"');
  });

  test("the parser's own errors end a sentence, then say where to look", async () => {
    const missing = await runCli(["sync", "--session"], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('claude-code-sync: option `--session <id>` value is missing. Run "claude-code-sync sync --help".\n');
    // An argument the command does not take: said in the user's words (it said cac's "Unused args: `extra`").
    const extra = await runCli(["status", "extra", "more"], { env: env() });
    expect(extra.code).toBe(2);
    expect(extra.stderr).toBe('claude-code-sync: Unexpected arguments `extra`, `more` for status. Run "claude-code-sync status --help".\n');
    // set without its arguments: our own usage, naming the options.
    const args = await runCli(["set"], { env: env() });
    expect(args.code).toBe(2);
    expect(args.stderr).toBe(
      "claude-code-sync: Give an option and its value: claude-code-sync set <option> <value>. The options: toolCalls, thinking, subagentMessages, excludeProjects, redact, redactPatterns, priceUpdates; `claude-code-sync config` shows their values.\n",
    );
  });

  test("an unknown flag exits 2 with a clear message", async () => {
    const r = await runCli(["sync", "--dry-run", "--frob"], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option `--frob`");
  });

  test.each([
    [["stauts"], 'Unknown command "stauts". Did you mean `status`?'],
    // A flag after a mistyped command: the command is what is wrong (it said "Unknown option `--dry-run`. Did you mean `--dry-run`?").
    [["sycn", "--dry-run"], 'Unknown command "sycn". Did you mean `sync`?'],
    [["sync", "--dryrun"], "Unknown option `--dryrun` for sync. Did you mean `--dry-run`?"],
    [["-V"], "Unknown option `-V`. Did you mean `--verbose` or `--version`?"],
    [["status", "--jsn"], "Unknown option `--jsn` for status. Did you mean `--json`?"],
    [["--jsn", "status"], "Unknown option `--jsn`. Did you mean `--json`?"],
  ])("%p is a usage error that says what was meant", async (args, message) => {
    const r = await runCli(args, { env: env() });
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain(message);
  });

  // The help of a mistyped command was the general help, exit 0: the typo went unsaid.
  test.each([[["help", "stauts"]], [["stauts", "--help"]], [["--verbose", "help", "stauts"]], [["stauts", "-h"]]])("%p: the unknown command, not the general help", async (args) => {
    const r = await runCli(args, { env: env() });
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toBe('claude-code-sync: Unknown command "stauts". Did you mean `status`? Run "claude-code-sync --help" to see the commands.\n');
  });

  test("a mistyped command with --json: the unknown command, in JSON on stdout", async () => {
    const r = await runCli(["stauts", "--json"], { env: env() });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: 'Unknown command "stauts". Did you mean `status`? Run "claude-code-sync --help" to see the commands.', code: "unknown-command" });
  });

  // Before a command, a flag only commands have took the next word as its value: `help --json stauts`
  // showed the general help (exit 0), `--json stauts` said "Unknown option `--json`. Did you mean `--json`?".
  test.each([[["help", "--json", "stauts"]], [["--json", "stauts"]], [["--json", "--dry-run", "stauts", "--help"]]])("%p: the unknown command", async (args) => {
    const r = await runCli(args, { env: env() });
    const message = 'Unknown command "stauts". Did you mean `status`? Run "claude-code-sync --help" to see the commands.';
    expect(r).toMatchObject({ code: 2, stderr: `claude-code-sync: ${message}\n` });
    expect(JSON.parse(r.stdout)).toEqual({ error: message, code: "unknown-command" });
  });

  // A command's flag with no command said "Unknown option `--json`. Did you mean `--json`?".
  test.each([
    [["--json"], '`--json` needs a command: it is an option of status, sync, verify, config (e.g. claude-code-sync status --json). Run "claude-code-sync --help" to see the commands.'],
    [["--session", "abc"], '`--session` needs a command: it is an option of sync (e.g. claude-code-sync sync --session <id>). Run "claude-code-sync --help" to see the commands.'],
  ])("%p: the flag needs a command", async (args, message) => {
    const r = await runCli(args, { env: env() });
    expect(r).toMatchObject({ code: 2, stderr: `claude-code-sync: ${message}\n` });
  });

  test.each([[["--verbose", "status"]], [["status", "--verbose"]]])("%p: --verbose works before and after the command", async (args) => {
    const r = await runCli(args, { env: env() });
    expect(r.code).toBe(2); // not logged in: the status, not the help
    expect(r.stdout).toContain("State databases: none yet");
    expect(r.stdout).toContain("Not logged in");
  });

  test("every command's --help has a description, the environment and the exit codes, in 80 columns", async () => {
    for (const command of ["login", "logout", "status", "sync", "setup", "verify", "synctest", "config", "set", "watch"]) {
      const r = await runCli([command, "--help"], { env: env() });
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n\n")[2]).not.toMatch(/^Options:/); // the description comes between usage and options
      expect(r.stdout).toContain("Exit codes:");
      if (command !== "set") expect(r.stdout).toContain("Environment:");
      expect(r.stdout).toContain(`Examples:\n  $ claude-code-sync ${command}`);
      expect(r.stdout.split("\n").filter((line) => Bun.stringWidth(line) > 80)).toEqual([]);
    }
    const login = await runCli(["login", "--help"], { env: env() });
    expect(login.stdout).toContain("--api-key-stdin");
    expect(login.stdout).toContain("CLAUDE_CODE_SYNC_API_KEY");
    expect((await runCli(["sync", "--help"], { env: env() })).stdout).toContain("130");
    for (const command of ["status", "verify", "synctest"]) expect((await runCli([command, "--help"], { env: env() })).stdout).toContain("130  stopped by Ctrl-C");
  });
});

describe("--json failures: JSON on stdout, a stable code, the documented exit code", () => {
  const claude = tempClaudeDir();
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("hello")]));
  test.each([
    ["not logged in", ["sync", "--json"], {}, 2, "not-logged-in"],
    ["not logged in (status)", ["status", "--json"], {}, 2, "not-logged-in"],
    ["an unknown flag", ["sync", "--json", "--frob"], {}, 2, "unknown-option"],
    ["--redactions without --dry-run", ["sync", "--json", "--redactions"], {}, 2, "usage"],
    ["no transcripts folder", ["sync", "--json"], { CLAUDE_CONFIG_DIR: "/nonexistent/claude" }, 2, "no-transcripts"],
    ["an unknown session", ["sync", "--dry-run", "--json", "--session", "9999"], {}, 2, "session-not-found"],
  ] as const)("%s", async (_, args, extra, code, name) => {
    const r = await runCli([...args], { env: { ...env(), CLAUDE_CONFIG_DIR: claude.root, ...extra } });
    expect(r.code).toBe(code);
    const out = JSON.parse(r.stdout);
    expect(out.code).toBe(name);
    expect(out.error).toBeString();
    // status reports its problems in its own output; the others also say them on stderr.
    if (args[0] !== "status") expect(r.stderr).toContain(out.error);
  });

  test("no transcripts folder: a CLAUDE_CONFIG_DIR that does not exist is named (exit 2); before Claude Code's first session (a new install) there is calmly nothing to sync yet", async () => {
    const configured = await runCli(["sync"], { env: { ...env(), CLAUDE_CONFIG_DIR: "/nonexistent/claude" } });
    expect(configured.code).toBe(2);
    expect(configured.stderr).toContain("no projects/ folder in /nonexistent/claude (CLAUDE_CONFIG_DIR)");
    expect(configured.stderr).toContain("set CLAUDE_CONFIG_DIR to the folder that holds Claude Code's projects/");
    const defaults = await runCli(["sync", "--dry-run"], { env: env() });
    expect(defaults).toMatchObject({ code: 0, stderr: "" });
    expect(defaults.stdout).toContain("No Claude Code sessions yet (no ~/.claude/projects or ~/.config/claude/projects)");
    expect(defaults.stdout).toContain("Nothing to sync yet");
    const unused = await runCli(["sync", "--dry-run"], { env: { ...env(), CLAUDE_CONFIG_DIR: tempHome() } });
    expect(unused.code).toBe(0);
    expect(unused.stdout).toContain("Nothing to sync yet");
  });

  test("status with a CLAUDE_CONFIG_DIR that does not exist says so as sync does, exit 2 (it exited 0 or 1 saying nothing of it)", async () => {
    const r = await runCli(["status"], {
      env: { ...env(), CLAUDE_CONFIG_DIR: "/nonexistent/claude", CLAUDE_CODE_SYNC_URL: `http://127.0.0.1:${await closedPort()}`, CLAUDE_CODE_SYNC_API_KEY: `osk_${"k".repeat(32)}` },
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("No Claude Code sessions to sync: no projects/ folder in /nonexistent/claude (CLAUDE_CONFIG_DIR). To fix, set CLAUDE_CONFIG_DIR");
    const json = await runCli(["status", "--json"], { env: { ...env(), CLAUDE_CONFIG_DIR: "/nonexistent/claude" } });
    expect(JSON.parse(json.stdout).error).toContain("no projects/ folder in /nonexistent/claude");
  });

  test("a CLAUDE_CONFIG_DIR that is a file is a typo, as one that does not exist (it said 'nothing to sync yet', exit 0)", async () => {
    const file = join(tempHome(), "settings.json");
    writeFileSync(file, "{}");
    const r = await runCli(["sync"], { env: { ...env(), CLAUDE_CONFIG_DIR: file } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no projects/ folder in ${file} (CLAUDE_CONFIG_DIR; ${file} is a file, not a folder)`);
    expect(r.stderr).toContain("set CLAUDE_CONFIG_DIR to the folder that holds Claude Code's projects/");
  });
});

describe("sync --dry-run", () => {
  const claude = tempClaudeDir();
  claude.write(
    `p/${SESSION}.jsonl`,
    jsonl([user("Add a login page"), assistant("msg_1", text("Sure."), { usage: { input: 10, output: 20, cacheCreation: 30, cacheRead: 40 } })]),
  );
  claude.write("p/33333333-3333-4333-8333-333333333333.jsonl", jsonl([user("Other", { sessionId: "33333333-3333-4333-8333-333333333333" })]));
  const dirEnv = () => ({ ...env(), CLAUDE_CONFIG_DIR: claude.root });

  test("--json gives sessions, totals and skipped", async () => {
    const r = await runCli(["sync", "--dry-run", "--json"], { env: dirEnv() });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const s = out.sessions.find((x: { externalId: string }) => x.externalId === SESSION);
    expect(s).toMatchObject({
      title: "Add a login page",
      projectPath: "/home/dev/project-x",
      projectName: "project-x",
      model: "claude-sonnet-4-5-20250929",
      provider: "anthropic",
      source: "claude-code",
      messageCount: 2,
      promptTokens: 80,
      completionTokens: 20,
      usage: { inputTokens: 10, outputTokens: 20, cacheCreationTokens: 30, cacheReadTokens: 40 },
    });
    expect(s.cost).toBeCloseTo((10 * 3 + 20 * 15 + 30 * 3.75 + 40 * 0.3) / 1e6, 12);
    expect(out.totals).toMatchObject({ sessions: 2, messages: 3, inputTokens: 10, outputTokens: 20 });
    expect(out.skipped).toMatchObject({ badLines: 0, files: 0 });
  });

  // Under about 70 columns every row wrapped: the table was as wide as its columns at their minimum.
  test.skipIf(process.platform === "win32").each([
    // 60: without Model, 62 wide: Session (16) gives up 2. 40: Id, Session, Tokens, Cost, 41 wide: Session gives up 1.
    [60, "Id        Session         Project    Messages  Tokens   Cost", "11111111  Add a login p…  project-x         2     100  $0.00"],
    [40, "Id        Session          Tokens   Cost", "11111111  Add a login pa…     100  $0.00"],
  ])("in a terminal %p columns wide the table fits, the model and then other columns left out", async (cols, header, row) => {
    const tty = terminal(["sync", "--dry-run", "--offline"], dirEnv(), { cols });
    expect(await tty.exited()).toBe(0);
    const table = tty.screen().replaceAll("\r\n", "\n").split("\n\n")[0]!.split("\n");
    expect(table[0]).toBe(header);
    expect(table.find((line) => line.startsWith("11111111"))).toBe(row);
    expect(table.filter((line) => Bun.stringWidth(line) > cols)).toEqual([]);
  });

  test("out of a terminal, the table keeps every column", async () => {
    const r = await runCli(["sync", "--dry-run", "--offline"], { env: dirEnv() });
    expect(r.stdout.split("\n")[0]).toMatch(/^Id +Session +Project +Model +Messages +Tokens +Cost$/);
  });

  test("--session limits the output to one session", async () => {
    const r = await runCli(["sync", "--dry-run", "--json", "--session", SESSION], { env: dirEnv() });
    expect(JSON.parse(r.stdout).sessions.map((s: { externalId: string }) => s.externalId)).toEqual([SESSION]);
  });

  test("an unknown --session is a usage error that names it", async () => {
    const r = await runCli(["sync", "--dry-run", "--session", "nope"], { env: dirEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("No session nope");
  });

  test("--session takes the start of an id; an ambiguous start lists the matches", async () => {
    const dir = tempClaudeDir();
    const near = "11112222-1111-4111-8111-111111111111";
    dir.write(`p/${SESSION}.jsonl`, jsonl([user("one")]));
    dir.write(`p/${near}.jsonl`, jsonl([user("two", { sessionId: near })]));
    const dirEnv = { ...env(), CLAUDE_CONFIG_DIR: dir.root };
    const ids = async (prefix: string) => {
      const r = await runCli(["sync", "--dry-run", "--json", "--session", prefix], { env: dirEnv });
      return JSON.parse(r.stdout).sessions?.map((s: { externalId: string }) => s.externalId);
    };
    expect(await ids("111111")).toEqual([SESSION]);
    expect(await ids("11112")).toEqual([near]);
    const ambiguous = await runCli(["sync", "--dry-run", "--session", "1111"], { env: dirEnv });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('"1111" is the start of 2 session ids; give more of it:');
    expect(ambiguous.stderr).toContain(`  ${SESSION}\n  ${near}`);
  });

  test("the human table: a row per session with its short id and a totals row", async () => {
    const r = await runCli(["sync", "--dry-run"], { env: dirEnv() });
    expect(r.stdout).toMatch(/^11111111  Add a login page  project-x  sonnet-4-5 +2 +100 +\$0\.00$/m);
    expect(r.stdout).toMatch(/^Total {5}2 sessions /m);
    expect(r.stdout).not.toContain(SESSION);
    expect(r.stdout).toContain("Dry run: nothing was sent.");
    const verbose = await runCli(["sync", "--dry-run", "--verbose"], { env: dirEnv() });
    expect(verbose.stdout).toContain(`${SESSION}  Add a login page`);
    expect(verbose.stdout).toContain("claude-sonnet-4-5-20250929");
  });

  test("long titles and project names are cut so the table fits 80 columns", async () => {
    const dir = tempClaudeDir();
    const cwd = `/home/dev/${"a-very-long-project-name-".repeat(3)}`;
    dir.write(`p/${SESSION}.jsonl`, jsonl([user(`Please ${"refactor the whole payment module and ".repeat(3)}`, { cwd }), assistant("msg_1", text("ok"), { cwd })]));
    const r = await runCli(["sync", "--dry-run", "--redactions"], { env: { ...env(), CLAUDE_CONFIG_DIR: dir.root } });
    const lines = r.stdout.split("\n");
    expect(Math.max(...lines.map((line) => Bun.stringWidth(line)))).toBeLessThanOrEqual(80);
    expect(lines[1]).toContain("Please refa");
    expect(lines[1]).toContain("…");
  });

  test("an unreadable line is said with where the first one is", async () => {
    const dir = tempClaudeDir();
    const good = jsonl([user("one")]);
    const path = dir.write(`p/${SESSION}.jsonl`, `${good}{not json\n${jsonl([user("two")])}`);
    const r = await runCli(["sync", "--dry-run"], { env: { ...env(), CLAUDE_CONFIG_DIR: dir.root } });
    expect(r.stdout).toContain(`Skipped 1 unreadable line (the first at byte ${Buffer.byteLength(good)} of ${path}).`);
    const json = await runCli(["sync", "--dry-run", "--json"], { env: { ...env(), CLAUDE_CONFIG_DIR: dir.root } });
    expect(JSON.parse(json.stdout).skipped).toMatchObject({ badLines: 1, firstBadLine: { path, offset: Buffer.byteLength(good) } });
  });

  test("--redactions without --dry-run is a usage error", async () => {
    const r = await runCli(["sync", "--redactions"], { env: dirEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--redactions counts what a dry run would redact: add --dry-run");
  });

  test("--redactions counts the secrets each session would lose; titles are shown redacted", async () => {
    const dir = tempClaudeDir();
    const key = `sk-ant-api03-${"Q7".repeat(20)}`;
    dir.write(`p/${SESSION}.jsonl`, jsonl([user(`use ${key} for the call`), assistant("msg_1", text(`Using ${key} and ghp_${"a1B2".repeat(9)}`))]));
    const r = await runCli(["sync", "--dry-run", "--json", "--redactions"], { env: { ...env(), CLAUDE_CONFIG_DIR: dir.root } });
    const s = JSON.parse(r.stdout).sessions[0];
    expect(s.redactions).toBe(3);
    expect(s.title).toContain("[REDACTED:anthropic-key]");
    expect(r.stdout).not.toContain(key);
  });

  test("no sessions folder is a clear message", async () => {
    const r = await runCli(["sync", "--dry-run"], { env: { ...env(), CLAUDE_CONFIG_DIR: "/nonexistent/claude" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("CLAUDE_CONFIG_DIR");
  });
});

describe("an API key of the wrong shape", () => {
  // It was sent, and the server's "Invalid API key format" reported; a value of the wrong shape may be another secret.
  test.each([
    ["quoted, in the environment", { CLAUDE_CODE_SYNC_API_KEY: `"osk_${"a".repeat(32)}"` }, undefined, "in $CLAUDE_CODE_SYNC_API_KEY", "Remove the quotes"],
    ["with Bearer, in the environment", { CLAUDE_CODE_SYNC_API_KEY: `Bearer osk_${"a".repeat(32)}` }, undefined, "in $CLAUDE_CODE_SYNC_API_KEY", '"Bearer "'],
    ["too short, saved in config.json by hand", {}, `osk_${"a".repeat(20)}`, "saved by login", "20 characters"],
    ["another service's key, saved in config.json by hand", {}, `sk-proj-${"a".repeat(40)}`, "saved by login", 'start with "osk_"'],
  ] as const)("%s: sync, watch, status and synctest say what is wrong (exit 2) and send nothing", async (_, keyEnv, savedKey, where, problem) => {
    let requests = 0;
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (requests++, Response.json({ error: "Invalid API key format" }, { status: 401 })) });
    try {
      const home = tempHome();
      const url = `http://127.0.0.1:${server.port}`;
      const key = savedKey ?? `osk_${"b".repeat(32)}`;
      mkdirSync(join(home, ".claude-code-sync"), { recursive: true });
      writeFileSync(join(home, ".claude-code-sync", "config.json"), JSON.stringify({ convexUrl: url, apiKey: key }));
      const claude = tempClaudeDir();
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("hi"), assistant("msg_1", text("hello"))]));
      const runEnv = { HOME: home, CLAUDE_CONFIG_DIR: claude.root, ...keyEnv };
      for (const args of [["sync"], ["watch"], ["synctest"]]) {
        const r = await runCli(args, { env: runEnv });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`The API key ${where} is no OpenSync key (nothing was sent): `);
        expect(r.stderr).toContain(problem);
      }
      const status = await runCli(["status", "--json"], { env: runEnv });
      expect(JSON.parse(status.stdout).error).toContain(problem);
      expect(requests).toBe(0);
    } finally {
      server.stop(true);
    }
  });
});

describe("a URL that answers a web page (the web app's address, not the sync API's)", () => {
  // login said "a web page", sync, verify and synctest "something that is not OpenSync", sync at /api/sessions?limit=1.
  test("login, sync, verify, synctest and status say it in the same words, at the address given, with what to use instead", async () => {
    const page = "<!doctype html><html><head><title>OpenSync</title></head><body><div id=root></div></body></html>";
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(page, { headers: { "content-type": "text/html" } }) });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const key = `osk_${"k".repeat(32)}`;
      const same = `${url} answered HTTP 200 with a web page ("OpenSync") instead of OpenSync's reply: that is a web app's or a proxy's page, not the sync API`;
      const home = tempHome();
      const login = await runCli(["login", "--url", url, "--api-key-stdin"], { env: { HOME: home }, stdin: key });
      expect(login.code).toBe(2);
      expect(login.stderr).toContain(same);
      expect(login.stderr).toContain("sync API's address (https://api.opensync.dev");
      const claude = tempClaudeDir();
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("hi"), assistant("msg_1", text("hello"))]));
      const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: url, CLAUDE_CODE_SYNC_API_KEY: key };
      for (const args of [["sync"], ["verify"], ["synctest"], ["status"]]) {
        const r = await runCli(args, { env });
        expect(r.code).toBe(2);
        expect(`${r.stdout}${r.stderr}`).toContain(same);
        expect(`${r.stdout}${r.stderr}`).toContain("set $CLAUDE_CODE_SYNC_URL to the sync API's address");
      }
    } finally {
      server.stop(true);
    }
  });
});

describe("a URL from $CLAUDE_CODE_SYNC_URL that cannot be used", () => {
  // They said what was wrong with the URL and nothing of where it came from; verify's fix was `login`, whose URL the variable hides.
  test.each([["sync"], ["sync --json"], ["status"], ["verify"], ["synctest"], ["watch"]])("`%s` names the variable and how to mend it, exit 2", async (command) => {
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("hi"), assistant("msg_1", text("hello"))]));
    const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: "https://", CLAUDE_CODE_SYNC_API_KEY: `osk_${"k".repeat(32)}` };
    const r = await runCli(command.split(" "), { env, timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    const out = `${r.stdout}${r.stderr}`;
    expect(out).toContain("The OpenSync URL is not an address.");
    expect(out).toContain("It comes from $CLAUDE_CODE_SYNC_URL: set $CLAUDE_CODE_SYNC_URL to the right address, or unset it and run claude-code-sync login.");
    if (command === "verify") expect(out).not.toMatch(/fix: claude-code-sync login$/m);
  });

  test("the same URL saved by login says nothing of a variable", async () => {
    const home = tempHome();
    mkdirSync(join(home, ".claude-code-sync"), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, ".claude-code-sync", "config.json"), JSON.stringify({ convexUrl: "https://", apiKey: `osk_${"k".repeat(32)}` }), { mode: 0o600 });
    const r = await runCli(["sync"], { env: { HOME: home, CLAUDE_CONFIG_DIR: tempClaudeDir().root } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("The OpenSync URL is not an address.");
    expect(r.stderr).not.toContain("comes from");
  });
});
