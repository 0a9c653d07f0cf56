/**
 * Lines with null where a writer had nothing to put (a gateway without request ids, Bedrock,
 * older and newer Claude Code): null reads as absent, so the line's text and tokens reach the
 * server, and the dry run (which skims lines) counts what the sync sends.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, readFileSync, readdirSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

type Line = Record<string, any>;
const session = (n: number) => `${String(n).padStart(8, "0")}-0000-4000-8000-000000000000`;

/** One prompt and one answer (usage 10 in, 50 out, 100 cache writes, 1,000 cache reads), with nulls put in. */
interface Case {
  name: string;
  answer?: (l: Line) => void;
  prompt?: (l: Line) => void;
  /** More lines after the answer. */
  more?: Line[];
  /** What the server should show: the answer's text, and its tokens (prompt, completion). */
  text: boolean;
  tokens: [number, number];
  /** The texts shown, when not the prompt's and (by `text`) the answer's. */
  texts?: string[];
}

const CASES: Case[] = [
  { name: "requestId null (a gateway)", answer: (l) => (l.requestId = null), text: true, tokens: [1110, 50] },
  { name: "isSidechain and agentId null", answer: (l) => ((l.isSidechain = null), (l.agentId = null)), text: true, tokens: [1110, 50] },
  { name: "cwd null", answer: (l) => (l.cwd = null), prompt: (l) => (l.cwd = null), text: true, tokens: [1110, 50] },
  { name: "message.id null", answer: (l) => (l.message.id = null), text: true, tokens: [1110, 50] },
  // ccusage skips a response whose model is there but no name (null, "") and one without a time it reads: shown, tokens not counted.
  { name: "message.model null", answer: (l) => (l.message.model = null), text: true, tokens: [0, 0] },
  { name: "message.model empty", answer: (l) => (l.message.model = ""), text: true, tokens: [0, 0] },
  { name: "message.model missing (ccusage counts it, at no price)", answer: (l) => delete l.message.model, text: true, tokens: [1110, 50] },
  { name: "timestamp null", answer: (l) => (l.timestamp = null), text: true, tokens: [0, 0] },
  { name: "timestamp missing", answer: (l) => delete l.timestamp, text: true, tokens: [0, 0] },
  { name: "timestamp not a date", answer: (l) => (l.timestamp = "yesterday"), text: true, tokens: [0, 0] },
  // The session's first line: shown at the time of the line after it, before it.
  { name: "timestamp null on the prompt, the first line", prompt: (l) => (l.timestamp = null), text: true, tokens: [1110, 50] },
  { name: "timestamp missing on the prompt, the first line", prompt: (l) => delete l.timestamp, text: true, tokens: [1110, 50] },
  // No time anywhere: nothing to place the session at (session-fold.ts, `held`).
  {
    name: "no time on the prompt nor the answer, a later line timed",
    prompt: (l) => (l.timestamp = null),
    answer: (l) => (l.timestamp = null),
    more: [{ type: "system", subtype: "turn_duration", uuid: "sys-2", timestamp: "2025-10-01T11:00:00.000Z" }],
    text: true,
    tokens: [0, 0],
  },
  { name: "no line with a time", prompt: (l) => (l.timestamp = null), answer: (l) => (l.timestamp = null), text: false, tokens: [0, 0], texts: [] },
  { name: "timestamp with microseconds", answer: (l) => (l.timestamp = l.timestamp.replace("Z", "123Z")), text: true, tokens: [0, 0] },
  // Nothing to show, but the response was billed (ccusage counts it).
  { name: "message.content null", answer: (l) => (l.message.content = null), text: false, tokens: [1110, 50] },
  { name: "message.usage null", answer: (l) => (l.message.usage = null), text: true, tokens: [0, 0] },
  { name: "isMeta and isCompactSummary null on the prompt", prompt: (l) => ((l.isMeta = null), (l.isCompactSummary = null)), text: true, tokens: [1110, 50] },
  {
    name: "a system line and a progress line with nulls",
    more: [
      { type: "system", subtype: null, isMeta: null, cwd: null, uuid: "sys-1", timestamp: "2025-10-01T11:00:00.000Z", content: "x" },
      { type: "progress", cwd: null, timestamp: null, data: { type: "hook_progress" } },
    ],
    text: true,
    tokens: [1110, 50],
  },
];

test("a line with null ids, flags, cwd, model, time, content or usage loses nothing else: the dry run and the server show its text and tokens", async () => {
  server.reset();
  const claude = tempClaudeDir();
  CASES.forEach((c, i) => {
    const sessionId = session(i + 1);
    const prompt: Line = user(`question ${i + 1}`, { sessionId });
    const answer: Line = assistant(`msg_${i + 1}`, text(`answer ${i + 1}`), { sessionId });
    c.prompt?.(prompt);
    c.answer?.(answer);
    claude.write(`p/${sessionId}.jsonl`, jsonl([prompt, answer, ...(c.more ?? [])]));
  });
  const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };

  const dry = JSON.parse((await runCli(["sync", "--dry-run", "--json"], { env })).stdout);
  expect(dry.skipped.badLines).toBe(0);
  // A response without a model is counted at no price, as ccusage counts it: not a model said to lack a price.
  expect(dry.unknownModels).toEqual([]);
  const dryTokens = new Map<string, [number, number]>(dry.sessions.map((s: Line) => [s.externalId, [s.promptTokens, s.completionTokens]]));
  const dryMessages = new Map<string, number>(dry.sessions.map((s: Line) => [s.externalId, s.messageCount]));

  const r = await runCli(["sync", "--json"], { env });
  expect(r.stderr).toBe("");
  expect(JSON.parse(r.stdout).unknownModels).toEqual([]);
  expect(server.violations()).toEqual([]);

  const seen = CASES.map((c, i) => {
    const s = server.session(session(i + 1));
    return {
      name: c.name,
      dry: dryTokens.get(session(i + 1)) ?? [0, 0],
      server: [s?.promptTokens ?? 0, s?.completionTokens ?? 0],
      texts: (s?.messages ?? []).map((m) => m.textContent),
      dryMessages: dryMessages.get(session(i + 1)) ?? 0,
      // A line without a time it can read is shown after the line before it.
      inOrder: (s?.messages ?? []).every((m, j, all) => Number.isFinite(m.createdAt) && (j === 0 || m.createdAt >= all[j - 1]!.createdAt)),
    };
  });
  expect(seen).toEqual(
    CASES.map((c, i) => ({
      name: c.name,
      dry: c.tokens,
      server: c.tokens,
      texts: c.texts ?? [`question ${i + 1}`, ...(c.text ? [`answer ${i + 1}`] : [])],
      dryMessages: (c.texts ?? [`question ${i + 1}`, ...(c.text ? [`answer ${i + 1}`] : [])]).length,
      inOrder: true,
    })),
  );
});

test("a first prompt without a time, synced after each line or once at the end: the server shows it at its answer's time, before it", async () => {
  const sessionId = session(99);
  const key = `ghp_${"a1B2".repeat(9)}`;
  const lines: Line[] = [
    { ...user("untimed question", { sessionId }), timestamp: null },
    { ...user(`untimed follow-up: use ${key}`, { sessionId }), timestamp: "not a date" },
    assistant("msg_99a", text("first answer"), { sessionId }),
    user("second question", { sessionId }),
    assistant("msg_99b", text("second answer"), { sessionId }),
  ];
  const shown = () => {
    const s = server.session(sessionId);
    return { tokens: [s?.promptTokens, s?.completionTokens], messages: (s?.messages ?? []).map((m) => [m.externalId, m.textContent, m.createdAt]) };
  };
  const envFor = (root: string) => ({ HOME: tempHome(), CLAUDE_CONFIG_DIR: root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey });

  server.reset();
  const once = tempClaudeDir();
  once.write(`p/${sessionId}.jsonl`, jsonl(lines));
  expect((await runCli(["sync"], { env: envFor(once.root) })).code).toBe(0);
  const inOneGo = shown();

  server.reset();
  const stepwise = tempClaudeDir();
  const env = envFor(stepwise.root);
  const path = stepwise.write(`p/${sessionId}.jsonl`, "");
  for (const line of lines) {
    appendFileSync(path, jsonl([line]));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    // A held line waits in the state redacted, as it is sent.
    const app = join(env.HOME, ".claude-code-sync");
    for (const f of readdirSync(app, { recursive: true }) as string[]) {
      if (statSync(join(app, f)).isFile()) expect(readFileSync(join(app, f), "latin1")).not.toContain(key);
    }
  }
  expect(shown()).toEqual(inOneGo);
  const answerAt = Date.parse(lines[2]!.timestamp);
  expect(inOneGo.messages.map(([, t, at]) => [t, at])).toEqual([
    ["untimed question", answerAt],
    ["untimed follow-up: use [REDACTED:github-token]", answerAt],
    ["first answer", answerAt],
    ["second question", Date.parse(lines[3]!.timestamp)],
    ["second answer", Date.parse(lines[4]!.timestamp)],
  ]);
  expect(server.violations()).toEqual([]);
});

test("a session with no line whose time can be read is named as skipped by the dry run and the sync, and shown once a timed line comes", async () => {
  server.reset();
  const claude = tempClaudeDir();
  const untimed = session(200);
  const timed = session(201);
  const untimedLines: Line[] = [
    { ...user("a question without a time", { sessionId: untimed }), timestamp: null },
    { ...assistant("msg_200", text("an answer without a time"), { sessionId: untimed }), timestamp: "not a date" },
  ];
  delete untimedLines[1]!.timestamp;
  const path = claude.write(`p/${untimed}.jsonl`, jsonl(untimedLines));
  claude.write(`p/${timed}.jsonl`, jsonl([user("timed question", { sessionId: timed }), assistant("msg_201", text("timed answer"), { sessionId: timed })]));
  // Written two minutes ago: no longer being written, so the sync reads both to their end.
  const then = new Date(Date.now() - 120_000);
  utimesSync(path, then, then);
  const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
  const said = `Skipped 1 session with no line whose time can be read, so nothing places it on the dashboard (ccusage counts none of its tokens): ${path}.`;

  const dry = JSON.parse((await runCli(["sync", "--dry-run", "--json"], { env })).stdout);
  expect(dry.skipped.untimed).toEqual([path]);
  expect(dry.sessions.map((s: Line) => s.externalId)).toEqual([timed]);
  expect((await runCli(["sync", "--dry-run"], { env })).stdout).toContain(said);

  const r = await runCli(["sync", "--json"], { env: { ...env, HOME: tempHome() } });
  expect(JSON.parse(r.stdout).skipped.untimed).toEqual([path]);
  const printed = await runCli(["sync"], { env });
  expect(printed.code).toBe(0);
  expect(printed.stdout).toContain(said);
  expect(server.session(untimed)).toBeUndefined();
  // A project kept out is not named.
  expect((await runCli(["set", "excludeProjects", "/home/dev/project-x"], { env })).code).toBe(0);
  expect(JSON.parse((await runCli(["sync", "--dry-run", "--json"], { env })).stdout).skipped.untimed).toEqual([]);
  expect((await runCli(["set", "excludeProjects", ""], { env })).code).toBe(0);

  // A line with a time places what was held: nothing of the session was lost, and it is no longer said to be skipped.
  appendFileSync(path, jsonl([user("a timed follow-up", { sessionId: untimed })]));
  const after = JSON.parse((await runCli(["sync", "--json"], { env })).stdout);
  expect(after.skipped.untimed).toEqual([]);
  expect(server.session(untimed)?.messages.map((m) => m.textContent)).toEqual(["a question without a time", "an answer without a time", "a timed follow-up"]);
  expect(server.violations()).toEqual([]);
});

test("more lines without a time than are held for a session's first time: the dry run and the sync say how many went unshown", async () => {
  server.reset();
  const claude = tempClaudeDir();
  const sessionId = session(300);
  const untimedPrompts = Array.from({ length: 70 }, (_, i) => ({ ...user(`untimed ${i}`, { sessionId }), timestamp: null }));
  claude.write(`p/${sessionId}.jsonl`, jsonl([...untimedPrompts, user("timed", { sessionId })]));
  const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };

  const dry = JSON.parse((await runCli(["sync", "--dry-run", "--json"], { env })).stdout);
  const r = await runCli(["sync", "--json"], { env });
  const shown = server.session(sessionId)?.messages.length ?? 0;
  // 71 prompts: those held and the timed one are shown; every other one is counted, in both reads.
  expect([dry.sessions[0].messageCount + dry.skipped.unplacedLines, shown + JSON.parse(r.stdout).skipped.unplacedLines]).toEqual([71, 71]);
  expect(dry.skipped.unplacedLines).toBeGreaterThan(0);
  const printed = await runCli(["sync", "--dry-run"], { env });
  expect(printed.stdout).toContain(`Skipped ${dry.skipped.unplacedLines} lines written before any line of their session had a time that can be read`);
});
