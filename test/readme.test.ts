/**
 * The README's promises, run: the commands at its top are the ones CI runs,
 * and its quick start, line by line, works against the test server from a
 * fresh HOME, as a new user would type it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { terminal } from "./helpers/terminal.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const ROOT = join(import.meta.dir, "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const QUICK_START_MARK = "<!-- quick-start:";

/** The lines of the first ```sh block after `from` in the README, comments and blank lines dropped. */
function shellBlock(markdown: string, from = 0): string[] {
  const start = markdown.indexOf("```sh\n", from);
  if (start < 0) return [];
  const end = markdown.indexOf("\n```", start + 6);
  return markdown
    .slice(start + 6, end)
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The commands of a shell script, `set` and comments left out. */
const scriptCommands = (script: string) =>
  script
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith("set "));

describe("the README's first commands", () => {
  test("start with .ci/run's, verbatim, then the dry run", () => {
    const ci = scriptCommands(readFileSync(join(ROOT, ".ci", "run"), "utf8"));
    expect(ci).toEqual(["npm ci", "npm test"]);
    expect(shellBlock(README)).toEqual([...ci, "npx bun src/cli.ts sync --dry-run"]);
  });

  test("the GitHub workflow runs exactly npm ci, then npm test", () => {
    const workflow = readFileSync(join(ROOT, ".github", "workflows", "ci.yml"), "utf8");
    expect([...workflow.matchAll(/^\s*- run: (.+)$/gm)].map((m) => m[1]!.trim())).toEqual(["npm ci", "npm test"]);
  });

  test("the README is a user's guide of at most 300 lines", () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(300);
  });

  test("the dry run needs no login and no server, and sends nothing", async () => {
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("Fix the flaky test"), assistant("msg_1", text("Done."))]));
    const r = await runCli(["sync", "--dry-run"], { env: { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Fix the flaky test");
    expect(r.stdout).toContain("Dry run: nothing was sent.");
  });
});

describe("the README's quick start, line by line, against the test server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const lines = shellBlock(README, README.indexOf(QUICK_START_MARK));

  test("is marked in the README and holds login, setup, sync and status", () => {
    expect(README).toContain(QUICK_START_MARK);
    expect(lines.map((line) => line.split(/\s+/)[1])).toEqual(["login", "setup", "sync", "status"]);
  });

  test("each line exits 0 and does what the README says", async () => {
    const home = tempHome();
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("Why is the cache cold?"), assistant("msg_1", text("The deploy clears it."))]));
    // Only the login gets the URL and the key: every later line must work from what it saved.
    const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root };

    /** What each documented line must leave behind, beyond exit code 0. */
    const outcomes: Record<string, (out: string) => void> = {
      login: (out) => {
        expect(out).toContain(`Logged in to ${server.url}`);
        expect(out).not.toContain(server.apiKey);
      },
      setup: () => {
        const settings = readFileSync(join(claude.root, "settings.json"), "utf8");
        for (const event of ["SessionStart", "UserPromptSubmit", "Stop", "SessionEnd"]) expect(settings).toContain(`"hook", "${event}"`);
      },
      sync: () => expect(server.session(SESSION)?.messages.map((m) => m.textContent)).toEqual(["Why is the cache cold?", "The deploy clears it."]),
      status: (out) => {
        expect(out).toContain("Sessions synced: 1");
        expect(out).toContain("Connected: true");
      },
    };

    for (const line of lines) {
      const [program, ...args] = line.split(/\s+/);
      expect(program).toBe("claude-code-sync");
      const check = outcomes[args[0]!];
      if (!check) throw new Error(`The quick start has a line this test does not know: ${line}. Add what it must do to \`outcomes\`.`);
      let code: number;
      let out: string;
      if (args[0] === "login" && args.length === 1 && process.platform !== "win32") {
        // As typed at a terminal: answer its two questions.
        const tty = terminal(args, env);
        await tty.waitFor("OpenSync URL");
        tty.type(`${server.url}\r`);
        await tty.waitFor("API key");
        tty.type(`${server.apiKey}\r`);
        code = await tty.exited();
        out = tty.screen();
      } else {
        // No pseudo-terminal on Windows: login takes the same values from the environment.
        const extra: Record<string, string> = args[0] === "login" ? { CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey } : {};
        const r = await runCli(args, { env: { ...env, ...extra } });
        code = r.code;
        out = `${r.stdout}${r.stderr}`;
      }
      expect({ line, code }).toEqual({ line, code: 0 });
      check(out);
    }
    expect(existsSync(join(home, ".claude-code-sync", "config.json"))).toBe(true);
    expect(server.violations()).toEqual([]);
  });
});
