import type { Part, Role } from "../opensync/payload.ts";
import type { AssistantLine, Block, Entry, UserLine } from "../transcript/schema.ts";
import { type PartOptions, blockToPart, hasPart, textOf } from "./parts.ts";
import { classifyUserLine, titleFrom } from "./prompt.ts";
import { type Ledger, type UsageRecord, dedupKey, prefer, tokensOf } from "./usage-ledger.ts";

export interface FoldOptions extends PartOptions {
  /** Send subagent (sidechain) messages; their tokens count either way. */
  subagentMessages: boolean;
}

export const DEFAULT_FOLD_OPTIONS: FoldOptions = { toolCalls: true, thinking: false, subagentMessages: true };

/** A message as OpenSync will receive it, before the safety pass. */
export interface FoldedMessage {
  externalId: string;
  sessionId: string;
  role: Role;
  createdAt: number;
  parts: Part[];
  textContent?: string;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  /** Where its first line is in the transcript: orders messages that share a millisecond. */
  order?: number;
}

export type MessageSink = (message: FoldedMessage) => void;

/** What the fold knows about a session besides its messages and usage. */
export interface SessionMeta {
  sessionId: string;
  /** The working directory of the main thread: the project. */
  cwd?: string;
  /** A subagent's working directory: the project when the session's own file is gone. */
  anyCwd?: string;
  /** From the first prompt the user typed. */
  title?: string;
  /** The first slash command typed: the title when no prompt was typed. */
  command?: string;
  /** A subagent's task: the title when the session's own file is gone. */
  subagentPrompt?: string;
  /** Claude Code's own summary line: the title when no prompt was typed. */
  summary?: string;
  firstAt?: number;
  lastAt?: number;
}

/** An assistant response still collecting its lines (one line per content block). */
interface OpenResponse {
  messageId: string;
  externalId: string;
  thread: string;
  createdAt: number;
  model?: string;
  blocks: Block[];
  usage?: UsageRecord;
}

/** Serialisable carry-over between incremental reads of a session. */
export interface FoldSnapshot {
  meta: SessionMeta;
  open: OpenResponse[];
  closed: string[];
}

/** How many closed response ids to remember, to ignore late duplicate lines. */
const CLOSED_MEMORY = 256;

/**
 * Folds one session's transcript entries (main file and subagent files) into
 * messages, usage records and metadata. Messages go to `sink` as soon as they
 * are complete; `flush` also emits the responses still open at the end of the
 * bytes read, whose later lines (if any) re-emit them with the same id.
 * Without a sink, messages are only counted, never built.
 */
export class SessionFold {
  readonly meta: SessionMeta;
  /** Messages emitted so far. */
  messages = 0;
  private readonly open = new Map<string, OpenResponse>();
  private readonly closed: string[];
  private readonly closedSet: Set<string>;

  constructor(
    sessionId: string,
    private readonly options: FoldOptions,
    private readonly ledger: Ledger,
    private readonly sink: MessageSink | undefined,
    snapshot?: FoldSnapshot,
  ) {
    this.meta = snapshot ? { ...snapshot.meta } : { sessionId };
    for (const r of snapshot?.open ?? []) this.open.set(r.messageId, r);
    this.closed = [...(snapshot?.closed ?? [])];
    this.closedSet = new Set(this.closed);
  }

  /** `inSubagentFile`: the line comes from an agent-*.jsonl file, so it is a sidechain whatever it says. */
  add(entry: Entry, inSubagentFile: boolean, _order = 0): void {
    switch (entry.kind) {
      case "summary":
        this.meta.summary ??= entry.summary;
        return;
      case "other":
        this.touch(entry.timestamp, undefined, true);
        return;
      case "user":
        return this.addUser(entry, inSubagentFile || entry.isSidechain === true);
      case "assistant":
        return this.addAssistant(entry, inSubagentFile || entry.isSidechain === true);
    }
  }

  /** Emits every response still open (their content so far). */
  flush(): void {
    for (const r of this.open.values()) this.emitResponse(r);
  }

  snapshot(): FoldSnapshot {
    return { meta: { ...this.meta }, open: [...this.open.values()], closed: [...this.closed] };
  }

  private touch(at: number | undefined, cwd: string | undefined, mainThread: boolean): void {
    if (at !== undefined) {
      if (this.meta.firstAt === undefined || at < this.meta.firstAt) this.meta.firstAt = at;
      if (this.meta.lastAt === undefined || at > this.meta.lastAt) this.meta.lastAt = at;
    }
    if (cwd && mainThread) this.meta.cwd ??= cwd;
    if (cwd) this.meta.anyCwd ??= cwd;
  }

  private wanted(sidechain: boolean): boolean {
    return !sidechain || this.options.subagentMessages;
  }

  private addUser(line: UserLine, sidechain: boolean): void {
    this.touch(line.timestamp, line.cwd, !sidechain);
    const kind = classifyUserLine(line);
    if (kind.kind === "generated") return;
    const content = line.message.content;
    const blocks: Block[] = typeof content === "string" ? [{ type: "text", text: content }] : content;
    if (kind.kind === "tool") {
      if (this.options.toolCalls && this.wanted(sidechain)) this.emitBlocks(line, "tool", blocks);
      return;
    }
    // A new prompt ends the responses of its thread.
    this.closeThread(threadOf(line, sidechain));
    if (!sidechain) {
      if (kind.kind === "prompt" && kind.text) this.meta.title ??= titleFrom(kind.text);
      if (kind.kind === "command") this.meta.command ??= titleFrom(kind.text);
    } else if (kind.text) this.meta.subagentPrompt ??= titleFrom(`[subagent] ${kind.text}`);
    if (!this.wanted(sidechain)) return;
    this.emitBlocks(line, "user", kind.kind === "command" ? [{ type: "text", text: kind.text }] : blocks);
  }

  private emitBlocks(line: UserLine, role: Role, blocks: Block[]): void {
    this.emit(blocks, { externalId: `${this.meta.sessionId}:${line.uuid}`, sessionId: this.meta.sessionId, role, createdAt: line.timestamp });
  }

  /** A message of `blocks`, unless none of them becomes a part. */
  private emit(blocks: Block[], fields: Omit<FoldedMessage, "parts" | "textContent">): void {
    if (!this.sink) {
      if (blocks.some((b) => hasPart(b, this.options))) this.messages++;
      return;
    }
    const parts = blocks.map((b) => blockToPart(b, this.options)).filter((p): p is Part => p !== null);
    if (parts.length === 0) return;
    this.messages++;
    const text = textOf(parts);
    this.sink({ ...fields, parts, ...(text ? { textContent: text } : {}) });
  }

  private addAssistant(line: AssistantLine, sidechain: boolean): void {
    this.touch(line.timestamp, line.cwd, !sidechain);
    const msg = line.message;
    const record: UsageRecord | undefined = msg.usage
      ? {
          key: dedupKey(msg.id, line.requestId),
          lineId: line.uuid,
          sessionId: this.meta.sessionId,
          sidechain,
          model: msg.model ?? "unknown",
          tokens: tokensOf(msg.usage),
          fast: msg.usage.speed === "fast",
        }
      : undefined;
    if (record) this.ledger.add(record);

    const thread = threadOf(line, sidechain);
    const messageId = msg.id ?? line.uuid;
    this.closeThread(thread, messageId);
    if (!this.wanted(sidechain) || this.closedSet.has(messageId)) return;

    let response = this.open.get(messageId);
    if (!response) {
      response = {
        messageId,
        externalId: `${this.meta.sessionId}:${line.uuid}`,
        thread,
        createdAt: line.timestamp,
        blocks: [],
      };
      this.open.set(messageId, response);
    }
    if (msg.model && msg.model !== "<synthetic>") response.model = msg.model;
    else response.model ??= msg.model;
    if (record && (!response.usage || prefer(record, response.usage))) response.usage = record;
    for (const block of typeof msg.content === "string" ? [{ type: "text", text: msg.content }] : msg.content) {
      mergeBlock(response.blocks, block);
    }
  }

  private closeThread(thread: string, except?: string): void {
    for (const r of this.open.values()) {
      if (r.thread !== thread || r.messageId === except) continue;
      this.open.delete(r.messageId);
      this.emitResponse(r);
      this.closed.push(r.messageId);
      this.closedSet.add(r.messageId);
      if (this.closed.length > CLOSED_MEMORY) this.closedSet.delete(this.closed.shift() as string);
    }
  }

  private emitResponse(r: OpenResponse): void {
    const t = r.usage?.tokens;
    this.emit(r.blocks, {
      externalId: r.externalId,
      sessionId: this.meta.sessionId,
      role: "assistant",
      createdAt: r.createdAt,
      ...(r.model ? { model: r.model } : {}),
      ...(t
        ? { promptTokens: t.input + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead, completionTokens: t.output }
        : {}),
    });
  }
}

function threadOf(line: { agentId?: string }, sidechain: boolean): string {
  return line.agentId ?? (sidechain ? "sidechain" : "main");
}

/**
 * Adds a content block to a response, replacing the partial copy a streaming
 * write may have left (same tool id, or a text the new one extends).
 */
function mergeBlock(blocks: Block[], block: Block): void {
  const id = block.id;
  if (typeof id === "string") {
    const i = blocks.findIndex((b) => b.id === id);
    if (i >= 0) blocks[i] = block;
    else blocks.push(block);
    return;
  }
  const key = block.type === "thinking" ? "thinking" : "text";
  const text = block[key];
  if (typeof text === "string") {
    for (let i = 0; i < blocks.length; i++) {
      const existing = blocks[i] as Block;
      const old = existing[key];
      if (existing.type !== block.type || typeof old !== "string") continue;
      if (text.startsWith(old)) {
        blocks[i] = block;
        return;
      }
      if (old.startsWith(text)) return;
    }
  }
  blocks.push(block);
}
