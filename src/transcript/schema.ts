import { z } from "zod";

/**
 * zod schemas for the transcript lines we use. Every object is loose (extra
 * fields pass through untouched) because Claude Code adds fields in every
 * release; only the fields we read are checked.
 */

const Timestamp = z.string().transform((s, ctx) => {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: "custom", message: "invalid timestamp" });
    return z.NEVER;
  }
  return ms;
});

export const UsageSchema = z.looseObject({
  input_tokens: z.number().nonnegative().catch(0).default(0),
  output_tokens: z.number().nonnegative().catch(0).default(0),
  cache_creation_input_tokens: z.number().nonnegative().catch(0).default(0),
  cache_read_input_tokens: z.number().nonnegative().catch(0).default(0),
  cache_creation: z
    .looseObject({
      ephemeral_5m_input_tokens: z.number().nonnegative().optional(),
      ephemeral_1h_input_tokens: z.number().nonnegative().optional(),
    })
    .optional()
    .catch(undefined),
  speed: z.string().optional().catch(undefined),
});
export type Usage = z.infer<typeof UsageSchema>;

/** A content block: only `type` is required; the fold reads the rest per type. */
export const BlockSchema = z.looseObject({ type: z.string() });
export type Block = z.infer<typeof BlockSchema> & Record<string, unknown>;

const Content = z.union([z.string(), z.array(BlockSchema)]);

/** Fields shared by user and assistant lines. */
const conversationFields = {
  uuid: z.string().min(1),
  sessionId: z.string().optional(),
  timestamp: Timestamp,
  cwd: z.string().optional().catch(undefined),
  isSidechain: z.boolean().optional().catch(undefined),
  agentId: z.string().optional().catch(undefined),
};

export const UserLineSchema = z.looseObject({
  type: z.literal("user"),
  ...conversationFields,
  isMeta: z.boolean().optional().catch(undefined),
  message: z.looseObject({ content: Content }),
});
export type UserLine = z.infer<typeof UserLineSchema>;

export const AssistantLineSchema = z.looseObject({
  type: z.literal("assistant"),
  ...conversationFields,
  requestId: z.string().optional().catch(undefined),
  isApiErrorMessage: z.boolean().optional().catch(undefined),
  message: z.looseObject({
    id: z.string().optional(),
    model: z.string().optional().catch(undefined),
    content: Content.catch([]),
    usage: UsageSchema.optional().catch(undefined),
  }),
});
export type AssistantLine = z.infer<typeof AssistantLineSchema>;

export const SummaryLineSchema = z.looseObject({
  type: z.literal("summary"),
  summary: z.string(),
});
export type SummaryLine = z.infer<typeof SummaryLineSchema>;

/** Any other line that carries a timestamp (system, progress, attachment...): only its time and cwd matter. */
export const OtherLineSchema = z.looseObject({
  type: z.string(),
  timestamp: Timestamp.optional().catch(undefined),
  cwd: z.string().optional().catch(undefined),
});

export type Entry =
  | ({ kind: "user" } & UserLine)
  | ({ kind: "assistant" } & AssistantLine)
  | ({ kind: "summary" } & SummaryLine)
  | { kind: "other"; type: string; timestamp?: number; cwd?: string };

/** Line types that carry nothing we sync; skipped before validation. */
const IGNORED_TYPES = new Set(["file-history-snapshot", "queue-operation"]);

/**
 * Validates one parsed JSON line. Returns null when the line is not an object
 * with a `type`, or when a user/assistant/summary line lacks a field we need:
 * the caller counts those as bad lines.
 */
export function toEntry(value: unknown): Entry | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") return null;
  switch (type) {
    case "user": {
      const r = UserLineSchema.safeParse(value);
      return r.success ? { kind: "user", ...r.data } : null;
    }
    case "assistant": {
      const r = AssistantLineSchema.safeParse(value);
      return r.success ? { kind: "assistant", ...r.data } : null;
    }
    case "summary": {
      const r = SummaryLineSchema.safeParse(value);
      return r.success ? { kind: "summary", ...r.data } : null;
    }
    default: {
      if (IGNORED_TYPES.has(type)) return { kind: "other", type };
      const r = OtherLineSchema.safeParse(value);
      return r.success ? { kind: "other", type, timestamp: r.data.timestamp, cwd: r.data.cwd } : null;
    }
  }
}
