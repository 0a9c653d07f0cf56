import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gluedEntries } from "../src/transcript/glued.ts";
import { parseLine } from "../src/transcript/parse-line.ts";
import { toEntry } from "../src/transcript/schema.ts";
import { testCorpus } from "./helpers/corpus.ts";
import { assistant, queuedPrompt, snapshotLine, text, toolResult, user } from "./helpers/transcript.ts";

const bytes = (text: string) => Buffer.from(text);
/** What the whole line parses to, the reference for the cut before toolUseResult. */
const whole = (text: string) => toEntry(JSON.parse(text));

const withResult = (line: object, toolUseResult: string, after = "") =>
  `${JSON.stringify(line).slice(0, -1)},"toolUseResult":${toolUseResult}${after}}`;

describe("parseLine", () => {
  test("a tool-result line reads the same with its toolUseResult as without", () => {
    const line = toolResult("toolu_1", "file contents");
    const text = withResult(line, JSON.stringify({ stdout: "x".repeat(5000), nested: [{ a: 1 }] }), ',"sourceToolAssistantUUID":"a-1"');
    expect(parseLine(bytes(text)).entry).toEqual(whole(JSON.stringify(line)));
  });

  test("what follows toolUseResult is not decoded or parsed: a damaged copy does not lose the message", () => {
    const line = toolResult("toolu_1", "ok");
    const damaged = Buffer.concat([bytes(withResult(line, '{"stdout":"').slice(0, -1)), Buffer.from([0xff, 0xfe]), bytes('"}')]);
    expect(parseLine(damaged).entry).toEqual(whole(JSON.stringify(line)));
  });

  test("the key nested inside another value is not a cut: the whole line is read", () => {
    const line = user([{ type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "x" }], extra: { toolUseResult: 1 } }]);
    const text = JSON.stringify(line).replace('"extra":{"toolUseResult":1}', '"extra":{"a":0,"toolUseResult":1}');
    expect(text).toContain(',"toolUseResult":');
    const entry = parseLine(bytes(text)).entry;
    expect(entry).toEqual(whole(text));
    expect(entry).not.toBeNull();
  });

  test("a field we read written after toolUseResult is still read", () => {
    const { uuid, ...rest } = toolResult("toolu_1", "ok");
    const text = withResult(rest, "{}", `,"uuid":"${uuid}"`);
    expect(parseLine(bytes(text)).entry).toMatchObject({ kind: "user", uuid });
  });

  test("a BOM before toolUseResult makes a bad line", () => {
    const good = JSON.stringify(user("hello"));
    expect(parseLine(bytes(`\uFEFF${good}`)).entry).toBeNull();
    expect(parseLine(bytes(good)).entry).toEqual(whole(good));
  });

  // ccusage counts such a line's tokens: refusing it lost them, and its text.
  test.each([
    ["a stray byte", [0xff]],
    ["a character cut short", [0xe2, 0x82]],
    ["an overlong form", [0xc0, 0xaf]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
  ])("bytes that are not UTF-8 (%s) read as U+FFFD: the line's text and tokens are kept, skimmed or not", (_, seq) => {
    const line = assistant("msg_1", text("before MARK after"), { usage: { input: 7, output: 3 } });
    const [head, tail] = JSON.stringify(line).split("MARK") as [string, string];
    const damaged = Buffer.concat([bytes(head), Buffer.from(seq), bytes(tail)]);
    const expected = whole(JSON.stringify(line).replace("MARK", Buffer.from(seq).toString("utf8")));
    expect(parseLine(damaged).entry).toEqual(expected);
    expect(parseLine(damaged, { skim: true }).entry).toMatchObject({ kind: "assistant", message: { usage: { input_tokens: 7, output_tokens: 3 } } });
  });

  // A short line is decoded and parsed, one over 1 MiB parsed from its bytes: both judge alike.
  test.each([
    ["short", "hello"],
    ["over 1 MiB", `hello ${"é".repeat(600_000)}`],
  ])("a %s line is one JSON value and nothing else, as for JSON.parse", (_, prompt) => {
    const good = JSON.stringify(user(prompt));
    for (const text of [`${good} x`, `${good}${good}`, `${good} ${good}`, `${good.slice(0, -1)},}`, "   ", good.slice(0, -1)]) {
      expect(() => JSON.parse(text)).toThrow();
      expect(parseLine(bytes(text)).entry).toBeNull();
    }
    expect(parseLine(bytes(`  ${good} `)).entry).toEqual(whole(good));
  });

  test("the bytes of a line are left as they were (the cut is closed in place while parsing)", () => {
    const text = withResult(toolResult("toolu_1", "ok"), JSON.stringify({ stdout: "x" }));
    const line = bytes(text);
    parseLine(line);
    expect(line.toString()).toBe(text);
    const unbalanced = bytes(withResult(toolResult("toolu_2", "ok"), '{"stdout":"'));
    const before = unbalanced.toString();
    parseLine(unbalanced);
    expect(unbalanced.toString()).toBe(before);
  });

  const SNAPSHOT = { kind: "other", type: "file-history-snapshot" };
  test.each([
    ["a whole one, told by how it begins and ends, unparsed", '{"type":"file-history-snapshot","snapshot":{ not json,"isSnapshotUpdate":true}', SNAPSHOT],
    ["one written in another order, parsed", '{"type":"file-history-snapshot","isSnapshotUpdate":false,"snapshot":{}}', SNAPSHOT],
    ["a half one is bad", '{"type":"file-history-snapshot","messageId":"m","snapshot":{"messageId":"m","trackedFi', null],
    ["a half one with a whole one glued to it is bad", '{"type":"file-history-snapshot","snapshot":{"a{"type":"file-history-snapshot","snapshot":{},"isSnapshotUpdate":false}', null],
  ])("a snapshot line: %s", (_name, text, entry) => {
    expect(parseLine(bytes(text as string)).entry).toEqual(entry as never);
  });

  test.each([
    ["its timestamp", '{"type":"queue-operation","operation":"dequeue","timestamp":"2026-01-20T11:57:17.716Z","sessionId":"s"}', Date.parse("2026-01-20T11:57:17.716Z")],
    [
      "the top-level one, not a quoted one in the prompt",
      '{"type":"queue-operation","operation":"enqueue","content":[{"type":"text","text":"set \\"timestamp\\":\\"1999-01-01T00:00:00Z\\""}],"timestamp":"2026-01-20T11:57:17.716Z"}',
      Date.parse("2026-01-20T11:57:17.716Z"),
    ],
    ["none when it has none", '{"type":"queue-operation","operation":"dequeue"}', undefined],
    ["none when it is not a time", '{"type":"queue-operation","timestamp":"soon"}', undefined],
    ["none from a snapshot line, whose times are nested", '{"type":"file-history-snapshot","snapshot":{"timestamp":"2026-01-20T11:57:17.716Z"}}', undefined],
  ])("a queue-operation or snapshot line gives %s", (_name, text, timestamp) => {
    expect((parseLine(bytes(text as string)).entry as { timestamp?: number }).timestamp).toBe(timestamp as number | undefined);
  });

  test.each([
    ['{"type":"custom-title","customTitle":"upload-tests","sessionId":"s"}', { kind: "title", custom: true, title: "upload-tests" } as const],
    ['{"type":"ai-title","aiTitle":"Fix flaky upload test","sessionId":"s"}', { kind: "title", custom: false, title: "Fix flaky upload test" } as const],
  ])("a title line: %s", (text, entry) => {
    expect(parseLine(bytes(text)).entry).toEqual(entry);
  });

  test("fields that only decorate a line never make it bad: an odd origin is not human, odd extras are absent", () => {
    const prompt = { ...user("hello"), origin: "peer", promptSource: 7 };
    expect(parseLine(bytes(JSON.stringify(prompt))).entry).toMatchObject({ kind: "user", origin: { kind: "unknown" }, promptSource: undefined });
    const usage = { input_tokens: 1, output_tokens: 2, cache_creation: null, inference_geo: null, speed: 5, iterations: [{ type: "message", input_tokens: "x" }] };
    const reply = { type: "assistant", uuid: "a", timestamp: "2026-01-01T00:00:00Z", message: { id: "m", content: [], stop_reason: 3, usage } };
    expect(parseLine(bytes(JSON.stringify(reply))).entry).toMatchObject({
      kind: "assistant",
      message: { stop_reason: undefined, usage: { input_tokens: 1, output_tokens: 2, cache_creation: null, inference_geo: null, speed: undefined, iterations: undefined } },
    });
  });

  const corpus = testCorpus();
  const root = join(corpus.root, "projects");
  test(`on ${corpus.label} every line reads exactly as the whole line parsed`, () => {
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith(".jsonl"));
    let cut = 0;
    let lines = 0;
    for (const f of files) {
      for (const text of readFileSync(join(root, f), "utf8").split("\n")) {
        if (text === "" || text.startsWith('{"type":"file-history-snapshot"')) continue;
        lines++;
        if (text.includes(',"toolUseResult":')) cut++;
        let reference: ReturnType<typeof toEntry> = null;
        try {
          reference = toEntry(JSON.parse(text));
        } catch {}
        expect(parseLine(bytes(text)).entry).toEqual(reference);
      }
    }
    expect(lines).toBeGreaterThan(corpus.shared ? 2000 : 500);
    expect(cut).toBeGreaterThan(corpus.shared ? 500 : 100);
  });
});

describe("gluedEntries: complete lines Claude Code appended to a half-written one", () => {
  const prompt = user("typed after the crash");
  const response = assistant("msg_glued", text("glued"));
  const snapshot = snapshotLine();
  const queued = queuedPrompt("lint it");
  const half = (line: object, cut: number) => JSON.stringify(line).slice(0, cut);
  const J = JSON.stringify;
  const found = (line: string): unknown[] => gluedEntries(bytes(line)).map((g) => [g.at, g.entry]);
  /** Just after the first `mark` in the line: where a half line cut there ends. */
  const afterFirst = (line: object, mark: string) => J(line).indexOf(mark) + mark.length;
  test.each([
    ["a prompt after a half response", half(response, 120) + J(prompt), [[120, whole(J(prompt))]]],
    ["a response after a half prompt cut inside a string", half(prompt, J(prompt).indexOf("crash")) + J(response), [[J(prompt).indexOf("crash"), whole(J(response))]]],
    ["two half lines, then a whole one", half(response, 90) + half(prompt, 60) + J(prompt), [[150, whole(J(prompt))]]],
    ["a whole line whose newline was lost, then another", J(prompt) + J(response), [[0, whole(J(prompt))], [J(prompt).length, whole(J(response))]]],
    // A cut right after `,` `:` or `[` makes the glued line look like a nested value (found by where the line's last object opens).
    ["a half line cut after a comma", half(prompt, afterFirst(prompt, ",")) + J(response), [[afterFirst(prompt, ","), whole(J(response))]]],
    ["a half line cut after a colon", half(prompt, afterFirst(prompt, ":")) + J(response), [[afterFirst(prompt, ":"), whole(J(response))]]],
    ["a half line cut after a bracket", half(response, afterFirst(response, "[")) + J(prompt), [[afterFirst(response, "["), whole(J(prompt))]]],
    ["two half lines, the second cut after a comma, then a whole one", half(response, 90) + half(prompt, afterFirst(prompt, ",")) + J(prompt), [[90 + afterFirst(prompt, ","), whole(J(prompt))]]],
    ["a half line cut after a whole nested object, then a whole line", half(response, afterFirst(response, "}")) + J(prompt), [[afterFirst(response, "}"), whole(J(prompt))]]],
    // A line cut short with nothing glued (not how Claude Code leaves one) ends in a content block, which is no line.
    ["a half line cut after a whole nested object, alone", half(response, afterFirst(response, "}")), []],
    ["a prompt after a half snapshot line", half(snapshot, 70) + J(prompt), [[70, whole(J(prompt))]]],
    ["a snapshot line after a half one", half(snapshot, 70) + J(snapshot), [[70, { kind: "other", type: "file-history-snapshot" }]]],
    ["a response after a half queue-operation line", half(queued, 60) + J(response), [[60, whole(J(response))]]],
    ["a half line alone", half(response, 200), []],
    ["not JSON at all", "{{{}}} {\"a\" garbage", []],
    ["a whole line after bytes Claude Code does not begin a line with (a BOM inside a file)", "\uFEFF" + J(prompt), []],
  ])("%s", (_, line, expected) => {
    expect(found(line as string)).toEqual(expected as unknown[]);
  });
});
