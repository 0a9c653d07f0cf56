import { type Detector, type Finding, type Hits, stickyDetector } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";
import { lineStart } from "./lines.ts";
import { filePrints } from "./printed-secret.ts";
import { looksLikePassword } from "./prose-secret.ts";
import { PGBOUNCER_USER_LINE, PPP_SECRET_LINE, userLines } from "./user-lines.ts";

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
const PGPASS_AT = /[^:\s]+:(?:5432|6432|\*):([^:\s]+):([^:\s]+):(\S{1,1000})/dy;
/**
 * Not `/etc/shadow`'s line of an account without a password (`daemon:*:20228:0:99999:7:::`: days
 * where a database and a user stand), nor a wildcard (IPv6's `*:*:*:*:*:*:*:*`).
 */
const NOT_PGPASS = (db: string, user: string, value: string) => (/^\d+$/.test(db) && /^\d+$/.test(user)) || /^[*:]/.test(value);
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
      const span = m?.indices?.[3];
      if (m && span && !isStandIn(m[3] as string) && !NOT_PGPASS(m[1] as string, m[2] as string, m[3] as string)) out.push({ start: span[0], end: span[1], kind: "password" });
      SPACE.lastIndex = at;
      done = SPACE.exec(text)?.index ?? text.length;
    }
  },
};

export const pgpassDetectors: Detector[] = [pgpassLineDetector];

/**
 * A user's password hash at the start of a line, as `.htpasswd` and `/etc/shadow` keep it:
 * `admin:$apr1$…`, `jdoe:$2y$10$…`, `root:$6$…:19000:0:…`; Traefik's basic auth users in a Compose label, each `$` doubled
 * (`…basicauth.users=admin:$$apr1$$…`); Caddy's `basic_auth` block, a user and a space before the hash on its line
 * (`  admin $2a$14$…`). A hash gives the password up to whoever tries enough guesses (a weak one at once). Tried from the
 * hash's `$`: a user's name and a colon before it, or the user alone on its line.
 */
const HASH_USER = /(?:^|[^\w.@$-])[\w.@-]{1,64}:$|(?:^|\n)[ \t]*[\w.@-]{1,64}[ \t]+$/;
const HASH = /\$\$?(?:apr1|2[abxy]|1|5|6|y|gy|7|argon2id?)\$[^\s:"']{8,1000}/y;

export const passwordHashDetector: Detector = {
  keywords: ["$apr1$", "$2a$", "$2b$", "$2x$", "$2y$", "$1$", "$5$", "$6$", "$y$", "$gy$", "$7$", "$argon2", "$$apr1$$", "$$2a$$", "$$2b$$", "$$2y$$"],
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

/**
 * A user of HAProxy's `userlist` with a password in clear, as its name warns: `user admin
 * insecure-password <password>` (its `password <hash>` is passwordHashDetector's and the prose rules').
 */
const HAPROXY_USER = /user[ \t]+\S{1,64}[ \t]+insecure-password[ \t]+(\S{1,1000})/dy;

export const haproxyUserDetector: Detector = {
  keywords: ["insecure-password"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      // Tried from the line's start: `user` first on it, as the config writes it.
      const line = lineStart(text, hits[i] as number, 100);
      if (line === undefined) continue;
      const indent = /[ \t]*/y;
      indent.lastIndex = line;
      indent.exec(text);
      HAPROXY_USER.lastIndex = indent.lastIndex;
      const m = HAPROXY_USER.exec(text);
      const span = m?.indices?.[1];
      if (m && span && !isStandIn(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "password" });
    }
  },
};

/**
 * A line of Postfix's `sasl_passwd`: the relay, then `user:password` (the rest of the line: a
 * Gmail app password has spaces). The relay as Postfix writes it when no MX lookup is wanted,
 * `[smtp.example.com]:587`, wherever it stands (an `echo "…" > sasl_passwd` too); or any
 * `host:port` on a line of its own after the file is named (`cat /etc/postfix/sasl_passwd`).
 */
const SASL_VALUE = String.raw`[ \t]+[^\s:"']{1,255}:([^\r\n"']{1,1000})`;
const SASL_BRACKETED = new RegExp(String.raw`\[[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,10}\](?::\d{1,5})?${SASL_VALUE}`, "dy");
const SASL_LINE = new RegExp(String.raw`^[ \t]*[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,10}:\d{1,5}${SASL_VALUE}$`, "dgm");
const SASL_REACH = 4000;

/** Not a path or a URL's rest (`[host]:443 GET:/index.html`, `http://…`). */
function pushSasl(out: Finding[], m: RegExpExecArray, offset: number): void {
  const span = m.indices?.[1];
  const value = (m[1] as string).trimEnd();
  if (span && value !== "" && !value.startsWith("/") && !isStandIn(value)) out.push({ start: offset + span[0], end: offset + span[0] + value.length, kind: "password" });
}

export const saslPasswdDetector: Detector = {
  keywords: ["]:", "sasl_passwd"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (text.charAt(at) === "]") {
        // The relay's `[` on the same line, a host's length back at most.
        const back = Math.max(0, at - 700);
        const found = text.slice(back, at).lastIndexOf("[");
        const open = back + found;
        if (found < 0 || (open > 0 && !/[\s"'`]/.test(text.charAt(open - 1)))) continue;
        SASL_BRACKETED.lastIndex = open;
        const m = SASL_BRACKETED.exec(text);
        if (m) pushSasl(out, m, 0);
        continue;
      }
      const from = Math.max(hits[i + 1] as number, done);
      done = Math.min(text.length, (hits[i + 1] as number) + SASL_REACH);
      const slice = text.slice(from, done);
      for (const m of slice.matchAll(SASL_LINE)) pushSasl(out, m, from);
    }
  },
};

/**
 * strongSwan's `ipsec.secrets` (and Libreswan's): `[ids] : PSK "<secret>"`, and the EAP, XAUTH and
 * NTLM secrets of its users (`alice : EAP "<password>"`); an RSA or ECDSA line names a key's file.
 */
const IPSEC_SECRET = /:[ \t]+(?:PSK|EAP|XAUTH|NTLM)[ \t]+(?:"((?:[^"\\\r\n]|\\.){1,1000})"|([^\s"#]{1,1000}))/dy;

export const ipsecSecretsDetector = stickyDetector([": psk", ": eap", ": xauth", ": ntlm"], IPSEC_SECRET, "password");

/**
 * Maven's encrypted master password in `~/.m2/settings-security.xml`: `<master>{base64}</master>`.
 * "master" names a git branch too, so only the braced base64 with digits and both cases goes.
 */
const MAVEN_MASTER = /<master>[ \t]*(\{(?=[A-Za-z0-9+/=]*\d)(?=[A-Za-z0-9+/=]*[A-Z])(?=[A-Za-z0-9+/=]*[a-z])[A-Za-z0-9+/]{16,1000}={0,2}\})[ \t]*<\/master>/dy;

export const mavenMasterDetector = stickyDetector(["<master>"], MAVEN_MASTER, "password");

/**
 * Files of one line a user, read within PGPASS_REACH after where they are named (`cat ~/.pgpass`,
 * `PGPASSFILE=`, `cat /etc/ppp/chap-secrets`, PgBouncer's `auth_file`): `.pgpass` (PGPASS_LINE, from
 * right after its name: a title has its lines joined), and from the next line on pppd's and
 * PgBouncer's (user-lines.ts).
 */
const USER_FILES: Array<{ names: string[]; line: RegExp; nextLine?: true }> = [
  { names: ["pgpass"], line: PGPASS_LINE },
  // or its header, as pppd installs the files: "# Secrets for authentication using CHAP".
  { names: ["chap-secrets", "pap-secrets", "secrets for authentication using"], line: PPP_SECRET_LINE, nextLine: true },
  { names: ["userlist.txt"], line: PGBOUNCER_USER_LINE, nextLine: true },
];

export const userFileDetectors: Detector[] = USER_FILES.map(({ names, line, nextLine }) => ({
  keywords: names,
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      let from = Math.max(hits[i + 1] as number, done);
      done = Math.min(text.length, (hits[i + 1] as number) + PGPASS_REACH);
      // The command or the heading naming the file is no entry.
      if (nextLine) from = text.indexOf("\n", from) + 1;
      if (from <= 0 || from >= done) continue;
      for (const f of userLines(text, line, from, done)) out.push(f);
    }
  },
}));

/**
 * OpenVPN's `auth-user-pass` file shown below the command that shows it (`$ cat /etc/openvpn/auth.txt`,
 * printed-secret.ts filePrints), or inlined in a profile (`<auth-user-pass>`): a user's line, then
 * the password's, then nothing more (the text's end, a blank line, the block's end or a prompt).
 * A directory's listing or a profile's directives have more lines, or words with no digit nor symbol.
 */
const USER_PASS_BLOCK = /[ \t]*\r?\n[ \t]*[^\s<]{1,256}[ \t]*\r?\n[ \t]*([^\s<]{1,1000})[ \t]*(?=\r?\n[ \t]*(?:\r?\n|$|<\/auth-user-pass>|[$#%>][ \t])|$)/dy;
/** The path the keyword is in: from the last space, quote or shell operator before it to the next. */
const PATH_START = /[^\s"'|;&<>]{0,300}$/;
const PATH_REST = /[^\s"'|;&<>]{0,300}/y;

export const openvpnAuthDetector: Detector = {
  keywords: ["openvpn", "<auth-user-pass>"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      const end = hits[i + 1] as number;
      if (text.charAt(at) !== "<") {
        // The file's whole path, the last thing on its line.
        const from = at - (PATH_START.exec(text.slice(Math.max(0, at - 300), at))?.[0].length ?? 0);
        PATH_REST.lastIndex = end;
        PATH_REST.exec(text);
        const eol = text.indexOf("\n", PATH_REST.lastIndex);
        if (filePrints(text.slice(from, PATH_REST.lastIndex)) !== "user-pass" || text.slice(PATH_REST.lastIndex, eol < 0 ? text.length : eol).trim() !== "") continue;
        USER_PASS_BLOCK.lastIndex = eol < 0 ? text.length : eol;
      } else USER_PASS_BLOCK.lastIndex = end;
      const m = USER_PASS_BLOCK.exec(text);
      const span = m?.indices?.[1];
      if (m && span && !isStandIn(m[1] as string) && looksLikePassword(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "password" });
    }
  },
};
