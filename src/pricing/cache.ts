import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../config/atomic-write.ts";
import { log } from "../hooks/log.ts";
import { appDir } from "../paths.ts";
import { z } from "../runtime/zod.ts";
import { type Observation, ObservationSchema, type ObservedPrice, samePrice } from "./merge.ts";

/**
 * ~/.claude-code-sync/prices-cache.json: what the refreshed price list said,
 * per model, with the day each price was first seen (so a change applies from
 * that day on, never retroactively), and when the list was last asked for.
 */
const PriceCacheSchema = z.object({
  version: z.literal(1),
  /** Last attempt to fetch the list (epoch ms), successful or not. */
  checkedAt: z.number(),
  /** Last successful fetch. */
  fetchedAt: z.optional(z.number()),
  url: z.optional(z.string()),
  models: z.record(z.string(), z.array(ObservationSchema)),
});
export type PriceCache = z.infer<typeof PriceCacheSchema>;

export function pricesCachePath(): string {
  return join(appDir(), "prices-cache.json");
}

/** The cache, or undefined when there is none or it is unreadable (then the next refresh rewrites it). */
export function readPriceCache(path = pricesCachePath()): PriceCache | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    return PriceCacheSchema.parse(JSON.parse(text));
  } catch {
    log(`prices: ignored ${path}, which is not a valid price cache; the next refresh replaces it`);
    return undefined;
  }
}

/** When the cache was last written (undefined: none yet): a long-running watch rebuilds its prices when it changes. */
export function priceCacheStamp(path = pricesCachePath()): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

export function writePriceCache(cache: PriceCache, path = pricesCachePath()): void {
  mkdirSync(appDir(), { recursive: true, mode: 0o700 });
  writeFileAtomic(path, `${JSON.stringify(cache)}\n`, 0o600);
}

/** The cache after a successful fetch at `now`: a model's price is added when it is new or differs from the last one seen. */
export function observe(cache: PriceCache | undefined, observed: Readonly<Record<string, ObservedPrice>>, now: number, url: string): PriceCache {
  const since = new Date(now).toISOString().slice(0, 10);
  const models: Record<string, Observation[]> = { ...cache?.models };
  for (const [id, price] of Object.entries(observed)) {
    const history = models[id] ?? [];
    const last = history.at(-1);
    if (last && samePrice(last.price, price)) continue;
    // A second change seen the same day replaces the first: a day holds one price.
    models[id] = [...(last?.since === since ? history.slice(0, -1) : history), { since, price }];
  }
  return { version: 1, checkedAt: now, fetchedAt: now, url, models };
}
