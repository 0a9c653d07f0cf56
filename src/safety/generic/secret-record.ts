import type { Finding } from "../detectors.ts";
import { MARKER_ONLY } from "../marker.ts";
import { vaultDataRows } from "./vault-data.ts";

/**
 * The values in a secret store's record, as a tool that reads one shows it (an MCP server for
 * Vault, 1Password, AWS Secrets Manager, Doppler…, or `op item get --format json`): JSON such as
 * `{"name": "stripe", "value": "…", "version": 3}`, Vault's `{"data": {"data": {"api_key": "…"},
 * "metadata": {…}}}`, 1Password's `"fields": [{"label": "password", "value": "…"}]`, or lines such
 * as `Secret value: …`. The command says the record holds a secret, so a value goes whatever its
 * shape; the field names and what describes the secret (names, ids, versions, dates, paths) stay.
 */

/**
 * Fields holding the secret (compared lowercase, without `_`, `-`, `.` or spaces): their value
 * goes, whatever its shape.
 */
const SECRET_FIELD = /(?:value|secret|secretstring|secretbinary|password|passphrase|passwd|plaintext|credential|token|pin)$/;
/**
 * Fields holding the secret's content as an object or a list (Vault's `data`, Doppler's `value:
 * {raw, computed}`, Google's `payload`): every field inside goes, whatever its name, but for METADATA.
 * Not a `secret: {…}` object, a record whose fields name it (Infisical's `secretKey`).
 */
const SECRET_CONTENT = /^(?:data|value|values|payload|secretdata)$/;

/**
 * Fields describing a secret, kept even inside its content: `metadata`, `name`, `version`,
 * `created_time`, `VersionId`, `path`. An id but a secret's (Vault's AppRole `secret_id`).
 */
const METADATA =
  /^(?:metadata|name|title|label|description|type|kind|category|version|versions|versionstages|path|arn|url|href|tags|reference|purpose|section|format|encoding|status|renewable|leaseduration|ttl)$|(?<!secret)id$|(?:created|updated|modified|deleted|expires?|rotated|accessed|lastused)|(?:date|time|timestamp)$/;

const normalised = (field: string) => field.toLowerCase().replace(/[-_. ]/g, "");

/** Whether a field's value is secret, inside a secret's content (`within`) or not. */
export function isSecretField(field: string, within: boolean): boolean {
  const name = normalised(field);
  return !METADATA.test(name) && (within || SECRET_FIELD.test(name));
}

/** Whether the object or list under `field` (none: a list's element) is a secret's content. */
export function isSecretContent(field: string | undefined, within: boolean): boolean {
  if (field === undefined) return within;
  const name = normalised(field);
  return !METADATA.test(name) && (within || SECRET_CONTENT.test(name));
}

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\r" || c === "\n";

/**
 * Where the JSON string starting with the quote at `at` ends (after its closing quote). A line
 * break ends it too: JSON strings hold none, so a stray quote in text around the JSON loses one line.
 */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else if (c === "\n") return i;
    else i++;
  }
  return text.length;
}

/** A bare JSON value's end: a number, `true`, `false`, `null`, or a word of the text around. */
function bareEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && !isSpace(text[i]) && !',:{}[]"'.includes(text[i] as string)) i++;
  return i;
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * The secret values of the JSON in `text`, in one pass that keeps, for each open object or list,
 * whether it is inside a secret: a tokenizer, not a parser, so that JSON after a line of text
 * (`Secret retrieved:`), several JSON blocks, or a cut one are read as well. A string is secret
 * under a secret's field or inside a secret; a number only right under a secret's field (a PIN
 * stored as one, not a `ttl` of the record).
 */
function jsonValues(text: string, out: Finding[]): void {
  const within: boolean[] = [];
  /** The field whose value comes next in the current object (a list's elements have none). */
  let field: string | undefined;
  const inside = () => within[within.length - 1] === true;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "{" || c === "[") {
      within.push(isSecretContent(field, inside()));
      field = undefined;
      i++;
    } else if (c === "}" || c === "]") {
      within.pop();
      field = undefined;
      i++;
    } else if (c === ",") {
      field = undefined;
      i++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      let next = end;
      while (isSpace(text[next]) && text[next] !== "\n") next++;
      // A key: its escapes stay as they are (no secret's field name holds one).
      if (text[next] === ":" && field === undefined) field = text.slice(i + 1, end - 1);
      else {
        const value = text.slice(i + 1, text[end - 1] === '"' ? end - 1 : end);
        if (value !== "" && !MARKER_ONLY.test(value) && (field === undefined ? inside() : isSecretField(field, inside()))) out.push({ start: i + 1, end: i + 1 + value.length, kind: "secret" });
        field = undefined;
      }
      i = end;
    } else if (isSpace(c) || c === ":") i++;
    else {
      const end = bareEnd(text, i);
      if (end === i) i++;
      else {
        if (field !== undefined && isSecretField(field, false) && NUMBER.test(text.slice(i, end))) out.push({ start: i, end, kind: "secret" });
        field = undefined;
        i = end;
      }
    }
  }
}

/**
 * A label and its value on a line: `Secret value: …`, `Password = …`, `- value: …`. Not JSON's
 * `"value": "…"` (jsonValues reads it) nor a value that opens an object or a list.
 */
const LABELLED = /^[ \t>*-]{0,8}([A-Za-z][A-Za-z0-9 _.-]{0,40}?)[ \t]{0,8}[:=][ \t]{0,8}([^\s"{[][^\r\n]{0,16383})/dgm;

function labelledValues(text: string, out: Finding[]): void {
  LABELLED.lastIndex = 0;
  for (let m = LABELLED.exec(text); m; m = LABELLED.exec(text)) {
    const value = (m[2] as string).trimEnd();
    const start = m.indices?.[2]?.[0];
    if (start !== undefined && isSecretField(m[1] as string, false) && !MARKER_ONLY.test(value)) out.push({ start, end: start + value.length, kind: "secret" });
  }
}

/** The secret values in a secret store's record (see above). */
export function recordValues(text: string): Finding[] {
  const out: Finding[] = [];
  jsonValues(text, out);
  labelledValues(text, out);
  vaultDataRows(text, out);
  return out;
}
