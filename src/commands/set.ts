import { configPath, loadConfigToSet, saveConfig, invalidOptionsFix } from "../config/index.ts";
import { OPTION_KEYS } from "../config/option-info.ts";
import { applySetting, sentBeforeNote } from "../config/set-option.ts";
import { UserError } from "../errors.ts";
import { anySessionSent } from "../state/databases.ts";
import { writeErr, writeOut } from "../runtime/stdio.ts";

/**
 * `set <option> <value>`. A value starting with "-" (remove one list item) must
 * come after `--`, or it reads as a flag: `set excludeProjects -- -old-project`.
 */
export async function run(args: string[], options: Record<string, unknown>): Promise<number> {
  const afterDashes = Array.isArray(options["--"]) ? (options["--"] as unknown[]).map(String) : [];
  const [key, value] = [...args, ...afterDashes];
  if (key === undefined || value === undefined) {
    throw new UserError(
      `Give an option and its value: claude-code-sync set <option> <value>. The options: ${OPTION_KEYS.join(", ")}; \`claude-code-sync config\` shows their values.`,
    );
  }
  const { config: cfg, invalid } = loadConfigToSet(key);
  const result = applySetting(cfg.options, key, value);
  saveConfig({ ...cfg, options: result.options }, invalid);
  const note = sentBeforeNote(key, cfg.options, result.options, anySessionSent);
  writeOut(`${result.message}\n${note ? `${note}\n` : ""}`);
  // Mended one of several: the others still stop every command, and are kept as they were.
  const left = Object.keys(invalid);
  if (left.length > 0) writeErr(`claude-code-sync: ${configPath()} still has invalid settings: ${left.join(", ")}. ${invalidOptionsFix(left)}.\n`);
  return 0;
}
