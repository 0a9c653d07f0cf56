import { describe, expect, test } from "bun:test";
import type { Part } from "../src/opensync/payload.ts";
import {
  MAX_ARRAY_ITEMS,
  MAX_CONTENT_DEPTH,
  MAX_OBJECT_FIELDS,
  MAX_PARTS,
  MESSAGE_MAX_BYTES,
  PART_MAX_BYTES,
  TEXT_MAX_BYTES,
  clampTimestamp,
  fitMessage,
  limitValue,
  safeKey,
  safeKeys,
  storedBytes,
  truncateText,
  utf8Bytes,
} from "../src/safety/sanitize.ts";
import { seededRandom } from "./helpers/canaries.ts";

/** Convex's own field-name check (convex-js validateObjectField), as the server applies it. */
function isConvexFieldName(key: string): boolean {
  if (key.length > 1024 || key.startsWith("$") || key === "") return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 32 || c >= 127) return false;
  }
  return true;
}

function allKeys(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) allKeys(v, into);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      into.push(k);
      allKeys(v, into);
    }
  }
  return into;
}

function depth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depth));
  if (value !== null && typeof value === "object") return 1 + Math.max(0, ...Object.values(value).map(depth));
  return 0;
}

const isWellFormed = (s: string) => s.isWellFormed();

describe("safeKey / safeKeys", () => {
  const cases: [string, string][] = [
    ["$ref", "_$ref"],
    ["$schema", "_$schema"],
    ["naïve", "na\\u00efve"],
    ["tab\there", "tab\\u0009here"],
    ["日本", "\\u65e5\\u672c"],
    ["😀", "\\ud83d\\ude00"],
    ["", "(empty)"],
    ["_id", "_id"],
    ["plain key with spaces", "plain key with spaces"],
  ];
  for (const [input, output] of cases) {
    test(JSON.stringify(input), () => expect(safeKey(input)).toBe(output));
  }

  test("a key over 1024 characters is cut and tagged with a hash", () => {
    const long = "$" + "k".repeat(2000);
    const safe = safeKey(long);
    expect(safe.length).toBe(1024);
    expect(safe).toMatch(/^_\$k+~[0-9a-f]{8}$/);
    expect(safeKey(long + "x")).not.toBe(safe);
  });

  test("renames $ keys at any depth, in objects inside arrays, and leaves values alone", () => {
    const input = {
      toolName: "mcp__schema",
      args: {
        schema: { $schema: "http://json-schema.org/draft-07/schema#", $defs: { a: { $ref: "#/$defs/b" } } },
        list: [{ $id: 1 }, [{ deep: [{ $comment: "$not-a-key" }] }]],
      },
    };
    expect(safeKeys(input)).toEqual({
      toolName: "mcp__schema",
      args: {
        schema: { _$schema: "http://json-schema.org/draft-07/schema#", _$defs: { a: { _$ref: "#/$defs/b" } } },
        list: [{ _$id: 1 }, [{ deep: [{ _$comment: "$not-a-key" }] }]],
      },
    });
  });

  test("never lets a renamed key overwrite another one", () => {
    const out = safeKeys({ $ref: 1, _$ref: 2, "_$ref~2": 3, "\u0000": 4, "\\u0000": 5 }) as Record<string, unknown>;
    expect(out).toEqual({ "_$ref~3": 1, _$ref: 2, "_$ref~2": 3, "\\u0000~2": 4, "\\u0000": 5 });
    expect(Object.keys(out).every(isConvexFieldName)).toBe(true);
  });

  test("every key of a random nasty value becomes a valid Convex field name, none lost", () => {
    const random = seededRandom(7);
    const alphabet = ["$", "_", "a", "Z", "\u0000", "\u007f", "é", "漢", "😀", " ", "~", "\\"];
    const key = () => Array.from({ length: Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
    const build = (level: number): unknown => {
      if (level === 0 || random() < 0.3) return Math.floor(random() * 100);
      if (random() < 0.3) return Array.from({ length: 3 }, () => build(level - 1));
      return Object.fromEntries(Array.from({ length: 8 }, () => [key(), build(level - 1)]));
    };
    for (let i = 0; i < 50; i++) {
      const input = build(4);
      const out = safeKeys(input);
      const keys = allKeys(out);
      expect(keys.every(isConvexFieldName)).toBe(true);
      expect(keys.length).toBe(allKeys(input).length);
    }
  });

  test("returns the same object when nothing needs renaming", () => {
    const value = { a: [{ b: 1 }], c: "x" };
    expect(safeKeys(value)).toBe(value);
  });

  test("keeps a __proto__ key as an ordinary field", () => {
    const out = safeKeys(JSON.parse('{"__proto__": {"$x": 1}}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"_$x":1}}');
  });
});

describe("truncateText", () => {
  const marker = /…\[truncated (\d+) bytes by claude-code-sync\]$/;

  test("text that fits is returned as is", () => {
    expect(truncateText("héllo 😀", 100)).toBe("héllo 😀");
    expect(truncateText("abc", 3)).toBe("abc");
  });

  for (const [name, unit] of [
    ["ascii", "a"],
    ["2-byte", "é"],
    ["CJK", "漢"],
    ["emoji", "😀"],
    ["family emoji with joiners", "👨‍👩‍👧"],
    ["mixed", "a漢😀é"],
  ] as const) {
    test(`cuts ${name} text on a code point boundary, within the limit, with an exact count`, () => {
      const text = unit.repeat(5000);
      const total = utf8Bytes(text);
      for (let max = 60; max < 400; max += 7) {
        const out = truncateText(text, max);
        expect(utf8Bytes(out)).toBeLessThanOrEqual(max);
        expect(isWellFormed(out)).toBe(true);
        const m = out.match(marker);
        expect(m).not.toBeNull();
        const kept = out.slice(0, m?.index);
        expect(text.startsWith(kept)).toBe(true);
        expect(Number(m?.[1])).toBe(total - utf8Bytes(kept));
        expect(new TextDecoder().decode(new TextEncoder().encode(kept))).toBe(kept);
      }
    });
  }

  test("a limit too small for the marker still gives a valid cut within the limit", () => {
    expect(truncateText("😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", 10)).toBe("😀😀");
    expect(truncateText("abcdef".repeat(20), 0)).toBe("");
  });
});

describe("limitValue", () => {
  test("a small value keeps its shape", () => {
    const value = { toolName: "Bash", args: { command: "ls -la", timeout: 30, flags: [true, null] } };
    expect(limitValue(value, PART_MAX_BYTES)).toEqual(value);
  });

  test("a big value keeps its small fields and has its big strings cut", () => {
    const value = { toolName: "Read", args: { file_path: "/a/b.ts" }, result: "x".repeat(600_000) };
    const out = limitValue(value, 10_000) as typeof value;
    expect(storedBytes(out)).toBeLessThanOrEqual(10_000);
    expect(out.toolName).toBe("Read");
    expect(out.args).toEqual({ file_path: "/a/b.ts" });
    expect(out.result).toMatch(/^x+…\[truncated \d+ bytes by claude-code-sync\]$/);
  });

  test("a value that is mostly structure becomes its JSON text, cut to size", () => {
    const value = Array.from({ length: 5000 }, (_, i) => ({ i }));
    const out = limitValue(value, 4096);
    expect(typeof out).toBe("string");
    expect(storedBytes(out)).toBeLessThanOrEqual(4096);
    expect(out as string).toStartWith('[{"i":0},{"i":1}');
  });

  test("too deep, too wide and too long containers become JSON text; lone surrogates are fixed", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const wide = Object.fromEntries(Array.from({ length: MAX_OBJECT_FIELDS + 1 }, (_, i) => [`k${i}`, i]));
    const long = Array.from({ length: MAX_ARRAY_ITEMS + 1 }, () => 0);
    const out = limitValue({ deep, wide, long, broken: "a\ud800b" }, 10 * 1024 * 1024) as Record<string, unknown>;
    expect(depth(out)).toBeLessThanOrEqual(MAX_CONTENT_DEPTH);
    expect(typeof out.wide).toBe("string");
    expect(typeof out.long).toBe("string");
    expect(out.broken).toBe("a\ufffdb");
    expect(JSON.parse(out.wide as string)).toEqual(wide);
  });
});

describe("fitMessage", () => {
  const messageBytes = (m: { parts: Part[]; textContent: string | undefined }) =>
    (m.textContent === undefined ? 0 : storedBytes(m.textContent)) + m.parts.reduce((n, p) => n + storedBytes(p), 0);

  test("a small message is unchanged", () => {
    const parts: Part[] = [
      { type: "text", content: "hello" },
      { type: "tool-call", content: { toolName: "Bash", args: { command: "ls" } } },
    ];
    expect(fitMessage(parts, "hello")).toEqual({ parts, textContent: "hello", cut: false });
    expect(fitMessage([], undefined)).toEqual({ parts: [], textContent: undefined, cut: false });
  });

  test("shrinks the largest parts first and keeps the small ones whole", () => {
    const small: Part = { type: "tool-call", content: { toolName: "Read", args: { file_path: "/x" } } };
    const parts: Part[] = [
      small,
      { type: "tool-result", content: { result: "a".repeat(250_000) } },
      { type: "tool-result", content: { result: "b".repeat(250_000) } },
      { type: "tool-result", content: { result: "c".repeat(250_000) } },
      { type: "tool-result", content: { result: "d".repeat(250_000) } },
    ];
    const out = fitMessage(parts, "short text");
    expect(messageBytes(out)).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
    expect(out.parts[0]).toEqual(small);
    expect(out.textContent).toBe("short text");
    expect(out.parts.map((p) => p.type)).toEqual(parts.map((p) => p.type));
    expect(out.cut).toBe(true);
  });

  test("too many parts are replaced by one note", () => {
    const parts: Part[] = Array.from({ length: MAX_PARTS + 10 }, (_, i) => ({ type: "text", content: `p${i}` }));
    const out = fitMessage(parts, undefined);
    expect(out.parts).toHaveLength(MAX_PARTS);
    expect(out.parts.at(-1)).toEqual({ type: "text", content: "…[11 more parts omitted by claude-code-sync]" });
    expect(out.cut).toBe(true);
  });

  test("property: random messages always fit every limit and keep their part types", () => {
    const random = seededRandom(42);
    const int = (n: number) => Math.floor(random() * n);
    const units = ["a", "é", "漢", "😀", "\n", '"'];
    const text = () => units[int(units.length)]!.repeat(random() < 0.3 ? int(400_000) : int(2_000));
    const content = (): unknown => {
      switch (int(4)) {
        case 0:
          return text();
        case 1:
          return { toolName: "Bash", args: { command: text(), description: "run" } };
        case 2:
          return { result: text(), extra: Array.from({ length: int(20) }, () => ({ line: text().slice(0, 50), n: int(9) })) };
        default:
          return Array.from({ length: int(8000) }, (_, i) => ({ i, s: "z".repeat(int(40)) }));
      }
    };
    const types = ["text", "tool-call", "tool-result", "thinking"];
    for (let round = 0; round < 40; round++) {
      const parts: Part[] = Array.from({ length: int(12) }, () => ({ type: types[int(types.length)]!, content: content() }));
      const textContent = random() < 0.2 ? undefined : text();
      const out = fitMessage(parts, textContent);
      expect(messageBytes(out)).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
      for (const p of out.parts) expect(storedBytes(p)).toBeLessThanOrEqual(PART_MAX_BYTES);
      if (out.textContent !== undefined) expect(utf8Bytes(out.textContent)).toBeLessThanOrEqual(TEXT_MAX_BYTES);
      expect(out.textContent === undefined).toBe(textContent === undefined);
      expect(out.parts.map((p) => p.type)).toEqual(parts.map((p) => p.type));
      for (const p of out.parts) expect(depth(p.content)).toBeLessThanOrEqual(MAX_CONTENT_DEPTH);
      expect(isWellFormed(JSON.stringify(out))).toBe(true);
      // Cut exactly when what goes out differs from what came in.
      expect(out.cut).toBe(JSON.stringify([out.parts, out.textContent]) !== JSON.stringify([parts, textContent]));
    }
  });
});

describe("clampTimestamp", () => {
  const now = 1_767_225_600_000.7;
  test("never later than now, always an integer", () => {
    expect(clampTimestamp(now + 5000, now)).toBe(1_767_225_600_000);
    expect(clampTimestamp(1_700_000_000_123.9, now)).toBe(1_700_000_000_123);
    expect(clampTimestamp(Number.NaN, now)).toBe(1_767_225_600_000);
    expect(clampTimestamp(Number.POSITIVE_INFINITY, now)).toBe(1_767_225_600_000);
  });
});
