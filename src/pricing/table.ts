import { z } from "../runtime/zod.ts";
import embedded from "./prices.json" with { type: "json" };

/** USD per million tokens. */
const Usd = z.number().check(z.nonnegative());
const Multiplier = z.number().check(z.positive());

const PriceSchema = z.object({ input: Usd, output: Usd, cacheWrite5m: Usd, cacheWrite1h: Usd, cacheRead: Usd });
export type Price = z.infer<typeof PriceSchema>;

/**
 * A higher rate for long requests. `eachKind`: the tokens of each kind past
 * `over` bill at `price`. `prompt`: when the prompt (input, cache writes and
 * reads) passes `over`, every token of the response bills at `price`.
 */
export const LongContextSchema = z.object({
  over: z.int().check(z.positive()),
  measure: z.enum(["eachKind", "prompt"]),
  price: PriceSchema,
});
export type LongContext = z.infer<typeof LongContextSchema>;

/** Multipliers by `usage.inference_geo` value. */
export const GeoSchema = z.record(z.string().check(z.minLength(1)), Multiplier);

/**
 * The schema of prices.json. Built when asked: a test checks the embedded
 * table with it, and no run parses the table again. Built at load, these
 * schemas and the daily list's (litellm.ts, now loaded by the refresh) were 5
 * of the 12 ms of CPU the pricing modules took to load (2 busy cores).
 */
export function priceTableSchema() {
  /** What a model's multipliers are unless one of its prices says otherwise. */
  const multipliers = {
    /** For `usage.speed: "fast"`. */
    fast: z.optional(Multiplier),
    geo: z.optional(GeoSchema),
    /** For ids named with one of `regionalPrefixes` (Bedrock geographic inference profiles). */
    regional: z.optional(Multiplier),
  };

  const PeriodSchema = z.extend(PriceSchema, {
    /** ISO date (UTC midnight) or date-time from which this price holds; the first price also covers earlier times. */
    from: z.optional(z.union([z.iso.date(), z.iso.datetime()])),
    longContext: z.optional(LongContextSchema),
    ...multipliers,
    source: z.string().check(z.minLength(1)),
  });

  const ModelSchema = z.object({
    /** The normalised id (see model-id.ts) a family is known by; `aliases` are other normalised ids of it. */
    id: z.string().check(z.minLength(1)),
    name: z.string().check(z.minLength(1)),
    aliases: z.optional(z.array(z.string().check(z.minLength(1)))),
    /** Normalised ids that name this family in fast mode (a gateway's `claude-opus-5-fast`): priced as `speed: "fast"`. */
    fastNames: z.optional(z.array(z.string().check(z.minLength(1)))),
    ...multipliers,
    prices: z.array(PeriodSchema).check(
      z.minLength(1),
      z.refine((periods) => periods.slice(1).every((p, i) => p.from !== undefined && (periods[i]?.from === undefined || Date.parse(p.from) > Date.parse(periods[i]?.from ?? ""))), {
        message: "every price after the first needs a `from` later than the one before",
      }),
    ),
  });

  return z.object({
    about: z.string(),
    checked: z.iso.date(),
    sources: z.record(z.string(), z.string()),
    notes: z.array(z.string()),
    /** Model names that are never billed (locally made messages). */
    unpriced: z.array(z.string()),
    regionalPrefixes: z.array(z.string().check(z.minLength(1))),
    models: z.array(ModelSchema),
  });
}
type PriceTable = z.infer<ReturnType<typeof priceTableSchema>>;

/** One price of a family, every multiplier resolved. */
export interface Period {
  /** Epoch ms; -Infinity for a family's first price. */
  from: number;
  price: Price;
  longContext?: LongContext;
  fast: number;
  geo: Readonly<Record<string, number>>;
  regional: number;
}

/** A family's prices, oldest first. */
export interface Family {
  id: string;
  aliases: readonly string[];
  /** Ids that name the family in fast mode. */
  fastNames?: readonly string[];
  periods: readonly Period[];
}

export function familiesOf(table: PriceTable): Family[] {
  return table.models.map((m) => ({
    id: m.id,
    aliases: m.aliases ?? [],
    ...(m.fastNames ? { fastNames: m.fastNames } : {}),
    periods: m.prices.map((p, i) => ({
      from: i === 0 || p.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(p.from),
      price: { input: p.input, output: p.output, cacheWrite5m: p.cacheWrite5m, cacheWrite1h: p.cacheWrite1h, cacheRead: p.cacheRead },
      ...(p.longContext ? { longContext: p.longContext } : {}),
      fast: p.fast ?? m.fast ?? 1,
      geo: p.geo ?? m.geo ?? {},
      regional: p.regional ?? m.regional ?? 1,
    })),
  }));
}

/** The price in force at `at` (epoch ms); an unreadable time gets the latest price. */
export function periodAt(periods: readonly Period[], at: number): Period {
  for (let i = periods.length - 1; i > 0; i--) {
    const p = periods[i] as Period;
    if (!(at < p.from)) return p;
  }
  return periods[0] as Period;
}

/** The table built into the binary; a test validates it with the schema (not parsed again at every start). */
export const EMBEDDED_TABLE = embedded as PriceTable;
