import { type Check, runChecks } from "../verify/checks.ts";
import { checksJson, renderChecks } from "../verify/render.ts";
import { writeOut } from "../runtime/stdio.ts";

/** Checks whose failure is a configuration or login problem: exit 2, as for every other command. */
const CONFIG_CHECKS = new Set<Check["id"]>(["config", "credentials", "apiKey"]);

/**
 * `verify [--json]`: check config, credentials, server, key, hooks, state and
 * transcripts; exit 2 if the config or login is at fault, else 1 if any fails.
 */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const checks = await runChecks();
  const report = checksJson(checks);
  writeOut(options.json ? `${JSON.stringify(report)}\n` : `${renderChecks(checks)}\n`);
  const failed = checks.filter((c) => c.status === "fail");
  if (failed.some((c) => CONFIG_CHECKS.has(c.id))) return 2;
  return failed.length > 0 ? 1 : 0;
}
