import { type Tokens, usdOf } from "./cost.ts";
import { COUNTING_VERSION } from "./iterations.ts";
import { modelKey } from "./model-id.ts";
import { type Family, type Period, periodAt } from "./table.ts";

/** One deduplicated API response, as the fold knows it. */
export interface PricedResponse {
  /** `message.model` as written. */
  model: string;
  /** When the response was written (epoch ms): it is priced by the price in force then. */
  at: number;
  tokens: Tokens;
  /** `usage.speed`. */
  speed?: string | null;
  /** `usage.inference_geo`. */
  inferenceGeo?: string | null;
}

export interface Cost {
  usd: number;
  /** Models with no price (counted at 0): reported, never guessed. */
  unknown: readonly string[];
}

/** How a model name is priced, worked out once per name. */
type Resolution =
  | { kind: "free" }
  | { kind: "unknown" }
  | { kind: "priced"; periods: readonly Period[]; regional: boolean; fast?: boolean; fingerprint?: string };

const NONE: readonly string[] = Object.freeze([]);

interface PriceBookParts {
  families: readonly Family[];
  /** User overrides by normalised id: they win over everything, for all dates. */
  overrides?: ReadonlyMap<string, Family>;
  unpriced: readonly string[];
  regionalPrefixes: readonly string[];
}

/**
 * Prices responses. Built once per run from the embedded table, the refreshed
 * cache and the user's overrides (see load.ts); a large history names a few
 * models in 100,000s of responses, so each name is resolved once.
 */
export class PriceBook {
  private readonly byId = new Map<string, Family>();
  private readonly byFastName = new Map<string, Family>();
  private readonly overrides: ReadonlyMap<string, Family>;
  private readonly unpriced: ReadonlySet<string>;
  private readonly regionalPrefixes: ReadonlySet<string>;
  private readonly resolved = new Map<string, Resolution>();
  private readonly unknownSeen = new Set<string>();

  constructor(parts: PriceBookParts) {
    for (const family of parts.families) {
      for (const id of [family.id, ...family.aliases]) this.byId.set(id, family);
      for (const id of family.fastNames ?? []) this.byFastName.set(id, family);
    }
    this.overrides = parts.overrides ?? new Map();
    this.unpriced = new Set(parts.unpriced);
    this.regionalPrefixes = new Set(parts.regionalPrefixes);
  }

  /** The cost of one model's tokens of a response (a response's counted parts: iterations.ts). */
  costOf(r: PricedResponse): Cost {
    const usd = this.priceOne(r.model, r, r.tokens);
    return usd === undefined ? { usd: 0, unknown: [r.model] } : { usd, unknown: NONE };
  }

  /** Whether this name stands for no model that answers (prices.json's `unpriced`): never billed, never a session's model. */
  isStandIn(model: string): boolean {
    return this.resolve(model).kind === "free";
  }

  /** Whether this model name has a price (or is never billed). */
  knows(model: string): boolean {
    return this.resolve(model).kind !== "unknown";
  }

  /**
   * A short string that changes when anything that prices this model name
   * changes (any of its dated prices or multipliers, or how a response's
   * parts are counted): stored by the sync so it re-prices the sessions that
   * used a model whose prices changed.
   */
  fingerprint(model: string): string {
    const r = this.resolve(model);
    if (r.kind !== "priced") return r.kind;
    r.fingerprint ??= new Bun.CryptoHasher("sha256")
      .update(JSON.stringify([COUNTING_VERSION, r.regional, r.periods.map(canonical), ...(r.fast ? ["fast"] : [])]))
      .digest("base64url")
      .slice(0, 16);
    return r.fingerprint;
  }

  fingerprints(models: Iterable<string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const model of models) out[model] = this.fingerprint(model);
    return out;
  }

  /** Model names costOf met without a price, sorted. */
  unknownModels(): string[] {
    return [...this.unknownSeen].sort();
  }

  private priceOne(model: string, r: PricedResponse, tokens: Tokens): number | undefined {
    const res = this.resolve(model);
    if (res.kind === "free") return 0;
    if (res.kind === "unknown") {
      this.unknownSeen.add(model);
      return undefined;
    }
    const p = periodAt(res.periods, r.at);
    let usd = usdOf(tokens, p.price, p.longContext);
    // A name that says fast mode is billed as fast once, whether or not the line says speed fast too (as ccusage bills it).
    if (r.speed === "fast" || res.fast) usd *= p.fast;
    // inference_geo is a parameter of Anthropic's own API; through a Bedrock geographic profile the profile's premium is the one billed.
    if (res.regional) usd *= p.regional;
    else if (r.inferenceGeo) usd *= p.geo[r.inferenceGeo] ?? 1;
    return usd;
  }

  private resolve(model: string): Resolution {
    let r = this.resolved.get(model);
    if (r) return r;
    const { key, prefix } = modelKey(model);
    const override = this.overrides.get(key);
    // A family's name without `claude-` (`fable-5`, `sonnet-4-5`, as gateways write it) is that family, as
    // ccusage prices it; a bare alias (`opus`) still names none.
    const family = this.byId.get(key) ?? (prefix === "" && !key.startsWith("claude-") ? this.byId.get(`claude-${key}`) : undefined);
    const fastFamily = family ? undefined : this.byFastName.get(key);
    if (this.unpriced.has(model) || this.unpriced.has(key)) r = { kind: "free" };
    else if (override) r = { kind: "priced", periods: override.periods, regional: false };
    else if (family) r = { kind: "priced", periods: family.periods, regional: this.regionalPrefixes.has(prefix) };
    else if (fastFamily) r = { kind: "priced", periods: fastFamily.periods, regional: this.regionalPrefixes.has(prefix), fast: true };
    else r = { kind: "unknown" };
    this.resolved.set(model, r);
    return r;
  }
}

/** A period with its keys in one order, for fingerprints. */
function canonical(p: Period): unknown[] {
  const { input, output, cacheWrite5m, cacheWrite1h, cacheRead } = p.price;
  const lc = p.longContext;
  const long = lc && [lc.over, lc.measure, lc.price.input, lc.price.output, lc.price.cacheWrite5m, lc.price.cacheWrite1h, lc.price.cacheRead];
  const geo = Object.entries(p.geo).sort(([a], [b]) => (a < b ? -1 : 1));
  return [p.from, input, output, cacheWrite5m, cacheWrite1h, cacheRead, long ?? null, p.fast, geo, p.regional];
}
