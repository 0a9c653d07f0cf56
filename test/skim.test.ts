/**
 * A dry run parses messages without what it never reads: what tools were
 * given and returned, images' data, thinking signatures
 * (src/transcript/skim.ts). Skimmed, a line must read as the whole line does
 * with those emptied, and be judged good or bad exactly as the whole line is:
 * the dry run's figures are a sync's.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseLine } from "../src/transcript/parse-line.ts";
import type { Entry } from "../src/transcript/schema.ts";
import { skimmedLine } from "../src/transcript/skim.ts";
import { testCorpus } from "./helpers/corpus.ts";
import { assistant, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

const MAX_DEPTH = 498;
const bytes = (line: string) => Buffer.from(line);
const skim = (line: string) => skimmedLine(bytes(line), Buffer.byteLength(line), MAX_DEPTH)?.toString();

/** What a count never reads, by kind of block. */
const UNREAD: Record<string, string> = { tool_result: "content", image: "source", tool_use: "input", server_tool_use: "input", thinking: "signature" };

/** An entry with what a count never reads emptied. */
function emptied(entry: Entry | null): Entry | null {
  if ((entry?.kind !== "user" && entry?.kind !== "assistant") || typeof entry.message.content === "string") return entry;
  const content = entry.message.content.map((b) => {
    const key = UNREAD[b.type];
    return key !== undefined && b[key] !== undefined && JSON.stringify(b[key]).length > 2 ? { ...b, [key]: "" } : b;
  });
  return { ...entry, message: { ...entry.message, content } } as Entry;
}

/** Skimmed (or, where skimming does not apply, parsed whole), a line reads as the whole line does in all a count reads. */
function expectReadAlike(line: Buffer): void {
  const skimmed = parseLine(Buffer.from(line), { skim: true }).entry;
  expect(emptied(skimmed)).toEqual(emptied(parseLine(Buffer.from(line)).entry));
}

describe("skimmedLine", () => {
  test("empties each tool result's content, whatever it holds, and keeps everything else byte for byte", () => {
    const tricky = 'a "quoted" \\ back\\slash \\" ] } [ { ,:';
    const blocks = [
      { type: "tool_result", tool_use_id: "t1", content: tricky as unknown },
      { type: "text", text: "between" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } as unknown },
      { tool_use_id: "t2", content: [{ type: "text", text: tricky }, { type: "image", source: { data: "x", n: [1, 2.5e3, true, null] } }] as unknown, type: "tool_result", is_error: true },
    ];
    const line = user(blocks);
    const expected = structuredClone(line);
    for (const b of expected.message.content as typeof blocks) {
      if (b.type === "tool_result") b.content = "";
      if (b.type === "image") b.source = "";
    }
    expect(skim(JSON.stringify(line))).toBe(JSON.stringify(expected));
  });

  test("an answer keeps its text, thinking and tool names; tool inputs and thinking signatures are emptied", () => {
    const { message, ...line } = assistant("msg_1", toolUse("toolu_1", "Bash", { command: 'echo "}]"' }));
    const { role, content, ...rest } = message;
    // As Claude Code writes it: the role just before the content.
    const written = {
      ...line,
      message: { ...rest, role, content: [{ type: "thinking", thinking: "let me see", signature: "EqQBCkgIARABGAIiQ" }, { type: "text", text: "running it" }, ...content] },
    };
    const out = JSON.parse(skim(JSON.stringify(written)) as string);
    expect(out.message.content).toEqual([
      { type: "thinking", thinking: "let me see", signature: "" },
      { type: "text", text: "running it" },
      { type: "tool_use", id: "toolu_1", name: "Bash", input: "" },
    ]);
    expect({ ...out, message: { ...out.message, content: written.message.content } }).toEqual(written);
  });

  test("nothing to skim: no tool result, an empty one, an assistant line, a prompt as a string", () => {
    for (const line of [
      user([{ type: "text", text: "hi" }]),
      user([{ type: "tool_result", tool_use_id: "t", content: "" }]),
      user([{ type: "tool_result", tool_use_id: "t" }]),
      assistant("msg_1", text("only text")),
      // Only a tool result's content and an image's source: another kind of block keeps its own.
      user([{ type: "document", content: "kept", source: { data: "kept" } }, { type: "text", text: "hi" }]),
      user("a prompt"),
    ])
      expect(skim(JSON.stringify(line))).toBeUndefined();
  });

  test("a line not as Claude Code writes it, or cut short, or nested too deep is left to the whole parse", () => {
    const line = JSON.stringify(toolResult("toolu_1", "x".repeat(100)));
    expect(skim(line)).toBeDefined();
    expect(skim(line.replace('"content":[', '"content": ['))).toBeUndefined();
    for (const cut of [line.indexOf("xxx"), line.length - 30, line.length - 3]) expect(skim(line.slice(0, cut))).toBeUndefined();
    const deep = (n: number) => JSON.stringify(user([{ type: "tool_result", tool_use_id: "t", content: JSON.parse(`${"[".repeat(n)}${"]".repeat(n)}`) }]));
    expect(skim(deep(MAX_DEPTH))).toBeDefined();
    expect(skim(deep(MAX_DEPTH + 1))).toBeUndefined();
    // Brackets that do not match, inside the skipped value: the rest of the line would still be valid.
    const placeholder = JSON.stringify(toolResult("toolu_1", "PLACEHOLDER"));
    for (const value of ['[{"a":1]}', '{"a":[1}]']) expect(skim(placeholder.replace('"PLACEHOLDER"', value))).toBeUndefined();
    // Only bytes before `end` count (the cut before toolUseResult): a string still open there is not skipped.
    const buf = bytes(line);
    expect(skimmedLine(buf, line.indexOf("xxx") + 10, MAX_DEPTH)).toBeUndefined();
  });
});

describe("parseLine with skim", () => {
  test("a skimmed line reads as the whole line with its tool output emptied, or is bad as the whole line is", () => {
    const good = JSON.stringify(toolResult("toolu_1", "out"));
    expectReadAlike(bytes(good));
    expectReadAlike(bytes(`${good.slice(0, -1)},"toolUseResult":{"stdout":"x"}}`));
    // Two values on one line, a missing brace, a stray character after the content: bad either way.
    for (const bad of [`${good}${good}`, good.slice(0, -1), good.replace('"out"', '"out" x'), good.replace('"out"', '[{"a":1]}'), good.replace('"out"', '"o\\ut"').slice(0, -2)]) {
      expect(parseLine(bytes(bad)).entry).toBeNull();
      expect(parseLine(bytes(bad), { skim: true }).entry).toBeNull();
    }
    // Too deep for the fold: refused skimmed or not.
    const deep = JSON.stringify(user([{ type: "tool_result", tool_use_id: "t", content: JSON.parse(`${"[".repeat(600)}${"]".repeat(600)}`) }]));
    expect(parseLine(bytes(deep)).entry).toBeNull();
    expect(parseLine(bytes(deep), { skim: true }).entry).toBeNull();
  });

  const corpus = testCorpus();
  test(`every line of ${corpus.label} reads alike skimmed, and skimming leaves out what tools returned`, () => {
    const root = join(corpus.root, "projects");
    let lines = 0;
    let skimmed = 0;
    for (const name of readdirSync(root, { recursive: true, encoding: "utf8" })) {
      if (!name.endsWith(".jsonl")) continue;
      for (const line of readFileSync(join(root, name)).toString("latin1").split("\n")) {
        if (!line) continue;
        const raw = Buffer.from(line, "latin1");
        lines++;
        if (skimmedLine(raw, raw.length, MAX_DEPTH)) skimmed++;
        expectReadAlike(raw);
      }
    }
    expect(lines).toBeGreaterThan(500);
    expect(skimmed).toBeGreaterThan(50);
  });

  test("a session of tool calls and a pasted image reads alike skimmed", () => {
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } };
    const lines = [
      user([{ type: "text", text: "start" }, image]),
      assistant("msg_1", toolUse("toolu_1", "Bash", { command: "ls" })),
      toolResult("toolu_1", "a\nb"),
      user([image]),
      assistant("msg_2", text("done")),
    ];
    for (const line of lines) expectReadAlike(bytes(JSON.stringify(line)));
  });
});
