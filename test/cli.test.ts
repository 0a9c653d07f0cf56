import { describe, expect, test } from "bun:test";
import pkg from "../package.json";
import { runCli, tempHome } from "./helpers/cli.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const env = () => ({ HOME: tempHome() });

describe("command line", () => {
  test("--version prints the package version", async () => {
    const r = await runCli(["--version"], { env: env() });
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
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

  test("an unknown flag exits 2 with a clear message", async () => {
    const r = await runCli(["sync", "--dry-run", "--frob"], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option `--frob`");
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

  test("--session limits the output to one session", async () => {
    const r = await runCli(["sync", "--dry-run", "--json", "--session", SESSION], { env: dirEnv() });
    expect(JSON.parse(r.stdout).sessions.map((s: { externalId: string }) => s.externalId)).toEqual([SESSION]);
  });

  test("an unknown --session is an error that names it", async () => {
    const r = await runCli(["sync", "--dry-run", "--session", "nope"], { env: dirEnv() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No session nope");
  });

  test("the human table has a row per session and a totals row", async () => {
    const r = await runCli(["sync", "--dry-run"], { env: dirEnv() });
    expect(r.stdout).toContain("Add a login page");
    expect(r.stdout).toContain("Total: 2 sessions");
    expect(r.stdout).toContain("Dry run: nothing was sent.");
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
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("CLAUDE_CONFIG_DIR");
  });
});
