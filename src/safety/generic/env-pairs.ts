/**
 * An environment file's lines joined on one line, as `echo $(grep = .env)`, `cat <(grep = .env)` and `grep = .env | xargs` print
 * them (`STRIPE=… OPENAI=… DB_PASSWORD=…`): the rules that read an environment file's line whole (printed-secret.ts: an opaque
 * token under any name, a short password under a secret's) found only the last pair, the one that ends the line.
 */
const PAIRS_LINE = /^[ \t]*[A-Za-z_]\w{0,100}=[^\r\n]*/gm;
/** The spaces before the next pair's name: one run each (the look-behind), so a long run of spaces is read once (linear). */
const NEXT_PAIR = /(?<![ \t])[ \t]+(?=[A-Za-z_]\w{0,100}=)/g;

/** `text` with each pair of such a line on a line of its own, of the same length (findings keep their positions). */
export function pairsAsLines(text: string): string {
  return text.replace(PAIRS_LINE, (line) => line.replace(NEXT_PAIR, (spaces) => `\n${spaces.slice(1)}`));
}

/**
 * `text` with every pair on a line of its own, wherever it is on its line: a process's environment as `ps e` prints it, after the
 * process's command line (`1234 pts/0 Sl 0:01 node server.js PATH=/usr/bin FOO=… LANG=C`). Of the same length.
 */
export function everyPairAsLine(text: string): string {
  return text.replace(NEXT_PAIR, (spaces) => `\n${spaces.slice(1)}`);
}

/**
 * A diff's added or removed line of a variable (`+STRIPE=…`, `-STRIPE=…`), as `git diff .env` and `diff -u` print them, or `diff`'s own
 * (`< STRIPE=…`, `> STRIPE=…`).
 */
const DIFF_LINE = /^(?:[+-]|[<>](?=[ \t]))(?=[ \t]*(?:export[ \t]+)?[A-Za-z_]\w{0,100}[ \t]*[=:])/gm;
const DIFF_MARK = /(?:^|\n)[+<>-]/;

/** `text` with a diff's sign before a variable's line as a space, of the same length: the line is read as the file's. */
export function diffLinesAsLines(text: string): string {
  return DIFF_MARK.test(text) ? text.replace(DIFF_LINE, " ") : text;
}

/**
 * A variable's line as PHP's `print_r(getenv())` (`    [STRIPE] => …`) and launchd's `environment = {` block (`\t\tSTRIPE => …`,
 * `launchctl print`) print it. Quoted names are another form (`'STRIPE' => '…'`, var_export's: a map's entries).
 */
const ARROW_PAIR = /^([ \t]*)(\[?)([A-Za-z_]\w{0,100})(\]?)([ \t]*)=>(?=[ \t])/gm;

/** `text` with each such line as `NAME = value`, of the same length (findings keep their positions). */
export function arrowPairsAsLines(text: string): string {
  return text.includes("=>") ? text.replace(ARROW_PAIR, (_, indent: string, open: string, name: string, close: string, spaces: string) => `${indent}${open ? " " : ""}${name}${close ? " " : ""}${spaces}= `) : text;
}

/** A pair as a tuple, python-dotenv's older `dotenv_values()` printed (`OrderedDict([('STRIPE', '…'), …])`): its name quoted, then a comma. */
const TUPLE_PAIR = /\((["'])([A-Za-z_]\w{0,100})\1,/g;

/** `text` with each such pair as a map's entry (`'STRIPE': '…')`), of the same length. */
export function tuplePairsAsEntries(text: string): string {
  return text.replace(TUPLE_PAIR, (_, quote: string, name: string) => ` ${quote}${name}${quote}:`);
}
