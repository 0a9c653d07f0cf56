import { PASTED_PROMPT } from "./pasted-prompt.ts";
import { decodedText } from "./lone-secret.ts";

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
  const decoded = decodedText((m[1] as string).replace(/\r?\n/g, ""));
  return decoded === undefined ? undefined : { start: span[0], end: span[1], decoded };
}

/**
 * A file encoded by a command pasted with its output among other lines (`$ base64 -w0 .env`, `$ base64 < sa.json`, `$ cat .env | base64`,
 * `$ openssl base64 -A -in .env`,
 * then the base64, then more): the file's name, and where its base64 lines are with what they decode to, read as a text that is only
 * base64 is (above). A prompt and what else a pasted command's line may hold before it may come first (`$ cd app && base64 -w0 .env`:
 * pasted-prompt.ts); no decoding (`-d`, `--decode`), no pipe after it but into `tee`, which prints what it writes (`$ base64 -w0 .env | tee env.b64`),
 * or `tr -d '\n'`, which joins the lines; macOS's `base64 -i .env -o -` writes to the output too.
 */
const ENCODES_FILE = new RegExp(
  String.raw`^${PASTED_PROMPT}(?:cat[ \t]+(["']?)([^\s"'|;&<>]{1,300})\1[ \t]*\|[ \t]*base64(?:[ \t]+-(?!d\b|-decode)[\w-]{1,20}(?:[ \t=]+\d{1,5})?)*|base64(?:[ \t]+-(?!d\b|-decode)[\w-]{1,20}(?:[ \t=]+\d{1,5})?)*[ \t]+(?:<[ \t]*)?(["']?)([^\s"'|;&<>-][^\s"'|;&<>]{0,299})\3(?:[ \t]+-o[ \t]+-(?![^\s|;&]))?|openssl[ \t]+(?:base64|enc[ \t]+-(?:base64|a))(?:[ \t]+-(?!d\b|in\b)[\w-]{1,20})*[ \t]+-in[ \t]+(["']?)([^\s"'|;&<>]{1,300})\5(?:[ \t]+-(?!d\b)[\w-]{1,20}(?:[ \t]+[^\s"'|;&<>-][^\s"'|;&<>]{0,300})?)*)(?:[ \t]*\|[ \t]*(?:tee(?:[ \t]+-[A-Za-z]{1,5})*(?:[ \t]+[^\s"'|;&<>-][^\s"'|;&<>]{0,299})?|tr[ \t]+-d[ \t]+(?:'\\n'|"\\n"|\\\\n|'\\r\\n'|"\\r\\n")))?[ \t]*\r?\n`,
  "gm",
);
/** The output's lines: base64 only, up to the first other line. */
const BASE64_LINES = /(?:[A-Za-z0-9+/]{4,}={0,2}[ \t]*(?:\r?\n|$))+/y;

export function pastedEncodings(text: string): Array<{ file: string; start: number; end: number; decoded: string }> {
  const out: Array<{ file: string; start: number; end: number; decoded: string }> = [];
  if (!text.includes("base64")) return out;
  for (const m of text.matchAll(ENCODES_FILE)) {
    const from = (m.index as number) + m[0].length;
    BASE64_LINES.lastIndex = from;
    const lines = BASE64_LINES.exec(text);
    const encoded = lines ? encodedText(lines[0]) : undefined;
    if (encoded) out.push({ file: (m[2] ?? m[4] ?? m[6]) as string, start: from + encoded.start, end: from + encoded.end, decoded: encoded.decoded });
  }
  return out;
}
