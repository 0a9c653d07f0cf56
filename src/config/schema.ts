import { z } from "zod";
import { PriceOverridesSchema } from "../pricing/override.ts";

/**
 * Extra redaction patterns are plain JavaScript regex sources. They are compiled
 * here, and only here, so validation and the redactor agree on the flags.
 */
export function compileRedactPattern(source: string): RegExp {
  return new RegExp(source, "g");
}

const RedactPattern = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    try {
      compileRedactPattern(source);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `${JSON.stringify(source)} is not a valid regular expression (${(error as Error).message})`,
      });
    }
  });

/** What gets synced. Unknown keys are kept, so an older version does not drop a newer one's options. */
export const OptionsSchema = z.looseObject({
  toolCalls: z.boolean().default(true),
  thinking: z.boolean().default(false),
  subagentMessages: z.boolean().default(true),
  excludeProjects: z.array(z.string().min(1)).default(() => []),
  redact: z.boolean().default(true),
  redactPatterns: z.array(RedactPattern).default(() => []),
  /** Refresh model prices once a day (off: the prices built into this version only). */
  priceUpdates: z.boolean().default(true),
  /** Prices for model names or aliases (custom or self-hosted models), USD per million tokens: they win over all others. */
  prices: PriceOverridesSchema.default(() => ({})),
});
export type Options = z.infer<typeof OptionsSchema>;

/** ~/.claude-code-sync/config.json. Unknown keys are kept on save (forward compatibility). */
export const ConfigSchema = z.looseObject({
  convexUrl: z.string().min(1).optional(),
  apiKey: z.string().min(1).optional(),
  /** Set by `login --insecure` for a plain http:// URL off this machine; holds only for `convexUrl`. */
  allowInsecure: z.boolean().optional(),
  options: OptionsSchema.prefault({}),
});
export type Config = z.infer<typeof ConfigSchema>;

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}
