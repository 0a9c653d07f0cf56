/**
 * Extracts gitleaks' own test cases (the true and false positives each rule is validated with in
 * cmd/generate/config/rules/*.go) into a fixture for the redactor's tests:
 *
 *   bun scripts/gitleaks-cases.ts <gitleaks checkout> --commit <sha> [--out <file>]
 *
 * Secrets that gitleaks draws at random (`secrets.NewSecret`) are drawn here from a fixed seed, so
 * the fixture is reproducible. Cases are stored base64-encoded: the fixture then holds no
 * token-shaped text for secret scanners to flag (the reason the canaries split their prefixes).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatJson } from "./gitleaks-rules.ts";
import { casesOf, sampleTemplates } from "./gitleaks/go-cases.ts";
import { seededRandom } from "../testserver/random.ts";

const DEFAULT_OUT = join(import.meta.dir, "../test/fixtures/gitleaks-cases.json");
const RULES_DIR = "cmd/generate/config/rules";
const SEED = 0x61a5;

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { commit: { type: "string" }, out: { type: "string", default: DEFAULT_OUT } },
  });
  const [root] = positionals;
  if (!root || !values.commit) {
    console.error("Usage: bun scripts/gitleaks-cases.ts <gitleaks checkout> --commit <sha> [--out <file>]");
    process.exit(2);
  }
  const helpers = {
    templates: sampleTemplates(readFileSync(join(root, "cmd/generate/config/utils/generate.go"), "utf8")),
    random: seededRandom(SEED),
  };
  const files = readdirSync(join(root, RULES_DIR)).filter((f) => f.endsWith(".go") && !f.endsWith("_test.go")).sort();
  const rules: Record<string, { tps: string[]; fps: string[]; skipped?: number }> = {};
  for (const file of files) {
    for (const r of casesOf(readFileSync(join(root, RULES_DIR, file), "utf8"), helpers)) {
      rules[r.id] = { tps: r.tps.map(b64), fps: r.fps.map(b64), ...(r.skipped ? { skipped: r.skipped } : {}) };
    }
  }
  const fixture = {
    source: {
      repository: "gitleaks/gitleaks",
      path: `${RULES_DIR}/*.go (the tps and fps passed to utils.Validate)`,
      commit: values.commit,
      license: "MIT, Copyright (c) 2019 Zachary Rice (see src/safety/rules/gitleaks.LICENSE)",
      extractedBy: "scripts/gitleaks-cases.ts",
      encoding: "base64 (UTF-8)",
      note: "skipped counts cases built in ways the extractor does not evaluate (loops, local functions)",
    },
    rules,
  };
  writeFileSync(values.out, `${formatJson(fixture)}\n`);
  const count = (k: "tps" | "fps") => Object.values(rules).reduce((n, r) => n + r[k].length, 0);
  const skipped = Object.values(rules).reduce((n, r) => n + (r.skipped ?? 0), 0);
  console.log(`${Object.keys(rules).length} rules, ${count("tps")} true and ${count("fps")} false positives, ${skipped} skipped -> ${values.out}`);
}
