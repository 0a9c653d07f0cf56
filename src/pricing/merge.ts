import { z } from "../runtime/zod.ts";
import { fullPrice } from "./cost.ts";
import { type Family, GeoSchema, LongContextSchema, type Period, periodAt } from "./table.ts";

const Usd = z.number().check(z.nonnegative());

/** What a price list said about one model: only the fields it gave. */
const ObservedPriceSchema = z.object({
  input: z.optional(Usd),
  output: z.optional(Usd),
  cacheWrite5m: z.optional(Usd),
  cacheWrite1h: z.optional(Usd),
  cacheRead: z.optional(Usd),
  longContext: z.optional(LongContextSchema),
  fast: z.optional(z.number().check(z.positive())),
  geo: z.optional(GeoSchema),
});
export type ObservedPrice = z.infer<typeof ObservedPriceSchema>;

/** A price as first seen on `since` (UTC date): it holds from then on. */
export const ObservationSchema = z.object({ since: z.iso.date(), price: ObservedPriceSchema });
export type Observation = z.infer<typeof ObservationSchema>;

const PRICE_KINDS = ["input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead"] as const;

export function samePrice(a: ObservedPrice, b: ObservedPrice): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

/**
 * The merge policy, for what the refreshed list said (observations, oldest
 * first, per model):
 * - a model the families do not know becomes a family: its first observed
 *   price holds for all dates, later changes from the day each was seen;
 * - for a known family, the first observation is only a baseline: the
 *   embedded table was checked against Anthropic's prices and the list has
 *   known errors (LiteLLM gives Claude 3 Haiku a $6 one-hour cache write).
 *   What the list changes after that (the figures that differ from its
 *   previous observation) holds from the day the change was first seen, on
 *   top of the family's price then: never retroactively;
 * - user overrides are applied afterwards and win (load.ts).
 */
export function mergeObservations(families: readonly Family[], observed: Readonly<Record<string, readonly Observation[]>>): Family[] {
  const byId = new Map<string, Family>();
  for (const family of families) for (const id of [family.id, ...family.aliases]) byId.set(id, family);
  const merged = new Map(families.map((f) => [f, f]));
  const added: Family[] = [];
  for (const [id, observations] of Object.entries(observed)) {
    const known = byId.get(id);
    const base = known ? (merged.get(known) as Family) : newFamily(id, observations[0]);
    if (!base) continue;
    let periods = base.periods;
    for (let i = 1; i < observations.length; i++) {
      const [before, after] = [observations[i - 1] as Observation, observations[i] as Observation];
      periods = apply(periods, after.since, changedFigures(before.price, after.price));
    }
    if (known) merged.set(known, { ...base, periods });
    else added.push({ ...base, periods });
  }
  return [...merged.values(), ...added];
}

/** The figures of `after` that `before` did not have or had otherwise. */
function changedFigures(before: ObservedPrice, after: ObservedPrice): ObservedPrice {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    const old = before[key as keyof ObservedPrice];
    if (old === undefined || !samePrice({ [key]: old }, { [key]: value })) out[key] = value;
  }
  return out as ObservedPrice;
}

function apply(periods: readonly Period[], since: string, figures: ObservedPrice): readonly Period[] {
  const from = Date.parse(since);
  const current = periodAt(periods, from);
  const next = withObserved(current, figures, from);
  if (samePrice(observedOf(current), observedOf(next))) return periods;
  const at = periods.findIndex((p) => p.from > from);
  return at === -1 ? [...periods, next] : [...periods.slice(0, at), next, ...periods.slice(at)];
}

function withObserved(p: Period, o: ObservedPrice, from: number): Period {
  const price = { ...p.price };
  for (const kind of PRICE_KINDS) if (o[kind] !== undefined) price[kind] = o[kind];
  const longContext = o.longContext ?? p.longContext;
  return { from, price, ...(longContext ? { longContext } : {}), fast: o.fast ?? p.fast, geo: { ...p.geo, ...o.geo }, regional: p.regional };
}

/** A new model from its first price, which needs input and output; missing cache prices take Anthropic's usual ratios. */
function newFamily(id: string, first: Observation | undefined): Family | undefined {
  const o = first?.price;
  if (o?.input === undefined || o.output === undefined) return undefined;
  const price = fullPrice({ ...o, input: o.input, output: o.output });
  const period = { from: Number.NEGATIVE_INFINITY, price, ...(o.longContext ? { longContext: o.longContext } : {}), fast: o.fast ?? 1, geo: o.geo ?? {}, regional: 1 };
  return { id, aliases: [], periods: [period] };
}

function observedOf(p: Period): ObservedPrice {
  return { ...p.price, ...(p.longContext ? { longContext: p.longContext } : {}), fast: p.fast, geo: p.geo };
}

/** A value with object keys in one order, numbers rounded past float noise (3e-6 * 1e6 = 3.0000000000000004). */
function sorted(value: unknown): unknown {
  if (typeof value === "number") return Math.round(value * 1e9) / 1e9;
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, sorted(v)]),
  );
}
