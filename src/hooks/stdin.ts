import { characterDevice } from "../runtime/stdio.ts";
import { completeObject } from "./input.ts";

interface StdinRead {
  /** The JSON value read; undefined when stdin held none. */
  value?: unknown;
  /** Characters read. */
  length: number;
  /** Stdin stayed open without a complete JSON object until the wait ran out. */
  timedOut: boolean;
}

/**
 * Stdin until it holds a complete JSON object, closes, or `waitMs` pass:
 * Claude Code may keep the pipe open after writing the event, and a hook must
 * return as soon as it has what it needs.
 */
export async function readStdinJson(waitMs: number): Promise<StdinRead> {
  // A terminal (someone typed the command) or /dev/null: no event to wait for.
  if (characterDevice(0)) return { length: 0, timedOut: false };
  const reader = Bun.stdin.stream().getReader();
  const decoder = new TextDecoder();
  let text = "";
  let timedOut = false;
  // Cancelling ends the pending read, and lets the process exit although the pipe is still open.
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => {});
  }, waitMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const object = completeObject(text);
      if (object !== undefined) return { value: object, length: text.length, timedOut: false };
    }
    text += decoder.decode();
    return { value: timedOut ? undefined : parseJson(text), length: text.length, timedOut };
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
