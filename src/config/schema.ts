import { z } from "../runtime/zod.ts";
import { PriceOverridesSchema } from "../pricing/override.ts";
import { didYouMean } from "../report/suggest.ts";

/**
 * Extra redaction patterns are plain JavaScript regex sources. They are compiled
 * here, and only here, so validation and the redactor agree on the flags.
 */
export function compileRedactPattern(source: string): RegExp {
  return new RegExp(source, "g");
}

const RedactPattern = z.string().check(
  z.minLength(1),
  z.superRefine((source, ctx) => {
    try {
      compileRedactPattern(source);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `${JSON.stringify(source)} is not a valid regular expression (${(error as Error).message})`,
      });
    }
  }),
);

/** What gets synced. Unknown keys are kept, so an older version does not drop a newer one's options. */
export const OptionsSchema = z.looseObject({
  toolCalls: z._default(z.boolean(), true),
  thinking: z._default(z.boolean(), false),
  subagentMessages: z._default(z.boolean(), true),
  excludeProjects: z._default(z.array(z.string().check(z.minLength(1))), () => []),
  redact: z._default(z.boolean(), true),
  redactPatterns: z._default(z.array(RedactPattern), () => []),
  /** Refresh model prices once a day (off: the prices built into this version only). */
  priceUpdates: z._default(z.boolean(), true),
  /** Prices for model names or aliases (custom or self-hosted models), USD per million tokens: they win over all others. */
  prices: z._default(PriceOverridesSchema, () => ({})),
});
export type Options = z.infer<typeof OptionsSchema>;

/** ~/.claude-code-sync/config.json. Unknown keys are kept on save (forward compatibility). */
export const ConfigSchema = z.looseObject({
  convexUrl: z.optional(z.string().check(z.minLength(1))),
  apiKey: z.optional(z.string().check(z.minLength(1))),
  /** Set by `login --insecure` for a plain http:// URL off this machine; holds only for `convexUrl`. */
  allowInsecure: z.optional(z.boolean()),
  options: z.prefault(OptionsSchema, {}),
});
export type Config = z.infer<typeof ConfigSchema>;

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}

/**
 * The keys of a config this version does not use (`options.thinkng`), each with the known key it is
 * closest to, if any: kept for the version that knows them, but a typo would otherwise do nothing, silently.
 */
export function unusedKeys(cfg: Config): Array<{ key: string; meant?: string }> {
  const unused = (value: object, known: string[], prefix: string) =>
    Object.keys(value)
      .filter((key) => !known.includes(key))
      .map((key) => {
        const [meant] = didYouMean(key, known, 1);
        return { key: `${prefix}${key}`, ...(meant ? { meant: `${prefix}${meant}` } : {}) };
      });
  return [...unused(cfg, Object.keys(ConfigSchema.shape), ""), ...unused(cfg.options, Object.keys(OptionsSchema.shape), "options.")];
}

/** "options.thinkng (did you mean options.thinking?), x", for a message. */
export const unusedKeysText = (keys: ReturnType<typeof unusedKeys>) => keys.map(({ key, meant }) => (meant ? `${key} (did you mean ${meant}?)` : key)).join(", ");

/** What a command says of the config's unused keys, if any (report/unused-keys.ts). */
export function unusedKeysWarning(cfg: Config): string | undefined {
  const unused = unusedKeys(cfg);
  return unused.length === 0 ? undefined : `The config file has keys this version does not use, so they do nothing: ${unusedKeysText(unused)}.`;
}
