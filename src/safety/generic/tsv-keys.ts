import type { Detector, Finding, Hits } from "../detectors.ts";
import { looksBase64Key } from "../look-alikes.ts";
import { lineEnd, lineStart } from "./lines.ts";

/**
 * Keys as Azure's CLI prints them with `-o tsv`, a row's cells joined by tabs, no header to name
 * them: `az storage account keys list` (`key1⇥FULL⇥<88 base64>`, after a creation time in newer
 * versions), `az cosmosdb keys list` (its four keys on one line). The key after a permission's
 * column (FULL, READ); and a row whose cells are all base64 keys, two or more (one alone on its
 * line is lone-secret.ts's).
 */
const AFTER_PERMISSION = /\t(?:FULL|READ)\t([A-Za-z0-9+/]{20,1000}={0,2})(?=[ \t]*(?:\r?\n|$))/dy;
/** A cell of a row of keys: a base64 key of 32 characters or more (looksBase64Key). */
const KEY_CELL = /^[A-Za-z0-9+/]{32,1000}={0,2}$/;
/** How far back a row's start is looked for (a bound that keeps the rule linear). */
const ROW_MAX = 5000;

function keyRow(text: string, at: number, out: Finding[]): number {
  const start = lineStart(text, at, ROW_MAX);
  const end = lineEnd(text, at);
  if (start === undefined) return end;
  const row = text.slice(start, end).replace(/\r$/, "");
  const cells = row.split("\t");
  if (cells.length < 2 || !cells.every((c) => KEY_CELL.test(c) && looksBase64Key(c))) return end;
  let from = start;
  for (const cell of cells) {
    out.push({ start: from, end: from + cell.length, kind: "secret" });
    from += cell.length + 1;
  }
  return end;
}

export const tsvKeysDetector: Detector = {
  keywords: ["\tfull\t", "\tread\t", "=\t"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (text.charAt(at) === "\t") {
        AFTER_PERMISSION.lastIndex = at;
        const m = AFTER_PERMISSION.exec(text);
        const span = m?.indices?.[1];
        if (m && span && looksBase64Key(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
      } else if (at > done) done = keyRow(text, at, out);
    }
  },
};
