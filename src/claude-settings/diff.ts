/**
 * A unified diff (as `diff -u` prints it) of two texts, byte for byte: lines
 * keep their ending (a CRLF file shows its \r), and a last line without one is
 * marked "\ No newline at end of file". Only the changed hunks are shown, with
 * `context` lines around them.
 */
export function unifiedDiff(before: string, after: string, names: [string, string], context = 3): string {
  const a = lines(before);
  const b = lines(after);
  const ops = compare(a, b);
  if (!ops.some((op) => op.mark !== " ")) return "";
  const out = [`--- ${names[0]}`, `+++ ${names[1]}`];
  for (const hunk of hunks(ops, context)) {
    const count = (mark: string) => hunk.filter((op) => op.mark === " " || op.mark === mark).length;
    const from = count("-");
    const to = count("+");
    // diff -u numbers an empty side by the line before it, and leaves out a count of one.
    const range = (at: number, n: number) => (n === 1 ? `${at + 1}` : `${n === 0 ? at : at + 1},${n}`);
    out.push(`@@ -${range(hunk[0]!.a, from)} +${range(hunk[0]!.b, to)} @@`);
    for (const op of hunk) {
      out.push(op.mark + op.line.replace(/\n$/, ""));
      if (!op.line.endsWith("\n")) out.push("\\ No newline at end of file");
    }
  }
  return out.join("\n");
}

interface Op {
  mark: " " | "-" | "+";
  line: string;
  /** How many lines of each side come before this one. */
  a: number;
  b: number;
}

/** Lines with their endings. */
function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Past this many cells the middle is shown as replaced whole rather than compared line by line. */
const MAX_TABLE = 4_000_000;

function compare(a: string[], b: string[]): Op[] {
  // Edits are local: compare only what lies between the common start and end.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const ops: Op[] = a.slice(0, head).map((line, i) => ({ mark: " ", line, a: i, b: i }));
  let i = 0;
  let j = 0;
  const push = (mark: Op["mark"], line: string) => ops.push({ mark, line, a: head + i, b: head + j });
  if ((x.length + 1) * (y.length + 1) > MAX_TABLE) {
    for (; i < x.length; i++) push("-", x[i]!);
    for (; j < y.length; j++) push("+", y[j]!);
  } else {
    // lcs[i * w + j] = length of the longest common subsequence of x[i..] and y[j..].
    const w = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * w);
    for (let p = x.length - 1; p >= 0; p--) {
      for (let q = y.length - 1; q >= 0; q--) {
        lcs[p * w + q] = x[p] === y[q] ? lcs[(p + 1) * w + q + 1]! + 1 : Math.max(lcs[(p + 1) * w + q]!, lcs[p * w + q + 1]!);
      }
    }
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        push(" ", x[i]!);
        i++;
        j++;
      } else if (i < x.length && (j === y.length || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
        push("-", x[i]!);
        i++;
      } else {
        push("+", y[j]!);
        j++;
      }
    }
  }
  a.slice(a.length - tail).forEach((line, k) => ops.push({ mark: " ", line, a: a.length - tail + k, b: b.length - tail + k }));
  return ops;
}

/** Runs of operations around the changes, with `context` unchanged lines on each side; close runs merge. */
function hunks(ops: Op[], context: number): Op[][] {
  const changed = ops.flatMap((op, index) => (op.mark === " " ? [] : [index]));
  const result: Op[][] = [];
  let from = -1;
  let to = -1;
  for (const index of changed) {
    if (from >= 0 && index - context <= to + 1) {
      to = Math.min(ops.length - 1, index + context);
      continue;
    }
    if (from >= 0) result.push(ops.slice(from, to + 1));
    from = Math.max(0, index - context);
    to = Math.min(ops.length - 1, index + context);
  }
  result.push(ops.slice(from, to + 1));
  return result;
}
