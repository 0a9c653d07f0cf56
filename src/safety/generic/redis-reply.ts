import type { Detector, Finding, Hits } from "../detectors.ts";
import { PASSWORD_NAME, SECRET_KEY, isAssignedSecret } from "./assignment.ts";

/**
 * A field and its value as redis-cli prints a reply of pairs, one numbered line each: `CONFIG GET
 * requirepass` (`1) "requirepass"` then `2) "…"`), `CONFIG GET *`, `HGETALL user:1`. The field
 * is on an odd line and its value on the next; the value is judged as if assigned to the field.
 */
const REPLY_PAIR = new RegExp(
  String.raw`(\d{1,6})\) "((?:[^"\\\r\n]|\\[^\r\n]){1,100})"(?:[ \t]*\r?\n[ \t]{0,12}|[ \t]{1,12})(\d{1,6})\) "((?:[^"\\\r\n]|\\[^\r\n]){1,1000})(?:"|$)`,
  "dy",
);
/** Redis's own settings that hold a password, named for no secret: the server's and its primary's. */
const REDIS_PASSWORD = /^(?:requirepass|masterauth|tls-(?:client-)?key-file-pass)$/;
const DIGIT = /[0-9]/;
const SPACE = /\s/;

/**
 * The start of the number before `) "` at `at`, when it starts its line or follows a space: a
 * title shows the reply's lines joined by spaces (and its last value cut off at its end).
 */
function numberStart(text: string, at: number): number | undefined {
  let start = at;
  while (start > at - 6 && DIGIT.test(text.charAt(start - 1))) start--;
  if (start === at) return undefined;
  return start === 0 || SPACE.test(text.charAt(start - 1)) ? start : undefined;
}

export const redisReplyDetector: Detector = {
  keywords: [') "'],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const start = numberStart(text, hits[i] as number);
      if (start === undefined) continue;
      REPLY_PAIR.lastIndex = start;
      const m = REPLY_PAIR.exec(text);
      const span = m?.indices?.[4];
      if (!m || !span) continue;
      const index = Number(m[1]);
      if (index % 2 !== 1 || Number(m[3]) !== index + 1) continue;
      const field = m[2] as string;
      const name = REDIS_PASSWORD.test(field) ? "password" : field;
      // A value cut off at the end of a title may end in the space its ellipsis is read as.
      const value = (m[4] as string).trimEnd();
      if (SECRET_KEY.test(name) && isAssignedSecret(name, value, true, undefined)) {
        out.push({ start: span[0], end: span[0] + value.length, kind: PASSWORD_NAME.test(name) ? "password" : "secret" });
      }
    }
  },
};
