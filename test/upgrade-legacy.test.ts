/**
 * Upgrading from claude-code-sync 0.1.x, the published package (same npm
 * name, installed here under an alias): its hooks send a session as Claude
 * Code fires them, then ours sync the same transcript. No message may be on
 * the server twice; what 0.1.x sent is updated in place under its ids.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { baseEnv, runCli, tempHome } from "./helpers/cli.ts";
import { SESSION, assistant, jsonl, resetClock, tempClaudeDir, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

const OLD_CLI = join(import.meta.dir, "..", "node_modules", "claude-code-sync-0.1", "dist", "cli.js");

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** One 0.1.x hook, run as Claude Code runs it: event JSON on stdin, configured by its environment variables. */
async function oldHook(event: string, input: Record<string, unknown>, home: string): Promise<void> {
  const proc = Bun.spawn(["node", OLD_CLI, "hook", event], {
    env: { ...baseEnv(), HOME: home, CLAUDE_SYNC_CONVEX_URL: server.url, CLAUDE_SYNC_API_KEY: server.apiKey },
    stdin: new TextEncoder().encode(JSON.stringify({ session_id: SESSION, hook_event_name: event, ...input })),
    stdout: "ignore",
    stderr: "pipe",
  });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  expect({ event, code, stderr }).toEqual({ event, code: 0, stderr: "" });
}

test.skipIf(!existsSync(OLD_CLI))("0.1.x hooks, then our sync: every text once on the server, 0.1.x's messages updated in place", async () => {
  resetClock();
  const home = tempHome();
  const claude = tempClaudeDir();
  const file = claude.write(`p/${SESSION}.jsonl`, "");
  const common = { transcript_path: file, cwd: "/work/app" };

  await oldHook("SessionStart", { ...common, source: "startup" }, home);
  // Turn 1: a prompt, an answer that thinks, says something and runs a tool, the tool's result, the final answer.
  appendFileSync(file, jsonl([user("Why does the upload test fail?")]));
  await oldHook("UserPromptSubmit", { ...common, prompt: "Why does the upload test fail?" }, home);
  appendFileSync(
    file,
    jsonl([
      assistant("msg_1", { type: "thinking", thinking: "Look at the test first.", signature: "s" }),
      assistant("msg_1", text("Let me run it.")),
      assistant("msg_1", toolUse("toolu_1", "Bash", { command: "npm test upload" })),
      toolResult("toolu_1", "1 failing: timeout"),
    ]),
  );
  await oldHook("PostToolUse", { ...common, tool_name: "Bash", tool_input: { command: "npm test upload" }, tool_use_id: "toolu_1", tool_response: { stdout: "1 failing" } }, home);
  appendFileSync(file, jsonl([assistant("msg_2", text("It times out: the fixture server never starts."))]));
  await oldHook("Stop", { ...common, stop_hook_active: false }, home);
  // Turn 2.
  appendFileSync(file, jsonl([user("Fix it, please.")]));
  await oldHook("UserPromptSubmit", { ...common, prompt: "Fix it, please." }, home);
  appendFileSync(file, jsonl([assistant("msg_3", text("Done: the fixture now waits for the port."))]));
  await oldHook("Stop", { ...common, stop_hook_active: false }, home);
  await oldHook("SessionEnd", { ...common, reason: "prompt_input_exit" }, home);

  const before = server.session(SESSION);
  expect(before?.messages.length).toBeGreaterThanOrEqual(5); // what 0.1.x sent: 2 prompts, 3 answers, a tool call
  const oldIds = new Set(before?.messages.map((m) => m.externalId));

  const r = await runCli(["sync", "--json"], { env: { HOME: home, CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey } });
  expect(r.code).toBe(0);

  const after = server.session(SESSION);
  const texts = (after?.messages ?? []).map((m) => m.textContent).filter((t): t is string => Boolean(t));
  const repeated = texts.filter((t, i) => texts.indexOf(t) !== i);
  expect(repeated).toEqual([]);
  for (const t of ["Why does the upload test fail?", "Let me run it.", "It times out: the fixture server never starts.", "Fix it, please.", "Done: the fixture now waits for the port."]) {
    expect(texts).toContain(t);
  }
  // Our copies of what 0.1.x had sent went to its messages, in place: no new row for them.
  const added = (after?.messages ?? []).filter((m) => !oldIds.has(m.externalId));
  expect(added.map((m) => m.role).sort()).toEqual(["tool"]); // only the tool's result, which 0.1.x never sent
  // And our sync, run again, has nothing left to send.
  const again = await runCli(["sync", "--json"], { env: { HOME: home, CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey } });
  expect(JSON.parse(again.stdout)).toMatchObject({ sessionsSent: 0, messagesSent: 0 });
  expect(server.violations({ userAgentPrefix: "claude-code-sync/" })).toEqual([]);
}, 60_000);
