import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";
import { hereDocument, hereDocumentEnd } from "./here-document.ts";
import { lineEnd } from "./lines.ts";

/**
 * An FTP client scripted by a here-document (`ftp -n host <<EOF`, `lftp host <<EOF`, `ncftp`), as scripts that upload a site or fetch
 * a feed still do: its login lines hold the password, in the clear. ftp's `user <name> <password>` and its raw `quote PASS <password>`
 * (`literal`), lftp's `login <name> <password>` (`user` too) and `open -u <name>,<password> host`. ftp's `pass` alone toggles passive
 * mode; `user me` alone prompts; anonymous FTP's password is an email by custom and stays.
 */
const CLIENT = /(?<![\w.-])(?:l|nc)?ftp(?=[ \t])/y;
/** The opening line's `<<` (not a here-string's `<<<`), looked for this far on. */
const OPENING = /<<(?!<)/g;
const OPENING_LINE_MAX = 300;
/** How much of a script is read: a login comes first, and a text cut before its end is read so far. */
const SCRIPT_MAX = 4000;
const VALUE = String.raw`(?:"([^"\n]{1,200})"|'([^'\n]{1,200})'|([^\s"']{1,200}))`;
const LOGIN = new RegExp(
  String.raw`^[ \t]*(?:(?:user|login)[ \t]+(?!(?:anonymous|ftp)[ \t])[^\s]{1,200}[ \t]+|(?:quote|literal)[ \t]+pass[ \t]+|(?:open|connect)[ \t][^\n]{0,200}?-u[ \t]+[^\s,]{1,200},)${VALUE}`,
  "dgim",
);

function scriptPasswords(text: string, from: number, to: number, out: Finding[]): void {
  for (const m of text.slice(from, to).matchAll(LOGIN)) {
    const group = [1, 2, 3].find((g) => m[g] !== undefined) as number;
    const span = m.indices?.[group];
    if (span && !isStandIn(m[group] as string)) out.push({ start: from + span[0], end: from + span[1], kind: "password" });
  }
}

export const ftpScriptDetector: Detector = {
  keywords: ["ftp"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const hit = hits[i] as number;
      // The client's word starts up to two letters before the hit (`lftp`, `ncftp`).
      const at = [hit, hit - 1, hit - 2].find((a) => a >= 0 && ((CLIENT.lastIndex = a), CLIENT.test(text)));
      if (at === undefined || at < done) continue;
      const lineTo = lineEnd(text, at, OPENING_LINE_MAX);
      OPENING.lastIndex = 0;
      const opening = OPENING.exec(text.slice(at, lineTo));
      const doc = opening ? hereDocument(text, at + opening.index) : undefined;
      if (!doc) continue;
      const end = hereDocumentEnd(text, doc, SCRIPT_MAX) ?? Math.min(text.length, doc.body + SCRIPT_MAX);
      done = end;
      scriptPasswords(text, doc.body, end, out);
    }
  },
};
