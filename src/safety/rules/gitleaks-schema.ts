import { z } from "../../runtime/zod.ts";

/**
 * The shape of rules/gitleaks.json: gitleaks' rules converted to JavaScript regex sources by
 * scripts/gitleaks-rules.ts. The converter validates what it writes with this schema, and the
 * redactor what it embeds.
 */

const Allowlist = z.object({
  /** What the regexes test: the secret (default), the whole match, or the line(s) of the match. */
  target: z.enum(["secret", "match", "line"]),
  regexes: z.array(z.string()),
  /** Lowercase words; a secret containing one is allowed. */
  stopwords: z.array(z.string()),
});

const Rule = z.object({
  id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  /** A JavaScript regex source, compiled without flags (case-insensitivity is spelled out in classes). */
  regex: z.string(),
  /** Lowercase; the rule runs only when one occurs in the text. */
  keywords: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  /** The capture group holding the secret; otherwise the first non-empty group, else the whole match. */
  secretGroup: z.optional(z.int().check(z.positive())),
  /** Shannon entropy (bits per character) the secret must exceed. */
  entropy: z.optional(z.number().check(z.positive())),
  /** Every match starts where a keyword starts: the regex is tried there only. */
  anchored: z.optional(z.literal(true)),
  /** A class holding every match's first character (exact case): a hit elsewhere is skipped at once. */
  start: z.optional(z.string()),
  /**
   * The longest match, present when every match contains one of the keywords: the regex then runs
   * only on windows of this size around keyword hits. Absent: it runs on the whole text.
   */
  window: z.optional(z.int().check(z.positive())),
  /** How many `[\w.-]` characters gitleaks' pattern took before the identifier (removed from `regex`). */
  namePrefix: z.optional(z.int().check(z.positive())),
  allowlists: z.array(Allowlist),
});

export const GitleaksRulesSchema = z.object({
  source: z.object({
    repository: z.string(),
    path: z.string(),
    commit: z.string().check(z.regex(/^[0-9a-f]{40}$/)),
    license: z.literal("MIT"),
    copyright: z.string(),
    convertedBy: z.string(),
  }),
  notes: z.array(z.string()),
  dropped: z.array(z.object({ id: z.string(), reason: z.string() })),
  changed: z.array(z.object({ id: z.string(), change: z.string() })),
  allowlist: z.object({ regexes: z.array(z.string()), stopwords: z.array(z.string()) }),
  rules: z.array(Rule),
});

export type GitleaksRules = z.infer<typeof GitleaksRulesSchema>;
export type GitleaksRule = z.infer<typeof Rule>;
