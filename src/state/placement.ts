import { NO_TOKENS_SHOWN, type ShownTokens, plusShown } from "../fold/summarize.ts";

/** Responses the same sessions share: per session with a copy of them, their totals as its copies. */
export type SharedClass = ReadonlyMap<string, ShownTokens>;

/** Most placements tried for one family of sessions; beyond that its responses stay where the read put them. */
const MAX_PLACEMENTS = 4096;


/**
 * Where the server counts the responses sessions it holds share (a resumed
 * copy and its original, a copy of that copy): each class of responses (those
 * the same sessions share) is counted in one of them, the session the server
 * held first (or the first by path, when they were first sent in one run).
 * Chosen so every session's totals (`base`, its totals without the shared
 * responses, plus the classes it holds) come nearest the server's; a session
 * that grew since adds its new part to every placement alike. `current` (each
 * class's holder now, if one) is kept unless a placement comes strictly nearer.
 * Returns each class's holder, or undefined to keep things as they are.
 */
export function placeShared(
  base: ReadonlyMap<string, ShownTokens>,
  server: ReadonlyMap<string, ShownTokens>,
  classes: readonly SharedClass[],
  current: readonly (string | undefined)[],
): string[] | undefined {
  const options = classes.map((c) => [...c.keys()]);
  if (options.length === 0 || options.reduce((n, o) => n * o.length, 1) > MAX_PLACEMENTS) return undefined;
  const off = (choice: readonly string[]) => {
    const shown = new Map(base);
    choice.forEach((id, i) => shown.set(id, plusShown(shown.get(id) ?? NO_TOKENS_SHOWN, classes[i]?.get(id) ?? NO_TOKENS_SHOWN)));
    let sum = 0;
    for (const [id, s] of shown) {
      const held = server.get(id) ?? NO_TOKENS_SHOWN;
      sum += Math.abs(s.promptTokens - held.promptTokens) + Math.abs(s.completionTokens - held.completionTokens);
    }
    return sum;
  };
  const kept = current.every((id) => id !== undefined) ? (current as string[]) : undefined;
  let best = kept;
  let bestOff = kept ? off(kept) : Number.POSITIVE_INFINITY;
  // Every placement, as an odometer over each class's sessions.
  const pick = options.map(() => 0);
  for (;;) {
    const choice = pick.map((p, i) => options[i]?.[p] as string);
    const d = off(choice);
    if (d < bestOff) [best, bestOff] = [choice, d];
    let i = 0;
    for (; i < pick.length; i++) {
      const next = (pick[i] ?? 0) + 1;
      pick[i] = next < (options[i]?.length ?? 0) ? next : 0;
      if (pick[i] !== 0) break;
    }
    if (i === pick.length) break;
  }
  return best === kept ? undefined : best;
}
