import { isUtf8 } from "node:buffer";
import { startsWithBom } from "./read-lines.ts";
import { CLOSE_BRACE } from "./json-bytes.ts";
import { skimmedLine } from "./skim.ts";
import { type Entry, toEntry } from "./schema.ts";

/**
 * Snapshot lines never matter and can be huge (a 734 MB file of them has been
 * seen): a whole one is told by how it begins and ends, never decoded. Its
 * only times are nested, which copied snapshots carry from older sessions:
 * none is taken. A half one (Claude Code killed while writing it) has its next
 * line glued to it (glued.ts): then it does not end as a snapshot ends (its
 * last key in every version seen, 1.0.x to 2.1.x), or, glued to another
 * snapshot, holds a second one's start. Both are native searches: on a 50 MB
 * line about 2 ms, against 90 ms to read it and 470 ms to parse it (Bun 1.4.5,
 * 2 cores). Such a line, or one written otherwise, is parsed whole: a half
 * one is then a bad line, and what is glued to it is read. Queue-operation
 * lines, once skipped the same way, are parsed as any line: each holds one
 * queued prompt (0.2% of ../shared/corpus's bytes), and its time can be a
 * session's first.
 */
const SNAPSHOT_START = Buffer.from('{"type":"file-history-snapshot"');
const SNAPSHOT_ENDS = [',"isSnapshotUpdate":false}', ',"isSnapshotUpdate":true}'].map((end) => Buffer.from(end));

const holdsAt = (bytes: Buffer, part: Buffer, at: number) => at >= 0 && bytes.length >= at + part.length && bytes.compare(part, 0, part.length, at, at + part.length) === 0;

/** Whether the line is one snapshot line, whole (see SNAPSHOT_START). */
function wholeSnapshot(bytes: Buffer): boolean {
  return (
    holdsAt(bytes, SNAPSHOT_START, 0) &&
    SNAPSHOT_ENDS.some((end) => holdsAt(bytes, end, bytes.length - end.length)) &&
    bytes.indexOf(SNAPSHOT_START, 1) < 0
  );
}

/**
 * `toolUseResult` is Claude Code's structured copy of a tool's output: about a
 * third of a transcript's bytes, never read by us, and written after every
 * field we read. A line is parsed only up to it. This key cannot occur inside
 * a JSON string (a quote there follows a backslash, not a comma), and a cut
 * inside a nested value leaves unbalanced JSON, which falls back to parsing
 * the whole line.
 */
const UNREAD_TAIL = Buffer.from(',"toolUseResult":');

/**
 * Known line types, read or not; anything else is counted as unknown. The
 * 2.1.x ones from ../shared/claude-code-data.md ("Recent Claude Code"),
 * `agent-setting`, seen in a 2.1.150 transcript, and those other readers list
 * from 2.1.2xx transcripts: `continued-in` (the conversation went on under
 * another session id, /background), `relocated` (the file moved with a
 * worktree), `fork-context-ref` (a forked agent's first line), `atis-latch`,
 * `file-history-delta`, `agent-color`, `dev-mods`; and in 2026-09 ones,
 * `frame-link`, `artifact-comment-monitor`, `artifact-autoreact-ledger`
 * (a public structural specimen of 126 sessions' files); and the metadata
 * types Claude Code's own reader lists (2.1.145's bundle, as public readers
 * quote it): `content-replacement` (written before a request whose large tool
 * results it elides, and copied into a /branch fork), `attribution-snapshot`,
 * `tag`, `isolation-latch`, `speculation-accept`, `marble-origami-commit` and
 * `-snapshot` (context collapse).
 */
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
  "agent-name",
  "agent-setting",
  "agent-color",
  "continued-in",
  "relocated",
  "fork-context-ref",
  "atis-latch",
  "file-history-delta",
  "dev-mods",
  "frame-link",
  "artifact-comment-monitor",
  "artifact-autoreact-ledger",
  "content-replacement",
  "attribution-snapshot",
  "tag",
  "isolation-latch",
  "speculation-accept",
  "marble-origami-commit",
  "marble-origami-snapshot",
  "mode",
  "pr-link",
  "bridge-session",
  "worktree-state",
  "cost-state",
  "summary",
  "user",
  "assistant",
]);

export interface ParseOptions {
  /** What a count never reads (tools' output and input, images' data...) is left out, unparsed (see skim.ts). */
  skim?: boolean;
}

type LineResult = { entry: Entry; unknownType: boolean } | { entry: null };

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

/**
 * One transcript line (its UTF-8 bytes) to an entry, or `{ entry: null }` for
 * a line that is not JSON, or lacks what we need.
 */
export function parseLine(bytes: Buffer, options: ParseOptions = {}): LineResult {
  if (wholeSnapshot(bytes)) return { entry: { kind: "other", type: "file-history-snapshot" }, unknownType: false };
  // Only the file's first line may start with a BOM (the reader drops that one); anywhere else it makes the line bad, as for JSON.parse.
  if (startsWithBom(bytes)) return { entry: null };
  const cut = bytes.indexOf(UNREAD_TAIL);
  const skim = options.skim === true;
  const entry = (cut > 0 ? parseHead(bytes, cut, skim) : null) ?? parseJson(bytes, bytes.length, skim);
  return entry ? { entry, unknownType: (entry.kind === "other" || entry.kind === "usage") && !KNOWN_TYPES.has(entry.type) } : { entry: null };
}

/** The line up to `cut` (the comma before the unread tail), closed there: the comma is a brace while it is parsed. */
function parseHead(bytes: Buffer, cut: number, skim: boolean): Entry | null {
  bytes[cut] = CLOSE_BRACE;
  try {
    return parseJson(bytes, cut + 1, skim);
  } finally {
    bytes[cut] = UNREAD_TAIL[0]!;
  }
}

/**
 * Below this many bytes a line is decoded and then parsed (JSON.parse): about a fifth faster than
 * parsing its bytes (a 256 MiB history, Bun 1.4). A longer one is parsed from its bytes, so a line
 * of tens of MB is not held a second time as a string while it is parsed.
 */
const DECODE_BELOW = 1 << 20;

/** One JSON value, or undefined when the text is not exactly one (valid UTF-8 already made). */
function jsonValue(source: Buffer): { value: unknown } | undefined {
  if (source.length < DECODE_BELOW) {
    try {
      return { value: JSON.parse(source.toString("utf8")) };
    } catch {
      return undefined;
    }
  }
  const parsed = Bun.JSONL.parseChunk(source, 0, source.length);
  return parsed.error === null && parsed.done && parsed.values.length === 1 ? { value: parsed.values[0] } : undefined;
}

/**
 * bytes[0, end) as one JSON value, validated, or null: exactly one value and
 * nothing else, as JSON.parse requires. Bytes that are not UTF-8 (a writer's
 * slip, a damaged disk block) read as U+FFFD each, as ccusage reads them: it
 * counts the line's tokens, so refusing the line lost them and its text.
 */
function parseJson(bytes: Buffer, end: number, skim: boolean): Entry | null {
  const head = bytes.subarray(0, end);
  const source = isUtf8(head) ? head : Buffer.from(head.toString("utf8"));
  // A skipped value nests two levels below message.content: skimmed values stay within the fold's depth limit.
  const skimmed = skim ? skimmedLine(source, source.length, MAX_CONTENT_DEPTH - 2) : undefined;
  const parsed = jsonValue(skimmed ?? source);
  if (!parsed) return null;
  const entry = toEntry(parsed.value);
  if (!entry) return null;
  // Only a line at least twice as long as the limit can nest that deep.
  const conversation = entry.kind === "user" || entry.kind === "assistant";
  if (conversation && bytes.length > 2 * MAX_CONTENT_DEPTH && nestedDeeperThan(entry.message.content, MAX_CONTENT_DEPTH)) return null;
  return entry;
}
