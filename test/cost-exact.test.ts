import { afterAll, beforeAll, expect, test } from "bun:test";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const A = "aaaaaaaa-1111-4111-8111-111111111111";
const B = "bbbbbbbb-2222-4222-8222-222222222222";

/**
 * Sonnet 4.5 responses of 10 input, 50 output, 100 cache-write and 1,000 cache-read tokens:
 * 10 x 3 + 50 x 15 + 100 x 3.75 + 1,000 x 0.30 = 1,455 millionths of a dollar each. Added as
 * binary fractions, five of them made 0.007274999999999999 where the sum is 0.007275.
 */
function sessions() {
  const claude = tempClaudeDir();
  for (const [sessionId, n] of [[A, 5], [B, 4]] as const) {
    claude.write(
      `p/${sessionId}.jsonl`,
      jsonl([user("Add a login page", { sessionId }), ...Array.from({ length: n }, (_, i) => assistant(`msg_${sessionId[0]}${i}`, text("Done."), { sessionId }))]),
    );
  }
  return claude;
}

test("costs are shown and sent as the exact sums of the responses' costs, without binary noise", async () => {
  const claude = sessions();
  const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
  const dry = await runCli(["sync", "--dry-run", "--json"], { env });
  const report = JSON.parse(dry.stdout);
  const cost = (id: string) => report.sessions.find((s: { externalId: string }) => s.externalId === id).cost;
  expect([cost(A), cost(B), report.totals.cost]).toEqual([0.007275, 0.00582, 0.013095]);
  expect((await runCli(["sync"], { env })).code).toBe(0);
  expect([server.session(A)?.cost, server.session(B)?.cost]).toEqual([0.007275, 0.00582]);
});
