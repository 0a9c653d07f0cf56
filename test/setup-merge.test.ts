import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isOlder, parseClaudeVersion } from "../src/claude-settings/claude-version.ts";
import { unifiedDiff } from "../src/claude-settings/diff.ts";
import { HOOK_EVENTS, PLUGIN_LAUNCHER, hooksSection } from "../src/claude-settings/hook-spec.ts";
import { claudeSettingsPath } from "../src/claude-settings/location.ts";
import { mergeHooks } from "../src/claude-settings/merge.ts";
import { recognise } from "../src/claude-settings/ours.ts";
import { shellWord } from "../src/claude-settings/self-command.ts";
import { SettingsError } from "../src/claude-settings/settings-json.ts";
import { type HookState, enabledPlugin, hookStatus } from "../src/claude-settings/status.ts";
import { scratchDir } from "./helpers/scratch.ts";

const ROOT = resolve(import.meta.dir, "..");
const CMD = "/opt/bin/claude-code-sync";
const SELF = [CMD];

const install = (text: string | undefined, self = SELF) => mergeHooks(text, self, "install");
const uninstall = (text: string | undefined, self = SELF) => mergeHooks(text, self, "uninstall");

/**
 * Our entry for one event as setup writes it as a block, written out by hand:
 * `indent` is where `"Event": [` starts, `unit` one level of the file's indentation.
 */
function ourEvent(event: string, indent: string, unit = "  ", eol = "\n"): string {
  const line = (depth: number, text: string) => `${indent}${unit.repeat(depth)}${text}${eol}`;
  const sessionEnd = event === "SessionEnd";
  return (
    `${indent}"${event}": [${eol}` +
    line(1, "{") +
    (event === "UserPromptSubmit" || event === "Stop" ? "" : line(2, '"matcher": "*",')) +
    line(2, '"hooks": [') +
    line(3, "{") +
    line(4, '"type": "command",') +
    line(4, `"command": "${CMD}",`) +
    line(4, `"args": ["hook", "${event}"],`) +
    (sessionEnd ? "" : line(4, '"async": true,')) +
    line(4, `"timeout": ${sessionEnd ? 5 : 10}`) +
    line(3, "}") +
    line(2, "]") +
    line(1, "}") +
    `${indent}]`
  );
}
const ourEvents = (events: readonly string[], indent: string, unit = "  ", eol = "\n") =>
  events.map((event) => ourEvent(event, indent, unit, eol)).join(`,${eol}`);
const ALL = HOOK_EVENTS;
const except = (...skip: string[]) => ALL.filter((event) => !skip.includes(event));

/** What setup writes where there is no settings file. */
const NEW_FILE = `{\n  "hooks": {\n${ourEvents(ALL, "    ")}\n  }\n}\n`;

/** A settings file as people have them: other tools' hooks on our events, odd corners, many keys. */
const REALISTIC = `{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "model": "opus",
  "env": { "FOO": "bar", "CLAUDE_CODE_SYNC_X": "1" },
  "permissions": {
    "allow": ["Bash(npm run test:*)", "Read(//c/Users/me/**)"],
    "deny": [],
    "defaultMode": "acceptEdits"
  },
  "hooks": {
    "PreToolUse": [{ "matcher": "Bash", "hooks": [{ "type": "command", "command": "~/.claude/guard.sh", "timeout": 5 }] }],
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "afplay /System/Library/Sounds/Glass.aiff"
          }
        ]
      }
    ],
    "SessionStart": [
      {
        "matcher": "startup",
        "hooks": [
          { "type": "command", "command": "cat ~/notes.md" },
          { "type": "command", "command": "other-tool hook SessionStart" },
          { "type": "prompt", "prompt": "claude-code-sync hook SessionStart" }
        ]
      }
    ],
    "Notification": [],
    "SessionEnd": [{ "matcher": "*", "hooks": [] }, "not-a-group"],
    "PostToolUse": [{ "matcher": "Write|Edit", "hooks": [{ "type": "command", "command": "prettier --write", "timeout": 30 }] }]
  },
  "statusLine": { "type": "command", "command": "ccstatus" },
  "enabledPlugins": { "formatter@tools": true },
  "cleanupPeriodDays": 99999
}
`;

describe("install then uninstall gives back the same bytes", () => {
  const twoSpace = '{\n  "model": "opus",\n  "hooks": {\n    "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]\n  }\n}\n';
  test.each([
    ["a realistic file", REALISTIC],
    ["one-line arrays of other tools' hooks", twoSpace],
    ["CRLF line endings, 4 spaces", '{\r\n    "model": "opus",\r\n    "hooks": {\r\n        "Stop": [\r\n            {"hooks": [{"type": "command", "command": "say done"}]}\r\n        ]\r\n    }\r\n}\r\n'],
    ["tabs, no final newline", '{\n\t"model": "opus",\n\t"permissions": {\n\t\t"allow": []\n\t}\n}'],
    ["minified on one line", '{"model":"opus","hooks":{"Stop":[{"hooks":[{"type":"command","command":"say done"}]}]}}'],
    ["a byte order mark", `\uFEFF${twoSpace}`],
    ["an empty object, no newline", "{}"],
  ])("%s", (_name, original) => {
    const installed = install(original);
    expect(installed.changed).toBe(true);
    expect(installed.changes.filter((c) => c.action === "added").map((c) => c.event)).toEqual([...ALL]);
    const again = install(installed.text);
    expect([again.changed, again.text]).toEqual([false, installed.text]);
    const removed = uninstall(installed.text);
    expect(removed.text).toBe(original);
    expect(uninstall(removed.text).changed).toBe(false);
  });

  test("no file, or an empty one: install writes our section alone; uninstall removes that file", () => {
    // An empty file and "{}\n" come out the same as no file: nothing else tells them apart later.
    for (const text of [undefined, "", "  \n", "{}\n"]) expect(install(text).text).toBe(NEW_FILE);
    expect(uninstall(NEW_FILE)).toEqual({ text: undefined, changed: true, changes: ALL.map((event) => ({ event, action: "removed" })) });
    expect(uninstall(undefined)).toEqual({ text: "", changed: false, changes: [] });
  });

  test("a file setup created and something else then changed keeps that change", () => {
    const changed = NEW_FILE.replace('{\n  "hooks"', '{\n  "model": "opus",\n  "hooks"');
    expect(uninstall(changed).text).toBe('{\n  "model": "opus"\n}\n');
  });
});

describe("install changes only what it must, byte for byte", () => {
  test("a one-line array gets our group on the same line; new events come after the last one", () => {
    const before = '{\n  "model": "opus",\n  "hooks": {\n    "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]\n  }\n}\n';
    const ours = `{"hooks": [{"type": "command", "command": "${CMD}", "args": ["hook", "Stop"], "async": true, "timeout": 10}]}`;
    expect(install(before).text).toBe(
      `{\n  "model": "opus",\n  "hooks": {\n    "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}, ${ours}],\n` +
        `${ourEvents(except("Stop"), "    ")}\n  }\n}\n`,
    );
  });

  test("a compact one-line array stays compact", () => {
    const before = '{"hooks":{"Stop":[{"hooks":[]}]},"model":"opus"}';
    const after = install(before).text ?? "";
    expect(after.startsWith(`{"hooks":{"Stop":[{"hooks":[]},{"hooks":[{"type":"command","command":"${CMD}","args":["hook","Stop"],"async":true,"timeout":10}]}],"SessionStart":[`)).toBe(true);
    expect(after.endsWith(`"args":["hook","SessionEnd"],"timeout":5}]}]},"model":"opus"}`)).toBe(true);
  });

  test("an entry of 0.2 (a shell command line) is brought up to date where it is, keeping a user's own field", () => {
    const handler = (lines: string[]) => lines.map((l) => `                        ${l}\n`).join("");
    const file = (body: string, rest: string) =>
      `{\n    "hooks": {\n        "Stop": [\n            {\n                "hooks": [\n                    {\n${body}                    }\n                ]\n            }\n        ]${rest}\n    }\n}\n`;
    const before = file(handler(['"type": "command",', '"command": "/old/place/claude-code-sync hook Stop",', '"timeout": 10,', '"statusMessage": "syncing"']), "");
    const result = install(before);
    expect(result.text).toBe(
      file(
        handler(['"type": "command",', `"command": "${CMD}",`, '"args": ["hook", "Stop"],', '"async": true,', '"timeout": 10,', '"statusMessage": "syncing"']),
        `,\n${ourEvents(except("Stop"), "        ", "    ")}`,
      ),
    );
    expect(result.changes.slice(0, 2)).toEqual([
      { event: "Stop", action: "updated" },
      { event: "SessionStart", action: "added" },
    ]);
  });

  test("0.1.x entries are updated in place, its PostToolUse one removed, others' handlers untouched", () => {
    const legacy = (event: string) => `{"type": "command", "command": "claude-code-sync hook ${event}"}`;
    const ours = (event: string) => `{"type": "command", "command": "${CMD}", "args": ["hook", "${event}"], "async": true, "timeout": 10}`;
    const before = `{
  "hooks": {
    "SessionStart": [{"hooks": [${legacy("SessionStart")}]}],
    "PostToolUse": [{"matcher": "*", "hooks": [${legacy("PostToolUse")}]}],
    "Stop": [{"matcher": "*", "hooks": [${legacy("Stop")}]}, {"hooks": [{"type": "command", "command": "say done"}]}]
  },
  "model": "opus"
}
`;
    const result = install(before);
    expect(result.text).toBe(`{
  "hooks": {
    "SessionStart": [{"hooks": [${ours("SessionStart")}]}],
    "Stop": [{"matcher": "*", "hooks": [${ours("Stop")}]}, {"hooks": [{"type": "command", "command": "say done"}]}],
${ourEvents(except("SessionStart", "Stop"), "    ")}
  },
  "model": "opus"
}
`);
    expect(result.changes.slice(0, 3)).toEqual([
      { event: "SessionStart", action: "updated" },
      { event: "PostToolUse", action: "removed" },
      { event: "Stop", action: "updated" },
    ]);
  });

  test("duplicates of ours collapse to the first", () => {
    const ours = `{"type": "command", "command": "${CMD}", "args": ["hook", "Stop"], "async": true, "timeout": 10}`;
    const before = `{\n  "hooks": {\n    "Stop": [{"hooks": [${ours}]}, {"hooks": [${ours}, {"type": "command", "command": "say done"}]}]\n  }\n}\n`;
    const result = install(before);
    expect(result.text).toBe(
      `{\n  "hooks": {\n    "Stop": [{"hooks": [${ours}]}, {"hooks": [{"type": "command", "command": "say done"}]}],\n${ourEvents(except("Stop"), "    ")}\n  }\n}\n`,
    );
    expect(result.changes[0]).toEqual({ event: "Stop", action: "removed" });
  });
});

describe("uninstall removes only ours", () => {
  test("our handler between two others: only its line goes", () => {
    const file = (ours: string) =>
      `{\n  "hooks": {\n    "Stop": [\n      {\n        "hooks": [\n          { "type": "command", "command": "echo before" },\n${ours}          { "type": "command", "command": "echo after" }\n        ]\n      }\n    ]\n  }\n}\n`;
    const before = file(`          { "type": "command", "command": "${CMD}", "args": ["hook", "Stop"], "async": true, "timeout": 10 },\n`);
    expect(uninstall(before).text).toBe(file(""));
  });

  test("the containers it empties go, with their commas; others' empty ones stay", () => {
    const before = `{\n  "a": 1,\n  "hooks": {\n    "Stop": [{"hooks": [{"type": "command", "command": "${CMD}", "args": ["hook", "Stop"]}]}]\n  },\n  "b": []\n}\n`;
    expect(uninstall(before).text).toBe('{\n  "a": 1,\n  "b": []\n}\n');
    expect(uninstall('{"hooks": {"Stop": [], "SessionEnd": [{"hooks": []}]}}').changed).toBe(false);
  });

  test("entries of ours from anywhere: another path, 0.1.x, any event", () => {
    const before = `{"hooks": {"PostToolUse": [{"hooks": [{"type": "command", "command": "claude-code-sync hook PostToolUse"}]}], "Stop": [{"hooks": [{"type": "command", "command": "/elsewhere/claude-code-sync", "args": ["hook", "Stop"]}]}], "x": 1}}`;
    expect(uninstall(before).text).toBe('{"hooks": {"x": 1}}');
  });

  test("a non-list under an event is not ours: left alone", () => {
    expect(uninstall('{"hooks": {"Stop": {}}}').changed).toBe(false);
  });
});

describe("a file Claude Code could not read is refused, saying where", () => {
  test.each([
    ['{\n  // my settings\n  "model": "opus"\n}\n', "it is not valid JSON: a comment at line 2, column 3 (Claude Code accepts none: it ignores the whole file)"],
    ['{\n  "model": "opus",\n}\n', "it is not valid JSON: a trailing comma at line 3, column 1 (Claude Code accepts none: it ignores the whole file)"],
    ['{"a": [1, 2,]}', "it is not valid JSON: a trailing comma at line 1, column 13"],
    ["{ not json", "it is not valid JSON: an unexpected character at line 1, column 3"],
    ['{"a": "tab\there"}', "it is not valid JSON: a control character in a string at line 1, column 7"],
    ['{"a": 1} {"b": 2}', "it is not valid JSON: more text after the end at line 1, column 10"],
    ["[]", "it is not a JSON object"],
    ["null", "it is not a JSON object"],
    ['{"hooks": []}', 'its "hooks" is not an object'],
    ['{"hooks": {"Stop": {}}}', 'its "hooks.Stop" is not a list'],
  ])("%j", (text, message) => {
    let error: unknown;
    try {
      install(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toStartWith(message);
  });
});

describe("recognise: our handlers in every form setup wrote", () => {
  test.each([
    [{ type: "command", command: CMD, args: ["hook", "Stop"] }, { event: "Stop", form: "exec", runsSelf: true, launcher: [CMD] }],
    [{ type: "command", command: "/usr/local/bin/claude-code-sync", args: ["hook", "PostCompact"], async: true }, { event: "PostCompact", form: "exec", runsSelf: false, launcher: ["/usr/local/bin/claude-code-sync"] }],
    [{ type: "command", command: "C:\\Program Files\\sync\\claude-code-sync.exe", args: ["hook", "Stop"] }, { event: "Stop", form: "exec", runsSelf: false, launcher: ["C:\\Program Files\\sync\\claude-code-sync.exe"] }],
    [{ type: "command", command: "/home/me/.bun/bin/bun", args: ["/home/me/claude-code-sync/src/cli.ts", "hook", "Stop"] }, { event: "Stop", form: "exec", runsSelf: false, launcher: ["/home/me/.bun/bin/bun", "/home/me/claude-code-sync/src/cli.ts"] }],
    [{ type: "command", command: "npx", args: ["claude-code-sync", "hook", "StopFailure"] }, { event: "StopFailure", form: "exec", runsSelf: false, launcher: ["npx", "claude-code-sync"], runner: "npx" }],
    [{ type: "command", command: "pnpm", args: ["dlx", "claude-code-sync", "hook", "Stop"] }, { event: "Stop", form: "exec", runsSelf: false, launcher: ["pnpm", "dlx", "claude-code-sync"], runner: "pnpm dlx" }],
    [{ type: "command", command: "npx -y claude-code-sync@latest hook Stop" }, { event: "Stop", form: "shell", runsSelf: false, commandLine: "npx -y claude-code-sync@latest", runner: "npx" }],
    [{ type: "command", command: '"C:/Program Files/nodejs/npx.cmd" claude-code-sync hook Stop' }, { event: "Stop", form: "shell", runsSelf: false, commandLine: '"C:/Program Files/nodejs/npx.cmd" claude-code-sync', runner: "npx" }],
    [{ type: "command", command: "'/opt/node tools/bin/pnpm' dlx claude-code-sync hook Stop" }, { event: "Stop", form: "shell", runsSelf: false, commandLine: "'/opt/node tools/bin/pnpm' dlx claude-code-sync", runner: "pnpm dlx" }],
    [{ type: "command", command: "/opt/node\\ tools/bin/npx -y claude-code-sync hook Stop" }, { event: "Stop", form: "shell", runsSelf: false, commandLine: "/opt/node\\ tools/bin/npx -y claude-code-sync", runner: "npx" }],
    [{ type: "command", command: `${CMD} hook Stop  ` }, { event: "Stop", form: "shell", runsSelf: true, commandLine: CMD }],
    [{ type: "command", command: "claude-code-sync hook SessionStart" }, { event: "SessionStart", form: "shell", runsSelf: false, commandLine: "claude-code-sync" }],
    [{ type: "command", command: '"C:/Program Files/sync/claude-code-sync.exe" hook Stop' }, { event: "Stop", form: "shell", runsSelf: false, commandLine: '"C:/Program Files/sync/claude-code-sync.exe"' }],
    [{ type: "command", command: "/home/me/.bun/bin/bun /home/me/claude-code-sync/src/cli.ts hook Stop" }, { event: "Stop", form: "shell", runsSelf: false, commandLine: "/home/me/.bun/bin/bun /home/me/claude-code-sync/src/cli.ts" }],
  ])("%j is ours", (handler, expected) => {
    expect(recognise(handler, SELF)).toEqual(expected as never);
  });

  test.each([
    { type: "command", command: "claude-code-sync-cn", args: ["hook", "Stop"] },
    { type: "command", command: "other-tool", args: ["hook", "Stop"] },
    { type: "command", command: "claude-code-sync", args: ["sync"] },
    { type: "command", command: "claude-code-sync", args: ["hook", "Stop", "--now"] },
    { type: "command", command: "sh", args: ["-c", "claude-code-sync x", "hook", "Stop"] },
    { type: "command", command: "claude-code-sync", args: "hook Stop" },
    { type: "command", command: "claude-code-sync-cn hook Stop" },
    { type: "command", command: "other-tool hook Stop" },
    { type: "command", command: "claude-code-sync sync" },
    { type: "command", command: "echo claude-code-sync" },
    { type: "command", command: "claude-code-sync hook Stop && rm -rf /tmp/x" },
    { type: "prompt", prompt: "claude-code-sync hook Stop" },
    "claude-code-sync hook Stop",
  ])("%j is not", (handler) => {
    expect(recognise(handler, SELF)).toBeUndefined();
  });

  test("running from source: the exact argv, whatever the folder is called", () => {
    const dev = ["/home/me/.bun/bin/bun", "/home/me/src/sync/src/cli.ts"];
    expect(recognise({ type: "command", command: dev[0], args: [dev[1], "hook", "Stop"] }, dev)?.runsSelf).toBe(true);
    expect(recognise({ type: "command", command: `${dev.join(" ")} hook Stop` }, dev)?.runsSelf).toBe(true);
    expect(recognise({ type: "command", command: dev[0], args: [dev[1], "hook", "Stop"] }, SELF)).toBeUndefined();
    const first = install(undefined, dev);
    expect(install(first.text, dev).changed).toBe(false);
    expect(uninstall(first.text, dev).text).toBeUndefined();
  });

  test("a source checkout's hooks, seen from the built executable: taken over in place, not doubled (found by an exploratory user)", () => {
    const checkout = (name: string) => {
      const dir = scratchDir("ccs-checkout-");
      mkdirSync(join(dir, "src"));
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name }));
      return ["/home/me/.bun/bin/bun", join(dir, "src", "cli.ts")];
    };
    const ours = checkout("claude-code-sync");
    expect(recognise({ type: "command", command: ours[0], args: [ours[1], "hook", "Stop"] }, SELF)).toEqual({ event: "Stop", form: "exec", runsSelf: false, launcher: ours });
    const fromBinary = install(install(undefined, ours).text, SELF);
    expect(fromBinary.text).not.toContain(ours[1]!);
    expect(install(fromBinary.text, SELF).changed).toBe(false);
    // Another tool's script of the same shape is left alone.
    const other = checkout("other-tool");
    expect(recognise({ type: "command", command: other[0], args: [other[1], "hook", "Stop"] }, SELF)).toBeUndefined();
  });
});

describe("hookStatus", () => {
  const all = (state: HookState) => Object.fromEntries(ALL.map((event) => [event, state]));
  const shell = (events: string[], self = CMD) =>
    JSON.stringify({ hooks: Object.fromEntries(events.map((e) => [e, [{ hooks: [{ type: "command", command: `${shellWord(self)} hook ${e}`, timeout: 10 }] }]])) });
  test.each([
    ["no file", undefined, all("missing")],
    ["what setup writes", NEW_FILE, all("current")],
    ["0.2's hooks", shell(["SessionStart", "UserPromptSubmit", "Stop", "SubagentStop", "SessionEnd"]), { ...all("older"), StopFailure: "missing", PostCompact: "missing" }],
    ["a moved executable", NEW_FILE.replaceAll(CMD, "/old/bin/claude-code-sync"), all("elsewhere")],
    ["an option changed", NEW_FILE.replace('"timeout": 5', '"timeout": 60'), { ...all("current"), SessionEnd: "older" }],
    ["another field added", NEW_FILE.replace('"timeout": 5', '"timeout": 5, "statusMessage": "x"'), all("current")],
  ])("%s", (_name, text, expected) => {
    expect(hookStatus(text, SELF).states).toEqual(expected as never);
  });

  // Registered by `npx claude-code-sync setup` before setup refused it: npm clears the copy at any time.
  test("hooks running a package runner's temporary copy, this very executable's too: temporary, with the copy", () => {
    const copy = "/home/me/.npm/_npx/3f9c2a7e/node_modules/@claude-code-sync/linux-x64/bin/claude-code-sync";
    for (const self of [SELF, [copy]]) {
      expect(hookStatus(NEW_FILE.replaceAll(CMD, copy), self)).toEqual({ states: all("temporary"), temporaryCopy: { path: copy, runner: "npx" } } as never);
    }
    const pnpm = "/home/me/.cache/pnpm/dlx/7kq2/19a3-3c1d/node_modules/.bin/claude-code-sync";
    expect(hookStatus(shell(["Stop"], pnpm), SELF)).toEqual({ states: { ...all("missing"), Stop: "temporary" }, temporaryCopy: { path: pnpm, runner: "pnpm dlx" } } as never);
    expect(hookStatus(NEW_FILE, SELF).temporaryCopy).toBeUndefined();
  });

  test("refuses what Claude Code could not read", () => {
    expect(() => hookStatus("{ // x\n}", SELF)).toThrow(SettingsError);
  });

  // Setup through Homebrew's bin link, then verify or setup by the Cellar path it leads to: verify said the hooks
  // "run another claude-code-sync", and setup rewrote them to the Cellar path, which `brew upgrade` deletes.
  test.skipIf(process.platform === "win32")("hooks naming a link to this executable: current from its real path, and the link is kept", () => {
    const dir = realpathSync(scratchDir("ccs-link-"));
    const real = join(dir, "Cellar", "claude-code-sync");
    const link = join(dir, "bin-claude-code-sync");
    mkdirSync(join(dir, "Cellar"));
    writeFileSync(real, "", { mode: 0o755 });
    symlinkSync(real, link);
    const linked = NEW_FILE.replaceAll(CMD, link);
    expect(hookStatus(linked, [real]).states).toEqual(all("current") as never);
    expect(install(linked, [real]).changed).toBe(false);
    // An event not registered yet is added with the link too.
    const added = install(`{\n  "hooks": {\n${ourEvents(except("SessionEnd"), "    ")}\n  }\n}\n`.replaceAll(CMD, link), [real]).text;
    expect(added).not.toContain(real);
    expect(hookStatus(added, [real]).states).toEqual(all("current") as never);
    // Started through the link, hooks naming the real path move to the link.
    expect(install(NEW_FILE.replaceAll(CMD, real), [link]).text).toBe(linked);
    expect(hookStatus(NEW_FILE.replaceAll(CMD, real), [link]).states).toEqual(all("older") as never);
  });
});

describe("unifiedDiff", () => {
  test("changed hunks with context, numbered as diff -u numbers them", () => {
    const before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
    const after = "a\nb\nc\nd\ne\nF\ng\nh\ni\nj\nk\n";
    expect(unifiedDiff(before, after, ["x", "y"], 1)).toBe(["--- x", "+++ y", "@@ -5,3 +5,3 @@", " e", "-f", "+F", " g", "@@ -10 +10,2 @@", " j", "+k"].join("\n"));
  });
  test("the real bytes: a CRLF line shows its \\r; a last line with no newline says so", () => {
    expect(unifiedDiff('{\r\n  "a": 1\r\n}\r\n', '{\r\n  "a": 2\r\n}\r\n', ["x", "y"])).toBe(
      ["--- x", "+++ y", "@@ -1,3 +1,3 @@", " {\r", '-  "a": 1\r', '+  "a": 2\r', " }\r"].join("\n"),
    );
    expect(unifiedDiff("a\nb", "a\nc", ["x", "y"])).toBe(
      ["--- x", "+++ y", "@@ -1,2 +1,2 @@", " a", "-b", "\\ No newline at end of file", "+c", "\\ No newline at end of file"].join("\n"),
    );
  });
  test("from nothing, to nothing, no change", () => {
    expect(unifiedDiff("", "x\ny\n", ["/dev/null", "y"])).toBe(["--- /dev/null", "+++ y", "@@ -0,0 +1,2 @@", "+x", "+y"].join("\n"));
    expect(unifiedDiff("x\n", "", ["x", "/dev/null"])).toBe(["--- x", "+++ /dev/null", "@@ -1 +0,0 @@", "-x"].join("\n"));
    expect(unifiedDiff("same\n", "same\n", ["x", "y"])).toBe("");
  });
});

describe("Claude Code's version", () => {
  test.each([
    ["2.1.239 (Claude Code)\n", "2.1.239"],
    ["  2.1.139\n", "2.1.139"],
    ["Claude Code 2.1.139", undefined],
    ["", undefined],
  ])("parse %j", (output, version) => {
    expect(parseClaudeVersion(output)).toBe(version);
  });
  test.each([
    ["2.1.138", true],
    ["2.1.99", true],
    ["1.9.999", true],
    ["2.1.139", false],
    ["2.1.140", false],
    ["2.2.0", false],
    ["3.0.0", false],
  ])("%s older than 2.1.139: %p", (version, older) => {
    expect(isOlder(version, "2.1.139")).toBe(older);
  });
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

  test("hooks/hooks.json registers the same events and options, in shell form calling the executable on PATH", () => {
    const hooks = read("hooks/hooks.json");
    expect(typeof hooks.description).toBe("string");
    expect(hooks.hooks).toEqual(hooksSection(PLUGIN_LAUNCHER));
    expect(hooks.hooks.Stop).toEqual([{ hooks: [{ type: "command", command: "claude-code-sync hook Stop", async: true, timeout: 10 }] }]);
    expect(hooks.hooks.SessionEnd).toEqual([{ matcher: "*", hooks: [{ type: "command", command: "claude-code-sync hook SessionEnd", timeout: 5 }] }]);
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
