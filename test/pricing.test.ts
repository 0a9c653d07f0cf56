import { describe, expect, test } from "bun:test";
import { changedModels, countedParts, type PricedResponse, priceBookOf } from "../src/pricing/index.ts";
import { mergeObservations } from "../src/pricing/merge.ts";
import { modelKey } from "../src/pricing/model-id.ts";
import { EMBEDDED_TABLE, familiesOf, priceTableSchema } from "../src/pricing/table.ts";

// 1M tokens of one kind costs the per-million price. Sonnet 4's long-context tier starts past 200k of a kind,
// so family prices are read at 100k (a tenth of the per-million price).
const N = 100_000;
type Kind = "input" | "output" | "cacheWrite5m" | "cacheWrite1h" | "cacheRead";
const only = (k: Kind, n = N) => ({ input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, [k]: n });
const mixed = { input: 1_000, output: 2_000, cacheWrite5m: 3_000, cacheWrite1h: 4_000, cacheRead: 50_000 };
const LATE_2026 = Date.parse("2026-12-01T00:00:00Z");

const book = priceBookOf(undefined);
const cost = (r: Partial<PricedResponse> & { model: string }) => book.costOf({ at: LATE_2026, tokens: only("input"), ...r });
const usd = (r: Partial<PricedResponse> & { model: string }) => cost(r).usd;

describe("prices by family (Anthropic's list prices, late 2026)", () => {
  test.each([
    ["claude-3-haiku-20240307", 0.25, 1.25, 0.3, 0.5, 0.03],
    ["claude-3-5-haiku-20241022", 0.8, 4, 1, 1.6, 0.08],
    ["claude-3-opus-20240229", 15, 75, 18.75, 30, 1.5],
    ["claude-3-sonnet-20240229", 3, 15, 3.75, 6, 0.3],
    ["claude-3-5-sonnet-20241022", 3, 15, 3.75, 6, 0.3],
    ["claude-3-7-sonnet-20250219", 3, 15, 3.75, 6, 0.3],
    ["claude-sonnet-4-20250514", 3, 15, 3.75, 6, 0.3],
    ["claude-opus-4-20250514", 15, 75, 18.75, 30, 1.5],
    ["claude-opus-4-1-20250805", 15, 75, 18.75, 30, 1.5],
    ["claude-sonnet-4-5-20250929", 3, 15, 3.75, 6, 0.3],
    ["claude-haiku-4-5-20251001", 1, 5, 1.25, 2, 0.1],
    ["claude-opus-4-5-20251101", 5, 25, 6.25, 10, 0.5],
    ["claude-opus-4-6", 5, 25, 6.25, 10, 0.5],
    ["claude-sonnet-4-6", 3, 15, 3.75, 6, 0.3],
    ["claude-opus-4-7", 5, 25, 6.25, 10, 0.5],
    ["claude-opus-4-8", 5, 25, 6.25, 10, 0.5],
    ["claude-opus-5", 5, 25, 6.25, 10, 0.5],
    ["claude-opus-5-5", 4, 20, 5, 8, 0.2],
    ["claude-sonnet-5", 2, 10, 2.5, 4, 0.2],
    ["claude-sonnet-5-5", 2, 10, 2.5, 4, 0.1],
    ["claude-haiku-5-5", 0.1, 0.5, 0.125, 0.2, 0.01],
    ["claude-fable-5", 10, 50, 12.5, 20, 1],
    ["claude-mythos-5", 10, 50, 12.5, 20, 1],
    ["claude-fable-5-1", 10, 50, 12.5, 20, 0.25],
    ["claude-mythos-5-1", 10, 50, 12.5, 20, 0.25],
    ["claude-fable-5-2", 8, 40, 10, 16, 0.2],
    ["claude-mythos-5-2", 8, 40, 10, 16, 0.2],
  ])("%s", (model, input, output, w5, w1h, read) => {
    const perKind = (k: Kind) => usd({ model, tokens: only(k) }) * 10;
    expect([perKind("input"), perKind("output"), perKind("cacheWrite5m"), perKind("cacheWrite1h"), perKind("cacheRead")].map((x) => +x.toFixed(9))).toEqual([
      input,
      output,
      w5,
      w1h,
      read,
    ]);
  });
});

describe("model ids in every vendor's spelling", () => {
  test.each([
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5", ""],
    ["anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5", "anthropic."],
    ["us.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1", "us.anthropic."],
    ["eu.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5", "eu.anthropic."],
    ["bedrock/us.anthropic.claude-opus-4-6-v1", "claude-opus-4-6", "us.anthropic."],
    ["anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet", "anthropic."],
    ["claude-sonnet-4-5@20250929", "claude-sonnet-4-5", ""],
    ["vertex_ai/claude-opus-4-5@20251101", "claude-opus-4-5", ""],
    ["claude-opus-4.5", "claude-opus-4-5", ""],
    ["claude-opus-5-5[1m]", "claude-opus-5-5", ""],
    ["Claude-Sonnet-4-20250514[1M]", "claude-sonnet-4", ""],
    // Gateways' words for how the model is run: thinking on, an effort level, -latest.
    ["claude-3-7-sonnet-latest", "claude-3-7-sonnet", ""],
    ["claude-fable-5-1-thinking", "claude-fable-5-1", ""],
    ["claude-opus-4-5-20251101-thinking", "claude-opus-4-5", ""],
    ["claude-opus-5-high", "claude-opus-5", ""],
    ["claude-opus-5-thinking-xhigh", "claude-opus-5", ""],
    ["claude-sonnet-5-latest", "claude-sonnet-5", ""],
    // Words that are not: kept, so the name is no family's (or a fast name's, prices.json's fastNames).
    ["claude-opus-5-fast", "claude-opus-5-fast", ""],
    ["claude-opus-5-preview", "claude-opus-5-preview", ""],
    ["my-llama-3.1", "my-llama-3-1", ""],
  ])("%s is %s", (model, key, prefix) => {
    expect(modelKey(model)).toEqual({ key, prefix });
  });

  // USD per million input tokens: the family's price, 1.1x for a Bedrock geographic profile of Claude 4.5 and later.
  test.each([
    ["anthropic.claude-sonnet-4-5-20250929-v1:0", 3],
    ["global.anthropic.claude-sonnet-4-5-20250929-v1:0", 3],
    ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", 3.3],
    ["eu.anthropic.claude-haiku-4-5-20251001-v1:0", 1.1],
    ["apac.anthropic.claude-haiku-4-5-20251001-v1:0", 1.1],
    ["us.anthropic.claude-opus-4-1-20250805-v1:0", 15],
    ["eu.anthropic.claude-sonnet-4-20250514-v1:0", 3],
    ["us.anthropic.claude-opus-5-5", 4.4],
    ["eu.claude-haiku-4-5", 1],
    ["claude-sonnet-4-5@20250929", 3],
    ["claude-opus-4.5", 5],
    ["claude-opus-5-5[1m]", 4],
    ["claude-opus-4-6[1m]", 5],
    ["claude-sonnet-4-20250514[1m]", 3],
    ["claude-3-7-sonnet-latest", 3],
    ["claude-opus-4-0", 15],
    ["claude-4-opus-20250514", 15],
    ["claude-fable-5-1-20260901", 10],
    // A family's name without `claude-` (gateways), as ccusage prices it: not a bare alias.
    ["fable-5", 10],
    ["sonnet-4-5-20250929", 3],
    ["anthropic/opus-5", 5],
  ])("%s: $%d per million input", (model, perMillion) => {
    expect(cost({ model, tokens: only("input") })).toEqual({ usd: expect.closeTo(perMillion / 10, 12), unknown: [] });
  });

  test("an id form prices exactly like the plain id (same fingerprint) unless it carries a regional premium", () => {
    for (const form of ["claude-opus-4-6[1m]", "claude-opus-4.6", "vertex_ai/claude-opus-4-6@20260205", "anthropic.claude-opus-4-6-v1", "global.anthropic.claude-opus-4-6-v1"]) {
      expect(book.fingerprint(form)).toBe(book.fingerprint("claude-opus-4-6"));
    }
    expect(book.fingerprint("us.anthropic.claude-opus-4-6-v1")).not.toBe(book.fingerprint("claude-opus-4-6"));
  });

  test("every id and alias of the table is already in normalised form, and names one family", () => {
    const seen = new Set<string>();
    for (const model of EMBEDDED_TABLE.models) {
      for (const id of [model.id, ...(model.aliases ?? []), ...(model.fastNames ?? [])]) {
        expect(modelKey(id).key).toBe(id);
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
  });
});

describe("unknown and unbilled models", () => {
  test("an unknown model costs 0 and is named, never guessed; <synthetic> is free and known", () => {
    const local = priceBookOf(undefined);
    for (const model of ["gpt-5", "claude-opus-9", "opus", "claude-opus-4-8-fast"]) {
      expect(local.costOf({ model, at: LATE_2026, tokens: mixed })).toEqual({ usd: 0, unknown: [model] });
    }
    expect(local.costOf({ model: "<synthetic>", at: LATE_2026, tokens: mixed })).toEqual({ usd: 0, unknown: [] });
    expect(local.unknownModels()).toEqual(["claude-opus-4-8-fast", "claude-opus-9", "gpt-5", "opus"]);
    expect(local.knows("<synthetic>")).toBe(true);
    expect(local.knows("gpt-5")).toBe(false);
  });
});

describe("multipliers", () => {
  const base = (model: string) => usd({ model, tokens: mixed });

  test.each([
    ["claude-opus-4-6", 6],
    ["claude-opus-4-7", 6],
    ["claude-opus-4-8", 2],
    ["claude-opus-5", 2],
    ["claude-opus-5-5", 2],
    ["claude-opus-4-5-20251101", 1],
    ["claude-sonnet-5-5", 1],
    ["claude-haiku-4-5-20251001", 1],
  ])("speed fast: %s x%d", (model, factor) => {
    expect(usd({ model, tokens: mixed, speed: "fast" })).toBeCloseTo(base(model) * factor, 12);
    expect(usd({ model, tokens: mixed, speed: "standard" })).toBeCloseTo(base(model), 12);
  });

  test("a name that says fast mode where a price list names it at Anthropic's fast price (claude-opus-5-fast): fast once, speed fast or not", () => {
    for (const speed of [undefined, "standard", "fast"]) {
      expect(usd({ model: "claude-opus-5-fast", tokens: mixed, speed })).toBeCloseTo(base("claude-opus-5") * 2, 12);
    }
    expect(usd({ model: "us.anthropic.claude-opus-5-fast", tokens: mixed })).toBeCloseTo(base("claude-opus-5") * 2 * 1.1, 12);
    expect(book.fingerprint("claude-opus-5-fast")).not.toBe(book.fingerprint("claude-opus-5"));
  });

  test("Opus 5.5 fast mode is $8/$40", () => {
    expect(usd({ model: "claude-opus-5-5", tokens: only("output", 1_000_000), speed: "fast" })).toBeCloseTo(40, 9);
    expect(usd({ model: "claude-opus-5-5", tokens: only("input", 1_000_000), speed: "fast" })).toBeCloseTo(8, 9);
  });

  test.each([
    ["claude-opus-4-6", 1.1],
    ["claude-sonnet-4-6", 1.1],
    ["claude-opus-5-5", 1.1],
    ["claude-fable-5-2", 1.1],
    ["claude-haiku-5-5", 1.1],
    ["claude-opus-4-5-20251101", 1],
    ["claude-sonnet-4-5-20250929", 1],
  ])("inference_geo us: %s x%d", (model, factor) => {
    expect(usd({ model, tokens: mixed, inferenceGeo: "us" })).toBeCloseTo(base(model) * factor, 12);
    for (const geo of ["global", "not_available", ""]) expect(usd({ model, tokens: mixed, inferenceGeo: geo })).toBeCloseTo(base(model), 12);
  });

  test("a Bedrock geographic profile pays its own premium, not inference_geo's on top (a parameter of Anthropic's API only)", () => {
    const model = "us.anthropic.claude-sonnet-5-20260630-v1:0";
    expect(usd({ model, tokens: mixed, inferenceGeo: "us" })).toBeCloseTo(base("claude-sonnet-5") * 1.1, 12);
    expect(usd({ model, tokens: mixed, inferenceGeo: "us" })).toBeCloseTo(usd({ model, tokens: mixed }), 12);
  });

  test("fast and geo compose", () => {
    expect(usd({ model: "claude-opus-4-8", tokens: mixed, speed: "fast", inferenceGeo: "us" })).toBeCloseTo(base("claude-opus-4-8") * 2.2, 12);
  });

  test("Sonnet 4 and 4.5: each kind's tokens past 200k at the long-context rate", () => {
    for (const model of ["claude-sonnet-4-20250514", "claude-sonnet-4-5-20250929"]) {
      expect(usd({ model, tokens: only("input", 300_000) })).toBeCloseTo(0.2 * 3 + 0.1 * 6, 12);
      expect(usd({ model, tokens: only("output", 300_000) })).toBeCloseTo(0.2 * 15 + 0.1 * 22.5, 12);
      expect(usd({ model, tokens: only("cacheWrite1h", 300_000) })).toBeCloseTo(0.2 * 6 + 0.1 * 12, 12);
      expect(usd({ model, tokens: only("input", 200_000) })).toBeCloseTo(0.2 * 3, 12);
    }
    // 4.6 and later bill the whole window at the base rate.
    expect(usd({ model: "claude-sonnet-4-6", tokens: only("input", 300_000) })).toBeCloseTo(0.3 * 3, 12);
  });

  test("Haiku 5.5: a prompt over 100k bills every token of the response at 5x", () => {
    const at100k = { input: 10_000, output: 1_000, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 90_000 };
    expect(usd({ model: "claude-haiku-5-5", tokens: at100k })).toBeCloseTo((10_000 * 0.1 + 1_000 * 0.5 + 90_000 * 0.01) / 1e6, 12);
    expect(usd({ model: "claude-haiku-5-5", tokens: { ...at100k, cacheWrite1h: 1 } })).toBeCloseTo((10_000 * 0.5 + 1_000 * 2.5 + 1 + 90_000 * 0.05) / 1e6, 12);
  });

  test("a user override wins, for all dates, and leaves regional and geo multipliers out", () => {
    const custom = priceBookOf(undefined, { "claude-opus-4-6": { input: 1, output: 2, cacheRead: 0 }, "my-llama-3.1": { input: 0.5, output: 1, fast: 3 } });
    const opus = { model: "us.anthropic.claude-opus-4-6-v1", tokens: mixed, inferenceGeo: "us" };
    expect(custom.costOf({ ...opus, at: 0 }).usd).toBeCloseTo((1_000 * 1 + 2_000 * 2 + 3_000 * 1.25 + 4_000 * 2) / 1e6, 12);
    expect(custom.costOf({ ...opus, at: LATE_2026 }).usd).toBeCloseTo(custom.costOf({ ...opus, at: 0 }).usd, 12);
    expect(custom.costOf({ model: "my-llama-3.1", at: 0, tokens: mixed, speed: "fast" }).usd).toBeCloseTo(
      3 * (1_000 * 0.5 + 2_000 * 1 + 3_000 * 0.625 + 4_000 * 1 + 50_000 * 0.05) / 1e6,
      12,
    );
  });
});

describe("usage.iterations: every turn Anthropic bills, each at its own model (ccusage counts the advisor's only)", () => {
  const sonnet = "claude-sonnet-4-5-20250929";
  const it = (kind: string, model: string | null, tokens = only("input")) => ({ kind, model, tokens });
  /** A response's cost: its counted parts, each at its model's price; the response's multipliers on its own part only. */
  const total = (r: Parameters<typeof countedParts>[0] & { speed?: string; inferenceGeo?: string }) =>
    countedParts(r).reduce((usd, part) => usd + book.costOf({ model: part.model, at: 0, tokens: part.tokens, ...(part.serving ? { speed: r.speed, inferenceGeo: r.inferenceGeo } : {}) }).usd, 0);

  test.each([
    ["no iterations: the response alone", [], [sonnet]],
    ["plain message turns: already in the top-level tokens", [it("message", null), it("message", null)], [sonnet]],
    ["an advisor's turn naming its model is added at that model", [it("message", null), it("advisor_message", "claude-opus-4-1-20250805"), it("message", null)], [sonnet, "claude-opus-4-1-20250805"]],
    ["an advisor's turn without a model is not", [it("advisor_message", null)], [sonnet]],
    ["a compaction turn (outside the top-level tokens) is added at the response's model", [it("compaction", null), it("message", null)], [sonnet, sonnet]],
    ["a compaction turn naming its model, at that model", [it("compaction", "claude-opus-5"), it("message", null)], [sonnet, "claude-opus-5"]],
    ["a model fallback: the declined attempt is added at its model; the served one is the top level", [it("message", "claude-fable-5"), it("fallback_message", sonnet)], [sonnet, "claude-fable-5"]],
    ["two declined attempts before the fallback", [it("message", "claude-fable-5-1"), it("message", "claude-opus-5-5"), it("fallback_message", sonnet)], [sonnet, "claude-fable-5-1", "claude-opus-5-5"]],
    ["a message turn naming a model without a fallback is the response's own: already in the top level", [it("message", sonnet)], [sonnet]],
  ] as const)("%s", (_name, iterations, models) => {
    expect(countedParts({ model: sonnet, tokens: only("input"), iterations }).map((p) => p.model)).toEqual([...models]);
  });

  test("a declined attempt and a compaction are the request's own inferences: its speed and region apply to them", () => {
    const iterations = [it("compaction", null, only("input", 1_000_000)), it("message", "claude-fable-5", only("input", 1_000_000)), it("fallback_message", "claude-opus-5")];
    // Opus 5 fast (2x) and US-only (1.1x): the top level's $0.50 and the compaction's $5 at 2.2x; Fable 5's $10 at 1.1x (it has no fast mode).
    expect(total({ model: "claude-opus-5", tokens: only("input", 100_000), iterations, speed: "fast", inferenceGeo: "us" })).toBeCloseTo(2.2 * 0.5 + 2.2 * 5 + 1.1 * 10, 9);
  });

  test("the advisor's tokens at its own price, without the response's multipliers", () => {
    const iterations = [it("advisor_message", "claude-opus-4-1-20250805", only("output", 1_000))];
    expect(total({ model: "claude-opus-4-8", tokens: only("input"), iterations, speed: "fast", inferenceGeo: "us" })).toBeCloseTo(2 * 1.1 * 0.5 + 0.075, 12);
  });
});

describe("dates of effect: a response is priced by the price in force at its own time", () => {
  test("Sonnet 5.5 cache reads: $0.20 before 2026-10-07 (UTC), $0.10 from then on", () => {
    const read = (at: string) => book.costOf({ model: "claude-sonnet-5-5", at: Date.parse(at), tokens: only("cacheRead", 1_000_000) }).usd;
    expect(read("2026-09-30T12:00:00Z")).toBeCloseTo(0.2, 12);
    expect(read("2026-10-06T23:59:59.999Z")).toBeCloseTo(0.2, 12);
    expect(read("2026-10-07T00:00:00Z")).toBeCloseTo(0.1, 12);
    expect(read("2026-11-20T00:00:00Z")).toBeCloseTo(0.1, 12);
  });

  test("Opus 4.6 fast mode: 3x at the launch offer, 6x after 11:59pm PT on 2026-02-16", () => {
    const fast = (at: string) => book.costOf({ model: "claude-opus-4-6", at: Date.parse(at), tokens: only("output", 1_000_000), speed: "fast" }).usd;
    expect(fast("2026-02-10T00:00:00Z")).toBeCloseTo(75, 9);
    expect(fast("2026-02-17T07:59:59Z")).toBeCloseTo(75, 9);
    expect(fast("2026-02-17T08:00:00Z")).toBeCloseTo(150, 9);
  });

  test("a time before a family's first price gets its first price; an unreadable time the latest", () => {
    expect(book.costOf({ model: "claude-sonnet-5-5", at: 0, tokens: only("cacheRead", 1_000_000) }).usd).toBeCloseTo(0.2, 12);
    expect(book.costOf({ model: "claude-sonnet-5-5", at: Number.NaN, tokens: only("cacheRead", 1_000_000) }).usd).toBeCloseTo(0.1, 12);
  });
});

describe("refreshed prices merge into the table", () => {
  const merged = (observed: Parameters<typeof mergeObservations>[1]) =>
    priceBookOf({ version: 1, checkedAt: 0, models: observed as Record<string, never[]> });
  const at = (day: string) => Date.parse(`${day}T12:00:00Z`);

  test("a model the table does not know is added, its first price valid for all dates, later ones from their day", () => {
    const b = merged({
      "claude-opus-6": [
        { since: "2026-12-01", price: { input: 6, output: 30, cacheRead: 0.3 } },
        { since: "2026-12-10", price: { input: 6, output: 24, cacheRead: 0.3 } },
      ],
    });
    expect(b.costOf({ model: "claude-opus-6-20270101", at: 0, tokens: mixed })).toEqual({
      usd: expect.closeTo((1_000 * 6 + 2_000 * 30 + 3_000 * 7.5 + 4_000 * 12 + 50_000 * 0.3) / 1e6, 12),
      unknown: [],
    });
    expect(b.costOf({ model: "claude-opus-6", at: at("2026-12-10"), tokens: only("output", 1_000_000) }).usd).toBeCloseTo(24, 12);
  });

  test("a known model's changed price holds from the day the change was first seen, never before", () => {
    const b = merged({
      "claude-opus-5": [
        { since: "2026-11-20", price: { input: 5, output: 25 } },
        { since: "2026-12-01", price: { input: 3, output: 25 } },
      ],
    });
    const input = (day: string) => b.costOf({ model: "claude-opus-5", at: at(day), tokens: only("input", 1_000_000) }).usd;
    expect(input("2026-11-30")).toBeCloseTo(5, 12);
    expect(input("2026-12-01")).toBeCloseTo(3, 12);
    // Figures the list did not change keep the table's value.
    expect(b.costOf({ model: "claude-opus-5", at: at("2026-12-02"), tokens: only("cacheRead", 1_000_000) }).usd).toBeCloseTo(0.5, 12);
    expect(b.fingerprint("claude-opus-5")).not.toBe(book.fingerprint("claude-opus-5"));
  });

  test("the list's first word on a known model is a baseline: its errors do not replace the checked table", () => {
    // LiteLLM gives Claude 3 Haiku a $6 one-hour cache write (Anthropic: $0.50); a later change of another figure applies alone.
    const b = merged({
      "claude-3-haiku": [
        { since: "2026-11-20", price: { input: 0.25, output: 1.25, cacheWrite1h: 6 } },
        { since: "2026-12-01", price: { input: 0.25, output: 1, cacheWrite1h: 6 } },
      ],
    });
    const w1h = (day: string) => b.costOf({ model: "claude-3-haiku-20240307", at: at(day), tokens: only("cacheWrite1h", 1_000_000) }).usd;
    expect(w1h("2026-11-25")).toBeCloseTo(0.5, 12);
    expect(w1h("2026-12-05")).toBeCloseTo(0.5, 12);
    expect(b.costOf({ model: "claude-3-haiku-20240307", at: at("2026-12-05"), tokens: only("output", 1_000_000) }).usd).toBeCloseTo(1, 12);
    expect(b.costOf({ model: "claude-3-haiku-20240307", at: at("2026-11-25"), tokens: only("output", 1_000_000) }).usd).toBeCloseTo(1.25, 12);
  });

  test("a price the table already has changes nothing", () => {
    const b = merged({
      "claude-opus-5": [
        { since: "2026-11-20", price: { input: 5, output: 25 } },
        { since: "2026-12-01", price: { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5000000000000001, fast: 2 } },
      ],
    });
    expect(b.fingerprint("claude-opus-5")).toBe(book.fingerprint("claude-opus-5"));
  });
});

describe("what changed between runs", () => {
  test("a state priced before compactions and declined attempts counted (their fingerprints then) re-prices its sessions", () => {
    const earlier = { "claude-opus-5": "xvi703uD8XdgIq55", "claude-sonnet-4-5-20250929": "VKPFXXMP4lTXx3Y-" };
    expect(changedModels(earlier, priceBookOf(undefined).fingerprints(Object.keys(earlier)))).toEqual(Object.keys(earlier));
  });

  test("fingerprints are short, stable across books, and differ when a price does", () => {
    const models = ["claude-opus-5", "claude-sonnet-4-5-20250929", "gpt-5", "<synthetic>"];
    const before = priceBookOf(undefined).fingerprints(models);
    expect(priceBookOf(undefined).fingerprints(models)).toEqual(before);
    expect(before["claude-opus-5"]).toMatch(/^[\w-]{16}$/);
    expect(before["gpt-5"]).toBe("unknown");
    expect(before["<synthetic>"]).toBe("free");
    const after = priceBookOf(undefined, { "claude-opus-5": { input: 1, output: 1 }, "gpt-5": { input: 1, output: 1 } }).fingerprints(models);
    expect(changedModels(before, after)).toEqual(["claude-opus-5", "gpt-5"]);
    expect(changedModels(before, before)).toEqual([]);
  });

  test.each([
    [{ a: "x" }, { a: "x" }, []],
    [{ a: "x" }, { a: "y" }, ["a"]],
    [{ a: "x", b: "y" }, { b: "y" }, ["a"]],
    [{}, { c: "z" }, ["c"]],
  ])("changedModels(%j, %j) = %j", (previous, current, expected) => {
    expect(changedModels(previous, current)).toEqual(expected);
  });
});

test("the embedded table matches its schema (the binary embeds it without parsing it again) and every family has a price", () => {
  expect(priceTableSchema().parse(EMBEDDED_TABLE)).toEqual(EMBEDDED_TABLE);
  expect(familiesOf(EMBEDDED_TABLE).every((f) => f.periods.length > 0)).toBe(true);
  expect(EMBEDDED_TABLE.models.length).toBeGreaterThanOrEqual(24);
});
