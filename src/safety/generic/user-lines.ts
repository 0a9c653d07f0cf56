import type { Finding } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/**
 * The lines of files of one line a user and a secret, wherever a rule knows the file: pppd's
 * `chap-secrets` and `pap-secrets` (`client server secret [addresses]`, the secret third) and
 * PgBouncer's `userlist.txt` (`"user" "password"`, a password or its md5/SCRAM hash). Comment lines stay.
 */
const WORD = String.raw`(?:"[^"\r\n]{1,255}"|[^\s"#][^\s"]{0,254})`;
const SECRET = String.raw`(?:"([^"\r\n]{1,1000})"|([^\s"]{1,1000}))`;

/** A line of the ppp files: a line of prose has three words too, so the server's column is `*` or quoted, or the addresses' is `*` or an address. */
export const PPP_SECRET_LINE = new RegExp(
  String.raw`^[ \t]*${WORD}[ \t]+(?:(?:\*|"[^"\r\n]{0,255}")[ \t]+${SECRET}(?:[ \t]+[^\r\n]*)?|${WORD}[ \t]+${SECRET}[ \t]+(?:\*|\d{1,3}(?:\.\d{1,3}){3}\S{0,20})[ \t]*)$`,
  "dgm",
);
export const PGBOUNCER_USER_LINE = new RegExp(String.raw`^[ \t]*"[^"\r\n]{1,255}"[ \t]+${SECRET}[ \t]*$`, "dgm");

/** The secret of each of `text`'s lines that `line` reads, from `from` to `to` (a global regex whose groups hold it). */
export function userLines(text: string, line: RegExp, from = 0, to = text.length): Finding[] {
  const out: Finding[] = [];
  for (const m of text.slice(from, to).matchAll(line)) {
    const g = [1, 2, 3, 4].find((k) => m[k] !== undefined);
    const span = g === undefined ? undefined : m.indices?.[g];
    if (g !== undefined && span && !isStandIn(m[g] as string)) out.push({ start: from + span[0], end: from + span[1], kind: "password" });
  }
  return out;
}
