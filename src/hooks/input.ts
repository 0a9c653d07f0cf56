import { z } from "../runtime/zod.ts";

/**
 * What Claude Code sends a hook on stdin. zod/mini keeps the hook's start-up
 * small; unknown fields (every event has its own) pass through.
 */
export const HookInputSchema = z.looseObject({
  session_id: z.string().check(z.minLength(1)),
  transcript_path: z.optional(z.string()),
  cwd: z.optional(z.string()),
  hook_event_name: z.optional(z.string()),
});

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
