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
