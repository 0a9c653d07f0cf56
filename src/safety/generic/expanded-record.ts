import type { Detector, Finding, Hits } from "../detectors.ts";
import { PASSWORD_NAME, SECRET_KEY, isAssignedSecret } from "./assignment.ts";

/**
 * A row as psql's expanded display prints it (`\x`, `psql -x`): a record's header, then one line per column, its name, a bar, its
 * value (`-[ RECORD 1 ]-+-----` then `access_token  | …`). A column named for a secret has its value judged as if assigned to it;
 * the record ends at a line of another shape (a blank line, the next header, a prompt).
 */
const HEADER = /-\[ RECORD \d{1,12} \][-+]*[ \t]*\r?\n/y;
const COLUMN = /([A-Za-z_][\w$]{0,100})[ \t]*\|[ \t]?([^\r\n]{0,1000})\r?(?:\n|$)/dy;
/** The most columns read below one header: a table wider than this is no one's secrets table. */
const COLUMNS_MAX = 200;

export const expandedRecordDetector: Detector = {
  keywords: ["-[ record "],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      HEADER.lastIndex = at;
      if (!HEADER.test(text)) continue;
      let end = HEADER.lastIndex;
      for (let n = 0; n < COLUMNS_MAX && end < text.length; n++) {
        COLUMN.lastIndex = end;
        const m = COLUMN.exec(text);
        const span = m?.indices?.[2];
        if (!m || !span) break;
        end = COLUMN.lastIndex;
        const name = m[1] as string;
        const value = (m[2] as string).trimEnd();
        if (SECRET_KEY.test(name) && isAssignedSecret(name, value, false, "\n")) {
          out.push({ start: span[0], end: span[0] + value.length, kind: PASSWORD_NAME.test(name) ? "password" : "secret" });
        }
      }
      done = end;
    }
  },
};
