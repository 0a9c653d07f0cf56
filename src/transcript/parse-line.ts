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
  return { entry, unknownType: entry.kind === "other" && !KNOWN_TYPES.has(entry.type) };
}
