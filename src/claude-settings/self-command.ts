import { resolve } from "node:path";

/**
 * The shell command that runs this CLI, for Claude Code's hooks: the binary
 * itself when compiled (`bun build --compile`), else bun plus the absolute path
 * of the entry script (e.g. `bun src/cli.ts` during development).
 */
export function selfCommand(): string {
  return selfArgv().map(shellWord).join(" ");
}

/** The argv that runs this CLI again (for the hook's background process). */
export function selfArgv(): string[] {
  return Bun.isStandaloneExecutable ? [process.execPath] : [process.execPath, resolve(Bun.main)];
}

/**
 * One word for the shell Claude Code runs hooks with (sh, or Git Bash on
 * Windows, where backslashes would be eaten: they become forward slashes).
 */
export function shellWord(arg: string): string {
  const word = process.platform === "win32" ? arg.replaceAll("\\", "/") : arg;
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/["\\$`]/g, "\\$&")}"`;
}
