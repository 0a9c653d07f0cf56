import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn, looksRandom, NO_CREDENTIAL_NAME } from "../look-alikes.ts";
import { SECRET_KEY } from "./assignment.ts";
import { looksLikeStrongPassword } from "./prose-secret.ts";

/**
 * A stack's config value under its full name, told outside the table that lists them (printed-secret.ts reads the
 * table): Pulumi's `project:key`, a key of a secret's name, spaces, the value (`myapp:dbPass  Xk9mQ2pL7vR3`, "the
 * config has myapp:apiToken   …"). The value must look like a password or a random draw: `aws:region us-west-2`,
 * `auth:token refreshed` stay.
 */
const CONFIG_PAIR = /[A-Za-z][\w-]{0,60}:([A-Za-z][\w.-]{0,80})[ \t]+([^\s"'`]{6,200})(?=[\s,;)]|$)/dy;
/**
 * A key in camelCase whose last word names a secret (`stripeKey`, `githubToken`, `dbPassword`): SECRET_KEY reads `*_key`, not `*Key`.
 * A key or a token so named is drawn at random (`primaryKey userId42`, a cache's or a request's key are no credential).
 */
const CAMEL_SECRET = /[a-z0-9](?:Key|Token|Secret|Password|Passwd|Pass|Pwd)$/;
const CAMEL_KEY = /[a-z0-9](?:Key|Token)$/;
/** How far back from a keyword (inside the key) its `project:key` word may start. */
const NAME_BACK = 150;
/** A word character, `:`, `.` or `-`. */
const isNameChar = (c: number) => (c >= 0x30 && c <= 0x3a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e || c === 0x2d;

export const projectConfigDetector: Detector = {
  keywords: ["pass", "pw", "psw", "secret", "token", "key", "auth", "cred"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    let prevAt = -1;
    let prevStart = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      // The word's start, looked for back to the last keyword's at most: from there on, it is that keyword's word (linear).
      let start = at;
      const floor = Math.max(at - NAME_BACK, prevAt);
      while (start > floor && isNameChar(text.charCodeAt(start - 1))) start--;
      if (start === prevAt) start = prevStart;
      prevAt = at;
      prevStart = start;
      if (at - start >= NAME_BACK || isNameChar(text.charCodeAt(start - 1)) || text[start - 1] === "/") continue; // a longer word, or a URL's path
      CONFIG_PAIR.lastIndex = start;
      const m = CONFIG_PAIR.exec(text);
      const span = m?.indices?.[2];
      if (!m || !span || span[0] < at) continue;
      const [, key, value] = m as unknown as [string, string, string];
      done = span[1];
      const camel = !SECRET_KEY.test(key) && CAMEL_SECRET.test(key);
      if (!(SECRET_KEY.test(key) || camel) || isStandIn(value) || !(looksLikeStrongPassword(value) || looksRandom(value))) continue;
      if (camel && (NO_CREDENTIAL_NAME.test(key) || (CAMEL_KEY.test(key) && !looksRandom(value)))) continue;
      out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  },
};
