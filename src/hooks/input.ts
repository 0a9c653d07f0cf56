import type { SyncRequest } from "./queue.ts";

/** Claude Code names sessions by UUID; anything else in `session_id` (a token pasted by a script...) would end up in the logs. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The fields of a hook event (what Claude Code sends a hook on stdin) that the
 * hook passes on; undefined without a session id. Every event has fields of
 * its own: the others are ignored. A check by hand, not zod: see enqueue.ts.
 */
export function requestFromEvent(event: unknown): Pick<SyncRequest, "sessionId" | "transcriptPath"> | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const { session_id: sessionId, transcript_path: transcriptPath } = event as Record<string, unknown>;
  if (typeof sessionId !== "string" || !SESSION_ID.test(sessionId)) return undefined;
  return typeof transcriptPath === "string" ? { sessionId, transcriptPath } : { sessionId };
}

/** The top-level fields the hook passes on: once both are read, the rest of the event is not needed. */
const WANTED = ["session_id", "transcript_path"];
/** A key longer than this is none of ours: its bytes are not kept. */
const MAX_KEY_BYTES = 64;

const isSpace = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The wanted top-level string fields of a JSON object read as its bytes
 * arrive, without parsing the rest: Claude Code writes `session_id` and
 * `transcript_path` first, and a Stop's `last_assistant_message` or a
 * PostToolUse's `tool_response` can be tens of MB (a 20 MB Stop took the hook
 * 2.2 s to read and parse whole). Keys of nested objects are skipped by depth.
 */
export class EventFields {
  readonly fields: Record<string, string> = {};
  /** The input is no JSON object. */
  invalid = false;
  /** The top-level object ended. */
  closed = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private afterColon = false;
  private key: string | undefined;
  /** Bytes of the top-level key or wanted value being read; undefined for a string that does not matter. */
  private text: number[] | undefined;
  private isKey = false;
  private fed = false;

  /** Whether the event holds all it can give: the wanted fields, or its end, or nothing usable. */
  get done(): boolean {
    return this.invalid || this.closed || WANTED.every((k) => k in this.fields);
  }

  /** Reads on to the object's end (drain), past the wanted fields: what comes after them is not kept. */
  feed(bytes: Uint8Array): void {
    const first = !this.fed;
    this.fed = true;
    if (first && this.wholeObject(bytes)) return;
    for (let i = 0; i < bytes.length && !this.closed && !this.invalid; i++) {
      if (this.inString && !this.text) {
        i = this.skipString(bytes, i);
        if (i >= bytes.length) return;
      }
      this.byte(bytes[i] as number);
    }
  }

  /**
   * The usual event, a few hundred bytes that come in one chunk, read by JSON.parse: stepping through its
   * bytes one call each took a third of the hook's own time. False, with nothing read, for anything else.
   */
  private wholeObject(bytes: Uint8Array): boolean {
    let last = bytes.length - 1;
    while (last >= 0 && isSpace(bytes[last])) last--;
    if (bytes[last] !== 0x7d) return false;
    let event: unknown;
    try {
      event = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return false;
    }
    if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
    for (const key of WANTED) {
      const value = (event as Record<string, unknown>)[key];
      if (typeof value === "string") this.fields[key] = value;
    }
    this.closed = true;
    return true;
  }

  /**
   * Where a string none of ours (a 20 MB message) ends in `bytes`: its closing quote, or past the end. A native
   * search for each quote, not a step per byte: walking 20 MB of escaped text byte by byte took the hook 3 s.
   * A quote is the string's end when an even run of backslashes comes before it.
   */
  private skipString(bytes: Uint8Array, from: number): number {
    let i = from;
    if (this.escaped) {
      this.escaped = false;
      i++;
    }
    for (;;) {
      const quote = bytes.indexOf(QUOTE, i);
      const end = quote < 0 ? bytes.length : quote;
      let run = 0;
      while (end - run > i && bytes[end - run - 1] === BACKSLASH) run++;
      if (quote < 0) {
        // A backslash as the chunk's last byte escapes the next chunk's first.
        this.escaped = run % 2 === 1;
        return bytes.length;
      }
      if (run % 2 === 0) return quote;
      i = quote + 1;
    }
  }

  private byte(b: number): void {
    if (this.inString) return this.stringByte(b);
    if (isSpace(b)) return;
    if (this.depth === 0 && b !== 0x7b) {
      this.invalid = true;
      return;
    }
    const wasAfterColon = this.afterColon;
    this.afterColon = false;
    if (b === QUOTE) {
      this.inString = true;
      this.isKey = this.depth === 1 && !wasAfterColon;
      this.text = this.isKey || (this.depth === 1 && this.key !== undefined && WANTED.includes(this.key)) ? [] : undefined;
    } else if (b === 0x7b || b === 0x5b) this.depth++;
    else if (b === 0x7d || b === 0x5d) {
      if (--this.depth === 0) this.closed = true;
    } else if (b === 0x3a && this.depth === 1) this.afterColon = true;
  }

  private stringByte(b: number): void {
    if (this.escaped) this.escaped = false;
    else if (b === BACKSLASH) this.escaped = true;
    else if (b === QUOTE) {
      this.inString = false;
      const value = this.text && decodeString(this.text);
      if (this.isKey) this.key = value;
      else if (this.key !== undefined && value !== undefined) this.fields[this.key] = value;
      this.text = undefined;
      return;
    }
    if (!this.text) return;
    this.text.push(b);
    if (this.isKey && this.text.length > MAX_KEY_BYTES) this.text = undefined;
  }
}

/** A JSON string's contents (escapes included) as text; undefined when they are not valid JSON. */
function decodeString(bytes: number[]): string | undefined {
  try {
    return JSON.parse(`"${new TextDecoder().decode(new Uint8Array(bytes))}"`) as string;
  } catch {
    return undefined;
  }
}
