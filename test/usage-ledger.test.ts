import { describe, expect, test } from "bun:test";
import { type RecordBatch, type UsageRecord, UsageLedger } from "../src/fold/usage-ledger.ts";

const record = (key: string | null, output: number, extra: Partial<UsageRecord> = {}): UsageRecord => ({
  key,
  sessionId: "s1",
  sidechain: false,
  model: "claude-sonnet-4-5",
  tokens: { input: 1, output, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 },
  fast: false,
  ...extra,
});

const outputs = (ledger: UsageLedger) => [...ledger.records()].map((r) => r.tokens.output);

describe("UsageLedger", () => {
  test("copies of one key count once, the larger copy's figures in the first copy's place", () => {
    const ledger = new UsageLedger();
    ledger.add(record("msg_a:req_a", 5));
    ledger.add(record("msg_b:req_b", 7));
    ledger.add(record("msg_a:req_a", 9));
    ledger.add(record("msg_a:req_a", 2));
    expect(outputs(ledger)).toEqual([9, 7]);
  });

  test("a main-thread copy wins over a larger sidechain copy; records without a key are all kept", () => {
    const ledger = new UsageLedger();
    ledger.add(record("k", 50, { sidechain: true }));
    ledger.add(record("k", 10));
    ledger.add(record(null, 1));
    ledger.add(record(null, 1));
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
    second.add(record("own-2", 6, { sessionId: "s2", model: "claude-opus-4-1", fast: true }));
    const merged = new UsageLedger();
    merged.addBatch(first.toBatch());
    merged.addBatch(second.toBatch());
    expect([...merged.records()].map((r) => [r.sessionId, r.model, r.tokens.output, r.fast])).toEqual([
      ["s2", "claude-sonnet-4-5", 8, false],
      ["s1", "claude-sonnet-4-5", 4, false],
      ["s2", "claude-opus-4-1", 6, true],
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

  test("an original wins over a copy, before the sidechain and size rules; between copies those rules apply", () => {
    const ledger = new UsageLedger();
    ledger.add(record("fork", 50, { copied: true }));
    ledger.add(record("fork", 10, { sidechain: true }));
    ledger.add(record("fork", 99, { copied: true }));
    ledger.add(record("btw", 5, { copied: true, sidechain: true }));
    ledger.add(record("btw", 3, { copied: true }));
    expect([...ledger.records()].map((r) => [r.tokens.output, r.sidechain, r.copied ?? false])).toEqual([
      [10, true, false],
      [3, false, true],
    ]);
  });

  test("time, speed, geo and iterations survive a batch merge; the preferred copy brings its own", () => {
    const iterations = [{ kind: "advisor_message", model: "claude-opus-4-8", tokens: { input: 9, output: 8, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 7 } }];
    const first = new UsageLedger();
    first.add(record("k", 5, { copied: true, at: 1000, speed: "fast", fast: true, inferenceGeo: "us", iterations }));
    first.add(record("plain", 1));
    const second = new UsageLedger();
    second.add(record("k", 4, { sessionId: "s2", at: 2000, speed: "standard" }));
    const merged = new UsageLedger();
    merged.addBatch(first.toBatch());
    const fields = (l: UsageLedger) => [...l.records()].map(({ sessionId, copied, at, speed, fast, inferenceGeo, iterations: it }) => ({ sessionId, copied, at, speed, fast, inferenceGeo, it }));
    expect(fields(merged)).toEqual([
      { sessionId: "s1", copied: true, at: 1000, speed: "fast", fast: true, inferenceGeo: "us", it: iterations },
      { sessionId: "s1", copied: undefined, at: undefined, speed: undefined, fast: false, inferenceGeo: undefined, it: undefined },
    ]);
    merged.addBatch(second.toBatch());
    expect(fields(merged)[0]).toEqual({ sessionId: "s2", copied: undefined, at: 2000, speed: "standard", fast: false, inferenceGeo: undefined, it: undefined });
  });
});
