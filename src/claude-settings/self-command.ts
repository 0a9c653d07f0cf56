import { realpathSync } from "node:fs";
import { resolve } from "node:path";

/**
 * The argv that runs this CLI again: the binary itself when compiled
 * (`bun build --compile`), else bun plus the absolute path of the entry script
 * (e.g. `bun src/cli.ts` during development). The hook starts its background
 * process with it; Claude Code's hooks run registeredArgv.
 */
export function selfArgv(): string[] {
  return Bun.isStandaloneExecutable ? [process.execPath] : [process.execPath, resolve(Bun.main)];
}

/**
 * The argv setup registers (and verify and login compare with): selfArgv, but through the
 * link it was started by when that leads to this executable. Homebrew's
 * /opt/homebrew/bin/claude-code-sync is a link into Cellar/claude-code-sync/<version>/,
 * which `brew upgrade` deletes: hooks naming that path failed at every event until setup ran again.
 */
export function registeredArgv(): string[] {
  const self = selfArgv();
  if (!Bun.isStandaloneExecutable) return self;
  const started = startedAs();
  return started !== undefined && started !== self[0] && sameFile(started, self[0]!) ? [started] : self;
}

/** The path this process was started by: argv[0] as typed, or found on PATH. */
function startedAs(): string | undefined {
  const typed = process.argv0;
  if (!typed) return undefined;
  const found = /[\\/]/.test(typed) ? typed : Bun.which(typed);
  return found ? resolve(found) : undefined;
}

/** Both argvs run the same files: the same paths, or links to them (Homebrew's bin/claude-code-sync and its Cellar path). */
export function sameProgram(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((arg, i) => arg === b[i] || sameFile(arg, b[i]!));
}

/**
 * The launcher our handler should run: `registered` when it is a link to this executable and this
 * process was started by the real path (setup through Homebrew's bin link, then verify or setup by the
 * Cellar path: the link survives `brew upgrade`, the Cellar path does not); else `self`.
 */
export function preferredLauncher(registered: string[] | undefined, self: string[]): string[] {
  return registered && isRealPath(self[0]!) && sameProgram(registered, self) ? registered : self;
}

function isRealPath(path: string): boolean {
  try {
    return realpathSync(path) === path;
  } catch {
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * One word for the shell Claude Code runs hooks with (sh, or Git Bash on
 * Windows, where backslashes would be eaten: they become forward slashes).
 * Setup wrote hook commands this way before the exec form: it recognises them.
 */
export function shellWord(arg: string): string {
  const word = process.platform === "win32" ? arg.replaceAll("\\", "/") : arg;
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/["\\$`]/g, "\\$&")}"`;
}

/**
 * The words of a command line as the shell reads them, for the quoting shellWord writes and a user
 * may: "…" (where \ escapes " \ $ `), '…', and \ before a character outside quotes.
 * `"C:/Program Files/nodejs/npx.cmd" claude-code-sync` is two words. An unclosed quote runs to the end.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === undefined && /\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    word ??= "";
    if (c === quote) quote = undefined;
    else if (quote === undefined && (c === '"' || c === "'")) quote = c;
    else if (c === "\\" && quote !== "'" && i + 1 < line.length && (quote === undefined || '\\"$`'.includes(line[i + 1]!))) word += line[++i];
    else word += c;
  }
  if (word !== undefined) words.push(word);
  return words;
}
