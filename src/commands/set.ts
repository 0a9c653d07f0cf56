import { loadConfigToSet, saveConfig } from "../config/index.ts";
import { OPTION_KEYS, applySetting, sentBeforeNote } from "../config/set-option.ts";
import { UserError } from "../errors.ts";
import { writeOut } from "../runtime/stdio.ts";

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
  const cfg = loadConfigToSet(key);
  const result = applySetting(cfg.options, key, value);
  saveConfig({ ...cfg, options: result.options });
  const note = sentBeforeNote(key, cfg.options, result.options);
  writeOut(`${result.message}\n${note ? `${note}\n` : ""}`);
  return 0;
}
