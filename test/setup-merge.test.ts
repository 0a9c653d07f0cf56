import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { lineDiff } from "../src/claude-settings/diff.ts";
import {
  HOOK_EVENTS,
  type HookEvent,
  type HookState,
  hookStatus,
  enabledPlugin,
  hooksSection,
  isOurCommand,
  mergeHooks,
  SettingsError,
} from "../src/claude-settings/hooks.ts";
import { claudeSettingsPath } from "../src/claude-settings/location.ts";
import { shellWord } from "../src/claude-settings/self-command.ts";

const ROOT = resolve(import.meta.dir, "..");
const SELF = "/opt/bin/claude-code-sync";

/** A settings file as people really have them: other tools' hooks, odd corners, many keys. */
const ORIGINAL = {
  $schema: "https://json.schemastore.org/claude-code-settings.json",
  model: "opus",
  env: { FOO: "bar", CLAUDE_CODE_SYNC_X: "1" },
  permissions: { allow: ["Bash(npm run test:*)"], deny: [], defaultMode: "acceptEdits" },
  hooks: {
    PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "~/.claude/guard.sh", timeout: 5 }] }],
    Stop: [{ hooks: [{ type: "command", command: "afplay /System/Library/Sounds/Glass.aiff" }] }],
    SessionStart: [
      {
        matcher: "startup",
        hooks: [
          { type: "command", command: "cat ~/notes.md" },
          { type: "command", command: "other-tool hook SessionStart" },
          { type: "prompt", prompt: "claude-code-sync hook SessionStart" },
        ],
      },
    ],
    Notification: [],
    SessionEnd: [{ matcher: "*", hooks: [] }, "not-a-group"],
    PostToolUse: [{ matcher: "Write|Edit", hooks: [{ type: "command", command: "prettier --write", timeout: 30 }] }],
  },
  statusLine: { type: "command", command: "ccstatus" },
  enabledPlugins: { "formatter@tools": true },
  cleanupPeriodDays: 99999,
};
const ORIGINAL_TEXT = `${JSON.stringify(ORIGINAL, null, 2)}\n`;

const install = (text: string | undefined, self = SELF) => mergeHooks(text, self, "install");
const uninstall = (text: string | undefined, self = SELF) => mergeHooks(text, self, "uninstall");
const parse = (text: string) => JSON.parse(text);
const ours = (event: string, self = SELF) => ({ type: "command", command: `${self} hook ${event}`, timeout: 10 });

describe("install", () => {
  const result = install(ORIGINAL_TEXT);
  const after = parse(result.text);

  test("keeps every other key and value, in order", () => {
    expect(result.changed).toBe(true);
    expect(Object.keys(after)).toEqual(Object.keys(ORIGINAL));
    const { hooks: _a, ...restAfter } = after;
    const { hooks: _o, ...restOriginal } = ORIGINAL;
    expect(JSON.stringify(restAfter)).toBe(JSON.stringify(restOriginal));
  });

  test("keeps other tools' hooks and containers (even empty or odd ones) exactly", () => {
    expect(Object.keys(after.hooks)).toEqual([...Object.keys(ORIGINAL.hooks), "UserPromptSubmit", "SubagentStop"]);
    for (const event of ["PreToolUse", "Notification", "PostToolUse"] as const) {
      expect(after.hooks[event]).toEqual(ORIGINAL.hooks[event]);
    }
    expect(after.hooks.Stop[0]).toEqual(ORIGINAL.hooks.Stop[0]);
    expect(after.hooks.SessionStart[0]).toEqual(ORIGINAL.hooks.SessionStart[0]);
    expect(after.hooks.SessionEnd.slice(0, 2)).toEqual(ORIGINAL.hooks.SessionEnd);
  });

  test("adds one group per event, with a matcher only where Claude Code uses one", () => {
    expect(after.hooks.SessionStart[1]).toEqual({ matcher: "*", hooks: [ours("SessionStart")] });
    expect(after.hooks.UserPromptSubmit).toEqual([{ hooks: [ours("UserPromptSubmit")] }]);
    expect(after.hooks.Stop[1]).toEqual({ hooks: [ours("Stop")] });
    expect(after.hooks.SubagentStop).toEqual([{ matcher: "*", hooks: [ours("SubagentStop")] }]);
    expect(after.hooks.SessionEnd[2]).toEqual({ matcher: "*", hooks: [ours("SessionEnd")] });
  });

  test("twice changes nothing, byte for byte", () => {
    const again = install(result.text);
    expect(again.changed).toBe(false);
    expect(again.text).toBe(result.text);
  });

  test("uninstall restores the original meaning, key order included", () => {
    const removed = uninstall(result.text);
    expect(removed.changed).toBe(true);
    expect(JSON.stringify(parse(removed.text))).toBe(JSON.stringify(ORIGINAL));
    expect(uninstall(removed.text).changed).toBe(false);
  });
});

describe("recognising and updating our entries", () => {
  test("a moved executable is updated in place, next to another tool's handler", () => {
    const text = JSON.stringify({
      hooks: {
        Stop: [
          {
            matcher: "",
            hooks: [
              { type: "command", command: "echo before" },
              { type: "command", command: "/old/place/claude-code-sync hook Stop", timeout: 99, async: true },
              { type: "command", command: "echo after" },
            ],
          },
        ],
      },
    });
    const after = parse(install(text).text);
    expect(after.hooks.Stop).toEqual([
      {
        matcher: "",
        hooks: [
          { type: "command", command: "echo before" },
          { type: "command", command: `${SELF} hook Stop`, timeout: 10, async: true },
          { type: "command", command: "echo after" },
        ],
      },
    ]);
  });

  test("duplicates collapse to one; entries of older versions under other events go", () => {
    const legacy = (event: string) => ({ matcher: "*", hooks: [{ type: "command", command: `claude-code-sync hook ${event}` }] });
    const text = JSON.stringify({
      hooks: {
        PostToolUse: [legacy("PostToolUse")],
        Stop: [legacy("Stop"), legacy("Stop"), { hooks: [{ type: "command", command: "keep me" }] }],
      },
    });
    const after = parse(install(text).text);
    expect(after.hooks.PostToolUse).toBeUndefined();
    expect(after.hooks.Stop).toEqual([{ matcher: "*", hooks: [ours("Stop")] }, { hooks: [{ type: "command", command: "keep me" }] }]);
  });

  test("uninstall drops containers it empties, never others' empty ones", () => {
    const text = JSON.stringify({ a: 1, hooks: { Stop: [{ hooks: [ours("Stop")] }] }, b: 2 });
    expect(parse(uninstall(text).text)).toEqual({ a: 1, b: 2 });
    const others = JSON.stringify({ hooks: { Stop: [] } });
    expect(uninstall(others).changed).toBe(false);
  });

  test("running from source is recognised by the exact self command", () => {
    const dev = "/home/me/.bun/bin/bun /home/me/src/sync/src/cli.ts";
    const first = install(undefined, dev);
    expect(install(first.text, dev).changed).toBe(false);
    expect(uninstall(first.text, dev).changed).toBe(true);
  });

  test("isOurCommand", () => {
    for (const command of [
      "claude-code-sync hook Stop",
      "/usr/local/bin/claude-code-sync hook SessionStart",
      '"C:/Program Files/sync/claude-code-sync.exe" hook Stop',
      "npx claude-code-sync hook PostToolUse",
      "/home/me/.bun/bin/bun /home/me/claude-code-sync/src/cli.ts hook Stop",
      `${SELF} hook Stop  `,
    ]) {
      expect([command, isOurCommand(command, SELF)]).toEqual([command, true]);
    }
    for (const command of [
      "claude-code-sync-cn hook Stop",
      "other-tool hook Stop",
      "claude-code-sync sync",
      "echo claude-code-sync",
      "claude-code-sync hook Stop && rm -rf /tmp/x",
    ]) {
      expect([command, isOurCommand(command, SELF)]).toEqual([command, false]);
    }
  });
});

describe("input that cannot be merged is refused", () => {
  test.each([
    ["{ not json", "not valid JSON"],
    ["[]", "not a JSON object"],
    ["null", "not a JSON object"],
    ['{"hooks": []}', '"hooks" is not an object'],
    ['{"hooks": {"Stop": {}}}', '"hooks.Stop" is not a list'],
  ])("%s", (text, message) => {
    expect(() => install(text)).toThrow(SettingsError);
    expect(() => install(text)).toThrow(message);
  });

  test("uninstall tolerates a non-list under an event (it has nothing of ours)", () => {
    expect(uninstall('{"hooks": {"Stop": {}}}').changed).toBe(false);
  });
});

describe("new and empty files", () => {
  test("no file: our section alone, 2-space indent, final newline", () => {
    const result = install(undefined);
    expect(result.text).toBe(`${JSON.stringify({ hooks: hooksSection(SELF) }, null, 2)}\n`);
    expect(install("  \n").text).toBe(result.text);
  });

  test("uninstall with no file changes nothing", () => {
    expect(uninstall(undefined).changed).toBe(false);
  });
});

describe("layout is kept", () => {
  const value = { model: "opus", hooks: { Stop: [{ hooks: [{ type: "command", command: "x" }] }] } };
  test.each([
    ["4 spaces, no final newline", JSON.stringify(value, null, 4), "    ", "\n", false, false],
    ["tabs", `${JSON.stringify(value, null, "\t")}\n`, "\t", "\n", true, false],
    ["CRLF", `${JSON.stringify(value, null, 2).replaceAll("\n", "\r\n")}\r\n`, "  ", "\r\n", true, false],
    ["BOM", `\uFEFF${JSON.stringify(value, null, 2)}\n`, "  ", "\n", true, true],
  ])("%s", (_name, text, indent, eol, finalNewline, bom) => {
    const out = install(text).text;
    expect(out).toContain(`{${eol}${indent}"model": "opus",${eol}`);
    expect(out).toContain(`${eol}${indent}${indent}"SessionStart": [${eol}`);
    expect(out.replaceAll(eol, "")).not.toContain("\n");
    expect(out.endsWith(eol)).toBe(finalNewline);
    expect(out.startsWith("\uFEFF")).toBe(bom);
    expect(install(out).changed).toBe(false);
  });
});

test("hookStatus: missing, installed, outdated", () => {
  const all = (state: HookState) => Object.fromEntries(HOOK_EVENTS.map((event) => [event, state])) as Record<HookEvent, HookState>;
  expect(hookStatus(undefined, SELF)).toEqual(all("missing"));
  const installed = install(ORIGINAL_TEXT).text;
  expect(hookStatus(installed, SELF)).toEqual(all("installed"));
  expect(hookStatus(installed, "/new/place/claude-code-sync")).toEqual(all("outdated"));
});

test("lineDiff shows changed lines with context only", () => {
  const before = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].join("\n");
  const after = ["a", "b", "c", "d", "e", "F", "g", "h", "i", "j", "k"].join("\n");
  expect(lineDiff(before, after, 1)).toBe(["  e", "- f", "+ F", "  g", "  …", "  j", "+ k"].join("\n"));
  expect(lineDiff("same", "same")).toBe("");
});

test("shellWord quotes only when needed", () => {
  expect(shellWord("/usr/local/bin/claude-code-sync")).toBe("/usr/local/bin/claude-code-sync");
  if (process.platform !== "win32") {
    expect(shellWord("/Users/Jane Doe/bin/claude-code-sync")).toBe('"/Users/Jane Doe/bin/claude-code-sync"');
    expect(shellWord('/a/$x/"q"')).toBe('"/a/\\$x/\\"q\\""');
  }
});

test("claudeSettingsPath: CLAUDE_CONFIG_DIR first entry, its projects folder, or ~/.claude", () => {
  const home = process.env.HOME ?? "";
  expect(claudeSettingsPath({})).toBe(join(home, ".claude", "settings.json"));
  expect(claudeSettingsPath({ CLAUDE_CONFIG_DIR: " /a/claude , /b" })).toBe("/a/claude/settings.json");
  expect(claudeSettingsPath({ CLAUDE_CONFIG_DIR: ",/a/claude/projects/" })).toBe("/a/claude/settings.json");
  expect(claudeSettingsPath({ CLAUDE_CONFIG_DIR: "" })).toBe(join(home, ".claude", "settings.json"));
});

describe("Claude Code plugin files", () => {
  const read = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8"));

  test("hooks/hooks.json registers the same hooks, calling the executable on PATH", () => {
    const hooks = read("hooks/hooks.json");
    expect(typeof hooks.description).toBe("string");
    expect(hooks.hooks).toEqual(hooksSection("claude-code-sync"));
  });

  test("the manifest is named, versioned with the package, and leaves hooks/hooks.json to auto-loading", () => {
    const manifest = read(".claude-plugin/plugin.json");
    expect(manifest.name).toBe("claude-code-sync");
    expect(manifest.version).toBe(read("package.json").version);
    // Declaring the standard hooks/hooks.json again makes Claude Code report a duplicate.
    expect(manifest.hooks).toBeUndefined();
  });

  test("the repository is a marketplace of that one plugin, the id verify looks for in enabledPlugins", () => {
    const marketplace = read(".claude-plugin/marketplace.json");
    expect(marketplace.owner.name).toBeString();
    expect(marketplace.plugins).toEqual([expect.objectContaining({ name: read(".claude-plugin/plugin.json").name, source: "./" })]);
    const id = `${marketplace.plugins[0].name}@${marketplace.name}`;
    expect(enabledPlugin(JSON.stringify({ enabledPlugins: { [id]: true } }))).toBe(id);
    expect(enabledPlugin(JSON.stringify({ enabledPlugins: { [id]: false } }))).toBeUndefined();
  });
});
