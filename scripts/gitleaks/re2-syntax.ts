/**
 * A parser for the RE2 (Go regexp) syntax gitleaks' rules are written in, into a small tree the
 * converter rewrites and prints as a JavaScript regex. Flags are resolved while parsing: a
 * case-insensitive letter becomes the set of both cases, `.` becomes "anything but \n" (or
 * anything, under `s`), so the tree has no flags left and prints without any.
 *
 * Supported: literals and escapes (\x60, \x{..}, \n, octal), classes with ranges, Perl classes
 * (\d \w \s and negations, RE2's ASCII meanings) and POSIX classes ([[:alnum:]]), `.`, `^ $ \A \z
 * \b \B`, groups (capturing, `(?P<name>` and `(?<name>`, non-capturing), inline flags `(?i)`,
 * `(?-i:...)`, `(?s:...)`, repetition with `* + ? {n} {n,} {n,m}` and lazy forms. Anything else
 * (Unicode classes, `\Q..\E`, the `m` and `U` flags) throws `Unsupported`, and the converter drops
 * that rule, naming it.
 */

/** Sorted, non-overlapping inclusive ranges of UTF-16 code units. */
export type CharSet = readonly (readonly [number, number])[];

export type Node =
  | { t: "chars"; set: CharSet }
  | { t: "assert"; kind: "^" | "$" | "\\b" | "\\B" }
  | { t: "group"; capture: boolean; name?: string; body: Node }
  | { t: "alt"; alts: Node[] }
  | { t: "seq"; items: Node[] }
  | { t: "repeat"; body: Node; min: number; max: number; lazy: boolean };

export class Unsupported extends Error {}

const MAX_CODE = 0xffff;

export function normalize(ranges: (readonly [number, number])[]): CharSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function complement(set: CharSet): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE) out.push([next, MAX_CODE]);
  return out;
}

/** Adds the other case of every ASCII letter (RE2 also folds a few non-ASCII letters; no rule needs them). */
function foldCase(set: CharSet): CharSet {
  const extra: [number, number][] = [];
  for (const [lo, hi] of set) {
    for (const [a, z, delta] of [
      [0x61, 0x7a, -32],
      [0x41, 0x5a, 32],
    ] as const) {
      const from = Math.max(lo, a);
      const to = Math.min(hi, z);
      if (from <= to) extra.push([from + delta, to + delta]);
    }
  }
  return normalize([...set, ...extra]);
}

const r = (a: string, b = a): [number, number] => [a.charCodeAt(0), b.charCodeAt(0)];
const DIGIT: CharSet = [r("0", "9")];
const WORD: CharSet = normalize([r("0", "9"), r("A", "Z"), r("_"), r("a", "z")]);
/** RE2's \s: no \v and no Unicode spaces, unlike JavaScript's. */
const SPACE: CharSet = normalize([r("\t", "\n"), r("\f", "\r"), r(" ")]);

const POSIX: Record<string, CharSet> = {
  alnum: normalize([r("0", "9"), r("A", "Z"), r("a", "z")]),
  alpha: normalize([r("A", "Z"), r("a", "z")]),
  ascii: [[0, 0x7f]],
  blank: normalize([r("\t"), r(" ")]),
  cntrl: normalize([[0, 0x1f], [0x7f, 0x7f]]),
  digit: DIGIT,
  graph: [[0x21, 0x7e]],
  lower: [r("a", "z")],
  print: [[0x20, 0x7e]],
  punct: normalize([[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]]),
  space: normalize([r("\t", "\r"), r(" ")]),
  upper: [r("A", "Z")],
  word: WORD,
  xdigit: normalize([r("0", "9"), r("A", "F"), r("a", "f")]),
};

const PERL: Record<string, CharSet> = {
  d: DIGIT,
  D: complement(DIGIT),
  w: WORD,
  W: complement(WORD),
  s: SPACE,
  S: complement(SPACE),
};

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, a: 7 };

interface Flags {
  i: boolean;
  s: boolean;
}

export function parse(source: string): Node {
  let pos = 0;
  const peek = () => source[pos];
  const fail = (what: string): never => {
    throw new Unsupported(`${what} at ${pos} in ${source}`);
  };

  function charNode(code: number, flags: Flags): Node {
    const set: CharSet = [[code, code]];
    return { t: "chars", set: flags.i ? foldCase(set) : set };
  }

  /** An escape that stands for one character (outside or inside a class), or null. */
  function escapedChar(c: string): number | null {
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return simple;
    if (c === "x") {
      if (peek() === "{") {
        const end = source.indexOf("}", pos);
        if (end === -1) fail("unterminated \\x{");
        const code = Number.parseInt(source.slice(pos + 1, end), 16);
        pos = end + 1;
        if (!(code <= MAX_CODE)) fail("character beyond the BMP");
        return code;
      }
      const hex = source.slice(pos, pos + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail("bad \\x escape");
      pos += 2;
      return Number.parseInt(hex, 16);
    }
    if (/[0-7]/.test(c)) {
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(peek() ?? "")) digits += source[pos++];
      return Number.parseInt(digits, 8);
    }
    if (/[^0-9A-Za-z]/.test(c)) return c.charCodeAt(0); // escaped punctuation
    return null;
  }

  function parseClass(flags: Flags): Node {
    // after "["
    let negated = false;
    if (peek() === "^") {
      negated = true;
      pos++;
    }
    const ranges: (readonly [number, number])[] = [];
    let first = true;
    for (;;) {
      const c = source[pos];
      if (c === undefined) fail("unterminated class");
      if (c === "]" && !first) {
        pos++;
        break;
      }
      first = false;
      if (c === "[" && source[pos + 1] === ":") {
        const end = source.indexOf(":]", pos + 2);
        if (end === -1) fail("unterminated POSIX class");
        let name = source.slice(pos + 2, end);
        const not = name.startsWith("^");
        if (not) name = name.slice(1);
        const set = POSIX[name] ?? fail(`unknown POSIX class ${name}`);
        ranges.push(...(not ? complement(set) : set));
        pos = end + 2;
        continue;
      }
      const lo = classAtom();
      if (typeof lo !== "number") {
        ranges.push(...lo);
        continue;
      }
      if (peek() === "-" && source[pos + 1] !== "]" && source[pos + 1] !== undefined) {
        pos++;
        const hi = classAtom();
        if (typeof hi !== "number" || hi < lo) fail("bad range");
        ranges.push([lo, hi as number]);
      } else ranges.push([lo, lo]);
    }
    let set = normalize(ranges);
    if (flags.i) set = foldCase(set);
    return { t: "chars", set: negated ? complement(set) : set };
  }

  /** One character of a class, or a Perl class inside it. */
  function classAtom(): number | CharSet {
    const c = source[pos++] as string;
    if (c !== "\\") return c.charCodeAt(0);
    const e = source[pos++] ?? fail("trailing backslash");
    const perl = PERL[e];
    if (perl) return perl;
    return escapedChar(e) ?? fail(`unsupported escape \\${e} in class`);
  }

  function parseRepeat(atom: Node): Node {
    for (;;) {
      const c = peek();
      let min: number;
      let max: number;
      if (c === "*") [min, max] = [0, Infinity];
      else if (c === "+") [min, max] = [1, Infinity];
      else if (c === "?") [min, max] = [0, 1];
      else if (c === "{") {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(pos));
        if (!m) return atom; // a literal "{"
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
        pos += m[0].length - 1;
      } else return atom;
      pos++;
      let lazy = false;
      if (peek() === "?") {
        lazy = true;
        pos++;
      }
      atom = { t: "repeat", body: atom, min, max, lazy };
    }
  }

  /** Parses alternatives up to ")" or the end; inline flags last to the end of the group. */
  function parseGroupBody(outer: Flags): Node {
    const flags = { ...outer };
    const alts: Node[] = [];
    let items: Node[] = [];
    for (;;) {
      const c = peek();
      if (c === undefined || c === ")") break;
      if (c === "|") {
        pos++;
        alts.push(seq(items));
        items = [];
        continue;
      }
      const atom = parseAtom(flags);
      if (atom !== null) items.push(parseRepeat(atom));
    }
    alts.push(seq(items));
    return alts.length === 1 ? (alts[0] as Node) : { t: "alt", alts };
  }

  /** Reads "i", "-i", "is", "i-s"...; returns the new flags. */
  function readFlags(flags: Flags, text: string): Flags {
    const out = { ...flags };
    let on = true;
    for (const f of text) {
      if (f === "-") on = false;
      else if (f === "i" || f === "s") out[f] = on;
      else fail(`unsupported flag ${f}`);
    }
    return out;
  }

  /** An atom, or null for an inline flag group `(?i)` (which changes `flags`). */
  function parseAtom(flags: Flags): Node | null {
    const c = source[pos++] as string;
    switch (c) {
      case "(": {
        if (peek() !== "?") return group(true, undefined, flags);
        const named = /^\?P?<([A-Za-z_]\w*)>/.exec(source.slice(pos));
        if (named) {
          pos += named[0].length;
          return group(true, named[1], flags);
        }
        const m = /^\?([a-zA-Z-]*)([:)])/.exec(source.slice(pos)) ?? fail("unsupported group");
        pos += m[0].length;
        const inner = readFlags(flags, m[1] as string);
        if (m[2] === ")") {
          Object.assign(flags, inner);
          return null;
        }
        return group(false, undefined, inner);
      }
      case "[":
        return parseClass(flags);
      case ".":
        return { t: "chars", set: flags.s ? [[0, MAX_CODE]] : complement([[10, 10]]) };
      case "^":
        return { t: "assert", kind: "^" };
      case "$":
        return { t: "assert", kind: "$" };
      case "\\": {
        const e = source[pos++] ?? fail("trailing backslash");
        if (e === "b" || e === "B") return { t: "assert", kind: `\\${e}` };
        if (e === "A") return { t: "assert", kind: "^" };
        if (e === "z") return { t: "assert", kind: "$" };
        const perl = PERL[e];
        if (perl) return { t: "chars", set: flags.i ? foldCase(perl) : perl };
        const code = escapedChar(e) ?? fail(`unsupported escape \\${e}`);
        return charNode(code, flags);
      }
      case "*":
      case "+":
      case "?":
        return fail("repetition of nothing");
      default:
        return charNode(c.charCodeAt(0), flags);
    }
  }

  function group(capture: boolean, name: string | undefined, flags: Flags): Node {
    const body = parseGroupBody(flags);
    if (source[pos++] !== ")") fail("unterminated group");
    return { t: "group", capture, ...(name ? { name } : {}), body };
  }

  const tree = parseGroupBody({ i: false, s: false });
  if (pos !== source.length) fail("unbalanced )");
  return tree;
}

function seq(items: Node[]): Node {
  return items.length === 1 ? (items[0] as Node) : { t: "seq", items };
}
