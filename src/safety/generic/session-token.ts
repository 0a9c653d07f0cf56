import type { Detector, Finding, Hits } from "../detectors.ts";
import { WORDS_NAME, isStandIn, looksRandom, looksRandomLetters, mixedCase } from "../look-alikes.ts";

/**
 * A session cookie's token under a session's name: `"session_id": "…"`, `SESSION_ID=…`,
 * `sessionid: '…'` (Django's, PHP's, a framework's random token: whoever holds it is logged in).
 * Not an id shown anywhere, which a session's name holds far more often: a UUID (Claude Code's own
 * session ids) or hex with its dashes left out, a typed id (`sess_…`, `cs_test_…`), a word.
 */

/**
 * A session's name (group 1) and its value (group 2), from the name's start. A token's characters
 * only, base64url's `_` too, none of code's (`.`, a call's bracket: `session = _lib.SSL_get1_session(ssl)`).
 */
const TOKEN = String.raw`[A-Za-z0-9+/=%_-]{16,512}`;
const SESSION_ASSIGNED = new RegExp(String.raw`(session(?:[_-]?id)?)["']?[ \t]*(?::=|=>|[:=])[ \t]*["']?(${TOKEN})(?![\w+/=%.(-])`, "diy");
const TOKEN_VALUE = new RegExp(`^${TOKEN}$`);
/** Ids, not tokens: hex (a UUID, with its dashes or without), a typed id's prefix. */
const PUBLIC_ID = /^[0-9a-f-]+$|^[a-z]{2,12}_/i;
const SESSION_KEY = /^(?:[A-Za-z0-9]*[_.-])?session(?:[_-]?id)?$/i;

/**
 * Whether a session's value is a token, not an id. One holding `_` is a base64url token when drawn
 * at random (`Zq7vW2pL_9xQ3abc`), not a snake_case name (`SessionStore_v2_default`); one of letters
 * alone, when long and of both cases in good shares (`SahXmpaWakMEEynQYYBPAYnFJKzWfCDN`). Never a name
 * made of words: a type's (`session: ClientHttp2Session` in a signature).
 */
export const isToken = (value: string) =>
  TOKEN_VALUE.test(value) && (looksRandom(value) || looksRandomLetters(value)) && !PUBLIC_ID.test(value) && !isStandIn(value) && (!value.includes("_") || mixedCase(value)) && !WORDS_NAME.test(value);

/** Whether a JSON object's entry is a session's token (`{"session_id": "…"}`), its name being apart from its value. */
export function isSessionEntry(key: string, value: string): boolean {
  return SESSION_KEY.test(key) && isToken(value);
}

export const sessionTokenDetector: Detector = {
  keywords: ["session"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      // A name of its own, or a word's after a separator (`user_session`), not inside one (`claudeSessionId`).
      if (/[A-Za-z0-9]/.test(text.charAt(at - 1))) continue;
      SESSION_ASSIGNED.lastIndex = at;
      const m = SESSION_ASSIGNED.exec(text);
      const span = m?.indices?.[2];
      if (m && span && isToken(m[2] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  },
};

/**
 * A session cookie under the name its server gives it, outside a `Cookie:` header (a scraper's `cookies = {"PHPSESSID": "…"}`,
 * `session.cookies.set("JSESSIONID", "…")`, a line copied from the browser's storage panel `connect.sid: s%3A…`): PHP's
 * `PHPSESSID`, a Java server's `JSESSIONID`, Express's `connect.sid`, classic ASP's `ASPSESSIONID…`. These names hold nothing
 * but a logged-in session, so its value goes in hex too (Tomcat's and PHP's are): letters and digits, 16 or more.
 */
const NAMED_SESSION =
  /(?:PHPSESSID|JSESSIONID|connect\.sid|ASPSESSIONID[A-Z]{8})["']?[ \t]*(?::=|=>|[:=,])[ \t]*["']?([A-Za-z0-9%:._+/=-]{16,512})/diy;

export const namedSessionDetector: Detector = {
  keywords: ["phpsessid", "jsessionid", "connect.sid", "aspsessionid"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (/[A-Za-z0-9_]/.test(text.charAt(at - 1))) continue;
      NAMED_SESSION.lastIndex = at;
      const m = NAMED_SESSION.exec(text);
      const span = m?.indices?.[1];
      const value = m?.[1] as string;
      if (m && span && looksRandom(value) && !isStandIn(value)) out.push({ start: span[0], end: span[1], kind: "cookie" });
    }
  },
};
