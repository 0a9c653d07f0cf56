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

/** Where the line before the one starting at `at` starts, or -1 at the text's start. */
export const previousLine = (text: string, at: number): number => (at === 0 ? -1 : text.lastIndexOf("\n", at - 2) + 1);

/**
 * Where the line holding `from` ends: its newline, or the text's end; with `max`, no further than
 * `max` characters on (a text may be one line of megabytes, read again from each hit in it).
 */
export function lineEnd(text: string, from: number, max = Infinity): number {
  if (max < text.length - from) {
    const end = text.slice(from, from + max).indexOf("\n");
    return end < 0 ? from + max : from + end;
  }
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}
