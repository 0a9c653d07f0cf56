import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileHolds, writtenForms } from "../src/transcript/find-bytes.ts";
import { scratchDir } from "./helpers/scratch.ts";

const MiB = 1 << 20;

function file(content: string): string {
  const path = join(scratchDir("ccs-find-"), "t.jsonl");
  writeFileSync(path, content);
  return path;
}

describe("fileHolds", () => {
  const needle = Buffer.from("Kp4-tR8#wQ2z!");
  // The needle straddles the first block's end (1 MiB read at a time).
  const at = MiB - 5;
  const path = file(`${"a".repeat(at)}Kp4-tR8#wQ2z!${"b".repeat(100)}\n`);

  test("finds a needle across two blocks, within the first `end` bytes only", () => {
    expect(fileHolds(path, at + needle.length, [needle])).toBe(true);
    expect(fileHolds(path, at + needle.length - 1, [needle])).toBe(false);
    expect(fileHolds(path, 0, [needle])).toBe(false);
  });

  test("any of several needles; none in the file, or a file that cannot be read, is no", () => {
    expect(fileHolds(path, at + 200, [Buffer.from("absent"), needle])).toBe(true);
    expect(fileHolds(path, at + 200, [Buffer.from("absent")])).toBe(false);
    expect(fileHolds(join(scratchDir("ccs-find-"), "gone.jsonl"), 100, [needle])).toBe(false);
  });
});

describe("writtenForms", () => {
  test("a value as a line holds it: bare, in a JSON string, in a JSON string inside one", () => {
    const line = JSON.stringify({ input: JSON.stringify({ command: 'echo "p\\w"' }) });
    const forms = writtenForms('"p\\w"').map(String);
    expect(forms).toEqual(['"p\\w"', '\\"p\\\\w\\"', '\\\\\\"p\\\\\\\\w\\\\\\"']);
    expect(forms.some((f) => line.includes(f))).toBe(true);
    expect(writtenForms("plain-value").map(String)).toEqual(["plain-value"]);
  });
});
