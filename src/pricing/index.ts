/** Model prices: the embedded table, refreshed daily, overridden by the user; the cost of one response. */
export { type Cost, PriceBook, type PricedResponse } from "./book.ts";
export { changedModels } from "./changes.ts";
export { roundUsd, type Tokens } from "./cost.ts";
export { type CountedPart, countedParts, type Iteration } from "./iterations.ts";
export { loadPriceBook, priceBookOf } from "./load.ts";
export { type PriceOverrides, PriceOverridesSchema } from "./override.ts";
export { PRICES_URL_ENV, type RefreshOptions, type RefreshResult, refreshPrices } from "./refresh.ts";
