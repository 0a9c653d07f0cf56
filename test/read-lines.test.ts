import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readLines } from "../src/transcript/read-lines.ts";
import { scratchDir } from "./helpers/scratch.ts";

function file(content: string | Uint8Array): string {
  const path = join(scratchDir("ccs-read-"), "t.jsonl");
  writeFileSync(path, content);
  return path;
}

function collect(path: string, from = 0) {
  const lines: Array<[string, number, number]> = [];
  const result = readLines(path, from, { line: (bytes, s, e) => lines.push([bytes.toString("latin1"), s, e]) });
  return { lines, result };
}

describe("readLines", () => {
  test("yields complete lines with byte ranges and stops before an unfinished last line", () => {
    const path = file('{"a":1}\n{"b":"é"}\n{"c":');
    const { lines, result } = collect(path);
    expect(lines).toEqual([
      ['{"a":1}', 0, 8],
      [Buffer.from('{"b":"é"}').toString("latin1"), 8, 19],
    ]);
    expect(result.offset).toBe(19);
  });

  test("a read started by a line's handler (a fork's parent looked up) leaves the outer read's lines whole", () => {
    const outer = file('{"a":1}\n{"b":2}\n{"c":3}\n');
    const inner = file('{"x":"overwritten"}\n');
    const lines: string[] = [];
    readLines(outer, 0, {
      line(bytes) {
        lines.push(bytes.toString("latin1"));
        if (lines.length === 1) expect(collect(inner).lines.map((l) => l[0])).toEqual(['{"x":"overwritten"}']);
      },
    });
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  test("resumes from an offset and reads only what was appended", () => {
    const path = file('{"a":1}\n{"b":2}\n');
    expect(collect(path, 8).lines).toEqual([['{"b":2}', 8, 16]]);
    expect(collect(path, 16).lines).toEqual([]);
    expect(collect(path, 16).result.offset).toBe(16);
  });

  test("strips CRLF and a BOM, skips blank lines", () => {
    const path = file('\uFEFF{"a":1}\r\n\n\r\n{"b":2}\r\n');
    expect(collect(path).lines.map((l) => l[0])).toEqual(['{"a":1}', '{"b":2}']);
  });

  test("yields lines as bytes, invalid UTF-8 included (the parser judges them)", () => {
    const bytes = new Uint8Array([...Buffer.from('{"a":1}\n'), 0x7b, 0xff, 0xfe, 0x7d, 0x0a, ...Buffer.from('{"b":2}\n')]);
    const { lines } = collect(file(bytes));
    expect(lines).toEqual([
      ['{"a":1}', 0, 8],
      ["{\xff\xfe}", 8, 13],
      ['{"b":2}', 13, 21],
    ]);
  });

  test("handles a line longer than the read buffer", () => {
    const long = `{"x":"${"y".repeat(3 * 1024 * 1024)}"}`;
    const path = file(`${long}\n{"z":1}\n`);
    const { lines } = collect(path);
    expect(lines.length).toBe(2);
    expect(lines[0]?.[0].length).toBe(long.length);
    expect(lines[1]).toEqual(['{"z":1}', long.length + 1, long.length + 9]);
  });
});
