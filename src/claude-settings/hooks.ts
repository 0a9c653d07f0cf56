import { detectFormat, stringifyLike } from "./json-format.ts";

/** The Claude Code events claude-code-sync listens to, in the order they are registered. */
export const HOOK_EVENTS = ["SessionStart", "UserPromptSubmit", "Stop", "SubagentStop", "SessionEnd"] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/**
 * Events Claude Code filters with a matcher (session source, agent type, end
 * reason): "*" takes them all. UserPromptSubmit and Stop ignore matchers, so
 * none is written there.
 */
const MATCHER_EVENTS: ReadonlySet<HookEvent> = new Set(["SessionStart", "SubagentStop", "SessionEnd"]);

/** An upper bound only: the hook hands the work off and returns at once. */
export const HOOK_TIMEOUT_SECONDS = 10;

export interface HookHandler {
  type: "command";
  command: string;
  timeout: number;
}
export interface HookGroup {
  matcher?: string;
  hooks: HookHandler[];
}

export function hookCommand(self: string, event: HookEvent): string {
  return `${self} hook ${event}`;
}

function hookHandler(self: string, event: HookEvent): HookHandler {
  return { type: "command", command: hookCommand(self, event), timeout: HOOK_TIMEOUT_SECONDS };
}

function hookGroup(self: string, event: HookEvent): HookGroup {
  const hooks = [hookHandler(self, event)];
  return MATCHER_EVENTS.has(event) ? { matcher: "*", hooks } : { hooks };
}

/** Our whole `hooks` section as it would be written (also the shape of the plugin's hooks/hooks.json). */
export function hooksSection(self: string): Record<HookEvent, HookGroup[]> {
  return Object.fromEntries(HOOK_EVENTS.map((event) => [event, [hookGroup(self, event)]])) as Record<
    HookEvent,
    HookGroup[]
  >;
}

const HOOK_SUFFIX = /^(.*?)\s+hook\s+[A-Za-z]+\s*$/;
// The executable (or a folder of ours, e.g. a checkout or node_modules/claude-code-sync) by name.
const OUR_NAME = /(?:^|[\s"'/\\])claude-code-sync(?:\.(?:exe|cmd|js))?(?:[\s"'/\\]|$)/;

/**
 * Whether a hook command is one of ours: `<claude-code-sync executable> hook <Event>`,
 * or `<self> hook <Event>` (covers running from source, where the name does not show).
 * Matching by name lets a moved binary, or an older version's entry, be updated in place.
 */
export function isOurCommand(command: string, self: string): boolean {
  const prefix = HOOK_SUFFIX.exec(command.trim())?.[1]?.trim();
  return prefix !== undefined && (prefix === self || OUR_NAME.test(prefix));
}

/** settings.json cannot be parsed or does not have the shape Claude Code expects. */
export class SettingsError extends Error {
  override name = "SettingsError";
}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const isOurEvent = (event: string): event is HookEvent => (HOOK_EVENTS as readonly string[]).includes(event);

function parseSettings(text: string | undefined): Json {
  // A missing or empty file means no settings yet.
  if (text === undefined || text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new SettingsError(`it is not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw new SettingsError("it is not a JSON object");
  if (value.hooks !== undefined && !isRecord(value.hooks)) throw new SettingsError('its "hooks" is not an object');
  return value;
}

export type MergeMode = "install" | "uninstall";

export interface MergeResult {
  /** The new file text; the input itself when nothing changed. */
  text: string;
  changed: boolean;
  hooksBefore: unknown;
  hooksAfter: unknown;
}

/**
 * settings.json text in, settings.json text out. "install" makes sure each of
 * our events has exactly one of our hooks (an existing one is updated where it
 * is; a missing one is appended); "uninstall" removes ours. Either way our
 * entries under other events (left by older versions) go. Everything else stays
 * as it was, in order; containers emptied by removing ours are removed, others'
 * empty ones are kept. Throws SettingsError when the text cannot be merged safely.
 */
export function mergeHooks(text: string | undefined, self: string, mode: MergeMode): MergeResult {
  const before = parseSettings(text);
  const after = structuredClone(before);
  const placed = new Set<HookEvent>();
  const hooks = after.hooks as Json | undefined;

  const keepOurs = (event: string, handler: Json): boolean => {
    if (mode === "uninstall" || !isOurEvent(event) || placed.has(event)) return false;
    Object.assign(handler, hookHandler(self, event));
    placed.add(event);
    return true;
  };

  for (const [event, groups] of Object.entries(hooks ?? {})) {
    if (!Array.isArray(groups)) {
      if (isOurEvent(event) && mode === "install") throw new SettingsError(`its "hooks.${event}" is not a list`);
      continue;
    }
    const kept = groups.filter((group) => {
      if (!isRecord(group) || !Array.isArray(group.hooks) || group.hooks.length === 0) return true;
      const handlers = group.hooks.filter(
        (handler) =>
          !isRecord(handler) ||
          handler.type !== "command" ||
          typeof handler.command !== "string" ||
          !isOurCommand(handler.command, self) ||
          keepOurs(event, handler),
      );
      group.hooks = handlers;
      return handlers.length > 0;
    });
    if (kept.length === 0 && groups.length > 0) delete hooks![event];
    else hooks![event] = kept;
  }

  if (mode === "install") {
    for (const event of HOOK_EVENTS.filter((e) => !placed.has(e))) {
      after.hooks ??= {};
      const section = after.hooks as Json;
      section[event] = [...((section[event] as unknown[] | undefined) ?? []), hookGroup(self, event)];
    }
  } else if (hooks && Object.keys(hooks).length === 0 && Object.keys(before.hooks as Json).length > 0) {
    delete after.hooks;
  }

  const changed = JSON.stringify(after) !== JSON.stringify(before);
  return {
    text: changed ? stringifyLike(after, detectFormat(text)) : (text ?? ""),
    changed,
    hooksBefore: before.hooks,
    hooksAfter: after.hooks,
  };
}

export type HookState = "installed" | "outdated" | "missing";

/** Per event: our hook with the expected command, ours with another command (e.g. a moved binary), or none. */
export function hookStatus(text: string | undefined, self: string): Record<HookEvent, HookState> {
  const hooks = (parseSettings(text).hooks ?? {}) as Json;
  const state = (event: HookEvent): HookState => {
    const groups = hooks[event];
    const commands = (Array.isArray(groups) ? groups : [])
      .flatMap((group) => (isRecord(group) && Array.isArray(group.hooks) ? group.hooks : []))
      .flatMap((handler) => (isRecord(handler) && typeof handler.command === "string" ? [handler.command] : []))
      .filter((command) => isOurCommand(command, self));
    if (commands.includes(hookCommand(self, event))) return "installed";
    return commands.length > 0 ? "outdated" : "missing";
  };
  return Object.fromEntries(HOOK_EVENTS.map((event) => [event, state(event)])) as Record<HookEvent, HookState>;
}

/** Our plugin's name (.claude-plugin/plugin.json); Claude Code enables it as `claude-code-sync@<marketplace>`. */
const PLUGIN_NAME = "claude-code-sync";

/** The id of our plugin when `enabledPlugins` turns it on: its hooks/hooks.json then registers the hooks. */
export function enabledPlugin(text: string | undefined): string | undefined {
  const plugins = parseSettings(text).enabledPlugins;
  if (!isRecord(plugins)) return undefined;
  return Object.keys(plugins).find((id) => id.startsWith(`${PLUGIN_NAME}@`) && plugins[id] === true);
}
