import type { Detector, Finding, Hits } from "../detectors.ts";
import { MARKER_ONLY } from "../marker.ts";

/**
 * Vault's table of a secret (`vault kv get secret/app`): under its `===== Data =====` heading, a `Key Value` header and its rule,
 * each row's value is the secret's content, whatever its key (`api_key    correct-horse-battery`); the rows end at a blank line.
 * Its Metadata table above (versions, times) stays.
 */
const DATA_HEADING = String.raw`=+ Data =+[ \t]*\r?\n[ \t]*Key[ \t]+Value[ \t]*\r?\n[ \t]*-+[ \t]+-+[ \t]*\r?\n`;
const VAULT_DATA = new RegExp(`^${DATA_HEADING}`, "gm");
const VAULT_DATA_AT = new RegExp(DATA_HEADING, "y");
const TABLE_ROW = /^[ \t]*\S{1,200}[ \t]+(\S[^\r\n]{0,16383}?)[ \t]*\r?$/dmy;

/**
 * The values of the table's rows from `at` (below its rule) into `out`; where they end. A heading below is a row too (`====== Data
 * ======`, two words): a table read is not read again from a heading inside it (linear).
 */
function rowsFrom(text: string, at: number, out: Finding[]): number {
  for (;;) {
    TABLE_ROW.lastIndex = at;
    const row = TABLE_ROW.exec(text);
    const span = row?.indices?.[1];
    if (!row || !span) return at;
    if (!MARKER_ONLY.test(row[1] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
    at = TABLE_ROW.lastIndex + 1;
  }
}

/** The Data tables' values in a record a command or a tool read (secret-record.ts). */
export function vaultDataRows(text: string, out: Finding[]): void {
  let done = 0;
  for (const m of text.matchAll(VAULT_DATA)) if ((m.index as number) >= done) done = rowsFrom(text, (m.index as number) + m[0].length, out);
}

/**
 * The same table wherever it shows: pasted in a prompt with no command before it, or after one that names it otherwise ("I ran
 * vault kv get and got: …"), or as the Read tool shows a file (its line numbers read as spaces: redact.ts). The heading starts its
 * line; the `=` run and the spaces before the keyword are walked once (hits are apart: linear).
 */
export const vaultDataDetector: Detector = {
  keywords: ["= data ="],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      let start = hits[i] as number;
      if (start < done) continue;
      while (start > 0 && text[start - 1] === "=") start--;
      let line = start;
      while (line > 0 && (text[line - 1] === " " || text[line - 1] === "\t")) line--;
      if (line > 0 && text[line - 1] !== "\n") continue;
      VAULT_DATA_AT.lastIndex = start;
      if (VAULT_DATA_AT.test(text)) done = rowsFrom(text, VAULT_DATA_AT.lastIndex, out);
    }
  },
};
