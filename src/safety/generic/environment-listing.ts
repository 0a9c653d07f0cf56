import type { Detector, Finding, Hits } from "../detectors.ts";
import { previousLine } from "./lines.ts";
import { printedOutput } from "./printed-secret.ts";

/**
 * A whole process environment printed by a command no rule knows (`python3 envdump.py`, `./print_env.sh`, `node dump.js`): its
 * `NAME=value` lines, a map (`{'PATH': …, 'HOME': …}`, node's `{ PATH: '…' }`, JSON) or `NAME: value` lines. Nothing but its names
 * says what it is: a shell's own variables beside each other, PATH and HOME and one more (SHELL, USER, LANG…), as keys. Such a block
 * (up to a blank line each way) is read as `env`'s output is (printed-secret.ts printedOutput "env"): an opaque token or a provider's
 * credential goes under any name, a path, a word, a setting stays.
 */
const SHELL_NAME = /(?:^|[\s{,([])["']?(PATH|HOME|SHELL|USER|LOGNAME|PWD|LANG|TERM|HOSTNAME|SHLVL|TMPDIR)["'\]]?[ \t]*[=:]/g;
/** A slice of `NAME=value` strings printed by Go on one line (`[HOSTNAME=api PATH=/usr/bin …]`), and its brackets (blanked: same length). */
const GO_SLICE = /^[ \t]*\[[A-Za-z_]\w{0,100}=[^\r\n]*\][ \t]*\r?$/;
const BRACKETS = /^[ \t]*\[|\](?=[ \t]*\r?$)/g;
/** A blank line: a listing's end. */
const BLANK_LINE = /\n[ \t]*\r?\n/g;
/** How far a listing is looked for on either side of its PATH: an environment is a few KB. */
const REACH = 32_768;

/**
 * Where the block of lines holding `at` starts: after a blank line, no further back than `limit` (REACH, or the last block's end);
 * walked back line by line, a text of many short blocks costs each its own length (linear time).
 */
function blockStart(text: string, at: number, limit: number): number {
  let start = text.lastIndexOf("\n", at - 1) + 1;
  if (start < limit) return limit;
  while (start > limit) {
    const previous = previousLine(text, start);
    if (previous < limit || text.slice(previous, start - 1).trim() === "") return start;
    start = previous;
  }
  return start;
}

/** Where it ends: a blank line, or REACH on. */
function blockEnd(text: string, at: number): number {
  const after = text.slice(at, at + REACH);
  BLANK_LINE.lastIndex = 0;
  return at + (BLANK_LINE.exec(after)?.index ?? after.length);
}

/** Whether a block holds a shell's own variables as keys: PATH, HOME and one more. */
function isEnvironment(block: string): boolean {
  const names = new Set<string>();
  for (const m of block.matchAll(SHELL_NAME)) names.add(m[1] as string);
  return names.has("PATH") && names.has("HOME") && names.size >= 3;
}

export const environmentListingDetector: Detector = {
  keywords: ["path"],
  find(text: string, hits: Hits, out: Finding[]): void {
    // A block read once: the hits in it after the first are skipped (linear time).
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done || !text.startsWith("PATH", at)) continue;
      const start = blockStart(text, at, Math.max(done, at - REACH, 0));
      const end = blockEnd(text, at);
      done = end;
      const block = text.slice(start, end);
      if (!isEnvironment(block)) continue;
      // Go's `fmt.Println(os.Environ())`: its pairs on one line between brackets, each read as a line of its own (as `ps e`'s).
      const line = block.lastIndexOf("\n", at - start) + 1;
      const lineEnd = block.indexOf("\n", at - start);
      const slice = block.slice(line, lineEnd < 0 ? block.length : lineEnd);
      if (GO_SLICE.test(slice)) {
        const pairs = slice.replace(BRACKETS, (bracket) => bracket.replace(/[[\]]/, " "));
        for (const f of printedOutput(pairs, "process-env")) out.push({ ...f, start: f.start + start + line, end: f.end + start + line });
        continue;
      }
      for (const f of printedOutput(block, "env")) out.push({ ...f, start: f.start + start, end: f.end + start });
    }
  },
};
