import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";
import { lineStart } from "./lines.ts";

/* Credentials files shown in a session: `~/.netrc`, PostgreSQL's `~/.pgpass`, `.htpasswd` and `/etc/shadow`, cookies.txt. */

/**
 * `.netrc` entries, on one line or several: `machine host login me password secret`, and the
 * `default login me password secret` entry (with a login or account: prose's "the default password
 * is …" is none).
 */
const FIELD = String.raw`\s+(?:login|account|port|protocol|user)[ \t]+\S{1,255}`;
const NETRC = new RegExp(
  String.raw`(?:machine[ \t]+\S{1,255}(?:${FIELD}){0,4}|default(?:${FIELD}){1,4})\s+(?:password|passwd)[ \t]+(\S{1,1000})`,
  "yd",
);

export const netrcDetector: Detector = {
  keywords: ["machine", "default"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at > 0 && !/\s/.test(text.charAt(at - 1))) continue;
      NETRC.lastIndex = at;
      const m = NETRC.exec(text);
      const span = m?.indices?.[1];
      if (!m || !span || isStandIn(m[1] as string)) continue;
      out.push({ start: span[0], end: span[1], kind: "password" });
    }
  },
};

/**
 * A line of PostgreSQL's password file: `host:port:database:user:password` (`*` for any of the
 * first four). Told from its neighbours by any white space: a title has its lines joined.
 */
const PGPASS_LINE = /(?<!\S)[^:\s]+:(?:\d{1,5}|\*):[^:\s]+:[^:\s]+:(\S{1,1000})/gd;
/** How far after the file is named (`cat ~/.pgpass`, `PGPASSFILE=`) its lines are looked for. */
const PGPASS_REACH = 4000;

/**
 * One such line with PostgreSQL's or PgBouncer's port, or any port (`*`), where the file is not
 * named: the content of a `.pgpass` Claude writes (the path is another field). Tried from the
 * start of the word holding the port.
 */
const PGPASS_AT = /[^:\s]+:(?:5432|6432|\*):[^:\s]+:[^:\s]+:(\S{1,1000})/dy;
const HOST_MAX = 1000;
const SPACE = /\s/g;

const pgpassLineDetector: Detector = {
  keywords: [":5432:", ":6432:", ":*:"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue; // in a word already tried
      let word = at;
      const limit = Math.max(done, at - HOST_MAX);
      while (word > limit && !/\s/.test(text.charAt(word - 1))) word--;
      PGPASS_AT.lastIndex = word;
      const m = PGPASS_AT.exec(text);
      const span = m?.indices?.[1];
      if (m && span && !isStandIn(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "password" });
      SPACE.lastIndex = at;
      done = SPACE.exec(text)?.index ?? text.length;
    }
  },
};

const pgpassFileDetector: Detector = {
  keywords: ["pgpass"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const from = Math.max(hits[i + 1] as number, done);
      done = Math.min(text.length, (hits[i + 1] as number) + PGPASS_REACH);
      for (const m of text.slice(from, done).matchAll(PGPASS_LINE)) {
        const span = m.indices?.[1];
        if (span && !isStandIn(m[1] as string)) out.push({ start: from + span[0], end: from + span[1], kind: "password" });
      }
    }
  },
};

export const pgpassDetectors: Detector[] = [pgpassFileDetector, pgpassLineDetector];

/**
 * A user's password hash at the start of a line, as `.htpasswd` and `/etc/shadow` keep it:
 * `admin:$apr1$…`, `jdoe:$2y$10$…`, `root:$6$…:19000:0:…`. A hash gives the password up to
 * whoever tries enough guesses (a weak one at once). Tried from the hash's `$`: a user's name
 * and a colon before it.
 */
const HASH_USER = /(?:^|[^\w.@$-])[\w.@-]{1,64}:$/;
const HASH = /\$(?:apr1|2[abxy]|1|5|6|y|gy|7|argon2id?)\$[^\s:]{8,1000}/y;

export const passwordHashDetector: Detector = {
  keywords: ["$apr1$", "$2a$", "$2b$", "$2x$", "$2y$", "$1$", "$5$", "$6$", "$y$", "$gy$", "$7$", "$argon2"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (!HASH_USER.test(text.slice(Math.max(0, at - 70), at))) continue;
      HASH.lastIndex = at;
      const m = HASH.exec(text);
      if (m) out.push({ start: at, end: at + m[0].length, kind: "password-hash" });
    }
  },
};

/**
 * A line of a Netscape cookie jar (curl's `-c cookies.txt`, yt-dlp's, browsers' exports):
 * domain, subdomains, path, secure, expiry, name, value, between tabs. The value is a session.
 */
const COOKIE_LINE = /(?:#HttpOnly_)?[^\t\r\n]{1,255}\t(?:TRUE|FALSE)\t[^\t\r\n]{1,1000}\t(?:TRUE|FALSE)\t-?\d{1,12}\t[^\t\r\n]{1,255}\t([^\t\r\n]{1,4000})/dy;

export const cookieJarDetector: Detector = {
  keywords: ["\ttrue\t", "\tfalse\t"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      // The line's start, 300 characters back at most (a domain is shorter).
      const line = lineStart(text, at, 300);
      if (line === undefined) continue;
      COOKIE_LINE.lastIndex = line;
      const m = COOKIE_LINE.exec(text);
      const span = m?.indices?.[1];
      if (!m || !span) continue;
      done = span[1];
      if (!isStandIn(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "cookie" });
    }
  },
};
