/**
 * Issue 12, item 10: a line longer than the cap (a transcript with no newline
 * at all, a corrupt file) is skipped and counted, never held in memory; the
 * lines around it are read as usual. Unit tests with a small cap, then one
 * sync of a transcript holding a line over the real cap (64 MiB).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { appendFileSync, openSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import { startTestServer } from "../testserver/server.ts";
import { readLines } from "../src/transcript/read-lines.ts";
import { runCli } from "./helpers/cli.ts";
import { removeTempDirs, syncEnv, tempDir } from "./helpers/hardening.ts";
import { assistant, jsonl, snapshotLine, tempClaudeDir, text, user } from "./helpers/transcript.ts";

afterAll(removeTempDirs);

const MiB = 1024 * 1024;
/** The longest line a sync reads (src/transcript/read-lines.ts). */
const MAX_LINE_BYTES = 64 * MiB;
/** The cap in the unit tests: above the 1 MiB read buffer, which is never shrunk below it. */
const CAP = 2 * MiB;

/** A file of `parts`: strings as they are, numbers as that many bytes of "x" (written in pieces, never built whole). */
function file(...parts: Array<string | number>): string {
  const path = join(tempDir("ccs-lines-"), "t.jsonl");
  const fd = openSync(path, "w");
  const filler = Buffer.alloc(MiB, "x");
  for (const part of parts) {
    if (typeof part === "string") writeSync(fd, part);
    else for (let left = part; left > 0; left -= MiB) writeSync(fd, filler, 0, Math.min(MiB, left));
  }
  closeSync(fd);
  return path;
}

function read(path: string, from = 0) {
  const lines: Array<[string, number, number]> = [];
  const tooLong: Array<[number, number]> = [];
  let longest = 0;
  const result = readLines(
    path,
    from,
    {
      line(bytes, start, end) {
        longest = Math.max(longest, bytes.length);
        lines.push([bytes.toString(), start, end]);
      },
      tooLong: (start, end) => tooLong.push([start, end]),
    },
    Number.POSITIVE_INFINITY,
    CAP,
  );
  return { lines, tooLong, longest, result };
}

describe("a line over the cap", () => {
  test("between two lines: skipped and reported with its range; the lines around it are read", () => {
    const big = 5 * MiB;
    const path = file('{"a":1}\n', big, '\n{"b":2}\n');
    const { lines, tooLong, longest, result } = read(path);
    expect(lines).toEqual([
      ['{"a":1}', 0, 8],
      ['{"b":2}', 8 + big + 1, 8 + big + 9],
    ]);
    expect(tooLong).toEqual([[8, 8 + big + 1]]);
    expect(longest).toBeLessThanOrEqual(CAP);
    expect(result).toMatchObject({ offset: 8 + big + 9, eof: true });
  });

  test("at the end, without a newline: reported, not consumed (it may still be being written); skipped once its newline comes", () => {
    const big = 5 * MiB;
    const path = file('{"a":1}\n', big);
    const first = read(path);
    expect(first.lines).toEqual([['{"a":1}', 0, 8]]);
    expect(first.tooLong).toEqual([[8, 8 + big]]);
    expect(first.result).toMatchObject({ offset: 8, eof: true });

    appendFileSync(path, '\n{"c":3}\n');
    const next = read(path, first.result.offset);
    expect(next.tooLong).toEqual([[8, 8 + big + 1]]);
    expect(next.lines).toEqual([['{"c":3}', 8 + big + 1, 8 + big + 9]]);
    expect(next.result).toMatchObject({ offset: 8 + big + 9, eof: true });
  });

  test("a file that is one line with no newline at all (the 2 GB case, smaller): nothing read, nothing kept", () => {
    const big = 12 * MiB;
    const { lines, tooLong, result } = read(file(big));
    expect(lines).toEqual([]);
    expect(tooLong).toEqual([[0, big]]);
    expect(result).toMatchObject({ offset: 0, eof: true });
  });

  test("its last bytes (half the cap at least) are given with its range: a line glued to its end after a crash is there", () => {
    const big = 5 * MiB;
    const path = file('{"a":1}\n{"type":"file-history-snapshot","snapshot":{"x":"', big, '{"type":"user","n":1}\r\n{"b":2}\n');
    const tails: Array<{ end: number; at: number; length: number; last: string }> = [];
    readLines(path, 0, { line() {}, tooLong: (_start, end, tail) => tail && tails.push({ end, at: tail.at, length: tail.bytes.length, last: tail.bytes.subarray(-21).toString() }) }, Number.POSITIVE_INFINITY, CAP);
    expect(tails).toHaveLength(1);
    const [tail] = tails as [(typeof tails)[0]];
    expect(tail.last).toBe('{"type":"user","n":1}');
    // Without the line's \r\n, and where the file holds it.
    expect(tail.at + tail.length).toBe(tail.end - 2);
    expect(tail.length).toBeGreaterThanOrEqual(CAP / 2);
    expect(tail.length).toBeLessThanOrEqual(CAP);
  });

  test("a line that just fits (with its newline, as long as the cap) is still read", () => {
    const line = `{"p":"${"y".repeat(CAP - 9)}"}`;
    expect(line.length).toBe(CAP - 1);
    const { lines, tooLong } = read(file(`${line}\n{"z":1}\n`));
    expect(tooLong).toEqual([]);
    expect(lines.map(([bytes, start, end]) => [bytes.length, start, end])).toEqual([
      [CAP - 1, 0, CAP],
      [7, CAP, CAP + 8],
    ]);
  });
});

test("sync and the dry run: a transcript line over 64 MiB is skipped and said, and the session's other messages are sent", async () => {
  const server = await startTestServer();
  try {
    const claude = tempClaudeDir();
    const id = "aaaaaaaa-1111-4111-8111-111111111111";
    const path = claude.write(`p/${id}.jsonl`, jsonl([user("before the huge line", { sessionId: id })]));
    // A user line whose text alone is over the cap.
    appendFileSync(path, `{"type":"user","sessionId":"${id}","message":{"role":"user","content":"`);
    const filler = Buffer.alloc(MiB, "z");
    for (let i = 0; i <= MAX_LINE_BYTES / MiB; i++) appendFileSync(path, filler);
    appendFileSync(path, `"}}\n${jsonl([assistant("msg_after", text("after the huge line"), { sessionId: id })])}`);

    const env = syncEnv(server, claude.root);
    // The dry run says it as a sync does: its figures leave that line out.
    const dry = await runCli(["sync", "--dry-run", "--json"], { env, timeoutMs: 120_000 });
    expect(JSON.parse(dry.stdout).skipped).toMatchObject({ longLines: 1, badLines: 0 });
    expect((await runCli(["sync", "--dry-run"], { env, timeoutMs: 120_000 })).stdout).toContain("Skipped 1 line longer than claude-code-sync reads (64 MiB).");
    const r = await runCli(["sync", "--json"], { env, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).skipped).toMatchObject({ longLines: 1, badLines: 0 });
    expect(server.session(id)?.messages.map((m) => m.textContent)).toEqual(["before the huge line", "after the huge line"]);
    const again = await runCli(["sync", "--full"], { env, timeoutMs: 120_000 });
    expect(again.stdout).toContain("Skipped 1 line longer than claude-code-sync reads (64 MiB).");
    expect(server.violations()).toEqual([]);
  } finally {
    await server.stop();
  }
}, 120_000);

test("the dry run: a line glued after a crash to a half snapshot line over 64 MiB is read (its response counted, its message shown)", async () => {
  const claude = tempClaudeDir();
  const id = "bbbbbbbb-2222-4222-8222-222222222222";
  const path = claude.write(`p/${id}.jsonl`, jsonl([user("before the half snapshot", { sessionId: id })]));
  // The snapshot line Claude Code was writing when it was killed: cut inside a file's backup, no newline.
  const whole = JSON.stringify(snapshotLine());
  appendFileSync(path, `${whole.slice(0, whole.indexOf('"backupFileName":'))}"backupFileName":"`);
  const filler = Buffer.alloc(MiB, "z");
  for (let i = 0; i <= MAX_LINE_BYTES / MiB; i++) appendFileSync(path, filler);
  // Started again, it appends its next line to the half one, then goes on.
  appendFileSync(path, jsonl([assistant("msg_glued", text("glued to the half snapshot"), { sessionId: id }), user("after it", { sessionId: id })]));

  const dry = await runCli(["sync", "--dry-run", "--json"], { env: { HOME: tempDir("ccs-home-"), CLAUDE_CONFIG_DIR: claude.root }, timeoutMs: 120_000 });
  const out = JSON.parse(dry.stdout);
  expect(out.skipped).toMatchObject({ longLines: 1, badLines: 0 });
  // helpers/transcript.ts's usage: 10 in, 50 out, 100 cache writes, 1,000 reads.
  expect(out.sessions.map((s: { usage: unknown; messageCount: number }) => [s.usage, s.messageCount])).toEqual([
    [{ inputTokens: 10, outputTokens: 50, cacheCreationTokens: 100, cacheReadTokens: 1000 }, 3],
  ]);
}, 120_000);
