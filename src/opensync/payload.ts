import { z } from "zod";

/**
 * What we send to OpenSync, as the server really accepts it
 * (../shared/opensync-contract.md). Optional fields are omitted, never null.
 */
const PartSchema = z.strictObject({
  type: z.string(),
  content: z.unknown(),
});
export type Part = z.infer<typeof PartSchema>;

export const RoleSchema = z.enum(["user", "assistant", "system", "tool", "unknown"]);
export type Role = z.infer<typeof RoleSchema>;

/** POST /sync/session body; `createdAt` is honoured on insert only. */
export const SessionPayloadSchema = z.strictObject({
  externalId: z.string().min(1),
  title: z.string().optional(),
  projectPath: z.string().optional(),
  projectName: z.string().optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
  source: z.string().optional(),
  promptTokens: z.number().optional(),
  completionTokens: z.number().optional(),
  cost: z.number().optional(),
  durationMs: z.number().optional(),
  createdAt: z.number().int().optional(),
});
export type SessionPayload = z.infer<typeof SessionPayloadSchema>;

/**
 * POST /sync/message body; `createdAt` is honoured on insert only. `parts` is
 * required (an empty array when there are none): today's server deletes the
 * parts of a message re-sent without them, and the next keeps the old ones,
 * so only sending them every time gives the same result on both.
 */
export const MessagePayloadSchema = z.strictObject({
  sessionExternalId: z.string().min(1),
  externalId: z.string().min(1),
  role: RoleSchema,
  textContent: z.string().optional(),
  model: z.string().optional(),
  promptTokens: z.number().optional(),
  completionTokens: z.number().optional(),
  durationMs: z.number().optional(),
  source: z.string().optional(),
  parts: z.array(PartSchema),
  createdAt: z.number().int().optional(),
});
export type MessagePayload = z.infer<typeof MessagePayloadSchema>;
