import { resolve } from "node:path";

/**
 * The argv that runs this CLI again: the binary itself when compiled
 * (`bun build --compile`), else bun plus the absolute path of the entry script
 * (e.g. `bun src/cli.ts` during development). Claude Code's hooks run it in
 * exec form, and the hook starts its background process with it.
 */
export function selfArgv(): string[] {
  return Bun.isStandaloneExecutable ? [process.execPath] : [process.execPath, resolve(Bun.main)];
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
