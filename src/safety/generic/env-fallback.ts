import type { Detector, Finding, Hits } from "../detectors.ts";
import { SECRET_KEY, isAssignedSecret } from "./assignment.ts";
import { LITERAL } from "./credential-calls.ts";
import { isCredentialShaped } from "./inline-variables.ts";

/**
 * A secret written into code as the fallback of an environment variable named for one: the value
 * used wherever the variable is not set, so it is a real one as often as not.
 * `process.env.API_KEY || "…"`, `process.env["JWT_SECRET"] ?? "…"`, `os.getenv("API_KEY", "…")`,
 * `os.environ.get("SECRET_KEY", "…")`, `os.environ.get("X") or "…"`, Laravel's
 * `env('DB_PASSWORD', '…')`, Ruby's `ENV.fetch("DB_PASSWORD") { "…" }` and `ENV.fetch("X", "…")`,
 * Rust's `env::var("API_KEY").unwrap_or("…"…)`, Java's `System.getenv().getOrDefault("X", "…")`,
 * Kotlin's `System.getenv("X") ?: "…"`, .NET's `Environment.GetEnvironmentVariable("X") ?? "…"`;
 * the shell's (and docker compose's) default, `${DB_PASSWORD:-…}`, `${API_KEY:=…}`, and Spring's,
 * `${DB_PASSWORD:…}`. The reference alone is no secret (look-alikes.ts): only the literal after it
 * goes. (`${DB_PASSWORD:?…}` is a message, said when the variable is unset.) Under a name that says nothing of a secret
 * (`process.env.UPSTREAM || "…"`), a fallback shaped as a credential goes too, as a variable set on a command line does
 * (inline-variables.ts isCredentialShaped): a URL, a model's name, a setting, a hash stay.
 */

/** From `env` (or `environ`, `getenv`'s end): the variable's name, by member, subscript or call. */
const VARIABLE = String.raw`env(?:iron(?:mentVariable)?)?(?:\.([A-Za-z_]\w{0,100})|\[[ \t]*["']([\w.-]{1,100})["'][ \t]*\]|(?:\.get|\.fetch|::var|\(\)\.getOrDefault)?[ \t]*\([ \t]*["']([\w.-]{1,100})["'][ \t]*)`;
/** Then its fallback: a call's second argument, `||`, `??`, `?:`, `or`, a Ruby block, Rust's `unwrap_or` (`_else` with a closure). */
const FALLBACK = String.raw`(?:,[ \t]*|\)?[ \t]*(?:\|\||\?\?|\?:|or\b)[ \t]*|\)[ \t]*\{[ \t]*|\)\.unwrap_or(?:_else)?\([ \t]*(?:\|_?\|[ \t]*)?)`;
const ENV_FALLBACK = new RegExp(`${VARIABLE}${FALLBACK}${LITERAL}`, "diy");

/** `${NAME:-default}`, `${NAME:=default}` (or without the colon), Spring's `${NAME:default}`: the default up to the closing brace. */
const SHELL_DEFAULT = /\$\{([A-Za-z_]\w{0,100})(:?[-=]|:)([^\s}"'\x60]{1,200})\}/dy;
/** After a bare colon, the shell's substring (`${PASSWORD:0:4}`, `${TOKEN:(-4)}`), not a default. */
const SUBSTRING = /^\(?-?\d+\)?(?::-?\d+)?$/;

/**
 * A literal set for a variable named for a secret, when it is one by the rules an assigned value is held to; for another variable,
 * when shaped as a credential.
 */
function secretLiteral(name: string | undefined, value: string | undefined, span: [number, number] | undefined): Finding | undefined {
  if (name === undefined || value === undefined || !span) return undefined;
  const secret = SECRET_KEY.test(name) ? isAssignedSecret(name, value, true, undefined) : isCredentialShaped(value);
  return secret ? { start: span[0], end: span[1], kind: "secret" } : undefined;
}

function envFallback(text: string, at: number): Finding | undefined {
  ENV_FALLBACK.lastIndex = at;
  const m = ENV_FALLBACK.exec(text);
  if (!m) return undefined;
  const group = m[4] !== undefined ? 4 : 5;
  return secretLiteral(m[1] ?? m[2] ?? m[3], m[group], m.indices?.[group]);
}

function shellDefault(text: string, at: number): Finding | undefined {
  SHELL_DEFAULT.lastIndex = at;
  const m = SHELL_DEFAULT.exec(text);
  // `:?` is the shell's message for an unset variable (`${POSTGRES_PASSWORD:?required}`), not a default.
  if (!m || (m[2] === ":" && (SUBSTRING.test(m[3] as string) || (m[3] as string).startsWith("?")))) return undefined;
  return secretLiteral(m[1], m[3], m.indices?.[3]);
}

export const envFallbackDetector: Detector = {
  keywords: ["env", "${"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      const found = text[at] === "$" ? shellDefault(text, at) : envFallback(text, at);
      if (found) out.push(found);
    }
  },
};
