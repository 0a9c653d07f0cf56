import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, readFileSync, readdirSync, renameSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { testCorpus } from "./helpers/corpus.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

const corpus = testCorpus({ atRest: true });
const CORPUS = corpus.root;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

function envFor(claudeDir: string, home = tempHome()) {
  return { HOME: home, CLAUDE_CONFIG_DIR: claudeDir, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
}

/** An empty server, then one session synced: where the tests of a sync with nothing new start. */
async function syncedOnce() {
  server.reset();
  const claude = tempClaudeDir();
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("x"), assistant("msg_1", text("y"))]));
  const env = envFor(claude.root);
  expect((await runCli(["sync"], { env })).code).toBe(0);
  return env;
}

const writes = () => {
  const c = server.counts();
  return { sessions: c["POST /sync/session"] ?? 0, messages: c["POST /sync/message"] ?? 0, batch: c["POST /sync/batch"] ?? 0 };
};

/** Every line's timestamp by uuid, read straight from the JSONL files (independent of our reader). */
function timestampsByUuid(root: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".jsonl")) {
        for (const line of readFileSync(p, "utf8").split("\n")) {
          try {
            const o = JSON.parse(line);
            if (o.uuid && o.timestamp) out.set(o.uuid, Date.parse(o.timestamp));
          } catch {}
        }
      }
    }
  };
  walk(root);
  return out;
}

describe(`sync of ${corpus.label} to the test server`, () => {
  let env: Record<string, string>;
  let expected: Array<Record<string, any>>;

  beforeAll(async () => {
    server.reset();
    env = envFor(CORPUS);
    const dry = await runCli(["sync", "--dry-run", "--json"], { env });
    expected = JSON.parse(dry.stdout).sessions;
  });

  test("the first sync puts every session and message on the server, with the dry run's figures", async () => {
    const r = await runCli(["sync", "--json"], { env, timeoutMs: 120_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, pending: { sessions: 0, messages: 0 }, failed: [] });

    const onServer = new Map(server.dump().map((s) => [s.externalId, s]));
    expect(expected.length).toBeGreaterThan(corpus.minSessions);
    expect(onServer.size).toBe(expected.length);
    const stamps = timestampsByUuid(join(CORPUS, "projects"));
    for (const s of expected) {
      const got = onServer.get(s.externalId);
      expect({ id: s.externalId, prompt: got?.promptTokens, completion: got?.completionTokens, createdAt: got?.createdAt, source: got?.source, model: got?.model, title: got?.title }).toEqual({
        id: s.externalId,
        prompt: s.promptTokens,
        completion: s.completionTokens,
        createdAt: s.createdAt,
        source: "claude-code",
        model: s.model,
        title: s.title,
      });
      expect(got?.cost).toBeCloseTo(s.cost, 9);
      expect(got?.messages.length).toBe(s.messageCount);
      for (const m of got?.messages ?? []) {
        const uuid = m.externalId.slice(s.externalId.length + 1);
        expect({ id: m.externalId, createdAt: m.createdAt }).toEqual({ id: m.externalId, createdAt: stamps.get(uuid) as number });
      }
    }
    expect(writes().batch).toBe(0);
    expect(server.violations()).toEqual([]);
  });

  test("a second sync sends nothing", async () => {
    const before = writes();
    const r = await runCli(["sync", "--json"], { env });
    expect(r.code).toBe(0);
    expect(writes()).toEqual(before);
    expect(server.violations()).toEqual([]);
  });

  test("a sync from a lost state (a new HOME) sends no message the server holds again, and changes no total", async () => {
    const before = writes();
    const totals = () => server.dump().map((s) => [s.externalId, s.promptTokens, s.completionTokens, s.cost, s.messages.length]);
    const was = totals();
    const asked = server.requests().length;
    const r = await runCli(["sync", "--json"], { env: { ...env, HOME: tempHome() }, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, messagesSent: 0, pending: { sessions: 0, messages: 0 } });
    expect(writes().messages).toBe(before.messages);
    expect(totals()).toEqual(was);
    expect(server.violations()).toEqual([]);
    // Each session's copy read once, as the read went (what the server holds left the outbox then), before any write.
    const requests = server.requests().slice(asked);
    const copies = requests.flatMap((q, i) => (q.path === "/api/sessions/get" ? [i] : []));
    expect(copies.length).toBe(was.length);
    expect(Math.max(...copies)).toBeLessThan(requests.findIndex((q) => q.method === "POST"));
  });
});

describe("a resumed copy read in the same sync as its original", () => {
  test.each([
    ["with no response of its own: the server shows 0 for it, not the original's totals", false],
    ["with a response of its own: the server shows that one alone", true],
  ])("%s", async (_, ownResponse) => {
    server.reset();
    const claude = tempClaudeDir();
    const history = [
      user("Fix the flaky test"),
      assistant("msg_1", text("Looking."), { usage: { input: 100, output: 50, cacheCreation: 0, cacheRead: 0 } }),
      assistant("msg_2", text("Fixed."), { usage: { input: 200, output: 70, cacheCreation: 0, cacheRead: 0 } }),
    ];
    const original = claude.write(`p/${SESSION}.jsonl`, jsonl(history));
    const resumed = "22222222-2222-4222-8222-222222222222";
    const more = [user("Thanks", { sessionId: resumed })];
    if (ownResponse) more.push(assistant("msg_3", text("Welcome."), { sessionId: resumed, usage: { input: 3, output: 4, cacheCreation: 0, cacheRead: 0 } }));
    claude.write(`p/${resumed}.jsonl`, jsonl([...history, ...more]));
    // The copy is newer, so it is read (and its session sent) first; the original, first by path, keeps the responses.
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(original, hourAgo, hourAgo);
    const env = envFor(claude.root);
    const dry = JSON.parse((await runCli(["sync", "--dry-run", "--json"], { env })).stdout).sessions as Array<Record<string, any>>;
    const r = await runCli(["sync", "--json"], { env });
    expect(r.code).toBe(0);
    const shown = (id: string) => {
      const s = server.session(id);
      return [s?.promptTokens, s?.completionTokens, s?.cost];
    };
    expect(shown(SESSION).slice(0, 2)).toEqual([300, 120]);
    expect(shown(resumed).slice(0, 2)).toEqual(ownResponse ? [3, 4] : [0, 0]);
    for (const id of [SESSION, resumed]) {
      const d = dry.find((s) => s.externalId === id);
      expect(shown(id)).toEqual([d?.promptTokens, d?.completionTokens, d?.cost]);
    }
    expect(server.violations()).toEqual([]);
  });
});

describe("a resumed copy that turns up after its original was synced, in a file that sorts first", () => {
  test("the original keeps the responses it was sent with; the copy counts only its own, so none is counted twice", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const original = "bbbbbbbb-2222-4222-8222-222222222222";
    const resumed = "aaaaaaaa-2222-4222-8222-222222222222";
    const history = [
      user("Fix the flaky test", { sessionId: original }),
      assistant("msg_1", text("Looking."), { sessionId: original, usage: { input: 100, output: 50, cacheCreation: 0, cacheRead: 0 } }),
      assistant("msg_2", text("Fixed."), { sessionId: original, usage: { input: 200, output: 70, cacheCreation: 0, cacheRead: 0 } }),
    ];
    claude.write(`p/${original}.jsonl`, jsonl(history));
    const env = envFor(claude.root);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const more = [user("And the docs?", { sessionId: resumed }), assistant("msg_3", text("Done."), { sessionId: resumed, usage: { input: 3, output: 4, cacheCreation: 0, cacheRead: 0 } })];
    claude.write(`p/${resumed}.jsonl`, jsonl([...history, ...more]));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const shown = (id: string) => [server.session(id)?.promptTokens, server.session(id)?.completionTokens];
    expect(shown(original)).toEqual([300, 120]);
    expect(shown(resumed)).toEqual([3, 4]);
    // Across sessions the server counts what the dry run counts (which, like ccusage, gives the copy the shared responses).
    const dry = JSON.parse((await runCli(["sync", "--dry-run", "--json"], { env })).stdout).sessions as Array<{ promptTokens: number; completionTokens: number; cost: number }>;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(dry.map((s) => s.promptTokens))).toBe(303);
    expect(sum(dry.map((s) => s.completionTokens))).toBe(124);
    expect((server.session(original)?.cost ?? 0) + (server.session(resumed)?.cost ?? 0)).toBeCloseTo(sum(dry.map((s) => s.cost)), 9);
    // A further sync changes nothing, nor does reading everything again.
    expect((await runCli(["sync", "--json"], { env })).code).toBe(0);
    expect([...shown(original), ...shown(resumed)]).toEqual([300, 120, 3, 4]);
    expect((await runCli(["sync", "--full", "--json"], { env })).code).toBe(0);
    expect([...shown(original), ...shown(resumed)]).toEqual([300, 120, 3, 4]);
    expect(server.violations()).toEqual([]);
  });
});

describe("a lost state (a new HOME) against a server that holds an original and its resumed copy", () => {
  // The server counts the shared history in the original, which it held first; the new state knows
  // nothing of that, and the copy sorts first by path. OpenSync never lowers a total to 0: were the
  // copy given the history, the original would keep it too. The copy's own part is smaller, then
  // larger than the history, so no rule of thumb on sizes passes both.
  /** An original synced, then its resumed copy (in a file that sorts first) synced: the server counts the history in the original. */
  async function syncedCopy(tag: string, own = { input: 3, output: 4 }) {
    server.reset();
    const claude = tempClaudeDir();
    const [original, resumed] = [`bbbbbbbb-${tag}`, `aaaaaaaa-${tag}`];
    const history = [
      user("Fix the flaky test", { sessionId: original }),
      assistant(`msg_${tag}_1`, text("Looking."), { sessionId: original, usage: { input: 100, output: 50, cacheCreation: 0, cacheRead: 0 } }),
      assistant(`msg_${tag}_2`, text("Fixed."), { sessionId: original, usage: { input: 200, output: 70, cacheCreation: 0, cacheRead: 0 } }),
    ];
    claude.write(`p/${original}.jsonl`, jsonl(history));
    expect((await runCli(["sync"], { env: envFor(claude.root) })).code).toBe(0);
    const answer = assistant(`msg_${tag}_3`, text("Done."), { sessionId: resumed, usage: { ...own, cacheCreation: 0, cacheRead: 0 } });
    claude.write(`p/${resumed}.jsonl`, jsonl([...history, user("And the docs?", { sessionId: resumed }), answer]));
    expect((await runCli(["sync"], { env: envFor(claude.root) })).code).toBe(0);
    const shown = () => [original, resumed].flatMap((id) => [server.session(id)?.promptTokens, server.session(id)?.completionTokens, server.session(id)?.cost]);
    const before = shown();
    expect([before[0], before[1], before[3], before[4]]).toEqual([300, 120, own.input, own.output]);
    return { claude, resumed, shown, before };
  }

  test.each([
    [3, 4],
    [9000, 800],
  ])("the server's totals stay as they are (the copy's own response: %d / %d tokens)", async (input, output) => {
    const { claude, shown, before } = await syncedCopy(`3333-4333-8333-33333333333${input % 10}`, { input, output });
    const lost = envFor(claude.root, tempHome());
    expect((await runCli(["sync", "--json"], { env: lost })).code).toBe(0);
    expect(shown()).toEqual(before);
    // The new state now knows where the history is counted: syncs after it keep it there.
    expect((await runCli(["sync", "--full", "--json"], { env: lost })).code).toBe(0);
    expect(shown()).toEqual(before);
    expect(server.violations()).toEqual([]);
  });

  test("a copy of a copy: each part of the history stays in the session that counted it first", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const [original, copy, copyOfCopy] = ["cccccccc-7777-4777-8777-777777777777", "bbbbbbbb-7777-4777-8777-777777777777", "aaaaaaaa-7777-4777-8777-777777777777"];
    const usage = (input: number, output: number) => ({ usage: { input, output, cacheCreation: 0, cacheRead: 0 } });
    const history = [user("Fix the flaky test", { sessionId: original }), assistant("msg_71", text("Fixed."), { sessionId: original, ...usage(100, 50) })];
    const more = [user("And the docs?", { sessionId: copy }), assistant("msg_72", text("Done."), { sessionId: copy, ...usage(40, 10) })];
    const env = envFor(claude.root);
    claude.write(`p/${original}.jsonl`, jsonl(history));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    claude.write(`p/${copy}.jsonl`, jsonl([...history, ...more]));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    claude.write(`p/${copyOfCopy}.jsonl`, jsonl([...history, ...more, user("Ship it", { sessionId: copyOfCopy }), assistant("msg_73", text("Shipped."), { sessionId: copyOfCopy, ...usage(5, 5) })]));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const shown = () => [original, copy, copyOfCopy].flatMap((id) => [server.session(id)?.promptTokens, server.session(id)?.completionTokens]);
    expect(shown()).toEqual([100, 50, 40, 10, 5, 5]);

    expect((await runCli(["sync", "--json"], { env: envFor(claude.root, tempHome()) })).code).toBe(0);
    expect(shown()).toEqual([100, 50, 40, 10, 5, 5]);
    expect(server.violations()).toEqual([]);
  });

  test("a new state whose first sync asks for one session (a hook's pass) reads everything once, and the copy counts only its own", async () => {
    const { claude, resumed, shown, before } = await syncedCopy("6666-4666-8666-666666666666");
    const lost = envFor(claude.root, tempHome());
    expect((await runCli(["sync", "--session", resumed], { env: lost })).code).toBe(0);
    expect(shown()).toEqual(before);
    expect((await runCli(["sync", "--full"], { env: lost })).code).toBe(0);
    expect(shown()).toEqual(before);
    expect(server.violations()).toEqual([]);
  });

  test("a new state that read everything but sent nothing (a wrong key) still asks the server before it sends", async () => {
    const { claude, shown, before } = await syncedCopy("5555-4555-8555-555555555555");
    const home = tempHome();
    const wrongKey = await runCli(["sync"], { env: { ...envFor(claude.root, home), CLAUDE_CODE_SYNC_API_KEY: `osk_${"w".repeat(32)}` } });
    expect(wrongKey.code).not.toBe(0);
    expect((await runCli(["sync", "--json"], { env: envFor(claude.root, home) })).code).toBe(0);
    expect(shown()).toEqual(before);
    expect(server.violations()).toEqual([]);
  });

  test("a server that counts the history in the copy (both first sent in one run) keeps it there", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const original = "bbbbbbbb-4444-4444-8444-444444444444";
    const resumed = "aaaaaaaa-4444-4444-8444-444444444444";
    const history = [
      user("Fix the flaky test", { sessionId: original }),
      assistant("msg_41", text("Looking."), { sessionId: original, usage: { input: 100, output: 50, cacheCreation: 0, cacheRead: 0 } }),
    ];
    claude.write(`p/${original}.jsonl`, jsonl([...history, user("More?", { sessionId: original }), assistant("msg_42", text("No."), { sessionId: original, usage: { input: 7, output: 8, cacheCreation: 0, cacheRead: 0 } })]));
    // Copied lines that carry the copy's own id (lines naming the original would make the history the original's: test/resumed-copy.test.ts).
    const copied = history.map((l) => ({ ...l, sessionId: resumed }));
    claude.write(`p/${resumed}.jsonl`, jsonl([...copied, user("And the docs?", { sessionId: resumed }), assistant("msg_43", text("Done."), { sessionId: resumed, usage: { input: 3, output: 4, cacheCreation: 0, cacheRead: 0 } })]));
    const env = envFor(claude.root);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const shown = () => [original, resumed].flatMap((id) => [server.session(id)?.promptTokens, server.session(id)?.completionTokens]);
    expect(shown()).toEqual([7, 8, 103, 54]);
    expect((await runCli(["sync", "--json"], { env: envFor(claude.root, tempHome()) })).code).toBe(0);
    expect(shown()).toEqual([7, 8, 103, 54]);
    expect(server.violations()).toEqual([]);
  });
});

describe("a forked session synced on its own before its parent (hooks: one session per pass)", () => {
  test("the fork's pass reads its parent too, so the copied responses are the parent's from the start and none is counted twice (found by an exploratory tester)", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const recent = join(import.meta.dir, "fixtures", "recent");
    const parent = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
    const fork = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
    claude.write(`p/${parent}.jsonl`, readFileSync(join(recent, "fork-parent.jsonl"), "utf8"));
    claude.write(`p/${fork}.jsonl`, readFileSync(join(recent, "fork-child.jsonl"), "utf8"));
    const env = envFor(claude.root);
    const shown = (id: string) => [server.session(id)?.promptTokens, server.session(id)?.completionTokens];
    expect((await runCli(["sync", "--session", fork], { env })).code).toBe(0);
    // msg_f1 (3 + 2000 in, 500 out) is the parent's; the fork keeps only msg_f2 (1 + 100 + 2000 in, 120 out).
    expect(shown(parent)).toEqual([2003, 500]);
    expect(shown(fork)).toEqual([2101, 120]);
    expect((await runCli(["sync", "--session", parent], { env })).code).toBe(0);
    expect(shown(parent)).toEqual([2003, 500]);
    expect(shown(fork)).toEqual([2101, 120]);
    expect(server.violations()).toEqual([]);
  });
});

describe("a session whose subagents' file comes before its own (Claude Code 2.0's Warmup agent)", () => {
  // Written just now, as in a live session (lines written long ago are a copy's: see the copied test). Made before
  // each test: made once, at load, they aged past a minute while the tests before them ran on a loaded machine.
  let start = 0;
  const at = (ms: number) => new Date(start + ms).toISOString();
  let warmup: object[] = [];
  let own: object[] = [];
  beforeEach(() => {
    start = Date.now() - 10_000;
    warmup = [
      user("Warmup", { isSidechain: true, agentId: "a1", timestamp: at(0) }),
      assistant("msg_w", text("Ready."), { isSidechain: true, agentId: "a1", timestamp: at(2_000) }),
    ];
    own = [user("Fix the flaky test", { timestamp: at(5_000) }), assistant("msg_1", text("Looking."), { timestamp: at(7_000) })];
  });

  test("waits for its own file, so the server keeps the start a read of all its files gives", async () => {
    server.reset();
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}/subagents/agent-a1.jsonl`, jsonl(warmup));
    const env = envFor(claude.root);
    const early = await runCli(["sync", "--json"], { env });
    expect(early.code).toBe(0);
    expect(server.session(SESSION)).toBeUndefined();
    expect(JSON.parse(early.stdout)).toMatchObject({ beingWritten: 1 });

    claude.write(`p/${SESSION}.jsonl`, jsonl(own));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const dry = JSON.parse((await runCli(["sync", "--dry-run", "--json"], { env })).stdout).sessions[0];
    expect(dry.createdAt).toBe(Date.parse(at(0)));
    expect(server.session(SESSION)).toMatchObject({ createdAt: dry.createdAt, title: dry.title });
    expect(server.session(SESSION)?.messages.length).toBe(dry.messageCount);
    expect(server.violations()).toEqual([]);
  });

  test("without its own file, it goes once its files are quiet, although they did not change", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const agent = claude.write(`p/${SESSION}/subagents/agent-a1.jsonl`, jsonl(warmup));
    const env = envFor(claude.root);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    expect(server.session(SESSION)).toBeUndefined();
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(agent, twoMinutesAgo, twoMinutesAgo);
    const quiet = await runCli(["sync", "--json"], { env });
    expect(JSON.parse(quiet.stdout)).toMatchObject({ bytesRead: 0, beingWritten: 0, pending: { sessions: 0, messages: 0 } });
    expect(server.session(SESSION)).toMatchObject({ createdAt: Date.parse(at(0)) });
    expect(server.session(SESSION)?.messages.length).toBe(2);
    expect(server.violations()).toEqual([]);
  });

  test("its own file coming after its files were quiet (the user waited over a minute at the first prompt): the server keeps the start a read of all its files gives", async () => {
    // Claude Code started 3 minutes ago and wrote its Warmup agent; the first prompt came just now. A sync (or the hooks'
    // runner, a minute after the SessionStart's look) in between sends the session: its start can never change after.
    server.reset();
    const claude = tempClaudeDir();
    const started = Date.now() - 180_000;
    const sent = (ms: number) => new Date(started + ms).toISOString();
    const agent = claude.write(
      `p/${SESSION}/subagents/agent-a1.jsonl`,
      jsonl([user("Warmup", { isSidechain: true, agentId: "a1", timestamp: sent(0) }), assistant("msg_w", text("Ready."), { isSidechain: true, agentId: "a1", timestamp: sent(2_000) })]),
    );
    const idle = new Date(started + 2_000);
    utimesSync(agent, idle, idle);
    const env = envFor(claude.root);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    expect(server.session(SESSION)).toBeDefined();

    claude.write(`p/${SESSION}.jsonl`, jsonl([user("Fix the flaky test", { timestamp: sent(175_000) }), assistant("msg_1", text("Looking."), { timestamp: sent(177_000) })]));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const dry = JSON.parse((await runCli(["sync", "--dry-run", "--json"], { env })).stdout).sessions[0];
    expect(server.session(SESSION)).toMatchObject({ createdAt: dry.createdAt, durationMs: dry.durationMs, title: "Fix the flaky test" });
    expect(dry.createdAt).toBe(started);
    expect(server.violations()).toEqual([]);
  });

  test("copied (new files of lines written long ago), without its own file: it goes at once (found by an exploratory user)", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const old = (t: string) => ({ isSidechain: true, agentId: "a1", timestamp: t });
    claude.write(`p/${SESSION}/subagents/agent-a1.jsonl`, jsonl([user("Warmup", old("2025-10-01T09:59:00.000Z")), assistant("msg_w", text("Ready."), old("2025-10-01T09:59:02.000Z"))]));
    const r = await runCli(["sync", "--json"], { env: envFor(claude.root) });
    expect(JSON.parse(r.stdout)).toMatchObject({ beingWritten: 0, pending: { sessions: 0, messages: 0 } });
    expect(server.session(SESSION)?.messages.length).toBe(2);
  });

  test("files dated ahead of the clock (a clock set wrong) are no write to wait for", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const agent = claude.write(`p/${SESSION}/subagents/agent-a1.jsonl`, jsonl(warmup));
    const tomorrow = new Date(Date.now() + 86_400_000);
    utimesSync(agent, tomorrow, tomorrow);
    const r = await runCli(["sync", "--json"], { env: envFor(claude.root) });
    expect(JSON.parse(r.stdout)).toMatchObject({ beingWritten: 0, pending: { sessions: 0, messages: 0 } });
    expect(server.session(SESSION)?.messages.length).toBe(2);
  });
});

describe("incremental sync", () => {
  test("only what was appended is read and sent; the session's totals follow", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const path = claude.write(
      `p/${SESSION}.jsonl`,
      jsonl([
        user("Fix the flaky test"),
        assistant("msg_1", text("Looking."), { usage: { input: 10, output: 5, cacheCreation: 0, cacheRead: 0 } }),
        assistant("msg_1", toolUse("toolu_1", "Bash", { command: "bun test" }), { usage: { input: 10, output: 5, cacheCreation: 0, cacheRead: 0 } }),
        toolResult("toolu_1", "1 fail"),
      ]),
    );
    const env = envFor(claude.root);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    expect(server.session(SESSION)?.messages.length).toBe(3);
    const before = writes();

    appendFileSync(path, jsonl([assistant("msg_2", text("Fixed."), { usage: { input: 20, output: 7, cacheCreation: 0, cacheRead: 0 } })]));
    const r = await runCli(["sync", "--json"], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).bytesRead).toBeLessThan(1000);
    const after = writes();
    expect(after.messages - before.messages).toBe(1);
    expect(after.sessions - before.sessions).toBe(1);
    const s = server.session(SESSION);
    expect(s?.messages.length).toBe(4);
    expect(s?.promptTokens).toBe(30);
    expect(s?.completionTokens).toBe(12);
    expect(server.violations()).toEqual([]);
  });

  test("a later line with an earlier time: the session's createdAt is the same whether it was read in steps or in one go", async () => {
    // Claude Code writes the lines of local commands run before the first prompt later, with their own earlier times.
    const first = [user("Refactor the parser"), assistant("msg_1", text("On it."), { usage: { input: 10, output: 5, cacheCreation: 0, cacheRead: 0 } })];
    const later = [
      user("<local-command-stdout>Set model to opus</local-command-stdout>", { timestamp: "2025-01-01T00:00:00.000Z" }),
      user("Now add tests"),
      assistant("msg_2", text("Added."), { usage: { input: 20, output: 7, cacheCreation: 0, cacheRead: 0 } }),
    ];
    const firstAt = Date.parse((first[0] as { timestamp: string }).timestamp);

    server.reset();
    const stepwise = tempClaudeDir();
    const path = stepwise.write(`p/${SESSION}.jsonl`, jsonl(first));
    const env = envFor(stepwise.root);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    appendFileSync(path, jsonl(later));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const steps = server.session(SESSION);

    server.reset();
    const whole = tempClaudeDir();
    whole.write(`p/${SESSION}.jsonl`, jsonl([...first, ...later]));
    expect((await runCli(["sync"], { env: envFor(whole.root) })).code).toBe(0);
    const once = server.session(SESSION);
    const dry = JSON.parse((await runCli(["sync", "--dry-run", "--json"], { env: envFor(whole.root) })).stdout).sessions[0];

    expect(steps?.createdAt).toBe(firstAt);
    expect(once?.createdAt).toBe(firstAt);
    expect(dry.createdAt).toBe(firstAt);
    const shown = (x: typeof once) => ({
      title: x?.title,
      createdAt: x?.createdAt,
      durationMs: x?.durationMs,
      tokens: [x?.promptTokens, x?.completionTokens],
      messages: x?.messages.map((m) => [m.externalId, m.createdAt, m.textContent]).sort(),
    });
    expect(shown(steps)).toEqual(shown(once));
    expect(server.violations()).toEqual([]);
  });

  test("a subagent's meta file there only after its first lines were synced: its task then shows its type and description, as a sync in one go shows it (found by an exploratory tester)", async () => {
    const agent = "a1b2c3d4e5f60718";
    const side = { isSidechain: true, agentId: agent };
    const main = [user("Why is the total wrong?"), assistant("msg_1", toolUse("toolu_1", "Task", { description: "Find discount code", prompt: "Find where discounts apply" }))];
    const first = [user("Find where discounts apply", { ...side, uuid: "sa-u1" }), assistant("msg_s1", toolUse("toolu_s1", "Grep", { pattern: "discount" }), side)];
    const later = [toolResult("toolu_s1", "src/discount.ts:40", side), assistant("msg_s2", text("In src/discount.ts."), side)];
    const agentFile = `p/${SESSION}/subagents/agent-${agent}.jsonl`;
    const meta = JSON.stringify({ agentType: "Explore", description: "Find discount code", spawnDepth: 1 });
    const task = () => server.session(SESSION)?.messages.find((m) => m.externalId === `${SESSION}:sa-u1`)?.textContent;

    server.reset();
    const stepwise = tempClaudeDir();
    stepwise.write(`p/${SESSION}.jsonl`, jsonl(main));
    const path = stepwise.write(agentFile, jsonl(first));
    const env = envFor(stepwise.root);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    expect(task()?.startsWith("Subagent\n")).toBe(true);
    stepwise.write(agentFile.replace(".jsonl", ".meta.json"), meta);
    appendFileSync(path, jsonl(later));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const steps = server.session(SESSION);

    server.reset();
    const whole = tempClaudeDir();
    whole.write(`p/${SESSION}.jsonl`, jsonl(main));
    whole.write(agentFile, jsonl([...first, ...later]));
    whole.write(agentFile.replace(".jsonl", ".meta.json"), meta);
    expect((await runCli(["sync"], { env: envFor(whole.root) })).code).toBe(0);
    const once = server.session(SESSION);

    expect(task()?.startsWith("Subagent Explore: Find discount code\n")).toBe(true);
    const shown = (x: typeof once) => ({ tokens: [x?.promptTokens, x?.completionTokens], messages: x?.messages.map((m) => [m.externalId, m.textContent]).sort() });
    expect(shown(steps)).toEqual(shown(once));
    expect(server.violations()).toEqual([]);
  });

  test("a file rewritten shorter is read again from the start without duplicates", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const lines = [user("one"), assistant("msg_1", text("a")), user("two"), assistant("msg_2", text("b"))];
    const path = claude.write(`p/${SESSION}.jsonl`, jsonl(lines));
    const env = envFor(claude.root);
    await runCli(["sync"], { env });
    claude.write(`p/${SESSION}.jsonl`, jsonl(lines.slice(0, 2)));
    const r = await runCli(["sync", "--json"], { env });
    expect(r.code).toBe(0);
    expect(server.session(SESSION)?.messages.length).toBe(4); // nothing is ever deleted remotely
    expect(readFileSync(path, "utf8").split("\n").length).toBe(3);
    expect(server.violations()).toEqual([]);
  });

  test("a transcript moved to another project folder (a worktree entered, 2.1.2xx), a stub left behind: nothing sent again, the new turn sent, the totals whole", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const usage = (input: number) => ({ usage: { input, output: 5, cacheCreation: 0, cacheRead: 0 } });
    const lines = [user("Start the refactor"), assistant("msg_1", text("On it."), usage(10)), user("Go on"), assistant("msg_2", text("Done."), usage(20))];
    const old = claude.write(`-home-dev-app/${SESSION}.jsonl`, jsonl(lines));
    const env = envFor(claude.root);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const before = writes();

    const moved = join(claude.projects, "-home-dev-app-wt", `${SESSION}.jsonl`);
    mkdirSync(dirname(moved), { recursive: true });
    renameSync(old, moved);
    appendFileSync(moved, jsonl([{ type: "relocated", sessionId: SESSION, relocatedCwd: "/home/dev/app-wt" }, user("Now the tests"), assistant("msg_3", text("Green."), usage(30))]));
    claude.write(`-home-dev-app/${SESSION}.jsonl`, jsonl([{ type: "ai-title", sessionId: SESSION, aiTitle: "Refactor" }, { type: "worktree-state", sessionId: SESSION }]));
    const r = await runCli(["sync", "--json"], { env });
    expect(r.code).toBe(0);
    expect(writes().messages - before.messages).toBe(2);
    const s = server.session(SESSION);
    expect(s?.messages.length).toBe(6);
    expect(s?.promptTokens).toBe(60);
    expect(s?.completionTokens).toBe(15);
    expect(server.violations()).toEqual([]);
  });

  test("a transcript copied into a second project folder: the dry run counts its messages once, as the server holds them (found by an exploratory tester)", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const usage = (input: number) => ({ usage: { input, output: 5, cacheCreation: 0, cacheRead: 0 } });
    const lines = jsonl([user("Start"), assistant("msg_1", toolUse("t1", "Read", { file_path: "/a.ts" }), usage(10)), toolResult("t1", "x"), assistant("msg_2", text("Done."), usage(20))]);
    claude.write(`-home-dev-app/${SESSION}.jsonl`, lines);
    claude.write(`-home-dev-app-copy/${SESSION}.jsonl`, lines);
    const env = envFor(claude.root);
    const dry = JSON.parse((await runCli(["sync", "--dry-run", "--json"], { env })).stdout);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    expect(server.session(SESSION)?.messages.length).toBe(4);
    expect(dry.sessions[0].messageCount).toBe(4);
    expect(dry.sessions[0].promptTokens).toBe(server.session(SESSION)?.promptTokens);
  });

  test("--full reads everything again but sends nothing unchanged", async () => {
    server.reset();
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("hello"), assistant("msg_1", text("hi"))]));
    const env = envFor(claude.root);
    await runCli(["sync"], { env });
    const before = writes();
    const r = await runCli(["sync", "--full", "--json"], { env });
    expect(JSON.parse(r.stdout).sessionsRead).toBe(1);
    expect(writes()).toEqual(before);
  });
});

describe("failures", () => {
  test("not logged in: a clear error, exit 2", async () => {
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("x")]));
    const r = await runCli(["sync"], { env: { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("claude-code-sync login");
  });

  test("a wrong key stops the run with exit 2 and marks nothing sent", async () => {
    server.reset();
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("x"), assistant("msg_1", text("y"))]));
    const home = tempHome();
    const env = { ...envFor(claude.root, home), CLAUDE_CODE_SYNC_API_KEY: `osk_${"x".repeat(32)}` };
    const r = await runCli(["sync"], { env });
    expect(r.code).toBe(2);
    expect(`${r.stdout}${r.stderr}`).toContain("claude-code-sync login");
    expect(`${r.stdout}${r.stderr}`).not.toContain("x".repeat(32));
    const good = await runCli(["sync", "--json"], { env: envFor(claude.root, home) });
    expect(JSON.parse(good.stdout).messagesSent).toBe(2);
  });

  test("nothing new, but the key was revoked since: the sync says so (exit 2), not that all is synced", async () => {
    const env = await syncedOnce();
    const idle = await runCli(["sync", "--json"], { env });
    expect(idle.code).toBe(0);
    expect(JSON.parse(idle.stdout)).toMatchObject({ ok: true, messagesSent: 0 });

    server.rotateKey();
    const revoked = await runCli(["sync", "--json"], { env });
    expect(revoked.code).toBe(2);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ ok: false, code: "auth-refused", messagesSent: 0 });
    const plain = await runCli(["sync"], { env });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain("refused the API key");
  });

  test("nothing new, and the server drops the connection of that check once: all synced (exit 0); out of reach, it says so", async () => {
    const env = await syncedOnce();
    server.setFaults({ rules: [{ method: "GET", path: "/api/sessions", kind: "drop", times: 1 }] });
    const blip = await runCli(["sync", "--json"], { env });
    expect({ code: blip.code, out: JSON.parse(blip.stdout) }).toMatchObject({ code: 0, out: { ok: true, messagesSent: 0 } });
    server.setFaults({ rules: [{ method: "GET", path: "/api/sessions", kind: "drop", times: 5 }] });
    const down = await runCli(["sync", "--json"], { env });
    expect({ code: down.code, out: JSON.parse(down.stdout) }).toMatchObject({ code: 1, out: { ok: false, code: "server-unreachable" } });
    server.setFaults({});
  });

  test("nothing new, but the user deleted all data on the server: the sync says the server lacks the sessions and what sends them again", async () => {
    const env = await syncedOnce();
    const idle = await runCli(["sync", "--json"], { env });
    expect(JSON.parse(idle.stdout).missingOnServer).toBeUndefined();

    server.deleteAllData();
    const after = await runCli(["sync", "--json"], { env });
    expect(JSON.parse(after.stdout)).toMatchObject({ messagesSent: 0, missingOnServer: 1 });
    const plain = await runCli(["sync"], { env });
    expect(plain.stdout).toContain("The server no longer has 1 session sent from here");
    expect(plain.stdout).toContain("claude-code-sync sync --full");
    const full = await runCli(["sync", "--full", "--json"], { env });
    expect(JSON.parse(full.stdout).missingOnServer).toBeUndefined();
    expect(server.session(SESSION)?.messages.length).toBe(2);
  });

  test("--json: a refused key, a wrong URL and no login each give JSON with a code and a fix for where the value came from", async () => {
    server.reset();
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("x")]));
    const cases = [
      [{ CLAUDE_CODE_SYNC_API_KEY: `osk_${"y".repeat(32)}` }, 2, "auth-refused", "set $CLAUDE_CODE_SYNC_API_KEY to the current key"],
      [{ CLAUDE_CODE_SYNC_URL: `${server.url}/nope` }, 2, "url-not-found", "set $CLAUDE_CODE_SYNC_URL to the sync API's address, or unset it"],
      [{ CLAUDE_CODE_SYNC_URL: "", CLAUDE_CODE_SYNC_API_KEY: "" }, 2, "not-logged-in", "claude-code-sync login"],
    ] as const;
    for (const [override, exitCode, code, fix] of cases) {
      const r = await runCli(["sync", "--json"], { env: { ...envFor(claude.root), ...override } });
      expect({ code, exitCode: r.code }).toEqual({ code, exitCode });
      const out = JSON.parse(r.stdout);
      expect(out.code).toBe(code);
      expect(out.error).toContain(fix);
      expect(r.stdout).not.toContain("y".repeat(32));
    }
    expect(server.dump()).toEqual([]);
  });

  test("a message too big for the server goes cut and marked, and the summary and --json count it", async () => {
    server.reset();
    const claude = tempClaudeDir();
    const huge = "x".repeat(2_000_000);
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("print it"), assistant("msg_1", text(huge)), assistant("msg_2", text("done"))]));
    const env = envFor(claude.root);
    const r = await runCli(["sync", "--json"], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, messagesSent: 3, messagesCut: 1 });
    const sent = server.session(SESSION)?.messages.find((m) => m.textContent?.startsWith("xxx"))?.textContent ?? "";
    // Booleans: a failure must not print two megabytes.
    expect(sent.length < huge.length).toBe(true);
    expect(/…\[truncated \d+ bytes by claude-code-sync\]$/.test(sent)).toBe(true);
    // Read again from the start (a new state), the plain summary says it.
    const again = await runCli(["sync", "--full"], { env: { ...env, HOME: tempHome() } });
    expect(again.stdout).toContain("Cut 1 message to the size OpenSync stores of one message; each is marked where it was cut.");
  }, 60_000);

  test("a server that does not answer: a sync without a terminal says it is retrying, and why, before it gives up", async () => {
    server.reset();
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("x"), assistant("msg_1", text("y"))]));
    server.setFaults({ failureRate: 1, failureKinds: ["hang"] });
    const r = await runCli(["sync"], { env: { ...envFor(claude.root), CLAUDE_CODE_SYNC_TIMEOUT_MS: "500" }, timeoutMs: 60_000 });
    server.setFaults({});
    expect(r.code).toBe(1);
    const lines = r.stderr.split("\n");
    const retrying = lines.filter((l) => l.endsWith("; retrying…"));
    expect(retrying[0]).toContain("no answer within 0.5 s");
    // Said once, not once per failed write: the next line may come only 15 s later.
    expect(retrying.length).toBe(1);
    expect(lines.indexOf(retrying[0] as string)).toBeLessThan(lines.findIndex((l) => l.startsWith("claude-code-sync: ")));
  }, 60_000);

  test("server unreachable: everything stays pending, exit 1, and the next sync sends it", async () => {
    server.reset();
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}.jsonl`, jsonl([user("x"), assistant("msg_1", text("y"))]));
    const env = envFor(claude.root);
    server.setFaults({ failureRate: 1, failureKinds: ["drop"] });
    const down = await runCli(["sync", "--json"], { env });
    server.setFaults({});
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout)).toMatchObject({ pending: { sessions: 1, messages: 2 }, code: "server-unreachable" });
    expect(server.dump()).toEqual([]);
    const up = await runCli(["sync", "--json"], { env });
    expect(JSON.parse(up.stdout)).toMatchObject({ ok: true, messagesSent: 2 });
    expect(server.session(SESSION)?.messages.length).toBe(2);
  });
});
