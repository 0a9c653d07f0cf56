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

function splitTurns(lines: string[], count: number): string[][] {
  const turns: string[][] = [[]];
  for (const line of lines) {
    if (isPrompt(line) && (turns.at(-1) as string[]).some(isPrompt)) turns.push([]);
    (turns.at(-1) as string[]).push(line);
  }
  return turns.slice(0, count);
}

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
