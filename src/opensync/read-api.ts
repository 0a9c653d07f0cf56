import { z } from "../runtime/zod.ts";
import { RoleSchema, SessionPayloadSchema, storedMessageFields } from "./payload.ts";

/**
 * OpenSync's read API (convex/http.ts and convex/api.ts of its release of
 * 2026-10-03), for reconciliation: what the server holds, by its own ids.
 * Fields the server may add later are ignored, not refused.
 */

// Stored as sent.
const { title, projectPath, projectName, model, provider, source } = SessionPayloadSchema.shape;

/** One row of GET /api/sessions: newest `updatedAt` first. */
const ServerSessionSchema = z.object({
  /** The server's id, for getServerSession. */
  id: z.string(),
  externalId: z.string(),
  title,
  projectPath,
  projectName,
  model,
  provider,
  /** Not sent by today's server; read if a later one does. */
  source,
  promptTokens: z.number(),
  completionTokens: z.number(),
  totalTokens: z.optional(z.number()),
  cost: z.number(),
  durationMs: z.optional(z.number()),
  isPublic: z.optional(z.boolean()),
  messageCount: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ServerSession = z.infer<typeof ServerSessionSchema>;

export const ServerSessionListSchema = z.object({ sessions: z.array(ServerSessionSchema) });

/**
 * One message of GET /api/sessions/get, in the dashboard's order (createdAt, then insertion). Built
 * at its first parse (reconciliation, a session the server made anew): a sync with nothing new never reads one.
 */
const ServerMessageSchema = z.lazy(() => {
  const { textContent, promptTokens, completionTokens, durationMs } = storedMessageFields();
  return z.object({
    id: z.string(),
    externalId: z.string(),
    role: RoleSchema,
    textContent,
    model,
    promptTokens,
    completionTokens,
    durationMs,
    createdAt: z.number(),
    /** A stored part: any `type`, any `content`. */
    parts: z.array(z.object({ type: z.string(), content: z.unknown() })),
  });
});
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

export const ServerSessionDetailSchema = z.lazy(() => z.object({ session: ServerSessionSchema, messages: z.array(ServerMessageSchema) }));
export type ServerSessionDetail = z.infer<typeof ServerSessionDetailSchema>;

/**
 * Most sessions one GET /api/sessions asks for. The server sets no maximum,
 * but it reads whole session rows (each with up to 10,000 characters of search
 * text) and Convex stops a query after 16 MiB read: about 1,400 of them.
 */
export const MAX_LIST_LIMIT = 1000;

/** OpenSync's 404 text for an id that is not (or no longer) one of the user's sessions. */
export const SESSION_NOT_FOUND = "Session not found";
