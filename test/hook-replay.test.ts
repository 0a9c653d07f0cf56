/**
 * A real session replayed turn by turn through the hooks, as Claude Code
 * fires them, with quick turns: each turn's messages reach the server after
 * its Stop, each written once, and the end state is what a full sync leaves.
 * How long each turn took to show is reported (the target, under a second on
 * a local server, is the benchmark's to measure: no timed assertion here).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli } from "./helpers/cli.ts";
import { hookUser, runnerDone, within } from "./helpers/hooks.ts";
import { readAll } from "./helpers/read.ts";
import { replaySession } from "./helpers/replay.ts";

const TURNS = 6;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

test("turn by turn through the hooks: each turn's messages after its Stop, each written once, the end state a full sync's", async () => {
  server.reset();
  const { sessionId, turns, from } = replaySession(TURNS);
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
