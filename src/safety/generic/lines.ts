/** The Read tool's line number before a line's text in its output: `    12→` (a pattern's source, for the rules that match across lines). */
export const READ_LINE_NUMBER = String.raw`[ \t]{0,12}\d{1,9}\u2192`;
const LINE_NUMBER = new RegExp(READ_LINE_NUMBER, "y");

/** Where the text of the line starting at `start` begins: after the Read tool's number, if it has one. */
export function afterLineNumber(text: string, start: number): number {
  LINE_NUMBER.lastIndex = start;
  return LINE_NUMBER.test(text) ? LINE_NUMBER.lastIndex : start;
}

/**
 * Where the line holding `at` starts, looking back `max` characters at most (a bounded look keeps
 * the rules that ask linear); undefined when its start is further back than that.
 */
export function lineStart(text: string, at: number, max: number): number | undefined {
  const back = text.slice(Math.max(0, at - max), at);
  const newline = back.lastIndexOf("\n");
  if (newline === -1) return at > max ? undefined : 0;
  return at - back.length + newline + 1;
}
