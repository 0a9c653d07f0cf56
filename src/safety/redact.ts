import { compileRedactPattern } from "../config/schema.ts";

/**
 * Secret redaction: every text and JSON value goes through this before it leaves the machine.
 *
 * Pure, no I/O, and run on every message of a sync, so: every regex is compiled once, and each
 * one is built so that it cannot backtrack super-linearly (a match starts at a literal prefix or
 * at the start of a token run, and repeated classes are bounded or disjoint from what follows).
 * A small predicate per rule rejects look-alikes (placeholders, `$VAR` references, code such as
 * `token = getToken()`), so ordinary code stays readable. See README.md, "Secrets and what leaves your machine".
 */

export type RedactionKind =
  | "anthropic-key"
  | "openai-key"
  | "opensync-key"
  | "aws-access-key-id"
  | "aws-secret-key"
  | "github-token"
  | "slack-token"
  | "stripe-key"
  | "google-api-key"
  | "private-key"
  | "jwt"
  | "authorization"
  | "bearer-token"
  | "password"
  | "secret"
  | "custom";

export interface Redactor {
  /** Redacts secrets in one text; `count` is the number of replacements. */
  redact(text: string): { text: string; count: number };
  /** Redacts every string inside a JSON value (keys are kept); values of secret-named keys go whole. */
  redactValue<T>(value: T): { value: T; count: number };
}

interface RedactorOptions {
  /** Extra regex sources from the user's config (`redactPatterns`), compiled as config validates them. */
  extraPatterns?: readonly string[];
}

const MARKER_PREFIX = "[REDACTED:";

export function redactionMarker(kind: RedactionKind): string {
  return `${MARKER_PREFIX}${kind}]`;
}

// ---------------------------------------------------------------------------------------------
// Look-alike filters

const HAS_DIGIT = /\d/;
const HAS_LETTER = /[A-Za-z]/;
const HAS_SPACE = /\s/;

/** Values that only point at a secret: `$TOKEN`, `${X}`, `$(cmd)`, `%X%`, `{{ secrets.X }}`. */
const REFERENCE =
  /^(?:\$[{(A-Za-z_]|%[A-Za-z_]\w*%$|\{\{[\s\S]*\}\}$|<%[\s\S]*%>$|(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|ENV\[))/;

/** Documentation stand-ins and type names: `your-api-key-here`, `xxxxx`, `<token>`, `string`. */
const PLACEHOLDER_WORD =
  /^(?:null|nil|none|undefined|true|false|yes|no|on|off|string|str|number|int|integer|float|double|bool|boolean|any|unknown|object|bytes|required|optional|empty|default|hidden|masked|secret|password|passwd|pass|token|key|apikey|api_key|test|testing|demo|foo|bar|baz|foobar|abc|xyz|n\/a|tbd|todo|fixme)$/i;
const PLACEHOLDER_WHOLE = /^(?:your|enter|insert|replace|put)[-_ .]|^<.*>$|^\[.*\]$|^\{.*\}$|^(.)\1*$/i;
/** Only for one-word values: a longer text may hold a real secret next to an ellipsis. */
const PLACEHOLDER_PART = /example|placeholder|change[-_]?me|dummy|redacted|x{5,}|\*{3,}|\.{3}|…|[-_]here$/i;
const MARKER_ONLY = /^\[REDACTED:[a-z-]+\]$/;

function isPlaceholder(value: string): boolean {
  return (
    PLACEHOLDER_WORD.test(value) ||
    PLACEHOLDER_WHOLE.test(value) ||
    (!HAS_SPACE.test(value) && PLACEHOLDER_PART.test(value))
  );
}

/** Values that are not a secret themselves: placeholders, references, our own markers. */
function isStandIn(value: string): boolean {
  return MARKER_ONLY.test(value) || REFERENCE.test(value) || isPlaceholder(value);
}

/** A random-looking opaque value: long, one word, letters and digits. */
function looksRandom(value: string): boolean {
  return value.length >= 16 && !HAS_SPACE.test(value) && HAS_DIGIT.test(value) && HAS_LETTER.test(value);
}

// ---------------------------------------------------------------------------------------------
// Assignments: PASSWORD=..., api_key: ..., "clientSecret": "...", spring.datasource.password=...

/**
 * Name endings that mark a secret. `pass` only as a whole word (`DB_PASS`, not `bypass`), `pwd`
 * only after a separator (`DB_PWD`, not the shell's `PWD`), `*_KEY` for any separated key.
 */
const SECRET_NAME_END = String.raw`(?:pass(?:word|wd|phrase)|(?<![a-z0-9])pass|(?<=[_.-])pwd|secret|token|(?:api|access|secret|private|signing|encryption|master|client|auth)key|(?<=[_.-])key)`;
/** Names whose value is secret whatever it looks like; other `*_KEY` names need a random value. */
const STRONG_NAME =
  /(?:pass(?:word|wd|phrase)|(?<![a-z0-9])pass|[_.-]pwd|secret|token|(?:api|access|secret|private|signing|encryption|master|client|auth)[_.-]?key)$/i;
/** Object keys holding a secret (redactValue), by the same name rules as assignments. */
const SECRET_KEY = new RegExp(String.raw`${SECRET_NAME_END}$`, "i");
/** Header-like keys whose whole value is a credential (`{"Authorization": "Basic ..."}`). */
const CREDENTIAL_KEY = /^(?:proxy-)?authorization$|^(?:set-)?cookie$/i;
const SCREAMING_NAME = /^[A-Z0-9_.-]+$/;
/** An identifier or member path without digits: `string`, `session.token`, `Token`. */
const CODE_PATH = /^[A-Za-z_$][A-Za-z_$]*(?:\.[A-Za-z_$][A-Za-z_$]*)*$/;
const SMALL_NUMBER = /^\d{1,5}$/;
/** UI text such as "Forgot your password?" as the value of an i18n key. */
const PROSE = /^[A-Z][a-z']*(?:[ ,]+[A-Z]?[a-z']+)+[.?!:…]?$/;

/**
 * Whether `value`, assigned to `name`, is a secret. `quoted` values are literals; an unquoted
 * value that is a bare identifier is code (`password: string`, `token = session.token`) unless
 * the name is an environment-style SCREAMING_NAME (`DB_PASSWORD=postgres`).
 */
function isAssignedSecret(name: string, value: string, quoted: boolean, next: string | undefined): boolean {
  if (isStandIn(value)) return false;
  if (!STRONG_NAME.test(name)) return looksRandom(value);
  if (quoted) return !PROSE.test(value);
  if (next === "(" || SMALL_NUMBER.test(value)) return false;
  return !CODE_PATH.test(value) || SCREAMING_NAME.test(name);
}

// ---------------------------------------------------------------------------------------------
// Rules

interface Rule {
  /** Substrings one of which every match contains: the regex is skipped when none is present. */
  hints?: readonly string[];
  /** Runs on the text as it is so far; `original` is the unredacted input (for context gates). */
  apply(text: string, original: string, counter: Counter): string;
}

interface Counter {
  count: number;
}

type Replacer = (match: string, groups: (string | undefined)[], offset: number, input: string) => string | null;

/** A rule from a global regex: `replace` returns the replacement, or null to keep the match. */
function regexRule(re: RegExp, replace: Replacer, hints?: readonly string[]): Rule {
  return {
    hints,
    apply(text, _original, counter) {
      return text.replace(re, (...args: unknown[]) => {
        const match = args[0] as string;
        if (match === "") return match; // a pattern that can match nothing must not insert markers
        const input = args[args.length - 1] as string;
        const offset = args[args.length - 2] as number;
        const replaced = replace(match, args.slice(1, -2) as (string | undefined)[], offset, input);
        if (replaced === null) return match;
        counter.count++;
        return replaced;
      });
    },
  };
}

/** A token with a recognisable shape, redacted whole. */
function tokenRule(
  kind: RedactionKind,
  source: string,
  hints: readonly string[],
  accept = (m: string) => !isPlaceholder(m),
): Rule {
  const marker = redactionMarker(kind);
  return regexRule(new RegExp(source, "g"), (m) => (accept(m) ? marker : null), hints);
}

/** Tokens start where a run of token characters starts, never inside one. */
const START = String.raw`(?<![A-Za-z0-9_-])`;

const PEM_HEADER = /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/y;
const PEM_FOOTER = /-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/y;

/** Characters of a PEM body, including `\n` escapes of keys embedded in JSON strings. */
function isPemBodyChar(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x30 && c <= 0x3a) || // 0-9 and ':' (Proc-Type: headers)
    c === 0x2b || c === 0x2f || c === 0x3d || c === 0x2c || c === 0x5c || // + / = , \
    c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
  );
}

/**
 * Private key blocks, BEGIN through END. Scanned by hand rather than by one regex: a body can be
 * megabytes long, and a regex group repeated that often fails silently in JavaScriptCore. A block
 * whose END is missing (cut-off output) is redacted up to the end of its body.
 */
const privateKeyRule: Rule = {
  hints: ["-----BEGIN"],
  apply(text, _original, counter) {
    const marker = redactionMarker("private-key");
    let out = "";
    let copied = 0;
    let at = text.indexOf("-----BEGIN");
    while (at !== -1) {
      PEM_HEADER.lastIndex = at;
      if (!PEM_HEADER.test(text)) {
        at = text.indexOf("-----BEGIN", at + 1);
        continue;
      }
      let end = PEM_HEADER.lastIndex;
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (isPemBodyChar(c) || (c === 0x2d && !text.startsWith("-----", end))) end++;
        else break;
      }
      PEM_FOOTER.lastIndex = end;
      if (PEM_FOOTER.test(text)) end = PEM_FOOTER.lastIndex;
      out += text.slice(copied, at) + marker;
      copied = end;
      counter.count++;
      at = text.indexOf("-----BEGIN", end);
    }
    return copied === 0 ? text : out + text.slice(copied);
  },
};

/** `scheme://user:password@host`: only the password goes; the last `@` of the authority ends it. */
const urlCredentialsRule = regexRule(
  /:\/\/([^\s:/?#@"'<>[\]]{0,256}):([^\s/?#"'<>]{1,256})@/g,
  (_m, [user, password]) =>
    password === undefined || isStandIn(password) ? null : `://${user}:${redactionMarker("password")}@`,
  ["://"],
);

const AWS_CONTEXT =
  /aws_secret_access_key|secretaccesskey|aws_access_key_id|accesskeyid|(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}/i;
const HAS_UPPER = /[A-Z]/;
const HAS_LOWER = /[a-z]/;
const HAS_DIGIT_OR_SIGN = /[0-9/+]/;
const awsSecretWords = regexRule(/(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g, (m) =>
  HAS_UPPER.test(m) && HAS_LOWER.test(m) && HAS_DIGIT_OR_SIGN.test(m) && !isPlaceholder(m)
    ? redactionMarker("aws-secret-key")
    : null,
);

/**
 * AWS secret access keys have no prefix: a standalone 40-character base64 word counts only in a
 * text that also mentions AWS credentials (a credentials file, a .env, `aws sts` output). Mixed
 * case is required, which keeps 40-hex git hashes out.
 */
const awsSecretRule: Rule = {
  apply(text, original, counter) {
    return AWS_CONTEXT.test(original) ? awsSecretWords.apply(text, original, counter) : text;
  },
};

/** `Authorization: Bearer|Basic|Digest <credentials>` in headers, curl commands and code. */
const authorizationRule = regexRule(
  /(authorization["'`]?[ \t]{0,10}[:=][ \t]{0,10}["'`]?[ \t]{0,10}(?:bearer|basic|digest)[ \t]{1,10})([^\s"'`\\,;]{1,2000})/gi,
  (_m, [head, value]) => (value === undefined || isStandIn(value) ? null : head + redactionMarker("authorization")),
);

/** A loose `bearer <token>`: the token must look random, so prose ("bearer authentication") stays. */
const bearerRule = regexRule(
  /(?<![A-Za-z0-9])(bearer[ \t]{1,10})([A-Za-z0-9._~+/=-]{8,2000})/gi,
  (_m, [head, token]) =>
    token === undefined || isStandIn(token) || !HAS_DIGIT.test(token) || !HAS_LETTER.test(token)
      ? null
      : head + redactionMarker("bearer-token"),
);

/**
 * NAME = value in env, shell, YAML, JSON (also JSON escaped inside a string), TOML, code:
 * groups are name, key quote, separator, then the value as "double", \"escaped\", 'single'
 * or bare. The name and the quotes stay: `PASSWORD=[REDACTED:secret]`.
 */
const assignmentRule = regexRule(
  new RegExp(
    String.raw`(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{0,100}?${SECRET_NAME_END})(\\?["'])?([ \t]{0,10}(?::=|=>|:|=(?!=))[ \t]{0,10})` +
      String.raw`(?:"((?:[^"\\\r\n]|\\[^\r\n]){1,1000})"|\\"([^"\\\r\n]{1,1000})\\"|'([^'\r\n]{1,1000})'|([^\s"'\x60,;(){}[\]<>&\\]{1,1000}))`,
    "gi",
  ),
  (match, [name, keyQuote, sep, double, escaped, single, bare], offset, input) => {
    const value = double ?? escaped ?? single ?? bare;
    if (name === undefined || value === undefined) return null;
    if (!isAssignedSecret(name, value, bare === undefined, input[offset + match.length])) return null;
    const quote = double !== undefined ? '"' : escaped !== undefined ? '\\"' : single !== undefined ? "'" : "";
    return `${name}${keyQuote ?? ""}${sep}${quote}${redactionMarker("secret")}${quote}`;
  },
);

/** Built-in rules, most specific first, so a known token gets its own kind before generic rules see it. */
const BUILTIN_RULES: readonly Rule[] = [
  privateKeyRule,
  urlCredentialsRule,
  tokenRule("anthropic-key", String.raw`${START}sk-ant-[A-Za-z0-9_-]{20,}`, ["sk-ant-"]),
  tokenRule(
    "openai-key",
    String.raw`${START}sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`,
    ["sk-"],
    // kebab-case words such as sk-spinner-fading-circle have no digits
    (m) => HAS_DIGIT.test(m) && !isPlaceholder(m),
  ),
  tokenRule("opensync-key", String.raw`${START}osk_[A-Za-z0-9_-]{32,}`, ["osk_"]),
  tokenRule(
    "github-token",
    String.raw`(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`,
    ["gh", "github_pat_"],
  ),
  tokenRule(
    "slack-token",
    String.raw`${START}xox[abposr]-[A-Za-z0-9-]{10,}`,
    ["xox"],
    (m) => HAS_DIGIT.test(m) && !isPlaceholder(m),
  ),
  tokenRule(
    "stripe-key",
    String.raw`(?<![A-Za-z0-9_])(?:[sr]k_(?:live|test)|pk_live)_[A-Za-z0-9]{10,}`,
    ["k_live_", "k_test_"],
  ),
  tokenRule("google-api-key", String.raw`${START}AIza[A-Za-z0-9_-]{35,}`, ["AIza"]),
  tokenRule(
    "aws-access-key-id",
    String.raw`(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])`,
    ["AKIA", "ASIA"],
  ),
  tokenRule("jwt", String.raw`${START}eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`, ["eyJ"]),
  awsSecretRule,
  authorizationRule,
  bearerRule,
  assignmentRule,
];

function isSecretEntry(key: string, value: string): boolean {
  if (CREDENTIAL_KEY.test(key)) return !isStandIn(value);
  return SECRET_KEY.test(key) && isAssignedSecret(key, value, true, undefined);
}

function customRule(re: RegExp): Rule {
  const marker = redactionMarker("custom");
  return regexRule(re, () => marker);
}

function runRules(rules: readonly Rule[], text: string): { text: string; count: number } {
  const counter: Counter = { count: 0 };
  let out = text;
  for (const rule of rules) {
    if (rule.hints !== undefined && !rule.hints.some((h) => out.includes(h))) continue;
    out = rule.apply(out, text, counter);
  }
  return { text: out, count: counter.count };
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  // User patterns run first so they see the text as written.
  const custom = (options.extraPatterns ?? []).flatMap((source) => {
    try {
      return [customRule(compileRedactPattern(source))];
    } catch {
      return []; // config rejects invalid patterns; one that slips through is skipped, not fatal
    }
  });
  const rules = [...custom, ...BUILTIN_RULES];
  const secretMarker = redactionMarker("secret");

  const redact = (text: string) => runRules(rules, text);

  const redactValue = <T>(value: T): { value: T; count: number } => {
    let count = 0;
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") {
        const r = redact(v);
        count += r.count;
        return r.text;
      }
      if (Array.isArray(v)) return v.map(walk);
      if (v === null || typeof v !== "object") return v;
      // fromEntries keeps a "__proto__" key as data instead of setting the prototype.
      return Object.fromEntries(
        Object.entries(v).map(([key, child]) => {
          if (typeof child === "string" && isSecretEntry(key, child)) {
            count++;
            return [key, secretMarker];
          }
          return [key, walk(child)];
        }),
      );
    };
    const out = walk(value) as T;
    return { value: out, count };
  };

  return { redact, redactValue };
}
