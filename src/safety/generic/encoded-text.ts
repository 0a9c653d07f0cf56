import { encodesText } from "./lone-secret.ts";

/**
 * A text that is nothing but base64 of text (one line, or lines wrapped at one width: `base64 .env`, `base64 -w0 sa.json`,
 * `echo $GOOGLE_CREDENTIALS_B64`): where it is and what it decodes to. A lone random word goes by its own rule (lone-secret.ts);
 * text encoded is left to what the text holds, which the caller reads (redact.ts): an environment file's or a key's JSON.
 */
const ENCODED = /^\s*([A-Za-z0-9+/]{16,}={0,2}(?:\r?\n[A-Za-z0-9+/]{4,}={0,2})*)\s*$/d;
/** The most read so: an environment file or a service account's key is a few kilobytes. */
const ENCODED_MAX = 65536;

export function encodedText(text: string): { start: number; end: number; decoded: string } | undefined {
  if (text.length > ENCODED_MAX) return undefined;
  const m = ENCODED.exec(text);
  const span = m?.indices?.[1];
  if (!m || !span) return undefined;
  const joined = (m[1] as string).replace(/\r?\n/g, "");
  if (!encodesText(joined)) return undefined;
  return { start: span[0], end: span[1], decoded: Buffer.from(joined, "base64").toString("utf8") };
}
