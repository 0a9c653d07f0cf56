import { savedRedactPatterns } from "../config/store.ts";
import { createRedactor } from "../safety/redact.ts";

/** Enough of the input to recognise it in the log; the rest is not shown. */
const SHOWN_CHARS = 40;

interface Input {
  /** The first bytes read (all of them when `length` is no more). */
  head: Uint8Array;
  length: number;
  /** The reader found no JSON object, or its end came first (stdin.ts). */
  broken: boolean;
}

/**
 * Why a hook's stdin gave no request, for the log (loaded only then): input that is not JSON is said so,
 * with its start, secrets redacted, the user's own patterns' too (it may be anything a script piped in), apart from a JSON event
 * without a session id.
 */
export function unusableInput(input: Input): string {
  const text = new TextDecoder().decode(input.head);
  const whole = input.length <= input.head.length;
  if (input.broken || (whole && !isJson(text))) {
    return `stdin is not JSON (${input.length} characters${input.length > 0 ? `, starting ${shown(text)}` : ""})`;
  }
  return "no Claude Code session id (a UUID) in the event";
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The input's start, redacted before it is cut (a cut secret may no longer look like one), quoted with control characters escaped.
 * The user's own patterns apply as in a sync: reading config.json costs only this rare path (its module loads for it alone).
 */
function shown(text: string): string {
  const redacted = createRedactor({ extraPatterns: savedRedactPatterns() }).redact(text).text;
  return JSON.stringify(redacted.slice(0, SHOWN_CHARS)) + (redacted.length > SHOWN_CHARS ? "…" : "");
}
