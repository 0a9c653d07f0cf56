import { describe, expect, test } from "bun:test";
import { tokensOf } from "../src/fold/usage-ledger.ts";
import { countedParts, priceBookOf } from "../src/pricing/index.ts";
import { z } from "../src/runtime/zod.ts";
import { UsageSchema } from "../src/transcript/schema.ts";
import oracle from "./fixtures/ccusage-prices.json";

/**
 * test/fixtures/ccusage-prices.json is ccusage 20.0.24's own output for
 * one-response transcripts (scripts/ccusage-prices.ts wrote it): our cost of
 * the same response must be the same, except where prices.json's notes say
 * why not. ccusage gives 0 for a model it does not price: those models are
 * held to Anthropic's list prices in pricing.test.ts instead.
 */
const FixtureUsage = z.extend(UsageSchema, {
  inference_geo: z.optional(z.string()),
  iterations: z.optional(z.array(z.extend(UsageSchema, { type: z.optional(z.string()), model: z.nullish(z.string()) }))),
});

const book = priceBookOf(undefined);

/** The response's cost as a sync prices it: its counted parts (iterations.ts), the response's multipliers on its own. */
function ours(c: (typeof oracle.cases)[number]) {
  const usage = FixtureUsage.parse(c.usage);
  const parts = countedParts({
    model: c.model,
    tokens: tokensOf(usage),
    iterations: usage.iterations?.map((it) => ({ kind: it.type ?? "message", model: it.model, tokens: tokensOf(it) })),
  });
  const costs = parts.map((p) =>
    book.costOf({ model: p.model, at: Date.parse(c.timestamp), tokens: p.tokens, ...(p.serving ? { speed: usage.speed, inferenceGeo: usage.inference_geo } : {}) }),
  );
  return { usd: costs.reduce((n, x) => n + x.usd, 0), unknown: [...new Set(costs.flatMap((x) => x.unknown))] };
}

/** Where we differ from ccusage on purpose (prices.json, "notes"): ours = ccusage's x factor, + extra USD. */
const DIFFERENCES: Record<string, { factor?: number; extra?: number; unknown?: boolean; why: string }> = {
  "apac.anthropic.claude-haiku-4-5-20251001-v1:0 mixed": { factor: 1.1, why: "Bedrock geographic profile premium; LiteLLM lacks this id" },
  "eu.anthropic.claude-opus-4-5-20251101-v1:0 mixed": { factor: 1.1, why: "Bedrock geographic profile premium; LiteLLM lacks this id" },
  "opus mixed": { unknown: true, why: "a bare alias names different models over time" },
  "sonnet mixed": { unknown: true, why: "a bare alias names different models over time" },
  "haiku mixed": { unknown: true, why: "a bare alias names different models over time" },
};
// ccusage counts an advisor's turns only; Anthropic bills every turn outside the top-level usage (pricing/iterations.ts).
DIFFERENCES["fallback iteration"] = { extra: 100_000 * 15e-6, why: "the declined attempt (100k input at Opus 4.1's $15) is billed; ccusage leaves it out" };
DIFFERENCES["compaction iteration"] = { extra: 100_000 * 3e-6 + 1_000 * 15e-6, why: "the compaction turn (100k in, 1k out at Sonnet 4.5's $3/$15) is billed; ccusage leaves it out" };
for (const name of ["claude-opus-4-6 geo us", "claude-sonnet-4-6 geo us", "claude-opus-5 geo us", "claude-opus-4-6 fast geo us"]) {
  DIFFERENCES[name] = { factor: 1.1, why: "inference_geo us is billed 1.1x on Claude 4.6 and later; ccusage ignores it" };
}

const priced = oracle.cases.filter((c) => c.costUSD > 0 || c.model === "<synthetic>" || DIFFERENCES[c.case]);
const unpricedByCcusage = oracle.cases.filter((c) => !priced.includes(c));

describe("our cost equals ccusage 20.0.24's", () => {
  test("the fixture covers every family, id form and multiplier", () => {
    expect(oracle.tool).toBe("ccusage 20.0.24 session --json --offline");
    expect(priced.length).toBeGreaterThan(150);
  });

  test.each(priced.filter((c) => !DIFFERENCES[c.case]).map((c) => [c.case, c] as const))("%s", (_, c) => {
    const cost = ours(c);
    expect(cost.unknown).toEqual([]);
    expect(cost.usd).toBeCloseTo(c.costUSD, 12);
  });

  test.each(Object.entries(DIFFERENCES))("except %s", (name, d) => {
    const c = oracle.cases.find((x) => x.case === name);
    if (!c) throw new Error(`no case ${name} in the fixture`);
    const cost = ours(c);
    if (d.unknown) {
      expect(c.costUSD).toBeGreaterThan(0);
      expect(cost).toEqual({ usd: 0, unknown: [c.model] });
      return;
    }
    expect(cost.unknown).toEqual([]);
    expect(cost.usd).toBeCloseTo(c.costUSD * (d.factor ?? 1) + (d.extra ?? 0), 12);
    expect(cost.usd).not.toBeCloseTo(c.costUSD, 6);
  });

  test("models ccusage does not price, we do (Anthropic's list price)", () => {
    expect(unpricedByCcusage.map((c) => c.model).filter((m, i, all) => all.indexOf(m) === i)).toEqual([
      "claude-opus-5-5",
      "claude-sonnet-5-5",
      "claude-haiku-5-5",
      "claude-fable-5-2",
      "claude-mythos-5-2",
      "claude-opus-4-0",
    ]);
    for (const c of unpricedByCcusage) {
      const cost = ours(c);
      expect(cost.unknown).toEqual([]);
      expect(cost.usd).toBeGreaterThan(0);
    }
  });
});
