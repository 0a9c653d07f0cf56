import type { Finding } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/**
 * A text that is nothing but one random-looking word: a key pasted alone when Claude asked for it,
 * or a secret printed alone by the command Claude ran (`echo $API_KEY`, `op read …`, `terraform
 * output -raw db_password`, `gcloud secrets versions access …`, `openssl rand -base64 32`). The
 * command is in another message, so no name or format says what it is; that it stands alone does.
 * Base62 or base64 with upper case, lower case and digits, at least 16 characters. Not the ids
 * that stand alone in tool calls and results: Claude Code's carry a typed prefix (`toolu_…`),
 * hashes and UUIDs are hex, paths start with `/`. Nor a file in base64, told by its first bytes
 * (PNG, GIF, PDF, zip, gzip).
 */
const LONE = /^\s*([A-Za-z0-9+_-][A-Za-z0-9+/_-]{15,511}={0,2})\s*$/d;
const FILE_MAGIC = /^(?:iVBORw0KGgo|R0lGOD|JVBERi0|UEsDB|H4sI)/;
const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;
const DIGIT = /\d/;
const TYPED_ID = /^[a-z]{2,12}_/;
const HEX = /^[0-9A-Fa-f-]+$/;

/**
 * The text's one word when it is such a secret. Not a keyword rule: redact.ts asks it of a text
 * no rule found anything in, so the many small strings of a tool call cost one length check.
 */
export function loneSecret(text: string): Finding | undefined {
  if (text.length < 16 || text.length > 1024) return undefined;
  const m = LONE.exec(text);
  const word = m?.[1];
  const span = m?.indices?.[1];
  if (!word || !span || !UPPER.test(word) || !LOWER.test(word) || !DIGIT.test(word) || TYPED_ID.test(word) || HEX.test(word) || FILE_MAGIC.test(word) || isStandIn(word)) return undefined;
  return { start: span[0], end: span[1], kind: "secret" };
}
