/**
 * A real-shaped session to replay as Claude Code writes it: turns of lines,
 * each starting with a typed prompt. From ../shared/corpus when it is there
 * (the session with the most prompts among files under 400 KB), else written
 * here, so the replay tests pass in any clone.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SESSION, assistant, jsonl, text, toolResult, toolUse, user } from "./transcript.ts";

const CORPUS = join(import.meta.dir, "..", "..", "..", "shared", "corpus", "projects");

/** A typed prompt: a user line with text content that Claude Code wrote for a person (no tool result, no meta). */
export function isPrompt(line: string): boolean {
  try {
    const o = JSON.parse(line) as { type?: string; isMeta?: boolean; isSidechain?: boolean; message?: { content?: unknown } };
    if (o.type !== "user" || o.isMeta || o.isSidechain) return false;
    const c = o.message?.content;
    return typeof c === "string" ? !c.startsWith("<") : Array.isArray(c) && c.some((b) => (b as { type?: string }).type === "text");
  } catch {
    return false;
  }
}

/** Items in turns, each starting with a typed prompt (the first holds what came before it too). */
function cutAtPrompts<T>(items: T[], prompt: (item: T) => boolean): T[][] {
  const turns: T[][] = [[]];
  for (const item of items) {
    if (prompt(item) && (turns.at(-1) as T[]).some(prompt)) turns.push([]);
    (turns.at(-1) as T[]).push(item);
  }
  return turns;
}

const splitTurns = (lines: string[], count: number): string[][] => cutAtPrompts(lines, isPrompt).slice(0, count);

export interface ReplaySession {
  sessionId: string;
  turns: string[][];
  /** Where the lines come from, for the test's report. */
  from: string;
}

/**
 * `count` turns of the corpus's session with the most prompts (`rank` 1: the next one...), or of a written session
 * when the corpus is absent (each rank its own session and message ids).
 */
export function replaySession(count: number, rank = 0): ReplaySession {
  if (existsSync(CORPUS)) {
    const files = readdirSync(CORPUS, { recursive: true })
      .map((f) => join(CORPUS, String(f)))
      .filter((f) => f.endsWith(".jsonl") && !f.includes("agent-") && statSync(f).size < 400_000);
    const best = files
      .map((f) => ({ f, lines: readFileSync(f, "utf8").split("\n").filter(Boolean) }))
      .sort((a, b) => b.lines.filter(isPrompt).length - a.lines.filter(isPrompt).length)[rank];
    if (best && best.lines.filter(isPrompt).length >= count) {
      const turns = splitTurns(best.lines, count);
      const sessionId = /"sessionId":"([^"]+)"/.exec(turns.flat().join("\n"))?.[1] ?? SESSION;
      return { sessionId, turns, from: best.f };
    }
  }
  const sessionId = rank === 0 ? SESSION : SESSION.replace(/^1+/, (ones) => String(rank + 1).repeat(ones.length));
  const at = { sessionId };
  const turns = Array.from({ length: count }, (_, i) =>
    jsonl([
      user(`step ${i}: make the tests pass`, at),
      assistant(`msg_${rank}_${i}_a`, toolUse(`toolu_${rank}_${i}`, "Bash", { command: `npm test -- ${i}` }), at),
      toolResult(`toolu_${rank}_${i}`, `${i} passing`, at),
      assistant(`msg_${rank}_${i}_b`, text(`Step ${i} done.`), at),
    ])
      .trim()
      .split("\n"),
  );
  return { sessionId, turns, from: "a written session (../shared/corpus is not there)" };
}

/** A session's files as Claude Code writes them: its own transcript (when there is one) and its subagents'. */
export interface SessionFiles {
  sessionId: string;
  /** Relative to `projects/`; the session's own transcript, written or not. */
  own: string;
  hasOwn: boolean;
  agents: string[];
  /** Every line of its files in the order Claude Code wrote them: main thread and subagents by their times, each file's order kept. */
  lines: { file: string; line: string }[];
}

const lineTime = (line: string) => Date.parse(/"timestamp":"([^"]+)"/.exec(line)?.[1] ?? "");

/** Each file's lines, a line without a time taking the latest before it, merged by time (ties: the file listed first). */
function byTime(files: Map<string, string[]>): { file: string; line: string }[] {
  const streams = [...files].map(([file, lines]) => {
    let at = Number.NEGATIVE_INFINITY;
    return lines.map((line) => ({ file, line, at: (at = Math.max(at, lineTime(line) || at)) }));
  });
  const merged: { file: string; line: string }[] = [];
  for (;;) {
    const next = streams.filter((s) => s.length > 0).sort((a, b) => (a[0]?.at as number) - (b[0]?.at as number))[0];
    if (!next) return merged;
    const { file, line } = next.shift() as { file: string; line: string };
    merged.push({ file, line });
  }
}

/** The sessions under `projects`: 2.0's flat agent-*.jsonl files join the session their lines name, 2.1's <session>/subagents/ theirs. */
export function sessionsIn(projects: string): SessionFiles[] {
  const files = readdirSync(projects, { recursive: true }).map(String).filter((f) => f.endsWith(".jsonl"));
  const read = (f: string) => readFileSync(join(projects, f), "utf8").split("\n").filter(Boolean);
  const sessions = new Map<string, { own: string; hasOwn: boolean; files: Map<string, string[]> }>();
  for (const f of files.sort((a, b) => Number(a.includes("agent-")) - Number(b.includes("agent-")))) {
    const lines = read(f);
    const nested = /^(.+)\/([^/]+)\/subagents\/[^/]+$/.exec(f);
    const agent = /(^|\/)agent-[^/]+$/.test(f);
    const sessionId = nested ? (nested[2] as string) : agent ? /"sessionId":"([^"]+)"/.exec(lines.join("\n"))?.[1] : f.split("/").pop()?.replace(/\.jsonl$/, "");
    if (!sessionId) continue;
    const own = join(nested ? (nested[1] as string) : f.split("/").slice(0, -1).join("/"), `${sessionId}.jsonl`);
    const s = sessions.get(own) ?? { own, hasOwn: false, files: new Map<string, string[]>() };
    if (!agent) s.hasOwn = true;
    s.files.set(f, lines);
    sessions.set(own, s);
  }
  return [...sessions.values()].map((s) => ({
    sessionId: s.own.split("/").pop()?.replace(/\.jsonl$/, "") as string,
    own: s.own,
    hasOwn: s.hasOwn,
    agents: [...s.files.keys()].filter((f) => f !== s.own),
    lines: byTime(s.files),
  }));
}

/** A session's lines in turns, each starting with a typed prompt of its main thread. */
export function turnsOf(s: SessionFiles): { file: string; line: string }[][] {
  return cutAtPrompts(s.lines, (e) => e.file === s.own && isPrompt(e.line));
}
