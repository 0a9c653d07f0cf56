import { PriceBook } from "./book.ts";
import { type PriceCache, readPriceCache } from "./cache.ts";
import { mergeObservations } from "./merge.ts";
import { overrideFamilies, type PriceOverrides } from "./override.ts";
import { EMBEDDED_TABLE, familiesOf } from "./table.ts";

const EMBEDDED_FAMILIES = familiesOf(EMBEDDED_TABLE);
const EMBEDDED_IDS = new Map(EMBEDDED_FAMILIES.flatMap((f) => [f.id, ...f.aliases].map((id) => [id, f.id] as const)));

/** The id of the embedded family a normalised key names, or the key itself for a model the table does not know. */
export function embeddedCanonicalId(key: string): string {
  return EMBEDDED_IDS.get(key) ?? key;
}

/** The embedded table, with what the price cache observed merged in (merge.ts), and the user's overrides on top. */
export function priceBookOf(cache: PriceCache | undefined, overrides?: PriceOverrides): PriceBook {
  return new PriceBook({
    families: cache ? mergeObservations(EMBEDDED_FAMILIES, cache.models) : EMBEDDED_FAMILIES,
    overrides: overrideFamilies(overrides),
    unpriced: EMBEDDED_TABLE.unpriced,
    regionalPrefixes: EMBEDDED_TABLE.regionalPrefixes,
  });
}

/**
 * The prices a run uses, from the config's options: `prices` (overrides) and
 * `priceUpdates` (off: the refreshed cache is not used either, only the
 * embedded table). Reads the cache from disk; never throws for it.
 */
export function loadPriceBook(options: { prices?: PriceOverrides; priceUpdates?: boolean } = {}): PriceBook {
  return priceBookOf(options.priceUpdates === false ? undefined : readPriceCache(), options.prices);
}
