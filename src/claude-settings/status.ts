import { HOOK_EVENTS, type HookEvent, ourHandler } from "./hook-spec.ts";
import { recognise, upToDate } from "./ours.ts";
import { preferredLauncher } from "./self-command.ts";
import { SettingsError, parseSettingsText, valueOf } from "./settings-json.ts";
import { type TemporaryCopy, temporaryCopyIn } from "./temporary-copy.ts";

/**
 * Per event: exactly what setup writes now ("current"); ours, running this
 * executable, in an earlier form that works ("older"); ours running another
 * executable, moved or from an older install ("elsewhere"); ours running a
 * package runner's temporary copy, which the runner clears at any time, written
 * by a setup run through npx before setup refused that ("temporary"); ours run through a package
 * runner at every event, as a user may write them by hand (`npx claude-code-sync hook Stop`: it works,
 * the runner started first each time, "runner"); or none ("missing").
 */
export type HookState = "current" | "older" | "runner" | "elsewhere" | "temporary" | "missing";

export interface HookStatus {
  states: Record<HookEvent, HookState>;
  /** The temporary copy the first "temporary" handler runs. */
  temporaryCopy?: TemporaryCopy;
  /** Events with a handler run through a package runner (one beside setup's too: that event then runs our hook twice), and the first such command. */
  throughRunner?: { events: HookEvent[]; command: string; runner: string };
}

// A handler that may vanish with its copy is worth less than one that runs, more than none.
const RANK: Record<HookState, number> = { current: 5, older: 4, runner: 3, elsewhere: 2, temporary: 1, missing: 0 };

/** Throws SettingsError when the file cannot be read as Claude Code reads it. */
export function hookStatus(text: string | undefined, self: string[]): HookStatus {
  const hooks = record(settingsValue(text).hooks);
  let temporaryCopy: TemporaryCopy | undefined;
  let throughRunner: HookStatus["throughRunner"];
  const state = (event: HookEvent): HookState => {
    const handlers = list(hooks[event]).flatMap((group) => list(record(group).hooks));
    const states = handlers.map((handler): HookState => {
      const ours = recognise(handler, self);
      if (!ours) return "missing";
      if (ours.runner) {
        throughRunner ??= { events: [], command: ours.launcher?.join(" ") ?? ours.commandLine!, runner: ours.runner };
        if (!throughRunner.events.includes(event)) throughRunner.events.push(event);
        return "runner";
      }
      const copy = temporaryCopyIn(ours.launcher ?? [ours.commandLine!]);
      if (copy) {
        temporaryCopy ??= copy;
        return "temporary";
      }
      if (!ours.runsSelf) return "elsewhere";
      return upToDate(handler, ourHandler({ argv: preferredLauncher(ours.launcher, self) }, event)) ? "older" : "current";
    });
    return states.reduce((best, s) => (RANK[s] > RANK[best] ? s : best), "missing" as HookState);
  };
  const states = Object.fromEntries(HOOK_EVENTS.map((event) => [event, state(event)])) as Record<HookEvent, HookState>;
  return { states, ...(temporaryCopy && { temporaryCopy }), ...(throughRunner && { throughRunner }) };
}

/** Our plugin's name (.claude-plugin/plugin.json); Claude Code enables it as `claude-code-sync@<marketplace>`. */
const PLUGIN_NAME = "claude-code-sync";

/** The id of our plugin when `enabledPlugins` turns it on: its hooks/hooks.json then registers the hooks. */
export function enabledPlugin(text: string | undefined): string | undefined {
  const plugins = record(settingsValue(text).enabledPlugins);
  return Object.keys(plugins).find((id) => id.startsWith(`${PLUGIN_NAME}@`) && plugins[id] === true);
}

function settingsValue(text: string | undefined): Record<string, unknown> {
  const doc = parseSettingsText(text ?? "");
  if (doc.root === undefined) return {};
  const value = valueOf(doc, doc.root);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new SettingsError("it is not a JSON object");
  return value as Record<string, unknown>;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
