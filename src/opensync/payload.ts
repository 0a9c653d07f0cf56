import { z } from "../runtime/zod.ts";

/**
 * What we send to OpenSync, as the server really accepts it
 * (../shared/opensync-contract.md). Optional fields are omitted, never null.
 */
const PartSchema = z.lazy(() =>
  z.strictObject({
    type: z.string(),
    content: z.unknown(),
  }),
);
export type Part = z.infer<typeof PartSchema>;

/** A message's fields the server stores as sent: read back (read-api.ts) with the schemas they were sent with. */
export const storedMessageFields = () => ({
  textContent: z.optional(z.string()),
  promptTokens: z.optional(z.number()),
  completionTokens: z.optional(z.number()),
  durationMs: z.optional(z.number()),
});

export const RoleSchema = z.enum(["user", "assistant", "system", "tool", "unknown"]);
export type Role = z.infer<typeof RoleSchema>;

/** POST /sync/session body; `createdAt` is honoured on insert only. */
export const SessionPayloadSchema = z.strictObject({
  externalId: z.string().check(z.minLength(1)),
  title: z.optional(z.string()),
  projectPath: z.optional(z.string()),
  projectName: z.optional(z.string()),
  model: z.optional(z.string()),
  provider: z.optional(z.string()),
  source: z.optional(z.string()),
  promptTokens: z.optional(z.number()),
  completionTokens: z.optional(z.number()),
  cost: z.optional(z.number()),
  durationMs: z.optional(z.number()),
  createdAt: z.optional(z.int()),
});
export type SessionPayload = z.infer<typeof SessionPayloadSchema>;

/**
 * POST /sync/message body; `createdAt` is honoured on insert only. `parts` is
 * required (an empty array when there are none): today's server deletes the
 * parts of a message re-sent without them, and the next keeps the old ones,
 * so only sending them every time gives the same result on both. Built at
 * its first use (z.lazy), with its parts': a sync with no message to send never builds them.
 */
export const MessagePayloadSchema = z.lazy(() => {
  const { textContent, promptTokens, completionTokens, durationMs } = storedMessageFields();
  return z.strictObject({
    sessionExternalId: z.string().check(z.minLength(1)),
    externalId: z.string().check(z.minLength(1)),
    role: RoleSchema,
    textContent,
    model: z.optional(z.string()),
    promptTokens,
    completionTokens,
    durationMs,
    source: z.optional(z.string()),
    parts: z.array(PartSchema),
    createdAt: z.optional(z.int()),
  });
});
export type MessagePayload = z.infer<typeof MessagePayloadSchema>;
