import { WRAPPED, WRAPPER_NAME } from "./command-wrappers.ts";
import { filePrints } from "./printed-secret.ts";

/**
 * What a search prints of environment files: `grep STRIPE .env`, `grep -rn KEY .`, `rg OPENAI`, `git grep`, and Claude Code's Grep
 * tool. Its lines are the files' lines, so a line of an environment file is read as one (printed-secret.ts's "env": an opaque
 * token under any name goes, `STRIPE=…`); before, a search's result was read as any text, and such a line went whole. A search of
 * one environment file ("env-search") prints its lines alone, after their number with `-n` (`3:STRIPE=…`); any other ("search")
 * before each line its file's path (`./.env:3:STRIPE=…`, `/app/.env.local-4-…` for a line of context), and only an environment
 * file's lines are read.
 */
export type SearchPrints = "env-search" | "search";

/**
 * A search command (where a command starts: COMMAND_BEFORE, not `az … -g rg`, a word among another's arguments) and its arguments,
 * up to the end of its step; its lines printed as they are, or piped into a command that
 * keeps them whole (`| grep -v node_modules`, `| head`, xargs with no command of its own, which echoes them on one line), not cut
 * (`| cut -d= -f2`: printed-secret.ts's cut values).
 */
const SEARCH = /(?<![\w-])(grep|egrep|rg|ag|ack|git[ \t]+grep)[ \t]([^\r\n|;&]{0,1000})(?![^\r\n|;&])(?![ \t]*\|(?![ \t]*(?:(?:grep|egrep|rg|head|tail|sort|uniq|less|more)(?![\w-])|xargs(?:[ \t]+-[\w-]{1,20})*[ \t]*(?:$|[\r\n|;&)`]))))/g;
/** grep's recursive flags; rg, ag, ack and git grep search a folder by default. */
const RECURSIVE = /^-(?:[A-Za-z]*[rR][A-Za-z]*|-recursive|-dereference-recursive)$/;
/** Flags that print no line whole: a match's part alone (`-o`, a value cut by `\K`), files' names, counts. */
const NO_LINES = /^-(?:[A-Za-z]*[olLc][A-Za-z]*|-only-matching|-files-with(?:out)?-match(?:es)?|-count)$/;
/**
 * grep's and git grep's `-h`, rg's `-I`, `--no-filename`, ag's `--nofilename`: each line printed alone, with no file's path before it.
 * (rg's `-h` is its help.)
 */
const NO_NAMES = /^-(?:[A-Za-z]*h[A-Za-z]*|-no-filename|-nofilename)$/;
const RG_NO_NAMES = /^-(?:[A-Za-z]*I[A-Za-z]*|-no-filename|-nofilename)$/;
/** The files a folder's search is held to (`--include=.env*`, rg's `-g '.env*'`, `--glob=.env*`): the glob's value. */
const INCLUDE = /^--(?:include|glob)=["']?(.+)$/;
const GLOB_FLAG = /^-(?:g|-glob|-include)$/;
/** A word's quotes, and a `$(…)`'s or backticks' end after its last (`echo $(grep STRIPE .env)`: its file is `.env`). */
const QUOTES = /^["']|["'`)]+$/g;
/**
 * What stands before a command (read back 80 characters at most: linear): a step's start, a shell's keyword, xargs and its flags; or
 * commands that run the one after them, with their options (`sudo -E`, `nice -n 10`, `DEBUG=1`: command-wrappers.ts), after those or
 * where a word starts (`ssh box sudo grep …`).
 */
const COMMAND_BEFORE = new RegExp(String.raw`(?:(?:^|[;&|(\x60]|\$\(|\b(?:then|do))[ \t]*|\b(?=${WRAPPER_NAME}))${WRAPPED}$|(\bxargs(?:[ \t]+-[^\s|;&]{1,20})*)[ \t]*$`);
const BEFORE_MAX = 80;

/**
 * A search's pattern that looks for a secret's variable: a secret's word in it (`api_key`, `DB_PASSWORD`, `token`), or a variable's
 * name in capitals (`STRIPE`, `OPENAI_API`, `^SENTRY=`), as environment files spell them. Not gitleaks' providers by its rules' ids:
 * rules/gitleaks.json would be loaded by every sync, one with nothing new too (a compiled script importing it starts 9 ms later).
 */
const SECRET_WORD = /key|secret|token|passw|pwd|auth|cred/i;
const VARIABLE = /^[A-Z][A-Z0-9_]{2,100}$/;
const looksForSecret = (pattern: string) => SECRET_WORD.test(pattern) || pattern.split(/[^A-Za-z0-9_]+/).some((word) => VARIABLE.test(word));
/** grep's and rg's pattern given by its flag (`-e STRIPE`, `--regexp=STRIPE`). */
const PATTERN_FLAG = /^(?:-e|--regexp)$/;
const PATTERN_VALUE = /^--regexp=(.+)$/;

/** What the command's searches print of environment files, or undefined when none may read one. */
export function searchPrints(command: string): SearchPrints | undefined {
  let prints: SearchPrints | undefined;
  for (const m of command.matchAll(SEARCH)) {
    const before = COMMAND_BEFORE.exec(command.slice(Math.max(0, (m.index as number) - BEFORE_MAX), m.index));
    if (!before) continue;
    const words = (m[2] as string).split(/[ \t]+/).map((w) => w.replace(QUOTES, ""));
    if (words.some((w) => NO_LINES.test(w))) continue;
    // Its pattern, then its files: grep puts a file's path before each line when it searches more than one.
    const operands = words.filter((w, i) => w !== "" && !w.startsWith("-") && !GLOB_FLAG.test(words[i - 1] ?? ""));
    const recursive = (m[1] !== "grep" && m[1] !== "egrep") || words.some((w) => RECURSIVE.test(w));
    // Each line alone, whichever file it is from: read as an environment file's when the search names one (a file, its glob), or
    // when it searches a folder for a secret's variable (`grep -rh STRIPE .`), whose lines are mostly environment files' (`STRIPE_KEY=…`).
    if (words.some((w) => (m[1] === "rg" ? RG_NO_NAMES : NO_NAMES).test(w))) {
      const globs = words.map((w, i) => INCLUDE.exec(w)?.[1] ?? (GLOB_FLAG.test(words[i - 1] ?? "") ? w : undefined));
      const flagged = words.findIndex((w) => PATTERN_FLAG.test(w) || PATTERN_VALUE.test(w));
      const pattern = flagged < 0 ? operands[0] : (PATTERN_VALUE.exec(words[flagged] as string)?.[1] ?? words[flagged + 1]);
      if ([...operands, ...globs].some((w) => w !== undefined && filePrints(w) === "env") || (recursive && pattern !== undefined && looksForSecret(pattern))) prints = "env-search";
      continue;
    }
    // rg, ag, ack and git grep search a folder by default; grep given its files by xargs, several.
    if (recursive || before[1] !== undefined || operands.length > 2) return "search";
    if (operands.some((w) => filePrints(w) === "env")) prints = "env-search";
  }
  return prints;
}

/** The Grep tool's call: a search of one environment file, or of a folder (its lines after their file's path); only its lines' mode. */
export function grepToolPrints(input: { path?: unknown; output_mode?: unknown }): SearchPrints | undefined {
  if (input.output_mode !== "content") return undefined;
  return typeof input.path === "string" && filePrints(input.path) === "env" ? "env-search" : "search";
}

/** A line's prefix: its file's path and `:` (`-` before a line of context, as its number's), its number. */
const PATH_AND_NUMBER = /^([^\r\n:]{1,1000}?)([:-])\d{1,9}\2/;
const PATH_ONLY = /^([^\r\n:]{1,1000}):/;
const NUMBER_ONLY = /^\d{1,9}[:-]/;

/** rg's heading (a terminal's default): a file's path alone on its line, then its lines after their number alone, up to a blank line. */
const HEADING = /^[^\s:]{1,1000}$/;

/**
 * The search's output with all but environment files' lines blanked (spaces, each character's place kept), their prefixes too:
 * what is left is read as an environment file.
 */
export function environmentLines(text: string, prints: SearchPrints): string {
  // Under a heading: whether its file is an environment file (undefined: under none).
  let heading: boolean | undefined;
  let end = 0;
  return text.replace(/[^\r\n]+/g, (line: string, at: number) => {
    const between = text.slice(end, at);
    if (between.indexOf("\n") !== between.lastIndexOf("\n")) heading = undefined;
    end = at + line.length;
    if (prints === "env-search") return unprefixed(line, NUMBER_ONLY.exec(line)?.[0] ?? "");
    const numbered = heading === undefined ? null : NUMBER_ONLY.exec(line);
    if (numbered) return heading ? unprefixed(line, numbered[0]) : blank(line);
    if (HEADING.test(line)) heading = filePrints(line) === "env";
    const prefix = PATH_AND_NUMBER.exec(line) ?? PATH_ONLY.exec(line);
    return prefix && filePrints(prefix[1] as string) === "env" ? unprefixed(line, prefix[0]) : blank(line);
  });
}

const blank = (s: string) => " ".repeat(s.length);
const unprefixed = (line: string, prefix: string) => blank(prefix) + line.slice(prefix.length);
