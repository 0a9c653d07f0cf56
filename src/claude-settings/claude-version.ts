/**
 * The oldest Claude Code the hooks setup writes work with, from Claude Code's
 * changelog: 2.1.139 added the exec form (`args`); older versions ignore it and
 * run the executable alone, so the hooks would sync nothing. Before 2.1.101 an
 * event a version does not know (StopFailure came in 2.1.78, PostCompact in
 * 2.1.76) even made it ignore the whole settings file.
 */
export const MIN_CLAUDE_CODE = "2.1.139";

/** The version in `claude --version`'s answer ("2.1.239 (Claude Code)"). */
export function parseClaudeVersion(output: string): string | undefined {
  return /^\s*(\d+\.\d+\.\d+)\b/.exec(output)?.[1];
}

export function isOlder(version: string, than: string): boolean {
  const a = version.split(".").map(Number);
  const b = than.split(".").map(Number);
  const i = a.findIndex((n, k) => n !== b[k]);
  return i >= 0 && a[i]! < b[i]!;
}

/**
 * The version of the `claude` on PATH; undefined when there is none or it does
 * not answer (an IDE's own copy, say): then nobody can tell.
 */
export function installedClaudeVersion(): string | undefined {
  const claude = Bun.which("claude");
  if (!claude) return undefined;
  try {
    const result = Bun.spawnSync([claude, "--version"], { stdin: "ignore", stdout: "pipe", stderr: "ignore", timeout: 10_000 });
    return result.exitCode === 0 ? parseClaudeVersion(result.stdout.toString()) : undefined;
  } catch {
    return undefined;
  }
}
