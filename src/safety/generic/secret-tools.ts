import type { PrintedSecret } from "./printed-secret.ts";

/**
 * MCP tools that read a secret store: `mcp__vault__read`, `mcp__hashicorp-vault__get_secret`,
 * `mcp__1password__get_item`, `mcp__aws__secretsmanager_get_secret_value`, `mcp__doppler__get_secret`.
 * Their result is the secret, as a command's output is for `op read` (printed-secret.ts): a record
 * whose values go whatever their shape (secret-record.ts). Known by the words of the tool's name,
 * its server's (before the second `__`) and its own.
 */

/** Words naming a secret store or what it keeps, in an MCP tool's name. */
const STORE_WORDS = new Set([
  "vault", "keyvault", "secret", "secrets", "secretsmanager", "1password", "onepassword", "op", "keychain", "doppler", "infisical",
  "bitwarden", "bw", "lastpass", "lpass", "keeper", "passbolt", "akeyless", "conjur", "password", "passwords", "credential", "credentials",
]);
/** Words naming a store whose values are secret only read decrypted: AWS SSM's `get_parameter` with `WithDecryption`. */
const DECRYPTED_STORE_WORDS = new Set(["ssm", "parameter", "parameters"]);
/** Words of tools that share a store's words but hold no secret: Obsidian's vault of notes. */
const NOT_STORE_WORDS = new Set(["obsidian", "note", "notes"]);

/** The words of a tool's name: `mcp__hashicorp-vault__getSecret` is mcp, hashicorp, vault, get, secret. */
const words = (name: string) => name.replace(/([a-z])(?=[A-Z])/g, "$1 ").toLowerCase().split(/[^a-z0-9]+/);

/** An input asking for the value decrypted (`WithDecryption: true`, `with_decryption: true`). */
const asksDecrypted = (input: unknown) =>
  typeof input === "object" && input !== null && Object.entries(input).some(([key, value]) => value === true && /decrypt/i.test(key));

/** Whether an MCP tool's call (its name and input) reads a secret from a store: its result is then printed secret output. */
export function toolPrints(name: string, input: unknown): PrintedSecret | undefined {
  if (!name.startsWith("mcp__")) return undefined;
  const named = words(name);
  if (named.some((w) => NOT_STORE_WORDS.has(w))) return undefined;
  const store = named.some((w) => STORE_WORDS.has(w)) || (named.some((w) => DECRYPTED_STORE_WORDS.has(w)) && asksDecrypted(input));
  return store ? "any" : undefined;
}
