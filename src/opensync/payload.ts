import { z } from "zod";

/**
 * What we send to OpenSync, as the server really accepts it
 * (../shared/opensync-contract.md). Optional fields are omitted, never null.
 */
export const PartSchema = z.strictObject({
  type: z.string(),
  content: z.unknown(),
});
export type Part = z.infer<typeof PartSchema>;

export const RoleSchema = z.enum(["user", "assistant", "system", "tool", "unknown"]);
export type Role = z.infer<typeof RoleSchema>;

/** Fields accepted by both POST /sync/session and a /sync/batch session item. */
const sessionFields = {
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
};

/** Fields accepted by both POST /sync/message and a /sync/batch message item. */
const messageFields = {
  sessionExternalId: z.string().min(1),
  externalId: z.string().min(1),
  role: RoleSchema,
  textContent: z.string().optional(),
  model: z.string().optional(),
  promptTokens: z.number().optional(),
  completionTokens: z.number().optional(),
  durationMs: z.number().optional(),
  source: z.string().optional(),
  parts: z.array(PartSchema).optional(),
};

/** POST /sync/session body (single call: createdAt honoured on insert). */
export const SessionPayloadSchema = z.strictObject({ ...sessionFields, createdAt: z.number().int().optional() });
export type SessionPayload = z.infer<typeof SessionPayloadSchema>;

/** POST /sync/message body (single call: createdAt honoured on insert). */
export const MessagePayloadSchema = z.strictObject({ ...messageFields, createdAt: z.number().int().optional() });
export type MessagePayload = z.infer<typeof MessagePayloadSchema>;

/** /sync/batch items: strictly these keys, no createdAt. */
export const BatchSessionSchema = z.strictObject(sessionFields);
export const BatchMessageSchema = z.strictObject(messageFields);
export const BatchPayloadSchema = z.strictObject({
  sessions: z.array(BatchSessionSchema).optional(),
  messages: z.array(BatchMessageSchema).optional(),
});
export type BatchPayload = z.infer<typeof BatchPayloadSchema>;
