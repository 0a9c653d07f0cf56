import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { HOOK_EVENTS } from "../src/claude-settings/hooks.ts";

const ROOT = resolve(import.meta.dir, "..");
const FROM_SOURCE = `${process.execPath} ${join(ROOT, "src", "cli.ts")}`;
const posix = process.platform !== "win32";
let home: string;
let claudeDir: string;
let settings: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "ccs-setup-"));
  claudeDir = join(home, "claude-config");
  settings = join(claudeDir, "settings.json");
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function run(args: string[], options: { env?: Record<string, string>; exe?: string[] } = {}) {
  const exe = options.exe ?? [process.execPath, join(ROOT, "src", "cli.ts")];
  const result = Bun.spawnSync([...exe, ...args], {
    cwd: home,
    env: { PATH: process.env.PATH ?? "", HOME: home, CLAUDE_CONFIG_DIR: `${claudeDir},${join(home, "second")}`, ...options.env },
  });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

const OTHERS = {
  model: "sonnet",
  hooks: {
    PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "guard.sh", timeout: 5 }] }],
    Stop: [{ hooks: [{ type: "command", command: "notify-send done" }] }],
    SessionEnd: [{ matcher: "logout", hooks: [{ type: "command", command: "cleanup.sh" }] }],
  },
  permissions: { allow: ["Read"], deny: ["Bash(rm:*)"] },
  env: { DEBUG: "1" },
};
const ORIGINAL_TEXT = `${JSON.stringify(OTHERS, null, 4)}\n`;
const writeOriginal = () => {
  mkdirSync(claudeDir, { recursive: true });
  writeFileSync(settings, ORIGINAL_TEXT);
  if (posix) chmodSync(settings, 0o644);
};
const read = () => readFileSync(settings, "utf8");
const backups = () => readdirSync(claudeDir).filter((name) => name.startsWith("settings.json.bak-"));
const ourCommands = (text: string) =>
  Object.entries(JSON.parse(text).hooks as Record<string, { hooks: { command?: string }[] }[]>).flatMap(([event, groups]) =>
    groups.flatMap((group) => group.hooks.flatMap((h) => (h.command?.includes(" hook ") ? [`${event}: ${h.command}`] : []))),
  );

describe("setup", () => {
  test("merges into a settings file full of other things, with a backup, and keeps its mode", () => {
    writeOriginal();
    const out = run(["setup"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Registered the claude-code-sync hooks in ${settings}`);
    expect(out.stdout).toContain("claude-code-sync login");

    const after = JSON.parse(read());
    expect(Object.keys(after)).toEqual(Object.keys(OTHERS));
    expect(after.permissions).toEqual(OTHERS.permissions);
    expect(after.env).toEqual(OTHERS.env);
    expect(after.hooks.PreToolUse).toEqual(OTHERS.hooks.PreToolUse);
    expect(after.hooks.Stop[0]).toEqual(OTHERS.hooks.Stop[0]);
    expect(after.hooks.SessionEnd[0]).toEqual(OTHERS.hooks.SessionEnd[0]);
    expect(ourCommands(read()).sort()).toEqual(HOOK_EVENTS.map((e) => `${e}: ${FROM_SOURCE} hook ${e}`).sort());
    expect(read()).toContain('\n    "model": "sonnet",\n');

    expect(backups()).toHaveLength(1);
    expect(readFileSync(join(claudeDir, backups()[0]!), "utf8")).toBe(ORIGINAL_TEXT);
    if (posix) expect(statSync(settings).mode & 0o777).toBe(0o644);
  });

  test("twice: byte-identical file, no second backup", () => {
    writeOriginal();
    expect(run(["setup"]).code).toBe(0);
    const first = read();
    const again = run(["setup"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already registered");
    expect(read()).toBe(first);
    expect(backups()).toHaveLength(1);
  });

  test("--dry-run shows the change and writes nothing", () => {
    writeOriginal();
    const out = run(["setup", "--dry-run"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`+           "command": "${FROM_SOURCE} hook UserPromptSubmit",`);
    expect(out.stdout).toContain("Dry run: nothing was written.");
    expect(read()).toBe(ORIGINAL_TEXT);
    expect(backups()).toHaveLength(0);
  });

  test("--uninstall restores the original meaning and is idempotent", () => {
    writeOriginal();
    run(["setup"]);
    const out = run(["setup", "--uninstall"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Removed the claude-code-sync hooks");
    expect(JSON.stringify(JSON.parse(read()))).toBe(JSON.stringify(OTHERS));
    const again = run(["setup", "--uninstall"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to remove");
    expect(backups()).toHaveLength(2);
  });

  test("invalid JSON is left untouched: exit 2 and a clear message", () => {
    mkdirSync(claudeDir, { recursive: true });
    const broken = '{ "model": "opus", }';
    writeFileSync(settings, broken);
    for (const args of [["setup"], ["setup", "--uninstall"], ["setup", "--dry-run"]]) {
      const out = run(args);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(`Cannot update ${settings}: it is not valid JSON`);
      expect(out.stderr).toContain("left untouched");
    }
    expect(read()).toBe(broken);
    expect(readdirSync(claudeDir)).toEqual(["settings.json"]);
  });

  test("a missing folder and file are created (owner-only), in ~/.claude without CLAUDE_CONFIG_DIR", () => {
    const out = run(["setup"], { env: { CLAUDE_CONFIG_DIR: "" } });
    expect(out.code).toBe(0);
    const created = join(home, ".claude", "settings.json");
    expect(ourCommands(readFileSync(created, "utf8"))).toHaveLength(HOOK_EVENTS.length);
    expect(out.stdout).not.toContain("Previous file saved");
    if (posix) expect(statSync(created).mode & 0o777).toBe(0o600);
    expect(existsSync(claudeDir)).toBe(false);
  });

  test("a symlinked settings file is written through the link", () => {
    if (!posix) return;
    const real = join(home, "dotfiles", "claude-settings.json");
    mkdirSync(join(home, "dotfiles"));
    writeFileSync(real, ORIGINAL_TEXT);
    mkdirSync(claudeDir);
    symlinkSync(real, settings);
    expect(run(["setup"]).code).toBe(0);
    expect(lstatSync(settings).isSymbolicLink()).toBe(true);
    expect(ourCommands(readFileSync(real, "utf8"))).toHaveLength(HOOK_EVENTS.length);
  });
});

describe("setup from a compiled binary", () => {
  const buildDir = mkdtempSync(join(tmpdir(), "ccs-bin-"));
  const binary = join(buildDir, process.platform === "win32" ? "claude-code-sync.exe" : "claude-code-sync");
  afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

  test("uses the binary's own path, and takes over entries written from elsewhere", () => {
    const build = Bun.spawnSync([process.execPath, "build", "--compile", join(ROOT, "src", "cli.ts"), "--outfile", binary], {
      cwd: ROOT,
    });
    expect(build.exitCode).toBe(0);
    writeOriginal();
    // An older install elsewhere on the machine, and one under an event we no longer use.
    const text = JSON.parse(ORIGINAL_TEXT);
    text.hooks.Stop.push({ hooks: [{ type: "command", command: "/usr/lib/claude-code-sync hook Stop" }] });
    text.hooks.PostToolUse = [{ matcher: "*", hooks: [{ type: "command", command: "claude-code-sync hook PostToolUse" }] }];
    writeFileSync(settings, JSON.stringify(text, null, 2));

    const out = run(["setup"], { exe: [binary] });
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain("running from source");
    expect(ourCommands(read()).sort()).toEqual(HOOK_EVENTS.map((e) => `${e}: ${binary} hook ${e}`).sort());
    const after = JSON.parse(read());
    expect(after.hooks.PostToolUse).toBeUndefined();
    expect(after.hooks.Stop).toHaveLength(2);
    expect(run(["setup"], { exe: [binary] }).stdout).toContain("already registered");
  });
});
