/**
 * Rewrites a parsed RE2 tree (re2-syntax.ts) for a backtracking JavaScript engine and prints it:
 * unbounded repetitions get a cap, so every regex has a longest match and a bounded cost per
 * start position; the longest match and whether every match contains one of the rule's keywords
 * decide whether the redactor may run the regex only around keyword hits.
 */
import { type CharSet, complement, type Node, normalize } from "./re2-syntax.ts";

/** `*`, `+` and `{n,}` become `{0,cap}`, `{1,cap}`, `{n,max(n,cap)}`. */
export function capRepeats(node: Node, cap: number): Node {
  switch (node.t) {
    case "group":
      return { ...node, body: capRepeats(node.body, cap) };
    case "alt":
      return { t: "alt", alts: node.alts.map((a) => capRepeats(a, cap)) };
    case "seq":
      return { t: "seq", items: node.items.map((i) => capRepeats(i, cap)) };
    case "repeat":
      return {
        ...node,
        body: capRepeats(node.body, cap),
        max: node.max === Infinity ? Math.max(node.min, cap) : node.max,
      };
    default:
      return node;
  }
}

export function hasUnbounded(node: Node): boolean {
  switch (node.t) {
    case "group":
      return hasUnbounded(node.body);
    case "alt":
      return node.alts.some(hasUnbounded);
    case "seq":
      return node.items.some(hasUnbounded);
    case "repeat":
      return node.max === Infinity || hasUnbounded(node.body);
    default:
      return false;
  }
}

export function maxLength(node: Node): number {
  switch (node.t) {
    case "chars":
      return 1;
    case "assert":
      return 0;
    case "group":
      return maxLength(node.body);
    case "alt":
      return Math.max(...node.alts.map(maxLength));
    case "seq":
      return node.items.reduce((sum, i) => sum + maxLength(i), 0);
    case "repeat":
      return node.max * maxLength(node.body);
  }
}

export function countGroups(node: Node): number {
  switch (node.t) {
    case "group":
      return (node.capture ? 1 : 0) + countGroups(node.body);
    case "alt":
      return node.alts.reduce((n, a) => n + countGroups(a), 0);
    case "seq":
      return node.items.reduce((n, i) => n + countGroups(i), 0);
    case "repeat":
      return countGroups(node.body);
    default:
      return 0;
  }
}

const NAME_CHARS = normalize([
  [0x2d, 0x2e], // - .
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);

function isNamePrefix(node: Node | undefined): boolean {
  return (
    node?.t === "repeat" &&
    node.lazy &&
    node.min === 0 &&
    node.body.t === "chars" &&
    JSON.stringify(node.body.set) === JSON.stringify(NAME_CHARS)
  );
}

/**
 * Removes the lazy `[\w.-]{0,N}?` that gitleaks' generated rules put before the identifier, at the
 * start of the pattern and of its leading groups and alternatives. It only widens the reported
 * match to the left (the redactor rebuilds that part for allowlists aimed at the match), and it
 * would make a backtracking engine try N positions at every start. Returns the longest removed N.
 */
export function stripNamePrefix(node: Node): { node: Node; stripped: number } {
  if (isNamePrefix(node) && node.t === "repeat") return { node: { t: "seq", items: [] }, stripped: node.max };
  switch (node.t) {
    case "seq": {
      const [first, ...rest] = node.items;
      if (first === undefined) return { node, stripped: 0 };
      const inner = stripNamePrefix(first);
      if (inner.stripped === 0) return { node, stripped: 0 };
      const emptied = inner.node.t === "seq" && inner.node.items.length === 0;
      const again = stripNamePrefix({ t: "seq", items: emptied ? rest : [inner.node, ...rest] });
      return { node: again.node, stripped: inner.stripped + again.stripped };
    }
    case "group": {
      if (node.capture) return { node, stripped: 0 };
      const inner = stripNamePrefix(node.body);
      return { node: { ...node, body: inner.node }, stripped: inner.stripped };
    }
    case "alt": {
      const parts = node.alts.map(stripNamePrefix);
      return { node: { t: "alt", alts: parts.map((p) => p.node) }, stripped: Math.max(...parts.map((p) => p.stripped)) };
    }
    default:
      return { node, stripped: 0 };
  }
}

// ---------------------------------------------------------------------------------------------
// Does every match contain a keyword?

const MAX_LITERALS = 256;
const MAX_CLASS_LITERALS = 8;

/** The lowercase strings `node` can match, when they are few; null otherwise. */
function literals(node: Node): Set<string> | null {
  switch (node.t) {
    case "chars": {
      const out = new Set<string>();
      for (const [lo, hi] of node.set) {
        if (hi - lo >= MAX_CLASS_LITERALS) return null;
        for (let c = lo; c <= hi; c++) out.add(String.fromCharCode(c).toLowerCase());
        if (out.size > MAX_CLASS_LITERALS) return null;
      }
      return out;
    }
    case "assert":
      return new Set([""]);
    case "group":
      return literals(node.body);
    case "alt": {
      const out = new Set<string>();
      for (const a of node.alts) {
        const l = literals(a);
        if (l === null) return null;
        for (const s of l) out.add(s);
        if (out.size > MAX_LITERALS) return null;
      }
      return out;
    }
    case "seq":
      return node.items.reduce<Set<string> | null>((acc, i) => (acc === null ? null : product(acc, literals(i))), new Set([""]));
    case "repeat": {
      if (node.max > 3) return null;
      const body = literals(node.body);
      if (body === null) return null;
      const out = new Set<string>();
      let current: Set<string> | null = new Set([""]);
      for (let n = 0; n <= node.max && current !== null; n++) {
        if (n >= node.min) for (const s of current) out.add(s);
        current = product(current, body);
      }
      return current === null || out.size > MAX_LITERALS ? null : out;
    }
  }
}

function product(a: Set<string>, b: Set<string> | null): Set<string> | null {
  if (b === null || a.size * b.size > MAX_LITERALS) return null;
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return out;
}

/** Strings one of which every match of `node` starts with (at worst just ""). */
function heads(node: Node): Set<string> {
  const whole = literals(node);
  if (whole !== null) return whole;
  switch (node.t) {
    case "group":
      return heads(node.body);
    case "alt": {
      const out = new Set<string>();
      for (const a of node.alts) for (const h of heads(a)) out.add(h);
      return out.size > MAX_LITERALS ? new Set([""]) : out;
    }
    case "repeat":
      return node.min >= 1 ? heads(node.body) : new Set([""]);
    case "seq": {
      let acc = new Set([""]);
      for (const item of node.items) {
        const l = literals(item);
        const next = product(acc, l ?? heads(item));
        if (next === null) return acc;
        acc = next;
        if (l === null) return acc;
      }
      return acc;
    }
    default:
      return new Set([""]);
  }
}

/** Whether every string `node` matches contains one of `keywords` (lowercase), as far as can be told. */
export function alwaysContains(node: Node, keywords: readonly string[]): boolean {
  const all = (set: Set<string>) => [...set].every((s) => keywords.some((k) => s.includes(k)));
  switch (node.t) {
    case "group":
      return alwaysContains(node.body, keywords);
    case "alt":
      return node.alts.every((a) => alwaysContains(a, keywords));
    case "repeat":
      return node.min >= 1 && alwaysContains(node.body, keywords);
    case "seq": {
      if (node.items.some((i) => alwaysContains(i, keywords))) return true;
      for (let start = 0; start < node.items.length; start++) {
        let run: Set<string> | null = new Set([""]);
        for (let end = start; end < node.items.length && run !== null; end++) {
          const item = node.items[end] as Node;
          const l = literals(item);
          if (l === null) {
            const head = product(run, heads(item));
            if (head !== null && all(head)) return true;
            break;
          }
          run = product(run, l);
          if (run !== null && all(run)) return true;
        }
      }
      return false;
    }
    default: {
      const l = literals(node);
      return l !== null && all(l);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Printing

const SPECIAL = new Set("\\^$.|?*+()[]{}/");
const CLASS_SPECIAL = new Set("\\]^-[");

function printCode(code: number, special: Set<string>): string {
  const c = String.fromCharCode(code);
  if (code === 9) return "\\t";
  if (code === 10) return "\\n";
  if (code === 13) return "\\r";
  if (code === 12) return "\\f";
  if (code === 11) return "\\v";
  if (code < 0x20 || (code >= 0x7f && code <= 0xff)) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code > 0xff) return `\\u${code.toString(16).padStart(4, "0")}`;
  return special.has(c) ? `\\${c}` : c;
}

const WORD: CharSet = normalize([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);
const DIGIT: CharSet = [[0x30, 0x39]];

function covers(set: CharSet, part: CharSet): boolean {
  return part.every(([lo, hi]) => set.some(([a, b]) => a <= lo && hi <= b));
}

function subtract(set: CharSet, part: CharSet): CharSet {
  return complement(normalize([...complement(set), ...part]));
}

function printRanges(set: CharSet): string {
  let out = "";
  let rest = set;
  if (covers(rest, WORD)) {
    out += "\\w";
    rest = subtract(rest, WORD);
  } else if (covers(rest, DIGIT)) {
    out += "\\d";
    rest = subtract(rest, DIGIT);
  }
  for (const [lo, hi] of rest) {
    out += printCode(lo, CLASS_SPECIAL);
    if (hi === lo + 1) out += printCode(hi, CLASS_SPECIAL);
    else if (hi > lo) out += `-${printCode(hi, CLASS_SPECIAL)}`;
  }
  return out;
}

function printSet(set: CharSet): string {
  const [only] = set;
  if (set.length === 1 && only && only[0] === only[1]) return printCode(only[0], SPECIAL);
  if (set.length === 1 && only && only[0] === 0 && only[1] === 0xffff) return "[\\s\\S]";
  if (JSON.stringify(set) === JSON.stringify(WORD)) return "\\w";
  if (JSON.stringify(set) === JSON.stringify(DIGIT)) return "\\d";
  const last = set.at(-1);
  if (last && last[1] === 0xffff) return `[^${printRanges(complement(set))}]`;
  return `[${printRanges(set)}]`;
}

function quantifier(min: number, max: number, lazy: boolean): string {
  const q =
    min === 0 && max === 1
      ? "?"
      : min === 0 && max === Infinity
        ? "*"
        : min === 1 && max === Infinity
          ? "+"
          : min === max
            ? `{${min}}`
            : `{${min},${max === Infinity ? "" : max}}`;
  return lazy ? `${q}?` : q;
}

/** Prints the tree as a JavaScript regex source, to be compiled without the `i`, `m`, `s` or `u` flags. */
export function printJs(node: Node): string {
  switch (node.t) {
    case "chars":
      return printSet(node.set);
    case "assert":
      return node.kind;
    case "group":
      return node.capture
        ? `(${node.name ? `?<${node.name}>` : ""}${printJs(node.body)})`
        : `(?:${printJs(node.body)})`;
    case "alt":
      return node.alts.map(printJs).join("|");
    case "seq":
      return node.items.map((i) => (i.t === "alt" ? `(?:${printJs(i)})` : printJs(i))).join("");
    case "repeat": {
      const body = node.body;
      const atom = body.t === "chars" || body.t === "group" ? printJs(body) : `(?:${printJs(body)})`;
      return atom + quantifier(node.min, node.max, node.lazy);
    }
  }
}

/** Whether every match starts with one of `keywords` (lowercase): the regex can then be tried only where they occur. */
export function startsWithKeyword(node: Node, keywords: readonly string[]): boolean {
  const starts = heads(node);
  return [...starts].every((h) => keywords.some((k) => h.startsWith(k)));
}

/** The characters a match can start with (and whether it can be empty), ignoring assertions. */
function firstChars(node: Node): { set: CharSet; empty: boolean } {
  switch (node.t) {
    case "chars":
      return { set: node.set, empty: false };
    case "assert":
      return { set: [], empty: true };
    case "group":
      return firstChars(node.body);
    case "alt": {
      const parts = node.alts.map(firstChars);
      return { set: normalize(parts.flatMap((p) => [...p.set])), empty: parts.some((p) => p.empty) };
    }
    case "seq": {
      const sets: (readonly [number, number])[] = [];
      for (const item of node.items) {
        const f = firstChars(item);
        sets.push(...f.set);
        if (!f.empty) return { set: normalize(sets), empty: false };
      }
      return { set: normalize(sets), empty: true };
    }
    case "repeat": {
      const f = firstChars(node.body);
      return { set: f.set, empty: f.empty || node.min === 0 };
    }
  }
}

/** A class every match's first character is in, printed; null when a match can be empty. */
export function startClass(node: Node): string | null {
  const f = firstChars(node);
  return f.empty ? null : printSet(f.set);
}
