/**
 * Builders for hand-written transcript lines in Claude Code's shapes, so each
 * test states exactly the lines it needs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { scratchDir } from "./scratch.ts";

export const SESSION = "11111111-1111-4111-8111-111111111111";
const EPOCH = Date.parse("2025-10-01T10:00:00.000Z");
let clock = EPOCH;
let seq = 0;

/** Lines from here are timestamped a second apart from `start` (a fixed day long past, unless a test models a live session). */
export function resetClock(start = EPOCH): void {
  clock = start;
  seq = 0;
}

function next() {
  clock += 1000;
  seq++;
  return { timestamp: new Date(clock).toISOString(), uuid: `u-${seq.toString().padStart(4, "0")}` };
}

interface Common {
  sessionId?: string;
  cwd?: string;
  isSidechain?: boolean;
  agentId?: string;
  uuid?: string;
  timestamp?: string;
}

function base(c: Common) {
  const n = next();
  return {
    parentUuid: null,
    isSidechain: c.isSidechain ?? false,
    userType: "external",
    cwd: c.cwd ?? "/home/dev/project-x",
    sessionId: c.sessionId ?? SESSION,
    version: "2.0.30",
    ...(c.agentId ? { agentId: c.agentId } : {}),
    uuid: c.uuid ?? n.uuid,
    timestamp: c.timestamp ?? n.timestamp,
  };
}

export function user(content: unknown, c: Common & { isMeta?: boolean } = {}) {
  return { ...base(c), type: "user", message: { role: "user", content }, ...(c.isMeta ? { isMeta: true } : {}) };
}

export function toolResult(toolUseId: string, output: string, c: Common = {}) {
  return user([{ tool_use_id: toolUseId, type: "tool_result", content: output }], c);
}

export interface UsageIn {
  input?: number;
  output?: number;
  cacheCreation?: number;
  cacheRead?: number;
}

export function usage(u: UsageIn = {}) {
  return {
    input_tokens: u.input ?? 10,
    cache_creation_input_tokens: u.cacheCreation ?? 100,
    cache_read_input_tokens: u.cacheRead ?? 1000,
    output_tokens: u.output ?? 50,
    service_tier: "standard",
  };
}

/** One assistant line: one content block of the response `id`. */
export function assistant(
  id: string,
  block: Record<string, unknown>,
  c: Common & { model?: string; requestId?: string; usage?: UsageIn; stopReason?: string | null } = {},
) {
  // As Claude Code writes it since 2.1.1xx: every line of a response carries its stop reason (null while it streams).
  const stop = c.stopReason === undefined ? (block.type === "tool_use" ? "tool_use" : "end_turn") : c.stopReason;
  return {
    ...base(c),
    type: "assistant",
    requestId: c.requestId ?? `req_${id}`,
    message: {
      id,
      type: "message",
      role: "assistant",
      model: c.model ?? "claude-sonnet-4-5-20250929",
      content: [block],
      stop_reason: stop,
      usage: usage(c.usage),
    },
  };
}

export const text = (t: string) => ({ type: "text", text: t });

const SNAPSHOT_AT = "2025-10-01T09:00:00.000Z";
/** A file-history-snapshot line as Claude Code writes it (its keys in that order), tracking one file. */
export const snapshotLine = (messageId = "m") => ({
  type: "file-history-snapshot",
  messageId,
  snapshot: { messageId, trackedFileBackups: { "/a.ts": { backupFileName: "b@v1", version: 1, backupTime: SNAPSHOT_AT } }, timestamp: SNAPSHOT_AT },
  isSnapshotUpdate: false,
});
/** A queue-operation line: a prompt typed while Claude works entering the queue. */
export const queuedPrompt = (content: string, sessionId = SESSION) => ({ type: "queue-operation", operation: "enqueue", timestamp: SNAPSHOT_AT, sessionId, content });
/** A line's time now: the hook runner's quiet rule reads old times as a turn long over. */
export const now = () => ({ timestamp: new Date().toISOString() });
/** A small response's usage, for the hook tests' live sessions. */
export const LIVE_USAGE = { input: 10, output: 20, cacheCreation: 0, cacheRead: 0 };
export const toolUse = (id: string, name: string, input: unknown) => ({ type: "tool_use", id, name, input });

/**
 * A main turn, timed now, that starts a background subagent (Task with run_in_background) and ends
 * while the agent works on: what the hook tests' sessions hold at a Stop.
 */
export function backgroundAgentTurn(u: UsageIn): unknown[] {
  return [
    user("Review the parser", now()),
    assistant("msg_1", toolUse("toolu_t", "Task", { description: "review", prompt: "Review", run_in_background: true }), { ...now(), usage: u }),
    toolResult("toolu_t", "Agent started in the background.", now()),
    assistant("msg_2", text("Started a reviewer."), { ...now(), usage: u }),
  ];
}

export function jsonl(lines: unknown[]): string {
  return lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n";
}

/** A temporary Claude config folder; `write` puts files under its projects/ folder. */
export function tempClaudeDir() {
  const root = scratchDir("ccs-claude-");
  const projects = join(root, "projects");
  mkdirSync(projects, { recursive: true });
  return {
    root,
    projects,
    write(relative: string, content: string) {
      const path = join(projects, relative);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
  };
}
