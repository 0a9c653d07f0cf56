import type { Ranked } from "./detectors.ts";
import { isReference } from "./look-alikes.ts";

/**
 * An edit that changes a secret: the Edit tool's `old_string` and `new_string` (MultiEdit's edits
 * too, and the result's `oldString` and `newString`). Where what one side's rules found covers the
 * part that changed, the other side's changed part goes too: `API_KEY=abc` → `API_KEY=9f8e…` is a
 * key being replaced, and the old value, too short or too plain for the rules on its own, was the
 * key before. A reference on the other side (`os.environ["API_KEY"]`, `${API_KEY}`) stays.
 */

/** The fields of one edit, as Claude Code's tools name them. */
export const EDIT_FIELDS: readonly (readonly [string, string])[] = [
  ["old_string", "new_string"],
  ["oldString", "newString"],
];

/** A value longer than the rules take (1000 characters) is more than a value changed: a block rewritten. */
const VALUE_MAX = 1000;
/** Where a mirrored value ends at the latest: a space, a line's end or a quote (an edit of more than one value). */
const VALUE_END = /[\s"'\x60]/g;

/**
 * Findings for `to` (same kind and rank) that mirror those of `from` covering the change between
 * the two texts. `prefix` and `suffix` are the lengths the two texts share at each end.
 */
function mirrored(from: string, to: string, found: readonly Ranked[], prefix: number, suffix: number): Ranked[] {
  const changedEnd = from.length - suffix;
  // Every mirrored span starts at or before the change, so it ends at the first space or quote after the change's start.
  VALUE_END.lastIndex = prefix;
  const stop = VALUE_END.exec(to)?.index ?? to.length;
  const out: Ranked[] = [];
  for (const f of found) {
    if (f.end <= prefix || f.start >= changedEnd || f.start === f.end) continue; // not over the change
    const start = Math.min(f.start, prefix);
    const end = Math.min(stop, f.end >= changedEnd ? f.end - from.length + to.length : to.length - suffix);
    if (end <= start || end - start > VALUE_MAX || isReference(to.slice(start, end))) continue;
    out.push({ ...f, start, end });
    break; // the one value that changed
  }
  return out;
}

/** Adds to each side's findings those the other side's imply. */
export function mirrorEdit(before: string, after: string, beforeFound: Ranked[], afterFound: Ranked[]): void {
  if (beforeFound.length === 0 && afterFound.length === 0) return;
  const shortest = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shortest && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shortest - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  const toBefore = mirrored(after, before, afterFound, prefix, suffix);
  const toAfter = mirrored(before, after, beforeFound, prefix, suffix);
  beforeFound.push(...toBefore);
  afterFound.push(...toAfter);
}
