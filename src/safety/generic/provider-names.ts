import providers from "../rules/providers.json" with { type: "json" };

/**
 * Credential providers by name (rules/providers.json). KEY_LABELS: the AI providers whose name alone labels a key anywhere
 * (`anthropic: …`, assignment.ts). PROVIDER_VARIABLE: a variable named for a provider alone (`STRIPE`, `OPENAI`), which in an
 * environment's listing holds that provider's credential.
 */
export const KEY_LABELS: readonly string[] = providers.keyLabels;
export const PROVIDER_NAMES: readonly string[] = [...providers.keyLabels, ...providers.listed];
export const PROVIDER_VARIABLE = new RegExp(`^(?:${PROVIDER_NAMES.join("|")})$`, "i");
