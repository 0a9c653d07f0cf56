import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { assistant, jsonl, resetClock, tempClaudeDir, text, user } from "./helpers/transcript.ts";

// A forked session (claude --resume <id> --fork-session, 2.1.x) begins with copies of its parent's
// lines, each marked `forkedFrom: {sessionId, messageUuid}`: those responses are the parent's.
const PARENT = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
const FORK = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";

function forkedHistory(ownResponse = true) {
  resetClock(Date.parse("2026-11-20T10:00:00.000Z"));
  const cwd = "/home/dev/shop";
  const parentLines = [
    user("Draft the release notes", { sessionId: PARENT, cwd, uuid: "p-u1" }),
    assistant("msg_p1", text("Release notes: faster sync."), { sessionId: PARENT, cwd, uuid: "p-a1", model: "claude-opus-5", usage: { input: 3, output: 500, cacheCreation: 2000, cacheRead: 0 } }),
  ];
  const copied = parentLines.map((l) => ({ ...l, sessionId: FORK, forkedFrom: { sessionId: PARENT, messageUuid: l.uuid } }));
  const own = [
    user("make them shorter", { sessionId: FORK, cwd }),
    ...(ownResponse ? [assistant("msg_f2", text("Faster sync."), { sessionId: FORK, cwd, model: "claude-opus-5", usage: { input: 1, output: 100, cacheCreation: 0, cacheRead: 2000 } })] : []),
  ];
  const claude = tempClaudeDir();
  claude.write(`-home-dev-shop/${PARENT}.jsonl`, jsonl(parentLines));
  claude.write(`-home-dev-shop/${FORK}.jsonl`, jsonl([...copied, ...own]));
  return claude;
}

/** The fork's own response only: 1 + 0 + 2000 prompt tokens, 100 output, at Opus 5's $5/$25, reads $0.50. */
const FORK_OWN = { promptTokens: 2001, completionTokens: 100 };

describe("a forked session's copied responses count in its parent, whichever way the fork is selected", () => {
  const claude = forkedHistory();
  const env = () => ({ HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root });
  const forkOf = (stdout: string) => JSON.parse(stdout).sessions.find((s: { externalId: string }) => s.externalId === FORK);

  test("sync --dry-run --session <fork> gives the fork the figures a full dry run gives it", async () => {
    const all = forkOf((await runCli(["sync", "--dry-run", "--json"], { env: env() })).stdout);
    const one = await runCli(["sync", "--dry-run", "--json", "--session", FORK], { env: env() });
    expect(one.code).toBe(0);
    expect(all).toMatchObject(FORK_OWN);
    expect(forkOf(one.stdout)).toEqual(all);
    expect(JSON.parse(one.stdout).sessions.map((s: { externalId: string }) => s.externalId)).toEqual([FORK]);
  });
});

describe("a fork synced before its parent is never counted twice on the server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(() => server.reset());
  afterAll(() => server.stop());

  test.each([
    ["with a response of its own", true, FORK_OWN],
    ["with none yet (its totals are 0 without the copies)", false, { promptTokens: 0, completionTokens: 0, cost: 0 }],
  ])("sync --session <fork>, then sync (%s): the server holds each response once", async (_name, ownResponse, forkTotals) => {
    const claude = forkedHistory(ownResponse);
    const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
    expect((await runCli(["sync", "--session", FORK], { env })).code).toBe(0);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    expect(server.session(FORK)).toMatchObject(forkTotals);
    expect(server.session(PARENT)).toMatchObject({ promptTokens: 2003, completionTokens: 500 });
    expect(server.violations()).toEqual([]);
  });
});
