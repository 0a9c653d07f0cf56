import type { Finding } from "../detectors.ts";
import { WORDS_NAME, isStandIn } from "../look-alikes.ts";
import { withoutNotices } from "./tool-notices.ts";

/**
 * A text that is nothing but one random-looking word: a key pasted alone when Claude asked for it,
 * or a secret printed alone by the command Claude ran (`echo $API_KEY`, `op read …`, `terraform
 * output -raw db_password`, `gcloud secrets versions access …`, `openssl rand -base64 32`). The
 * command is in another message, so no name or format says what it is; that it stands alone does.
 * Base62 or base64 with upper case, lower case and digits, at least 14 characters; or a password
 * with symbols, at least 12. Not the ids
 * that stand alone in tool calls and results: Claude Code's carry a typed prefix (`toolu_…`),
 * hashes and UUIDs are hex, paths start with `/`. Nor a file in base64, told by its first bytes
 * (PNG, GIF, PDF, zip, gzip).
 */
const LONE = /^\s*["']?([A-Za-z0-9+_-][A-Za-z0-9+/_-]{13,511}={0,2})["']?\s*$/d;
/** A password printed alone (`op read`, `heroku config:get`, Django's `get_random_secret_key()`): with a symbol, no `/` or `.` (paths, versions, addresses). */
const LONE_SYMBOLIC = /^\s*["']?([A-Za-z0-9!#$%^&*()+=?~@_-]{12,128})["']?\s*$/d;
const SYMBOL = /[!#$%^&*()+=?~@]/;
/** Not a password: a call (`foo(bar)`), an assignment or a query (`NODE_ENV=production`, `a=1&b=2`), whose rules are the assignment's, or percent-encoded text. */
const CODE_LIKE = /^[A-Za-z_]\w*\(\w*\)|^[A-Za-z_][\w.-]*=|%[0-9A-Fa-f]{2}/;
const FILE_MAGIC = /^(?:iVBORw0KGgo|R0lGOD|JVBERi0|UEsDB|H4sI)/;
const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;
const DIGIT = /\d/;
const TYPED_ID = /^[a-z]{2,12}_/;
const HEX = /^[0-9A-Fa-f-]+$/;
/** Public ids: a checksummed Ethereum address, an IPFS CID, a GitHub advisory. */
const PUBLIC_ID = /^0x[0-9a-fA-F]{40}$|^Qm[1-9A-HJ-NP-Za-km-z]{44}$|^GHSA(?:-[0-9a-z]{4}){3}$/;
/**
 * A name pinned to a version, as Vertex AI writes a model (`claude-opus-4-5@20251101`,
 * `claude-sonnet-4-6@default`): lowercase words joined by `-`, then `@` and a date, `default` or
 * `latest`. A password made of words has capitals or a year alone after its `@` (`Summer2024@123`).
 */
const PINNED_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+@(?:(?:19|20)\d{6}|default|latest)$/;
/** A password hash standing alone (bcrypt, argon2, crypt's), as a query or a script prints it. */
const PASSWORD_HASH_TEXT = /^\s*(\$(?:2[abxy]\$\d{2}|argon2id?\$v=\d+\$[^$\s]+|apr1|1|5|6|y)\$[./A-Za-z0-9$=+,-]{16,1000})\s*$/d;

/**
 * What base64 decodes to when that is words or a JSON object (`SGVsbG8sIFdvcmxkIQ==`): text with a space or
 * a brace in it. Not a password encoded alone (`kubectl get secret … {.data.password}`): one word.
 */
export function decodedText(word: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(word) || word.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(word, "base64");
  const printable = bytes.length > 0 && bytes.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x09 || b === 0x0d);
  return printable && bytes.some((b) => b === 0x20 || b === 0x0a || b === 0x7b) ? bytes.toString("latin1") : undefined;
}

/** Whether base64 decodes to text (decodedText). */
export const encodesText = (word: string): boolean => decodedText(word) !== undefined;


/**
 * The text's one word when it is such a secret. Not a keyword rule: redact.ts asks it of a text
 * no rule found anything in, so the many small strings of a tool call cost one length check.
 */
export function loneSecret(whole: string): Finding | undefined {
  // A tool's result may end in Claude Code's notice (tool-notices.ts, a few hundred characters): the word is what comes before it.
  if (whole.length > 4096) return undefined;
  const text = withoutNotices(whole);
  if (text.length < 12 || text.length > 1024) return undefined;
  const hash = PASSWORD_HASH_TEXT.exec(text);
  if (hash?.indices?.[1]) return { start: hash.indices[1][0], end: hash.indices[1][1], kind: "password-hash" };
  const plain = LONE.exec(text);
  const m = plain ?? LONE_SYMBOLIC.exec(text);
  const word = m?.[1];
  const span = m?.indices?.[1];
  if (!word || !span || !LOWER.test(word) || TYPED_ID.test(word) || HEX.test(word) || FILE_MAGIC.test(word) || WORDS_NAME.test(word) || PUBLIC_ID.test(word)) return undefined;
  if (encodesText(word) || isStandIn(word)) return undefined;
  // Plain: both cases and a digit. With a symbol: small letters and a capital or a digit.
  const mixed = plain
    ? UPPER.test(word) && DIGIT.test(word)
    : SYMBOL.test(word) && (UPPER.test(word) || DIGIT.test(word)) && !CODE_LIKE.test(word) && !WORDS_NAME.test(word.replace(/[!?]+$/, "")) && !PINNED_NAME.test(word);
  return mixed ? { start: span[0], end: span[1], kind: "secret" } : undefined;
}

const LINE = /[^\n]+/g;
/** A line that is one base64-ish word: a candidate, or a line of an encoded blob. */
const WORD_LINE = /^\s*[A-Za-z0-9+/_-]+={0,2}\s*$/;

/**
 * Lines that are each one random-looking word (by `loneSecret`'s rules), in a text where a rule
 * found a secret: secrets are pasted together ("admin pass: …", then an AWS secret on a line of
 * its own), and the others are told by their company. Not the lines of an encoded blob (a
 * certificate's body, base64 wrapped): a word line beside another of its width, or the short
 * last line after a long one.
 */
export function loneLines(text: string): Finding[] {
  const lines: Array<{ start: number; text: string }> = [];
  LINE.lastIndex = 0;
  for (let m = LINE.exec(text); m !== null; m = LINE.exec(text)) lines.push({ start: m.index, text: m[0] });
  const out: Finding[] = [];
  const wordLine = (i: number) => {
    const line = lines[i]?.text;
    return line !== undefined && WORD_LINE.test(line) ? line.trim().length : undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const { start, text: line } = lines[i] as { start: number; text: string };
    // Base62 or base64 only, and long: a password with symbols alone on a line is as often code.
    if (line.length > 1024 || line.trim().length < 20 || !WORD_LINE.test(line)) continue;
    const found = loneSecret(line);
    if (!found || found.kind !== "secret") continue;
    const width = line.trim().length;
    const before = wordLine(i - 1);
    const after = wordLine(i + 1);
    if (before === width || after === width || (before !== undefined && before >= 60 && width < before)) continue;
    out.push({ ...found, start: start + found.start, end: start + found.end });
  }
  return out;
}
