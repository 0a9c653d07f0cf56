import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { generateCorpus, parseSize } from "../bench/generate.ts";
import { scratchDir } from "./helpers/scratch.ts";

const TARGET = 4_000_000;
const SEED = 7;

interface Line {
  type?: string;
  sessionId?: string;
  agentId?: string;
  isSidechain?: boolean;
  isMeta?: boolean;
  isApiErrorMessage?: boolean;
  requestId?: string;
  message?: { id?: string; model?: string; content?: unknown; usage?: Record<string, unknown> };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

/** One hash over every file's relative path and bytes. */
function corpusHash(dir: string): string {
  const hash = createHash("sha256");
  for (const file of listFiles(dir)) hash.update(relative(dir, file)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

let root: string;
let corpus: string;
let files: string[];
/** Relative path -> parsed lines. */
const parsed = new Map<string, Line[]>();

beforeAll(() => {
  root = scratchDir("bench-generate-");
  corpus = join(root, "a");
  generateCorpus({ out: corpus, bytes: TARGET, seed: SEED });
  files = listFiles(join(corpus, "projects")).filter((f) => f.endsWith(".jsonl"));
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const lines = text === "" ? [] : text.slice(0, -1).split("\n");
    parsed.set(relative(corpus, file), lines.map((l) => JSON.parse(l) as Line));
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const all = () => [...parsed.values()].flat();
const mainFile = /^projects\/[^/]+\/[0-9a-f-]{36}\.jsonl$/;

describe("generated corpus", () => {
  test("every non-empty file ends with a newline and every line is a JSON object with a type", () => {
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      if (text !== "") expect(text.endsWith("\n")).toBe(true);
    }
    for (const line of all()) expect(typeof line.type).toBe("string");
    expect(all().length).toBeGreaterThan(500);
  });

  test("total size is close to the target, with a heavy tail of file sizes", () => {
    const sizes = files.map((f) => statSync(f).size).sort((a, b) => a - b);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(TARGET * 0.9);
    expect(total).toBeLessThan(TARGET * 1.1);
    expect(sizes.length).toBeGreaterThan(10);
    expect(sizes[0]).toBe(0); // an empty file
    const median = sizes[sizes.length >> 1] as number;
    expect(sizes[sizes.length - 1] as number).toBeGreaterThan(10 * median);
  });

  test("all three subagent layouts are present and point at their parent session", () => {
    const rel = [...parsed.keys()];
    const inline = rel.filter((r) => mainFile.test(r) && parsed.get(r)?.some((l) => l.isSidechain === true && l.agentId === undefined));
    expect(inline.length).toBeGreaterThan(0);

    const flat = rel.filter((r) => /^projects\/[^/]+\/agent-[0-9a-f]{8}\.jsonl$/.test(r));
    const nested = rel.filter((r) => /^projects\/[^/]+\/[0-9a-f-]{36}\/subagents\/agent-a[0-9a-f]{6}\.jsonl$/.test(r));
    expect(flat.length).toBeGreaterThan(0);
    expect(nested.length).toBeGreaterThan(0);
    for (const r of [...flat, ...nested]) {
      const lines = parsed.get(r) as Line[];
      const agentId = /agent-([0-9a-f]+)\.jsonl$/.exec(r)?.[1];
      const sessionId = lines[0]?.sessionId;
      expect(lines.every((l) => l.isSidechain === true && l.agentId === agentId && l.sessionId === sessionId)).toBe(true);
      const dir = r.slice(0, r.indexOf("/", "projects/".length));
      expect(parsed.has(`${dir}/${sessionId}.jsonl`)).toBe(true);
    }
    for (const r of nested) expect(r).toContain(`/${parsed.get(r)?.[0]?.sessionId}/subagents/`);
  });

  test("responses span several lines that repeat the same usage, and some have a partial streaming copy", () => {
    const byResponse = new Map<string, string[]>();
    for (const l of all()) {
      if (l.type !== "assistant" || !l.requestId || !l.message?.id) continue;
      const key = `${l.message.id}/${l.requestId}`;
      byResponse.set(key, [...(byResponse.get(key) ?? []), JSON.stringify(l.message.usage)]);
    }
    const groups = [...byResponse.values()];
    expect(groups.filter((g) => g.length > 1 && new Set(g).size === 1).length).toBeGreaterThan(50);
    expect(groups.filter((g) => new Set(g).size > 1).length).toBeGreaterThan(0);
  });

  test("a resumed session copies earlier responses into a new file of the same project", () => {
    const owner = new Map<string, string>();
    let copies = 0;
    for (const [r, lines] of parsed) {
      if (!mainFile.test(r)) continue;
      for (const key of new Set(lines.filter((l) => l.type === "assistant" && l.requestId).map((l) => `${l.message?.id}/${l.requestId}`))) {
        const first = owner.get(key);
        if (first === undefined) owner.set(key, r);
        else if (first !== r) copies++;
      }
    }
    expect(copies).toBeGreaterThan(0);
  });

  test("has the line kinds and models of real Claude Code 1.x and 2.x histories", () => {
    const lines = all();
    const types = new Set(lines.map((l) => l.type));
    for (const t of ["user", "assistant", "system", "summary", "file-history-snapshot", "progress", "queue-operation"]) {
      expect(types).toContain(t);
    }
    const blocks = new Set(
      lines.flatMap((l) => (Array.isArray(l.message?.content) ? (l.message.content as { type: string }[]).map((b) => b.type) : [])),
    );
    for (const b of ["text", "thinking", "tool_use", "tool_result"]) expect(blocks).toContain(b);
    expect(lines.some((l) => l.isMeta === true)).toBe(true);
    expect(lines.some((l) => typeof l.message?.content === "string" && l.message.content.startsWith("<command-name>"))).toBe(true);
    expect(lines.some((l) => l.isApiErrorMessage === true)).toBe(true);
    const models = new Set(lines.map((l) => l.message?.model).filter(Boolean));
    for (const m of ["claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001", "claude-sonnet-4-20250514", "<synthetic>"]) {
      expect(models).toContain(m);
    }
  });

  test("the same seed gives the same bytes; another seed does not", () => {
    const again = join(root, "b");
    const other = join(root, "c");
    generateCorpus({ out: again, bytes: TARGET, seed: SEED });
    generateCorpus({ out: other, bytes: TARGET, seed: SEED + 1 });
    expect(corpusHash(again)).toBe(corpusHash(corpus));
    expect(corpusHash(other)).not.toBe(corpusHash(corpus));
  });

  test("refuses to write over an existing corpus", () => {
    expect(() => generateCorpus({ out: corpus, bytes: TARGET, seed: SEED })).toThrow(/already exists/);
  });
});

describe("single transcript", () => {
  test("writes one session file of about the requested size", () => {
    const out = join(root, "single");
    const r = generateCorpus({ out, bytes: 3_000_000, seed: 3, single: true });
    const written = listFiles(out);
    expect(written.length).toBe(1);
    expect(r.files).toBe(1);
    const size = statSync(written[0] as string).size;
    expect(size).toBe(r.bytes);
    expect(size).toBeGreaterThan(3_000_000);
    expect(size).toBeLessThan(3_300_000);
  });
});

describe("parseSize", () => {
  test("reads decimal and binary units", () => {
    expect(parseSize("100MB")).toBe(100_000_000);
    expect(parseSize("1GiB")).toBe(2 ** 30);
    expect(parseSize("600 mb")).toBe(600_000_000);
    expect(parseSize("1.5KiB")).toBe(1536);
    expect(parseSize("42")).toBe(42);
  });

  test("rejects what it cannot read", () => {
    expect(() => parseSize("lots")).toThrow(/Cannot read size/);
    expect(() => parseSize("5 parsecs")).toThrow(/Cannot read size/);
  });
});
