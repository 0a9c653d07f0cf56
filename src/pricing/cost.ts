import { type Price, priceOf } from "./prices.ts";

/** Token counts of one deduplicated API response. */
export interface Tokens {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

const PER_TOKEN = 1 / 1_000_000;

function tiered(tokens: number, base: number, above: number | undefined, threshold: number | undefined): number {
  if (above === undefined || threshold === undefined || tokens <= threshold) return tokens * base;
  return threshold * base + (tokens - threshold) * above;
}

function priced(t: Tokens, p: Price): number {
  const th = p.tier?.threshold;
  const a = p.tier?.above;
  const usd =
    tiered(t.input, p.input, a?.input, th) +
    tiered(t.output, p.output, a?.output, th) +
    tiered(t.cacheWrite5m, p.cacheWrite5m, a?.cacheWrite5m, th) +
    tiered(t.cacheWrite1h, p.cacheWrite1h, a?.cacheWrite1h, th) +
    tiered(t.cacheRead, p.cacheRead, a?.cacheRead, th);
  return usd * PER_TOKEN;
}

/** Models that are not billed: locally made messages. */
const UNBILLED = new Set(["<synthetic>"]);

/**
 * USD for one response. `known` is false for a model missing from the price
 * table: it costs 0 here and the caller reports it rather than guessing.
 */
export function costOf(model: string, tokens: Tokens, fast = false): { usd: number; known: boolean } {
  if (UNBILLED.has(model)) return { usd: 0, known: true };
  const price = priceOf(model);
  if (!price) return { usd: 0, known: false };
  const usd = priced(tokens, price);
  return { usd: fast && price.fastMultiplier ? usd * price.fastMultiplier : usd, known: true };
}
