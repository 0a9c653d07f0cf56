import { z } from "../runtime/zod.ts";
import { modelKey } from "./model-id.ts";
import { fullPrice } from "./cost.ts";
import type { Family } from "./table.ts";

const FIELDS = "input, output, cacheWrite5m, cacheWrite1h, cacheRead, fast";

/**
 * A user's price for a model name or alias (config `options.prices`), e.g. a
 * self-hosted or custom model: USD per million tokens. Cache prices left out
 * take Anthropic's usual ratios to input (5-minute writes 1.25x, 1-hour
 * writes 2x, reads 0.1x); `fast` multiplies `speed: "fast"` responses.
 * A price's schema is built when a config first has one to check (z.lazy):
 * the empty `prices` login writes, as nearly every config holds, builds none.
 */
const PriceOverrideSchema = z.lazy(() => {
  const Usd = z
    .number({ error: "must be a number of US dollars per million tokens, e.g. 3" })
    .check(z.nonnegative({ error: "must be 0 or more (US dollars per million tokens)" }));
  return z.strictObject(
    {
      input: Usd,
      output: Usd,
      cacheWrite5m: z.optional(Usd),
      cacheWrite1h: z.optional(Usd),
      cacheRead: z.optional(Usd),
      fast: z.optional(z.number({ error: "must be a number, e.g. 2" }).check(z.positive({ error: "must be more than 0" }))),
    },
    { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown field ${issue.keys.join(", ")} (fields: ${FIELDS})` : undefined) },
  );
});
export const PriceOverridesSchema = z.record(z.string().check(z.trim(), z.minLength(1, { error: "a model name cannot be empty" })), PriceOverrideSchema);
export type PriceOverrides = z.infer<typeof PriceOverridesSchema>;

/** Overrides as single-price families by normalised id: they hold for all dates and no multiplier but `fast` applies. */
export function overrideFamilies(overrides: PriceOverrides = {}): Map<string, Family> {
  const out = new Map<string, Family>();
  for (const [name, o] of Object.entries(overrides)) {
    const id = modelKey(name).key;
    out.set(id, { id, aliases: [], periods: [{ from: Number.NEGATIVE_INFINITY, price: fullPrice(o), fast: o.fast ?? 1, geo: {}, regional: 1 }] });
  }
  return out;
}
