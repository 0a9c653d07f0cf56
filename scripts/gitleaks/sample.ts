/**
 * A random string matching an RE2 regex, for gitleaks' test cases that draw their secrets with
 * `secrets.NewSecret(regex)` (which uses reggen: an unbounded repetition adds at most one more).
 * Deterministic for a given random source; characters of negated classes are printable ASCII.
 */
import { type Node, parse } from "./re2-syntax.ts";

export type Random = () => number;

function pickChar(set: Node & { t: "chars" }, random: Random): string {
  const printable = set.set
    .map(([lo, hi]) => [Math.max(lo, 0x20), Math.min(hi, 0x7e)] as const)
    .filter(([lo, hi]) => lo <= hi);
  const ranges = printable.length > 0 ? printable : set.set;
  const total = ranges.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
  let k = Math.floor(random() * total);
  for (const [lo, hi] of ranges) {
    if (k <= hi - lo) return String.fromCharCode(lo + k);
    k -= hi - lo + 1;
  }
  return "";
}

function generate(node: Node, random: Random): string {
  switch (node.t) {
    case "chars":
      return pickChar(node, random);
    case "assert":
      return "";
    case "group":
      return generate(node.body, random);
    case "alt":
      return generate(node.alts[Math.floor(random() * node.alts.length)] as Node, random);
    case "seq":
      return node.items.map((i) => generate(i, random)).join("");
    case "repeat": {
      const max = node.max === Infinity ? node.min + 1 : node.max;
      const n = node.min + Math.floor(random() * (max - node.min + 1));
      let out = "";
      for (let i = 0; i < n; i++) out += generate(node.body, random);
      return out;
    }
  }
}

export function sample(regex: string, random: Random): string {
  return generate(parse(regex), random);
}
