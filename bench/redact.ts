/**
 * Redaction throughput: `bun bench/redact.ts [--runs N] [--corpus <projects dir>]...`.
 * Prints the median (min–max) over N runs, in ms and MiB/s, for:
 * - real transcripts: every line of every .jsonl under each --corpus folder (default: the shared
 *   test corpus when present), parsed before timing, then redacted as the sync does (redactValue);
 *   a generated history works too: `bun bench/generate.ts --out /tmp/h --size 100MB`, then
 *   `--corpus /tmp/h/projects`;
 * - ordinary transcript-like text, a text without any rule's keyword (next to a loop that only
 *   reads each character: what one pass costs), near-misses built to stress each rule, a JSON
 *   value of many small strings.
 * Exits 1 if any run takes longer than a generous bound (timing stays out of the tests).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createRedactor } from "../src/safety/redact.ts";
import { fitMessage } from "../src/safety/sanitize.ts";

const MiB = 1024 * 1024;
const BOUND_MS = 60_000;
const SHARED_CORPUS = join(import.meta.dir, "../../shared/corpus/projects");
const fill = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "5" }, corpus: { type: "string", multiple: true } },
});
const runs = Math.max(1, Number(args.runs));
const corpora = args.corpus ?? (existsSync(SHARED_CORPUS) ? [SHARED_CORPUS] : []);

const ordinary = [
  "const token = await getToken();\nif (!token) throw new Error('no token');\n",
  '{"type":"tool_use","name":"Bash","input":{"command":"git log --oneline -n 20","timeout":30000}}\n',
  "The function reads the config, merges defaults and writes it back atomically.\n",
  "export DATABASE_URL=postgres://app:hunter22@db.internal:5432/app\nPASSWORD=abc123xyz\n",
  "diff --git a/src/a.ts b/src/a.ts\n+  password: string;\n-  token?: string;\n",
].join("");

const nearMisses = [
  "sk-",
  "eyJ-osk_-xoxb-AIza-",
  "sk-ant-abc ",
  "eyJabcde.eyJ ",
  "://a:b:",
  "password=$P token: ${T} api_key=\t<key> ",
  "-----BEGIN RSA PUBLIC KEY-----\n",
  "bearer abcdefgh ",
  "AKIA" + "abcdefghij0123456789".repeat(2).slice(0, 39) + " ",
  "a_b.c-d",
  'x_token="' + "y".repeat(40) + "\n",
].map((unit) => fill(unit, MiB));

const { redact, redactValue } = createRedactor();
let failed = false;

function measure(name: string, bytes: number, run: () => unknown): void {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const over = (times.at(-1) ?? 0) > BOUND_MS;
  failed ||= over;
  const mib = bytes / MiB;
  const rate = (mib / (median / 1000)).toFixed(0);
  const range = `(${(times[0] ?? 0).toFixed(0)}–${(times.at(-1) ?? 0).toFixed(0)})`;
  console.log(
    `${name.padEnd(40)} ${mib.toFixed(1).padStart(7)} MiB ${median.toFixed(0).padStart(7)} ms ${range.padEnd(15)} ${rate.padStart(6)} MiB/s` +
      (over ? "  OVER BOUND" : ""),
  );
}

function jsonlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => join(dir, f));
}

/** Every parseable line of a history, parsed ahead of timing, and its size in UTF-16 units. */
function loadLines(dir: string): { lines: unknown[]; chars: number } {
  const lines: unknown[] = [];
  let chars = 0;
  for (const file of jsonlFiles(dir)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line === "") continue;
      try {
        lines.push(JSON.parse(line));
        chars += line.length;
      } catch {
        // a torn last line: not what redaction sees
      }
    }
  }
  return { lines, chars };
}

console.log(`runs per case: ${runs}; columns: size, median, (min–max), rate at the median`);
for (const dir of corpora) {
  const { lines, chars } = loadLines(dir);
  measure(`transcripts ${dir.split("/").slice(-2).join("/")}`, chars, () => {
    for (const line of lines) redactValue(line);
  });
}

const text = fill(ordinary, 10 * MiB);
measure("ordinary text", text.length, () => redact(text));

// A text in which no rule has a keyword costs one pass over it: compare with a loop that only reads it.
const quiet = fill(
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ",
  10 * MiB,
);
measure("text without any keyword", quiet.length, () => redact(quiet));
measure("  (a loop reading each character)", quiet.length, () => {
  let sum = 0;
  for (let i = 0; i < quiet.length; i++) sum += quiet.charCodeAt(i) & 1;
  return sum;
});
const near = nearMisses.join("\n\n");
measure("near-misses, all rules", near.length, () => redact(near));
for (const [i, segment] of nearMisses.entries()) measure(`near-miss segment ${i}`, segment.length, () => redact(segment));

const value = { lines: Array.from({ length: 200_000 }, (_, i) => ({ n: i, text: `line ${i}: token = t.get(${i})` })) };
const valueBytes = JSON.stringify(value).length;
measure("JSON value, 200k small strings", valueBytes, () => redactValue(value));

const big = [{ type: "tool-result", content: { result: fill("漢字 and ascii 😀 ", 8 * MiB) } }];
measure("fitMessage, one 8 MiB part", 8 * MiB, () => fitMessage(big, fill("x", 2 * MiB)));

process.exit(failed ? 1 : 0);
