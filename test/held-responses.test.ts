/**
 * A response still being written is not sent half (OpenSync appends the
 * text of every send to its search text): it goes once complete (its stop
 * reason, a later line of its thread), or once its file has been quiet for a
 * while (an older Claude Code that writes no stop reason, a crash).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, utimesSync } from "node:fs";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { SESSION, assistant, jsonl, resetClock, snapshotLine, tempClaudeDir, text, user } from "./helpers/transcript.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** A live session: its lines written just now. */
function setup() {
  resetClock(Date.now() - 10_000);
  const claude = tempClaudeDir();
  const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
  const status = async () => {
    const r = await runCli(["status", "--json"], { env });
    expect(r.code).toBe(0); // being written is no pending work
    return (JSON.parse(r.stdout) as { beingWritten: number }).beingWritten;
  };
  const statusCounts = async () => {
    const r = await runCli(["status", "--json"], { env });
    const { unread, beingWritten } = JSON.parse(r.stdout) as { unread: number; beingWritten: number };
    return { unread, beingWritten };
  };
  return { claude, env, status, statusCounts, sync: async () => JSON.parse((await runCli(["sync", "--json"], { env })).stdout) as { messagesSent: number; beingWritten: number } };
}

const texts = () => server.session(SESSION)?.messages.map((m) => m.textContent) ?? [];

test("a response being streamed waits for its stop reason, then goes once, whole", async () => {
  server.reset();
  const { claude, sync, status } = setup();
  const file = claude.write(`p/${SESSION}.jsonl`, jsonl([user("Write the changelog"), assistant("msg_1", text("## 0.3.0"), { stopReason: null })]));
  expect((await sync()).beingWritten).toBe(1);
  // status says it as the sync did
  expect(await status()).toBe(1);
  expect(texts()).toEqual(["Write the changelog"]);
  appendFileSync(file, jsonl([assistant("msg_1", text("## 0.3.0\n- One engine for every command."))]));
  expect((await sync()).beingWritten).toBe(0);
  expect(await status()).toBe(0);
  expect(texts()).toEqual(["Write the changelog", "## 0.3.0\n- One engine for every command."]);
  expect(server.counts()["POST /sync/message"]).toBe(2);
});

test("a response without a stop reason goes once its file is quiet, with no new line needed", async () => {
  server.reset();
  const { claude, sync, statusCounts } = setup();
  const file = claude.write(`p/${SESSION}.jsonl`, jsonl([user("Explain the lock"), assistant("msg_1", text("It is a token lock."), { stopReason: null })]));
  await sync();
  expect(texts()).toEqual(["Explain the lock"]);
  expect(await statusCounts()).toEqual({ unread: 0, beingWritten: 1 });
  // Two minutes without a write: the turn is over.
  const past = new Date(Date.now() - 120_000);
  utimesSync(file, past, past);
  // status names it once: the next sync reads and sends it, nothing is being written any more
  expect(await statusCounts()).toEqual({ unread: 1, beingWritten: 0 });
  expect((await sync()).messagesSent).toBe(1);
  expect(texts()).toEqual(["Explain the lock", "It is a token lock."]);
  expect((await sync()).messagesSent).toBe(0);
});

test("copied transcripts (new files, lines written long ago): a response without a stop reason goes at once, nothing is said to be written (found by an exploratory user)", async () => {
  server.reset();
  const { claude, sync, statusCounts } = setup();
  resetClock(Date.now() - 3 * 3600_000);
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("Explain the lock"), assistant("msg_1", text("It is a token lock."), { stopReason: null })]));
  expect(await sync()).toMatchObject({ messagesSent: 2, beingWritten: 0 });
  expect(texts()).toEqual(["Explain the lock", "It is a token lock."]);
  expect(await statusCounts()).toEqual({ unread: 0, beingWritten: 0 });
});

// Held, it was said to be written for its first minute, then to be read again (a held session's files gone quiet).
test("a transcript of file-history-snapshot lines only (written before the first prompt): nothing to send, so nothing being written or left to read", async () => {
  server.reset();
  const { claude, sync, statusCounts } = setup();
  const file = claude.write(`p/${SESSION}.jsonl`, jsonl([snapshotLine("m1"), snapshotLine("m2")]));
  expect(await sync()).toMatchObject({ messagesSent: 0, beingWritten: 0 });
  expect(await statusCounts()).toEqual({ unread: 0, beingWritten: 0 });
  expect(server.session(SESSION)).toBeUndefined();
  // The first prompt and its answer: sent as any session's.
  appendFileSync(file, jsonl([user("Rename the flag"), assistant("msg_1", text("Renamed."))]));
  expect(await sync()).toMatchObject({ messagesSent: 2, beingWritten: 0 });
  expect(texts()).toEqual(["Rename the flag", "Renamed."]);
});
