import { describe, expect, test } from "bun:test";
import type { TranscriptFile } from "../src/discover/files.ts";
import type { FileRow } from "../src/state/store.ts";
import { resumeOffset } from "../src/sync/scan-into-state.ts";

const file = (over: Partial<TranscriptFile> = {}): TranscriptFile => ({
  path: "/p/s.jsonl",
  sessionId: "s",
  kind: "session",
  size: 1000,
  mtimeMs: 5,
  identity: "1:2",
  ...over,
});
const row = (over: Partial<FileRow> = {}): FileRow => ({
  path: "/p/s.jsonl",
  session_id: "s",
  identity: "1:2",
  size: 1000,
  mtime_ms: 5,
  offset: 990,
  ...over,
});

describe("where a file's next read starts", () => {
  test("a new file, or --full: from the start", () => {
    expect(resumeOffset(file(), undefined, false)).toBe(0);
    expect(resumeOffset(file(), row(), true)).toBe(0);
  });
  test("unchanged since it was read to the end: not read (its unfinished last line waits)", () => {
    expect(resumeOffset(file(), row(), false)).toBeUndefined();
  });
  test("appended: from where the last read stopped", () => {
    expect(resumeOffset(file({ size: 1500, mtimeMs: 6 }), row(), false)).toBe(990);
  });
  test("a read stopped between two commits (size -1): resumed although the file did not change", () => {
    expect(resumeOffset(file(), row({ size: -1, offset: 400 }), false)).toBe(400);
  });
  test("replaced by another file or rewritten shorter: from the start", () => {
    expect(resumeOffset(file({ identity: "1:3" }), row(), false)).toBe(0);
    expect(resumeOffset(file({ size: 500, mtimeMs: 6 }), row(), false)).toBe(0);
  });
});
