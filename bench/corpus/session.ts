import {
  assistantLine,
  type Ctx,
  customTitleLine,
  type Era,
  progressLine,
  queueLine,
  snapshotLine,
  stopHookSummaryLine,
  summaryLine,
  syntheticLine,
  systemHookLine,
  toolResultLine,
  usageObject,
  userLine,
} from "./lines.ts";
import { Rng } from "./prng.ts";
import { base64, code, prose, type TextPools, title } from "./text.ts";
import { makeToolCall, taskCall, TOOL_WEIGHTS, type ToolCall } from "./tools.ts";

/** Where lines go; `bytes` counts what was pushed so far (UTF-8, newlines included). */
export interface Sink {
  readonly bytes: number;
  push(line: string): void;
}

export type Shape = "conversation" | "empty" | "summary-only" | "snapshot-only";

export interface SessionSpec {
  seed: number;
  /** PRNG stream of this file: files are independent of generation order. */
  stream: number;
  era: Era;
  version: string;
  cwd: string;
  sessionId: string;
  gitBranch: string | null;
  model: string;
  /** Set when this file is a subagent transcript (its lines carry the parent's sessionId). */
  agentId: string | null;
  /** Include each rare line kind (API error, Task call, local command) at least once, so tiny corpora have them too. */
  showcase: boolean;
  startMs: number;
  targetBytes: number;
  shape: Shape;
  /** Subagents of this session that have their own files; its Task calls point at them. */
  agentIds: string[];
  /** Lines copied from the session this one resumes, already carrying this session's id. */
  resumed: string[] | null;
}

/** Models a session of each era may switch to (`/model`). */
export const ERA_MODELS: Record<Era, readonly string[]> = {
  "1.0": ["claude-sonnet-4-20250514", "claude-sonnet-4-20250514", "claude-opus-4-1-20250805"],
  "2.0": ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"],
  "2.1": ["claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"],
};

const CONTEXT_LIMIT = 170_000;

/** Rough token count of some text, the way usage grows with what was read. */
const tokens = (chars: number) => Math.ceil(chars / 3.6);

class SessionWriter {
  private readonly ctx: Ctx;
  /** Tokens already in the prompt cache (read back on the next call). */
  private context: number;
  /** Tokens added since the last call (written to the cache on the next call). */
  private pending: number;
  private readonly agentIds: string[];
  /** Rare features this session still owes (see SessionSpec.showcase). */
  private readonly owed: Set<"api-error" | "task" | "command">;

  constructor(
    private readonly spec: SessionSpec,
    pools: TextPools,
    private readonly sink: Sink,
  ) {
    const rng = new Rng(spec.seed, spec.stream);
    this.ctx = {
      rng,
      pools,
      era: spec.era,
      version: spec.version,
      patch: Number(spec.version.split(".")[2]),
      cwd: spec.cwd,
      sessionId: spec.sessionId,
      gitBranch: spec.gitBranch,
      slug: null,
      agentId: spec.agentId,
      sidechain: spec.agentId !== null,
      parentUuid: null,
      clock: spec.startMs,
      model: spec.model,
      oneHourCache: spec.era === "2.1" && rng.chance(0.5),
    };
    this.context = rng.int(9_000, 26_000);
    this.pending = 0;
    this.agentIds = [...spec.agentIds];
    this.owed = new Set(spec.showcase ? ["api-error", "task", "command"] : []);
  }

  write(): void {
    const { ctx, spec, sink } = this;
    const { rng } = ctx;
    switch (spec.shape) {
      case "empty":
        return;
      case "summary-only":
        for (let i = rng.int(1, 4); i > 0; i--) sink.push(summaryLine(title(rng), rng.uuid()));
        return;
      case "snapshot-only":
        for (let i = rng.int(1, 3); i > 0; i--) sink.push(snapshotLine(ctx, rng.uuid(), this.trackedFiles(), false));
        return;
      case "conversation":
        break;
    }
    if (spec.agentId !== null) return this.writeAgent();
    if (spec.era !== "2.1" && rng.chance(0.3)) {
      for (let i = rng.int(1, 3); i > 0; i--) sink.push(summaryLine(title(rng), rng.uuid()));
    }
    if (spec.resumed) {
      for (const line of spec.resumed) sink.push(line);
      this.turn(); // a resumed session always adds something of its own
    }
    while (sink.bytes < spec.targetBytes) this.turn();
  }

  /** A subagent file: the Task prompt, then calls until the size is reached, then a final answer. */
  private writeAgent(): void {
    const { ctx, sink, spec } = this;
    sink.push(userLine(ctx, prose(ctx.pools, ctx.rng, ctx.rng.int(200, 1_500))));
    while (sink.bytes < spec.targetBytes) this.respond(false);
    this.respond(true);
  }

  private turn(): void {
    const { ctx, sink, spec } = this;
    const { rng, pools } = ctx;
    const promptUuid = rng.uuid();
    if (ctx.era !== "1.0") sink.push(snapshotLine(ctx, promptUuid, this.trackedFiles(), false));
    if (ctx.era !== "1.0" && rng.chance(0.06)) {
      sink.push(queueLine(ctx, "enqueue", prose(pools, rng, rng.int(20, 300))));
      sink.push(queueLine(ctx, rng.chance(0.8) ? "dequeue" : "remove"));
    }
    if (rng.chance(0.05) || this.owed.delete("command")) this.localCommand();
    if (ctx.era === "2.1" && rng.chance(0.02)) sink.push(customTitleLine(ctx, title(rng)));
    sink.push(userLine(ctx, this.promptContent(), { uuid: promptUuid, typed: true }));
    if (rng.chance(0.012) || this.owed.delete("api-error")) {
      sink.push(syntheticLine(ctx, rng.pick(API_ERRORS), true));
      return;
    }
    const calls = rng.weighted([
      [1, 25],
      [rng.int(2, 4), 40],
      [rng.int(5, 12), 30],
      [rng.int(13, 40), 5],
    ] as const);
    for (let i = 0; i < calls; i++) {
      const last = i === calls - 1;
      this.respond(last);
      if (!last && sink.bytes >= spec.targetBytes) {
        this.respond(true);
        break;
      }
    }
    if (ctx.era === "2.1" && rng.chance(0.5)) {
      const id = rng.uuid();
      const command = '"${CLAUDE_PLUGIN_ROOT}/scripts/notify.sh" idle';
      sink.push(progressLine(ctx, { type: "hook_progress", hookEvent: "Stop", hookName: "Stop", command }, id, id));
      sink.push(stopHookSummaryLine(ctx, command, id));
    }
  }

  /** `/model`, `/clear`...: the caveat line, the command wrapper, its output. */
  private localCommand(): void {
    const { ctx, sink } = this;
    const { rng } = ctx;
    const command = rng.pick(["model", "clear", "cost", "compact", "mcp"]);
    sink.push(userLine(ctx, CAVEAT, { isMeta: true }));
    sink.push(
      userLine(
        ctx,
        `<command-name>/${command}</command-name>\n            <command-message>${command}</command-message>\n            <command-args></command-args>`,
      ),
    );
    if (command === "model") ctx.model = rng.pick(ERA_MODELS[ctx.era]);
    const out = command === "model" ? `Set model to \u001b[1m${ctx.model}\u001b[22m` : "";
    sink.push(userLine(ctx, `<local-command-stdout>${out}</local-command-stdout>`));
    if (rng.chance(0.15)) sink.push(syntheticLine(ctx, "No response requested.", false));
  }

  private promptContent(): unknown {
    const { rng, pools } = this.ctx;
    const kind = rng.weighted([
      ["text", 83],
      ["blocks", 12],
      ["image", 2],
      ["paste", 3],
    ] as const);
    const text = prose(pools, rng, Math.min(4_000, rng.lognormal(220, 1)));
    switch (kind) {
      case "text":
        return text;
      case "blocks":
        return [{ type: "text", text }];
      case "image":
        return [
          { type: "image", source: { type: "base64", media_type: "image/png", data: base64(pools, rng, Math.min(1_500_000, rng.lognormal(150_000, 0.8))) } },
          { type: "text", text },
        ];
      case "paste":
        return `${text}\n\n${code(pools, rng, rng.int(5_000, 60_000)).plain}`;
    }
  }

  /** One API response written as one line per content block, the usage repeated on each. */
  private respond(last: boolean): void {
    const { ctx, sink } = this;
    const { rng, pools } = ctx;
    const blocks: Record<string, unknown>[] = [];
    let outputChars = 0;
    if (rng.chance(ctx.era === "1.0" ? 0.12 : 0.4)) {
      const thinking = prose(pools, rng, Math.min(30_000, rng.lognormal(500, 1)));
      outputChars += thinking.length;
      blocks.push({ type: "thinking", thinking, signature: base64(pools, rng, rng.int(200, 1_600)) });
    }
    if (last || rng.chance(0.5)) {
      const text = prose(pools, rng, Math.min(20_000, rng.lognormal(300, 1.1)));
      outputChars += text.length;
      blocks.push({ type: "text", text });
    }
    const calls: ToolCall[] = [];
    if (!last) {
      for (let n = rng.chance(0.15) ? rng.int(2, 4) : 1; n > 0; n--) calls.push(this.toolCall());
    }
    for (const call of calls) {
      const block: Record<string, unknown> = { type: "tool_use", id: `toolu_01${rng.base62(22)}`, name: call.name, input: call.input };
      if (ctx.era === "2.1" && ctx.patch >= 30) block.caller = { type: "direct" };
      outputChars += JSON.stringify(call.input).length;
      blocks.push(block);
    }

    const usage = {
      input: rng.int(1, 8),
      cacheCreation: this.pending + rng.int(0, 400),
      cacheRead: this.context,
      output: tokens(outputChars) + rng.int(1, 40),
    };
    this.context += usage.cacheCreation + usage.output;
    this.pending = 0;
    if (this.context > CONTEXT_LIMIT) this.context = rng.int(15_000, 35_000); // auto-compact
    const model = ctx.era !== "1.0" && !ctx.sidechain && rng.chance(0.04) ? "claude-haiku-4-5-20251001" : ctx.model;
    const messageId = `msg_01${rng.base62(22)}`;
    const requestId = `req_011C${rng.base62(20)}`;
    const full = usageObject(ctx, usage);
    const stopReason = calls.length ? "tool_use" : "end_turn";

    if (rng.chance(0.08)) {
      // A streaming partial copy written before the complete one: same ids, fewer output tokens.
      const partial = usageObject(ctx, { ...usage, output: rng.int(1, 12) });
      sink.push(assistantLine(ctx, { model, messageId, requestId, block: blocks[0], stopReason: null, usage: partial }).line);
    }
    const toolUseUuids = new Map<unknown, string>();
    blocks.forEach((block, i) => {
      const stop = ctx.era === "2.1" || i < blocks.length - 1 ? null : stopReason;
      const { line, uuid } = assistantLine(ctx, { model, messageId, requestId, block, stopReason: stop, usage: full });
      sink.push(line);
      toolUseUuids.set(block, uuid);
    });
    if (ctx.era === "2.1" && ctx.slug === null) ctx.slug = title(rng).toLowerCase().split(" ").slice(0, 3).join("-");

    calls.forEach((call, i) => {
      const block = blocks[blocks.length - calls.length + i] as Record<string, unknown>;
      this.toolResult(call, block.id as string, toolUseUuids.get(block) as string);
    });
  }

  private toolCall(): ToolCall {
    const { ctx } = this;
    const name = !ctx.sidechain && this.owed.delete("task") ? "Task" : ctx.rng.weighted(TOOL_WEIGHTS);
    if (name !== "Task") return makeToolCall(ctx, name);
    if (ctx.sidechain) return makeToolCall(ctx, "Read");
    return taskCall(ctx, ctx.era === "1.0" ? null : (this.agentIds.shift() ?? null));
  }

  private toolResult(call: ToolCall, toolUseId: string, assistantUuid: string): void {
    const { ctx, sink } = this;
    const { rng } = ctx;
    if (call.name === "Task" && ctx.era === "1.0") this.inlineSidechain(call);
    if (ctx.era === "1.0" && ctx.patch >= 50 && (call.name === "Edit" || call.name === "Write") && rng.chance(0.3)) {
      sink.push(systemHookLine(ctx, `Running \u001b[1mPostToolUse:${call.name}\u001b[22m...`, toolUseId));
      sink.push(systemHookLine(ctx, `\u001b[1mPostToolUse:${call.name}\u001b[22m [npm run lint] completed successfully`, toolUseId));
    }
    if (ctx.era === "2.1" && call.name === "Bash" && rng.chance(0.35)) this.bashProgress(call, toolUseId);
    if (ctx.era === "2.1" && rng.chance(0.5)) {
      const data = { type: "hook_progress", hookEvent: "PostToolUse", hookName: `PostToolUse:${call.name}`, command: "callback" };
      sink.push(progressLine(ctx, data, toolUseId, rng.uuid()));
    }
    sink.push(toolResultLine(ctx, toolUseId, call.result, call.isError, call.toolUseResult, assistantUuid));
    this.pending += tokens(typeof call.result === "string" ? call.result.length : 2_000);
    if (ctx.era !== "1.0" && !ctx.sidechain && (call.name === "Edit" || call.name === "Write") && rng.chance(0.3)) {
      sink.push(snapshotLine(ctx, rng.uuid(), this.trackedFiles(), true));
    }
  }

  /** 2.1.x streams long Bash output as progress lines, each carrying the output so far. */
  private bashProgress(call: ToolCall, toolUseId: string): void {
    const { ctx, sink } = this;
    const output = typeof call.result === "string" ? call.result : "";
    const steps = ctx.rng.int(1, 6);
    for (let s = 1; s <= steps; s++) {
      const fullOutput = output.slice(0, Math.ceil((output.length * s) / (steps + 1)));
      const data = { type: "bash_progress", output: fullOutput.slice(-400), fullOutput, elapsedTimeSeconds: s * 3, totalLines: fullOutput.split("\n").length };
      sink.push(progressLine(ctx, data, toolUseId, ctx.rng.uuid()));
    }
  }

  /** 1.0.x wrote a subagent's conversation into the parent file, marked isSidechain. */
  private inlineSidechain(call: ToolCall): void {
    const { ctx, sink } = this;
    const resumeParent = ctx.parentUuid;
    ctx.sidechain = true;
    ctx.parentUuid = null;
    sink.push(userLine(ctx, call.input.prompt));
    for (let n = ctx.rng.int(1, 6); n > 0; n--) this.respond(false);
    this.respond(true);
    ctx.sidechain = false;
    ctx.parentUuid = resumeParent;
  }

  private trackedFiles(): string[] {
    const { rng, cwd } = this.ctx;
    return Array.from({ length: rng.int(0, 4) }, () => `${cwd}/src/${rng.base62(6)}.ts`);
  }
}

const CAVEAT =
  "Caveat: The messages below were generated by the user while running local commands. DO NOT respond to these messages or otherwise consider them in your response unless the user explicitly asks you to.";

const API_ERRORS = [
  "API Error: Request was aborted.",
  'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
  'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}',
  "API Error: Connection error.",
];

/** Writes one transcript file's lines into `sink`. */
export function writeSession(spec: SessionSpec, pools: TextPools, sink: Sink): void {
  new SessionWriter(spec, pools, sink).write();
}
