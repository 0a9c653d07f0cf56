import type { Detector, Finding, Hits } from "../detectors.ts";
import type { RedactionKind } from "../marker.ts";
import { HAS_DIGIT, HAS_LETTER, isStandIn } from "../look-alikes.ts";

/**
 * Credentials in HTTP headers, however they are written down: a raw request, `curl -H "..."`,
 * JSON, code. `Authorization: <scheme> <credentials>` keeps the scheme, `Cookie: a=1; b=2` keeps
 * the cookie names, `Set-Cookie: sid=...; Path=/` only hides the cookie's value.
 */

const QUOTES = "\"'`";
const isQuote = (c: string | undefined) => c !== undefined && c !== "" && QUOTES.includes(c);
const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

/**
 * Where a header's value ends: at its closing quote when the header or its value is quoted, else
 * at the end of the line (or a backslash: `\r\n` escaped inside a JSON string).
 */
function valueEnd(text: string, from: number, quote: string | undefined): number {
  const limit = Math.min(text.length, from + 4000);
  let i = from;
  while (i < limit) {
    const c = text.charAt(i);
    if (c === "\n" || c === "\r" || c === "\\" || c === quote) break;
    i++;
  }
  while (i > from && (text.charAt(i - 1) === " " || text.charAt(i - 1) === "\t")) i--;
  return i;
}

/** Header name at the hit, then `:` (or `=`), then the value's opening quote if any. */
function headerValue(text: string, at: number, head: RegExp): { start: number; quote: string | undefined } | null {
  if (isAlnum(text[at - 1])) return null;
  head.lastIndex = at;
  const m = head.exec(text);
  if (m === null) return null;
  const valueQuote = m[2] || undefined;
  // `-H "Authorization: Bearer x"`: the quote before the name closes the value
  const outerQuote = !m[1] && isQuote(text[at - 1]) ? text[at - 1] : undefined;
  return { start: at + m[0].length, quote: valueQuote ?? outerQuote };
}

const AUTHORIZATION_HEAD = /authorization(["'`]?)[ \t]{0,10}[:=][ \t]{0,10}(["'`]?)/iy;
/** `Bearer abc`, `Basic abc=`, `AWS4-HMAC-SHA256 Credential=...`: the scheme stays visible. */
const SCHEME = /^[A-Za-z][A-Za-z0-9_.+-]{0,40}[ \t]+(?=\S)/;
/** A credential without a scheme ends where code or prose would go on. */
const BARE_CREDENTIAL = /^[^\s"'`\\,;)}\]]+/;
/** An identifier or a member path without digits, or a call of one (`self._get_param(`): code, when not quoted. */
const CODE_PATH = /^[A-Za-z_$][A-Za-z_$]*(?:\.[A-Za-z_$][A-Za-z_$]*)*\(?$/;
/**
 * An authorization scheme's name (Fly.io's `FlyV1` before its macaroons): alone after the header (`"Authorization: Bearer "` in a doc), no
 * credential; before one under a secret's name (`deploy token: FlyV1 fm2_…`), the name's value is the credential (assignment.ts).
 */
const SCHEMES = "bearer|basic|digest|token|negotiate|ntlm|bot|flyv1";
export const SCHEME_ONLY = new RegExp(`^(?:${SCHEMES})$`, "i");
const SCHEME_BEFORE = new RegExp(`^(?:${SCHEMES})[ \\t]+(?=\\S)`, "i");
/**
 * How long such a name and its space are at a value's start, before its credential (`"FlyV1 fm2_…"` quoted, a flag's value, a JSON
 * value): the scheme stays, as after an `Authorization:` header; 0 when the value starts with none.
 */
export const schemeLength = (value: string): number => SCHEME_BEFORE.exec(value)?.[0].length ?? 0;

export const authorizationDetector: Detector = {
  keywords: ["authorization"],
  find(text: string, hits: Hits, out: Finding[]): void {
    // Hits inside a credential already found are part of it (and rescanning from each would cost each up to 4,000 characters).
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      if ((hits[i] as number) < done) continue;
      const head = headerValue(text, hits[i] as number, AUTHORIZATION_HEAD);
      if (head === null) continue;
      const end = valueEnd(text, head.start, head.quote);
      const value = text.slice(head.start, end);
      const scheme = SCHEME.exec(value);
      const start = head.start + (scheme ? scheme[0].length : 0);
      let stop = end;
      if (!scheme) {
        const bare = BARE_CREDENTIAL.exec(value);
        if (!bare || SCHEME_ONLY.test(bare[0]) || (head.quote === undefined && CODE_PATH.test(bare[0]))) continue;
        stop = start + bare[0].length;
      }
      const credentials = text.slice(start, stop);
      const firstWord = credentials.split(/[\s,]/, 1)[0] ?? "";
      if (credentials === "" || isStandIn(credentials) || isStandIn(firstWord)) continue;
      out.push({ start, end: stop, kind: "authorization" });
      done = stop;
    }
  },
};

/** A loose `<scheme> <credential>` (group 1 of `re`, sticky), taken when `accept` says it is one: prose stays. */
function looseCredential(keyword: string, re: RegExp, accept: (credential: string) => boolean, kind: RedactionKind): Detector {
  return {
    keywords: [keyword],
    find(text: string, hits: Hits, out: Finding[]): void {
      for (let i = 0; i < hits.length; i += 2) {
        const at = hits[i] as number;
        if (/[A-Za-z0-9]/.test(text.charAt(at - 1))) continue;
        re.lastIndex = at;
        const m = re.exec(text);
        const credential = m?.[1];
        const span = m?.indices?.[1];
        if (credential && span && accept(credential)) out.push({ start: span[0], end: span[1], kind });
      }
    },
  };
}

/** `bearer <token>`: the token must look random, so prose ("bearer authentication") stays. */
export const bearerDetector = looseCredential(
  "bearer",
  /bearer[ \t]{1,10}([A-Za-z0-9._~+/=-]{8,2000})/iyd,
  (token) => !isStandIn(token) && HAS_DIGIT.test(token) && HAS_LETTER.test(token),
  "bearer-token",
);

/** What a Basic credential decodes to: `user:password`, printable. */
const USER_AND_PASSWORD = /^[\x20-\x7e]*:[\x20-\x7e]+$/;

/**
 * `Basic <base64>` with no Authorization before it (`"auth": "Basic ..."` in a
 * config): taken only when it decodes to `user:password` ("basic usage" stays).
 */
export const basicDetector = looseCredential(
  "basic",
  /basic[ \t]{1,10}([A-Za-z0-9+/]{8,2000}={0,2})(?![A-Za-z0-9+/=])/iyd,
  (base64) => base64.length % 4 === 0 && USER_AND_PASSWORD.test(Buffer.from(base64, "base64").toString("latin1")),
  "authorization",
);

/** `Cookie:` / `Set-Cookie:` headers, and `cookie = "..."` in code (then quoted). */
const COOKIE = String.raw`cookie(["'\x60]?)[ \t]{0,10}(?::|=(?=[ \t]{0,10}["'\x60]))[ \t]{0,10}(["'\x60]?)`;
const COOKIE_HEAD = new RegExp(COOKIE, "iy");
const SET_COOKIE_HEAD = new RegExp(`set-${COOKIE}`, "iy");
const SET_PREFIX = /set-$/i;

/**
 * The cookies `document.cookie` returns, quoted after it: as a browser's console echoes it on the next line (`> document.cookie` then
 * `'…'`, Chrome's `<·` before it) or as a user quotes it ("document.cookie gives: \"…\"", `→`). Not code that reads it
 * (`document.cookie.split('; ')`, `.includes('theme=dark')`): only spaces, an arrow, a colon or a verb between.
 */
const DOCUMENT_COOKIE_HEAD = /cookie(?:[ \t]*(?:[:→—]|->|=>)|[ \t]+(?:gives|returns|is|shows|prints)[ \t]*:?)?[ \t]*(?:\r?\n[ \t]*(?:<[·•]|←|<-)?[ \t]*)?(["'\x60])/y;
const DOCUMENT = "document.";

/** A list of cookies in code (Node's `'set-cookie': ['foo=bar', 'bar=baz']`): each quoted element is one. */
const LIST_ELEMENT = /[ \t]*(["'\x60])([^"'\x60\r\n]{0,4000})\1[ \t]*,?/y;

export const cookieDetector: Detector = {
  keywords: ["cookie"],
  find(text: string, hits: Hits, out: Finding[]): void {
    // Hits inside a header's value already read are part of it (see authorizationDetector).
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      const isSet = SET_PREFIX.test(text.slice(Math.max(0, at - 4), at));
      const nameStart = isSet ? at - 4 : at;
      const head = headerValue(text, nameStart, isSet ? SET_COOKIE_HEAD : COOKIE_HEAD) ?? documentCookie(text, at);
      if (head === null) continue;
      if (head.quote === undefined && text[head.start] === "[") {
        LIST_ELEMENT.lastIndex = head.start + 1;
        for (let m = LIST_ELEMENT.exec(text); m !== null; m = LIST_ELEMENT.exec(text)) {
          const start = m.index + m[0].indexOf(m[1] as string) + 1;
          cookiePairs(text, start, start + (m[2] as string).length, isSet, out);
          done = LIST_ELEMENT.lastIndex;
        }
        continue;
      }
      const end = valueEnd(text, head.start, head.quote);
      done = end;
      cookiePairs(text, head.start, end, isSet, out);
    }
  },
};

/** What document.cookie returned, quoted after it (DOCUMENT_COOKIE_HEAD): where its value starts and its quote. */
function documentCookie(text: string, at: number): { start: number; quote: string } | null {
  if (text.slice(at - DOCUMENT.length, at) !== DOCUMENT) return null;
  DOCUMENT_COOKIE_HEAD.lastIndex = at;
  const m = DOCUMENT_COOKIE_HEAD.exec(text);
  return m ? { start: at + m[0].length, quote: m[1] as string } : null;
}

/**
 * A cookie's attribute, by its name and its value's shape: what a Set-Cookie holds after the cookie, and
 * what Python's `SimpleCookie.output(header="Cookie:")` writes into a Cookie header too (`Cookie: rocky=road; Path=/cookie`).
 */
const COOKIE_ATTRIBUTE = /^(?:path=\/|domain=\.?[\w-]+(?:\.[\w-]+)*$|max-age=-?\d+$|samesite=(?:lax|strict|none)$|expires=[A-Za-z]{3},)/i;

/** A cookie header's value, text[start, end): name=value pairs separated by ";", each value goes; a Set-Cookie's attributes stay. */
function cookiePairs(text: string, start: number, end: number, isSet: boolean, out: Finding[]): void {
  let pair = start;
  while (pair < end) {
    const semi = text.indexOf(";", pair);
    const pairEnd = semi === -1 || semi > end ? end : semi;
    const eq = text.indexOf("=", pair);
    if (eq !== -1 && eq < pairEnd) {
      let valueStart = eq + 1;
      let valueStop = pairEnd;
      while (valueStart < valueStop && text.charAt(valueStart) === " ") valueStart++;
      while (valueStop > valueStart && text.charAt(valueStop - 1) === " ") valueStop--;
      const value = text.slice(valueStart, valueStop);
      const attribute = pair > start && COOKIE_ATTRIBUTE.test(text.slice(pair, valueStop).trimStart());
      if (value !== "" && !isStandIn(value) && !attribute) out.push({ start: valueStart, end: valueStop, kind: "cookie" });
    }
    if (isSet) break;
    pair = pairEnd + 1;
  }
}
