import { z } from "zod";

/**
 * zod schemas for the transcript lines we use. Only the fields we read are
 * declared; other fields are tolerated and dropped (strip mode, which is also
 * twice as fast as keeping them: every line of every transcript goes through
 * here). A line whose declared fields have the wrong type is a bad line.
 */

/** ISO 8601; turned into epoch ms by toEntry (a zod transform cost a third of validation time). */
const Timestamp = z.string();

const Count = z.number().nonnegative();

export const UsageSchema = z.object({
  input_tokens: Count.default(0),
  output_tokens: Count.default(0),
  cache_creation_input_tokens: Count.default(0),
  cache_read_input_tokens: Count.default(0),
  cache_creation: z
    .object({ ephemeral_5m_input_tokens: Count.optional(), ephemeral_1h_input_tokens: Count.optional() })
    .optional(),
  speed: z.string().optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

/** A content block: only `type` is required; the fold checks the rest of each type where it reads it. */
export type Block = { type: string } & Record<string, unknown>;

const isBlock = (b: unknown): b is Block =>
  typeof b === "object" && b !== null && typeof (b as { type?: unknown }).type === "string";

/**
 * Message content: a string or a list of blocks, checked in place rather than
 * copied (content holds most of a transcript's bytes).
 */
const Content = z.custom<string | Block[]>((v) => typeof v === "string" || (Array.isArray(v) && v.every(isBlock)));

/** Fields shared by user and assistant lines. */
const conversationFields = {
  uuid: z.string().min(1),
  timestamp: Timestamp,
  cwd: z.string().optional(),
  isSidechain: z.boolean().optional(),
  agentId: z.string().optional(),
};

export const UserLineSchema = z.object({
  type: z.literal("user"),
  ...conversationFields,
  isMeta: z.boolean().optional(),
  message: z.object({ content: Content }),
});
/** A validated line, its timestamp in epoch ms. */
type Timed<T extends { timestamp?: string }> = Omit<T, "timestamp"> & (undefined extends T["timestamp"] ? { timestamp?: number } : { timestamp: number });

export type UserLine = Timed<z.infer<typeof UserLineSchema>>;

export const AssistantLineSchema = z.object({
  type: z.literal("assistant"),
  ...conversationFields,
  requestId: z.string().optional(),
  message: z.object({
    id: z.string().optional(),
    model: z.string().optional(),
    content: Content,
    usage: UsageSchema.optional(),
  }),
});
export type AssistantLine = Timed<z.infer<typeof AssistantLineSchema>>;

export const SummaryLineSchema = z.object({
  type: z.literal("summary"),
  summary: z.string(),
});
export type SummaryLine = z.infer<typeof SummaryLineSchema>;

/** Any other line (system, progress, attachment...): only its time and cwd matter. */
export const OtherLineSchema = z.object({
  type: z.string(),
  timestamp: Timestamp.optional(),
  cwd: z.string().optional(),
});

export type Entry =
  | ({ kind: "user" } & UserLine)
  | ({ kind: "assistant" } & AssistantLine)
  | ({ kind: "summary" } & SummaryLine)
  | { kind: "other"; type: string; timestamp?: number; cwd?: string };

/**
 * Marks zod's fresh output object with its kind and turns its timestamp into
 * epoch ms, in place (no copy on the hot path). Null for an unreadable time.
 */
function tagged<K extends Entry["kind"], T extends { timestamp?: string }>(kind: K, data: T): (Timed<T> & { kind: K }) | null {
  const out = data as unknown as Timed<T> & { kind: K };
  if (data.timestamp !== undefined) {
    const ms = Date.parse(data.timestamp);
    if (Number.isNaN(ms)) return null;
    (out as { timestamp?: number }).timestamp = ms;
  }
  out.kind = kind;
  return out;
}

/**
 * Validates one parsed JSON line. Returns null when the line is not an object
 * with a `type`, or when a field we read has the wrong shape: the caller
 * counts those as bad lines.
 */
export function toEntry(value: unknown): Entry | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const type = (value as { type?: unknown }).type;
  switch (type) {
    case "user": {
      const r = UserLineSchema.safeParse(value);
      return r.success ? tagged("user", r.data) : null;
    }
    case "assistant": {
      const r = AssistantLineSchema.safeParse(value);
      return r.success ? tagged("assistant", r.data) : null;
    }
    case "summary": {
      const r = SummaryLineSchema.safeParse(value);
      return r.success ? ({ ...r.data, kind: "summary" } as const) : null;
    }
    default: {
      const r = OtherLineSchema.safeParse(value);
      return r.success ? tagged("other", r.data) : null;
    }
  }
}
