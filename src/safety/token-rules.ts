import { z } from "../runtime/zod.ts";
import type { Detector, Finding, Hits } from "./detectors.ts";
import { HAS_DIGIT, isTokenStandIn } from "./look-alikes.ts";
import data from "./rules/tokens.json" with { type: "json" };

/**
 * Provider tokens recognised by their prefix (rules/tokens.json): each rule's regex is tried,
 * sticky, at every occurrence of its keywords, so a text costs nothing here beyond the keyword
 * pass unless it holds a prefix.
 */

/** The shape of rules/tokens.json; a test validates the file with it (not parsed again at every start). */
export const TokenRulesSchema = z.object({
  source: z.string(),
  rules: z.array(
    z.object({
      kind: z.string().check(z.regex(/^[a-z0-9-]+$/)),
      about: z.string(),
      keywords: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
      /** A character class body: a token never starts right after one of these (it would be inside a word). */
      notAfter: z.optional(z.string()),
      regex: z.string(),
      /** Only this capture group is the secret (the rest is context, such as a webhook URL's path). */
      secretGroup: z.optional(z.int().check(z.positive())),
      /** Reject matches without a digit: words that share the prefix (`sk-spinner-fading-circle`). */
      needsDigit: z.optional(z.boolean()),
    }),
  ),
});

export const TOKEN_RULES = (data as z.infer<typeof TokenRulesSchema>).rules;

type TokenRule = (typeof TOKEN_RULES)[number];

class TokenDetector implements Detector {
  readonly keywords: readonly string[];
  private readonly re: RegExp;
  /** 1 for the ASCII characters a token may not follow. */
  private readonly notAfter = new Uint8Array(128);

  constructor(private readonly rule: TokenRule) {
    this.keywords = rule.keywords;
    this.re = new RegExp(rule.regex, rule.secretGroup ? "yd" : "y");
    if (rule.notAfter) {
      const cls = new RegExp(`[${rule.notAfter}]`);
      for (let c = 0; c < 128; c++) this.notAfter[c] = cls.test(String.fromCharCode(c)) ? 1 : 0;
    }
  }

  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done || this.notAfter[text.charCodeAt(at - 1)] === 1) continue;
      this.re.lastIndex = at;
      const m = this.re.exec(text);
      if (m === null) continue;
      const span: readonly [number, number] | undefined = this.rule.secretGroup
        ? m.indices?.[this.rule.secretGroup]
        : [at, at + m[0].length];
      if (!span) continue;
      const secret = text.slice(span[0], span[1]);
      if (isTokenStandIn(secret) || (this.rule.needsDigit && !HAS_DIGIT.test(secret))) continue;
      out.push({ start: span[0], end: span[1], kind: this.rule.kind, token: true });
      done = at + m[0].length;
    }
  }
}

export function tokenDetectors(): Detector[] {
  return TOKEN_RULES.map((rule) => new TokenDetector(rule));
}
