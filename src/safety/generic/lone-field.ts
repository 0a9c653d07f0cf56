import type { Detector, Finding, Hits } from "../detectors.ts";
import { NO_CREDENTIAL_NAME } from "../look-alikes.ts";
import { isCredentialShaped } from "./inline-variables.ts";
import { loneSecret } from "./lone-secret.ts";
import { pastedCommands } from "./pasted-dump.ts";
import { OUTPUT_END } from "./pasted-prompt.ts";
import { withoutNotices } from "./tool-notices.ts";

/**
 * A text that is nothing but a JSON object of one string field, nested at most three deep (`{"value": "…"}`, `{"data": {"key": "…"}}`),
 * as an API answers a request for a key (a Bash call's `curl …/keys`, a WebFetch's result): the value is all the answer holds, as a
 * word printed alone is, whatever the field's name. It goes when it is such a lone word (lone-secret.ts: not a typed id as `req_…`, a
 * hash, a file in base64) shaped as a credential (inline-variables.ts); a field named for an id, a hash, a tag, a cursor or a version stays.
 */
const ONE_FIELD = /^\s*((?:\{\s*"[^"\\\r\n]{1,100}"\s*:\s*){1,3})"([^"\\\r\n]{16,1000})"\s*((?:\}\s*){1,3})$/d;
const LAST_KEY = /"([^"]*)"\s*:\s*$/;
const NOT_A_SECRET_WORD = new Set(["id", "ids", "uuid", "guid", "etag", "hash", "digest", "sha", "sha1", "sha256", "checksum", "cursor", "version", "rev", "revision", "tag"]);

/** The field's value, when the text is such an object and the value such a word. */
export function loneField(whole: string): Finding | undefined {
  if (whole.length > 4096) return undefined;
  const m = ONE_FIELD.exec(withoutNotices(whole));
  const span = m?.indices?.[2];
  if (!m || !span || (m[1] as string).split("{").length !== (m[3] as string).split("}").length) return undefined;
  const key = LAST_KEY.exec(m[1] as string)?.[1] ?? "";
  const last = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).pop() ?? "";
  const value = m[2] as string;
  if (NOT_A_SECRET_WORD.has(last) || NO_CREDENTIAL_NAME.test(key) || !isCredentialShaped(value) || loneSecret(value)?.kind !== "secret") return undefined;
  return { start: span[0], end: span[1], kind: "secret" };
}

/** The longest output read below a pasted request: loneField's bound. */
const OUTPUT_MAX = 4096;
const BLANK_LINE = /\n[ \t]*\r?\n/;

/**
 * Such an answer pasted below the request that fetched it (`$ curl -s https://api…/keys`, wget's, HTTPie's), among other lines: the
 * output read as loneField reads a whole text.
 */
export const pastedFieldDetector: Detector = {
  keywords: ["curl", "wget", "http ", "xh "],
  find(text: string, hits: Hits, out: Finding[]): void {
    pastedCommands(text, hits, OUTPUT_MAX, out, (_command, output, found) => {
      // It ends at the next prompt, a fence, or a blank line (the user's words go on after it).
      const end = Math.min(OUTPUT_END.exec(output)?.index ?? output.length, BLANK_LINE.exec(output)?.index ?? output.length);
      const field = loneField(output.slice(0, end));
      if (field) found.push(field);
      return end;
    });
  },
};
