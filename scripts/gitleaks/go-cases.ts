/**
 * Reads the true- and false-positive cases out of gitleaks' rule sources
 * (cmd/generate/config/rules/*.go) without running Go: a tokenizer and an evaluator for the few
 * expression forms those files build their cases with (string literals, `+`, `[]string{...}`,
 * `map[string]string{...}`, `append`, `fmt.Sprintf("%s")`, and gitleaks' helpers
 * `utils.GenerateSampleSecret(s)`, `secrets.NewSecret`, `utils.AlphaNumeric`...). A case built any
 * other way (a loop, a local function) is skipped and counted, never guessed.
 */
import { type Random, sample } from "./sample.ts";

type Token = { k: "str" | "id" | "num" | "op"; v: string };

const OPEN = new Set(["(", "[", "{"]);
const CLOSE = new Set([")", "]", "}"]);
/** +1 for an opening bracket, -1 for a closing one (never for a string that holds one). */
const nesting = (t: Token) => (t.k !== "op" ? 0 : OPEN.has(t.v) ? 1 : CLOSE.has(t.v) ? -1 : 0);

const GO_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", "'": "'", a: "\x07", b: "\b", f: "\f", v: "\v" };

/** Go tokens, with the semicolons Go inserts at line ends. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const endsStatement = () => {
    const last = out.at(-1);
    return last !== undefined && (last.k !== "op" || [")", "]", "}"].includes(last.v));
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (c === "\n") {
      if (endsStatement()) out.push({ k: "op", v: ";" });
      i++;
    } else if (/\s/.test(c)) i++;
    else if (src.startsWith("//", i)) i = src.indexOf("\n", i) === -1 ? src.length : src.indexOf("\n", i);
    else if (src.startsWith("/*", i)) i = src.indexOf("*/", i) + 2;
    else if (c === "`") {
      const end = src.indexOf("`", i + 1);
      out.push({ k: "str", v: src.slice(i + 1, end).replaceAll("\r", "") });
      i = end + 1;
    } else if (c === '"' || c === "'") {
      let s = "";
      i++;
      while (src[i] !== c) {
        if (src[i] === "\\") {
          const e = src[i + 1] as string;
          if (e === "x") {
            s += String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 4), 16));
            i += 4;
          } else if (e === "u") {
            s += String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            s += GO_ESCAPES[e] ?? e;
            i += 2;
          }
        } else s += src[i++];
      }
      i++;
      out.push({ k: "str", v: s });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ k: "id", v: m[0] });
      i += m[0].length;
    } else if (/\d/.test(c)) {
      const m = /^\d+(?:\.\d+)?/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ k: "num", v: m[0] });
      i += m[0].length;
    } else {
      const op = ["...", ":=", "==", "!=", "&&", "||", "<-", "++", "--", "+="].find((o) => src.startsWith(o, i)) ?? c;
      out.push({ k: "op", v: op });
      i += op.length;
    }
  }
  return out;
}

class Skip extends Error {}

type Value = string | string[];

export interface Helpers {
  /** gitleaks' GenerateSampleSecrets templates ({i}, {I}, {s}), in source order. */
  templates: string[];
  random: Random;
}

const PATTERNS: Record<string, (n: string) => string> = {
  "utils.Numeric": (n) => `[0-9]{${n}}`,
  "utils.Hex": (n) => `[a-f0-9]{${n}}`,
  "utils.AlphaNumeric": (n) => `[a-z0-9]{${n}}`,
  "utils.AlphaNumericExtendedShort": (n) => `[a-z0-9_-]{${n}}`,
  "utils.AlphaNumericExtended": (n) => `[a-z0-9=_\\-]{${n}}`,
  "utils.AlphaNumericExtendedLong": (n) => `[a-z0-9\\/=_\\+\\-]{${n}}`,
};

/** Evaluates expressions over a token list, with the variables assigned so far. */
class Evaluator {
  pos = 0;
  skipped = 0;
  constructor(
    readonly tokens: Token[],
    readonly vars: Map<string, Value>,
    readonly helpers: Helpers,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new Skip("end of input");
    return t;
  }
  expect(v: string): void {
    const t = this.next();
    if (t.v !== v) throw new Skip(`expected ${v}, got ${t.v}`);
  }

  expr(): Value {
    let left = this.term();
    while (this.peek()?.v === "+") {
      this.pos++;
      const right = this.term();
      if (typeof left !== "string" || typeof right !== "string") throw new Skip("+ on lists");
      left += right;
    }
    return left;
  }

  term(): Value {
    const t = this.next();
    if (t.k === "str") return t.v;
    if (t.k === "op" && t.v === "[") {
      this.expect("]");
      this.expect("string");
      return this.list("}");
    }
    if (t.k === "id" && t.v === "map") {
      // map[string]string{ "key": "value", ... }: the values are the cases
      for (const v of ["[", "string", "]", "string"]) this.expect(v);
      return this.list("}", true);
    }
    if (t.k === "id" && this.peek()?.v === "(") return this.call(t.v);
    if (t.k === "id" && t.v === "nil") return [];
    if (t.k === "id") {
      const v = this.vars.get(t.v);
      if (v === undefined) throw new Skip(`unknown ${t.v}`);
      return v;
    }
    throw new Skip(`unexpected ${t.v}`);
  }

  /** `{ a, b, ... }` after the type; an element that cannot be evaluated is skipped and counted. */
  list(close: string, keyed = false): string[] {
    this.expect("{");
    const out: string[] = [];
    while (this.peek()?.v !== close) {
      if (this.peek()?.v === ";" || this.peek()?.v === ",") {
        this.pos++;
        continue;
      }
      const start = this.pos;
      try {
        if (keyed) {
          this.expr();
          this.expect(":");
        }
        const v = this.expr();
        if (typeof v !== "string") throw new Skip("list in list");
        out.push(v);
      } catch (error) {
        if (!(error instanceof Skip)) throw error;
        this.skipped++;
        this.pos = start;
        this.skipElement(close);
      }
    }
    this.expect(close);
    return out;
  }

  /** Moves past one element: to the next "," or the closing brace at this depth. */
  skipElement(close: string): void {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (!t) return;
      if (depth === 0 && t.k === "op" && (t.v === "," || t.v === close)) return;
      depth += nesting(t);
      this.pos++;
    }
  }

  /** Arguments; `tolerant` (append's) skips and counts one that cannot be evaluated. */
  args(tolerant: boolean): { values: Value[]; spread: boolean } {
    this.expect("(");
    const values: Value[] = [];
    let spread = false;
    while (this.peek()?.v !== ")") {
      if (this.peek()?.v === "," || this.peek()?.v === ";") {
        this.pos++;
        continue;
      }
      const start = this.pos;
      try {
        values.push(this.expr());
      } catch (error) {
        if (!(error instanceof Skip) || !tolerant || values.length === 0) throw error;
        this.skipped++;
        this.pos = start;
        this.skipElement(")");
        continue;
      }
      if (this.peek()?.v === "...") {
        spread = true;
        this.pos++;
      }
    }
    this.expect(")");
    return { values, spread };
  }

  call(name: string): Value {
    const { values, spread } = this.args(name === "append");
    const str = (i: number) => {
      const v = values[i];
      if (typeof v !== "string") throw new Skip(`${name}: argument ${i} is not a string`);
      return v;
    };
    const pattern = PATTERNS[name];
    if (pattern) return pattern(str(0));
    switch (name) {
      case "utils.Hex8_4_4_4_12":
        return "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
      case "secrets.NewSecret":
        return sample(str(0), this.helpers.random);
      case "utils.GenerateSampleSecret":
        return `${str(0)}_api_token = "${str(1)}"`;
      case "utils.GenerateSampleSecrets": {
        const [id, secret] = [str(0), str(1)];
        return this.helpers.templates.map((t) => t.replaceAll("{i}", id).replaceAll("{I}", id.toUpperCase()).replaceAll("{s}", secret));
      }
      case "fmt.Sprintf": {
        let k = 1;
        return str(0).replace(/%[sdv]/g, () => {
          const v = values[k++];
          if (typeof v !== "string") throw new Skip("Sprintf argument");
          return v;
        });
      }
      case "append": {
        const [first, ...rest] = values;
        if (!Array.isArray(first)) throw new Skip("append to a non-list");
        const tail = spread ? rest.flatMap((v) => (Array.isArray(v) ? v : [v])) : rest;
        if (tail.some((v) => typeof v !== "string")) throw new Skip("append of a list without ...");
        return [...first, ...(tail as string[])];
      }
      default:
        throw new Skip(`unknown function ${name}`);
    }
  }
}

export interface RuleCases {
  id: string;
  tps: string[];
  fps: string[];
  /** Cases (or whole lists) that could not be evaluated. */
  skipped: number;
}

/** The cases of every rule function in one Go file. */
export function casesOf(src: string, helpers: Helpers): RuleCases[] {
  const tokens = tokenize(src);
  const out: RuleCases[] = [];
  const globals = new Map<string, Value>();
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]?.v === "var" && (i === 0 || tokens[i - 1]?.v === ";")) varStatement(tokens, i, globals, helpers);
    if (tokens[i]?.v !== "func") continue;
    // the function body: from its first "{" to the matching "}"
    let j = i;
    while (j < tokens.length && !(tokens[j]?.k === "op" && tokens[j]?.v === "{")) j++;
    let depth = 0;
    let end = j;
    for (; end < tokens.length; end++) {
      depth += nesting(tokens[end] as Token);
      if (depth === 0) break;
    }
    const body = tokens.slice(j + 1, end);
    i = end;
    const idAt = body.findIndex((t, k) => t.v === "RuleID" && body[k + 1]?.v === ":");
    const id = body[idAt + 2]?.v;
    if (idAt === -1 || id === undefined) continue;
    out.push(evaluateBody(id, body, globals, helpers));
  }
  return out;
}

/** `var x = ...` or `var ( x = ...; y = ... )` at `k`: sets what can be evaluated. */
function varStatement(tokens: Token[], k: number, vars: Map<string, Value>, helpers: Helpers): void {
  const grouped = tokens[k + 1]?.v === "(";
  let m = grouped ? k + 2 : k + 1;
  while (m < tokens.length && tokens[m]?.v !== ")") {
    if (tokens[m]?.v === ";") {
      m++;
      continue;
    }
    const name = tokens[m]?.v as string;
    if (tokens[m + 1]?.v !== "=") return;
    const ev = new Evaluator(tokens, vars, helpers);
    ev.pos = m + 2;
    try {
      vars.set(name, ev.expr());
    } catch (error) {
      if (!(error instanceof Skip)) throw error;
      ev.pos = m + 2;
      ev.skipElement(";");
    }
    m = ev.pos;
    if (!grouped) return;
  }
}

/** Runs the assignments of a rule function at its top level, then reads `Validate(r, tps, fps)`. */
function evaluateBody(id: string, body: Token[], globals: Map<string, Value>, helpers: Helpers): RuleCases {
  const vars = new Map(globals);
  const skippedBy = new Map<string, number>();
  const result: RuleCases = { id, tps: [], fps: [], skipped: 0 };
  let depth = 0;
  for (let k = 0; k < body.length; k++) {
    const t = body[k] as Token;
    depth += nesting(t);
    if (depth !== 0 || t.k !== "id") continue;
    const op = body[k + 1]?.v;
    const atStatement = k === 0 || [";", "{", "}"].includes(body[k - 1]?.v ?? "");
    if (atStatement && t.v === "var") {
      varStatement(body, k, vars, helpers);
      continue;
    }
    if (atStatement && (op === ":=" || op === "=")) {
      const ev = new Evaluator(body, vars, helpers);
      ev.pos = k + 2;
      let skipped = 0;
      try {
        vars.set(t.v, ev.expr());
      } catch (error) {
        if (!(error instanceof Skip)) throw error;
        skipped++; // a failed `x = append(x, ...)` keeps x as it was
      }
      skippedBy.set(t.v, (skippedBy.get(t.v) ?? 0) + skipped + ev.skipped);
    }
    if ((t.v === "utils.Validate" || t.v === "utils.ValidateWithPaths") && body[k + 1]?.v === "(") {
      const get = (name: string | undefined) => {
        if (name === undefined || name === "nil") return [];
        const v = vars.get(name);
        return Array.isArray(v) ? v : [];
      };
      const [tps, fps] = [body[k + 4]?.v, body[k + 6]?.v];
      result.tps = get(tps);
      result.fps = get(fps);
      result.skipped = (skippedBy.get(tps ?? "") ?? 0) + (skippedBy.get(fps ?? "") ?? 0);
    }
  }
  return result;
}

/** The sample templates of gitleaks' GenerateSampleSecrets (cmd/generate/config/utils/generate.go). */
export function sampleTemplates(generateGo: string): string[] {
  const tokens = tokenize(generateGo);
  const start = tokens.findIndex((t, k) => t.v === "samples" && tokens[k + 1]?.v === ":=");
  const ev = new Evaluator(tokens, new Map(), { templates: [], random: Math.random });
  ev.pos = start + 2;
  for (const v of ["map", "[", "string", "]", "string"]) ev.expect(v);
  return ev.list("}", true);
}
