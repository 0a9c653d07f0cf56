import { chmodSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { z } from "../runtime/zod.ts";
import { UserError } from "../errors.ts";
import { appDir } from "../paths.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { fileInTheWay, fileWriteError, folderInTheWay, ownerOnlyFix, refusedReadFix } from "../runtime/writable.ts";
import { legacyConfigPath, readLegacyConfig } from "./legacy.ts";
import { type Config, ConfigSchema, defaultConfig } from "./schema.ts";
import { OPTION_KEYS } from "./option-info.ts";
import { writeErr } from "../runtime/stdio.ts";

// The file holds an API key: only its owner may read it.
const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
const checksPermissions = process.platform !== "win32";

export function configPath(): string {
  return join(appDir(), "config.json");
}

/**
 * The saved config; defaults when there is none yet. With none, the earlier
 * claude-code-sync's login is adopted once (saved here, said on stderr). A
 * broken file is a UserError.
 */
export function loadConfig(): Config {
  return validConfig(readConfigJson());
}

/** A byte order mark, as Windows PowerShell 5's `Set-Content -Encoding UTF8` writes one, is no part of the JSON. */
const withoutBom = (text: string) => text.replace(/^\uFEFF/, "");

/**
 * The user's own patterns (`redactPatterns`) as saved, for a hook's log: read alone, without loadConfig's work around
 * the file (adopting an earlier install's login, mending permissions, saying so on stderr), which a hook must not do.
 * None when the file is missing or cannot be used: the built-in rules still apply.
 */
export function savedRedactPatterns(): readonly string[] {
  try {
    const parsed = ConfigSchema.safeParse(JSON.parse(withoutBom(readFileSync(configPath(), "utf8"))));
    return parsed.success ? parsed.data.options.redactPatterns : [];
  } catch {
    return [];
  }
}

/**
 * The code of a config file that is there and readable but cannot be used (not JSON, invalid
 * settings): the code --json gives any config problem, set here so login can tell it from a file
 * it cannot read (no code).
 */
const BROKEN = "config-error";

/**
 * For `login`, which mends a config that cannot be used: the saved config, or
 * defaults and what is wrong with the file, which the new login replaces
 * (setBrokenConfigAside keeps it). A file that cannot be read stays an error.
 */
export function loadConfigForLogin(): { config: Config; broken?: string } {
  try {
    return { config: loadConfig() };
  } catch (error) {
    if (error instanceof UserError && error.code === BROKEN) return { config: defaultConfig(), broken: error.message };
    throw error;
  }
}

/** Moves the config that could not be used to `config.json.broken-<time>`, beside the new one; returns that path. */
export function setBrokenConfigAside(): string {
  const aside = `${configPath()}.broken-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  try {
    renameSync(configPath(), aside);
  } catch (error) {
    throw fileWriteError(error, aside, "the settings");
  }
  return aside;
}

/**
 * For `set <option>`: the saved config, where that option's saved value, when
 * it is one that makes the file invalid, is left out (its default stands in). So
 * the very command the error suggests can mend it, even when other options are
 * invalid too: those are handed back as they are (`invalid`), for saveConfig to
 * keep (an exclude list typed wrong must not become "exclude nothing").
 */
export function loadConfigToSet(option: string): { config: Config; invalid: Record<string, unknown> } {
  const json = readConfigJson();
  const parsed = ConfigSchema.safeParse(json);
  if (parsed.success) return { config: parsed.data, invalid: {} };
  const bad = invalidOptions(parsed.error);
  if (!bad.includes(option) || !onlyOptions(parsed.error) || !isObject(json) || !isObject(json.options)) return { config: validConfig(json), invalid: {} };
  const saved = json.options;
  const options = Object.fromEntries(Object.entries(saved).filter(([key]) => !bad.includes(key)));
  const invalid = Object.fromEntries(bad.filter((key) => key !== option).map((key) => [key, saved[key]]));
  return { config: validConfig({ ...json, options }), invalid };
}

/** Every issue is an option's: `set` can mend the file. */
function onlyOptions(error: z.core.$ZodError): boolean {
  return error.issues.every((issue) => issue.path[0] === "options" && typeof issue.path[1] === "string");
}

/** The options an issue of the file names. */
function invalidOptions(error: z.core.$ZodError): string[] {
  return [...new Set(error.issues.flatMap((issue) => (issue.path[0] === "options" && typeof issue.path[1] === "string" ? [issue.path[1]] : [])))];
}

/**
 * The advice for invalid options: the command that sets each, or the file for those `set` does not take
 * (prices, edited only there: advising `set prices` would only be refused).
 */
export function invalidOptionsFix(options: string[]): string {
  const settable = options.filter((o) => (OPTION_KEYS as string[]).includes(o));
  const byHand = options.filter((o) => !settable.includes(o)).map((o) => `options.${o}`);
  if (settable.length === 0) return `Fix ${byHand.join(" and ")} in the file by hand`;
  const setAgain = `Set ${settable.length === 1 ? "it" : "each"} again (${settable.map((o) => `claude-code-sync set ${o} <value>`).join("; ")})`;
  return byHand.length === 0 ? `${setAgain}, or fix the file by hand` : `${setAgain}, and fix ${byHand.join(" and ")} in the file by hand`;
}

/** The file's JSON as it is; with no file, an earlier version's login, or nothing. */
function readConfigJson(): unknown {
  const path = configPath();
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return adoptLegacyConfig() ?? {};
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") throw new UserError(`Cannot read ${path}: ${fileInTheWay(path)}.`);
    if ((error as NodeJS.ErrnoException).code === "EISDIR") throw new UserError(`Cannot read ${path}: ${folderInTheWay(path)}.`);
    const refused = (error as NodeJS.ErrnoException).code === "EACCES" || (error as NodeJS.ErrnoException).code === "EPERM";
    throw new UserError(`Cannot read ${path}: ${(error as Error).message}. ${refused ? `To fix, ${refusedReadFix(path)}.` : "Check that you own it and can read it."}`);
  }
  repairPermissions(path);
  const json = withoutBom(text);
  try {
    return JSON.parse(json);
  } catch (error) {
    // Where, for a file edited by hand (prices are set only there); the parser that knows is loaded only now.
    const where = (require("../runtime/json-syntax.ts") as typeof import("../runtime/json-syntax.ts")).jsonSyntaxProblem(json);
    throw new UserError(
      `${path} is not valid JSON (${where?.text ?? (error as Error).message}). Fix it by hand, or run "claude-code-sync login" again (it keeps this file aside).`,
      2,
      BROKEN,
    );
  }
}

function validConfig(json: unknown): Config {
  const parsed = ConfigSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  // `set` mends only options: with anything else wrong too it would be refused, as login mends the rest.
  const options = invalidOptions(parsed.error);
  const fix = onlyOptions(parsed.error)
    ? invalidOptionsFix(options)
    : 'Fix it by hand, or run "claude-code-sync login" again (it keeps this file aside)';
  throw new UserError(`${configPath()} has invalid settings: ${describeIssues(parsed.error)}. ${fix}.`, 2, BROKEN);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function adoptLegacyConfig(): Config | undefined {
  const legacy = readLegacyConfig();
  if (!legacy) return undefined;
  saveConfig(legacy);
  writeErr(`claude-code-sync: using the login of the earlier claude-code-sync (${legacyConfigPath()}), now saved in ${configPath()}.\n`);
  return legacy;
}

/**
 * Write the config atomically, owner-only. Unknown keys in `cfg` are written back as they are;
 * so are `invalid` options (loadConfigToSet), which stay for the user to mend.
 */
export function saveConfig(cfg: Config, invalid: Record<string, unknown> = {}): void {
  const path = configPath();
  const valid = ConfigSchema.parse(cfg);
  try {
    mkdirSync(appDir(), { recursive: true, mode: DIR_MODE });
    if (checksPermissions && !isLink(appDir())) chmodSync(appDir(), DIR_MODE);
    writeFileAtomic(path, `${JSON.stringify({ ...valid, options: { ...valid.options, ...invalid } }, null, 2)}\n`, FILE_MODE);
  } catch (error) {
    throw fileWriteError(error, path, "the settings");
  }
}

/** A symbolic link (a dotfiles checkout, a shared folder): what it points to is not ours to chmod. */
function isLink(path: string): boolean {
  return lstatSync(path).isSymbolicLink();
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

/** Tighten a folder or file that others can read (e.g. restored from a backup), and say so once. */
function repairPermissions(path: string): void {
  if (!checksPermissions) return;
  const repaired = [
    { target: appDir(), mode: DIR_MODE },
    { target: path, mode: FILE_MODE },
  ].filter(({ target, mode }) => {
    const current = statSync(target).mode & 0o777;
    if ((current & ~mode) === 0) return false;
    const octal = mode.toString(8);
    if (isLink(target)) {
      const real = realpathSync(target);
      writeErr(`claude-code-sync: other users could read ${target} (a link to ${real}, which claude-code-sync does not change). Run: chmod ${octal} "${real}"\n`);
      return false;
    }
    try {
      chmodSync(target, mode);
    } catch (error) {
      throw new UserError(`Others can read ${target} and it cannot be fixed (${(error as Error).message}). To fix: ${ownerOnlyFix(target, mode)}.`);
    }
    return true;
  });
  if (repaired.length === 0) return;
  const list = repaired.map(({ target, mode }) => `${target} to ${mode.toString(8).padStart(4, "0")}`).join(" and ");
  writeErr(`claude-code-sync: other users could read your config; changed the permissions of ${list}.\n`);
}
