import type { Part } from "../opensync/payload.ts";

/**
 * Shapes and sizes the OpenSync database (Convex) accepts. Pure functions, no I/O.
 *
 * Convex rules followed here (convex-js `validateObjectField`, docs.convex.dev "Limits"):
 * field names must not start with `$`, must be printable ASCII (0x20-0x7E), at most 1024
 * characters (docs: nonempty); objects hold at most 1024 fields, arrays 8192 elements, values
 * nest at most 16 deep per document; strings must be well-formed Unicode; a document is at most
 * 1 MiB. Nested keys starting with `_` are allowed (only top-level document fields are reserved).
 */

/** Largest message text, in UTF-8 bytes. */
export const TEXT_MAX_BYTES = 256 * 1024;
/** Largest part (`{type, content}`), in stored bytes. */
export const PART_MAX_BYTES = 256 * 1024;
/** Largest message: text plus all parts, in stored bytes; leaves room under Convex's 1 MiB. */
export const MESSAGE_MAX_BYTES = 900 * 1024;
/** Most parts kept on one message; the rest are replaced by one note. */
export const MAX_PARTS = 1000;
/** Deepest container nesting kept inside a part's content (Convex allows 16 per document). */
export const MAX_CONTENT_DEPTH = 12;
export const MAX_OBJECT_FIELDS = 1024;
export const MAX_ARRAY_ITEMS = 8192;
const MAX_FIELD_NAME_LENGTH = 1024;
/** Strings are not cut below this: past it a value is stringified and cut as a whole instead. */
const MIN_CUT_BYTES = 256;

const TOOL = "claude-code-sync";

// ---------------------------------------------------------------------------------------------
// Keys

const VALID_KEY = /^(?!\$)[\x20-\x7e]{1,1024}$/;
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/g;

/**
 * A field name Convex accepts, for a key it would reject:
 * - a leading `$` gets an underscore in front: `$ref` -> `_$ref`, `$schema` -> `_$schema`;
 * - each character outside printable ASCII becomes `\uXXXX` (its UTF-16 code): `naïve` -> `na\u00efve`;
 * - the empty key becomes `(empty)`;
 * - a key over 1024 characters is cut and ends in `~` and a hash of the whole key.
 * Keys Convex accepts are returned unchanged.
 */
export function safeKey(key: string): string {
  if (VALID_KEY.test(key)) return key;
  if (key === "") return "(empty)";
  let out = key.replace(NOT_PRINTABLE_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (out.startsWith("$")) out = `_${out}`;
  return out.length <= MAX_FIELD_NAME_LENGTH ? out : withSuffix(out, `~${fnv1a(key)}`);
}

function withSuffix(name: string, suffix: string): string {
  return name.slice(0, MAX_FIELD_NAME_LENGTH - suffix.length) + suffix;
}

/** 32-bit FNV-1a as 8 hex digits: a short, stable tag for a cut key. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/**
 * New names for one object's keys. Keys that were already valid keep their names; a renamed key
 * that would land on a name already in use gets `~2`, `~3`, ... so no value is ever overwritten
 * (`{"$ref": 1, "_$ref": 2}` -> `{"_$ref~2": 1, "_$ref": 2}`). Returns undefined if none changes.
 */
function renameKeys(keys: readonly string[]): string[] | undefined {
  if (keys.every((k) => VALID_KEY.test(k))) return undefined;
  const taken = new Set(keys.filter((k) => VALID_KEY.test(k)));
  return keys.map((key) => {
    if (VALID_KEY.test(key)) return key;
    const base = safeKey(key);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = withSuffix(base, `~${n}`);
    taken.add(name);
    return name;
  });
}

/**
 * `value` with every object key, at any depth, renamed by `safeKey` (collisions resolved as in
 * renameKeys). Values are untouched; an unchanged subtree is returned as the same object.
 */
export function safeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return mapArray(value, safeKeys);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  const names = renameKeys(entries.map(([k]) => k));
  let changed = names !== undefined;
  const out = entries.map(([k, v], i): [string, unknown] => {
    const safe = safeKeys(v);
    if (safe !== v) changed = true;
    return [names?.[i] ?? k, safe];
  });
  // fromEntries keeps a "__proto__" key as data instead of setting the prototype.
  return changed ? Object.fromEntries(out) : value;
}

function mapArray(items: readonly unknown[], f: (v: unknown) => unknown): readonly unknown[] {
  let changed = false;
  const out = items.map((v) => {
    const mapped = f(v);
    if (mapped !== v) changed = true;
    return mapped;
  });
  return changed ? out : items;
}

// ---------------------------------------------------------------------------------------------
// Sizes

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * Bytes a JSON value takes in a Convex document (Convex's own size rule): a string is its UTF-8
 * length + 2, a number 9, null and booleans 1, containers 2 plus their items, and each object
 * field its name's length + 1. Undefined fields are omitted, as JSON omits them.
 */
export function storedBytes(value: unknown): number {
  if (typeof value === "string") return utf8Bytes(value) + 2;
  if (typeof value === "number") return 9;
  if (value === undefined) return 0;
  if (value === null || typeof value !== "object") return 1;
  let n = 2;
  if (Array.isArray(value)) {
    for (const item of value) n += storedBytes(item);
    return n;
  }
  for (const [k, v] of Object.entries(value)) if (v !== undefined) n += utf8Bytes(k) + 1 + storedBytes(v);
  return n;
}

const encoder = new TextEncoder();

function truncationMarker(bytes: number): string {
  return `…[truncated ${bytes} bytes by ${TOOL}]`;
}

/**
 * `text` cut to at most `maxBytes` UTF-8 bytes, on a code point boundary (never inside an emoji's
 * surrogate pair or a multi-byte character), ending in `…[truncated N bytes by claude-code-sync]`
 * where N counts the bytes removed. Text that fits is returned as is. If `maxBytes` is too small
 * for the marker, the text is cut without one.
 */
export function truncateText(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text; // a UTF-16 unit is at most 3 UTF-8 bytes
  const total = utf8Bytes(text);
  if (total <= maxBytes) return text;
  const room = maxBytes - utf8Bytes(truncationMarker(total)); // the marker never gets longer than this
  if (room < 0) return cutUtf8(text, Math.max(0, maxBytes)).text;
  const kept = cutUtf8(text, room);
  return kept.text + truncationMarker(total - kept.bytes);
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8 (encodeInto never splits a code point). */
function cutUtf8(text: string, maxBytes: number): { text: string; bytes: number } {
  const { read, written } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  return { text: text.slice(0, read), bytes: written };
}

/**
 * The largest cap C such that capping every size at C keeps their sum within `budget`
 * (Infinity when everything already fits, -Infinity when nothing can). Used to shrink the
 * largest items first.
 */
function waterLevel(sizes: readonly number[], budget: number): number {
  const sorted = [...sizes].sort((a, b) => a - b);
  let below = 0;
  for (let i = 0; i < sorted.length; i++) {
    const size = sorted[i] ?? 0;
    const rest = sorted.length - i;
    if (below + size * rest > budget) return Math.floor((budget - below) / rest);
    below += size;
  }
  return below <= budget ? Infinity : -Infinity;
}

// ---------------------------------------------------------------------------------------------
// Values

/**
 * A copy of a JSON value Convex can store: strings made well-formed (a lone surrogate becomes
 * U+FFFD), and a container that nests deeper than MAX_CONTENT_DEPTH or has more than
 * MAX_OBJECT_FIELDS fields / MAX_ARRAY_ITEMS items replaced by its JSON text.
 */
function storable(value: unknown, depth: number): unknown {
  if (typeof value === "string") return value.toWellFormed();
  if (value === null || typeof value !== "object") return value;
  const items = Array.isArray(value) ? value.length : Object.keys(value).length;
  if (depth > MAX_CONTENT_DEPTH || items > (Array.isArray(value) ? MAX_ARRAY_ITEMS : MAX_OBJECT_FIELDS)) {
    return (JSON.stringify(value) ?? "null").toWellFormed();
  }
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : storable(v, depth + 1)));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, storable(v, depth + 1)]));
}

function stringLeaves(value: unknown, into: number[]): void {
  if (typeof value === "string") into.push(utf8Bytes(value));
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, into);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) stringLeaves(v, into);
}

/** `value` with every string in it (arrays and objects walked) replaced by `f`'s answer. */
export function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
}

/**
 * A JSON value (a part's content) that Convex can store in at most `maxBytes` stored bytes, with
 * the keys Convex refuses renamed (see safeKeys). Small values keep their shape. A big one first
 * has its longest strings cut (marked, see truncateText), so `{"toolName": "Bash", "args": {...}}`
 * keeps its short fields; if that cannot fit, the whole value becomes its JSON text, cut to size.
 */
export function limitValue(value: unknown, maxBytes: number): unknown {
  return fitValue(value, maxBytes).value;
}

/** limitValue, and whether it had to cut. */
function fitValue(value: unknown, maxBytes: number): { value: unknown; cut: boolean } {
  const safe = storable(safeKeys(value), 1);
  const size = storedBytes(safe);
  if (size <= maxBytes) return { value: safe, cut: false };
  const leaves: number[] = [];
  stringLeaves(safe, leaves);
  const stringBytes = leaves.reduce((a, b) => a + b, 0);
  const cap = waterLevel(leaves, maxBytes - (size - stringBytes));
  if (cap >= MIN_CUT_BYTES) return { value: mapStrings(safe, (s) => truncateText(s, cap)), cut: true };
  return { value: truncateText(JSON.stringify(safe) ?? "null", maxBytes - 2), cut: true };
}

function limitPart(part: Part, maxBytes: number): { part: Part; cut: boolean } {
  const wrapper = storedBytes({ type: part.type, content: null }) - storedBytes(null);
  const { value, cut } = fitValue(part.content, maxBytes - wrapper);
  return { part: { type: part.type, content: value }, cut };
}

/**
 * Parts and text of one message, made to fit: the text under TEXT_MAX_BYTES, each part under
 * PART_MAX_BYTES, at most MAX_PARTS parts, and all of it together under MESSAGE_MAX_BYTES,
 * shrinking the largest items first so small parts (tool names, short results) stay whole;
 * `cut` says whether anything was cut or left out.
 */
export function fitMessage(
  parts: readonly Part[],
  textContent: string | undefined,
): { parts: Part[]; textContent: string | undefined; cut: boolean } {
  let cut = parts.length > MAX_PARTS;
  const kept =
    parts.length <= MAX_PARTS
      ? parts
      : [
          ...parts.slice(0, MAX_PARTS - 1),
          { type: "text", content: `…[${parts.length - MAX_PARTS + 1} more parts omitted by ${TOOL}]` },
        ];
  let fitted = kept.map((p) => {
    const limited = limitPart(p, PART_MAX_BYTES);
    cut ||= limited.cut;
    return limited.part;
  });
  const whole = textContent?.toWellFormed();
  let text = whole === undefined ? undefined : truncateText(whole, TEXT_MAX_BYTES);
  cut ||= text !== whole;

  const textSize = text === undefined ? 0 : storedBytes(text);
  const partSizes = fitted.map(storedBytes);
  const cap = waterLevel(text === undefined ? partSizes : [textSize, ...partSizes], MESSAGE_MAX_BYTES);
  if (cap !== Infinity) {
    // Past the message's limit: the largest items are cut, always at least one.
    cut = true;
    if (text !== undefined && textSize > cap) text = truncateText(text, cap - 2);
    fitted = fitted.map((p, i) => ((partSizes[i] ?? 0) > cap ? limitPart(p, cap).part : p));
  }
  return { parts: fitted, textContent: text, cut };
}

// ---------------------------------------------------------------------------------------------
// Payload fields

/**
 * An integer epoch-ms timestamp never later than `now`: OpenSync never updates a message whose
 * createdAt is in the future. A non-finite `ms` gives `now`.
 */
export function clampTimestamp(ms: number, now: number): number {
  const limit = Math.floor(now);
  return Number.isFinite(ms) ? Math.min(Math.floor(ms), limit) : limit;
}
