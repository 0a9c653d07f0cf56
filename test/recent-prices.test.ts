/**
 * `sync --dry-run --json` on the transcripts of recent Claude Code
 * (test/fixtures/recent/) shows the figures Anthropic's price list gives.
 * The expected costs are worked out by hand below from the list prices (USD
 * per million tokens), not by the code under test.
 */
import { expect, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { tempDir } from "./helpers/hardening.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const FIXTURES = join(import.meta.dir, "fixtures", "recent");

/** Each fixture in a project of its own, under a session id of its own (several fixtures share one). */
function claudeDirOfFixtures(): { root: string; idOf: (fixture: string) => string } {
  const root = tempDir("ccs-recent-");
  const ids = new Map<string, string>();
  for (const [i, name] of readdirSync(FIXTURES).filter((n) => n.endsWith(".jsonl")).sort().entries()) {
    const text = readFileSync(join(FIXTURES, name), "utf8");
    const own = /"sessionId":"([^"]+)"/.exec(text)?.[1] as string;
    const id = `${String(i + 1).padStart(8, "0")}-0000-4000-8000-${String(i + 1).padStart(12, "0")}`;
    ids.set(name, id);
    const dir = join(root, "projects", `-fx-${name.replace(".jsonl", "")}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${id}.jsonl`), text.replaceAll(own, id));
  }
  return { root, idOf: (fixture) => ids.get(fixture) as string };
}

const usd = (perMillion: number) => perMillion / 1e6;

test("recent models, cache kinds, fast mode, US inference and an advisor's turn are priced as the list says", async () => {
  const { root, idOf } = claudeDirOfFixtures();
  const r = await runCli(["sync", "--dry-run", "--json"], { env: { HOME: tempHome(), CLAUDE_CONFIG_DIR: root } });
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout) as { sessions: Array<{ externalId: string; cost: number }>; unknownModels: string[] };
  const cost = (fixture: string) => report.sessions.find((s) => s.externalId === idOf(fixture))?.cost;
  expect(report.unknownModels).toEqual([]);

  // Opus 5 (in 5, out 25, 1-hour write 10, read 0.50): two responses.
  //   2 in + 90 out + 1,200 w1h + 30,000 read = 10 + 2,250 + 12,000 + 15,000
  //   1 in + 240 out + 800 w1h + 31,200 read  =  5 + 6,000 +  8,000 + 15,600
  expect(cost("queued-command.jsonl")).toBeCloseTo(usd(10 + 2_250 + 12_000 + 15_000 + 5 + 6_000 + 8_000 + 15_600), 9);

  // Sonnet 5 (in 2, out 10, 5-minute write 2.50, read 0.20): three responses.
  //   3/40/500/12,000 = 6 + 400 + 1,250 + 2,400;  1/12/200/12,500 = 2 + 120 + 500 + 2,500;  1/5/100/12,700 = 2 + 50 + 250 + 2,540
  expect(cost("queued-repeat.jsonl")).toBeCloseTo(usd(4_056 + 3_122 + 2_842), 9);

  // Sonnet 4.5 in January 2026 (in 3, out 15, write 3.75, read 0.30): 3/1/1,000/9,000 and 2/1/50/10,000.
  expect(cost("incomplete-old.jsonl")).toBeCloseTo(usd(9 + 15 + 3_750 + 2_700 + 6 + 15 + 187.5 + 3_000), 9);

  // Three responses:
  // - Opus 4.7 fast (6x) with US-only inference (1.1x): 6 in, 410 out, 2,500 w1h, 40,000 read
  //   = (30 + 10,250 + 25,000 + 20,000) x 6 x 1.1;
  // - Sonnet 5, 4 in and 683 out = 8 + 6,830, with an advisor's turn on Opus 4.8 (in 5, out 25, w5 6.25, read 0.50):
  //   91,627 in, 18,716 out, 100 read, 50 written = 458,135 + 467,900 + 50 + 312.5;
  // - Haiku 4.5 (in 1, out 5, read 0.10): 7 in, 9 out, 300 read = 7 + 45 + 30.
  expect(cost("usage-extras.jsonl")).toBeCloseTo(usd(55_280 * 6 * 1.1 + 6_838 + 926_397.5 + 82), 9);
});

test("a model without a price is named by sync, status and verify, never a silent $0", async () => {
  const server = await startTestServer();
  try {
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("hi"), assistant("msg_1", text("hello"), { model: "claude-nova-9" })]));
    const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
    const sync = await runCli(["sync"], { env });
    expect(sync.stdout).toContain("No price known for claude-nova-9");
    expect(JSON.parse((await runCli(["sync", "--json"], { env })).stdout).unknownModels).toEqual(["claude-nova-9"]);
    expect((await runCli(["status"], { env })).stdout).toContain("No price known for claude-nova-9");
    const verified = await runCli(["verify", "--json"], { env });
    const verify = JSON.parse(verified.stdout) as { checks: Array<{ id: string; status: string; detail: string }> };
    expect(verify.checks.find((c) => c.id === "prices")).toMatchObject({ status: "warn", detail: expect.stringContaining("claude-nova-9") });
    // A warning, as sync (exit 0) gives it: the sessions are sent, their cost follows once a price is known.
    expect([sync.code, verified.code]).toEqual([0, 0]);
    // A price in the config's overrides makes it known.
    const home = env.HOME;
    await runCli(["set", "priceUpdates", "off"], { env });
    const config = JSON.parse(readFileSync(join(home, ".claude-code-sync", "config.json"), "utf8"));
    config.options.prices = { "claude-nova-9": { input: 1, output: 2 } };
    writeFileSync(join(home, ".claude-code-sync", "config.json"), JSON.stringify(config));
    const again = JSON.parse((await runCli(["verify", "--json"], { env })).stdout) as { checks: Array<{ id: string; status: string }> };
    expect(again.checks.find((c) => c.id === "prices")?.status).toBe("ok");
    // And the session is priced again: its cost reaches the server (1 in + 1 out at $1 and $2 per million).
    expect(server.session(SESSION)?.cost).toBe(0);
    const repriced = JSON.parse((await runCli(["sync", "--json"], { env })).stdout);
    expect(repriced).toMatchObject({ sessionsSent: 1, messagesSent: 0, unknownModels: [] });
    expect(server.session(SESSION)?.cost).toBeGreaterThan(0);
  } finally {
    await server.stop();
  }
});
