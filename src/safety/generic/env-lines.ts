import type { Detector, Finding, Hits } from "../detectors.ts";
import { lineStart, previousLine } from "./lines.ts";
import { printedOutput } from "./printed-secret.ts";

/**
 * An environment file's lines pasted with no command before them ("here's my .env:" then `STRIPE_SECRET_KEY=…`, `UPSTREAM=…`, in a fence
 * or not, or as a Markdown list an assistant sums up with: "- `UPSTREAM=…`"; a container's as Compose logs them, after its service's
 * prefix: `api-1  | UPSTREAM=…`; as `cat -A` shows them, each line ending in `$`): two or more `NAME=value` lines in a row, names in
 * capitals as environments write them (comments between). Read as that file
 * is (printed-secret.ts printedOutput "env"): an opaque token or a provider's credential goes under any name. One such line alone among
 * prose is a setting's as often (a command's argument, `NODE_ENV=production` in a sentence): its secret's name must say so.
 */
/** A Compose service's prefix before each line it logs (`api-1  | `, Compose v1's `web_1 | `): a regex's source. */
const SERVICE = String.raw`(?:[\w.-]{0,64}[-_]\d{1,3}[ \t]+\|[ \t]+)`;
const ENV_LINE = new RegExp(String.raw`[ \t]*${SERVICE}?(?:[-*+][ \t]+)?(\x60?)(?:export[ \t]+)?[A-Z_][A-Z0-9_]{0,100}=(?:"[^"\r\n]{0,1000}"|'[^'\r\n]{0,1000}'|[^\s"'\x60]{0,1000})\1\$?[ \t]*(?:#[^\r\n]{0,300})?\r?(?=\n|$)`, "y");
/** A service's prefix, a list item's marker and the backticks around its line (blanked, of the same length: the line is read as the file's). */
const LIST_MARKUP = new RegExp(String.raw`^[ \t]*(?:${SERVICE}(?:[-*+][ \t]+\x60?)?|[-*+][ \t]+\x60?)|\x60(?=\$?[ \t]*\r?$)`, "gm");
/** `cat -A`'s mark of each line's end (`$`), blanked when every line of the run has it: a value may end in a `$` of its own. */
const LINE_END_MARK = /\$(?=\r?$)/gm;
const UNMARKED_END = /(?<![$\r])\r?$/m;
const blanked = (markup: string) => " ".repeat(markup.length);
const COMMENT_LINE = new RegExp(String.raw`[ \t]*${SERVICE}?#[^\r\n]{0,300}\r?(?=\n|$)`, "y");
/** The most lines read in one run: an environment file has a few hundred at most. */
const LINES_MAX = 1000;

/** Whether the line starting at `at` is an assignment ("env"), a comment ("comment"), or neither. */
function lineKind(text: string, at: number): "env" | "comment" | undefined {
  ENV_LINE.lastIndex = at;
  if (ENV_LINE.test(text)) return "env";
  COMMENT_LINE.lastIndex = at;
  return COMMENT_LINE.test(text) ? "comment" : undefined;
}

/**
 * A script's variable set alone, then exported by its name (`UPSTREAM=…` then `export UPSTREAM`, in a `.sh` file a shell sources): it is
 * the environment's as the lines of an environment file are, though one such line alone is a setting's as often.
 */
const SET_NAME = /^[ \t]*([A-Za-z_]\w{0,100})=/m;
const EXPORT_NAMES = /^[ \t]*export((?:[ \t]+[A-Za-z_]\w{0,100}){1,20})[ \t]*\r?$/gm;
/** The names a text exports alone (`export A B`), found once for the text. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(EXPORT_NAMES)) for (const name of (m[1] as string).trim().split(/[ \t]+/)) names.add(name);
  return names;
}

export const envLinesDetector: Detector = {
  keywords: ["="],
  find(text: string, hits: Hits, out: Finding[]): void {
    // The end of the last run read: the hits in it are its own lines (linear time).
    let done = -1;
    let exported: Set<string> | undefined;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      // The name before the `=` starts its line (a short look back: a long line's every `=` would walk it again).
      const line = lineStart(text, at, 110);
      if (line === undefined || lineKind(text, line) !== "env") continue;
      // The run's first line: back over assignments and comments, no further than the last run read.
      let start = line;
      for (let n = 0, p = previousLine(text, start); n < LINES_MAX && p > done && p >= 0 && lineKind(text, p) !== undefined; n++, p = previousLine(text, p)) start = p;
      // Its last line, and how many of its lines are assignments.
      let end = line;
      let assignments = 0;
      for (let n = 0, p = start; n < LINES_MAX && p <= text.length; n++) {
        const kind = lineKind(text, p);
        if (kind === undefined) break;
        if (kind === "env") assignments++;
        const eol = text.indexOf("\n", p);
        end = eol < 0 ? text.length : eol;
        if (eol < 0) break;
        p = eol + 1;
      }
      done = end;
      if (assignments < 2) {
        const name = assignments === 1 ? SET_NAME.exec(text.slice(start, end))?.[1] : undefined;
        if (name === undefined || !(exported ??= exportedNames(text)).has(name)) continue;
      }
      const run = text.slice(start, end).replace(LIST_MARKUP, blanked);
      const lines = UNMARKED_END.test(run) ? run : run.replace(LINE_END_MARK, " ");
      for (const f of printedOutput(lines, "env")) out.push({ ...f, start: f.start + start, end: f.end + start });
    }
  },
};
