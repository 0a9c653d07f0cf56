import { plural } from "../report/format.ts";
import type { Check, CheckStatus } from "./checks.ts";

const MARK: Record<CheckStatus, string> = { ok: "✓", fail: "✗", skip: "-" };

/** One line per check, with the fix under each failure, then the verdict. */
export function renderChecks(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.flatMap((c) => {
    const line = `${MARK[c.status]} ${c.name.padEnd(width)}  ${c.detail}`;
    return c.fix ? [line, `  ${" ".repeat(width)}  fix: ${c.fix}`] : [line];
  });
  const failed = checks.filter((c) => c.status === "fail").length;
  lines.push("", failed === 0 ? "All checks passed." : `${plural(failed, "check")} failed; run the fix shown under each, then claude-code-sync verify again.`);
  return lines.join("\n");
}

export function checksJson(checks: Check[]) {
  return { ok: checks.every((c) => c.status !== "fail"), checks };
}
