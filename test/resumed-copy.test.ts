/**
 * A resumed session's file starts with a copy of its original's lines, which keep the original's
 * session id (no forkedFrom). Whether the sync ran after every line Claude Code wrote or once at the
 * end, the server must hold the same: each response counted once, in the same session.
 * (Apart from test/sync-e2e.test.ts, whose live-session tests take their lines' times at load.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

function envFor(claudeDir: string) {
  return { HOME: tempHome(), CLAUDE_CONFIG_DIR: claudeDir, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
}

describe("a resumed copy whose copied lines still name their original (as Claude Code writes them, no forkedFrom), in a file that sorts first", () => {
  test("synced after each line Claude Code writes into the copy, or once at the end: the server holds the same sessions, totals and messages", async () => {
    const [original, resumed] = ["bbbbbbbb-9999-4999-8999-999999999999", "aaaaaaaa-9999-4999-8999-999999999999"];
    const usage = (input: number, output: number) => ({ usage: { input, output, cacheCreation: 0, cacheRead: 0 } });
    const history = [
      user("Fix the flaky test", { sessionId: original }),
      assistant("msg_91", text("Looking."), { sessionId: original, ...usage(100, 50) }),
      assistant("msg_92", text("Fixed."), { sessionId: original, ...usage(200, 70) }),
    ];
    const files: Array<[string, object[]]> = [
      [original, history],
      [resumed, [...history, user("And the docs?", { sessionId: resumed }), assistant("msg_93", text("Done."), { sessionId: resumed, ...usage(3, 4) })]],
    ];
    const store = () =>
      [original, resumed].map((id) => {
        const s = server.session(id);
        return { id, tokens: [s?.promptTokens, s?.completionTokens, s?.cost], messages: s?.messages.map((m) => [m.externalId, m.textContent, m.promptTokens, m.completionTokens]) };
      });

    server.reset();
    const once = tempClaudeDir();
    for (const [id, lines] of files) once.write(`p/${id}.jsonl`, jsonl(lines));
    expect((await runCli(["sync"], { env: envFor(once.root) })).code).toBe(0);
    const inOneGo = store();

    server.reset();
    const stepwise = tempClaudeDir();
    const env = envFor(stepwise.root);
    stepwise.write(`p/${original}.jsonl`, jsonl(history));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const path = stepwise.write(`p/${resumed}.jsonl`, "");
    for (const line of files[1]![1]) {
      appendFileSync(path, jsonl([line]));
      expect((await runCli(["sync"], { env })).code).toBe(0);
    }
    expect(store()).toEqual(inOneGo);
    // Counted once, in the original that wrote it: what ccusage's total is, the copy its own response.
    expect(inOneGo.map((s) => s.tokens.slice(0, 2))).toEqual([[300, 120], [3, 4]]);
    expect(server.violations()).toEqual([]);
  });
});
