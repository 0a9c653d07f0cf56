import type { LongContext, Price } from "./table.ts";

/** Token counts of one deduplicated API response. */
export interface Tokens {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

const KINDS = ["input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead"] as const;
const PER_TOKEN = 1 / 1_000_000;

/** A price from input and output, cache prices as given or else at Anthropic's usual ratios to input. */
export function fullPrice(p: { input: number; output: number; cacheWrite5m?: number | undefined; cacheWrite1h?: number | undefined; cacheRead?: number | undefined }): Price {
  return {
    input: p.input,
    output: p.output,
    cacheWrite5m: p.cacheWrite5m ?? p.input * 1.25,
    cacheWrite1h: p.cacheWrite1h ?? p.input * 2,
    cacheRead: p.cacheRead ?? p.input * 0.1,
  };
}

/** USD for `tokens` at `price` (per million), before multipliers. */
export function usdOf(tokens: Tokens, price: Price, longContext?: LongContext): number {
  let usd = 0;
  if (longContext?.measure === "prompt") {
    const prompt = tokens.input + tokens.cacheWrite5m + tokens.cacheWrite1h + tokens.cacheRead;
    const rate = prompt > longContext.over ? longContext.price : price;
    for (const kind of KINDS) usd += tokens[kind] * rate[kind];
  } else if (longContext) {
    const over = longContext.over;
    for (const kind of KINDS) {
      const n = tokens[kind];
      usd += n <= over ? n * price[kind] : over * price[kind] + (n - over) * longContext.price[kind];
    }
  } else {
    for (const kind of KINDS) usd += tokens[kind] * price[kind];
  }
  return usd * PER_TOKEN;
}

/**
 * USD to the billionth (a tenth of a token at the cheapest price, $0.01 per million): what adding
 * binary fractions leaves behind goes (five responses of $0.001455 summed to
 * 0.007274999999999999), so the dry run shows and a sync sends the same figure, 0.007275.
 */
export const roundUsd = (usd: number): number => Math.round(usd * 1e9) / 1e9;
