import { runChecks } from "../verify/checks.ts";
import { checksJson, renderChecks } from "../verify/render.ts";
import { writeOut } from "../runtime/stdio.ts";

/** `verify [--json]`: check config, credentials, server, key, hooks, state and transcripts; exit 1 if any fails. */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const checks = await runChecks();
  const report = checksJson(checks);
  writeOut(options.json ? `${JSON.stringify(report)}\n` : `${renderChecks(checks)}\n`);
  return report.ok ? 0 : 1;
}
