import { accessSync, constants, statSync } from "node:fs";

/** The program a hook runs: the first shell word of its command, quotes and backslash escapes undone (see shellWord). */
export function firstWord(command: string): string {
  const text = command.trimStart();
  if (!text.startsWith('"')) return text.split(/\s/, 1)[0]!;
  let word = "";
  for (let i = 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') break;
    word += ch === "\\" && i + 1 < text.length ? text[++i]! : ch;
  }
  return word;
}

/** Whether `path` is a file this user may run. */
export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
