import type { AgentMeta } from "../discover/agent-meta.ts";
import { type PrintedSecret, commandPrints, filePrints } from "../safety/generic/printed-secret.ts";
import { grepToolPrints } from "../safety/generic/search-output.ts";
import { toolPrints } from "../safety/generic/secret-tools.ts";
import type { SeenDigests } from "../safety/seen-secrets.ts";
import type { Part, Role } from "../opensync/payload.ts";
import type { AssistantLine, AttachmentLine, Block, Content, Entry, SystemLine, Usage, UserLine } from "../transcript/schema.ts";
import { compactBoundaryText, subagentTaskText } from "./notices.ts";
import { type PartOptions, blockToPart, hasPart, resultText, textOf } from "./parts.ts";
import { type UserLineKind, classifyContent, classifyUserLine, forkDirective, titleSource, typedBlocks } from "./prompt.ts";
import { type Ledger, NO_MODEL, type UsageRecord, dedupKey, prefer, recordOf } from "./usage-ledger.ts";

export interface FoldOptions extends PartOptions {
  /** Send subagent (sidechain) messages; their tokens count either way. */
  subagentMessages: boolean;
  /**
   * Count a message seen twice (the same lines in two files of a session: a transcript
   * copied to another project folder) once, as a sync's state keeps it once. For a read
   * that keeps no state (a dry run); it holds every message id of the session meanwhile.
   */
  countOnce?: boolean;
}

export const DEFAULT_FOLD_OPTIONS: FoldOptions = { toolCalls: true, thinking: false, subagentMessages: true };

/** A message as OpenSync will receive it, before the safety pass. */
export interface FoldedMessage {
  externalId: string;
  sessionId: string;
  role: Role;
  createdAt: number;
  /**
   * The `order` its first line was added with (its byte offset in its file):
   * messages of one file that share a millisecond keep transcript order.
   */
  order: number;
  parts: Part[];
  textContent?: string;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  /**
   * A tool result's call (by id) whose command prints a secret, and what it prints: the result is
   * redacted knowing it. Under SHELL_OUTPUT, the same for a `!` command's output, this message's text.
   */
  printed?: Record<string, PrintedSecret>;
}

/** The key in `printed` (and in the fold's printers) of the last `!` command, whose output is a message's own text. */
export const SHELL_OUTPUT = "!";

type MessageSink = (message: FoldedMessage) => void;

/** What the fold knows about a session besides its messages and usage. */
export interface SessionMeta {
  sessionId: string;
  /** The working directory of the main thread: the project. */
  cwd?: string;
  /** A subagent's working directory: the project when the session's own file is gone. */
  anyCwd?: string;
  /** The name the user gave the session (`custom-title`, the latest): the title above all others. */
  customTitle?: string;
  /** Claude Code's own title for the session (`ai-title`, the latest). */
  aiTitle?: string;
  /** From the first prompt the user typed. */
  title?: string;
  /** The first slash command typed: the title when no prompt was typed. */
  command?: string;
  /** A subagent's task: the title when the session's own file is gone. The earliest, whatever file is read first. */
  subagentPrompt?: string;
  subagentPromptAt?: number;
  /** Claude Code's own summary line: the title when no prompt was typed. */
  summary?: string;
  /**
   * The time of the first timed line of the session's own thread, in the order they were
   * written, not the earliest time: a line written later can carry an earlier time (local
   * commands run before the first prompt), and OpenSync keeps the createdAt of a session's first
   * write. A session read in steps, as it is written, then gets the createdAt a read in one go
   * gives.
   */
  firstAt?: number;
  /** The earliest time of subagents' lines (its files are read in any order): the start when earlier than `firstAt` (summarize.ts startOf). */
  firstSideAt?: number;
  lastAt?: number;
}

/** An assistant response still collecting its lines (one line per content block). */
interface OpenResponse {
  messageId: string;
  externalId: string;
  thread: string;
  createdAt: number;
  /** The order of its first line. */
  order: number;
  model?: string;
  blocks: Block[];
  usage?: UsageRecord;
  /** One of its lines carried a stop reason: the API response is whole, though more of its lines may follow. */
  complete?: boolean;
}

/** Serialisable carry-over between incremental reads of a session. */
export interface FoldSnapshot {
  meta: SessionMeta;
  open: OpenResponse[];
  closed: string[];
  /** Prompts sent as queued commands in the current turn (see `queued` below), as digests: the state keeps no prompt text. */
  queued?: string[];
  /**
   * Tool calls whose command prints a secret, by id, whose result may still come, and the
   * background tasks such a call became (`task:<id>`): see `printers` below.
   */
  printers?: Array<[string, PrintedSecret]>;
  /** The secrets the session has shown, as digests: kept by the reader, not the fold (safety/seen-secrets.ts). */
  seen?: SeenDigests;
  /** Subagents whose task was shown before their meta file was there (see `bare` below). */
  bareAgents?: string[];
  /** Lines to show read before any line of the session had a time (see `held` below). */
  held?: HeldLine[];
  /** Fork agents whose task was read: their lines before it replay the conversation (see `directed` below). */
  forkDirected?: string[];
}

/** A line to show read before any line of the session had a time: what showing it needs once one has. */
export type HeldLine =
  | { turn: { kind: UserLineKind; line: LineAt; content: Content; sidechain: boolean; order: number; source: TurnSource } }
  | { response: { line: ResponseLine; thread: string; messageId: string; order: number; record?: UsageRecord } };

/** What of a line carrying usage its usage record is built from. */
type UsageLine = {
  uuid?: string;
  requestId?: string;
  timestamp?: number;
  sessionId?: string;
  forkedFrom?: { sessionId?: string; messageUuid?: string };
  message: { id?: string; model?: string };
};

/**
 * The session a fork's copied line was made in (discover/fork-origins.ts), from the line it copies: a
 * fork of a fork names only its parent. Asked only of a copy whose usage key names a session.
 */
export type ForkOrigin = (source: { sessionId: string; messageUuid: string | undefined }) => string;

/** What of an assistant line its response is built from. */
type ResponseLine = Pick<AssistantLine, "uuid" | "timestamp"> & { message: Pick<AssistantLine["message"], "model" | "content" | "stop_reason"> };

/** How many closed response ids to remember, to ignore late duplicate lines. */
const CLOSED_MEMORY = 256;
/** How many queued prompts of one turn to remember. */
const QUEUED_MEMORY = 16;
/** How many tool calls that print a secret to remember until their result comes (it usually follows at once). */
const PRINTERS_MEMORY = 64;
/** How many lines without a time to hold for the first line with one (a writer that never writes times would fill it: the latest stay; the others are counted, `lostUnplaced`). */
const HELD_MEMORY = 64;
/**
 * Claude Code's result for a command it runs in the background (2.1.x backgrounds long ones by
 * itself): the task's id. Its output comes later, read from `…/tasks/<id>.output` with the Read
 * tool, or from TaskOutput (`task_id`) or, before 2.0.64, BashOutput (`bash_id`).
 */
const BACKGROUND_TASK = /running in background with ID: ([\w-]{1,64})/;
const TASK_OUTPUT_FILE = /[\\/]tasks[\\/]([\w-]{1,64})\.output$/;

/**
 * Agents that replay the session's history before their one new request: a
 * `/btw` side question and a compaction (`agent-aside_question-<id>.jsonl`,
 * `agent-acompact-<id>.jsonl`, no meta file). Their lines are copies, not
 * shown again; their usage is a sidechain's, so it loses to the original's.
 */
const CONTEXT_FORK = /^(?:aside_question|acompact)-/;

/** Where a turn's line comes from: a queued prompt's attachment, a user line marked typed, any other line. */
type TurnSource = "queued" | "typed" | "line";

/** Where a line sits and when: what a message made from it needs. */
interface LineAt {
  uuid?: string;
  timestamp?: number;
  agentId?: string;
}

/**
 * Folds one session's transcript entries (main file and subagent files) into
 * messages, usage records and metadata. Messages go to `sink` as soon as they
 * are complete; `flush` emits the responses still open at the end of the
 * bytes read. Without a sink, messages are only counted, never built.
 */
export class SessionFold {
  readonly meta: SessionMeta;
  /** Messages emitted so far (each id once with `countOnce`). */
  messages = 0;
  private readonly countedIds: Set<string> | undefined;
  private readonly open = new Map<string, OpenResponse>();
  private readonly closed: string[];
  private readonly closedSet: Set<string>;
  /**
   * A prompt typed while Claude works reaches the transcript as a
   * `queued_command` attachment, usually with no user line. Should a user line
   * with the same text follow in the same turn, it is that prompt again.
   * (`queue-operation` lines only record the queue filling and draining: a
   * prompt drained at a turn's start becomes an ordinary user line with
   * `promptSource: "queued"`; one taken mid-turn, the attachment.)
   */
  private queued: string[];
  private readonly agents = new Map<string, AgentMeta>();
  /**
   * Subagents whose task was shown without their type and description: their meta file was not
   * there yet (or not whole) when their first lines were read. When it is, the reader starts the
   * session over, so the task reads as a read in one go shows it.
   */
  private readonly bare: Set<string>;
  /**
   * Tool calls whose command prints a secret (`openssl rand -hex 32`, `echo $API_KEY`): their
   * result, in a later line, is that secret alone, which nothing else in it marks. Ids only.
   * Looked for only when messages are built: a count never reads a tool's input.
   */
  private readonly printers: Map<string, PrintedSecret>;
  /**
   * Lines to show read before any line of the session had a time (a writer's null, missing or bad
   * time on the first prompt): each waits for the next line with a time and is shown at it, before
   * it (its `order` is lower). Carried between reads, so a sync after each line shows what one read
   * in one go does. A session with no time at all is never shown: a made-up time (the file's mtime)
   * would move with each write, so a read in steps would send another time than a read at the end,
   * and the session would have no start either; ccusage counts none of its tokens. The read names
   * it as skipped (`unplaced`).
   */
  private readonly held: HeldLine[];
  private lostUnplaced = 0;
  /**
   * Fork agents (their meta file says so) whose task, or pointer to the conversation instead of a replay of it, was
   * read. A fork starts from the conversation so far, and its transcript may first replay it (the same lines, uuids
   * and all, as a sidechain's): shown again, the person's prompts would read as the agent's task and, under the same
   * ids, replace them. Its lines before its task are not shown; their usage counts as a sidechain copy's, once.
   */
  private readonly directed: Set<string>;

  constructor(
    sessionId: string,
    private readonly options: FoldOptions,
    private readonly ledger: Ledger,
    private readonly sink: MessageSink | undefined,
    snapshot?: FoldSnapshot,
    private readonly origins?: ForkOrigin,
  ) {
    this.meta = snapshot ? { ...snapshot.meta } : { sessionId };
    for (const r of snapshot?.open ?? []) this.open.set(r.messageId, r);
    this.closed = [...(snapshot?.closed ?? [])];
    this.closedSet = new Set(this.closed);
    this.queued = [...(snapshot?.queued ?? [])];
    this.printers = new Map(snapshot?.printers);
    this.bare = new Set(snapshot?.bareAgents);
    this.held = [...(snapshot?.held ?? [])];
    this.directed = new Set(snapshot?.forkDirected);
    if (options.countOnce) this.countedIds = new Set();
  }

  /** Lines to show that wait for a time: at a session's end, none of its lines had one, and nothing of it can be shown. */
  get unplaced(): number {
    return this.held.length;
  }

  /** Lines to show let go since the last call, as more than HELD_MEMORY waited for a time: the read says how many. */
  takeLostUnplaced(): number {
    const lost = this.lostUnplaced;
    this.lostUnplaced = 0;
    return lost;
  }

  /** What a subagent's meta file says about it: its prompt is shown as its type and task. */
  describeAgent(agentId: string, meta: AgentMeta): void {
    this.agents.set(agentId, meta);
  }

  /**
   * `inSubagentFile`: the line comes from an agent-*.jsonl file, so it is a sidechain whatever it says.
   * `order`: grows in transcript order within a file (the caller passes the line's byte offset).
   */
  add(entry: Entry, inSubagentFile: boolean, order: number): void {
    switch (entry.kind) {
      case "summary":
        this.meta.summary ??= entry.summary;
        return;
      case "title": {
        // A subagent's file never names the session.
        const title = inSubagentFile ? "" : titleSource(entry.title);
        if (title) this.meta[entry.custom ? "customTitle" : "aiTitle"] = title;
        return;
      }
      case "other":
        this.touch(entry.timestamp, undefined, !inSubagentFile);
        // A fork agent's pointer to the conversation it starts from (/fork since 2.1.118), written instead of a replay: what follows is its own.
        if (entry.type === "fork-context-ref" && inSubagentFile && entry.agentId !== undefined) this.directed.add(entry.agentId);
        return;
      case "usage":
        this.touch(entry.timestamp, undefined, !inSubagentFile);
        this.ledger.add(this.usageRecord(entry.message.usage, entry, inSubagentFile || entry.isSidechain === true));
        return;
      case "system":
        return this.addSystem(entry, inSubagentFile || entry.isSidechain === true, order);
      case "attachment":
        return this.addAttachment(entry, inSubagentFile || entry.isSidechain === true, order);
      case "user":
        return this.addUser(entry, inSubagentFile || entry.isSidechain === true, order);
      case "assistant":
        return this.addAssistant(entry, inSubagentFile || entry.isSidechain === true, order);
    }
  }

  /**
   * Emits the responses still open: with `final`, all of them (the turn is
   * known to be over: a file quiet for minutes, a full read); with "main",
   * the main thread's (a Stop hook: subagents run in the background may
   * still be writing); otherwise only the complete ones, so a response still
   * being written is never sent half (OpenSync appends the text of every send
   * to its search text). Emitted responses stay open: later lines of theirs
   * re-emit them. Returns whether it held back one still being written.
   */
  flush({ final }: { final: boolean | "main" }): boolean {
    let heldBack = false;
    for (const r of this.open.values()) {
      if (final === true || (final === "main" && r.thread === MAIN_THREAD) || r.complete) this.emitResponse(r);
      else heldBack = true;
    }
    return heldBack;
  }

  snapshot(): FoldSnapshot {
    return {
      meta: { ...this.meta },
      open: [...this.open.values()],
      closed: [...this.closed],
      queued: [...this.queued],
      ...(this.printers.size > 0 ? { printers: [...this.printers] } : {}),
      ...(this.bare.size > 0 ? { bareAgents: [...this.bare] } : {}),
      ...(this.held.length > 0 ? { held: [...this.held] } : {}),
      ...(this.directed.size > 0 ? { forkDirected: [...this.directed] } : {}),
    };
  }

  private touch(at: number | undefined, cwd: string | undefined, mainThread: boolean): void {
    if (at !== undefined) {
      if (mainThread) this.meta.firstAt ??= at;
      else if (this.meta.firstSideAt === undefined || at < this.meta.firstSideAt) this.meta.firstSideAt = at;
      if (this.meta.lastAt === undefined || at > this.meta.lastAt) this.meta.lastAt = at;
      // The first time read places the lines held for one, before this line's own message.
      if (this.held.length > 0) this.release();
    }
    if (cwd && mainThread) this.meta.cwd ??= cwd;
    if (cwd) this.meta.anyCwd ??= cwd;
  }

  /**
   * When a line is shown: its time, or for a line without a readable one (null, missing, not a date:
   * some writers' lines) the latest time read before it, so it is shown in its place rather than
   * dropped. Undefined only when no line before it had a time: then the line is held (see `held`).
   */
  private placed(at: number | undefined): number | undefined {
    return at ?? this.meta.lastAt;
  }

  private wanted(sidechain: boolean): boolean {
    return !sidechain || this.options.subagentMessages;
  }

  /**
   * A copy of the conversation, not shown again: any line of a context fork (CONTEXT_FORK), a fork agent's before
   * its task (see `directed`).
   */
  private replayed(line: { agentId?: string }, sidechain: boolean): boolean {
    if (CONTEXT_FORK.test(line.agentId ?? "")) return true;
    return sidechain && this.forkMeta(line.agentId) !== undefined && !this.directed.has(line.agentId as string);
  }

  /** A fork agent's meta (its meta file says it is one): it starts from the conversation so far, and its task is a directive. */
  private forkMeta(agentId: string | undefined): AgentMeta | undefined {
    const meta = agentId === undefined ? undefined : this.agents.get(agentId);
    return meta?.isFork === true || meta?.agentType === "fork" ? meta : undefined;
  }

  private addUser(line: UserLine, sidechain: boolean, order: number): void {
    this.touch(line.timestamp, line.cwd, !sidechain);
    // A fork agent's task ends its replay.
    const fork = sidechain ? this.forkMeta(line.agentId) : undefined;
    const directive = fork ? forkDirective(line.message.content, fork.toolUseId) : undefined;
    if (directive !== undefined) {
      this.directed.add(line.agentId as string);
      return this.addTurn({ kind: "prompt", text: directive }, line, directive, sidechain, order, "line");
    }
    if (this.replayed(line, sidechain)) return;
    this.addTurn(classifyUserLine(line), line, line.message.content, sidechain, order, line.promptSource === "typed" ? "typed" : "line");
  }

  /** Only a queued command is conversation; other attachments (file contents, tool and skill lists, hook output) are context for the model. */
  private addAttachment(line: AttachmentLine, sidechain: boolean, order: number): void {
    const a = line.attachment;
    const at = line.timestamp ?? (a.timestamp !== undefined ? Date.parse(a.timestamp) || undefined : undefined);
    this.touch(at, line.cwd, !sidechain);
    if (a.type !== "queued_command" || a.prompt === undefined || this.replayed(line, sidechain)) return;
    // Before `origin` existed (2.1.1xx), `commandMode` alone told a background task's report from a prompt.
    const origin = a.origin ?? (a.commandMode && a.commandMode !== "prompt" ? { kind: a.commandMode } : undefined);
    this.addTurn(classifyContent(a.prompt, { origin, promptSource: "queued" }), { ...line, timestamp: at }, a.prompt, sidechain, order, "queued");
  }

  /**
   * `system` lines, by subtype: shown when a person reading the conversation
   * would want them, skipped when they are bookkeeping.
   */
  private addSystem(line: SystemLine, sidechain: boolean, order: number): void {
    this.touch(line.timestamp, line.cwd, !sidechain);
    if (line.isMeta || this.replayed(line, sidechain)) return;
    switch (line.subtype) {
      // Since about 2.1.280 a typed slash command and its output are system lines (before, user lines): read them alike.
      case "local_command":
        return this.addTurn(classifyContent(line.content ?? "", {}), line, line.content ?? "", sidechain, order, "line");
      // The earlier conversation was summarised here: the reader should know what the model still saw.
      case "compact_boundary":
        return this.addTurn({ kind: "notice", text: compactBoundaryText(line) }, line, "", sidechain, order, "line");
      // The model changed after a refusal: it explains a change of model and voice.
      case "model_refusal_fallback":
        if (line.content) this.addTurn({ kind: "notice", text: line.content }, line, "", sidechain, order, "line");
        return;
      // The end of a turn: a prompt queued in it cannot come back as a user line after this.
      case "turn_duration":
      case "stop_hook_summary":
        if (!sidechain) this.queued = [];
        return;
      // api_error (retries; the final error arrives as an assistant message), informational (UI status),
      // hook output and anything new: bookkeeping.
      default:
        return;
    }
  }

  /**
   * A line from the user's side of the conversation (a user line, a queued
   * prompt, a local command), classified: a prompt or command the person
   * typed, a tool result, or a notice shown as a system message.
   */
  private addTurn(kind: UserLineKind, line: LineAt, content: Content, sidechain: boolean, order: number, source: TurnSource): void {
    if (kind.kind === "generated" || line.uuid === undefined) return;
    const createdAt = this.placed(line.timestamp);
    if (createdAt === undefined) return this.hold({ turn: { kind, line: { uuid: line.uuid, agentId: line.agentId }, content, sidechain, order, source } });
    const where = { uuid: line.uuid, createdAt, order };
    if (kind.kind === "tool") {
      if (this.options.toolCalls && this.wanted(sidechain)) {
        const blocks = blocksOf(content);
        this.emitBlocks(where, "tool", blocks, this.printedBy(blocks));
      }
      return;
    }
    const typed = kind.kind === "prompt" || kind.kind === "command";
    // A line marked typed (2.1.1xx on) was typed anew: never a queued prompt written again, however alike.
    if (typed && !sidechain && source !== "typed" && this.repeatsQueued(kind.text, source === "queued")) return;
    // A new prompt, and anything else between turns, ends the responses of its thread.
    this.closeThread(threadOf(line, sidechain));
    if (kind.kind === "notice") {
      // A command's output follows its command: what the last `!` command prints goes with it, once.
      const prints = kind.output ? this.printers.get(SHELL_OUTPUT) : undefined;
      if (kind.output) this.printers.delete(SHELL_OUTPUT);
      if (this.wanted(sidechain)) this.emitText(where, "system", kind.text, prints ? { [SHELL_OUTPUT]: prints } : undefined);
      return;
    }
    if (sidechain) {
      // A subagent's prompts are the main agent's words, not the user's.
      const meta = line.agentId ? this.agents.get(line.agentId) : undefined;
      if (line.agentId && !meta) this.bare.add(line.agentId);
      if (kind.text && (this.meta.subagentPromptAt === undefined || where.createdAt < this.meta.subagentPromptAt)) {
        this.meta.subagentPrompt = titleSource(`[subagent] ${meta?.description ?? kind.text}`);
        this.meta.subagentPromptAt = where.createdAt;
      }
      if (this.wanted(sidechain)) this.emitText(where, "system", subagentTaskText(kind.text, meta));
      return;
    }
    if (kind.kind === "command") {
      const prints = kind.shell === undefined ? undefined : commandPrints(kind.shell);
      if (prints) this.remember(SHELL_OUTPUT, prints);
      else this.printers.delete(SHELL_OUTPUT);
      this.meta.command ??= titleSource(kind.text);
      this.emitText(where, "user", kind.text);
      return;
    }
    if (kind.text) this.meta.title ??= titleSource(kind.text);
    this.emitBlocks(where, "user", typedBlocks(blocksOf(content)));
  }

  /** Whether a typed line repeats a prompt already sent as a queued command this turn; notes queued ones. */
  private repeatsQueued(text: string, queued: boolean): boolean {
    const trimmed = text.trim();
    // An image alone has no text to recognise it by.
    if (!trimmed) return false;
    const key = Bun.hash(trimmed).toString(36);
    if (queued) {
      this.queued = [...this.queued, key].slice(-QUEUED_MEMORY);
      return false;
    }
    const i = this.queued.indexOf(key);
    // A prompt that repeats none means the queue has moved on.
    this.queued = i >= 0 ? this.queued.filter((_, j) => j !== i) : [];
    return i >= 0;
  }

  private emitText(where: { uuid: string; createdAt: number; order: number }, role: Role, text: string, printed?: FoldedMessage["printed"]): void {
    this.emitBlocks(where, role, [{ type: "text", text }], printed);
  }

  private emitBlocks(where: { uuid: string; createdAt: number; order: number }, role: Role, blocks: Block[], printed?: FoldedMessage["printed"]): void {
    this.emit(blocks, {
      externalId: `${this.meta.sessionId}:${where.uuid}`,
      sessionId: this.meta.sessionId,
      role,
      createdAt: where.createdAt,
      order: where.order,
      ...(printed ? { printed } : {}),
    });
  }

  /**
   * A shell call that prints a secret, a Read of a file that holds one, a Grep's lines (an environment file's among them), a read of the output of
   * a background task such a call became, or an MCP tool's read of a secret store, noted by its id (see `printers`).
   */
  private notePrinter(block: Block): void {
    if (block.type !== "tool_use" || typeof block.id !== "string") return;
    const input = block.input as { command?: unknown; file_path?: unknown; task_id?: unknown; bash_id?: unknown; path?: unknown; output_mode?: unknown } | undefined;
    const task = input?.task_id ?? input?.bash_id;
    const store = typeof block.name === "string" ? toolPrints(block.name, input) : undefined;
    const prints =
      store ??
      (typeof input?.command === "string"
        ? commandPrints(input.command)
        : block.name === "Read" && typeof input?.file_path === "string"
          ? (this.taskPrints(TASK_OUTPUT_FILE.exec(input.file_path)?.[1]) ?? filePrints(input.file_path))
          : block.name === "Grep" && input
            ? grepToolPrints(input)
            : this.taskPrints(typeof task === "string" ? task : undefined));
    if (prints) this.remember(block.id, prints);
  }

  private taskPrints(task: string | undefined): PrintedSecret | undefined {
    return task === undefined ? undefined : this.printers.get(`task:${task}`);
  }

  private remember(key: string, prints: PrintedSecret): void {
    this.printers.set(key, prints);
    if (this.printers.size > PRINTERS_MEMORY) this.printers.delete(this.printers.keys().next().value as string);
  }

  /** The results among `blocks` whose call printed a secret: what each printed. A call sent to the background is noted by its task. */
  private printedBy(blocks: Block[]): FoldedMessage["printed"] {
    let printed: FoldedMessage["printed"];
    for (const b of blocks) {
      const prints = b.type === "tool_result" && typeof b.tool_use_id === "string" ? this.printers.get(b.tool_use_id) : undefined;
      if (!prints) continue;
      (printed ??= {})[b.tool_use_id as string] = prints;
      const task = BACKGROUND_TASK.exec(resultText(b.content))?.[1];
      if (task !== undefined) this.remember(`task:${task}`, prints);
    }
    return printed;
  }

  /** A message of `blocks`, unless none of them becomes a part. */
  private emit(blocks: Block[], fields: Omit<FoldedMessage, "parts" | "textContent">): void {
    if (!this.sink) {
      if (blocks.some((b) => hasPart(b, this.options))) this.count(fields.externalId);
      return;
    }
    const parts = blocks.map((b) => blockToPart(b, this.options)).filter((p): p is Part => p !== null);
    if (parts.length === 0) return;
    this.count(fields.externalId);
    const text = textOf(parts);
    this.sink({ ...fields, parts, ...(text ? { textContent: text } : {}) });
  }

  private count(externalId: string): void {
    if (this.countedIds?.has(externalId)) return;
    this.countedIds?.add(externalId);
    this.messages++;
  }

  private addAssistant(line: AssistantLine, sidechain: boolean, order: number): void {
    this.touch(line.timestamp, line.cwd, !sidechain);
    const msg = line.message;
    const replay = this.replayed(line, sidechain);
    // A fork's copy of its parent's response loses to the original, as a sidechain's does: counted once, in the parent.
    const record = msg.usage && !line.uncounted ? this.usageRecord(msg.usage, line, sidechain || line.forkedFrom !== undefined) : undefined;
    if (record) this.ledger.add(record);
    if (replay) return;

    const thread = threadOf(line, sidechain);
    const messageId = msg.id ?? line.uuid;
    this.closeThread(thread, messageId);
    if (!this.wanted(sidechain) || this.closedSet.has(messageId)) return;

    this.respond(line, thread, messageId, order, record);
  }

  /** Adds an assistant line's blocks to its response, opened by its first line. */
  private respond(line: ResponseLine, thread: string, messageId: string, order: number, record: UsageRecord | undefined): void {
    const msg = line.message;
    let response = this.open.get(messageId);
    if (!response) {
      const createdAt = this.placed(line.timestamp);
      if (createdAt === undefined) {
        const { model, content, stop_reason } = msg;
        return this.hold({ response: { line: { uuid: line.uuid, message: { model, content, stop_reason } }, thread, messageId, order, ...(record ? { record } : {}) } });
      }
      response = {
        messageId,
        externalId: `${this.meta.sessionId}:${line.uuid}`,
        thread,
        createdAt,
        order,
        blocks: [],
      };
      this.open.set(messageId, response);
    }
    if (msg.stop_reason) response.complete = true;
    if (msg.model && msg.model !== "<synthetic>") response.model = msg.model;
    else response.model ??= msg.model;
    if (record && (!response.usage || prefer(record, response.usage))) response.usage = record;
    for (const block of blocksOf(msg.content)) {
      mergeBlock(response.blocks, block);
      if (this.sink) this.notePrinter(block);
    }
  }

  private hold(line: HeldLine): void {
    this.held.push(line);
    if (this.held.length > HELD_MEMORY) {
      this.held.shift();
      this.lostUnplaced++;
    }
  }

  /** Shows the held lines, in the order they were read, at the time just read. */
  private release(): void {
    for (const h of this.held.splice(0)) {
      if ("turn" in h) this.addTurn(h.turn.kind, h.turn.line, h.turn.content, h.turn.sidechain, h.turn.order, h.turn.source);
      else this.respond(h.response.line, h.response.thread, h.response.messageId, h.response.order, h.response.record);
    }
  }

  /** A response's usage as the ledger keeps it: an assistant line's, or that of a line of another type that carries one. */
  private usageRecord(
    usage: Usage,
    line: UsageLine,
    sidechain: boolean,
  ): UsageRecord {
    return recordOf(usage, {
      // Without a request id a key holds the session's id: the one the line was made in. A fork's copy names it in
      // forkedFrom; a resumed session's copy keeps it as its own (read in the new file, it would count twice).
      key: dedupKey(line.message.id, line.requestId, this.madeIn(line)),
      lineId: line.uuid,
      sessionId: this.meta.sessionId,
      sidechain,
      // A resumed session's file copies its original's lines, which keep the original's session id.
      ...(!sidechain && line.sessionId !== undefined && line.sessionId !== this.meta.sessionId ? { copy: true } : {}),
      model: line.message.model ?? NO_MODEL,
      ...(line.timestamp !== undefined ? { at: line.timestamp } : {}),
    });
  }

  /** The session a response's line was made in, as a key without a request id names it. */
  private madeIn(line: UsageLine): string {
    const from = line.forkedFrom?.sessionId;
    if (from === undefined) return line.sessionId ?? this.meta.sessionId;
    // A fork of a fork names its parent only: the origin is asked for where the key holds it (see ForkOrigin).
    if (line.requestId || !line.message.id || !this.origins) return from;
    return this.origins({ sessionId: from, messageUuid: line.forkedFrom?.messageUuid ?? line.uuid });
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
      // Snapshots written before `order` existed lack it.
      order: r.order ?? 0,
      ...(r.model ? { model: r.model } : {}),
      ...(t
        ? { promptTokens: t.input + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead, completionTokens: t.output }
        : {}),
    });
  }
}

const blocksOf = (content: Content): Block[] => (typeof content === "string" ? [{ type: "text", text: content }] : content);

/** The thread of the session's own transcript, as `threadOf` names it. */
const MAIN_THREAD = "main";

function threadOf(line: { agentId?: string }, sidechain: boolean): string {
  return line.agentId ?? (sidechain ? "sidechain" : MAIN_THREAD);
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
