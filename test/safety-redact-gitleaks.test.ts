/**
 * gitleaks' rules as the redactor runs them: the RE2-to-JavaScript conversion, gitleaks' own true
 * and false positives for every converted rule (test/fixtures/gitleaks-cases.json, extracted from
 * gitleaks' rule sources by scripts/gitleaks-cases.ts), and the keyword windows against a run of
 * each regex over the whole text.
 */
import { describe, expect, test } from "bun:test";
import { parse, Unsupported } from "../scripts/gitleaks/re2-syntax.ts";
import { sample } from "../scripts/gitleaks/sample.ts";
import { alwaysContains, capRepeats, maxLength, printJs, startsWithKeyword, stripNamePrefix } from "../scripts/gitleaks/re2-to-js.ts";
import { GITLEAKS, gitleaksFindings, shannonEntropy } from "../src/safety/gitleaks.ts";
import data from "../src/safety/rules/gitleaks.json";
import { GitleaksRulesSchema } from "../src/safety/rules/gitleaks-schema.ts";
import fixture from "./fixtures/gitleaks-cases.json";
import { seededRandom } from "./helpers/canaries.ts";

const toJs = (re2: string) => printJs(parse(re2));

describe("RE2 to JavaScript", () => {
  const cases: [re2: string, js: string][] = [
    ["(?i)ab", "[Aa][Bb]"],
    ["a(?i)b", "a[Bb]"],
    ["(?i)a(?-i:b)c", "[Aa](?:b)[Cc]"],
    ["(?i:x)y", "(?:[Xx])y"],
    ["x(?i)[a-c]", "x[A-Ca-c]"],
    ["(?i)[^a]", "[^Aa]"],
    ["a\\zb\\A", "a$b^"],
    ["(?P<name>x)", "(?<name>x)"],
    ["[[:alnum:]]", "[\\dA-Za-z]"],
    ["\\s", "[\\t\\n\\f\\r ]"],
    ["[\\s=]", "[\\t\\n\\f\\r =]"],
    [".", "[^\\n]"],
    ["(?s:.)", "(?:[\\s\\S])"],
    ["\\x60", "`"],
    ["\\x{41}", "A"],
    ["[\\w.-]", "[\\w\\-.]"],
    ["[]a]", "[\\]a]"],
    ["[^]]", "[^\\]]"],
    ["\\{\\{x}}", "\\{\\{x\\}\\}"],
    ["a{2,}?", "a{2,}?"],
    ["a|b(c|d)", "a|b(c|d)"],
  ];
  for (const [re2, js] of cases) test(`${re2} -> ${js}`, () => expect(toJs(re2)).toBe(js));

  test("unbounded repetitions get a cap", () => {
    expect(printJs(capRepeats(parse("a+b*c{3,}"), 100))).toBe("a{1,100}b{0,100}c{3,100}");
  });

  test("what has no faithful JavaScript form is refused, not guessed", () => {
    for (const re2 of ["\\pL", "\\Q.\\E", "(?m)^a", "(?U)a+"]) expect(() => parse(re2)).toThrow(Unsupported);
  });

  test("the identifier prefix of generated rules is removed, nested ones too", () => {
    const { node, stripped } = stripNamePrefix(parse("[\\w.-]{0,50}?(?i:[\\w.-]{0,50}?(?:okta))=(\\w{4})"));
    expect(printJs(node)).toBe("(?:(?:[Oo][Kk][Tt][Aa]))=(\\w{4})");
    expect(stripped).toBe(100);
  });

  const keywordCases: [re2: string, keywords: string[], starts: boolean, contains: boolean][] = [
    ["\\b(ghp_[0-9a-zA-Z]{36})", ["ghp_"], true, true],
    ["(?i)(?:access|key)=(\\w+)", ["access", "key"], true, true],
    ["x(?:access|key)", ["access", "key"], false, true],
    ["(?-i:[Aa]pi)x", ["api"], true, true],
    ["pat[[:alnum:]]{14}", ["airtable"], false, false],
    ["xox[ep](?:-[0-9]{10,13}){3}", ["xoxp-", "xoxe-"], true, true],
    ["hooks.slack.com", ["hooks.slack.com"], false, false], // an unescaped dot matches anything
    ["a?key", ["key"], false, true],
  ];
  for (const [re2, keywords, starts, contains] of keywordCases) {
    test(`${re2}: starts with a keyword ${starts}, contains one ${contains}`, () => {
      const node = parse(re2);
      expect([startsWithKeyword(node, keywords), alwaysContains(node, keywords)]).toEqual([starts, contains]);
    });
  }

  test("longest match", () => expect(maxLength(parse("ab{2,5}(?:cd|e)?\\b"))).toBe(8));
});

describe("the converted rule set", () => {
  test("matches its schema (the redactor embeds it without parsing it again)", () => {
    expect(() => GitleaksRulesSchema.parse(data)).not.toThrow();
  });

  test("names its source and licence, and lists what it dropped with a reason", () => {
    expect(GITLEAKS.source).toMatchObject({ repository: "gitleaks/gitleaks", license: "MIT" });
    expect(GITLEAKS.rules.length).toBeGreaterThan(200);
    expect(GITLEAKS.dropped.map((d) => d.id).sort()).toEqual(
      ["curl-auth-header", "curl-auth-user", "freemius-secret-key", "hashicorp-tf-password", "kubernetes-secret-yaml", "pkcs12-file", "private-key"].sort(),
    );
    for (const d of GITLEAKS.dropped) expect(d.reason.length).toBeGreaterThan(20);
  });

  test("every regex is bounded and compiles without flags", () => {
    for (const rule of GITLEAKS.rules) {
      expect(() => new RegExp(rule.regex)).not.toThrow();
      expect({ id: rule.id, unbounded: /[*+]|\{\d+,\}/.test(rule.regex.replace(/\\./g, "").replace(/\[[^\]]*\]/g, "")) }).toEqual({
        id: rule.id,
        unbounded: false,
      });
    }
  });

  test("Shannon entropy as gitleaks computes it", () => {
    expect(shannonEntropy("")).toBe(0);
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abab")).toBe(1);
    expect(shannonEntropy("abcd")).toBe(2);
  });
});

// gitleaks' own cases. A few differ from gitleaks on purpose (listed with why); every other case
// of every converted rule must come out as gitleaks validates it.
const DEVIATIONS: { id: string; kind: "tp" | "fp"; when: RegExp; why: string }[] = [
  { id: "aws-amazon-bedrock-api-key-long-lived", kind: "tp", when: /EXAMPLE/, why: "documentation stand-ins (EXAMPLE) are kept, as for every rule" },
  { id: "sourcegraph-access-token", kind: "tp", when: /^sourcegraph: [0-9a-fA-F]{40}$/, why: "the bare 40-hex alternative is removed (git hashes)" },
  { id: "nuget-config-password", kind: "fp", when: /value="CleartextPassword1"/, why: "false only for a file not named nuget.config: messages have no path" },
];

const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
const cases = fixture.rules as Record<string, { tps: string[]; fps: string[] }>;
/** Rules gitleaks itself gives no case for. */
const WITHOUT_CASES = ["dropbox-long-lived-api-token", "dropbox-short-lived-api-token", "jwt-base64"];

describe(`gitleaks' test cases (${fixture.source.repository} at ${fixture.source.commit.slice(0, 8)})`, () => {
  test("every converted rule has cases, but those gitleaks has none for", () => {
    const missing = GITLEAKS.rules.filter((r) => !(cases[r.id]?.tps.length ?? 0)).map((r) => r.id);
    expect(missing.sort()).toEqual(WITHOUT_CASES);
  });

  for (const rule of GITLEAKS.rules) {
    const own = cases[rule.id];
    if (!own) continue;
    test(`${rule.id}: ${own.tps.length} true, ${own.fps.length} false positives`, () => {
      const expected = (kind: "tp" | "fp", text: string) =>
        !DEVIATIONS.some((d) => d.id === rule.id && d.kind === kind && d.when.test(text)) === (kind === "tp");
      const wrong = [
        ...own.tps.map(decode).filter((t) => (gitleaksFindings(t, rule.id).length > 0) !== expected("tp", t)),
        ...own.fps.map(decode).filter((t) => (gitleaksFindings(t, rule.id).length > 0) !== expected("fp", t)),
      ];
      expect(wrong).toEqual([]);
    });
  }

  test("each listed deviation still occurs (so that none hides a real change)", () => {
    for (const d of DEVIATIONS) {
      const list = (cases[d.id]?.[d.kind === "tp" ? "tps" : "fps"] ?? []).map(decode);
      expect({ id: d.id, seen: list.some((t) => d.when.test(t)) }).toEqual({ id: d.id, seen: true });
    }
  });
});

describe("keyword windows find what a run over the whole text finds", () => {
  // All of a rule's cases in one text, twice, with other rules' cases between: matches near
  // each other, at window edges, and in a text that holds many keywords.
  const everyCase = Object.values(cases).flatMap((c) => [...c.tps, ...c.fps].map(decode));
  const noise = everyCase.filter((_, i) => i % 7 === 0).join("\n");
  for (const rule of GITLEAKS.rules.filter((r) => r.anchored || r.window !== undefined)) {
    const own = cases[rule.id];
    if (!own) continue;
    test(rule.id, () => {
      const mine = [...own.tps, ...own.fps].map(decode).join("\n");
      const text = `${mine}\n${noise}\n${mine} ${mine}`;
      const spans = (everywhere: boolean) => gitleaksFindings(text, rule.id, everywhere).map((f) => [f.start, f.end]);
      expect(spans(false)).toEqual(spans(true));
    });
  }
});

test("a Microsoft Teams webhook is found whole, its key with it: the UUIDs' repeated groups are no secret group (found by a red-team sweep)", () => {
  const url =
    "https://acme.webhook.office.com/webhookb2/77b87e23-ac7e-4341-9c1f-2d3e4f5a6b7c@a092a02d-c793-4836-9140-f46016d90d10/IncomingWebhook/f1ee9ce4d98103bf474182781b39c18e/b99b0db4-5b53-4f5f-a55e-392c7aadd62a";
  const text = `curl -H 'Content-Type: application/json' -d '{"text":"hi"}' ${url}`;
  const found = gitleaksFindings(text, "microsoft-teams-webhook").map((f) => text.slice(f.start, f.end));
  expect(found).toEqual([url]);
});

describe("a provider's prefixed token ends at the punctuation of prose, paths, URLs and markup (found by a red-team sweep: (dop_v1_…), SG.…, /home/me/npm_…/ were kept)", () => {
  const random = seededRandom(0x70c3);
  // The rules that find a token by its own prefix and end it as gitleaks does: not those that read a value after a name.
  const prefixed = GITLEAKS.rules.filter((r) => r.anchored && !r.namePrefix && r.regex.endsWith("|$)"));
  const contexts = (t: string) => [`the key (${t}) works`, `keys: ${t}, and more`, `/home/me/${t}/app`, `<apiKey>${t}</apiKey>`, `|${t}|`, `${t}: invalid`, `https://x.io/a?k=${t}&b=1`, `[${t}]`, `My key is ${t}.`, `**${t}**`];
  test("there are such rules", () => expect(prefixed.length).toBeGreaterThanOrEqual(45));
  for (const rule of prefixed) {
    // A token of the rule's shape that it finds alone, the sample's own end dropped (a draw may miss its entropy: a few are tried).
    const token =
      Array.from({ length: 8 }, () => sample(rule.regex, random))
        .map((drawn) => gitleaksFindings(drawn, rule.id).map((f) => drawn.slice(f.start, f.end))[0] ?? "")
        .find((t) => t !== "" && gitleaksFindings(`${t} `, rule.id).length === 1) ?? "";
    test(`${rule.id}: ${token.slice(0, 12)}…`, () => {
      expect(token).not.toBe("");
      // Found whole (a period or a colon a token's characters take may go with it).
      const missed = contexts(token).filter((text) => !gitleaksFindings(text, rule.id).some((f) => f.start <= text.indexOf(token) && f.end >= text.indexOf(token) + token.length));
      expect(missed).toEqual([]);
    });
  }
});
