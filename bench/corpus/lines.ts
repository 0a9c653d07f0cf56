import type { Rng } from "./prng.ts";
import type { TextPools } from "./text.ts";

/**
 * Builders for single transcript lines. Key order follows real Claude Code
 * files of each era (1.0.x, 2.0.x, 2.1.x), because some readers (and our own
 * fast paths) look at raw bytes before parsing.
 */

export type Era = "1.0" | "2.0" | "2.1";

/** The running state of one transcript being written. */
export interface Ctx {
  rng: Rng;
  pools: TextPools;
  era: Era;
  version: string;
  /** Patch number of `version`, for features that appeared mid-era. */
  patch: number;
  cwd: string;
  sessionId: string;
  gitBranch: string | null;
  /** 2.1.x session slug; set after the first response. */
  slug: string | null;
  /** Set on subagent lines (2.0.x flat files and 2.1.x subagents/ files). */
  agentId: string | null;
  sidechain: boolean;
  parentUuid: string | null;
  /** Current time, epoch milliseconds; moves forward as lines are written. */
  clock: number;
  model: string;
  /** Whether this session's cache writes are 1-hour ones (2.1.x) rather than 5-minute ones. */
  oneHourCache: boolean;
}

export interface Usage {
  input: number;
  cacheCreation: number;
  cacheRead: number;
  output: number;
}

export function tick(ctx: Ctx, minMs: number, maxMs: number): string {
  ctx.clock += ctx.rng.int(minMs, maxMs);
  return new Date(ctx.clock).toISOString();
}

/** The fields every conversation line starts with. */
function envelope(ctx: Ctx): Record<string, unknown> {
  const o: Record<string, unknown> = {
    parentUuid: ctx.parentUuid,
    isSidechain: ctx.sidechain,
    userType: "external",
    cwd: ctx.cwd,
    sessionId: ctx.sessionId,
    version: ctx.version,
  };
  if (ctx.gitBranch !== null) o.gitBranch = ctx.gitBranch;
  if (ctx.agentId !== null) o.agentId = ctx.agentId;
  if (ctx.slug !== null) o.slug = ctx.slug;
  return o;
}

function finish(ctx: Ctx, o: Record<string, unknown>, uuid: string): string {
  ctx.parentUuid = uuid;
  return JSON.stringify(o);
}

export interface UserExtras {
  /** Known in advance when a file-history-snapshot line refers to this prompt. */
  uuid?: string;
  isMeta?: boolean;
  /** Adds thinkingMetadata / todos / permissionMode the way each era does on typed prompts. */
  typed?: boolean;
}

export function userLine(ctx: Ctx, content: unknown, extras: UserExtras = {}): string {
  const uuid = extras.uuid ?? ctx.rng.uuid();
  const o = envelope(ctx);
  o.type = "user";
  o.message = { role: "user", content };
  if (extras.isMeta) o.isMeta = true;
  o.uuid = uuid;
  o.timestamp = tick(ctx, 2_000, 90_000);
  if (extras.typed && ctx.era === "1.0" && ctx.patch >= 100) {
    o.thinkingMetadata = { level: "high", disabled: false, triggers: [] };
  }
  if (extras.typed && ctx.era === "2.1") {
    o.thinkingMetadata = { maxThinkingTokens: 31999 };
    o.todos = [];
    o.permissionMode = "default";
  }
  return finish(ctx, o, uuid);
}

export function toolResultLine(
  ctx: Ctx,
  toolUseId: string,
  content: unknown,
  isError: boolean,
  toolUseResult: unknown,
  assistantUuid: string,
): string {
  const uuid = ctx.rng.uuid();
  const o = envelope(ctx);
  o.type = "user";
  const block: Record<string, unknown> = { tool_use_id: toolUseId, type: "tool_result", content };
  if (isError || ctx.era !== "1.0") block.is_error = isError;
  o.message = { role: "user", content: [block] };
  o.uuid = uuid;
  o.timestamp = tick(ctx, 30, 20_000);
  o.toolUseResult = toolUseResult;
  if (ctx.era === "2.1") o.sourceToolAssistantUUID = assistantUuid;
  return finish(ctx, o, uuid);
}

export function usageObject(ctx: Ctx, u: Usage): Record<string, unknown> {
  const o: Record<string, unknown> = {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheCreation,
    cache_read_input_tokens: u.cacheRead,
  };
  // Early 1.0.x wrote no 5m/1h split; 2.1.x often writes 1-hour cache writes.
  if (!(ctx.era === "1.0" && ctx.patch < 60)) {
    o.cache_creation = {
      ephemeral_5m_input_tokens: ctx.oneHourCache ? 0 : u.cacheCreation,
      ephemeral_1h_input_tokens: ctx.oneHourCache ? u.cacheCreation : 0,
    };
  }
  o.output_tokens = u.output;
  o.service_tier = "standard";
  if (ctx.era === "2.1" && ctx.patch >= 30) o.inference_geo = "not_available";
  return o;
}

export interface AssistantPart {
  model: string;
  messageId: string;
  requestId: string | null;
  block: unknown;
  stopReason: string | null;
  usage: Record<string, unknown>;
}

/** One line of an API response: one content block, the response's full usage. */
export function assistantLine(ctx: Ctx, p: AssistantPart): { line: string; uuid: string } {
  const uuid = ctx.rng.uuid();
  const o = envelope(ctx);
  const base = { type: "message", role: "assistant" };
  o.message =
    ctx.era === "1.0"
      ? { id: p.messageId, ...base, model: p.model, content: [p.block], stop_reason: p.stopReason, stop_sequence: null, usage: p.usage }
      : { model: p.model, id: p.messageId, ...base, content: [p.block], stop_reason: p.stopReason, stop_sequence: null, usage: p.usage };
  if (p.requestId !== null) o.requestId = p.requestId;
  o.type = "assistant";
  o.uuid = uuid;
  o.timestamp = tick(ctx, 200, 15_000);
  return { line: finish(ctx, o, uuid), uuid };
}

/** A locally made `<synthetic>` message: an API error, or "No response requested." */
export function syntheticLine(ctx: Ctx, text: string, isApiError: boolean): string {
  const uuid = ctx.rng.uuid();
  const o = envelope(ctx);
  o.type = "assistant";
  o.uuid = uuid;
  o.timestamp = tick(ctx, 500, 60_000);
  o.message = {
    id: ctx.rng.uuid(),
    model: "<synthetic>",
    role: "assistant",
    stop_reason: "stop_sequence",
    stop_sequence: "",
    type: "message",
    usage: {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      server_tool_use: { web_search_requests: 0 },
      service_tier: null,
    },
    content: [{ type: "text", text }],
  };
  if (isApiError) o.isApiErrorMessage = true;
  return finish(ctx, o, uuid);
}

/** 1.0.x hook output written as a system line. */
export function systemHookLine(ctx: Ctx, content: string, toolUseId: string): string {
  const uuid = ctx.rng.uuid();
  const o = envelope(ctx);
  o.type = "system";
  o.content = content;
  o.isMeta = false;
  o.timestamp = tick(ctx, 5, 800);
  o.uuid = uuid;
  o.toolUseID = toolUseId;
  o.level = "info";
  return finish(ctx, o, uuid);
}

/** 2.1.x summary of the Stop hooks that ran. */
export function stopHookSummaryLine(ctx: Ctx, command: string, toolUseId: string): string {
  const uuid = ctx.rng.uuid();
  const o = envelope(ctx);
  o.type = "system";
  o.subtype = "stop_hook_summary";
  o.hookCount = 1;
  o.hookInfos = [{ command }];
  o.hookErrors = [];
  o.preventedContinuation = false;
  o.stopReason = "";
  o.hasOutput = true;
  o.level = "suggestion";
  o.timestamp = tick(ctx, 50, 400);
  o.uuid = uuid;
  o.toolUseID = toolUseId;
  return finish(ctx, o, uuid);
}

export function progressLine(ctx: Ctx, data: unknown, parentToolUseId: string, toolUseId: string): string {
  const uuid = ctx.rng.uuid();
  const o = envelope(ctx);
  o.type = "progress";
  o.data = data;
  o.parentToolUseID = parentToolUseId;
  o.toolUseID = toolUseId;
  o.timestamp = tick(ctx, 5, 3_000);
  o.uuid = uuid;
  // Progress lines do not move the conversation's parent chain forward.
  return JSON.stringify(o);
}

export function snapshotLine(ctx: Ctx, messageId: string, files: string[], isUpdate: boolean): string {
  const time = new Date(ctx.clock).toISOString();
  const backups: Record<string, unknown> = {};
  for (const f of files) {
    backups[f] = { backupFileName: `${ctx.rng.hex(16)}@v${ctx.rng.int(1, 9)}`, version: ctx.rng.int(1, 9), backupTime: time };
  }
  return JSON.stringify({
    type: "file-history-snapshot",
    messageId,
    snapshot: { messageId, trackedFileBackups: backups, timestamp: time },
    isSnapshotUpdate: isUpdate,
  });
}

export function queueLine(ctx: Ctx, operation: "enqueue" | "dequeue" | "remove", content?: string): string {
  const o: Record<string, unknown> = { type: "queue-operation", operation, timestamp: tick(ctx, 10, 5_000) };
  if (content !== undefined) o.content = content;
  o.sessionId = ctx.sessionId;
  return JSON.stringify(o);
}

export function summaryLine(summary: string, leafUuid: string): string {
  return JSON.stringify({ type: "summary", summary, leafUuid });
}

/** A 2.1.x metadata line of a kind readers do not know: they must skip it. */
export function customTitleLine(ctx: Ctx, customTitle: string): string {
  return JSON.stringify({ type: "custom-title", customTitle, sessionId: ctx.sessionId });
}
