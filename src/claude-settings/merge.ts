import type { Node } from "jsonc-parser";
import { HOOK_EVENTS, type HookEvent, hooksSection, isOurEvent, ourGroup, ourHandler } from "./hook-spec.ts";
import { recognise, upToDate } from "./ours.ts";
import { preferredLauncher } from "./self-command.ts";
import {
  type Edit,
  type SettingsText,
  SettingsError,
  appendItem,
  applyEdit,
  parseSettingsText,
  properties,
  property,
  removeItem,
  replaceDocument,
  replaceValue,
  valueOf,
} from "./settings-json.ts";

type MergeMode = "install" | "uninstall";

export interface HookChange {
  event: string;
  action: "added" | "updated" | "removed";
}

export interface MergeResult {
  /** The new file text (the input itself when nothing changed); undefined: remove the file. */
  text: string | undefined;
  changed: boolean;
  changes: HookChange[];
}

/**
 * settings.json text in, settings.json text out, changed only where our hooks
 * are: every other byte stays (layout, key order, one-line arrays, line endings).
 * "install" makes sure each of our events has exactly one of our handlers: an
 * existing one is brought up to date where it is, a missing one appended.
 * "uninstall" removes ours. Either way our handlers under events we no longer
 * use go. Containers emptied by removing ours go too; others' empty ones stay.
 * A file that is exactly what install writes where there was none is removed
 * by uninstall, so the pair leaves no trace. Throws SettingsError when the text
 * cannot be edited safely. `self` is the argv that runs this CLI.
 */
export function mergeHooks(text: string | undefined, self: string[], mode: MergeMode): MergeResult {
  const original = text ?? "";
  let current = original;
  const changes: HookChange[] = [];
  for (let steps = 0; ; steps++) {
    const doc = parseSettingsText(current);
    const step = nextStep(doc, self, mode);
    if (!step) break;
    // Each step removes, adds or settles one handler: more than this means a step undoes another.
    if (steps > 10_000) throw new Error("mergeHooks does not converge");
    current = applyEdit(doc, step.edit);
    changes.push(...step.changes);
  }
  const removeFile = mode === "uninstall" && text !== undefined && text === newFileText(self);
  return { text: removeFile ? undefined : current, changed: removeFile || current !== original, changes };
}

/** What install writes where there is no file. */
function newFileText(self: string[]): string {
  const empty = parseSettingsText("");
  return applyEdit(empty, replaceDocument(empty, { hooks: hooksSection({ argv: self }) }));
}

interface Step {
  edit: Edit;
  changes: HookChange[];
}

/** The first edit still needed; each step is applied and the text parsed again, until none is left. */
function nextStep(doc: SettingsText, self: string[], mode: MergeMode): Step | undefined {
  const { root } = doc;
  if (root === undefined) {
    if (mode === "uninstall") return undefined;
    return { edit: replaceDocument(doc, { hooks: hooksSection({ argv: self }) }), changes: HOOK_EVENTS.map((event) => ({ event, action: "added" })) };
  }
  if (root.type !== "object") throw new SettingsError("it is not a JSON object");
  const hooks = property(root, "hooks");
  if (hooks !== undefined && hooks.type !== "object") throw new SettingsError('its "hooks" is not an object');

  const placed = new Set<HookEvent>();
  // A link to this executable that our handlers already run is kept, for the events added too.
  let launcher = self;
  for (const { key: event, value: groups } of properties(hooks)) {
    if (groups.type !== "array") {
      if (isOurEvent(event) && mode === "install") throw new SettingsError(`its "hooks.${event}" is not a list`);
      continue;
    }
    for (const handler of groups.children!.flatMap((group) => handlersIn(group))) {
      const value = valueOf(doc, handler);
      const ours = recognise(value, self);
      if (!ours) continue;
      if (mode === "install" && isOurEvent(event) && !placed.has(event)) {
        placed.add(event);
        const preferred = preferredLauncher(ours.launcher, self);
        if (preferred !== self) launcher = preferred;
        const wanted = upToDate(value, ourHandler({ argv: preferred }, event));
        if (wanted) return { edit: replaceValue(doc, handler, wanted), changes: [{ event, action: "updated" }] };
        continue;
      }
      return { edit: removeHandler(doc, handler, mode), changes: [{ event, action: "removed" }] };
    }
  }
  if (mode === "uninstall") return undefined;

  const missing = HOOK_EVENTS.find((event) => !placed.has(event));
  if (missing === undefined) return undefined;
  const changes: HookChange[] = [{ event: missing, action: "added" }];
  const group = ourGroup({ argv: launcher }, missing);
  if (hooks === undefined) return { edit: appendItem(doc, root, { [missing]: [group] }, "hooks"), changes };
  const groups = property(hooks, missing);
  return { edit: groups ? appendItem(doc, groups, group) : appendItem(doc, hooks, [group], missing), changes };
}

function handlersIn(group: Node): Node[] {
  const handlers = property(group, "hooks");
  return handlers?.type === "array" ? handlers.children! : [];
}

/** Removes a handler, and the group, event and hooks section it leaves empty (that last only on uninstall). */
function removeHandler(doc: SettingsText, handler: Node, mode: MergeMode): Edit {
  const handlers = handler.parent!;
  if (handlers.children!.length > 1) return removeItem(doc, handler);
  const group = handlers.parent!.parent!; // the array -> its "hooks" property -> the group
  const groups = group.parent!;
  if (groups.children!.length > 1) return removeItem(doc, group);
  const event = groups.parent!;
  const section = event.parent!;
  return removeItem(doc, mode === "uninstall" && section.children!.length === 1 ? section.parent! : event);
}
