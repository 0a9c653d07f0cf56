/**
 * A user's day with Claude Code, replayed through the hooks as Claude Code writes and fires them: two windows
 * in one project at once (their turns and hooks overlapping), a subagent (Task: its own file, SubagentStop), a
 * /compact (PreCompact, the boundary, SessionStart compact), a /clear (SessionEnd clear, a new session in the
 * same window), a terminal closed (no SessionEnd), a session resumed in a new window (--resume: a new file
 * starting with a copy of the history), one continued (--continue: the same file goes on) and a fork (the history
 * copied with forkedFrom). The main sessions' turns come from ../shared/corpus when it is there (replay.ts).
 * `at(n)` is called at each checkpoint (0 to CHECKPOINTS), for a scenario's faults.
 */
import { appendFileSync, readFileSync } from "node:fs";
import type { hookUser } from "./hooks.ts";
import { isPrompt, replaySession } from "./replay.ts";
import { assistant, text, toolResult, toolUse, user } from "./transcript.ts";

type User = ReturnType<typeof hookUser>;
type Line = Record<string, unknown>;

export const CHECKPOINTS = 6;
const TURNS = 3;
const isToolResult = (line: string) => line.includes('"tool_result"') && !isPrompt(line);
const isToolUse = (line: string) => line.includes('"type":"assistant"') && line.includes('"tool_use"');

/** A line as it is written now: its time is now. */
function live(line: string): string {
  const o = JSON.parse(line) as Line;
  return "timestamp" in o ? JSON.stringify({ ...o, timestamp: new Date().toISOString() }) : line;
}

/** What the day's hooks did that Claude Code would mind: wall times (ms), and any output or failing exit. */
export interface HookRecord {
  times: number[];
  wrong: string[];
}

/** One Claude Code window on one session: writes its lines as Claude Code does and fires its hooks. */
class Window {
  constructor(
    private u: User,
    readonly sessionId: string,
    private record: HookRecord,
  ) {}

  get path(): string {
    return this.u.transcript(this.sessionId);
  }

  async hook(event: string, extra: Record<string, unknown> = {}): Promise<void> {
    const start = performance.now();
    const r = await this.u.hook(event, extra, this.sessionId);
    this.record.times.push(performance.now() - start);
    if (r.code !== 0 || r.stdout !== "" || r.stderr !== "") this.record.wrong.push(`${event}: exit ${r.code} ${r.stderr}${r.stdout}`);
  }

  /**
   * Appends lines to `path` each in two flushes (a reader may see half a line), timed as they are written (a live
   * session's lines are recent: the runner holds a response still open until a turn's end or quiet files).
   */
  static write(path: string, lines: string[]): void {
    for (const written of lines) {
      const line = live(written);
      const cut = Math.max(1, Math.floor(line.length / 2));
      appendFileSync(path, line.slice(0, cut));
      appendFileSync(path, `${line.slice(cut)}\n`);
    }
  }

  /** A resumed or forked session's history, copied at once as it was (its times too). */
  static copy(path: string, lines: Line[]): void {
    appendFileSync(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  }

  /** A turn: its prompt, UserPromptSubmit, the rest with Pre/PostToolUse around tools (at most 3), Stop unless the terminal is closed first. */
  async turn(lines: Array<string | Line>, closed = false): Promise<void> {
    const [prompt, ...rest] = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l)));
    Window.write(this.path, [prompt as string]);
    await this.hook("UserPromptSubmit", { prompt: "…" });
    let tools = 0;
    for (const line of rest) {
      Window.write(this.path, [line]);
      // Before the tool runs (its call written), and after its result: a few per turn, to stay quick.
      if (tools < 3 && isToolUse(line)) await this.hook("PreToolUse", { tool_name: "Bash" });
      if (tools < 3 && isToolResult(line) && ++tools) await this.hook("PostToolUse", { tool_name: "Bash" });
    }
    if (!closed) await this.hook("Stop", { stop_hook_active: false });
  }

  /** The file's lines so far, parsed. */
  lines(): Line[] {
    return readFileSync(this.path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line);
  }
}

const id = (n: number) => `${String(n).repeat(8)}-dddd-4ddd-8ddd-${String(n).repeat(12)}`;
/** A short written turn of `sessionId`, its ids unique by `tag`. */
const written = (sessionId: string, tag: string, ask: string): Line[] => [
  user(ask, { sessionId }),
  assistant(`msg_${tag}_1`, toolUse(`toolu_${tag}`, "Bash", { command: `make ${tag}` }), { sessionId }),
  toolResult(`toolu_${tag}`, `${tag}: ok`, { sessionId }),
  assistant(`msg_${tag}_2`, text(`Done with ${tag}.`), { sessionId }),
];

/** The day, from the first SessionStart to the last hook; returns the sessions it wrote. */
export async function liveDay(u: User, record: HookRecord, at: (checkpoint: number) => Promise<void>): Promise<string[]> {
  const a = replaySession(TURNS, 0);
  const b = replaySession(TURNS, 1);
  const w = (sessionId: string) => new Window(u, sessionId, record);
  const [A, B] = [w(a.sessionId), w(b.sessionId)];
  const [C, D, E] = [w(id(3)), w(id(4)), w(id(5))];
  for (const x of [A, B]) u.claude.write(`p/${x.sessionId}.jsonl`, "");

  await at(0);
  // Two windows in one project: their turns, and so their hooks, overlap.
  await Promise.all([A.hook("SessionStart", { source: "startup" }), B.hook("SessionStart", { source: "startup" })]);
  await Promise.all([A.turn(a.turns[0] as string[]), B.turn(b.turns[0] as string[])]);
  await at(1);
  for (let i = 1; i < TURNS; i++) await Promise.all([A.turn(a.turns[i] as string[]), B.turn(b.turns[i] as string[])]);
  await at(2);

  // A: a subagent. B: /clear, then C in the same window.
  const subagent = async () => {
    const s = { sessionId: A.sessionId };
    const agentPath = u.claude.write(`p/${A.sessionId}/subagents/agent-a1b2c3.jsonl`, "");
    Window.write(A.path, [JSON.stringify(user("Review the parser with a subagent", s))]);
    await A.hook("UserPromptSubmit", { prompt: "…" });
    Window.write(A.path, [JSON.stringify(assistant("msg_day_task", toolUse("toolu_day_task", "Task", { description: "review", prompt: "Review the parser" }), s))]);
    await A.hook("PreToolUse", { tool_name: "Task" });
    const inAgent = { ...s, isSidechain: true, agentId: "a1b2c3" };
    Window.write(agentPath, [user("Review the parser", inAgent), assistant("msg_day_sub1", text("Reading parser.ts."), inAgent), assistant("msg_day_sub2", text("Two bugs found."), inAgent)].map((l) => JSON.stringify(l)));
    await A.hook("SubagentStop", { agent_id: "a1b2c3", agent_type: "general-purpose", agent_transcript_path: agentPath });
    Window.write(A.path, [toolResult("toolu_day_task", "Two bugs found.", s), assistant("msg_day_after", text("The reviewer found two bugs."), s)].map((l) => JSON.stringify(l)));
    await A.hook("PostToolUse", { tool_name: "Task" });
    await A.hook("Stop", { stop_hook_active: false });
  };
  const clear = async () => {
    await B.hook("SessionEnd", { reason: "clear" });
    u.claude.write(`p/${C.sessionId}.jsonl`, "");
    await C.hook("SessionStart", { source: "clear" });
    await C.turn(written(C.sessionId, "c1", "Start over: the docs"));
  };
  await Promise.all([subagent(), clear()]);
  await at(3);

  // A: /compact, a turn, then its terminal closed (no Stop, no SessionEnd). C: ended, as /exit does.
  const compact = async () => {
    const s = { sessionId: A.sessionId };
    await A.hook("PreCompact", { trigger: "manual", custom_instructions: "" });
    const { message: _m, type: _t, ...boundary } = user("", s);
    Window.write(A.path, [
      JSON.stringify({ ...boundary, type: "system", subtype: "compact_boundary", content: "Conversation compacted", compactMetadata: { trigger: "manual", preTokens: 42_000 } }),
      JSON.stringify({ ...user("This session is being continued from a previous conversation.", s), isCompactSummary: true, isVisibleInTranscriptOnly: true }),
    ]);
    await A.hook("SessionStart", { source: "compact" });
    // The answer written, the terminal closed before the Stop: no hook ends the turn or the session.
    await A.turn(written(A.sessionId, "a_after_compact", "Now fix both bugs"), true);
  };
  await Promise.all([compact(), C.hook("SessionEnd", { reason: "prompt_input_exit" })]);
  await at(4);

  // D: A resumed in a new window (its history copied as it was). C: continued in its own file.
  const resume = async () => {
    u.claude.write(`p/${D.sessionId}.jsonl`, "");
    Window.copy(D.path, A.lines());
    await D.hook("SessionStart", { source: "resume" });
    await D.turn(written(D.sessionId, "d1", "Where were we?"));
  };
  const cont = async () => {
    await C.hook("SessionStart", { source: "resume" });
    await C.turn(written(C.sessionId, "c2", "And the changelog"));
  };
  await Promise.all([resume(), cont()]);
  await at(5);

  // E: D forked (its lines copied with forkedFrom), then every open window ends but A's.
  u.claude.write(`p/${E.sessionId}.jsonl`, "");
  Window.copy(
    E.path,
    D.lines().map((l) => ({ ...l, sessionId: E.sessionId, forkedFrom: { sessionId: D.sessionId, messageUuid: l.uuid } })),
  );
  await E.hook("SessionStart", { source: "fork" });
  await E.turn(written(E.sessionId, "e1", "Try it another way"));
  await Promise.all([D.hook("SessionEnd", { reason: "prompt_input_exit" }), E.hook("SessionEnd", { reason: "other" }), C.hook("SessionEnd", { reason: "logout" })]);
  await at(CHECKPOINTS);
  return [A, B, C, D, E].map((x) => x.sessionId);
}

/** The median and the worst of the hooks' wall times, in ms. */
export function hookTimes(times: number[]): { median: number; p90: number; worst: number; count: number } {
  const sorted = [...times].sort((x, y) => x - y);
  const pick = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0);
  return { median: pick(0.5), p90: pick(0.9), worst: Math.round(sorted.at(-1) ?? 0), count: sorted.length };
}
