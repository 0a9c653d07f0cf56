import type { Detector, Finding, Hits } from "../detectors.ts";
import { HAS_DIGIT, HAS_LETTER, isStandIn, looksRandom } from "../look-alikes.ts";
import { SECRET_KEY } from "./assignment.ts";
import { lineEnd } from "./lines.ts";

/**
 * Secrets in a table, as Claude sums up what it set up and as CLIs print them: a column headed
 * for a secret (`| Email | Password |` over `|---|---|` or MySQL's `+---+`, then a row per account), or a row
 * whose cell names a secret and whose next cell holds it (`| DB_PASSWORD | … |`,
 * `│ API_KEY │ … │`). Markdown's pipes and the box-drawing bars; a cell's bold and code font
 * are read through.
 */

/** A header or label naming a secret: `Password`, `API Key`, `Token`, `Secret`, `DB_PASSWORD`. */
const LABEL = /^(?:pass(?:word|wd|phrase)?(?:[ _]?hash)?|pwd|(?:api|access|secret|private)[ _-]?key|(?:api |access |auth |bearer )?token|secret|client secret|credentials?|encrypted_password)$/i;
/** Markdown's pipe and a box's bars, light, heavy or double (`║ DB_PASSWORD ║ … ║`, as Railway's CLI draws them). */
const BARS = /[|│┃║]/;
/** The rule under a header: markdown's `|---|`, MySQL's `+----+`, a box's `├────┼`, `╠════╬`. */
const SEPARATOR_ROW = /^[ \t]*[|│┃║+├┣╠╟]?[ \t]*:?[-─━═]{3,}/;
/** Markdown around a cell's text: `**…**`, `` `…` ``. */
const DECORATION = /^(?:\*\*|__|`)+|(?:\*\*|__|`)+$/g;

interface Cell {
  text: string;
  start: number;
  end: number;
}

/** The cells of one line (without the outer bars), each trimmed and undecorated, with where its text is. */
function cells(text: string, from: number, to: number): Cell[] {
  const out: Cell[] = [];
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && !BARS.test(text.charAt(i))) continue;
    let a = start;
    let b = i;
    while (a < b && /[\s*_`]/.test(text.charAt(a))) a++;
    while (b > a && /[\s*_`]/.test(text.charAt(b - 1))) b--;
    out.push({ text: text.slice(a, b), start: a, end: b });
    start = i + 1;
  }
  return out;
}

function label(text: string | undefined): boolean {
  if (text === undefined) return false;
  const name = text.replace(DECORATION, "");
  return LABEL.test(name) || (/^[A-Za-z0-9_.-]+$/.test(name) && SECRET_KEY.test(name));
}

/** A cell holding a secret: one word, letters with digits or with a symbol, no stand-in. */
function secretCell(cell: Cell | undefined): cell is Cell {
  if (!cell || cell.text.length < 4 || /\s/.test(cell.text) || isStandIn(cell.text)) return false;
  return (HAS_LETTER.test(cell.text) && HAS_DIGIT.test(cell.text)) || /[!@#$%^&*+=?~]/.test(cell.text);
}

/** psql's rule under its header: `----+-------+---------`. */
const PSQL_RULE = /^[ \t]*-+(?:\+-+)+[ \t]*\r?$/;

/** Splits a line at `separator` (no quoting: psql pads, CSV of secrets seldom quotes), trimmed. */
function split(text: string, from: number, to: number, separator: string): Cell[] {
  const out: Cell[] = [];
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && text.charAt(i) !== separator) continue;
    let [a, b] = [start, i];
    while (a < b && /[\s"]/.test(text.charAt(a))) a++;
    while (b > a && /[\s"\r]/.test(text.charAt(b - 1))) b--;
    out.push({ text: text.slice(a, b), start: a, end: b });
    start = i + 1;
  }
  return out;
}

/**
 * psql's result and a CSV file: a header line naming a secret's column (` id | email | api_key `
 * over psql's `----+----`; `username,password,role`), then that column of each row below, while
 * the rows have as many fields as the header. Returns where it stopped, or -1 if this is no such header.
 */
/**
 * psql's column named `key` alone (`select name, key from api_keys`): a settings table's is named so too
 * (`key | value`), so there only a value drawn at random goes.
 */
const BARE_KEY = /^key$/i;

function columnsBelow(text: string, from: number, end: number, at: number, out: Finding[]): number {
  const nextEnd = lineEnd(text, end + 1);
  const psql = PSQL_RULE.test(text.slice(end + 1, nextEnd));
  const separator = psql ? "|" : ",";
  if (!psql && (BARS.test(text.slice(from, end)) || /\s\S+\s/.test(text.slice(from, end).trim()))) return -1;
  const header = split(text, from, end, separator);
  const column = header.findIndex((c) => c.start <= at && at < c.end && (label(c.text) || (psql && BARE_KEY.test(c.text))));
  const weak = BARE_KEY.test(header[column]?.text ?? "");
  // An empty field is no header's: a C enum's entries (`DEVCONF_STABLE_SECRET,` over `DEVCONF_SEG6_ENABLED,`), a list's items.
  if (column < 0 || header.length < 2 || header.some((c) => c.text === "")) return -1;
  let next = psql ? nextEnd + 1 : end + 1;
  for (let rows = 0; next < text.length && rows < 10_000; rows++) {
    const stop = lineEnd(text, next);
    const row = split(text, next, stop, separator);
    if (row.length !== header.length) break;
    const cell = row[column];
    if (secretCell(cell) && (!weak || looksRandom(cell.text))) out.push({ start: cell.start, end: cell.end, kind: "secret" });
    next = stop + 1;
  }
  return next;
}

/** The rule under an aligned table's header, as `az … -o table` prints it: runs of dashes, one per column, spaces between. */
const ALIGNED_RULE = /^[ \t]*-{3,}(?:[ \t]+-{3,})+[ \t]*\r?$/;
/** A column naming a key (`az storage account keys list`'s `KeyName`), whose row's `Value` is that key. */
const KEY_NAME = /^key[ _]?name$/i;
const VALUE = /^value$/i;
/** A cell's word, from its column's start: it may run past the column (a value longer than the rule under its header stays whole). */
const CELL_WORD = /[ \t]*(\S+)/dy;

/**
 * An aligned table (`az … -o table`): a header over a rule of dashes, the columns where the dashes
 * are. The column headed for a secret (`Password`, `az ad app credential reset`), or, beside a
 * `KeyName`, the `Value` (`az storage account keys list`: `KeyName  Permissions  Value`), in each
 * row below to a blank line. Returns where it stopped, or -1 if this is no such header.
 */
function alignedColumns(text: string, from: number, end: number, at: number, out: Finding[]): number {
  const ruleEnd = lineEnd(text, end + 1);
  const rule = text.slice(end + 1, ruleEnd);
  if (!ALIGNED_RULE.test(rule)) return -1;
  const spans = [...rule.matchAll(/-+/g)].map((m) => [m.index, m.index + m[0].length] as const);
  const header = spans.map(([a, b]) => text.slice(from + a, Math.min(from + b, end)).trim());
  const hit = spans.findIndex(([a, b]) => from + a <= at && at < from + b);
  const named = header[hit];
  const column = named !== undefined && KEY_NAME.test(named) ? header.findIndex((h) => VALUE.test(h)) : label(named) ? hit : -1;
  const span = spans[column];
  if (!span) return -1;
  let next = ruleEnd + 1;
  for (let rows = 0; next < text.length && rows < 10_000; rows++) {
    const stop = lineEnd(text, next);
    if (text.slice(next, stop).trim() === "") break;
    CELL_WORD.lastIndex = Math.min(next + span[0], stop);
    const found = CELL_WORD.exec(text)?.indices?.[1];
    const cell = found && found[0] < next + span[1] && found[1] <= stop ? { text: text.slice(found[0], found[1]), start: found[0], end: found[1] } : undefined;
    if (secretCell(cell)) out.push({ start: cell.start, end: cell.end, kind: "secret" });
    next = stop + 1;
  }
  return next;
}

/** A header's cell in a table aligned by spaces or tabs with no rule under it (`influx auth list`, `NAME  TOKEN  CREATED`): one to three words. */
const HEADER_CELL = /^[A-Za-z][A-Za-z_-]{0,30}(?: [A-Za-z][A-Za-z_-]{0,30}){0,2}$/;
/** Where a table aligned by tabs (Go's tabwriter, 8-column stops) or spaces puts each character of a line. */
function columnsOf(text: string, from: number, to: number): number[] {
  const out: number[] = [];
  let col = 0;
  for (let i = from; i < to; i++) {
    out.push(col);
    col = text.charAt(i) === "\t" ? (Math.floor(col / 8) + 1) * 8 : col + 1;
  }
  return out;
}

/**
 * A table aligned by spaces or tabs with no rule under its header, as CLIs list credentials (`influx auth list`:
 * `ID  Description  Token  User Name …`, a listing's `NAME  TOKEN  CREATED`, `USERNAME  PASSWORD  ROLE`): three columns or more,
 * each header a few words, two spaces or a tab between. The column headed for a secret, in each row below to a blank line: the
 * word starting where its header starts, of eight characters or more (drawn at random but under a password's header). Returns where it stopped, or -1 if this is no such header.
 */
function gappedColumns(text: string, from: number, end: number, at: number, out: Finding[]): number {
  const line = text.slice(from, end).replace(/\r$/, "");
  const parts = [...line.matchAll(/[^\t ]+(?: [^\t ]+)*/g)];
  if (parts.length < 3 || !/\t| {2}/.test(line.trim()) || !parts.every((p) => HEADER_CELL.test(p[0]))) return -1;
  const hit = parts.find((p) => from + p.index <= at && at < from + p.index + p[0].length);
  if (!hit || !label(hit[0])) return -1;
  const start = columnsOf(text, from, end)[hit.index] as number;
  // Under a token's or a key's header, a value drawn at random (a lexer's table of tokens lists `INT_LIT2`); under a password's, any.
  const password = /pass|pwd/i.test(hit[0]);
  let next = end + 1;
  for (let rows = 0; next < text.length && rows < 10_000; rows++) {
    const stop = lineEnd(text, next);
    if (text.slice(next, stop).trim() === "") break;
    const where = columnsOf(text, next, stop);
    const i = where.indexOf(start);
    // A cell starts at its column: after a space or a tab, or at the line's start.
    if (i >= 0 && /\S/.test(text.charAt(next + i)) && (i === 0 || /[ \t]/.test(text.charAt(next + i - 1)))) {
      CELL_WORD.lastIndex = next + i;
      const found = CELL_WORD.exec(text)?.indices?.[1];
      const cell = found && found[1] <= stop ? { text: text.slice(found[0], found[1]), start: found[0], end: found[1] } : undefined;
      if (secretCell(cell) && cell.text.length >= 8 && (password || looksRandom(cell.text))) out.push({ start: cell.start, end: cell.end, kind: "secret" });
    }
    next = stop + 1;
  }
  return next;
}

export const tableDetector: Detector = {
  // `authentication_string`: MySQL's column of password hashes, a secret's name with no other keyword in it.
  keywords: ["pass", "pwd", "key", "token", "secret", "credential", "authentication_string"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      const start = text.lastIndexOf("\n", at) + 1;
      const end = lineEnd(text, at);
      done = end;
      const first = text.slice(start, Math.min(end, start + 24)).trimStart();
      if (!BARS.test(first.charAt(0))) {
        const aligned = alignedColumns(text, start, end, at, out);
        const below = aligned >= 0 ? aligned : columnsBelow(text, start, end, at, out);
        const stopped = below >= 0 ? below : gappedColumns(text, start, end, at, out);
        if (stopped > 0) done = stopped;
        continue;
      }
      const row = cells(text, start + text.slice(start, end).search(BARS) + 1, end);
      const column = row.findIndex((c) => c.start <= at && at < Math.max(c.end, c.start + 1) && label(c.text));
      if (column < 0) continue;
      // A value beside the name makes a row, whatever follows: Railway rules a line under every row (`║ STRIPE_KEY │ … ║` over `║────║`).
      const beside = row[column + 1];
      if (secretCell(beside)) out.push({ start: beside.start, end: beside.end, kind: "secret" });
      else if (SEPARATOR_ROW.test(text.slice(end + 1, lineEnd(text, end + 1)))) {
        // A header: the column below it, row by row, to the table's end.
        let next = lineEnd(text, end + 1) + 1;
        while (next < text.length) {
          const stop = lineEnd(text, next);
          const bar = text.slice(next, stop).search(BARS);
          if (bar < 0 || text.slice(next, next + bar).trim() !== "") break;
          const cell = cells(text, next + bar + 1, stop)[column];
          if (secretCell(cell)) out.push({ start: cell.start, end: cell.end, kind: "secret" });
          next = stop + 1;
        }
        done = next;
      }
    }
  },
};
