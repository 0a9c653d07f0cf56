import { type Detector, type Finding, type Hits, stickyDetector } from "../detectors.ts";
import { isCredentialShaped } from "./inline-variables.ts";

/**
 * A variable's value told in prose, as an assistant sums up what it set or a user says what to set: "I've set `UPSTREAM` to `…`",
 * "set UPSTREAM to … and restart", "UPSTREAM should be …", "the value of UPSTREAM is …". The name is an environment's, in capitals
 * (a secret may sit under any such name); the value goes when shaped as a credential (inline-variables.ts isCredentialShaped), so
 * "NODE_ENV is production", "GIT_SHA is 8f14e45…" and "MODEL is claude-sonnet-4-5" stay. A Markdown table's row of a name and its
 * value is read so too (`| UPSTREAM | … |`, its cells in backticks or not), as an assistant lists what it set.
 */
const NAME = String.raw`\x60?[A-Z][A-Z0-9_]{2,100}\x60?`;
/** Before "to": a verb that sets it, then the name; before "is" or "should be": the name. */
const SET_BEFORE = new RegExp(String.raw`(?:^|[^\w-])(?:set|setting|changed?|changing|updated?|updating)[ \t]+(?:the[ \t]+)?${NAME}[ \t]+$`, "i");
const NAMED_BEFORE = new RegExp(String.raw`(?:^|[^\w\x60-])${NAME}[ \t]+$`);
/** The value after the verb: a word in quotes or backticks or bare, before punctuation, a space or the end. */
const VALUE = /(?:to|is|should[ \t]+be)[ \t]+(?:now[ \t]+)?(["'\x60]?)([A-Za-z0-9_+/=-]{16,1000})\1(?=[\s.,;:!?)]|$)/dy;
const LOOK_BACK = 130;
/** A table's row from its first bar: the name's cell, then the value's (in quotes or backticks, or bare). */
const CELL_VALUE = "[A-Za-z0-9_+/=-]{16,1000}";
const TABLE_ROW = new RegExp(String.raw`\|[ \t]*${NAME}[ \t]*\|[ \t]*(?:"(${CELL_VALUE})"|'(${CELL_VALUE})'|\x60(${CELL_VALUE})\x60|(${CELL_VALUE}))[ \t]*\|`, "dy");
export const variableTableRowDetector = stickyDetector(["|"], TABLE_ROW, "secret", isCredentialShaped);

export const variableProseDetector: Detector = {
  keywords: [" to ", " is ", " should be "],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      const before = text.slice(Math.max(0, at - LOOK_BACK), at + 1);
      const verb = text.charAt(at + 1) === "t" ? SET_BEFORE : NAMED_BEFORE;
      if (!verb.test(before)) continue;
      VALUE.lastIndex = at + 1;
      const m = VALUE.exec(text);
      const span = m?.indices?.[2];
      if (m && span && isCredentialShaped(m[2] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  },
};
