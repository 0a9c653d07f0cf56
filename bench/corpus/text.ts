import type { Rng } from "./prng.ts";

/**
 * Pools of filler text, built once per corpus and sliced at random offsets.
 * Slicing a pool is what makes the generator fast; the pools still contain what
 * real transcripts contain and parsers must handle: newlines, quotes,
 * backslashes, tabs, ANSI escapes and non-ASCII characters.
 */

const WORDS = (
  "the a to of and in is it that for this with on be as we can not file function test " +
  "value data error type string return import export const let config session token user " +
  "message server request response update check build run path line read write parse " +
  "should would could now then when which where because however also first next last " +
  "component state hook handler query schema index cache retry timeout upload batch " +
  "résumé naïve café déjà → ✓ — “quoted” ‘single’ 日本語 über"
).split(" ");

const IDENTS = (
  "session sessionId payload result items entry line lines buffer offset state config " +
  "client server request response retries delay handler options params count total " +
  "usage tokens model cost index cursor batch queue store db file path dir name value"
).split(" ");

const TYPES = "string number boolean Session Message Payload Config Result Entry Usage".split(" ");

const TITLE_WORDS = (
  "Fix Add Refactor Debug Implement Update Remove Improve Migrate Test Document " +
  "Sync Parser Hook Cache Login Upload Retry Pricing Dashboard Schema Build CLI"
).split(" ");

export interface TextPools {
  /** Sentences of prose, space separated. */
  prose: string;
  /** Source-code-like lines (no trailing newline each). */
  codeLines: string[];
  /** Base64 text, for images and thinking signatures. */
  base64: string;
}

function sentence(rng: Rng): string {
  const n = rng.int(6, 22);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
  const s = words.join(" ");
  return s.charAt(0).toUpperCase() + s.slice(1) + rng.pick([".", ".", ".", "?", ":", "!"]);
}

function codeLine(rng: Rng): string {
  const id = rng.pick(IDENTS);
  const id2 = rng.pick(IDENTS);
  const indent = "  ".repeat(rng.int(0, 4));
  switch (rng.int(0, 11)) {
    case 0:
      return `${indent}const ${id} = await ${id2}(${rng.pick(IDENTS)}, ${rng.int(0, 5000)});`;
    case 1:
      return `${indent}if (${id}.${id2} > ${rng.int(0, 99)}) {`;
    case 2:
      return `${indent}return ${id};`;
    case 3:
      return `${indent}}`;
    case 4:
      return `import { ${rng.pick(TYPES)} } from "./${id}/${id2}.ts";`;
    case 5:
      return `${indent}// ${sentence(rng)}`;
    case 6:
      return `export function ${id}${rng.pick(TYPES)}(${id2}: ${rng.pick(TYPES)}): ${rng.pick(TYPES)} {`;
    case 7:
      return `${indent}console.log("${id}: \\"%s\\"\\n", ${id2}.join("\\t"));`;
    case 8:
      return `${indent}throw new Error(\`${sentence(rng)} (\${${id}})\`);`;
    case 9:
      return "";
    case 10:
      return `${indent}\t${id}[${rng.int(0, 9)}] = { "${id2}": ${rng.float().toFixed(4)}, path: "C:\\\\Users\\\\dev\\\\${id}" };`;
    default:
      return `${indent}${id}.${id2} = ${id2} ?? ${JSON.stringify(sentence(rng).slice(0, 40))};`;
  }
}

export function buildPools(rng: Rng): TextPools {
  const prose: string[] = [];
  let proseLength = 0;
  while (proseLength < 512 * 1024) {
    const s = sentence(rng);
    prose.push(s);
    proseLength += s.length + 1;
  }
  const codeLines: string[] = [];
  for (let i = 0; i < 16384; i++) codeLines.push(codeLine(rng));
  const bytes = new Uint8Array(1536 * 1024);
  for (let i = 0; i < bytes.length; i += 4) {
    const x = rng.next();
    bytes[i] = x & 255;
    bytes[i + 1] = (x >>> 8) & 255;
    bytes[i + 2] = (x >>> 16) & 255;
    bytes[i + 3] = x >>> 24;
  }
  return { prose: prose.join(" "), codeLines, base64: Buffer.from(bytes).toString("base64") };
}

/** Prose of about `length` characters. */
export function prose(pools: TextPools, rng: Rng, length: number): string {
  const n = Math.max(1, Math.min(Math.round(length), pools.prose.length - 1));
  if (n >= pools.prose.length / 2) {
    // Longer than half the pool: repeat it rather than slicing past its end.
    return pools.prose.repeat(Math.ceil(n / pools.prose.length)).slice(0, n);
  }
  const start = rng.int(0, pools.prose.length - n - 1);
  return pools.prose.slice(start, start + n);
}

export interface CodeSlice {
  /** File content as written to disk. */
  plain: string;
  /** The same lines as Claude Code's Read tool shows them: `     1→line`. */
  numbered: string;
  lines: number;
}

/** About `length` characters of code-like text, as whole lines. */
export function code(pools: TextPools, rng: Rng, length: number): CodeSlice {
  const plain: string[] = [];
  const numbered: string[] = [];
  const pool = pools.codeLines;
  let i = rng.int(0, pool.length - 1);
  let chars = 0;
  while (chars < length) {
    const line = pool[i % pool.length] as string;
    plain.push(line);
    numbered.push(`${String(plain.length).padStart(6, " ")}\u2192${line}`);
    chars += line.length + 8;
    i++;
  }
  return { plain: plain.join("\n"), numbered: numbered.join("\n"), lines: plain.length };
}

/** Base64 text of `length` characters (thinking signatures, pasted images). */
export function base64(pools: TextPools, rng: Rng, length: number): string {
  const n = Math.min(Math.round(length), pools.base64.length - 4) & ~3;
  const start = rng.int(0, (pools.base64.length - n) >> 2) << 2;
  return pools.base64.slice(start, start + n);
}

/** A short session title such as "Fix Retry Parser Upload". */
export function title(rng: Rng): string {
  const n = rng.int(2, 6);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(TITLE_WORDS));
  return words.join(" ");
}
