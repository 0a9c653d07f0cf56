/**
 * Converts gitleaks' rule set (config/gitleaks.toml, MIT licensed) into the data file the redactor
 * embeds, src/safety/rules/gitleaks.json:
 *
 *   bun scripts/gitleaks-rules.ts <gitleaks.toml> --commit <sha> [--out <file>]
 *
 * Each rule's Go RE2 regex becomes a JavaScript source with the same meaning (re2-syntax.ts,
 * re2-to-js.ts), except that unbounded repetitions are capped (REPEAT_CAP) so that a backtracking
 * engine stays linear. Rules that cannot be converted faithfully, or that need what a message does
 * not have (a file path), are dropped and listed in the output with the reason; rules changed on
 * purpose are listed with the change.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "../src/runtime/zod.ts";
import { type GitleaksRule, type GitleaksRules, GitleaksRulesSchema } from "../src/safety/rules/gitleaks-schema.ts";
import { alwaysContains, capRepeats, countGroups, hasUnbounded, maxLength, printJs, startClass, startsWithKeyword, stripNamePrefix } from "./gitleaks/re2-to-js.ts";
import { parse, Unsupported } from "./gitleaks/re2-syntax.ts";

/** The longest run an unbounded `*`, `+` or `{n,}` may take: longer than any real token. */
export const REPEAT_CAP = 4096;

const DEFAULT_OUT = join(import.meta.dir, "../src/safety/rules/gitleaks.json");

const TomlAllowlist = z.object({
  description: z.optional(z.string()),
  condition: z.optional(z.enum(["OR", "AND"])),
  regexTarget: z.optional(z.enum(["secret", "match", "line"])),
  regexes: z.optional(z.array(z.string())),
  stopwords: z.optional(z.array(z.string())),
  paths: z.optional(z.array(z.string())),
  commits: z.optional(z.array(z.string())),
});

const TomlRule = z.object({
  id: z.string(),
  description: z.optional(z.string()),
  regex: z.optional(z.string()),
  path: z.optional(z.string()),
  secretGroup: z.optional(z.int()),
  entropy: z.optional(z.number()),
  keywords: z.optional(z.array(z.string())),
  allowlists: z.optional(z.array(TomlAllowlist)),
});

const TomlConfig = z.object({
  allowlist: z.optional(TomlAllowlist),
  rules: z.array(TomlRule),
});

type TomlRuleT = z.infer<typeof TomlRule>;

/** Rules left out, with why. */
const DROP: Record<string, string> = {
  "private-key":
    "replaced by the redactor's own private key scanner, which also takes bodies of megabytes, `\\n`-escaped keys in JSON and blocks cut off before their END line",
  "curl-auth-header":
    "its `.*?(?:[\\r\\n]{1,2}.*?){1,5}` has a cost per start position that grows with the fifth power of the line length in a backtracking engine; the redactor's own Authorization-header and curl rules cover it",
  "curl-auth-user":
    "same nested `.*` as curl-auth-header; the redactor's own `curl -u user:password` rule covers it",
};

/** Rules changed on purpose: an exact edit of the RE2 source, and why. */
const EDIT: Record<string, { from: string; to: string; why: string }> = {
  "sourcegraph-access-token": {
    from: "|[a-fA-F0-9]{40})\\b)",
    to: ")\\b)",
    why: "the bare `[a-fA-F0-9]{40}` alternative is removed: it would redact every git commit hash in a message that mentions Sourcegraph",
  },
  "microsoft-teams-webhook": {
    from: "([a-z0-9]{4}-){3}[a-z0-9]{12}@[a-z0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9]{8}-([a-z0-9]{4}-){3}",
    to: "(?:[a-z0-9]{4}-){3}[a-z0-9]{12}@[a-z0-9]{8}-(?:[a-z0-9]{4}-){3}[a-z0-9]{12}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9]{8}-(?:[a-z0-9]{4}-){3}",
    why: "the UUIDs' repeated groups are made non-capturing: as the first group, the last repetition's 5 characters were taken for the secret and the rest of the URL, the webhook's key with it, was left",
  },
};

/**
 * gitleaks' end of a token (a quote, a space, `;`, an escaped newline or the end), which its rules for a provider's prefixed token
 * (`dop_v1_…`, `SG.…`, `npm_…`) end with, and what it is widened to there: a token also ends at the punctuation of prose, paths,
 * URLs, markup and tables (`(dop_v1_…)`, `keys: SG.…, …`, `/home/me/npm_…/`, `<key>…</key>`, `| … |`), where it was kept whole.
 * These characters are no token's own, so the match still cannot stop inside a longer run of token characters; a period only where
 * a sentence ends (`video_box.ico-7a38….png`, gitleaks' own false positive, is a file's name). Rules that find a
 * value by the name before it (namePrefix) keep gitleaks' end: their values are any word, and code puts `,` and `)` after a name.
 */
const TOKEN_END = String.raw`(?:[\x60'"\s;]|\\[nr]|$)`;
const TOKEN_END_WIDE = String.raw`(?:[\x60'"\s;,:!?)\]}<>|&/*@]|\.(?:\s|$)|\\[nr]|$)`;
const TOKEN_END_WHY = "a prefixed token's end is widened from gitleaks' (a quote, a space, `;`, `\\n`, the end) to the punctuation of prose, paths, URLs and markup too (`,:!?)]}<>|&/*@`, and a period before a space or the end): `(dop_v1_…)`, `SG.…,` and `/home/me/npm_…/` were kept whole";

/** Rules whose `path` condition is ignored (messages have no file path): their pattern is specific enough alone. */
const IGNORE_PATH: Record<string, string> = {
  "nuget-config-password":
    "its file-path condition (nuget.config) is ignored: messages have no path, and `<add key=\"ClearTextPassword\" value=...` is specific to NuGet config",
};

interface Outcome {
  rule?: GitleaksRule;
  dropped?: string;
  changes: string[];
}

function convertRegex(source: string): { js: string; node: ReturnType<typeof parse> } {
  const node = capRepeats(parse(source), REPEAT_CAP);
  const js = printJs(node);
  new RegExp(js); // must compile as JavaScript
  return { js, node };
}

function convertRule(rule: TomlRuleT): Outcome {
  const changes: string[] = [];
  const dropReason = DROP[rule.id];
  if (dropReason) return { dropped: dropReason, changes };
  if (rule.regex === undefined) return { dropped: "matches file paths only; messages have no path", changes };
  if (rule.path !== undefined) {
    const why = IGNORE_PATH[rule.id];
    if (!why) return { dropped: `applies only to files whose path matches ${rule.path}; messages have no path`, changes };
    changes.push(why);
  }
  let source = rule.regex;
  const edit = EDIT[rule.id];
  if (edit) {
    if (!source.includes(edit.from)) throw new Error(`${rule.id}: the edit no longer applies; review EDIT against the new regex`);
    source = source.replace(edit.from, edit.to);
    changes.push(edit.why);
  }
  const keywords = [...new Set((rule.keywords ?? []).map((k) => k.toLowerCase()))];
  if (keywords.length === 0) return { dropped: "has no keywords (every text would run it)", changes };
  try {
    if (source.endsWith(TOKEN_END) && stripNamePrefix(parse(source)).stripped === 0) {
      source = source.slice(0, -TOKEN_END.length) + TOKEN_END_WIDE;
      changes.push(TOKEN_END_WHY);
    }
    const parsed = parse(source);
    const { node: stripped, stripped: namePrefix } = stripNamePrefix(parsed);
    if (hasUnbounded(parsed)) changes.push(`unbounded repetitions capped at ${REPEAT_CAP}`);
    const node = capRepeats(stripped, REPEAT_CAP);
    const regex = printJs(node);
    new RegExp(regex);
    const groups = countGroups(node);
    if (rule.secretGroup !== undefined && rule.secretGroup > groups) return { dropped: `secretGroup ${rule.secretGroup} does not exist`, changes };
    const allowlists = [];
    for (const a of rule.allowlists ?? []) {
      if (a.condition === "AND" && (a.paths?.length || a.commits?.length)) {
        changes.push(`an allowlist that needs a file path or commit as well (condition AND) is left out: it can never apply to a message`);
        continue;
      }
      const regexes = (a.regexes ?? []).map((r) => convertRegex(r).js);
      const stopwords = (a.stopwords ?? []).map((w) => w.toLowerCase());
      if (regexes.length === 0 && stopwords.length === 0) continue; // paths or commits only
      allowlists.push({ target: a.regexTarget ?? "secret", regexes, stopwords });
    }
    return {
      rule: {
        id: rule.id,
        regex,
        keywords,
        ...(rule.secretGroup ? { secretGroup: rule.secretGroup } : {}),
        ...(rule.entropy ? { entropy: rule.entropy } : {}),
        ...(startsWithKeyword(node, keywords)
          ? { anchored: true, start: startClass(node) ?? undefined }
          : alwaysContains(node, keywords)
            ? { window: maxLength(node) }
            : {}),
        ...(namePrefix > 0 ? { namePrefix } : {}),
        allowlists,
      },
      changes,
    };
  } catch (error) {
    if (error instanceof Unsupported) return { dropped: `its regex uses RE2 syntax with no faithful JavaScript form (${error.message})`, changes };
    throw error;
  }
}

export function convert(toml: string, commit: string): GitleaksRules {
  const config = TomlConfig.parse(Bun.TOML.parse(toml));
  const rules: GitleaksRule[] = [];
  const dropped: { id: string; reason: string }[] = [];
  const changed: { id: string; change: string }[] = [];
  for (const r of config.rules) {
    const out = convertRule(r);
    for (const change of out.changes) changed.push({ id: r.id, change });
    if (out.rule) rules.push(out.rule);
    else dropped.push({ id: r.id, reason: out.dropped ?? "" });
  }
  const global = config.allowlist ?? {};
  return GitleaksRulesSchema.parse({
    source: {
      repository: "gitleaks/gitleaks",
      path: "config/gitleaks.toml",
      commit,
      license: "MIT",
      copyright: "Copyright (c) 2019 Zachary Rice (see gitleaks.LICENSE beside this file)",
      convertedBy: "scripts/gitleaks-rules.ts",
    },
    notes: [
      "Generated: do not edit by hand; run scripts/gitleaks-rules.ts on a newer gitleaks.toml instead.",
      "Regexes are JavaScript sources with RE2's meaning: (?i) is spelled out as [aA] classes, \\s is RE2's [\\t\\n\\f\\r ], . is [^\\n], \\z is $.",
      `Unbounded repetitions are capped at ${REPEAT_CAP} so that a backtracking engine stays linear; a longer token is redacted up to the end of its run of token characters.`,
      "The lazy [\\w.-]{0,50}? before generated rules' identifiers is removed (namePrefix): it only widens the match to the left, and the redactor rebuilds that part for allowlists aimed at the match.",
      "File path and commit allowlists are left out: messages have neither.",
    ],
    dropped,
    changed,
    allowlist: {
      regexes: (global.regexes ?? []).map((r) => convertRegex(r).js),
      stopwords: (global.stopwords ?? []).map((w) => w.toLowerCase()),
    },
    rules,
  });
}

/** JSON with arrays of plain values on one line: a diff of a regenerated file stays readable. */
export function formatJson(value: unknown, indent = ""): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) return JSON.stringify(value);
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`);
    return `{\n${entries.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { commit: { type: "string" }, out: { type: "string", default: DEFAULT_OUT } },
  });
  const [tomlPath] = positionals;
  if (!tomlPath || !values.commit) {
    console.error("Usage: bun scripts/gitleaks-rules.ts <gitleaks.toml> --commit <sha of that gitleaks checkout> [--out <file>]");
    process.exit(2);
  }
  const out = convert(readFileSync(tomlPath, "utf8"), values.commit);
  writeFileSync(values.out, `${formatJson(out)}\n`);
  console.log(`${out.rules.length} rules written to ${values.out}; ${out.dropped.length} dropped: ${out.dropped.map((d) => d.id).join(", ")}`);
}
