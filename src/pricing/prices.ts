/** USD per million tokens. Source: ../shared/claude-code-data.md (Anthropic's list prices). */
export interface Price {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** Tokens of each kind past this many, in one response, bill at `above`. */
  tier?: { threshold: number; above: Omit<Price, "tier"> };
  /** Multiplier for `speed: "fast"` responses. */
  fastMultiplier?: number;
}

const OPUS_45: Price = { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 };
const OPUS_4: Price = { input: 15, output: 75, cacheWrite5m: 18.75, cacheWrite1h: 30, cacheRead: 1.5 };
const SONNET: Price = { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 };
const SONNET_LONG: Price = {
  ...SONNET,
  tier: { threshold: 200_000, above: { input: 6, output: 22.5, cacheWrite5m: 7.5, cacheWrite1h: 12, cacheRead: 0.6 } },
};
const HAIKU_45: Price = { input: 1, output: 5, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 };
const HAIKU_35: Price = { input: 0.8, output: 4, cacheWrite5m: 1, cacheWrite1h: 1.6, cacheRead: 0.08 };
const HAIKU_3: Price = { input: 0.25, output: 1.25, cacheWrite5m: 0.3, cacheWrite1h: 0.5, cacheRead: 0.03 };

/**
 * Model families, matched against the normalised id in order (first match
 * wins, so the more specific patterns come first).
 */
const FAMILIES: Array<[RegExp, Price]> = [
  [/opus-4-[67]/, { ...OPUS_45, fastMultiplier: 6 }],
  [/opus-4-5/, OPUS_45],
  [/opus-4(?:-1)?(?:-\d{8})?$|3-opus/, OPUS_4],
  [/sonnet-4(?:-\d{8})?$/, SONNET_LONG],
  [/sonnet-4-[56]|3-7-sonnet|3-5-sonnet/, SONNET],
  [/haiku-4-5/, HAIKU_45],
  [/3-5-haiku/, HAIKU_35],
  [/3-haiku/, HAIKU_3],
];

/**
 * `anthropic.claude-sonnet-4-5-20250929-v1:0`, `us.anthropic.claude-opus-4-1`,
 * `claude-opus-4.5` and `claude-sonnet-4-5@20250929` all name a family; strip
 * the vendor prefix and suffixes and use dashes.
 */
export function normaliseModel(model: string): string {
  return model
    .toLowerCase()
    .replace(/^.*?(claude-)/, "$1")
    .replace(/[@:].*$/, "")
    .replace(/-v\d+$/, "")
    .replace(/\./g, "-");
}

/** Prices by model name as written: a large history names a few models in 100,000s of responses. */
const known = new Map<string, Price | undefined>();

/** The price of a model, or undefined for one we do not know (it then costs 0 and is reported). */
export function priceOf(model: string): Price | undefined {
  if (known.has(model)) return known.get(model);
  const id = normaliseModel(model);
  const price = FAMILIES.find(([pattern]) => pattern.test(id))?.[1];
  known.set(model, price);
  return price;
}
