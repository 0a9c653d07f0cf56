import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generatedEntry, interpretedEntry, toEntry } from "../src/transcript/schema.ts";
import { testCorpus } from "./helpers/corpus.ts";
import { assistant, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

/**
 * toEntry validates with zod's generated parsers (z.compile) once a type's
 * lines are many; zod's interpreter is the reference. Both must give the same
 * entry, key for key (an `undefined` key is not a missing one), or both reject
 * the line: checked with every parser generated from the first line.
 */
const generated = generatedEntry(0);
function expectSame(value: unknown): void {
  expect(generated(structuredClone(value))).toStrictEqual(interpretedEntry(structuredClone(value)));
}

function corpusLines(root: string): unknown[] {
  const values: unknown[] = [];
  for (const name of readdirSync(root, { recursive: true, encoding: "utf8" })) {
    if (!name.endsWith(".jsonl")) continue;
    for (const line of readFileSync(join(root, name), "utf8").split("\n")) {
      try {
        values.push(JSON.parse(line));
      } catch {
        // Not JSON: parseLine's concern, not the schema's.
      }
    }
  }
  return values;
}

/** Every path into `value` (the first element of arrays), down to `depth` levels. */
function paths(value: unknown, depth: number, at: Array<string | number> = []): Array<Array<string | number>> {
  if (depth === 0 || typeof value !== "object" || value === null) return [];
  const keys: Array<string | number> = Array.isArray(value) ? (value.length > 0 ? [0] : []) : Object.keys(value);
  return keys.flatMap((k) => [[...at, k], ...paths((value as Record<string | number, unknown>)[k], depth - 1, [...at, k])]);
}

/** A copy of `value` with the thing at `path` replaced, or deleted when `replacement` is DELETE. */
const DELETE = Symbol("delete");
function mutated(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (replacement === DELETE) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

/** Values of every JSON kind, and the edges of numbers and strings a check could treat apart. */
const ODD_VALUES: unknown[] = [null, 0, -0, -1, 1.5, 1e400, -1e400, 2 ** 60, "", "x", "2026-12-03T10:00:00.000Z", true, false, [], [{}], [1], {}, { type: 1 }, { type: "text" }, DELETE];

describe("toEntry's generated parsers", () => {
  const corpus = testCorpus();

  test(`read every line of ${corpus.label} as zod's interpreter does`, () => {
    const values = corpusLines(join(corpus.root, "projects"));
    // The generated history (no ../shared beside the clone) is smaller than the shared corpus.
    expect(values.length).toBeGreaterThan(corpus.shared ? 1000 : 500);
    let read = 0;
    for (const value of values) {
      expectSame(value);
      if (toEntry(structuredClone(value)) !== null) read++;
    }
    // The corpus is mostly good lines: a check that rejected everything would pass the comparison.
    expect(read).toBeGreaterThan(values.length * 0.9);
  });

  test("agree on lines with any field replaced by a value of another kind, or removed", () => {
    const usage = { input_tokens: 3, output_tokens: 5, cache_creation_input_tokens: 7, cache_read_input_tokens: 11, cache_creation: { ephemeral_5m_input_tokens: 7, ephemeral_1h_input_tokens: 0 }, speed: "fast", inference_geo: "us", service_tier: "standard", iterations: [{ type: "message", model: "claude-opus-5", input_tokens: 1, output_tokens: 2 }] };
    const lines: object[] = [
      { ...user("hello", { agentId: "a1" }), isMeta: false, isCompactSummary: false, origin: { kind: "human", name: "n" }, promptSource: "typed" },
      toolResult("toolu_1", "file contents"),
      (() => {
        const line = assistant("msg_1", text("hi"));
        return { ...line, message: { ...line.message, content: [text("hi"), toolUse("toolu_1", "Bash", { command: "ls" })], usage } };
      })(),
      { type: "system", subtype: "compact_boundary", uuid: "s1", timestamp: "2026-12-03T10:00:00.000Z", content: "c", isMeta: false, compactMetadata: { trigger: "auto", preTokens: 5 } },
      { type: "attachment", uuid: "a1", timestamp: "2026-12-03T10:00:00.000Z", attachment: { type: "queued_command", prompt: "more", commandMode: "prompt", origin: { kind: "human" }, timestamp: "2026-12-03T10:00:01.000Z" } },
      { type: "summary", summary: "s", leafUuid: "u" },
      { type: "custom-title", customTitle: "t", sessionId: "s" },
      { type: "ai-title", aiTitle: "t", sessionId: "s" },
      { type: "progress", timestamp: "2026-12-03T10:00:00.000Z", cwd: "/p", data: { a: 1 } },
    ];
    let cases = 0;
    for (const line of lines) {
      expect(toEntry(structuredClone(line))).not.toBeNull();
      for (const path of paths(line, 5)) {
        for (const odd of ODD_VALUES) {
          expectSame(mutated(line, path, odd));
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(1000);
  });

  test("agree on values that are not lines", () => {
    for (const value of [null, 1, "user", [], [{ type: "user" }], {}, { type: null }, { type: 7 }, { type: "" }]) expectSame(value);
  });
});
