import { DOUBLE_QUOTED, type Detector, type Finding, type Hits, SINGLE_QUOTED, widenedIfCut } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";
import { SECRET_KEY, isAssignedSecret } from "./assignment.ts";

/** A value, quoted or bare: one of three groups. */
const VALUE = String.raw`(?:${DOUBLE_QUOTED}|${SINGLE_QUOTED}|([^\s"',}<>]{1,1000}))`;

/**
 * A secret's name and its value as two fields of one record: a Kubernetes container's
 * `- name: DB_PASSWORD` / `value: "…"`, ECS task definitions and `aws ssm get-parameter` output
 * (`"Name": "/prod/db/password", … "Value": "…"`), Postman's `{"key": "X-API-Key", "value": "…"}`,
 * .NET's `<add key="ApiKey" value="…" />`, Spring's `<property name="password" value="…"/>`,
 * CloudFormation's `{"ParameterKey": "DBPassword", "ParameterValue": "…"}` (also as the CLI's
 * `ParameterKey=…,ParameterValue=…`), Azure's `az storage account keys list` (`"keyName": "key1", …
 * "value": "…"`). The value is judged as if it were assigned to the name.
 * The name is taken whole, never shortened to try again (a lookahead's capture, matched as a
 * back-reference: an atomic group): a run of `key=key=…` would otherwise cost each hit a retry
 * per character of the name, per character of the gap.
 */
const NAME_VALUE = new RegExp(
  String.raw`(?<![A-Za-z0-9_-])(?:parameter|option|key)?(?:name|key)["']?[ \t]*[:=][ \t]*(["']?)(?=([^"'\s,}>]{1,100}))\2\1([^]{0,160}?)(?<![A-Za-z0-9_-])(?:parameter|option)?value["']?[ \t]*[:=][ \t]*${VALUE}`,
  "diy",
);

/**
 * Between the two fields: no other name or key, and no end of the record (an object, an element,
 * a list item; not a diff's `-` before the value's line, which is no item of its own).
 */
const ANOTHER_FIELD = /(?<![A-Za-z0-9_-])(?:name|key)["']?[ \t]*[:=]|[{}<>]|\n[ \t]*-[ \t]+(?![ \t]|value|$)/i;

const CHANGED_VALUE = new RegExp(String.raw`[ \t]*\r?\n[+-][ \t]+value["']?[ \t]*[:=][ \t]*${VALUE}`, "dy");

const KEY_NAME = /^keyname/i;

export const nameValueDetector: Detector = {
  keywords: ["name", "key", "parameterkey", "optionname"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      NAME_VALUE.lastIndex = hits[i] as number;
      const m = NAME_VALUE.exec(text);
      if (!m) continue;
      const [, , named, between, double, single, bare] = m;
      const value = double ?? single ?? bare;
      // A record naming a key (Azure's `"keyName": "key1"`) holds the key itself: judged as a key, a random-looking value only.
      const name = KEY_NAME.test(m[0]) ? "storage_key" : named;
      if (name === undefined || value === undefined || ANOTHER_FIELD.test(between ?? "") || !SECRET_KEY.test(name)) continue;
      // JSX's `value={password}`: an expression, not a value.
      if (bare?.startsWith("{")) continue;
      const group = double !== undefined ? 4 : single !== undefined ? 5 : 6;
      const span = m.indices?.[group];
      if (!span || !isAssignedSecret(name, value, bare === undefined, text[span[1]])) continue;
      out.push({ start: span[0], end: span[1], kind: "secret", ...widenedIfCut(value) });
      // A diff's next line that changes the value (`-  value: old` then `+  value: new`).
      CHANGED_VALUE.lastIndex = span[1] + (bare === undefined ? 1 : 0);
      const next = CHANGED_VALUE.exec(text);
      const nextSpan = next?.indices?.[1] ?? next?.indices?.[2] ?? next?.indices?.[3];
      if (next && nextSpan && isAssignedSecret(name, text.slice(nextSpan[0], nextSpan[1]), next[3] === undefined, undefined)) {
        out.push({ start: nextSpan[0], end: nextSpan[1], kind: "secret", ...widenedIfCut(text.slice(nextSpan[0], nextSpan[1])) });
      }
    }
  },
};

/**
 * `terraform output -json`: an output marked sensitive, printed with its value
 * (`"db_password": {"sensitive": true, "type": "string", "value": "…"}`). The name says
 * nothing (`admin_key`, `connection`); Terraform's mark does.
 */
const SENSITIVE_OUTPUT =
  /"sensitive"[ \t]*:[ \t]*true[ \t]*,\s{0,40}(?:"type"[ \t]*:[ \t]*(?:"[^"\r\n]{0,100}"|\[[^\]\r\n]{0,200}\])[ \t]*,\s{0,40})?"value"[ \t]*:[ \t]*"((?:[^"\\\r\n]|\\[^\r\n]){1,2000})"/dy;

/**
 * Terraform's state (`terraform.tfstate`, `terraform show -json`): an output's value before its
 * mark (`"value": "…", "type": "string", "sensitive": true`); and a `random_password`'s result,
 * the password Terraform made, a few lines below the resource's type (`resource "random_password" "db" {` in `terraform state show`).
 */
const STATE_OUTPUT =
  /"value"[ \t]*:[ \t]*"((?:[^"\\\r\n]|\\[^\r\n]){1,2000})"[ \t]*,\s{0,40}(?:"type"[ \t]*:[ \t]*(?:"[^"\r\n]{0,100}"|\[[^\]\r\n]{0,200}\])[ \t]*,\s{0,40})?"sensitive"[ \t]*:[ \t]*true/dy;
/** Its result in JSON (`"result": "…"`), or as `terraform state show` and `terraform show` print the resource (`result = "…"`). */
const RANDOM_RESULT = /(?:"result"[ \t]*:|(?<![\w"])result[ \t]*=)[ \t]*"((?:[^"\\\r\n]|\\[^\r\n]){1,2000})"/dg;
/** How far below a random_password's type its result is looked for: its instance's attributes. */
const RANDOM_REACH = 1500;

/**
 * 1Password's `op item get --format json`: a field of type CONCEALED (a password, a credential)
 * and its value, a few fields below it in the same object. So are Vercel's environment variables of type
 * encrypted, secret or sensitive (`vercel env ls`'s JSON, its API's `{"type": "encrypted", "key": …, "value": …}`),
 * and an API key's record (`{"object": "api_key", …, "value": …}`): a key with no prefix of its own (Mistral's,
 * Cloudflare's) is known by the record it is in.
 */
const SECRET_MARK = String.raw`CONCEALED|encrypted|secret|sensitive|(?:[\w.]{0,60}\.)?api_key`;
const CONCEALED_FIELD = new RegExp(
  String.raw`"(?:type|object)"[ \t]*:[ \t]*"(?:${SECRET_MARK})"[ \t]*,(?:\s{0,40}"(?!value")[A-Za-z_]{1,20}"[ \t]*:[ \t]*(?:"[^"\\\r\n]{0,300}"|[\w.-]{1,40})[ \t]*,){0,6}\s{0,40}"value"[ \t]*:[ \t]*"((?:[^"\\\r\n]|\\[^\r\n]){1,2000})"`,
  "dy",
);
const SECRET_MARK_WHOLE = new RegExp(`^(?:${SECRET_MARK})$`);
/** A record's type or object that marks its `value` secret, as an object's field (redact.ts, a tool's input). */
export const isSecretMark = (v: string): boolean => SECRET_MARK_WHOLE.test(v);

/** Terraform's mark: `"sensitive"` as a field's name (as a type's value, Vercel's mark). */
const SENSITIVE_NAME = /"sensitive"[ \t]*:/y;
/** How far before a concealed field's mark its `"type"` or `"object"` is looked for (an API key's object is dotted: `organization.project.api_key`). */
const MARK_BACK = 100;

/** A value that a mark beside it says is secret: Terraform's sensitive output, 1Password's concealed field, Vercel's encrypted variable, an API key's record. */
export const markedSecretDetector: Detector = {
  keywords: ['"sensitive"', '"concealed"', '"random_password"', '"encrypted"', '"secret"', 'api_key"'],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (text.startsWith('"random_password"', at)) {
        randomResult(text, hits[i + 1] as number, out);
        continue;
      }
      SENSITIVE_NAME.lastIndex = at;
      const sensitive = SENSITIVE_NAME.test(text);
      if (sensitive) stateOutput(text, at, out);
      // A concealed field's mark is the value of its "type" (or "object"), a few characters before.
      const back = text.slice(Math.max(0, at - MARK_BACK), at);
      const from = sensitive ? at : Math.max(back.lastIndexOf('"type"'), back.lastIndexOf('"object"'));
      if (from < 0) continue;
      const rule = sensitive ? SENSITIVE_OUTPUT : CONCEALED_FIELD;
      rule.lastIndex = sensitive ? at : Math.max(0, at - MARK_BACK) + from;
      const m = rule.exec(text);
      const span = m?.indices?.[1];
      if (m && span && !isStandIn(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  },
};

/** A state's output marked sensitive after its value: the last `"value"` a value's length before the mark. */
function stateOutput(text: string, at: number, out: Finding[]): void {
  const back = Math.max(0, at - 2400);
  const from = text.slice(back, at).lastIndexOf('"value"');
  if (from < 0) return;
  STATE_OUTPUT.lastIndex = back + from;
  const m = STATE_OUTPUT.exec(text);
  const span = m?.indices?.[1];
  // The mark found is this one: not a later output's, past another output's unmarked value.
  if (m && span && m.index + m[0].lastIndexOf('"sensitive"') === at && !isStandIn(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
}

/** The first `"result"` below a random_password's type, within its instance. */
function randomResult(text: string, end: number, out: Finding[]): void {
  const window = text.slice(end, end + RANDOM_REACH);
  RANDOM_RESULT.lastIndex = 0;
  const m = RANDOM_RESULT.exec(window);
  const span = m?.indices?.[1];
  if (m && span && !isStandIn(m[1] as string)) out.push({ start: end + span[0], end: end + span[1], kind: "password" });
}
