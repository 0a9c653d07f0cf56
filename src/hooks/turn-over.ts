/**
 * Events after which a session's turn is over: a response still open at the end of its transcript is complete;
 * after a Stop, the main thread's (subagents run in the background may still be writing), after a SessionEnd, all.
 * Not SubagentStop: the main thread goes on at once, and its next response may be half written.
 * Weakest first: a hook's request replacing one of these that still waits keeps the stronger (enqueue.ts).
 * Its own module: the hook command reads it, and must not load the sync engine that pass.ts does.
 */
export const TURN_OVER: ReadonlyMap<string, "main" | "all"> = new Map([
  ["Stop", "main"],
  ["StopFailure", "main"],
  ["SessionEnd", "all"],
]);
