/** The Read tool's line number before a line's text in its output: `    12→`. */
const LINE_NUMBER = /[ \t]{0,12}\d{1,9}\u2192/y;

/** Where the text of the line starting at `start` begins: after the Read tool's number, if it has one. */
export function afterLineNumber(text: string, start: number): number {
  LINE_NUMBER.lastIndex = start;
  return LINE_NUMBER.test(text) ? LINE_NUMBER.lastIndex : start;
}
