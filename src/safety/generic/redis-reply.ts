import type { Detector, Finding, Hits } from "../detectors.ts";
import { PASSWORD_NAME, SECRET_KEY, isAssignedSecret } from "./assignment.ts";

/**
 * A field and its value as redis-cli prints a reply of pairs, one numbered line each: `CONFIG GET
 * requirepass` (`1) "requirepass"` then `2) "…"`), `CONFIG GET *`, `HGETALL user:1`. The field
 * is on an odd line and its value on the next; the value is judged as if assigned to the field.
 */
const REPLY_PAIR = /(\d{1,6})\) "((?:[^"\\\r\n]|\\[^\r\n]){1,100})"[ \t]*\r?\n[ \t]{0,12}(\d{1,6})\) "((?:[^"\\\r\n]|\\[^\r\n]){1,1000})"/dy;
/** Redis's own settings that hold a password, named for no secret: the server's and its primary's. */
const REDIS_PASSWORD = /^(?:requirepass|masterauth|tls-(?:client-)?key-file-pass)$/;
const DIGIT = /[0-9]/;
const LINE_INDENT = /[ \t]/;

/** The start of the number before `) "` at `at`, when only an indent stands before it on its line. */
function numberStart(text: string, at: number): number | undefined {
  let start = at;
  while (start > at - 6 && DIGIT.test(text.charAt(start - 1))) start--;
  if (start === at) return undefined;
  let line = start;
  while (line > start - 12 && LINE_INDENT.test(text.charAt(line - 1))) line--;
  return line === 0 || text[line - 1] === "\n" ? start : undefined;
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
      if (SECRET_KEY.test(name) && isAssignedSecret(name, m[4] as string, true, undefined)) {
        out.push({ start: span[0], end: span[1], kind: PASSWORD_NAME.test(name) ? "password" : "secret" });
      }
    }
  },
};
