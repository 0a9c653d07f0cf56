/**
 * Transcript lines for the reader and fold fuzz test (test/hardening-fuzz.test.ts):
 * every line says whether it must be counted as a bad line, so the test can
 * compare the reader's count with the number of lines made bad on purpose.
 */
import { seededRandom } from "./canaries.ts";
import { assistant, text, toolResult, toolUse, user } from "./transcript.ts";

export interface FuzzLine {
  /** The line without its line ending. */
  bytes: Uint8Array;
  bad: boolean;
}

const encoder = new TextEncoder();
const good = (line: unknown): FuzzLine => ({ bytes: encoder.encode(typeof line === "string" ? line : JSON.stringify(line)), bad: false });
const bad = (line: string | Uint8Array): FuzzLine => ({ bytes: typeof line === "string" ? encoder.encode(line) : line, bad: true });

type Json = Record<string, unknown>;

/** Sets `path` (dot-separated) in a deep copy of `line`, creating objects on the way. */
function withField(line: Json, path: string, value: unknown): Json {
  const copy = structuredClone(line);
  const keys = path.split(".");
  let at: Json = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof at[key] !== "object" || at[key] === null) at[key] = {};
    at = at[key] as Json;
  }
  at[keys.at(-1) as string] = value;
  return copy;
}

/** Values of the wrong type for each kind of field the transcript schemas read (src/transcript/schema.ts). */
const WRONG: Record<string, unknown[]> = {
  type: [null, 42, true, [], {}],
  string: [null, 42, true, [], {}],
  id: [null, 42, true, [], {}, ""],
  message: [null, 42, "text", [], true, {}],
  content: [null, 42, true, {}],
  /** An object the API (or a gateway) may also write as null: usage, usage.cache_creation. */
  nullableObject: [42, "x", [], true],
  /** A token count: the API may also write null (read as 0), so null is no wrong value here. */
  count: ["10", -1, -0.5, true, [], {}],
  /** A response's uuid and content: null is read as absent (READ_AS_ABSENT), the response counted for its usage. */
  responseUuid: [42, true, [], {}, ""],
  responseContent: [42, true, {}],
};

/**
 * Values read as if the field were absent, for kinds of field that only name or place a line
 * (src/transcript/schema.ts `lenient`): the line is good, and nothing else of it is lost.
 */
const READ_AS_ABSENT: Record<string, unknown[]> = {
  lenient: [null, 42, true, [], {}],
  /** A line's time only places it: one that is no date is read as absent (the fold shows the line after the one before). */
  timestamp: [null, 42, true, [], {}, "not a date", ""],
  nullableObject: [null],
  responseUuid: [null],
  responseContent: [null],
};

function templates(): Array<{ line: Json; fields: Record<string, keyof typeof WRONG> }> {
  const conversation = { type: "type", uuid: "id", timestamp: "timestamp", cwd: "lenient", isSidechain: "lenient", agentId: "lenient" } as const;
  const userLine = { ...user("a template prompt"), isMeta: false, agentId: "main" };
  const assistantLine = assistant("msg_template", text("a template answer"), { usage: { input: 5, output: 7 } });
  const message = assistantLine.message as Json;
  message.usage = { ...(message.usage as Json), cache_creation: { ephemeral_5m_input_tokens: 1, ephemeral_1h_input_tokens: 0 }, speed: "standard" };
  const usage = "message.usage";
  return [
    { line: userLine, fields: { ...conversation, isMeta: "lenient", message: "message", "message.content": "content" } },
    {
      line: { ...assistantLine, agentId: "main" },
      fields: {
        ...conversation,
        uuid: "responseUuid",
        requestId: "lenient",
        message: "message",
        "message.id": "lenient",
        "message.model": "lenient",
        "message.content": "responseContent",
        [usage]: "nullableObject",
        [`${usage}.input_tokens`]: "count",
        [`${usage}.output_tokens`]: "count",
        [`${usage}.cache_creation_input_tokens`]: "count",
        [`${usage}.cache_read_input_tokens`]: "count",
        [`${usage}.cache_creation`]: "nullableObject",
        [`${usage}.cache_creation.ephemeral_5m_input_tokens`]: "count",
        [`${usage}.cache_creation.ephemeral_1h_input_tokens`]: "count",
        // usage.speed, like the other pricing extras and a line's origin, falls back to absent when odd:
        // never a bad line (test/parse-line.test.ts).
      },
    },
    { line: { type: "summary", summary: "A template summary", leafUuid: "u-x" }, fields: { type: "type", summary: "string" } },
    {
      line: { type: "system", subtype: "x", timestamp: "2025-10-01T10:00:00.000Z", cwd: "/tmp" },
      fields: { type: "type", timestamp: "timestamp", cwd: "lenient" },
    },
  ];
}

/** Each template once as it is (valid), then with each field it declares replaced by each value of a wrong type. */
export function wrongTypeLines(): FuzzLine[] {
  const out: FuzzLine[] = [];
  for (const { line, fields } of templates()) {
    out.push(good(line));
    for (const [path, kind] of Object.entries(fields)) {
      for (const value of WRONG[kind] ?? []) out.push(bad(JSON.stringify(withField(line, path, value))));
      for (const value of READ_AS_ABSENT[kind] ?? []) out.push(good(withField(line, path, value)));
    }
  }
  return out;
}

/**
 * Content blocks with wrong types inside their fields: the line is valid (a block's fields are checked where
 * they are read), so nothing is counted. A block whose `type` is not a string makes the line bad.
 */
export function oddBlockLines(): FuzzLine[] {
  const odd = [null, 42, true, "", "s", [], {}, [1, [2, { $ref: "#/x" }]], { $schema: 1, "": 2, "a\u0000b": 3 }];
  const out: FuzzLine[] = [];
  for (const v of odd) {
    out.push(good(assistant(`msg_odd_${out.length}`, { type: "text", text: v })));
    out.push(good(assistant(`msg_odd_${out.length}`, { type: "thinking", thinking: v, signature: v })));
    out.push(good(assistant(`msg_odd_${out.length}`, { type: "tool_use", id: v, name: v, input: v })));
    out.push(good(assistant(`msg_odd_${out.length}`, toolUse("toolu_odd", "Bash", v))));
    out.push(good(user([{ type: "tool_result", tool_use_id: v, content: v, is_error: v }])));
    out.push(good(user([{ type: "image", source: v }, { type: "text", text: "with an image" }])));
    const oddType = user([{ type: v, text: "block with an odd type" }, { type: "text", text: "kept" }]);
    out.push(typeof v === "string" ? good(oddType) : bad(JSON.stringify(oddType)));
  }
  return out;
}

/** Lines of random bytes (no newline, no carriage return: a line of only `\r` is an empty line, not a bad one). */
export function randomByteLines(seed: number, count: number): FuzzLine[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const bytes = new Uint8Array(1 + Math.floor(random() * 300));
    for (let i = 0; i < bytes.length; i++) {
      let b = Math.floor(random() * 256);
      while (b === 0x0a || b === 0x0d) b = Math.floor(random() * 256);
      bytes[i] = b;
    }
    return bad(bytes);
  });
}

/** Valid lines cut short at a random byte (sometimes inside a multi-byte character). */
export function truncatedLines(seed: number, count: number): FuzzLine[] {
  const random = seededRandom(seed);
  const sources = [
    user("Ünïcödé prompt with emoji 🎉 and 日本語"),
    assistant("msg_cut", toolUse("toolu_cut", "Edit", { file_path: "/x.ts", old_string: "a", new_string: "b ✓" })),
    toolResult("toolu_cut", "output line\n".repeat(20)),
    { type: "summary", summary: "summary 🎉" },
  ].map((l) => encoder.encode(JSON.stringify(l)));
  return Array.from({ length: count }, (_, i) => {
    const source = sources[i % sources.length] as Uint8Array;
    return bad(source.subarray(0, 1 + Math.floor(random() * (source.length - 1))));
  });
}

const DEEP = 100_000;

/** Nesting far past any stack: bare, unterminated, and inside a valid line's content (where the fold would recurse into it). */
export function deepLines(): FuzzLine[] {
  const arrays = "[".repeat(DEEP) + "]".repeat(DEEP);
  const objects = '{"a":'.repeat(DEEP) + "1" + "}".repeat(DEEP);
  const inContent = (deep: string, marker: string, line: unknown) => JSON.stringify(line).replace(`"${marker}"`, deep);
  return [
    bad(arrays),
    bad("[".repeat(DEEP)),
    bad(objects),
    bad(inContent(arrays, "DEEP", toolResult("toolu_deep", "DEEP"))),
    bad(inContent(objects, "DEEP", assistant("msg_deep", toolUse("toolu_deep2", "Bash", "DEEP")))),
    bad(inContent(arrays, "DEEP", user([{ type: "text", text: "x", extra: "DEEP" }]))),
    // Deep, but not absurdly: kept, and cut to the server's nesting limit when sent.
    good(inContent('{"a":'.repeat(200) + "1" + "}".repeat(200), "DEEP", assistant("msg_deep3", toolUse("toolu_deep3", "Bash", "DEEP")))),
  ];
}

/** Bytes that are not UTF-8, inside otherwise valid lines: read with U+FFFD for them, as ccusage reads them (not bad). */
export function invalidUtf8Lines(): FuzzLine[] {
  const sequences = [[0xff], [0xfe, 0xfe], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]];
  return sequences.map((seq) => {
    const [head, tail] = JSON.stringify(user("before MARK after")).split("MARK") as [string, string];
    return { bytes: new Uint8Array([...encoder.encode(head), ...seq, ...encoder.encode(tail)]), bad: false };
  });
}

/** One line of about `bytes`: a prompt (valid, cut when sent) or the same with its JSON broken at the end. */
export function hugeLine(bytes: number, valid: boolean): FuzzLine {
  const line = JSON.stringify(user(`huge ${"lorem ipsum dolor sit amet ".repeat(Math.ceil(bytes / 27))}`));
  return valid ? good(line) : bad(`${line.slice(0, -2)}`);
}

/** A byte-order mark at the start of a line: tolerated at the start of the file only. */
export function bomLine(atFileStart: boolean): FuzzLine {
  const line = JSON.stringify(user(atFileStart ? "file starts with a BOM" : "a BOM in the middle"));
  return { bytes: encoder.encode(`\uFEFF${line}`), bad: !atFileStart };
}

/** A valid prompt between fuzz lines, so what surrounds a bad line is checked to survive it. */
export const anchor = (n: number): FuzzLine => good(user(`anchor ${n}`));

/** The file's bytes: lines joined with `eol`, plus a final line ending. */
export function fileBytes(lines: FuzzLine[], eol = "\n"): Uint8Array {
  const end = encoder.encode(eol);
  const size = lines.reduce((n, l) => n + l.bytes.length + end.length, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const l of lines) {
    out.set(l.bytes, at);
    at += l.bytes.length;
    out.set(end, at);
    at += end.length;
  }
  return out;
}
