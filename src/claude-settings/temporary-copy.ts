import { basename, delimiter } from "node:path";
import { shellWord } from "./self-command.ts";

/**
 * The package runners: the command a user types for each (`runner`, and its other spellings), and the folder
 * it unpacks a package into to run it without an install, known by the folders of the path (the caches may be
 * anywhere: npm_config_cache, pnpm's cacheDir, TMPDIR), matched against the path with `/` between its folders.
 * Each runner clears its copy at any time, so hooks naming it would later fail in silence.
 */
const RUNNERS: ReadonlyArray<{ runner: string; aliases?: string[]; folder: RegExp }> = [
  // ~/.npm/_npx/<hash>/node_modules/…
  // npm exec (and its alias npm x) is what npx runs since npm 7.
  { runner: "npx", aliases: ["npm exec", "npm x"], folder: /(^|\/)_npx\// },
  // <pnpm cache>/dlx/<key>/<prepare>/node_modules/… (~/.cache/pnpm, ~/Library/Caches/pnpm, %LOCALAPPDATA%\pnpm-cache):
  // dlx alone is a name anyone may give a folder.
  { runner: "pnpm dlx", aliases: ["pnpx"], folder: /(^|\/)pnpm(-cache)?\/dlx\// },
  // $TMPDIR/bunx-<uid>-<package>@<version>/node_modules/…, or <bun install cache>/.bunx-<uid>/<package>@<version>/…
  { runner: "bunx", aliases: ["bun x"], folder: /(^|\/)\.?bunx-\d+[-/]/ },
  // $TMPDIR/xfs-<random>/dlx-<pid>/…
  { runner: "yarn dlx", folder: /(^|\/)dlx-\d+\// },
];

export interface TemporaryCopy {
  /** The argument found in the copy. */
  path: string;
  runner: string;
}

/** Our package as a runner is given it: its name, maybe at a version or tag (claude-code-sync@0.2.0, @latest). */
const OUR_PACKAGE = /^claude-code-sync(?:@[\w.^~<>=*-]+)?$/;

/** The option every runner takes to name the package apart from the command (`npx -p claude-code-sync claude-code-sync`). */
const PACKAGE_OPTION = /^(?:-p|--package)(?:=(.+))?$/;

/**
 * The runner, if any, that `words` (a hook's command before `hook <Event>`) run our package through, from
 * the registry or its cache, at every run: `npx claude-code-sync`, `npx -y claude-code-sync@latest`,
 * `pnpm dlx claude-code-sync`, `bunx claude-code-sync`, `yarn dlx claude-code-sync`: the runner's command
 * (RUNNERS), its own options (among them our package named by -p or --package), then our command.
 */
export function runnerCommandOf(words: readonly string[]): string | undefined {
  const [first, ...rest] = words;
  if (first === undefined) return undefined;
  // A path to the runner, or Windows' npx.cmd.
  const said = [basename(first.replaceAll("\\", "/")).replace(/\.(?:cmd|exe)$/i, ""), ...rest];
  const runs = (command: string) => {
    const name = command.split(" ");
    if (!name.every((word, i) => said[i] === word)) return false;
    const after = said.slice(name.length);
    const last = after.length - 1;
    for (let i = 0; i < last; i++) {
      const packageOption = PACKAGE_OPTION.exec(after[i]!);
      if (!packageOption) {
        if (!after[i]!.startsWith("-")) return false;
        continue;
      }
      const named = packageOption[1] ?? after[++i];
      if (i >= last || !OUR_PACKAGE.test(named!)) return false;
    }
    return last >= 0 && OUR_PACKAGE.test(after[last]!);
  };
  return RUNNERS.find(({ runner, aliases = [] }) => [runner, ...aliases].some(runs))?.runner;
}

/** The runner whose temporary copy `path` lies in, if any. */
function runnerOf(path: string): string | undefined {
  const folders = `${path.replaceAll("\\", "/")}/`;
  return RUNNERS.find(({ folder }) => folder.test(folders))?.runner;
}

/**
 * The program path of `argv` that lies in a package runner's temporary copy, and the runner. Found by
 * the path alone: npm_command=exec is set as well when npx runs a global install (a lasting path).
 */
export function temporaryCopyIn(argv: readonly string[]): TemporaryCopy | undefined {
  for (const path of argv) {
    const runner = runnerOf(path);
    if (runner !== undefined) return { path, runner };
  }
  return undefined;
}

/** A claude-code-sync on PATH outside the runners' copies (a runner puts its own first on PATH): an installed one. */
export function installedOnPath(env: Record<string, string | undefined> = process.env): string | undefined {
  const lasting = (env.PATH ?? "").split(delimiter).filter((dir) => runnerOf(dir) === undefined);
  return Bun.which("claude-code-sync", { PATH: lasting.join(delimiter) }) ?? undefined;
}

/** How a user of a runner's copy gets hooks that last: setup run by the installed claude-code-sync, or an install first. */
export function lastingSetup(env: Record<string, string | undefined> = process.env): string {
  const installed = installedOnPath(env);
  return installed !== undefined
    ? `claude-code-sync is installed at ${installed}: run ${shellWord(installed)} setup`
    : "install it for good, then run claude-code-sync setup: npm install -g claude-code-sync, " +
        "or the install script (curl -fsSL https://github.com/claude-code-sync/claude-code-sync/releases/latest/download/install.sh | sh), " +
        "or Homebrew (brew install claude-code-sync/tap/claude-code-sync)";
}
