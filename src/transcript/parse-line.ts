import { type Entry, toEntry } from "./schema.ts";

/**
 * Lines that never matter and can be huge (a 734 MB file of snapshot lines has
 * been seen): recognised by their prefix, never parsed.
 */
const SKIPPED_PREFIXES = ['{"type":"file-history-snapshot"', '{"type":"queue-operation"'];

/** Known line types we have no use for; anything not known is counted as unknown. */
const KNOWN_TYPES = new Set([
  "system",
  "progress",
  "file-history-snapshot",
  "queue-operation",
  "attachment",
  "permission-mode",
  "last-prompt",
  "custom-title",
  "ai-title",
  "summary",
  "user",
  "assistant",
]);

export type LineResult = { entry: Entry; unknownType: boolean } | { entry: null };

/**
 * Deepest nesting accepted in a message's content: redaction, the size limits
 * and JSON.stringify all recurse into it, and some thousands of levels
 * overflow the stack. Real content nests a few dozen levels at most.
 */
const MAX_CONTENT_DEPTH = 500;

/** Whether containers nest more than `max` levels deep in `value`; iterative, so it cannot overflow itself. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ value: object; depth: number }> = typeof value === "object" && value !== null ? [{ value, depth: 1 }] : [];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (item.depth > max) return true;
    for (const child of Array.isArray(item.value) ? item.value : Object.values(item.value)) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth: item.depth + 1 });
    }
  }
  return false;
}

/** One transcript line to an entry, or `{ entry: null }` for a line that is not valid JSON or lacks what we need. */
export function parseLine(text: string): LineResult {
  for (const prefix of SKIPPED_PREFIXES) {
    if (text.startsWith(prefix)) return { entry: { kind: "other", type: prefix.slice(9, -1) }, unknownType: false };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { entry: null };
  }
  const entry = toEntry(value);
  if (!entry) return { entry: null };
  // Only a line at least twice as long as the limit can nest that deep.
  const conversation = entry.kind === "user" || entry.kind === "assistant";
  if (conversation && text.length > 2 * MAX_CONTENT_DEPTH && nestedDeeperThan(entry.message.content, MAX_CONTENT_DEPTH)) return { entry: null };
  return { entry, unknownType: entry.kind === "other" && !KNOWN_TYPES.has(entry.type) };
}
