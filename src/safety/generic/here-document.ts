import { lineEnd } from "./lines.ts";

/**
 * A here-document opened at `at` (`<<EOF`, `<<-EOF`, `<< 'JSON'`, `<<"END"`, `<<\EOF`): its word, and where its lines start, after
 * the rest of the opening line (`<<EOF > notes.txt`), looked for 500 characters on at most (a line of many `<<` is not read again
 * from each to its end); undefined when no word follows, or the line goes on further than that.
 */
const OPENING = /<<-?[ \t]*(?:(["'])(\w{1,40})\1|\\?(\w{1,40}))/y;
const OPENING_LINE_MAX = 500;

export function hereDocument(text: string, at: number): { word: string; body: number } | undefined {
  OPENING.lastIndex = at;
  const m = OPENING.exec(text);
  if (!m) return undefined;
  const end = lineEnd(text, OPENING.lastIndex, OPENING_LINE_MAX);
  return text.charAt(end) === "\n" ? { word: (m[2] ?? m[3]) as string, body: end + 1 } : undefined;
}

/**
 * Where a here-document's lines end: the start of the first line that is its word alone, within `max` characters of its first line;
 * undefined when none is. The word may be indented (bash strips tabs after `<<-`; a pasted terminal or a message indents its lines).
 */
export function hereDocumentEnd(text: string, doc: { word: string; body: number }, max: number): number | undefined {
  const close = new RegExp(String.raw`^[ \t]*${doc.word}[ \t]*\r?$`, "m").exec(text.slice(doc.body, doc.body + max));
  return close ? doc.body + close.index : undefined;
}
