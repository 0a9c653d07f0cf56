import { compiledAfter, z } from "../runtime/zod.ts";
import { referenceCounts } from "./reference-count.ts";

/**
 * zod schemas for the transcript lines we use. Only the fields we read are
 * declared; other fields are tolerated and dropped (strip mode, which is also
 * twice as fast as keeping them: every line of every transcript goes through
 * here). A line whose declared fields have the wrong type is a bad line,
 * except fields that only decorate a line (origin, stop reason, the pricing
 * extras of usage): an odd one there falls back to "absent" rather than
 * losing the line and its tokens.
 */

/** ISO 8601; turned into epoch ms by toEntry (a zod transform cost a third of validation time). */
const Timestamp = z.string();

const Count = z.number().check(z.nonnegative());

/**
 * A field whose null, or value of another type, reads as absent: writers (gateways, Bedrock, older and
 * newer Claude Code) write null for what they do not have, and a line refused for a field that only
 * names or places it loses its text and tokens.
 */
const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.optional(schema), undefined);

/**
 * The token counts an API response and each of its iterations carry; absent or null is 0 (tokensOf).
 * The API allows null cache counts, and Bedrock's message_start sends them: Claude Code copies that
 * usage onto a response's first lines, which were unreadable (text and tokens lost) while null was refused.
 */
const tokenFields = {
  input_tokens: z.nullish(Count),
  output_tokens: z.nullish(Count),
  cache_creation_input_tokens: z.nullish(Count),
  cache_read_input_tokens: z.nullish(Count),
  cache_creation: z.nullish(z.object({ ephemeral_5m_input_tokens: z.nullish(Count), ephemeral_1h_input_tokens: z.nullish(Count) })),
};

/**
 * One step of a response that several inferences served (2.1.x): `type`
 * `message` (the response's own model), `advisor_message`, `fallback_message`
 * (each with its `model`), `compaction`. Seen in Claude Code 2.1.150 to 2.1.251
 * transcripts and the API's usage objects.
 */
const IterationSchema = z.object({
  type: z.optional(z.string()),
  model: z.nullish(z.string()),
  ...tokenFields,
});
export type Iteration = z.infer<typeof IterationSchema>;

export const UsageSchema = z.object({
  ...tokenFields,
  /** `standard` or `fast`. */
  speed: z.catch(z.nullish(z.string()), undefined),
  /** `us` (US-only inference, billed 1.1x), `global`, `not_available`, or empty. */
  inference_geo: z.catch(z.nullish(z.string()), undefined),
  service_tier: z.catch(z.nullish(z.string()), undefined),
  iterations: z.catch(z.nullish(z.array(IterationSchema)), undefined),
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
export type Content = string | Block[];

/**
 * Who wrote a user line (2.1.x): `human`, or the harness (`task-notification`,
 * `peer`, `hook`, `auto-continuation`...). One of an unknown shape counts as
 * not human: a harness message must never pass for the user's words.
 */
const Origin = z.catch(z.optional(z.object({ kind: z.string(), name: z.optional(z.string()) })), { kind: "unknown" });
export type Origin = NonNullable<z.infer<typeof Origin>>;

/** Fields shared by user and assistant lines. An unreadable time only places the line: the fold puts it after the line before. */
const conversationFields = {
  uuid: z.string().check(z.minLength(1)),
  timestamp: lenient(Timestamp),
  cwd: lenient(z.string()),
  isSidechain: lenient(z.boolean()),
  agentId: lenient(z.string()),
};

const UserLineSchema = z.object({
  type: z.literal("user"),
  ...conversationFields,
  isMeta: lenient(z.boolean()),
  isCompactSummary: lenient(z.boolean()),
  origin: Origin,
  /** `typed`, `queued` (typed while Claude worked), `system`, `sdk`. */
  promptSource: lenient(z.string()),
  message: z.object({ content: Content }),
});
/** A validated line, its timestamp in epoch ms. */
type Timed<T extends { timestamp?: string }> = Omit<T, "timestamp"> & (undefined extends T["timestamp"] ? { timestamp?: number } : { timestamp: number });

export type UserLine = Timed<z.infer<typeof UserLineSchema>>;

const AssistantLineSchema = z.object({
  type: z.literal("assistant"),
  ...conversationFields,
  requestId: lenient(z.string()),
  /** The session that wrote the line: a resumed session's file copies its original's lines with the original's id. */
  sessionId: lenient(z.string()),
  /** On a forked session's copy of its parent's history: the response is the parent's (or its own parent's: fork-origins.ts). */
  forkedFrom: lenient(z.object({ sessionId: lenient(z.string()), messageUuid: lenient(z.string()) })),
  message: z.object({
    id: lenient(z.string()),
    model: lenient(z.string()),
    content: Content,
    /** Set once the API response is whole (on every line of it since about 2.1.100; on some last lines before). */
    stop_reason: z.catch(z.nullish(z.string()), undefined),
    /** Null on some gateways' lines: no usage, the text kept. A garbled count still makes the line bad (counts are never guessed). */
    usage: z.nullish(UsageSchema),
  }),
});
/** `uncounted`: ccusage skips the line, so its usage is not counted (reference-count.ts). */
export type AssistantLine = Timed<z.infer<typeof AssistantLineSchema>> & { uncounted?: true };

const SummaryLineSchema = z.object({
  type: z.literal("summary"),
  summary: z.string(),
});
type SummaryLine = z.infer<typeof SummaryLineSchema>;

/** Fields of lines that are neither prompts nor responses but may become a message. */
const noticeFields = {
  uuid: lenient(z.string().check(z.minLength(1))),
  timestamp: lenient(Timestamp),
  cwd: lenient(z.string()),
  isSidechain: lenient(z.boolean()),
  agentId: lenient(z.string()),
};

/** `system` lines: `subtype` says what they are (turn_duration, compact_boundary, local_command...). */
const SystemLineSchema = z.object({
  type: z.literal("system"),
  ...noticeFields,
  subtype: lenient(z.string()),
  isMeta: lenient(z.boolean()),
  content: lenient(z.string()),
  compactMetadata: lenient(z.object({ trigger: z.optional(z.string()), preTokens: z.optional(Count) })),
});
export type SystemLine = Timed<z.infer<typeof SystemLineSchema>>;

/**
 * `attachment` lines: context Claude Code adds to a turn. Only a queued
 * command (a prompt typed while Claude worked, 2.1.x) is read; the others
 * (tool lists, skill listings, hook results) are stripped unread.
 */
const AttachmentLineSchema = z.object({
  type: z.literal("attachment"),
  ...noticeFields,
  attachment: z.catch(
    z.object({
      type: z.string(),
      prompt: lenient(Content),
      /** `prompt`, `task-notification`... */
      commandMode: lenient(z.string()),
      origin: Origin,
      timestamp: lenient(Timestamp),
    }),
    { type: "" },
  ),
});
export type AttachmentLine = Timed<z.infer<typeof AttachmentLineSchema>>;

/** `custom-title` (set by the user: `customTitle`) and `ai-title` (`aiTitle`); no timestamp. */
const CustomTitleSchema = z.object({ type: z.literal("custom-title"), customTitle: z.string() });
const AiTitleSchema = z.object({ type: z.literal("ai-title"), aiTitle: z.string() });

/**
 * A line of any other type that carries a response's usage where an assistant line does
 * (`message.usage`), or an assistant line without a uuid or content: ccusage counts every such
 * line whatever its type and fields, so a type Claude Code adds for responses, or a line written
 * short, loses no tokens. Its tokens are counted; nothing of it is shown.
 */
const UsageLineSchema = z.object({
  type: z.string(),
  timestamp: Timestamp,
  cwd: lenient(z.string()),
  uuid: lenient(z.string()),
  isSidechain: lenient(z.boolean()),
  agentId: lenient(z.string()),
  requestId: lenient(z.string()),
  message: z.object({ id: lenient(z.string()), model: lenient(z.string()), usage: UsageSchema }),
});
export type UsageLine = Timed<z.infer<typeof UsageLineSchema>>;

/** Whether an assistant line lacks its uuid or its content (absent or null, not of another type). */
function writtenShort(value: object): boolean {
  const line = value as { uuid?: unknown; message?: { content?: unknown } };
  return line.uuid == null || (typeof line.message === "object" && line.message !== null && line.message.content == null);
}

/** The line read for its usage alone (see UsageLineSchema), or null when it carries none, or none ccusage counts. */
function usageEntry(value: object, schemas: LineSchemas): Entry | null {
  const message = (value as { message?: unknown }).message;
  if (typeof message !== "object" || message === null || typeof (message as { usage?: unknown }).usage !== "object") return null;
  if (!referenceCounts(value)) return null;
  const r = schemas.usage.safeParse(value);
  return r.success ? tagged("usage", r.data) : null;
}

/** Any other line (progress, permission-mode...): only its time and cwd matter, and a fork-context-ref's agent. */
const OtherLineSchema = z.object({
  type: z.string(),
  timestamp: lenient(Timestamp),
  cwd: lenient(z.string()),
  agentId: lenient(z.string()),
});

export type Entry =
  | ({ kind: "user" } & UserLine)
  | ({ kind: "assistant" } & AssistantLine)
  | ({ kind: "summary" } & SummaryLine)
  | ({ kind: "system" } & SystemLine)
  | ({ kind: "attachment" } & AttachmentLine)
  | ({ kind: "usage" } & UsageLine)
  | { kind: "title"; custom: boolean; title: string }
  | { kind: "other"; type: string; timestamp?: number; cwd?: string; agentId?: string };

/**
 * Marks zod's fresh output object with its kind and turns its timestamp into
 * epoch ms, in place (no copy on the hot path). Null for an unreadable time
 * where the line type needs one (a line read for its usage alone).
 */
function tagged<K extends Entry["kind"], T extends { timestamp?: string }>(kind: K, data: T): (Timed<T> & { kind: K }) | null {
  const out = data as unknown as Timed<T> & { kind: K };
  if (data.timestamp !== undefined) {
    const ms = Date.parse(data.timestamp);
    if (Number.isNaN(ms) && kind === "usage") return null;
    if (Number.isNaN(ms)) delete (out as { timestamp?: unknown }).timestamp;
    else (out as { timestamp?: number }).timestamp = ms;
  }
  out.kind = kind;
  return out;
}

/** The schema of each line type we read; `other` for every other type. */
const LINE_SCHEMAS = {
  user: UserLineSchema,
  assistant: AssistantLineSchema,
  system: SystemLineSchema,
  attachment: AttachmentLineSchema,
  summary: SummaryLineSchema,
  "custom-title": CustomTitleSchema,
  "ai-title": AiTitleSchema,
  usage: UsageLineSchema,
  other: OtherLineSchema,
};
type LineSchemas = typeof LINE_SCHEMAS;

/** Line types validated whole, kept with their kind and their timestamp in epoch ms. */
const TIMED = ["user", "assistant", "system", "attachment"] as const;
const isTimed = (type: unknown): type is (typeof TIMED)[number] => (TIMED as readonly unknown[]).includes(type);

/**
 * Validates parsed JSON lines with the given schemas. Returns null when the
 * line is not an object with a `type`, or when a field we read has the wrong
 * shape: the caller counts those as bad lines.
 */
export function entryReader(schemas: LineSchemas): (value: unknown) => Entry | null {
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    const type = (value as { type?: unknown }).type;
    if (isTimed(type)) {
      const r = schemas[type].safeParse(value);
      if (r.success) {
        const entry = tagged(type, r.data) as Entry;
        if (entry.kind === "assistant" && !referenceCounts(value)) entry.uncounted = true;
        return entry;
      }
      // An assistant line written without what a message is made of (its uuid, its content: null on some
      // writers' lines, which ccusage counts) still carries its response's usage. One with a field of the wrong
      // type stays a bad line.
      return type === "assistant" && writtenShort(value) ? usageEntry(value, schemas) : null;
    }
    switch (type) {
      case "summary": {
        const r = schemas.summary.safeParse(value);
        return r.success ? ({ ...r.data, kind: "summary" } as const) : null;
      }
      case "custom-title": {
        const r = schemas["custom-title"].safeParse(value);
        return r.success ? { kind: "title", custom: true, title: r.data.customTitle } : null;
      }
      case "ai-title": {
        const r = schemas["ai-title"].safeParse(value);
        return r.success ? { kind: "title", custom: false, title: r.data.aiTitle } : null;
      }
      default: {
        const usage = usageEntry(value, schemas);
        if (usage) return usage;
        const r = schemas.other.safeParse(value);
        return r.success ? tagged("other", r.data) : null;
      }
    }
  };
}

/** The schemas as zod interprets them: what the compiled ones are checked against (test/transcript-schema.test.ts). */
export const interpretedEntry = entryReader(LINE_SCHEMAS);

/**
 * Lines of one type zod's interpreter validates before that type's parser is generated (z.compile: about
 * 25 ms for all of them, 6-12 ms for a user's or an assistant's line; then about five times faster than
 * the interpreter, same results). A hook's pass reads a few dozen lines, fewer than generating repays; a
 * large read generates each type's parser early on.
 */
const GENERATE_AFTER = 100;

/** The schemas, each generated at its `after`+1-th use (0: at its first); a rejected line goes through the interpreter, which gives the verdict. */
function generatedAfter(after: number): LineSchemas {
  const out: Partial<Record<keyof LineSchemas, unknown>> = {};
  for (const type of Object.keys(LINE_SCHEMAS) as Array<keyof LineSchemas>) {
    Object.defineProperty(out, type, { get: compiledAfter(LINE_SCHEMAS[type], after) });
  }
  return out as LineSchemas;
}

/** A reader whose parsers are generated after `after` lines of their type (test/transcript-schema.test.ts checks them with 0). */
export const generatedEntry = (after: number) => entryReader(generatedAfter(after));

/** Every line of every transcript is validated here. */
export const toEntry = generatedEntry(GENERATE_AFTER);
