/**
 * A real session replayed turn by turn through the hooks, as Claude Code
 * fires them, with quick turns: each turn's messages reach the server after
 * its Stop, each written once, and the end state is what a full sync leaves.
 * How long each turn took to show is reported (the target, under a second on
 * a local server, is the benchmark's to measure: no timed assertion here).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli } from "./helpers/cli.ts";
import { hookUser, runnerDone, within } from "./helpers/hooks.ts";
import { readAll } from "./helpers/read.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

const CORPUS = join(import.meta.dir, "..", "..", "shared", "corpus", "projects");
const TURNS = 6;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** A typed prompt: a user line with text content that Claude Code wrote for a person (no tool result, no meta). */
function isPrompt(line: string): boolean {
  try {
    const o = JSON.parse(line) as { type?: string; isMeta?: boolean; isSidechain?: boolean; message?: { content?: unknown } };
    if (o.type !== "user" || o.isMeta || o.isSidechain) return false;
    const c = o.message?.content;
    return typeof c === "string" ? !c.startsWith("<") : Array.isArray(c) && c.some((b) => (b as { type?: string }).type === "text");
  } catch {
    return false;
  }
}

/**
 * The session to replay, as turns of lines (each starting with a prompt):
 * the corpus's session with the most prompts among files under 400 KB, or a
 * written one when ../shared/corpus is not there.
 */
function session(): { turns: string[][]; from: string } {
  if (existsSync(CORPUS)) {
    const files = readdirSync(CORPUS, { recursive: true })
      .map((f) => join(CORPUS, String(f)))
      .filter((f) => f.endsWith(".jsonl") && !f.includes("agent-") && statSync(f).size < 400_000);
    const best = files
      .map((f) => ({ f, lines: readFileSync(f, "utf8").split("\n").filter(Boolean) }))
      .sort((a, b) => b.lines.filter(isPrompt).length - a.lines.filter(isPrompt).length)[0];
    if (best && best.lines.filter(isPrompt).length >= TURNS) return { turns: splitTurns(best.lines), from: best.f };
  }
  const turns = Array.from({ length: TURNS }, (_, i) =>
    jsonl([
      user(`step ${i}: make the tests pass`),
      assistant(`msg_${i}_a`, toolUse(`toolu_${i}`, "Bash", { command: `npm test -- ${i}` })),
      toolResult(`toolu_${i}`, `${i} passing`),
      assistant(`msg_${i}_b`, text(`Step ${i} done.`)),
    ])
      .trim()
      .split("\n"),
  );
  return { turns, from: "a written session (../shared/corpus is not there)" };
}

function splitTurns(lines: string[]): string[][] {
  const turns: string[][] = [[]];
  for (const line of lines) {
    if (isPrompt(line) && (turns.at(-1) as string[]).some(isPrompt)) turns.push([]);
    (turns.at(-1) as string[]).push(line);
  }
  return turns.slice(0, TURNS);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

test("turn by turn through the hooks: each turn's messages after its Stop, each written once, the end state a full sync's", async () => {
  server.reset();
  const { turns, from } = session();
  const sessionId = /"sessionId":"([^"]+)"/.exec(turns[0]?.[0] ?? "")?.[1] ?? SESSION;
  const { home, claude, env, transcript, hook } = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "5000" });
  const path = transcript(sessionId);
  claude.write(`p/${sessionId}.jsonl`, "");
  const expected = async () => (await readAll([claude.projects])).sessions.find((s) => s.externalId === sessionId)?.messageCount ?? 0;
  const visible: number[] = [];

  await hook("SessionStart", { source: "startup" }, sessionId);
  for (const turn of turns) {
    const [prompt, ...rest] = turn;
    appendFileSync(path, `${prompt}\n`);
    await hook("UserPromptSubmit", { prompt: "…" }, sessionId);
    // The model thinks, then answers (scaled down from seconds: the runner must keep up with quick turns).
    await Bun.sleep(200);
    appendFileSync(path, rest.map((l) => `${l}\n`).join(""));
    await Bun.sleep(150);
    const stop = Date.now();
    await hook("Stop", { stop_hook_active: false }, sessionId);
    const want = await expected();
    await within(20_000, () => server.session(sessionId)?.messages.length === want);
    visible.push(Date.now() - stop);
    await Bun.sleep(200); // the next prompt comes quickly
  }
  await hook("SessionEnd", { reason: "prompt_input_exit" }, sessionId);
  await runnerDone(home);
  console.log(
    `[hooks] ${turns.length} turns of ${from}: Stop to visible median ${median(visible)} ms, worst ${Math.max(...visible)} ms (${visible.join(", ")} ms)`,
  );

  const onServer = server.session(sessionId);
  const ids = onServer?.messages.map((m) => m.externalId) ?? [];
  expect(new Set(ids).size).toBe(ids.length);
  // Each message written once: as many message writes as messages.
  expect(server.counts()["POST /sync/message"]).toBe(ids.length);
  expect(server.violations({ userAgentPrefix: "claude-code-sync/" })).toEqual([]);
  // The end state is what a full sync leaves: it has nothing to send, and its dry run counts the same.
  const full = await runCli(["sync", "--json"], { env });
  expect(JSON.parse(full.stdout)).toMatchObject({ ok: true, sessionsSent: 0, messagesSent: 0 });
  expect(ids.length).toBe(await expected());
}, 180_000);
