/**
 * Redaction throughput: `bun bench/redact.ts`. Prints MiB/s for ordinary transcript-like text,
 * for near-misses built to stress each rule, and for a JSON value of many small strings.
 * Exits 1 if any case takes longer than a generous bound (timing stays out of the tests).
 */
import { createRedactor } from "../src/safety/redact.ts";
import { fitMessage } from "../src/safety/sanitize.ts";

const MiB = 1024 * 1024;
const BOUND_MS = 10_000;
const fill = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);

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
  const start = performance.now();
  run();
  const ms = performance.now() - start;
  const over = ms > BOUND_MS;
  failed ||= over;
  const mib = bytes / MiB;
  const rate = (mib / (ms / 1000)).toFixed(0);
  console.log(
    `${name.padEnd(36)} ${mib.toFixed(1).padStart(6)} MiB ${ms.toFixed(0).padStart(7)} ms ${rate.padStart(6)} MiB/s` +
      (over ? "  OVER BOUND" : ""),
  );
}

const text = fill(ordinary, 10 * MiB);
measure("ordinary text", text.length, () => redact(text));
const near = nearMisses.join("\n\n");
measure("near-misses, all rules", near.length, () => redact(near));
for (const [i, segment] of nearMisses.entries()) measure(`near-miss segment ${i}`, segment.length, () => redact(segment));

const value = { lines: Array.from({ length: 200_000 }, (_, i) => ({ n: i, text: `line ${i}: token = t.get(${i})` })) };
const valueBytes = JSON.stringify(value).length;
measure("JSON value, 200k small strings", valueBytes, () => redactValue(value));

const big = [{ type: "tool-result", content: { result: fill("漢字 and ascii 😀 ", 8 * MiB) } }];
measure("fitMessage, one 8 MiB part", 8 * MiB, () => fitMessage(big, fill("x", 2 * MiB)));

process.exit(failed ? 1 : 0);
