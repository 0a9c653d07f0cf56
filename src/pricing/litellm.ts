import { z } from "../runtime/zod.ts";
import { fullPrice } from "./cost.ts";
import { type ObservedPrice, samePrice } from "./merge.ts";
import { modelKey } from "./model-id.ts";

/**
 * LiteLLM's model_prices_and_context_window.json, the list ccusage prices
 * from: one object keyed by model name, costs in USD per token. Only the
 * fields read here are declared; an entry whose fields have the wrong type
 * is skipped, not the whole list.
 */
export const LITELLM_PRICES_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json";

const PerToken = z.nullish(z.number().check(z.nonnegative()));
const EntrySchema = z.object({
  litellm_provider: z.nullish(z.string()),
  mode: z.nullish(z.string()),
  input_cost_per_token: PerToken,
  output_cost_per_token: PerToken,
  cache_creation_input_token_cost: PerToken,
  cache_creation_input_token_cost_above_1hr: PerToken,
  cache_read_input_token_cost: PerToken,
  input_cost_per_token_above_200k_tokens: PerToken,
  output_cost_per_token_above_200k_tokens: PerToken,
  cache_creation_input_token_cost_above_200k_tokens: PerToken,
  cache_creation_input_token_cost_above_1hr_above_200k_tokens: PerToken,
  cache_read_input_token_cost_above_200k_tokens: PerToken,
  /** Multipliers: `fast` for `usage.speed: "fast"`, `us` for `usage.inference_geo: "us"`. */
  provider_specific_entry: z.nullish(z.record(z.string(), z.unknown())),
});
type Entry = z.infer<typeof EntrySchema>;

const ListSchema = z.record(z.string(), z.unknown());

/**
 * The Claude prices in a LiteLLM list, by the id the price table knows each
 * model by (`canonicalId` maps a normalised key to its family's id). Only
 * Anthropic's own entries count: Bedrock's and Vertex's regional variants
 * are priced by the table's own multipliers. A model's entries (dated and
 * undated names) are combined; if they disagree on a figure the model is
 * left out (which one is right cannot be told). Throws when
 * the text is not a price list with Claude models in it.
 */
export function observedPrices(text: string, canonicalId: (key: string) => string): Record<string, ObservedPrice> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("the price list is not JSON");
  }
  const list = ListSchema.safeParse(json);
  if (!list.success) throw new Error("the price list is not an object of models");
  const byId = new Map<string, ObservedPrice[]>();
  for (const [name, value] of Object.entries(list.data)) {
    if (!name.includes("claude")) continue;
    const entry = EntrySchema.safeParse(value);
    if (!entry.success || entry.data.litellm_provider !== "anthropic" || (entry.data.mode && entry.data.mode !== "chat")) continue;
    const price = priceOf(entry.data);
    if (!price) continue;
    const id = canonicalId(modelKey(name).key);
    byId.set(id, [...(byId.get(id) ?? []), price]);
  }
  const out: Record<string, ObservedPrice> = {};
  for (const [id, prices] of byId) {
    const combined = prices.reduce<ObservedPrice | undefined>((a, b) => a && combine(a, b), {});
    if (combined) out[id] = combined;
  }
  if (Object.keys(out).length === 0) throw new Error("the price list has no Claude prices");
  return out;
}

/** The figures of two entries of one model, or undefined when a figure both give differs. */
function combine(a: ObservedPrice, b: ObservedPrice): ObservedPrice | undefined {
  for (const key of Object.keys(b) as Array<keyof ObservedPrice>) {
    if (a[key] !== undefined && !samePrice({ [key]: a[key] }, { [key]: b[key] })) return undefined;
  }
  return { ...a, ...b };
}

/** USD per token to USD per million, past float noise. */
const perMillion = (usd: number | null | undefined) => (usd == null ? undefined : Math.round(usd * 1e12) / 1e6);

function priceOf(e: Entry): ObservedPrice | undefined {
  const input = perMillion(e.input_cost_per_token);
  const output = perMillion(e.output_cost_per_token);
  if (input === undefined || output === undefined) return undefined;
  const price: ObservedPrice = { input, output };
  const w5 = perMillion(e.cache_creation_input_token_cost);
  const w1h = perMillion(e.cache_creation_input_token_cost_above_1hr);
  const read = perMillion(e.cache_read_input_token_cost);
  if (w5 !== undefined) price.cacheWrite5m = w5;
  if (w1h !== undefined) price.cacheWrite1h = w1h;
  if (read !== undefined) price.cacheRead = read;
  const longInput = perMillion(e.input_cost_per_token_above_200k_tokens);
  if (longInput !== undefined && input > 0) {
    // A kind the list gives no long-context figure for scales like input.
    const scale = longInput / input;
    const base = fullPrice({ input, output, cacheWrite5m: w5, cacheWrite1h: w1h, cacheRead: read });
    price.longContext = {
      over: 200_000,
      measure: "eachKind",
      price: {
        input: longInput,
        output: perMillion(e.output_cost_per_token_above_200k_tokens) ?? base.output * scale,
        cacheWrite5m: perMillion(e.cache_creation_input_token_cost_above_200k_tokens) ?? base.cacheWrite5m * scale,
        cacheWrite1h: perMillion(e.cache_creation_input_token_cost_above_1hr_above_200k_tokens) ?? base.cacheWrite1h * scale,
        cacheRead: perMillion(e.cache_read_input_token_cost_above_200k_tokens) ?? base.cacheRead * scale,
      },
    };
  }
  const extra = e.provider_specific_entry ?? {};
  if (typeof extra.fast === "number" && extra.fast > 0) price.fast = extra.fast;
  if (typeof extra.us === "number" && extra.us > 0) price.geo = { us: extra.us };
  return price;
}
