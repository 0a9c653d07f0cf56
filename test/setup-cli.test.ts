import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { HOOK_EVENTS, hooksSection } from "../src/claude-settings/hook-spec.ts";
import { shellWord } from "../src/claude-settings/self-command.ts";
import { installedOnPath, runnerCommandOf, temporaryCopyIn } from "../src/claude-settings/temporary-copy.ts";
import { compiledCli } from "./helpers/compiled.ts";
import { scratchDir } from "./helpers/scratch.ts";

// Each test runs the CLI several times; on a shared, loaded machine that can take longer than the default 5 s.
setDefaultTimeout(60_000);

const ROOT = resolve(import.meta.dir, "..");
const CLI = join(ROOT, "src", "cli.ts");
const FROM_SOURCE = [process.execPath, CLI];
const posix = process.platform !== "win32";
let home: string;
let claudeDir: string;
let settings: string;
let bin: string;

beforeEach(() => {
  home = scratchDir("ccs-setup-");
  claudeDir = join(home, "claude-config");
  settings = join(claudeDir, "settings.json");
  bin = join(home, "bin");
  mkdirSync(bin);
  fakeClaude("2.1.239");
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** A `claude` on PATH that answers --version like Claude Code does (setup asks it). */
function fakeClaude(version: string) {
  writeFileSync(join(bin, "claude"), `#!/bin/sh\necho "${version} (Claude Code)"\n`, { mode: 0o755 });
}

function run(args: string[], options: { env?: Record<string, string>; exe?: string[] } = {}) {
  const exe = options.exe ?? FROM_SOURCE;
  const result = Bun.spawnSync([...exe, ...args], {
    cwd: home,
    env: {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      HOME: home,
      CLAUDE_CONFIG_DIR: `${claudeDir},${join(home, "second")}`,
      ...options.env,
    },
  });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

/** Another user's settings: 4 spaces, one-line arrays, other tools' hooks on our events. */
const ORIGINAL_TEXT = `{
    "model": "sonnet",
    "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard.sh", "timeout": 5}]}],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
        "SessionEnd": [
            {
                "matcher": "logout",
                "hooks": [{"type": "command", "command": "cleanup.sh"}]
            }
        ]
    },
    "permissions": {"allow": ["Read"], "deny": ["Bash(rm:*)"]},
    "env": {"DEBUG": "1"}
}
`;
const writeFile = (text: string) => {
  mkdirSync(claudeDir, { recursive: true });
  writeFileSync(settings, text);
  if (posix) chmodSync(settings, 0o644);
};
const read = () => readFileSync(settings, "utf8");
const backups = () => readdirSync(claudeDir).filter((name) => name.startsWith("settings.json.bak-"));

interface Handler {
  type: string;
  command: string;
  args?: string[];
  async?: boolean;
  timeout?: number;
}
/** Every handler of the file, as "Event: command args...". */
const handlers = (text: string) =>
  Object.entries(JSON.parse(text).hooks as Record<string, { hooks: Handler[] }[]>).flatMap(([event, groups]) =>
    groups.flatMap((group) => group.hooks.map((h) => ({ event, ...h }))),
  );
const ours = (text: string) =>
  handlers(text)
    .filter((h) => h.args?.includes("hook"))
    .map((h) => `${h.event}: ${[h.command, ...h.args!].join(" ")}`)
    .sort();
const expectedOurs = (argv: string[]) => HOOK_EVENTS.map((e) => `${e}: ${[...argv, "hook", e].join(" ")}`).sort();

describe("setup", () => {
  test("merges into a file full of other things: nothing else changes, a backup is kept, the mode too", () => {
    writeFile(ORIGINAL_TEXT);
    const out = run(["setup"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Registered the claude-code-sync hooks in ${settings}:\n  added: ${HOOK_EVENTS.join(", ")}\n`);
    expect(out.stdout).toContain("claude-code-sync login");

    const after = read();
    expect(ours(after)).toEqual(expectedOurs(FROM_SOURCE));
    // Other tools' one-line entries are still the same bytes, ours appended beside them.
    expect(after).toContain('\n        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard.sh", "timeout": 5}]}],\n');
    expect(after).toContain('\n        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}, {"hooks": [{"type": "command", ');
    expect(after).toContain('\n    "permissions": {"allow": ["Read"], "deny": ["Bash(rm:*)"]},\n    "env": {"DEBUG": "1"}\n}\n');

    expect(backups()).toHaveLength(1);
    expect(readFileSync(join(claudeDir, backups()[0]!), "utf8")).toBe(ORIGINAL_TEXT);
    if (posix) expect(statSync(settings).mode & 0o777).toBe(0o644);
  });

  test("twice: byte-identical file, no second backup", () => {
    writeFile(ORIGINAL_TEXT);
    expect(run(["setup"]).code).toBe(0);
    const first = read();
    const again = run(["setup"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already registered");
    expect(read()).toBe(first);
    expect(backups()).toHaveLength(1);
  });

  test("--dry-run prints the diff of the real bytes, the same change setup then makes, and writes nothing", () => {
    const crlf = ORIGINAL_TEXT.replaceAll("\n", "\r\n");
    writeFile(crlf);
    const out = run(["setup", "--dry-run"]);
    expect(out.code).toBe(0);
    expect(read()).toBe(crlf);
    expect(backups()).toHaveLength(0);
    const exec = `"command": "${process.execPath}", "args": ["${CLI}", "hook", "Stop"], "async": true, "timeout": 10`;
    expect(out.stdout).toStartWith(`Would change ${settings}:\n\n--- ${settings}\n+++ ${settings} (after setup)\n@@ -2,11 +2,91 @@\n     "model": "sonnet",\r\n`);
    expect(out.stdout).toContain('\n-        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],\r\n');
    expect(out.stdout).toContain(`\n+        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}, {"hooks": [{"type": "command", ${exec}}]}],\r\n`);
    expect(out.stdout).toContain('\n+        "StopFailure": [\r\n');
    expect(out.stdout).toContain(`\nadded: ${HOOK_EVENTS.join(", ")}\nDry run: nothing was written.\n`);

    const diff = out.stdout.slice(out.stdout.indexOf("--- "), out.stdout.indexOf("\n\nadded:"));
    expect(run(["setup"]).code).toBe(0);
    expect(applyUnifiedDiff(crlf, diff)).toBe(read());
  });

  test.each([
    ["4 spaces, one-line arrays, others' hooks on our events", ORIGINAL_TEXT],
    ["CRLF", ORIGINAL_TEXT.replaceAll("\n", "\r\n")],
    ["no final newline, tabs", '{\n\t"model": "opus",\n\t"hooks": {\n\t\t"Notification": []\n\t},\n\t"x": [1,2]\n}'],
    ["minified", '{"model":"opus","hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"guard.sh"}]}]}}'],
    ["a byte order mark", `\uFEFF${ORIGINAL_TEXT}`],
    ["an empty object", "{}"],
  ])("--uninstall gives back the very bytes: %s", (_name, original) => {
    writeFile(original);
    expect(run(["setup"]).code).toBe(0);
    expect(read()).not.toBe(original);
    const out = run(["setup", "--uninstall"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Removed the claude-code-sync hooks from ${settings}.`);
    expect(read()).toBe(original);
    const again = run(["setup", "--uninstall"]);
    expect(again.stdout).toContain("nothing to remove");
    expect(backups()).toHaveLength(2);
  });

  test("no file: created owner-only (in ~/.claude without CLAUDE_CONFIG_DIR); --uninstall removes it again", () => {
    const env = { CLAUDE_CONFIG_DIR: "" };
    const out = run(["setup"], { env });
    expect(out.code).toBe(0);
    const created = join(home, ".claude", "settings.json");
    expect(ours(readFileSync(created, "utf8"))).toEqual(expectedOurs(FROM_SOURCE));
    expect(out.stdout).not.toContain("Previous file saved");
    expect(out.stdout).toContain(`hooks in ${created} (a new folder: Claude Code has not run here yet; it reads the file when it starts):`);
    if (posix) expect(statSync(created).mode & 0o777).toBe(0o600);
    expect(existsSync(claudeDir)).toBe(false);

    const dry = run(["setup", "--uninstall", "--dry-run"], { env });
    expect(dry.stdout).toContain(`--- ${created}\n+++ /dev/null\n@@ -1,`);
    const removed = run(["setup", "--uninstall"], { env });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain("it is gone");
    expect(readdirSync(join(home, ".claude"))).toEqual([]);
  });

  // It wrote settings.json into a mistyped CLAUDE_CONFIG_DIR, and the folder it made hid the typo from sync and status.
  test("a CLAUDE_CONFIG_DIR that does not exist: nothing written, exit 2, the typo said; created, setup goes on", () => {
    const typo = join(home, "claude config typo");
    const env = { CLAUDE_CONFIG_DIR: typo };
    for (const args of [["setup"], ["setup", "--dry-run"]]) {
      const out = run(args, { env });
      expect(out).toMatchObject({ code: 2, stdout: "" });
      expect(out.stderr).toContain(`CLAUDE_CONFIG_DIR names ${typo}, which does not exist, so Claude Code has never run with it: nothing was written.`);
      expect(out.stderr).toContain(`(mkdir -p "${typo}")`);
      expect(existsSync(typo)).toBe(false);
    }
    expect(run(["setup", "--uninstall"], { env }).code).toBe(0);
    mkdirSync(typo);
    const out = run(["setup"], { env });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Registered the claude-code-sync hooks in ${join(typo, "settings.json")}:`);
  });

  test("an empty file gets our section; --uninstall then removes the file (no file and an empty one are the same to Claude Code)", () => {
    writeFile("");
    expect(run(["setup"]).code).toBe(0);
    expect(ours(read())).toEqual(expectedOurs(FROM_SOURCE));
    expect(run(["setup", "--uninstall"]).code).toBe(0);
    expect(existsSync(settings)).toBe(false);
  });

  test.each([
    ['{ "model": "opus", }', "it is not valid JSON: a trailing comma at line 1, column 20 (Claude Code accepts none: it ignores the whole file)"],
    ['{\n  // pinned for the team\n  "model": "opus"\n}\n', "it is not valid JSON: a comment at line 2, column 3 (Claude Code accepts none: it ignores the whole file)"],
    ['{"hooks": {"Stop": "x"}}', 'its "hooks.Stop" is not a list'],
  ])("a file Claude Code cannot read either is left untouched: %j", (broken, problem) => {
    writeFile(broken);
    for (const args of [["setup"], ["setup", "--dry-run"]]) {
      const out = run(args);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(`Cannot update ${settings}: ${problem}. It was left untouched`);
    }
    expect(read()).toBe(broken);
    expect(readdirSync(claudeDir)).toEqual(["settings.json"]);
  });

  test("upgrade: 0.2's shell command lines and 0.1.x's entries become today's, in place, once each, saying so", () => {
    const shell = (event: string) => `${FROM_SOURCE.map(shellWord).join(" ")} hook ${event}`;
    const older = {
      hooks: {
        SessionStart: [{ matcher: "*", hooks: [{ type: "command", command: shell("SessionStart"), timeout: 10 }] }],
        UserPromptSubmit: [{ hooks: [{ type: "command", command: shell("UserPromptSubmit"), timeout: 10 }] }],
        PostToolUse: [{ matcher: "*", hooks: [{ type: "command", command: "claude-code-sync hook PostToolUse" }] }],
        Stop: [
          { matcher: "*", hooks: [{ type: "command", command: "claude-code-sync hook Stop" }] },
          { hooks: [{ type: "command", command: shell("Stop"), timeout: 10 }, { type: "command", command: "say done" }] },
        ],
        SubagentStop: [{ matcher: "*", hooks: [{ type: "command", command: shell("SubagentStop"), timeout: 10 }] }],
        SessionEnd: [{ matcher: "*", hooks: [{ type: "command", command: shell("SessionEnd"), timeout: 10 }] }],
      },
    };
    writeFile(`${JSON.stringify(older, null, 2)}\n`);
    const out = run(["setup"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(
      "  added: StopFailure, PostCompact\n" +
        "  brought up to date in place: SessionStart, UserPromptSubmit, Stop, SubagentStop, SessionEnd\n" +
        "  removed (a duplicate, or an event no longer used): PostToolUse, Stop\n",
    );
    expect(ours(read())).toEqual(expectedOurs(FROM_SOURCE));
    const after = JSON.parse(read());
    expect(after.hooks.PostToolUse).toBeUndefined();
    expect(Object.keys(after.hooks)).toEqual(["SessionStart", "UserPromptSubmit", "Stop", "SubagentStop", "SessionEnd", "StopFailure", "PostCompact"]);
    // The first of ours under Stop (0.1.x's) is the one updated; the later one goes, the other tool's handler stays.
    expect(after.hooks.Stop).toEqual([
      { matcher: "*", hooks: [{ type: "command", command: process.execPath, args: [CLI, "hook", "Stop"], async: true, timeout: 10 }] },
      { hooks: [{ type: "command", command: "say done" }] },
    ]);
    expect(after.hooks.SessionEnd[0].hooks).toEqual([{ type: "command", command: process.execPath, args: [CLI, "hook", "SessionEnd"], timeout: 5 }]);
    expect(run(["setup"]).stdout).toContain("already registered");
  });

  test.skipIf(!posix)("a Claude Code too old for these hooks: setup refuses and leaves the file; --uninstall still works", () => {
    writeFile(ORIGINAL_TEXT);
    expect(run(["setup"]).code).toBe(0);
    const installed = read();
    writeFile(ORIGINAL_TEXT);
    fakeClaude("2.1.120");
    for (const args of [["setup"], ["setup", "--dry-run"]]) {
      const out = run(args);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain("Claude Code 2.1.120 is installed (claude --version), and the hooks need 2.1.139 or later");
      expect(out.stderr).toContain("claude update");
    }
    expect(read()).toBe(ORIGINAL_TEXT);
    writeFile(installed);
    expect(run(["setup", "--uninstall"]).code).toBe(0);
    expect(read()).toBe(ORIGINAL_TEXT);
  });

  test("every registered handler, spawned the way Claude Code runs exec form (no shell), queues a sync for its event", () => {
    mkdirSync(claudeDir);
    expect(run(["setup"]).code).toBe(0);
    expectHandlersQueue(read());
  });

  test.skipIf(!posix)("a symlinked settings file is written through the link", () => {
    const real = join(home, "dotfiles", "claude-settings.json");
    mkdirSync(join(home, "dotfiles"));
    writeFileSync(real, ORIGINAL_TEXT);
    mkdirSync(claudeDir);
    symlinkSync(real, settings);
    expect(run(["setup"]).code).toBe(0);
    expect(lstatSync(settings).isSymbolicLink()).toBe(true);
    expect(ours(readFileSync(real, "utf8"))).toEqual(expectedOurs(FROM_SOURCE));
    expect(run(["setup", "--uninstall"]).code).toBe(0);
    expect(readFileSync(real, "utf8")).toBe(ORIGINAL_TEXT);
  });

  test.skipIf(!posix)("a symlink to a settings file not there yet stays a link: setup creates its target, or says why it cannot", () => {
    mkdirSync(claudeDir);
    symlinkSync(join(home, "dotfiles", "claude", "settings.json"), settings);
    const missing = run(["setup"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`it is a link to ${join(home, "dotfiles", "claude", "settings.json")}, whose folder does not exist`);
    expect(lstatSync(settings).isSymbolicLink()).toBe(true);
    mkdirSync(join(home, "dotfiles", "claude"), { recursive: true });
    expect(run(["setup"]).code).toBe(0);
    expect(lstatSync(settings).isSymbolicLink()).toBe(true);
    expect(ours(readFileSync(join(home, "dotfiles", "claude", "settings.json"), "utf8"))).toEqual(expectedOurs(FROM_SOURCE));
  });
});

// npx, pnpm dlx, bunx and yarn dlx run a package from a copy they clear at any time; an install is elsewhere.
const PLATFORM_BIN = "node_modules/@claude-code-sync/linux-x64/bin/claude-code-sync";
test.each([
  [[`/home/jane/.npm/_npx/3f9c2a7e/${PLATFORM_BIN}`], 0, "npx"],
  [["C:\\Users\\jane\\AppData\\Local\\npm-cache\\_npx\\3f9c\\node_modules\\@claude-code-sync\\win32-x64\\bin\\claude-code-sync.exe"], 0, "npx"],
  [["/home/jane/.npm/_npx/3f9c2a7e/node_modules/bun/bin/bun.exe", "/home/jane/src/cli.ts"], 0, "npx"], // npx bun from a checkout
  [[`/home/jane/.cache/pnpm/dlx/7kq2mz4x5c3v6b7n8m9a0s1d2f/19a3c5e7f1b-3c1d/${PLATFORM_BIN}`], 0, "pnpm dlx"],
  [["C:\\Users\\jane\\AppData\\Local\\pnpm-cache\\dlx\\7kq2mz\\pkg\\node_modules\\@claude-code-sync\\win32-x64\\bin\\claude-code-sync.exe"], 0, "pnpm dlx"],
  [[`/tmp/bunx-1000-claude-code-sync@latest/${PLATFORM_BIN}`], 0, "bunx"],
  [[`/home/jane/.bun/install/cache/.bunx-1000/claude-code-sync@latest/${PLATFORM_BIN}`], 0, "bunx"],
  [[`/tmp/xfs-8d1f0a2b/dlx-48213/.yarn/unplugged/@claude-code-sync-linux-x64-npm-0.3.0-1a2b3c/${PLATFORM_BIN}`], 0, "yarn dlx"],
  [[`/usr/local/lib/node_modules/claude-code-sync/${PLATFORM_BIN}`], undefined, undefined],
  [[`/home/jane/.local/share/pnpm/global/5/${PLATFORM_BIN}`], undefined, undefined], // pnpm add -g
  [[`/home/jane/.bun/install/global/${PLATFORM_BIN}`], undefined, undefined], // bun add -g
  [["/home/jane/my_npx_tools/claude-code-sync"], undefined, undefined],
  [["/home/jane/dlx-notes/bunx/claude-code-sync"], undefined, undefined],
  [["/home/jane/dlx/bin/claude-code-sync"], undefined, undefined], // a folder of one's own named dlx
  [["/opt/bunx-tools/claude-code-sync"], undefined, undefined],
])("a runner's temporary copy in %j: argument %p, %p's", (argv, at, runner) => {
  expect(temporaryCopyIn(argv)).toEqual(at === undefined ? undefined : { path: argv[at]!, runner: runner! });
});

// A hook written to run us through a runner at every event: the runner's words, its options, our package (maybe at a version).
test.each([
  [["npx", "claude-code-sync"], "npx"],
  [["npx", "-y", "claude-code-sync@latest"], "npx"],
  [["npx", "--yes", "claude-code-sync@0.2.0"], "npx"],
  [["/usr/local/bin/npx", "claude-code-sync"], "npx"],
  [["C:\\Program Files\\nodejs\\npx.cmd", "claude-code-sync"], "npx"],
  [["npm", "exec", "claude-code-sync"], "npx"],
  [["npm", "x", "--yes", "--", "claude-code-sync@latest"], "npx"],
  [["npm", "claude-code-sync"], undefined],
  [["npx", "-p", "claude-code-sync", "claude-code-sync"], "npx"],
  [["npx", "--yes", "--package=claude-code-sync@latest", "claude-code-sync"], "npx"],
  [["bunx", "--package", "claude-code-sync@0.2.0", "claude-code-sync"], "bunx"],
  [["npx", "-p", "other-tool", "claude-code-sync"], undefined],
  [["npx", "-p", "claude-code-sync", "other-tool"], undefined],
  [["npx", "-p", "claude-code-sync"], undefined],
  [["pnpm", "dlx", "claude-code-sync"], "pnpm dlx"],
  [["pnpx", "claude-code-sync"], "pnpm dlx"],
  [["bunx", "claude-code-sync"], "bunx"],
  [["bun", "x", "claude-code-sync@latest"], "bunx"],
  [["yarn", "dlx", "-q", "claude-code-sync"], "yarn dlx"],
  [["npx", "claude-code-sync-beta"], undefined],
  [["npx", "other-tool"], undefined],
  [["npx", "claude-code-sync", "extra"], undefined],
  [["pnpm", "claude-code-sync"], undefined], // a script of the project's, not the package
  [["yarn", "claude-code-sync"], undefined],
  [["/usr/local/bin/claude-code-sync"], undefined],
  [[], undefined],
])("%j runs our package through %p", (words, runner) => {
  expect(runnerCommandOf(words)).toBe(runner);
});

test.skipIf(!posix)("an installed claude-code-sync on PATH is found past a runner's own link first on PATH", () => {
  const links = [join(home, "tmp", "bunx-1000-claude-code-sync@latest", "node_modules", ".bin"), join(home, ".cache", "pnpm", "dlx", "7kq2", "pkg", "node_modules", ".bin")];
  for (const dir of [...links, bin]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "claude-code-sync"), "#!/bin/sh\n", { mode: 0o755 });
  }
  expect(installedOnPath({ PATH: [...links, bin].join(":") })).toBe(join(bin, "claude-code-sync"));
  expect(installedOnPath({ PATH: links.join(":") })).toBeUndefined();
});

describe("setup from a compiled binary", () => {
  const buildDir = scratchDir("ccs-bin-");
  // Spaces, quotes and a dollar sign: what a shell command line would have to quote.
  const folder = join(buildDir, `Jane's "tools" $HOME`);
  const binary = join(folder, posix ? "claude-code-sync" : "claude-code-sync.exe");
  beforeAll(async () => {
    mkdirSync(folder);
    copyFileSync(await compiledCli(), binary);
  }, 120_000);
  afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

  test("uses its own path, even with spaces and quotes; takes over entries written from elsewhere; the hooks run", () => {
    const text = JSON.parse(ORIGINAL_TEXT);
    text.hooks.Stop.push({ hooks: [{ type: "command", command: "/usr/lib/claude-code-sync hook Stop" }] });
    text.hooks.PostToolUse = [{ matcher: "*", hooks: [{ type: "command", command: "claude-code-sync hook PostToolUse" }] }];
    writeFile(JSON.stringify(text, null, 2));

    const out = run(["setup"], { exe: [binary] });
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain("running from source");
    expect(ours(read())).toEqual(expectedOurs([binary]));
    const after = JSON.parse(read());
    expect(after.hooks.PostToolUse).toBeUndefined();
    expect(after.hooks.Stop).toHaveLength(2);
    expect(run(["setup"], { exe: [binary] }).stdout).toContain("already registered");
    expectHandlersQueue(read());
  }, 120_000);

  // `npx claude-code-sync setup` runs the executable from npm's cache, which npm clears at any time: hooks naming it
  // stopped syncing, silently, once it did.
  /** The binary as npx runs it, from its copy in npm's cache, with npx's own link first on PATH. */
  const npxCopy = () => {
    const npxBin = join(home, ".npm", "_npx", "3f9c2a7e1b5d4c08", "node_modules", ".bin");
    const copy = join(home, ".npm", "_npx", "3f9c2a7e1b5d4c08", "node_modules", "@claude-code-sync", "linux-x64", "bin", "claude-code-sync");
    mkdirSync(dirname(copy), { recursive: true });
    mkdirSync(npxBin, { recursive: true });
    copyFileSync(binary, copy);
    chmodSync(copy, 0o755);
    symlinkSync(copy, join(npxBin, "claude-code-sync"));
    // No other claude-code-sync on PATH (the checkout's node_modules/.bin has 0.1.15's).
    return { copy, env: { PATH: `${npxBin}:${bin}:/usr/bin:/bin`, npm_command: "exec" } };
  };
  const installHere = () => {
    const installed = join(bin, "claude-code-sync");
    copyFileSync(binary, installed);
    chmodSync(installed, 0o755);
    return installed;
  };

  test("run by npx, from npm's cache: nothing written, exit 2, how to install for good; an installed one on PATH is named", () => {
    const { copy, env } = npxCopy();
    writeFile(ORIGINAL_TEXT);
    for (const args of [["setup"], ["setup", "--dry-run"]]) {
      const out = run(args, { exe: [copy], env });
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(`npx's temporary copy (${copy})`);
      expect(out.stderr).toContain("npm install -g claude-code-sync");
      expect(out.stderr).toContain("install.sh | sh");
      expect(out.stderr).toContain("brew install claude-code-sync/tap/claude-code-sync");
      expect(out.stdout).not.toContain(copy);
    }
    expect(read()).toBe(ORIGINAL_TEXT);
    expect(backups()).toEqual([]);
    // Installed too (npx's own link, first on PATH, is not it): that one is named, nothing written.
    const installed = installHere();
    const named = run(["setup"], { exe: [copy], env });
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(`claude-code-sync is installed at ${installed}: run ${shellWord(installed)} setup.`);
    expect(read()).toBe(ORIGINAL_TEXT);
    // Removing hooks registers nothing: it still works from npx.
    expect(run(["setup"], { exe: [installed] }).code).toBe(0);
    expect(run(["setup", "--uninstall"], { exe: [copy], env }).code).toBe(0);
    expect(read()).toBe(ORIGINAL_TEXT);
  });

  // Before setup refused it, `npx claude-code-sync setup` registered npx's copy: a verify run the same way found
  // those hooks current, though npm may clear the copy at any time.
  test("hooks registered into npx's copy: verify fails naming it, run by that copy too, with how to install for good; the installed one's setup replaces them", () => {
    const { copy, env } = npxCopy();
    writeFile(JSON.stringify({ hooks: hooksSection({ argv: [copy] }) }));
    const hooks = (exe: string[]) => {
      const out = run(["verify", "--json"], { exe, env });
      return (JSON.parse(out.stdout) as { checks: { id: string; status: string; detail: string; fix?: string }[] }).checks.find((c) => c.id === "hooks")!;
    };
    const fromCopy = hooks([copy]);
    expect(fromCopy.status).toBe("fail");
    expect(fromCopy.detail).toContain(`run ${copy}, npx's temporary copy (setup was run through npx), which may be deleted at any time`);
    expect(fromCopy.fix).toStartWith("install it for good, then run claude-code-sync setup: npm install -g claude-code-sync");
    // setup run the same way again found them "already registered", exit 0.
    const again = run(["setup"], { exe: [copy], env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`npx's temporary copy (${copy})`);
    const installed = installHere();
    expect(hooks([copy]).fix).toBe(`claude-code-sync is installed at ${installed}: run ${shellWord(installed)} setup`);
    expect(hooks([installed])).toMatchObject({ status: "fail", fix: "claude-code-sync setup" });
    expect(run(["setup"], { exe: [installed] }).code).toBe(0);
    expect(ours(read())).toEqual(expectedOurs([installed]));
    expect(hooks([installed]).status).toBe("ok");
  });

  // Homebrew's bin/claude-code-sync links into Cellar/claude-code-sync/<version>/, which `brew upgrade` deletes:
  // the hooks named the versioned path, and failed at every event until setup ran again.
  test.skipIf(!posix)("started through a link (Homebrew's bin), registers the link: an upgrade that replaces the versioned folder keeps the hooks running", () => {
    const cellar = join(buildDir, "Cellar", "claude-code-sync");
    const linkDir = join(buildDir, "brew-bin");
    const link = join(linkDir, "claude-code-sync");
    mkdirSync(join(cellar, "0.2.0", "bin"), { recursive: true });
    mkdirSync(linkDir);
    const old = join(cellar, "0.2.0", "bin", "claude-code-sync");
    writeFileSync(old, readFileSync(binary), { mode: 0o755 });
    symlinkSync(old, link);
    writeFile(ORIGINAL_TEXT);

    // By its path, and found on PATH as a user types it.
    expect(run(["setup"], { exe: [link] }).stdout).toContain(`They run ${link} hook <Event>`);
    expect(ours(read())).toEqual(expectedOurs([link]));
    const onPath = run(["setup"], { exe: ["claude-code-sync"], env: { PATH: `${linkDir}:${bin}:${process.env.PATH ?? ""}` } });
    expect(onPath.stdout).toContain("already registered");
    // By the real path the link leads to: the hooks run this executable (verify said they "run another
    // claude-code-sync", exit 2), and setup keeps the link, which outlives the versioned folder.
    const checked = JSON.parse(run(["verify", "--json"], { exe: [old] }).stdout).checks as { id: string; status: string; detail: string }[];
    expect(checked.find((c) => c.id === "hooks")).toMatchObject({ status: "ok", detail: `${HOOK_EVENTS.join(", ")} registered in ${settings}` });
    expect(run(["setup"], { exe: [old] }).stdout).toContain("already registered");
    expect(ours(read())).toEqual(expectedOurs([link]));

    // brew upgrade: the new version's folder, the link moved to it, the old folder gone.
    const next = join(cellar, "0.2.1", "bin", "claude-code-sync");
    mkdirSync(dirname(next), { recursive: true });
    writeFileSync(next, readFileSync(binary), { mode: 0o755 });
    rmSync(link);
    symlinkSync(next, link);
    rmSync(join(cellar, "0.2.0"), { recursive: true });
    expectHandlersQueue(read());
    const checks = JSON.parse(run(["verify", "--json"], { exe: [link] }).stdout).checks as { id: string; status: string; detail: string }[];
    expect(checks.find((c) => c.id === "hooks")).toMatchObject({ status: "ok", detail: `${HOOK_EVENTS.join(", ")} registered in ${settings}` });
  });
});

/**
 * Runs each of our handlers as Claude Code's exec form does (`command` spawned
 * with `args`, no shell), with an event on stdin. A live pid in runner.pid keeps
 * the hook from starting the background sync, so its request stays queued.
 */
function expectHandlersQueue(text: string) {
  const appDir = join(home, ".claude-code-sync");
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, "runner.pid"), String(process.pid));
  for (const [i, h] of handlers(text).filter((h) => h.args?.includes("hook")).entries()) {
    const session = `5e55104${i}-0000-4000-8000-000000000000`;
    const hook = Bun.spawnSync([h.command, ...h.args!], {
      env: { PATH: process.env.PATH ?? "", HOME: home },
      stdin: new TextEncoder().encode(JSON.stringify({ session_id: session, hook_event_name: h.event })),
    });
    expect([h.event, hook.exitCode, hook.stdout.toString()]).toEqual([h.event, 0, ""]);
    const request = JSON.parse(readFileSync(join(appDir, "queue", `${session}.json`), "utf8"));
    expect(request).toMatchObject({ sessionId: session, event: h.event });
  }
}

/** Applies a unified diff (as setup --dry-run prints it) to `text`: the test's own reading of the format. */
function applyUnifiedDiff(text: string, diff: string): string {
  const source = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const out: string[] = [];
  let at = 0;
  const lines = diff.split("\n").slice(2);
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    const noNewline = lines[k + 1] === "\\ No newline at end of file";
    const body = line.slice(1) + (noNewline ? "" : "\n");
    if (line.startsWith("@@")) {
      const start = Number(/^@@ -(\d+)/.exec(line)![1]);
      const upTo = Math.max(0, start - 1);
      out.push(...source.slice(at, upTo));
      at = upTo;
    } else if (line.startsWith(" ")) {
      expect(source[at]).toBe(body);
      out.push(source[at++]!);
    } else if (line.startsWith("-")) {
      expect(source[at++]).toBe(body);
    } else if (line.startsWith("+")) {
      out.push(body);
    }
  }
  out.push(...source.slice(at));
  return out.join("");
}
