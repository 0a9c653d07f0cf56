import { PLAIN_SETTING, isStandIn } from "../look-alikes.ts";
import providers from "../rules/providers.json" with { type: "json" };

/**
 * Credential providers by name (rules/providers.json). KEY_LABELS: the AI providers whose name alone labels a key anywhere
 * (`anthropic: …`, assignment.ts). PROVIDER_VARIABLE: a variable named for a provider alone (`STRIPE`, `OPENAI`), which in an
 * environment's listing holds that provider's credential.
 */
export const KEY_LABELS: readonly string[] = providers.keyLabels;
export const PROVIDER_NAMES: readonly string[] = [...providers.keyLabels, ...providers.listed];
export const PROVIDER_VARIABLE = new RegExp(`^(?:${PROVIDER_NAMES.join("|")})$`, "i");

/**
 * What a provider's variable holds that is its credential, whatever its shape: not a flag, a number, a version, a host, a path or a URL
 * (PLAIN_SETTING: `VERCEL=1`, `NETLIFY=true`, set by their builds), a word of under six letters (`test`, `live`: a mode) or a stand-in.
 */
const CREDENTIAL_MIN = 6;
export const isProviderCredential = (value: string) => value.length >= CREDENTIAL_MIN && !PLAIN_SETTING.test(value) && !isStandIn(value);
