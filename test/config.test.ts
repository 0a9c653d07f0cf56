import { afterEach, beforeEach, describe, expect, spyOn, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  configPath,
  defaultConfig,
  loadConfig,
  maskKey,
  projectExclusion,
  resolveCredentials,
  saveConfig,
} from "../src/config/index.ts";
import { applySetting, sentBeforeNote, splitList } from "../src/config/set-option.ts";
import { UserError } from "../src/errors.ts";
import * as stdio from "../src/runtime/stdio.ts";
import { fileWriteError } from "../src/runtime/writable.ts";
import { scratchDir } from "./helpers/scratch.ts";

const KEY = "osk_abcdefghijklmnopqrstuvwxyz012345";
const posix = process.platform !== "win32";
let home: string;
let savedHome: string | undefined;

beforeEach(() => {
  savedHome = process.env.HOME;
  home = scratchDir("ccs-config-");
  process.env.HOME = home;
});
afterEach(() => {
  process.env.HOME = savedHome;
  rmSync(home, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;
const writeRaw = (text: string) => {
  mkdirSync(join(home, ".claude-code-sync"), { recursive: true, mode: 0o700 });
  writeFileSync(configPath(), text, { mode: 0o600 });
};
const loadError = (): UserError => {
  try {
    loadConfig();
  } catch (error) {
    return error as UserError;
  }
  throw new Error("loadConfig did not throw");
};

describe("a settings file that cannot be written", () => {
  test("saveConfig says where and what to do, and leaves no temporary file", () => {
    // Where the file should be, a folder: the write itself fails (permissions alone do not stop root).
    mkdirSync(configPath(), { recursive: true });
    const error = (() => {
      try {
        saveConfig(defaultConfig());
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toStartWith(`Cannot write the settings at ${configPath()} (`);
    expect((error as UserError).message).toEndWith("nothing was changed.");
    expect(readdirSync(join(home, ".claude-code-sync"))).toEqual(["config.json"]);
  });

  test.each([
    ["EROFS", "read-only file system. Remount it writable", 2],
    ["ENOSPC", "the disk is full. Free some space", 1],
    ["EACCES", "To fix, make", 2],
  ] as const)("%s becomes what to do", (code, says, exit) => {
    const error = fileWriteError(Object.assign(new Error(`${code}: failed, open 'x'`), { code, syscall: "open" }), "/home/me/.claude-code-sync/config.json", "the settings");
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain(says);
    expect((error as UserError).exitCode).toBe(exit);
  });

  test("an error that is not the file system's is left as it is", () => {
    const bug = new TypeError("x is undefined");
    expect(fileWriteError(bug, "/p", "the settings")).toBe(bug);
  });
});

describe("loadConfig / saveConfig", () => {
  test("a missing file gives the defaults", () => {
    expect(configPath()).toBe(join(home, ".claude-code-sync", "config.json"));
    expect(loadConfig()).toEqual({
      options: {
        toolCalls: true,
        thinking: false,
        subagentMessages: true,
        excludeProjects: [],
        redact: true,
        redactPatterns: [],
        priceUpdates: true,
        prices: {},
      },
    });
  });

  test("defaults do not share list instances", () => {
    const a = defaultConfig();
    a.options.excludeProjects.push("x");
    expect(defaultConfig().options.excludeProjects).toEqual([]);
  });

  test("round trip, with owner-only permissions and no temp files left", () => {
    const cfg = { ...defaultConfig(), convexUrl: "https://a.convex.cloud", apiKey: KEY };
    cfg.options.thinking = true;
    saveConfig(cfg);
    expect(loadConfig()).toEqual(cfg);
    expect(readdirSync(join(home, ".claude-code-sync"))).toEqual(["config.json"]);
    if (posix) {
      expect(mode(join(home, ".claude-code-sync"))).toBe(0o700);
      expect(mode(configPath())).toBe(0o600);
    }
  });

  test("save tightens a folder that was too open", () => {
    if (!posix) return;
    mkdirSync(join(home, ".claude-code-sync"), { mode: 0o755 });
    chmodSync(join(home, ".claude-code-sync"), 0o755);
    saveConfig(defaultConfig());
    expect(mode(join(home, ".claude-code-sync"))).toBe(0o700);
  });

  test("unknown keys (top level and in options) survive load and save", () => {
    writeRaw(JSON.stringify({ apiKey: KEY, future: { a: 1 }, options: { thinking: true, newOption: "x" } }));
    const cfg = loadConfig();
    saveConfig({ ...cfg, options: { ...cfg.options, toolCalls: false } });
    const saved = JSON.parse(readFileSync(configPath(), "utf8"));
    expect(saved.future).toEqual({ a: 1 });
    expect(saved.options.newOption).toBe("x");
    expect(saved.options.thinking).toBe(true);
    expect(saved.options.toolCalls).toBe(false);
  });

  test("load repairs loose permissions and says so once on stderr", () => {
    if (!posix) return;
    writeRaw(JSON.stringify({ apiKey: KEY }));
    chmodSync(configPath(), 0o644);
    chmodSync(join(home, ".claude-code-sync"), 0o755);
    const stderr = spyOn(stdio, "writeErr").mockImplementation(() => {});
    try {
      loadConfig();
      loadConfig();
      expect(stderr).toHaveBeenCalledTimes(1);
      expect(String(stderr.mock.calls[0]?.[0])).toContain("changed the permissions");
    } finally {
      stderr.mockRestore();
    }
    expect(mode(configPath())).toBe(0o600);
    expect(mode(join(home, ".claude-code-sync"))).toBe(0o700);
  });

  test("the earlier claude-code-sync's login is adopted once, owner-only, said on stderr without the key", () => {
    const legacyDir = join(home, ".config", "claude-code-sync");
    mkdirSync(legacyDir, { recursive: true });
    const legacy = { convexUrl: "https://happy-cat-123.convex.cloud", apiKey: KEY, autoSync: true, syncToolCalls: false, syncThinking: true };
    writeFileSync(join(legacyDir, "config.json"), JSON.stringify(legacy));
    const stderr = spyOn(stdio, "writeErr").mockImplementation(() => {});
    try {
      const first = loadConfig();
      expect(first).toMatchObject({ convexUrl: "https://happy-cat-123.convex.site", apiKey: KEY, options: { toolCalls: false, thinking: true } });
      expect(loadConfig()).toEqual(first);
      expect(stderr).toHaveBeenCalledTimes(1);
      const said = String(stderr.mock.calls[0]?.[0]);
      expect(said).toContain(join(legacyDir, "config.json"));
      expect(said).not.toContain(KEY.slice(4));
    } finally {
      stderr.mockRestore();
    }
    expect(JSON.parse(readFileSync(configPath(), "utf8"))).toMatchObject({ convexUrl: "https://happy-cat-123.convex.site", apiKey: KEY });
    if (posix) expect(mode(configPath())).toBe(0o600);
  });

  test("an earlier login that cannot be used is ignored: defaults, nothing saved", () => {
    const legacyDir = join(home, ".config", "claude-code-sync");
    mkdirSync(legacyDir, { recursive: true });
    for (const text of ["{not json", JSON.stringify({ convexUrl: "https://x.convex.site" }), JSON.stringify({ convexUrl: "ftp://x", apiKey: KEY })]) {
      writeFileSync(join(legacyDir, "config.json"), text);
      expect(loadConfig()).toEqual(defaultConfig());
    }
    expect(readdirSync(home)).not.toContain(".claude-code-sync");
  });

  test("bad JSON is a UserError naming the file and what to do", () => {
    writeRaw("{ not json");
    const error = loadError();
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(configPath());
    expect(error.message).toContain("not valid JSON");
    expect(error.message).toContain("claude-code-sync login");
  });

  // JSON.parse says what, never where ("Expected '}'"): a file edited by hand for its prices is mended faster at its line.
  test.each([
    ['{\n  "options": {\n    "prices": { "m": { "input": 3, "output": 15 }, }\n  }\n}\n', "a trailing comma at line 3, column 52"],
    ['{\n  "options": {\n    "thinking": true\n    "redact": true\n  }\n}\n', "a missing comma at line 4, column 5"],
    ['{ "options": { "thinking": true }', "a missing } at line 1, column 34"],
    ["", "the file is empty"],
  ])("bad JSON says where: %j", (text, where) => {
    writeRaw(text);
    expect(loadError().message).toContain(`is not valid JSON (${where}).`);
  });

  // It was "not valid JSON (an unexpected character at line 1, column 1)": a character no editor shows.
  test("a byte order mark before the JSON is read past", () => {
    writeRaw(`\uFEFF${JSON.stringify({ convexUrl: "https://a.convex.site", options: { thinking: true } })}`);
    expect(loadConfig()).toMatchObject({ convexUrl: "https://a.convex.site", options: { thinking: true } });
  });

  test("a bad shape is a UserError naming the field", () => {
    writeRaw(JSON.stringify({ options: { toolCalls: "yes", redactPatterns: ["ok", "("] } }));
    const error = loadError();
    expect(error.message).toContain(configPath());
    expect(error.message).toContain("options.toolCalls");
    expect(error.message).toContain('"(" is not a valid regular expression');
    // What to run is said for each option at fault.
    expect(error.message).toContain("claude-code-sync set toolCalls <value>; claude-code-sync set redactPatterns <value>");
  });

  test("a JSON value that is not an object is rejected", () => {
    writeRaw("[1, 2]");
    expect(loadError().message).toContain("invalid settings");
  });
});

describe("resolveCredentials", () => {
  const cfg = { ...defaultConfig(), convexUrl: "https://file.convex.cloud", apiKey: "osk_file" };

  test("the file when the environment says nothing (empty values count as unset)", () => {
    expect(resolveCredentials(cfg, { CLAUDE_CODE_SYNC_URL: "  " })).toEqual({
      convexUrl: "https://file.convex.cloud",
      apiKey: "osk_file",
      source: { convexUrl: "config", apiKey: "config" },
    });
  });

  test("old variable names override the file; new names win over old", () => {
    const old = { CLAUDE_SYNC_CONVEX_URL: "https://old.convex.cloud", CLAUDE_SYNC_API_KEY: "osk_old" };
    expect(resolveCredentials(cfg, old)).toMatchObject({ convexUrl: "https://old.convex.cloud", apiKey: "osk_old" });
    const both = { ...old, CLAUDE_CODE_SYNC_URL: "https://new.convex.cloud", CLAUDE_CODE_SYNC_API_KEY: "osk_new" };
    expect(resolveCredentials(cfg, both)).toEqual({
      convexUrl: "https://new.convex.cloud",
      apiKey: "osk_new",
      source: { convexUrl: "CLAUDE_CODE_SYNC_URL", apiKey: "CLAUDE_CODE_SYNC_API_KEY" },
    });
  });

  test("nothing anywhere", () => {
    expect(resolveCredentials(defaultConfig(), {})).toEqual({
      convexUrl: undefined,
      apiKey: undefined,
      source: { convexUrl: undefined, apiKey: undefined },
    });
  });
});

test("maskKey never shows the whole key", () => {
  expect(maskKey(KEY)).toBe("osk_ab…2345");
  expect(maskKey("osk_short")).toBe("…");
});

describe("applySetting", () => {
  const options = () => defaultConfig().options;

  test("a change says what becomes of the sessions already synced (found by an exploratory user)", () => {
    const note = (key: string, value: string, from = options()) => sentBeforeNote(key, from, applySetting(from, key, value).options, () => true);
    const excluding = applySetting(options(), "excludeProjects", "a,b").options;
    expect({
      thinkingOn: note("thinking", "on"),
      unchanged: note("thinking", "off"),
      toolCallsOff: note("toolCalls", "off"),
      // Thinking turned off named tool calls and subagents' messages as those no longer sent.
      thinkingOff: note("thinking", "off", applySetting(options(), "thinking", "on").options),
      subagentsOff: note("subagentMessages", "off"),
      redactOff: note("redact", "off"),
      patternAdded: note("redactPatterns", "+secret-[0-9]+"),
      excludedMore: note("excludeProjects", "+a"),
      excludedLess: note("excludeProjects", "-b", excluding),
      prices: note("priceUpdates", "off"),
    }).toEqual({
      thinkingOn: "Sessions already synced: claude-code-sync sync --full sends them again with this (only the messages it changes).",
      unchanged: undefined,
      toolCallsOff:
        "Sessions already synced: claude-code-sync sync --full sends again the messages this changes, replacing what they held; OpenSync's search text keeps what was sent before, and so do the messages no longer sent at all (tool calls and their results). Delete those sessions in the OpenSync dashboard if it must go.",
      thinkingOff:
        "Sessions already synced: claude-code-sync sync --full sends again the messages this changes, replacing what they held; OpenSync's search text keeps what was sent before, and so do the messages no longer sent at all (those only of Claude's thinking). Delete those sessions in the OpenSync dashboard if it must go.",
      subagentsOff:
        "Sessions already synced: claude-code-sync sync --full sends again the messages this changes, replacing what they held; OpenSync's search text keeps what was sent before, and so do the messages no longer sent at all (a subagent's). Delete those sessions in the OpenSync dashboard if it must go.",
      redactOff: "From now on secrets are sent as they are, and OpenSync's search text can never be cleared of them. Turn it back on with: claude-code-sync set redact on",
      patternAdded:
        "Sessions already synced: claude-code-sync sync --full sends again the messages this changes, replacing what they held; OpenSync's search text keeps what was sent before. Delete those sessions in the OpenSync dashboard if it must go.",
      excludedMore: "The sessions of a project excluded now stay on the server: delete them in the OpenSync dashboard if they must go.",
      excludedLess: "The next sync sends the sessions of a project no longer excluded.",
      prices: undefined,
    });
  });

  test("booleans accept the usual words", () => {
    for (const [word, value] of [["on", true], ["OFF", false], ["yes", true], ["no", false], ["1", true], ["0", false], ["True", true]] as const) {
      expect(applySetting(options(), "thinking", word).options.thinking).toBe(value);
    }
    expect(() => applySetting(options(), "thinking", "maybe")).toThrow("must be true or false");
  });

  test("an unknown option: the one a typo was meant for, and where prices are set", () => {
    expect(() => applySetting(options(), "thinkng", "on")).toThrow('Unknown option "thinkng". Did you mean `thinking`?');
    expect(() => applySetting(options(), "prices", "3")).toThrow("Prices are set in the config file");
  });

  test("unknown keys list the valid ones", () => {
    expect(() => applySetting(options(), "toolcalls", "true")).toThrow(
      "Valid options: toolCalls, thinking, subagentMessages, excludeProjects, redact, redactPatterns",
    );
    expect(() => applySetting(options(), "__proto__", "true")).toThrow(UserError);
  });

  test("lists: comma-separated, +add, -remove", () => {
    let result = applySetting(options(), "excludeProjects", " a, b ,,c ");
    expect(result.options.excludeProjects).toEqual(["a", "b", "c"]);
    result = applySetting(result.options, "excludeProjects", "+d");
    expect(result.options.excludeProjects).toEqual(["a", "b", "c", "d"]);
    result = applySetting(result.options, "excludeProjects", "+d");
    expect(result.message).toContain("nothing changed");
    expect(result.options.excludeProjects).toEqual(["a", "b", "c", "d"]);
    result = applySetting(result.options, "excludeProjects", "-b");
    expect(result.options.excludeProjects).toEqual(["a", "c", "d"]);
    expect(applySetting(result.options, "excludeProjects", "-zz").message).toContain("nothing changed");
    expect(applySetting(result.options, "excludeProjects", "").options.excludeProjects).toEqual([]);
    expect(() => applySetting(result.options, "excludeProjects", "+")).toThrow("Give an item");
    expect(() => applySetting(result.options, "excludeProjects", "+ , ")).toThrow("Give an item");
    result = applySetting(result.options, "excludeProjects", "+e,a,e");
    expect(result.options.excludeProjects).toEqual(["a", "c", "d", "e"]);
    expect(result.message).toBe('excludeProjects: added "e". Now: "a", "c", "d", "e"');
  });

  test("redactPatterns must compile, and regex commas do not split", () => {
    expect(applySetting(options(), "redactPatterns", "a{2,4},[,;]x,b").options.redactPatterns).toEqual([
      "a{2,4}",
      "[,;]x",
      "b",
    ]);
    expect(() => applySetting(options(), "redactPatterns", "+(unclosed")).toThrow("not a valid regular expression");
  });

  test("does not modify its input", () => {
    const input = options();
    applySetting(input, "excludeProjects", "+x");
    applySetting(input, "thinking", "true");
    expect(input).toEqual(options());
  });

  test("splitList honours escapes", () => {
    expect(splitList("a\\,b,c")).toEqual(["a\\,b", "c"]);
  });
});

describe("projectExclusion", () => {
  const isProjectExcluded = (path: string | undefined, patterns: string[]) => projectExclusion(patterns)(path);

  test("a bare name matches the last segment, with *", () => {
    expect(isProjectExcluded("/home/me/work/secret", ["secret"])).toBe(true);
    expect(isProjectExcluded("/home/me/work/secret/", ["secret"])).toBe(true);
    expect(isProjectExcluded("/home/me/secret/app", ["secret"])).toBe(false);
    expect(isProjectExcluded("/home/me/client-acme", ["client-*"])).toBe(true);
    expect(isProjectExcluded("/home/me/clientacme", ["client-*"])).toBe(false);
    expect(isProjectExcluded("C:\\Users\\me\\secret", ["secret"])).toBe(true);
  });

  test("a path matches itself and everything below; ~ is the home folder", () => {
    expect(isProjectExcluded("/home/me/clients/a", ["/home/me/clients"])).toBe(true);
    expect(isProjectExcluded("/home/me/clients-old", ["/home/me/clients"])).toBe(false);
    expect(isProjectExcluded("/home/me/x/y/deep", ["/home/me/*/y"])).toBe(true);
    expect(isProjectExcluded(join(home, "private", "p"), ["~/private"])).toBe(true);
    expect(isProjectExcluded("/a.b/c", ["/a?b"])).toBe(false);
    expect(isProjectExcluded("/anything", [])).toBe(false);
  });

  test("one predicate serves many paths, names and paths mixed; a session without a project is never excluded", () => {
    const excluded = projectExclusion(["scratch", "/srv/clients/*"]);
    expect(["/home/me/scratch", "/srv/clients/acme", "/srv/clients/acme/app", "/home/me/app", "/srv/clients", undefined].map(excluded)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
