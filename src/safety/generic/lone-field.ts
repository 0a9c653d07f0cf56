import type { Detector, Finding, Hits } from "../detectors.ts";
import { NO_CREDENTIAL_NAME } from "../look-alikes.ts";
import { isCredentialShaped } from "./inline-variables.ts";
import { loneSecret } from "./lone-secret.ts";
import { pastedCommands } from "./pasted-dump.ts";
import { OUTPUT_END } from "./pasted-prompt.ts";
import { withoutNotices } from "./tool-notices.ts";
import { parsedJson } from "../../runtime/json-file.ts";

/**
 * A text that is nothing but a JSON object of one string field, nested at most three deep (`{"value": "…"}`, `{"data": {"key": "…"}}`),
 * as an API answers a request for a key (a Bash call's `curl …/keys`, a WebFetch's result): the value is all the answer holds, as a
 * word printed alone is, whatever the field's name. It goes when it is such a lone word (lone-secret.ts: not a typed id as `req_…`, a
 * hash, a file in base64) shaped as a credential (inline-variables.ts); a field named for an id, a hash, a tag, a cursor, a version or a
 * signature (a thinking block's `"signature"`, a webhook's: what a key made, not the key) stays.
 * So does an answer of a few values (FEW_VALUES) of which that value is the only one shaped as a credential: a key created is answered
 * with its id, name and dates beside it (`{"id": "tok_…", "value": "…", "created_at": …}`); two such values say nothing of which is a key.
 */
const FEW_VALUES = 6;
const MAX_DEPTH = 3;
const NOT_A_SECRET_WORD = new Set(["id", "ids", "uuid", "guid", "etag", "hash", "digest", "sha", "sha1", "sha256", "checksum", "cursor", "version", "rev", "revision", "tag", "signature", "fingerprint"]);

/** The object's values (an array's under its field's name), each with its field's name; undefined past FEW_VALUES or MAX_DEPTH. */
function fewValues(value: unknown, key: string, depth: number, out: [key: string, value: unknown][]): boolean {
  if (value === null || typeof value !== "object") return out.push([key, value]) <= FEW_VALUES;
  if (depth > MAX_DEPTH) return false;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v) => [key, v]) : Object.entries(value);
  return entries.every(([k, v]) => fewValues(v, k, depth + 1, out));
}

/** A value that goes under `key`: a lone word by lone-secret.ts's rules, shaped as a credential, its field not named for an id, a hash or a version. */
function isSecretField(key: string, value: string): boolean {
  const last = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).pop() ?? "";
  return !NOT_A_SECRET_WORD.has(last) && !NO_CREDENTIAL_NAME.test(key) && loneSecret(value)?.kind === "secret";
}

/** The one credential-shaped value, when the text is such an object and the value goes by its field. */
export function loneField(whole: string): Finding | undefined {
  if (whole.length > 4096) return undefined;
  const text = withoutNotices(whole);
  const parsed = /^\s*\{/.test(text) ? parsedJson(text) : undefined;
  const values: [string, unknown][] = [];
  if (parsed === undefined || !fewValues(parsed, "", 0, values)) return undefined;
  const shaped = values.filter((entry): entry is [string, string] => typeof entry[1] === "string" && isCredentialShaped(entry[1]));
  const [key, value] = shaped.length === 1 ? (shaped[0] as [string, string]) : ["", ""];
  // A token's characters need no escaping in JSON: its quoted form is in the text as it is.
  const at = value && isSecretField(key, value) ? text.indexOf(`"${value}"`) + 1 : 0;
  return at > 0 ? { start: at, end: at + value.length, kind: "secret" } : undefined;
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
