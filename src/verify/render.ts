import { plural } from "../report/format.ts";
import type { Check, CheckStatus } from "./checks.ts";

const MARK: Record<CheckStatus, string> = { ok: "✓", warn: "!", fail: "✗", skip: "-" };

/** One line per check, with the fix under each failure or warning, then the verdict. */
export function renderChecks(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.flatMap((c) => {
    const line = `${MARK[c.status]} ${c.name.padEnd(width)}  ${c.detail}`;
    return c.fix ? [line, `  ${" ".repeat(width)}  fix: ${c.fix}`] : [line];
  });
  const failed = checks.filter((c) => c.status === "fail").length;
  const warned = checks.filter((c) => c.status === "warn").length;
  const passed = warned === 0 ? "All checks passed." : `All checks passed; ${plural(warned, "warning")} (!) above, with ${warned === 1 ? "its" : "their"} fix.`;
  lines.push("", failed === 0 ? passed : `${plural(failed, "check")} failed; run the fix shown under each, then claude-code-sync verify again.`);
  return lines.join("\n");
}

/** The worst failure's exit code; warnings fail nothing. */
export function verifyExitCode(checks: Check[]): number {
  return Math.max(0, ...checks.map((c) => (c.status === "fail" ? (c.exitCode ?? 1) : 0)));
}

/** The documented shape: the exit code is the command's, not part of each check. */
export function checksJson(checks: Check[]) {
  return { ok: checks.every((c) => c.status !== "fail"), checks: checks.map(({ exitCode: _code, ...check }) => check) };
}
