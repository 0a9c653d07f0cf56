import type { Detector, Finding, Hits } from "../detectors.ts";
import { isToken } from "./session-token.ts";

/**
 * Cookies saved as JSON, each value under `"value"` apart from its cookie's name: an httpie session
 * (`"cookies": {"sessionid": {"path": "/", "value": "…"}}`, or a list of `{"name": …, "value": …}`
 * since httpie 3), Playwright's storage state, a HAR entry; and cookies in code, each value under its
 * cookie's name or `value` (Python's `cookies={"session": "…"}`, Playwright's `addCookies([{ name: 'sid', value: '…' }])`).
 * A value shaped like a login's token goes whatever the cookie's name (`sessionid`, `_gitlab_session`, `connect.sid`); `"dark"` stays.
 */
const COOKIES_OPEN = /["']?cookies["']?[ \t]*[:=]?[ \t\r\n]*\(?[ \t\r\n]*([{[])/iy;
/** A quoted value after a quoted name or after `value:`, as JSON, Python and JavaScript write them (group 3). */
const VALUE = /(?:(["'])[\w.-]{1,64}\1|\bvalue)[ \t]*:[ \t]*(["'])([^"'\\\r\n]{1,512})\2/dg;
/** An analytics cookie's numbers (`GA1.2.1234567890.1712345678`): no login's. */
const ANALYTICS = /^(?:[A-Za-z]{1,4}\d?\.)?[\d.]+$/;

/**
 * Whether a cookie's value is a login's token: drawn at random (session-token.ts), its parts joined by dots as a
 * signed cookie's are (`s%3A….…`, `k3j9xq2m.vb8wz7ty.5rpl0aenf4`), or long hex (a session's id, which is the login).
 */
const isCookieToken = (value: string) =>
  /^[0-9a-f]{32,512}$/i.test(value) || (value.length >= 16 && !ANALYTICS.test(value) && isToken(value.includes(".") ? value.replaceAll(".", "") : value));
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
  keywords: ["cookies"],
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
        const span = m.indices?.[3];
        if (span && isCookieToken(m[3] as string)) out.push({ start: start + span[0], end: start + span[1], kind: "secret" });
      }
    }
  },
};

/**
 * A cookie set in code by its name and value: Express's `res.cookie("session", "…")`, Flask's and Django's
 * `set_cookie("session", value="…")`, PHP's `setcookie("sid", "…")`, Next.js's `cookies().set("session", "…")`.
 */
const COOKIE_SET = /cookies?(?:\(\))?(?:\.set)?\([ \t]*(["'])[\w.-]{1,64}\1[ \t]*,[ \t]*(?:value[ \t]*=[ \t]*)?(["'])([^"'\\\r\n]{1,512})\2/diy;

export const cookieSetDetector: Detector = {
  keywords: ["cookie(", "cookies().set(", "cookies.set("],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      COOKIE_SET.lastIndex = hits[i] as number;
      const m = COOKIE_SET.exec(text);
      const span = m?.indices?.[3];
      if (m && span && isCookieToken(m[3] as string)) out.push({ start: span[0], end: span[1], kind: "cookie" });
    }
  },
};
