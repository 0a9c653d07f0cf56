import { projectRoots } from "../discover/roots.ts";
import { UserError } from "../errors.ts";
import { DEFAULT_FOLD_OPTIONS } from "../fold/session-fold.ts";
import { buildDryRunReport, renderDryRun } from "../report/dry-run.ts";
import { scanAll } from "../scan/scan.ts";

export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const session = typeof options.session === "string" ? options.session : undefined;
  if (options.session !== undefined && !session) throw new UserError("--session needs a session id.");
  if (!options.dryRun) throw new UserError("Uploading is not available in this version yet; use --dry-run.");

  const roots = projectRoots();
  if (roots.length === 0) {
    throw new UserError(
      "No Claude Code sessions folder found (looked for ~/.claude/projects and ~/.config/claude/projects). Set CLAUDE_CONFIG_DIR if Claude Code keeps its data elsewhere.",
      1,
    );
  }
  const { sessions, stats } = scanAll(roots, DEFAULT_FOLD_OPTIONS);
  const chosen = session ? sessions.filter((s) => s.externalId === session) : sessions;
  if (session && chosen.length === 0) throw new UserError(`No session ${session} found in ${roots.join(", ")}.`, 1);
  const report = buildDryRunReport(chosen, stats);
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${renderDryRun(report)}\n`);
  return 0;
}
