import type { Detector, Finding, Hits } from "../detectors.ts";
import { PASSWORD_NAME, SECRET_KEY, isAssignedSecret } from "./assignment.ts";
import { lineStart } from "./lines.ts";

/**
 * A setting and its value on one row, dots between them, as Laravel's console prints a detail (its twoColumnDetail):
 * `php artisan config:show database` (`  connections ⇁ mysql ⇁ password ........ Tr0ub4dor&3`), `config:show services.stripe.secret`
 * (the key whole, then its value). The key's path is read as a dotted name (`connections.mysql.password`), and the value is
 * judged as if assigned to it: `null`, a host, a driver's name stay, as does a table of contents' page ("Password ..... 12").
 */
const ROW = /[ \t]*([^\s.⇁][^\r\n]{0,300}?)[ \t]+\.{3,}[ \t]+(\S{1,1000})[ \t]*(?=\r?\n|$)/dy;
/** config:show's separator between a path's keys. */
const KEY_SEPARATOR = /[ \t]*⇁[ \t]*/g;
/** A row's key: a path of names, without spaces (`Encrypted file` and `Decrypted file`, env:encrypt's, are labels). */
const KEY_PATH = /^[A-Za-z_][\w.-]{0,300}$/;

export const dottedRowDetector: Detector = {
  keywords: ["... "],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      // The row's start: 300 characters back at most (a longer key is no setting's), once per line.
      const start = lineStart(text, hits[i] as number, 300);
      if (start === undefined || start === done) continue;
      done = start;
      ROW.lastIndex = start;
      const m = ROW.exec(text);
      const span = m?.indices?.[2];
      if (!m || !span) continue;
      const name = (m[1] as string).replace(KEY_SEPARATOR, ".");
      const value = m[2] as string;
      if (!KEY_PATH.test(name) || !SECRET_KEY.test(name) || !isAssignedSecret(name, value, false, "\n")) continue;
      out.push({ start: span[0], end: span[1], kind: PASSWORD_NAME.test(name) ? "password" : "secret" });
    }
  },
};
