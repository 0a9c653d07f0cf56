import type { Detector, Finding, Hits } from "../detectors.ts";
import { isToken } from "./session-token.ts";

/**
 * Cookies saved as JSON, each value under `"value"` apart from its cookie's name: an httpie session
 * (`"cookies": {"sessionid": {"path": "/", "value": "…"}}`, or a list of `{"name": …, "value": …}`
 * since httpie 3), Playwright's storage state, a HAR entry. A value drawn at random is a login's
 * token whatever the cookie's name (`sessionid`, `_gitlab_session`, `connect.sid`); `"dark"` stays.
 */
const COOKIES_OPEN = /"cookies"[ \t]*:[ \t\r\n]*([{[])/y;
const VALUE = /"value"[ \t]*:[ \t]*"([^"\\\r\n]{1,512})"/dg;
/** How far a cookie list is read: bounded, so many lists cost their length once. */
const LIST_MAX = 16_000;

/** Where the object or list opened at `open` closes (its brackets outside strings), or the bound. */
function listEnd(text: string, open: number): number {
  const limit = Math.min(text.length, open + LIST_MAX);
  let depth = 0;
  let inString = false;
  for (let i = open; i < limit; i++) {
    const c = text.charAt(i);
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if ((c === "}" || c === "]") && --depth === 0) return i;
  }
  return limit;
}

export const cookieListDetector: Detector = {
  keywords: ['"cookies"'],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      COOKIES_OPEN.lastIndex = at;
      const open = COOKIES_OPEN.exec(text);
      if (open === null) continue;
      const start = COOKIES_OPEN.lastIndex - 1;
      done = listEnd(text, start);
      for (const m of text.slice(start, done).matchAll(VALUE)) {
        const span = m.indices?.[1];
        if (span && isToken(m[1] as string)) out.push({ start: start + span[0], end: start + span[1], kind: "secret" });
      }
    }
  },
};
