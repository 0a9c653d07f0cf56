import type { Detector, Finding, Hits } from "../detectors.ts";
import { SECRET_KEY, isAssignedSecret } from "./assignment.ts";

/**
 * A secret's column in an SQL INSERT: `INSERT INTO users (email, password) VALUES ('a@b.c', '…')`,
 * each row of a multi-row VALUES list too. The value in that column's place goes, as if it were
 * assigned to the column's name.
 */
const INSERT = /insert[ \t]+into[ \t]+[\w."`[\]]{1,100}[ \t]*\(([^()]{1,1000})\)\s{0,40}values\s{0,40}/iy;
/** One value of a row: a quoted string (SQL doubles a quote inside), or anything up to the next comma or bracket. */
const VALUE = /\s{0,40}(?:'((?:[^'\\\r\n]|''|\\.){0,1000})'|[^,()'\r\n]{1,200})\s{0,40}/y;
const MAX_ROWS = 1000;

function columnNames(list: string): string[] {
  return list.split(",").map((c) => c.trim().replace(/^[`"[]|[`"\]]$/g, ""));
}

export const sqlInsertDetector: Detector = {
  keywords: ["insert"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      INSERT.lastIndex = at;
      const m = INSERT.exec(text);
      if (!m) continue;
      const names = columnNames(m[1] as string);
      const secret = names.map((n) => SECRET_KEY.test(n));
      if (!secret.includes(true)) continue;
      let pos = INSERT.lastIndex;
      for (let row = 0; row < MAX_ROWS && text[pos] === "("; row++) {
        pos++;
        for (let col = 0; ; col++) {
          VALUE.lastIndex = pos;
          const v = VALUE.exec(text);
          if (!v) break;
          const quoted = v[1];
          if (quoted !== undefined && secret[col] && isAssignedSecret(names[col] as string, quoted, true, undefined)) {
            const start = text.indexOf("'", pos) + 1;
            out.push({ start, end: start + quoted.length, kind: "secret" });
          }
          pos = VALUE.lastIndex;
          if (text[pos] !== ",") break;
          pos++;
        }
        if (text[pos] !== ")") break;
        pos++;
        while (pos < text.length && /[\s,]/.test(text.charAt(pos)) && pos - INSERT.lastIndex < 1_000_000) pos++;
      }
      done = pos;
    }
  },
};
