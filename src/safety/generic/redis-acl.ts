import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";
import { lineEnd, lineStart } from "./lines.ts";

/**
 * A Redis user's rules, as `ACL SETUSER` takes them (`redis-cli ACL SETUSER app on >hunter2x ~cached:* +get`) and as `ACL LIST` and
 * an ACL file (`users.acl`) show them (`user app on #8d96…c92 ~* +@all`, each line of the reply quoted after its number): a rule
 * `>…` adds a password as it is typed, whatever its shape (quoted, spaces and all), and `#…` one's SHA-256 (64 hex digits), which a
 * weak password is found back from; `<…` and `!…` remove one, naming it the same way. The user's name and its other rules stay.
 */
const ACL_BEFORE = /acl[ \t]{1,8}$/i;
/**
 * `user <name>` starting its line, or a reply's quoted line (`1) "user …"`), then `on` or `off` among its rules and one of keys,
 * channels or commands (`~*`, `&*`, `+@all`, `-@all`, `allkeys`, `nopass`…): not a sentence ("user on mobile > desktop").
 */
const USER_LINE = /^[ \t]*(?:\d{1,6}\)[ \t]+")?$/;
const STATE = /[ \t](?:on|off)(?=[ \t"]|$)/;
const ACL_RULE = /[ \t](?:%R?W?~\S|[~&]\S|[+-]@\w|all(?:keys|commands|channels)(?![\w-])|reset(?:channels|keys|pass)?(?![\w-])|nopass(?![\w-]))/;
const RULE = /(?<=^|[ \t])(?:(['"])([<>#!])([^'"\r\n]{1,1000})\1|([<>#!])([^\s'"]{1,1000}))/dg;
const HASH = /^[0-9a-f]{64}$/;
const HASHED = /[#!]/;
/** How far a line of rules is read: an ACL file's line is short; a long line is read this far once. */
const LINE_MAX = 4000;

function ruleSecrets(line: string, from: number, out: Finding[]): void {
  for (const m of line.matchAll(RULE)) {
    const group = m[3] !== undefined ? 3 : 5;
    const span = m.indices?.[group];
    const value = m[group] as string;
    const hashed = HASHED.test((m[group - 1] as string) ?? "");
    if (!span || isStandIn(value) || (hashed && !HASH.test(value))) continue;
    out.push({ start: from + span[0], end: from + span[1], kind: hashed ? "password-hash" : "password" });
  }
}

export const redisAclDetector: Detector = {
  keywords: ["setuser", "user "],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      const setuser = text.slice(at, at + 7).toLowerCase() === "setuser";
      if (setuser) {
        if (!ACL_BEFORE.test(text.slice(Math.max(0, at - 12), at))) continue;
      } else {
        const start = lineStart(text, at, 40);
        if (start === undefined || !USER_LINE.test(text.slice(start, at))) continue;
      }
      const end = lineEnd(text, at, LINE_MAX);
      const line = text.slice(at, end);
      if (!setuser && !(STATE.test(line) && ACL_RULE.test(line))) continue;
      done = end;
      ruleSecrets(line, at, out);
    }
  },
};
