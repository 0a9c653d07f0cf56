import { describe, expect, test } from "bun:test";
import { costOf } from "../src/pricing/cost.ts";
import { normaliseModel } from "../src/pricing/prices.ts";

// 100k tokens: below Sonnet 4's long-context tier, so every family bills its base rate (a tenth of the per-million price).
const N = 100_000;
const only = (k: "input" | "output" | "cacheWrite5m" | "cacheWrite1h" | "cacheRead", n = N) => ({
  input: 0,
  output: 0,
  cacheWrite5m: 0,
  cacheWrite1h: 0,
  cacheRead: 0,
  [k]: n,
});

describe("prices by family", () => {
  test.each([
    ["claude-opus-4-5-20251101", 5, 25, 6.25, 10, 0.5],
    ["claude-opus-4-6", 5, 25, 6.25, 10, 0.5],
    ["claude-opus-4-1-20250805", 15, 75, 18.75, 30, 1.5],
    ["claude-opus-4-20250514", 15, 75, 18.75, 30, 1.5],
    ["claude-3-opus-20240229", 15, 75, 18.75, 30, 1.5],
    ["claude-sonnet-4-5-20250929", 3, 15, 3.75, 6, 0.3],
    ["claude-sonnet-4-20250514", 3, 15, 3.75, 6, 0.3],
    ["claude-3-7-sonnet-20250219", 3, 15, 3.75, 6, 0.3],
    ["claude-haiku-4-5-20251001", 1, 5, 1.25, 2, 0.1],
    ["claude-3-5-haiku-20241022", 0.8, 4, 1, 1.6, 0.08],
    ["claude-3-haiku-20240307", 0.25, 1.25, 0.3, 0.5, 0.03],
    ["anthropic.claude-sonnet-4-5-20250929-v1:0", 3, 15, 3.75, 6, 0.3],
    ["us.anthropic.claude-opus-4-1-20250805-v1:0", 15, 75, 18.75, 30, 1.5],
  ])("%s", (model, input, output, w5, w1h, read) => {
    expect(costOf(model, only("input")).usd).toBeCloseTo(input / 10, 9);
    expect(costOf(model, only("output")).usd).toBeCloseTo(output / 10, 9);
    expect(costOf(model, only("cacheWrite5m")).usd).toBeCloseTo(w5 / 10, 9);
    expect(costOf(model, only("cacheWrite1h")).usd).toBeCloseTo(w1h / 10, 9);
    expect(costOf(model, only("cacheRead")).usd).toBeCloseTo(read / 10, 9);
  });

  test("Sonnet 4 bills tokens past 200k per response at the long-context rate", () => {
    expect(costOf("claude-sonnet-4-20250514", only("input", 300_000)).usd).toBeCloseTo(0.2 * 3 + 0.1 * 6, 9);
  });

  test("fast mode multiplies Opus 4.6", () => {
    expect(costOf("claude-opus-4-6", only("output"), true).usd).toBeCloseTo(2.5 * 6, 9);
  });

  test("unknown models cost 0 and are flagged; synthetic messages are free", () => {
    expect(costOf("gpt-5", only("input"))).toEqual({ usd: 0, known: false });
    expect(costOf("<synthetic>", only("input"))).toEqual({ usd: 0, known: true });
  });

  test("model ids normalise across vendors", () => {
    expect(normaliseModel("us.anthropic.claude-opus-4-1-20250805-v1:0")).toBe("claude-opus-4-1-20250805");
    expect(normaliseModel("claude-opus-4.5")).toBe("claude-opus-4-5");
  });
});
