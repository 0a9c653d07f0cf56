import { describe, expect, test } from "bun:test";
import type { TranscriptFile } from "../src/discover/files.ts";
import { resumeFrom } from "../src/scan/scan.ts";
import type { FileRecord } from "../src/state/store.ts";

const file = (over: Partial<TranscriptFile> = {}): TranscriptFile => ({
  path: "/p/s.jsonl",
  folder: "/p",
  sessionId: "s",
  kind: "session",
  size: 1000,
  mtimeMs: 5,
  identity: "1:2",
  ...over,
});
const past = (over: Partial<FileRecord> = {}): FileRecord => ({
  id: 1,
  path: "/p/s.jsonl",
  sessionId: "s",
  identity: "1:2",
  size: 1000,
  mtimeMs: 5,
  offset: 990,
  fingerprint: "fp",
  ...over,
});
const start = { from: 0, fingerprint: null };

describe("where a file's next read starts", () => {
  test.each([
    ["a new file", file(), undefined, false, start],
    ["--full", file(), past(), true, start],
    ["unchanged since it was read to the end: not read (its unfinished last line waits)", file(), past(), false, undefined],
    ["appended: from where the last read stopped, if the bytes before are the same", file({ size: 1500, mtimeMs: 6 }), past(), false, { from: 990, fingerprint: "fp" }],
    ["a read stopped between two commits (size -1): resumed although the file did not change", file(), past({ size: -1, offset: 400 }), false, { from: 400, fingerprint: "fp" }],
    ["rewritten shorter: from the start", file({ size: 500, mtimeMs: 6 }), past(), false, start],
    ["another inode, same bytes before the offset (the fingerprint decides)", file({ identity: "1:3", size: 1500, mtimeMs: 6 }), past(), false, { from: 990, fingerprint: "fp" }],
    ["another inode, read by 0.2.0 (no fingerprint): from the start", file({ identity: "1:3", size: 1500, mtimeMs: 6 }), past({ fingerprint: null }), false, start],
  ] as const)("%s", (_name, f, p, full, expected) => {
    expect(resumeFrom(f, p, full)).toEqual(expected);
  });
});
