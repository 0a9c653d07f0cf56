import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "../runtime/zod.ts";
import { normalizeUrl } from "../opensync/url.ts";
import { home } from "../paths.ts";
import { type Config, ConfigSchema } from "./schema.ts";

/** Where the earlier claude-code-sync (0.1.x, a Node package) kept its login and options. */
export function legacyConfigPath(): string {
  return join(home(), ".config", "claude-code-sync", "config.json");
}

/** Built when an old config is found: nearly every run looks for none. */
const LegacySchema = z.lazy(() =>
  z.object({
    convexUrl: z.string().check(z.minLength(1)),
    apiKey: z.string().check(z.minLength(1)),
    syncToolCalls: z.optional(z.boolean()),
    syncThinking: z.optional(z.boolean()),
  }),
);

/**
 * The earlier tool's login as our config, or undefined when there is none or
 * it cannot be used (then the user logs in as for a first install).
 */
export function readLegacyConfig(): Config | undefined {
  try {
    const old = LegacySchema.parse(JSON.parse(readFileSync(legacyConfigPath(), "utf8")));
    return ConfigSchema.parse({
      convexUrl: normalizeUrl(old.convexUrl),
      apiKey: old.apiKey,
      options: { toolCalls: old.syncToolCalls ?? true, thinking: old.syncThinking ?? false },
    });
  } catch {
    return undefined;
  }
}
