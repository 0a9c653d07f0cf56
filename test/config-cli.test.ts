import { afterEach, beforeEach, describe, expect, spyOn, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { run as runSet } from "../src/commands/set.ts";
import * as stdio from "../src/runtime/stdio.ts";
import { StateStore } from "../src/state/store.ts";
import { TRANSPILER_CACHE_ENV } from "./helpers/cli.ts";
import { SESSION } from "./helpers/transcript.ts";
import { scratchDir } from "./helpers/scratch.ts";

const ROOT = resolve(import.meta.dir, "..");
const KEY = "osk_abcdefghijklmnopqrstuvwxyz012345";
let home: string;

beforeEach(() => {
  home = scratchDir("ccs-config-cli-");
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

const configFile = () => join(home, ".claude-code-sync", "config.json");
const readConfig = () => JSON.parse(readFileSync(configFile(), "utf8"));
const writeConfig = (value: unknown) => {
  mkdirSync(join(home, ".claude-code-sync"), { recursive: true, mode: 0o700 });
  writeFileSync(configFile(), JSON.stringify(value), { mode: 0o600 });
};

/** Run the CLI from source with a temp HOME and only the environment given. */
function cli(args: string[], env: Record<string, string> = {}) {
  const result = Bun.spawnSync([process.execPath, join(ROOT, "src/cli.ts"), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: home, ...TRANSPILER_CACHE_ENV, ...env },
  });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

describe("config", () => {
  test("a fresh home shows the defaults and creates nothing", () => {
    const out = cli(["config"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("OpenSync URL  (not set)");
    expect(out.stdout).toContain("claude-code-sync login");
    expect(out.stdout).toMatch(/toolCalls\s+true/);
    expect(out.stdout).toMatch(/thinking\s+false/);
    expect(out.stdout).toMatch(/excludeProjects\s+\(none\)/);
    expect(existsSync(join(home, ".claude-code-sync"))).toBe(false);
  });

  test("text and --json show the connection with the key masked, env overriding the file", () => {
    writeConfig({ convexUrl: "https://file.convex.cloud", apiKey: KEY, options: { thinking: true } });
    const text = cli(["config"]);
    // The URL every command talks to, as status and verify name it; why it is not the one given.
    expect(text.stdout).toContain("OpenSync URL  https://file.convex.site\n");
    expect(text.stdout).toContain("OpenSync's sync API is on the .convex.site host, not .convex.cloud.");
    expect(text.stdout).toContain("osk_ab…2345");
    expect(text.stdout).not.toContain(KEY);

    const envKey = "osk_ENVENVENVENVENVENVENVENVENVENV99";
    const json = cli(["config", "--json"], { CLAUDE_CODE_SYNC_API_KEY: envKey });
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain(envKey);
    expect(JSON.parse(json.stdout)).toEqual({
      configPath: configFile(),
      connection: {
        opensyncUrl: "https://file.convex.site",
        convexUrl: "https://file.convex.cloud",
        apiKey: "osk_EN…NV99",
        source: { opensyncUrl: "config", convexUrl: "config", apiKey: "CLAUDE_CODE_SYNC_API_KEY" },
      },
      options: {
        toolCalls: true,
        thinking: true,
        subagentMessages: true,
        excludeProjects: [],
        redact: true,
        redactPatterns: [],
        priceUpdates: true,
      },
      prices: {},
      unusedKeys: [],
    });
  });

  test("hosted OpenSync's legacy address saved: config shows https://api.opensync.dev, which sync, status and verify use (it showed the legacy address)", () => {
    writeConfig({ convexUrl: "https://reminiscent-gull-645.convex.cloud", apiKey: KEY });
    const text = cli(["config"]);
    expect(text.stdout).toContain("OpenSync URL  https://api.opensync.dev\n");
    expect(text.stdout).toContain("reminiscent-gull-645.convex.cloud is hosted OpenSync's legacy address, which takes no syncs");
    const json = JSON.parse(cli(["config", "--json"]).stdout);
    expect(json.connection).toMatchObject({ opensyncUrl: "https://api.opensync.dev", convexUrl: "https://reminiscent-gull-645.convex.cloud" });
  });

  test("keys this version does not use are named, with the option a typo was meant for; the file keeps them", () => {
    writeConfig({ options: { thinkng: true, futureOption: 1 }, telemetry: false });
    const text = cli(["config"]);
    expect(text.stdout).toContain("Not used by this version (kept in the file): telemetry, options.thinkng (did you mean options.thinking?), options.futureOption");
    expect(JSON.parse(cli(["config", "--json"]).stdout).unusedKeys).toEqual([{ key: "telemetry" }, { key: "options.thinkng", meant: "options.thinking" }, { key: "options.futureOption" }]);
    expect(JSON.parse(readFileSync(configFile(), "utf8")).options.thinkng).toBe(true);
  });

  test("a typo in a privacy option is said by the commands that act on it, and fails verify (found by an exploratory user)", () => {
    writeConfig({ options: { excludeProject: ["secret-project"] } });
    const claude = scratchDir("ccs-config-cli-claude-");
    mkdirSync(join(claude, "projects"));
    const warning = "The config file has keys this version does not use, so they do nothing: options.excludeProject (did you mean options.excludeProjects?).";
    for (const args of [["sync", "--dry-run"], ["status"]]) expect(cli(args, { CLAUDE_CONFIG_DIR: claude }).stderr).toContain(warning);
    const check = JSON.parse(cli(["verify", "--json"], { CLAUDE_CONFIG_DIR: claude }).stdout).checks.find((c: { id: string }) => c.id === "config");
    expect(check).toMatchObject({ status: "fail", fix: `in ${configFile()}, rename options.excludeProject to options.excludeProjects` });
  });

  test("a user:password@ part of the URL is never shown, in text or JSON", () => {
    const env = { CLAUDE_CODE_SYNC_URL: "https://alice:s3cr@t/pw@x.convex.site/" };
    for (const args of [["config"], ["config", "--json"]]) {
      const out = cli(args, env);
      expect(out.code).toBe(0);
      expect(out.stdout).toContain("https://…@x.convex.site/");
      for (const part of ["alice", "s3cr", "t/pw"]) expect(out.stdout).not.toContain(part);
    }
  });

  test("a broken file: exit 2, the file named", () => {
    writeConfig("ignored");
    writeFileSync(configFile(), "{ broken");
    const out = cli(["config"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(configFile());
    expect(out.stderr).toContain("not valid JSON");
  });

  test("a file where ~/.claude-code-sync should be a folder: named, with the move that mends it, by the commands that read or write there", () => {
    const dir = join(home, ".claude-code-sync");
    writeFileSync(dir, "");
    const mend = `${dir} is a file where a folder should be: move it aside (mv "${dir}" "${dir}.old") and try again`;
    for (const args of [["config"], ["set", "thinking", "on"], ["sync", "--dry-run"]]) {
      const out = cli(args, { CLAUDE_CONFIG_DIR: scratchDir("ccs-claude-") });
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(mend);
      expect(out.stderr).not.toContain("ENOTDIR");
    }
    // Its state folder a file: the sync state cannot be opened there, and chmod would not help.
    rmSync(dir);
    writeConfig({ convexUrl: "http://127.0.0.1:9", apiKey: KEY });
    writeFileSync(join(dir, "state"), "");
    const out = cli(["sync"], { CLAUDE_CONFIG_DIR: scratchDir("ccs-claude-") });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`move ${join(dir, "state")} aside, a file where a folder should be`);
    expect(out.stderr).not.toContain("chmod");
  });
});

describe("set", () => {
  test("mends the option that makes the file invalid, as the error says; another option's fault still stops it", () => {
    writeConfig({ convexUrl: "https://a.convex.cloud", apiKey: KEY, options: { toolCalls: "yes", excludeProjects: ["secret"] } });
    const refused = cli(["set", "thinking", "on"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("options.toolCalls");
    expect(refused.stderr).toContain("claude-code-sync set toolCalls <value>");
    expect(readConfig().options.toolCalls).toBe("yes");

    const mended = cli(["set", "toolCalls", "yes"]);
    expect(mended.code).toBe(0);
    expect(readConfig()).toMatchObject({ convexUrl: "https://a.convex.cloud", apiKey: KEY, options: { toolCalls: true, excludeProjects: ["secret"] } });
    expect(cli(["config"]).code).toBe(0);
  });

  test("two invalid options: each `set` the error advises mends its own, the other kept as it was until set (each refused for the other's fault)", () => {
    writeConfig({ convexUrl: "https://a.convex.cloud", apiKey: KEY, options: { thinking: "yes", excludeProjects: "secret" } });
    const advice = "Set each again (claude-code-sync set thinking <value>; claude-code-sync set excludeProjects <value>)";
    expect(cli(["config"]).stderr).toContain(advice);

    const first = cli(["set", "thinking", "on"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("thinking = true");
    expect(first.stderr).toContain("still has invalid settings: excludeProjects. Set it again (claude-code-sync set excludeProjects <value>)");
    // The exclude list typed wrong stays as typed, not "exclude nothing": every command still stops on it.
    expect(readConfig().options).toMatchObject({ thinking: true, excludeProjects: "secret" });
    expect(cli(["config"]).code).toBe(2);

    const second = cli(["set", "excludeProjects", "secret"]);
    expect(second).toMatchObject({ code: 0, stderr: "" });
    expect(readConfig()).toMatchObject({ convexUrl: "https://a.convex.cloud", apiKey: KEY, options: { thinking: true, excludeProjects: ["secret"] } });
    expect(cli(["config"]).code).toBe(0);
  });

  test("an invalid option beside an invalid URL: the advice is not a `set` that the URL's fault would refuse", () => {
    writeConfig({ convexUrl: 5, apiKey: KEY, options: { thinking: "yes" } });
    const out = cli(["set", "thinking", "on"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("convexUrl: Invalid input");
    expect(out.stderr).toContain('Fix it by hand, or run "claude-code-sync login" again (it keeps this file aside).');
    expect(out.stderr).not.toContain("claude-code-sync set thinking <value>");
  });

  test("changes one option, keeps the rest, writes owner-only", () => {
    writeConfig({ convexUrl: "https://a.convex.cloud", apiKey: KEY, extra: 1 });
    const out = cli(["set", "thinking", "on"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("thinking = true");
    const saved = readConfig();
    expect(saved).toMatchObject({ convexUrl: "https://a.convex.cloud", apiKey: KEY, extra: 1 });
    expect(saved.options.thinking).toBe(true);
    expect(saved.options.toolCalls).toBe(true);
    if (process.platform !== "win32") expect(statSync(configFile()).mode & 0o777).toBe(0o600);
  });

  test("what becomes of the sessions already synced is said only once some were (a fresh home was told of them)", () => {
    for (const [key, value] of [["thinking", "on"], ["toolCalls", "off"], ["redactPatterns", "+secret-[0-9]+"], ["excludeProjects", "+a"]] as const) {
      const out = cli(["set", key, value]);
      expect(out.code).toBe(0);
      expect(out.stdout.trim().split("\n")).toHaveLength(1);
    }
    // A sync has recorded a session the server acknowledged.
    const saved = process.env.HOME;
    process.env.HOME = home;
    const store = StateStore.forServer("https://a.convex.site");
    try {
      store.markSessionSent(store.sessionKey(SESSION), { hash: "h", windowKey: "w", at: 1 });
    } finally {
      store.close();
      process.env.HOME = saved;
    }
    expect(cli(["set", "thinking", "off"]).stdout).toContain("Sessions already synced: claude-code-sync sync --full sends again the messages this changes");
    expect(cli(["set", "excludeProjects", "+b"]).stdout).toContain("The sessions of a project excluded now stay on the server");
  });

  test("lists: a comma-separated list, then +item", () => {
    expect(cli(["set", "excludeProjects", "alpha,~/clients/*"]).code).toBe(0);
    const out = cli(["set", "excludeProjects", "+beta"]);
    expect(out.stdout).toContain('added "beta"');
    expect(readConfig().options.excludeProjects).toEqual(["alpha", "~/clients/*", "beta"]);
  });

  test("+a,b adds both items and -a,b removes both: a comma never ends up inside one item", () => {
    const added = cli(["set", "excludeProjects", "+a,b"]);
    expect(added.stdout.split("\n")[0]).toBe('excludeProjects: added "a", "b". Now: "a", "b"');
    expect(readConfig().options.excludeProjects).toEqual(["a", "b"]);
    const removed = cli(["set", "excludeProjects", "--", "-a,zz"]);
    expect(removed.stdout.split("\n")[0]).toBe('excludeProjects: removed "a". (It had no "zz".) Now: "b"');
    expect(readConfig().options.excludeProjects).toEqual(["b"]);
  });

  test("a value starting with - given without --: the error shows the command with --", () => {
    const out = cli(["set", "excludeProjects", "-old-project"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("put it after --: claude-code-sync set excludeProjects -- -old-project");
    // Not read as -h (help, exit 0) or -v (version): the same hint, nothing changed.
    for (const item of ["-hidden", "-vendor"]) {
      const flagLike = cli(["set", "excludeProjects", item]);
      expect(flagLike).toMatchObject({ code: 2, stdout: "" });
      expect(flagLike.stderr).toContain(`put it after --: claude-code-sync set excludeProjects -- ${item}`);
    }
    expect(existsSync(configFile())).toBe(false);
  });

  test("a flag before the option's name is no list item: the help is named (it said 'set on -- --force', the flag having eaten the name)", () => {
    const out = cli(["set", "--force", "thinking", "on"]);
    expect(out).toMatchObject({ code: 2, stdout: "" });
    expect(out.stderr).toBe('claude-code-sync: Unknown option `--force` for set. Run "claude-code-sync set --help" to see the options.\n');
    expect(existsSync(configFile())).toBe(false);
  });

  test("invalid input: exit 2, nothing written, a helpful message", () => {
    const unknown = cli(["set", "colour", "blue"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Valid options: toolCalls, thinking");
    const bad = cli(["set", "redact", "perhaps"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("redact must be true or false");
    const regex = cli(["set", "redactPatterns", "+(oops"]);
    expect(regex.code).toBe(2);
    expect(regex.stderr).toContain("not a valid regular expression");
    expect(existsSync(configFile())).toBe(false);
  });

  test("-item (given after --) removes one item", async () => {
    writeConfig({ options: { excludeProjects: ["a", "-b", "c"] } });
    const saved = process.env.HOME;
    process.env.HOME = home;
    const stdout = spyOn(stdio, "writeOut").mockImplementation(() => {});
    try {
      expect(await runSet(["excludeProjects"], { "--": ["--b"] })).toBe(0);
      expect(await runSet(["excludeProjects", "-a"], { "--": [] })).toBe(0);
    } finally {
      stdout.mockRestore();
      process.env.HOME = saved;
    }
    expect(readConfig().options.excludeProjects).toEqual(["c"]);
  });
});

describe("logout", () => {
  test("a config that cannot be used: deleting it is the way out it names (it said only to fix it, or to log in again)", () => {
    mkdirSync(join(home, ".claude-code-sync"), { recursive: true, mode: 0o700 });
    writeFileSync(configFile(), `{"apiKey": "${KEY}", `, { mode: 0o600 });
    const out = cli(["logout"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`To log out instead, delete it (the options in it go too): rm "${configFile()}"`);
    expect(readFileSync(configFile(), "utf8")).toBe(`{"apiKey": "${KEY}", `);
  });

  test("removes the URL and key, keeps options, and is idempotent", () => {
    writeConfig({ convexUrl: "https://a.convex.cloud", apiKey: KEY, options: { thinking: true } });
    const first = cli(["logout"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Removed the saved URL and API key");
    const saved = readConfig();
    expect(saved.convexUrl).toBeUndefined();
    expect(saved.apiKey).toBeUndefined();
    expect(saved.options.thinking).toBe(true);
    const before = readFileSync(configFile(), "utf8");

    const second = cli(["logout"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("nothing to remove");
    expect(readFileSync(configFile(), "utf8")).toBe(before);
  });

  test("reminds that the hooks stay installed, only while they are", () => {
    writeConfig({ convexUrl: "https://a.convex.cloud", apiKey: KEY });
    const reminder = "The Claude Code hooks stay installed until you run `claude-code-sync setup --uninstall`";
    expect(cli(["logout"]).stdout).not.toContain(reminder);
    expect(cli(["setup"]).code).toBe(0);
    expect(cli(["logout"]).stdout).toContain(reminder);
    expect(cli(["setup", "--uninstall"]).code).toBe(0);
    expect(cli(["logout"]).stdout).not.toContain(reminder);
  });

  test("warns when the environment still provides credentials", () => {
    const out = cli(["logout"], { CLAUDE_SYNC_API_KEY: KEY });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("CLAUDE_SYNC_API_KEY is still set");
    expect(out.stdout).not.toContain(KEY);
    expect(existsSync(configFile())).toBe(false);
  });
});
