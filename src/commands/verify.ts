import { runChecks } from "../verify/checks.ts";
import { checksJson, renderChecks, verifyExitCode } from "../verify/render.ts";
import { writeOut } from "../runtime/stdio.ts";
import { stopOnCtrlC } from "../report/interrupt.ts";

/**
 * `verify [--json]`: check config, credentials, server, key, hooks, state and
 * transcripts; exit as `sync` would for the worst failure (2 the user must change
 * something, 1 work left), 0 when nothing fails (warnings included).
 */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  stopOnCtrlC(options.json === true);
  const checks = await runChecks();
  writeOut(options.json ? `${JSON.stringify(checksJson(checks))}\n` : `${renderChecks(checks)}\n`);
  return verifyExitCode(checks);
}
