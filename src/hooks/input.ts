import type { SyncRequest } from "./queue.ts";

/** Claude Code names sessions by UUID; anything else in `session_id` (a token pasted by a script...) would end up in the logs. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The fields of a hook event (what Claude Code sends a hook on stdin) that the
 * hook passes on; undefined without a session id. Every event has fields of
 * its own: the others are ignored. A check by hand, not zod: see enqueue.ts.
 */
export function requestFromEvent(event: unknown): Pick<SyncRequest, "sessionId" | "transcriptPath"> | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const { session_id: sessionId, transcript_path: transcriptPath } = event as Record<string, unknown>;
  if (typeof sessionId !== "string" || !SESSION_ID.test(sessionId)) return undefined;
  return typeof transcriptPath === "string" ? { sessionId, transcriptPath } : { sessionId };
}

/**
 * The JSON object read so far, once it is complete; undefined while it is not.
 * Only text ending in `}` is parsed, so a large event (a tool's whole output)
 * arriving in many chunks is not parsed again at each one.
 */
export function completeObject(text: string): unknown {
  const trimmed = text.trimEnd();
  if (!trimmed.endsWith("}")) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}
