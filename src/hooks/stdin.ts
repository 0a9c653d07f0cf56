import { characterDevice } from "../runtime/stdio.ts";
import { EventFields } from "./input.ts";

/** Enough of an event to show its start, and to hold a short one whole (a hand-typed test, a script's). */
const HEAD_BYTES = 1024;

interface StdinRead {
  /** The event's fields the hook passes on; undefined when stdin held no JSON object. */
  value?: Record<string, string>;
  /** Bytes read. */
  length: number;
  /** The first bytes read (HEAD_BYTES at most): what the log says of an event it cannot use. */
  head: Uint8Array;
  /** The input is no JSON object, or ended before its object did and before the fields the hook passes on. */
  broken: boolean;
  /** Stdin stayed open without the fields or the object's end until the wait ran out. */
  timedOut: boolean;
  /** Reads and drops the rest of the event: until its object ends, stdin closes or nothing comes for the wait. */
  drain(): Promise<void>;
}

/**
 * Stdin until it holds the fields the hook passes on (or the event's end),
 * closes, or `waitMs` pass: Claude Code may keep the pipe open after writing
 * the event. The rest of a large event is not kept (the transcript holds all
 * of it) but is read to its end once the request is queued: a hook that exits
 * with its stdin unread breaks the pipe Claude Code is still writing, which it
 * may show as a hook error.
 */
export async function readStdinJson(waitMs: number): Promise<StdinRead> {
  // A terminal (someone typed the command) or /dev/null: no event to wait for.
  if (characterDevice(0)) return { length: 0, head: new Uint8Array(), broken: true, timedOut: false, drain: async () => {} };
  const reader = Bun.stdin.stream().getReader();
  const event = new EventFields();
  let length = 0;
  let head: Uint8Array = new Uint8Array();
  let timedOut = false;
  // Cancelling ends the pending read, and lets the process exit although the pipe is still open.
  const giveUp = () => {
    timedOut = true;
    reader.cancel().catch(() => {});
  };
  let timer = setTimeout(giveUp, waitMs);
  const drain = async () => {
    try {
      while (!event.closed && !event.invalid && !timedOut) {
        // The wait counts from the last bytes: a large event still being written (a loaded machine) is read to its end.
        clearTimeout(timer);
        timer = setTimeout(giveUp, waitMs);
        const { value, done } = await reader.read();
        if (done) break;
        event.feed(value);
      }
    } catch {
      // Cancelled by the wait, or the pipe broke: nothing more to read either way.
    } finally {
      clearTimeout(timer);
      reader.cancel().catch(() => {});
    }
  };
  try {
    while (!event.done) {
      const { value, done } = await reader.read();
      if (done) break;
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, value.subarray(0, HEAD_BYTES - head.length)]);
      length += value.length;
      event.feed(value);
    }
  } catch (error) {
    await drain();
    throw error;
  }
  // Ended early (EOF) is used as far as it goes: the session id is all a sync needs.
  const usable = !event.invalid && length > 0 && (event.done || !timedOut);
  const broken = event.invalid || (!event.done && !timedOut);
  return { ...(usable ? { value: event.fields } : {}), length, head, broken, timedOut: timedOut && !event.done, drain };
}
