import { describe, expect, test } from "bun:test";
import { type RecordBatch, type UsageRecord, UsageLedger, tokensOf } from "../src/fold/usage-ledger.ts";
import { placeShared } from "../src/state/placement.ts";
import { readAll } from "./helpers/read.ts";
import { assistant, jsonl, tempClaudeDir, text } from "./helpers/transcript.ts";

const record = (key: string | null, output: number, extra: Partial<UsageRecord> = {}): UsageRecord => ({
  key,
  sessionId: "s1",
  sidechain: false,
  model: "claude-sonnet-4-5",
  tokens: { input: 1, output, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 },
  ...extra,
});

const outputs = (ledger: UsageLedger) => [...ledger.records()].map((r) => r.tokens.output);

describe("tokensOf: cache writes", () => {
  const writes = (total: number | undefined, split?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number }) => {
    const t = tokensOf({ input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 3, cache_creation_input_tokens: total, cache_creation: split });
    return [t.cacheWrite5m, t.cacheWrite1h];
  };
  test.each([
    ["no split: all 5-minute writes", 1000, undefined, [1000, 0]],
    ["a split that adds up", 1000, { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 }, [400, 600]],
    ["a split of zeros under a total (found by an exploratory tester)", 1000, { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 }, [1000, 0]],
    ["a 1-hour side alone, under the total: the rest are 5-minute writes", 1000, { ephemeral_1h_input_tokens: 600 }, [400, 600]],
    ["a split without a total", undefined, { ephemeral_5m_input_tokens: 5, ephemeral_1h_input_tokens: 7 }, [5, 7]],
    ["a split above the total keeps its own figures", 10, { ephemeral_5m_input_tokens: 5, ephemeral_1h_input_tokens: 7 }, [5, 7]],
  ] as const)("%s", (_name, total, split, expected) => {
    expect(writes(total, split)).toEqual([...expected]);
  });
});

describe("UsageLedger", () => {
  test("copies of one key count once, the larger copy's figures in the first copy's place", () => {
    const ledger = new UsageLedger();
    ledger.add(record("msg_a:req_a", 5));
    ledger.add(record("msg_b:req_b", 7));
    ledger.add(record("msg_a:req_a", 9));
    ledger.add(record("msg_a:req_a", 2));
    expect(outputs(ledger)).toEqual([9, 7]);
  });

  test("a main-thread copy wins over a larger sidechain copy; lines without a key are all kept (the same line read twice, once)", () => {
    const ledger = new UsageLedger();
    ledger.add(record("k", 50, { sidechain: true }));
    ledger.add(record("k", 10));
    ledger.add(record(null, 1, { lineId: "u1" }));
    ledger.add(record(null, 1, { lineId: "u2" }));
    ledger.add(record(null, 1, { lineId: "u2" }));
    expect([...ledger.records()].map((r) => [r.tokens.output, r.sidechain])).toEqual([
      [10, false],
      [1, false],
      [1, false],
    ]);
  });

  test("batches merge in order with the same rules, across sessions: the preferred copy brings its session", () => {
    const first = new UsageLedger();
    first.add(record("shared", 3));
    first.add(record("own-1", 4));
    const second = new UsageLedger();
    second.add(record("shared", 8, { sessionId: "s2" }));
    second.add(record("own-2", 6, { sessionId: "s2", model: "claude-opus-4-1", speed: "fast" }));
    const merged = new UsageLedger();
    merged.addBatch(first.toBatch());
    merged.addBatch(second.toBatch());
    expect([...merged.records()].map((r) => [r.sessionId, r.model, r.tokens.output, r.speed])).toEqual([
      ["s2", "claude-sonnet-4-5", 8, undefined],
      ["s1", "claude-sonnet-4-5", 4, undefined],
      ["s2", "claude-opus-4-1", 6, "fast"],
    ]);
  });

  test("two keys sharing a lookup hash stay apart; a copy of either still deduplicates", () => {
    const ledger = new UsageLedger();
    ledger.add(record("x", 1));
    const batch = ledger.toBatch();
    const row = (keyHash: number, keyCheck: number, output: number): RecordBatch => ({
      ...batch,
      keyHash: new Float64Array([keyHash]),
      keyCheck: new Uint32Array([keyCheck]),
      tokens: new Float64Array([1, output, 0, 0, 0]),
    });
    const merged = new UsageLedger();
    for (const b of [row(42, 1, 10), row(42, 2, 20), row(42, 2, 25), row(42, 1, 5), row(42, 3, 30)]) merged.addBatch(b);
    expect(outputs(merged)).toEqual([10, 25, 30]);
  });

  test("between equal copies, the one read from the file first by path counts, whatever the order they come in (as ccusage)", () => {
    const a = { sessionId: "fork", file: "/p/-a/aaaa.jsonl" };
    const z = { sessionId: "parent", file: "/p/-a/zzzz.jsonl" };
    for (const order of [
      [a, z],
      [z, a],
    ]) {
      const ledger = new UsageLedger();
      for (const where of order) ledger.add(record("shared", 10, where));
      const merged = new UsageLedger();
      for (const where of order) {
        const one = new UsageLedger();
        one.add(record("shared", 10, where));
        merged.addBatch(one.toBatch());
      }
      expect([...ledger.records()].map((r) => r.sessionId)).toEqual(["fork"]);
      expect([...merged.records()].map((r) => r.sessionId)).toEqual(["fork"]);
    }
  });

  test("between equal copies, the original's line counts over a resumed copy of it that names the original, whichever file sorts first, added or merged", () => {
    const copy = { sessionId: "resumed", file: "/p/-a/aaaa.jsonl", copy: true };
    const original = { sessionId: "original", file: "/p/-a/zzzz.jsonl" };
    for (const order of [
      [copy, original],
      [original, copy],
    ]) {
      const ledger = new UsageLedger();
      for (const where of order) ledger.add(record("shared", 10, where));
      const merged = new UsageLedger();
      for (const where of order) {
        const one = new UsageLedger();
        one.add(record("shared", 10, where));
        merged.addBatch(one.toBatch());
      }
      expect([...ledger.records()].map((r) => r.sessionId)).toEqual(["original"]);
      expect([...merged.records()].map((r) => r.sessionId)).toEqual(["original"]);
    }
  });

  test("time, speed, geo and iterations survive a batch merge; the preferred copy brings its own", () => {
    const iterations = [{ kind: "advisor_message", model: "claude-opus-4-8", tokens: { input: 9, output: 8, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 7 } }];
    const first = new UsageLedger();
    first.add(record("k", 5, { at: 1000, speed: "fast", inferenceGeo: "us", iterations }));
    first.add(record("plain", 1));
    const second = new UsageLedger();
    second.add(record("k", 4, { sessionId: "s2", at: 2000, speed: "standard" }));
    const merged = new UsageLedger();
    merged.addBatch(first.toBatch());
    const fields = (l: UsageLedger) => [...l.records()].map(({ sessionId, at, speed, inferenceGeo, iterations: it }) => ({ sessionId, at, speed, inferenceGeo, it }));
    expect(fields(merged)).toEqual([
      { sessionId: "s1", at: 1000, speed: "fast", inferenceGeo: "us", it: iterations },
      { sessionId: "s1", at: undefined, speed: undefined, inferenceGeo: undefined, it: undefined },
    ]);
    // A larger copy (here in another session; larger than the first with its advisor's 24 tokens) replaces it, with its own fields.
    second.add(record("k", 40, { sessionId: "s2", at: 2000, speed: "standard" }));
    merged.addBatch(second.toBatch());
    expect(fields(merged)[0]).toEqual({ sessionId: "s2", at: 2000, speed: "standard", inferenceGeo: undefined, it: undefined });
  });
});

describe("a copy that carries the turns billed outside the top level (an advisor's) beats one of equal top level without them, as ccusage counts it", () => {
  const iterations = [{ kind: "advisor_message", model: "claude-opus-5", tokens: { input: 5000, output: 500, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 } }];
  test.each([
    ["added, the one with them last", [record("k", 100), record("k", 100, { iterations })]],
    ["added, the one with them first", [record("k", 100, { iterations }), record("k", 100)]],
  ] as const)("%s", (_name, copies) => {
    const ledger = new UsageLedger();
    for (const r of copies) ledger.add(r);
    expect([...ledger.records()].map((r) => r.iterations)).toEqual([iterations]);
    const merged = new UsageLedger();
    for (const r of copies) {
      const one = new UsageLedger();
      one.add(r);
      merged.addBatch(one.toBatch());
    }
    expect([...merged.records()].map((r) => r.iterations)).toEqual([iterations]);
  });

  test("read from a transcript: a response whose last line alone carries the advisor's iteration", async () => {
    const claude = tempClaudeDir();
    const usage = { input: 10, output: 100, cacheCreation: 0, cacheRead: 0 };
    const last = assistant("msg_adv", text("done"), { model: "claude-sonnet-5", usage });
    const advisor = { type: "advisor_message", model: "claude-opus-5", input_tokens: 5000, output_tokens: 500, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    Object.assign(last.message.usage, { iterations: [{ type: "message", input_tokens: 10, output_tokens: 100 }, advisor] });
    claude.write("p/s.jsonl", jsonl([assistant("msg_adv", { type: "thinking", thinking: "", signature: "x" }, { model: "claude-sonnet-5", usage, stopReason: null }), last]));
    const { sessions } = await readAll([claude.projects]);
    // ccusage 20.0.24 on this file: 5010 in, 600 out, $0.03852 (Sonnet 5's 10 in and 100 out, Opus 5's 5000 in and 500 out).
    expect(sessions.map((s) => [s.usage.inputTokens, s.usage.outputTokens, s.cost])).toEqual([[5010, 600, 0.03852]]);
  });
});

describe("which lines are one response, read from transcripts", () => {
  // Observed with ccusage 20.0.24's native binary on these two files: session A 6 in / 24 out, session B 3 / 12.
  test("a message id without a request id is one response within its session only; with one, across sessions", async () => {
    const A = "aaaaaaaa-1111-4111-8111-111111111111";
    const B = "bbbbbbbb-2222-4222-8222-222222222222";
    const claude = tempClaudeDir();
    const usage = { input: 3, output: 12, cacheCreation: 0, cacheRead: 0 };
    for (const sessionId of [A, B]) {
      claude.write(
        `p/${sessionId}.jsonl`,
        jsonl([
          // A gateway's reply: no request id, and a message id another session's reply has too.
          withoutRequestId(assistant("msg_gateway", text("hi"), { sessionId, usage })),
          assistant("msg_copied", text("hi"), { sessionId, usage, requestId: "req_same" }),
        ]),
      );
    }
    const { sessions } = await readAll([claude.projects]);
    const byId = new Map(sessions.map((s) => [s.externalId, s.usage]));
    expect(byId.get(A)).toMatchObject({ inputTokens: 6, outputTokens: 24 });
    expect(byId.get(B)).toMatchObject({ inputTokens: 3, outputTokens: 12 });
  });

  // Observed with ccusage 20.0.24 on these two files: the original 3 in / 12 out, the resumed session 4 / 16.
  test("a session resumed into a new file copies a reply without a request id as its original's line: counted once, in the original", async () => {
    const ORIGINAL = "cccccccc-3333-4333-8333-333333333333";
    const RESUMED = "dddddddd-4444-4444-8444-444444444444";
    const claude = tempClaudeDir();
    const first = withoutRequestId(assistant("msg_gateway", text("hi"), { sessionId: ORIGINAL, usage: { input: 3, output: 12, cacheCreation: 0, cacheRead: 0 } }));
    claude.write(`p/${ORIGINAL}.jsonl`, jsonl([first]));
    // The copy keeps the original's session id, as Claude Code writes a resumed session's history.
    const own = withoutRequestId(assistant("msg_own", text("more"), { sessionId: RESUMED, usage: { input: 4, output: 16, cacheCreation: 0, cacheRead: 0 } }));
    claude.write(`p/${RESUMED}.jsonl`, jsonl([first, own]));
    const { sessions } = await readAll([claude.projects]);
    const byId = new Map(sessions.map((s) => [s.externalId, s.usage]));
    expect(byId.get(ORIGINAL)).toMatchObject({ inputTokens: 3, outputTokens: 12 });
    expect(byId.get(RESUMED)).toMatchObject({ inputTokens: 4, outputTokens: 16 });
  });
});

describe("usage counts written as null", () => {
  // The API's usage allows null cache counts, and Bedrock's message_start sends them (cache_creation_input_tokens: null,
  // cache_read_input_tokens: null): Claude Code copies that usage onto a response's first lines. Such a line was unreadable,
  // and its response's text and tokens were lost (ccusage 20.0.24 drops them too).
  test("count as 0: the line is read, its text shown and its other tokens counted", async () => {
    const claude = tempClaudeDir();
    const nulls = { cache_creation_input_tokens: null, cache_read_input_tokens: null, cache_creation: { ephemeral_5m_input_tokens: null, ephemeral_1h_input_tokens: null } };
    const withUsage = <T extends { message: { usage: object } }>(line: T, usage: object): T => ({ ...line, message: { ...line.message, usage: { ...line.message.usage, ...usage } } });
    claude.write(
      "p/s.jsonl",
      jsonl([
        // A response's first line (message_start's usage: nulls, a placeholder output), then its last with the final usage.
        withUsage(assistant("msg_1", text("Looking."), { usage: { input: 10, output: 1 }, stopReason: null }), nulls),
        assistant("msg_1", text("Found it."), { usage: { input: 10, output: 50, cacheCreation: 100, cacheRead: 1000 } }),
        // A response whose only line has them.
        withUsage(assistant("msg_2", text("Done."), { usage: { input: 7, output: 20 } }), nulls),
      ]),
    );
    const texts: string[] = [];
    const usage = { inputTokens: 17, outputTokens: 70, cacheCreationTokens: 100, cacheReadTokens: 1000 };
    // As a sync reads (messages built), and as a dry run counts (skimmed lines).
    const { sessions } = await readAll([claude.projects], undefined, { onMessage: (m) => texts.push(m.textContent ?? "") });
    expect(sessions[0]?.usage).toEqual(usage);
    expect(texts).toEqual(["Looking.\n\nFound it.", "Done."]);
    expect((await readAll([claude.projects])).sessions[0]?.usage).toEqual(usage);
  });
});

function withoutRequestId<T extends object>(line: T): T {
  const { requestId: _, ...rest } = line as T & { requestId?: string };
  return rest as T;
}

describe("placeShared: where the server counts the responses sessions it holds share (a lost state)", () => {
  const t = (promptTokens: number, completionTokens: number) => ({ promptTokens, completionTokens });
  const history = t(300, 120);
  const sessions = (...pairs: Array<[string, ReturnType<typeof t>]>) => new Map(pairs);
  // The history, as both the original (o) and the copy (c) report it.
  const shared = [sessions(["o", history], ["c", history])];

  test("in the original, whatever the size of the copy's own part", () => {
    expect(placeShared(sessions(["o", t(0, 0)], ["c", t(3, 4)]), sessions(["o", history], ["c", t(3, 4)]), shared, ["c"])).toEqual(["o"]);
    expect(placeShared(sessions(["o", t(0, 0)], ["c", t(9000, 800)]), sessions(["o", history], ["c", t(9000, 800)]), shared, ["c"])).toEqual(["o"]);
  });

  test("in the copy, when both were first sent in one run and the copy sorted first: kept there", () => {
    expect(placeShared(sessions(["o", t(7, 8)], ["c", t(3, 4)]), sessions(["o", t(7, 8)], ["c", t(303, 124)]), shared, ["c"])).toBeUndefined();
    expect(placeShared(sessions(["o", t(7, 8)], ["c", t(3, 4)]), sessions(["o", t(7, 8)], ["c", t(303, 124)]), shared, ["o"])).toEqual(["c"]);
  });

  test("sessions that grew since the server's totals move every placement alike", () => {
    expect(placeShared(sessions(["o", t(0, 0)], ["c", t(53, 64)]), sessions(["o", history], ["c", t(3, 4)]), shared, ["c"])).toEqual(["o"]);
  });

  test("a copy of a copy: each class goes to the session that held it first", () => {
    // o holds the history; c1 (resumed from o) added a1; c2 (resumed from c1) added a2; c1's own part is shared by c2.
    const a1 = t(40, 10);
    const classes = [sessions(["o", history], ["c1", history], ["c2", history]), sessions(["c1", a1], ["c2", a1])];
    const server = sessions(["o", history], ["c1", a1], ["c2", t(5, 5)]);
    const base = sessions(["o", t(0, 0)], ["c1", t(0, 0)], ["c2", t(5, 5)]);
    // The read put both classes in c2, whose file sorts first; pairwise choices would leave o at 0 (and the server at 300).
    expect(placeShared(base, server, classes, ["c2", "c2"])).toEqual(["o", "c1"]);
  });

  test("totals that fit every placement as well change nothing; a mixed placement is made whole", () => {
    expect(placeShared(sessions(["o", t(0, 0)], ["c", t(0, 0)]), sessions(["o", t(150, 60)], ["c", t(150, 60)]), shared, ["c"])).toBeUndefined();
    expect(placeShared(sessions(["o", t(0, 0)], ["c", t(3, 4)]), sessions(["o", history], ["c", t(3, 4)]), shared, [undefined])).toEqual(["o"]);
  });
});
