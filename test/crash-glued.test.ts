/**
 * Claude Code killed mid-write leaves a half line, and its next write appends a whole line to it: one line
 * `<half><whole>` in the file. The whole line is read (src/transcript/glued.ts) and the half one counted as bad,
 * whatever the half line is and wherever it was cut: through the dry run, a sync, a sync again, and syncs
 * run between the crash and the lines written after it. ccusage parses whole lines only and loses every glued
 * line here (a billed response, a typed prompt; test/recent-ccusage.test.ts, cases 25 to 27): the figures are
 * worked by hand, each response's usage counted once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { assistant, queuedPrompt, resetClock, snapshotLine, tempClaudeDir, text, user } from "./helpers/transcript.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const J = JSON.stringify;
/** The line cut just after the first `mark` in it. */
const cutAfter = (line: object, mark: string) => J(line).slice(0, J(line).indexOf(mark) + mark.length);

const sessionId = (n: number) => `22222222-2222-4222-8222-${String(n).padStart(12, "0")}`;

/** Per shape: the half line Claude Code left, and whether the line glued to it is the prompt (else a response). */
const SHAPES: Array<[string, (s: string) => string, "prompt" | "response"]> = [
  ["a half snapshot line", () => J(snapshotLine()).slice(0, 70), "response"],
  ["a half snapshot line, a prompt glued", () => J(snapshotLine()).slice(0, 70), "prompt"],
  ["a half queue-operation line", (s) => J(queuedPrompt("Also lint", s)).slice(0, 60), "prompt"],
  ["a half response cut after a comma", (s) => cutAfter(assistant("msg_lost", text("Lost."), { sessionId: s }), ","), "response"],
  ["a half response cut after a colon", (s) => cutAfter(assistant("msg_lost", text("Lost."), { sessionId: s }), '"message":'), "response"],
  ["a half response cut after a bracket", (s) => cutAfter(assistant("msg_lost", text("Lost."), { sessionId: s }), '"content":['), "response"],
];

/**
 * Each shape's session: a prompt, the half line (no newline: Claude Code was killed), then what Claude Code
 * writes after it is started again: the glued line and a response. Split there, as a sync can find the file.
 */
function history() {
  resetClock();
  const claude = tempClaudeDir();
  const sessions = SHAPES.map(([name, halfLine, glued], i) => {
    const s = sessionId(i + 1);
    const before = `${J(user(`Start ${i}`, { sessionId: s }))}\n${halfLine(s)}`;
    const first = glued === "prompt" ? user(`Typed after the crash ${i}`, { sessionId: s }) : assistant(`msg_glued${i}`, text(`Glued ${i}.`), { sessionId: s });
    const after = `${J(first)}\n${J(assistant(`msg_end${i}`, text(`End ${i}.`), { sessionId: s }))}\n`;
    const texts = glued === "prompt" ? [`Start ${i}`, `Typed after the crash ${i}`, `End ${i}.`] : [`Start ${i}`, `Glued ${i}.`, `End ${i}.`];
    return { name, id: s, path: claude.write(`p/${s}.jsonl`, before), after, texts, responses: glued === "prompt" ? 1 : 2 };
  });
  return { claude, sessions };
}

/** A response's usage, as helpers/transcript.ts writes it: 10 in, 100 cache writes, 1,000 reads, 50 out; Sonnet 4.5. */
const figures = (responses: number) => ({ promptTokens: 1110 * responses, completionTokens: 50 * responses, cost: Number((responses * 0.001455).toFixed(6)) });

const envFor = (claudeDir: string, home = tempHome()) => ({ HOME: home, CLAUDE_CONFIG_DIR: claudeDir, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey });

async function dryRun(claudeDir: string) {
  const r = await runCli(["sync", "--dry-run", "--json"], { env: { HOME: tempHome(), CLAUDE_CONFIG_DIR: claudeDir } });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { sessions: Array<{ externalId: string; messageCount: number; promptTokens: number; completionTokens: number; cost: number }>; skipped: { badLines: number } };
}

const writes = () => server.counts()["POST /sync/message"] ?? 0;

describe("a whole line glued to a half one", () => {
  test("the dry run counts every response and message once, and each half line as bad", async () => {
    const { claude, sessions } = history();
    for (const s of sessions) appendFileSync(s.path, s.after);
    const dry = await dryRun(claude.root);
    // By shape, so a failure names it.
    const got = Object.fromEntries(
      sessions.map((s) => {
        const read = dry.sessions.find((d) => d.externalId === s.id);
        return [s.name, read && { messageCount: read.messageCount, promptTokens: read.promptTokens, completionTokens: read.completionTokens, cost: Number(read.cost.toFixed(6)) }];
      }),
    );
    expect(got).toEqual(Object.fromEntries(sessions.map((s) => [s.name, { messageCount: 3, ...figures(s.responses) }])));
    expect(dry.skipped.badLines).toBe(SHAPES.length);
  });

  test("a sync puts each glued message on the server once, with the dry run's figures; a second sync sends nothing", async () => {
    server.reset();
    const { claude, sessions } = history();
    for (const s of sessions) appendFileSync(s.path, s.after);
    const env = envFor(claude.root);
    const r = await runCli(["sync", "--json"], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).skipped.badLines).toBe(SHAPES.length);
    for (const s of sessions) {
      const held = server.session(s.id);
      expect(held?.messages.map((m) => m.textContent)).toEqual(s.texts);
      expect({ promptTokens: held?.promptTokens, completionTokens: held?.completionTokens, cost: Number(held?.cost.toFixed(6)) }).toEqual(figures(s.responses));
    }
    const before = writes();
    expect((await runCli(["sync", "--json"], { env })).code).toBe(0);
    expect(writes()).toBe(before);
    expect(server.violations()).toEqual([]);
  });

  test.each([
    ["with the half line last (Claude Code killed), then the lines it wrote after", (s: { after: string }) => ["", s.after]],
    ["after the glued line, then the line after it", (s: { after: string }) => [s.after.slice(0, s.after.indexOf("\n") + 1), s.after.slice(s.after.indexOf("\n") + 1)]],
  ])("syncs %s give what one read of the final files gives", async (_, steps) => {
    server.reset();
    const { claude, sessions } = history();
    const env = envFor(claude.root);
    for (const step of [0, 1]) {
      for (const s of sessions) appendFileSync(s.path, steps(s)[step]!);
      expect((await runCli(["sync", "--json"], { env })).code).toBe(0);
    }
    const dry = await dryRun(claude.root);
    const onServer = sessions.map((s) => {
      const held = server.session(s.id);
      return { externalId: s.id, messageCount: held?.messageCount, promptTokens: held?.promptTokens, completionTokens: held?.completionTokens, cost: held?.cost };
    });
    const read = dry.sessions.map(({ externalId, messageCount, promptTokens, completionTokens, cost }) => ({ externalId, messageCount, promptTokens, completionTokens, cost }));
    expect(onServer).toEqual(read.sort((a, b) => a.externalId.localeCompare(b.externalId)));
    for (const s of sessions) expect(server.session(s.id)?.messages.map((m) => m.textContent)).toEqual(s.texts);
    expect(server.violations()).toEqual([]);
  });
});
