import { type Detector, type Finding, type Hits, stickyDetector } from "../detectors.ts";
import { UUID, WORDS_NAME, isStandIn, looksRandom } from "../look-alikes.ts";
import { SECRET_KEY, isAssignedSecret } from "./assignment.ts";
import { drawnAtRandom } from "./handed-key.ts";

/**
 * `scheme://user:password@host`: only the password goes. A password may hold `@` (the last `@`
 * before the path ends it), `/` (then the first `@` ends it) or `#` (written unencoded, as in
 * many a `.env`), but a port followed by a path (`host:8080/users/@me`) is not a password. The user
 * may be an e-mail address written unencoded (`smtp://me@gmail.com:…@smtp.gmail.com:587`, as
 * dj-email-url's EMAIL_URL is often written).
 */
const URL_CREDENTIALS = /:\/\/(?:[^\s:/?#@"'<>[\]]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}(?=:)|[^\s:/?#@"'<>[\]]{0,256}):(?:([^\s/?"'<>]{1,256})|([^\s?"'<>@]{1,256}))@/yd;
const PORT_AND_PATH = /^\d{1,5}\//;
const CREDENTIALS_MAX = 3 + 256 + 1 + 256;

export const urlCredentialsDetector: Detector = {
  keywords: ["://"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let nextAt = -1; // the next "@": credentials need one within reach
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (nextAt < at) nextAt = text.indexOf("@", at);
      if (nextAt === -1) return;
      if (nextAt - at > CREDENTIALS_MAX) continue;
      URL_CREDENTIALS.lastIndex = at;
      const m = URL_CREDENTIALS.exec(text);
      if (m === null) continue;
      const group = m[1] !== undefined ? 1 : 2;
      const password = m[group] as string;
      const span = m.indices?.[group];
      if (!span || isStandIn(password) || (group === 2 && PORT_AND_PATH.test(password))) continue;
      out.push({ start: span[0], end: span[1], kind: "password" });
    }
  },
};

/**
 * Go's MySQL DSN, `user:password@tcp(host:3306)/db` (also `@unix(`): no scheme, so not a URL above.
 * The password runs from the first `:` of the user's word to the `@` before the protocol.
 */
const GO_DSN = /([A-Za-z0-9_.-]{1,64}):([^\s"'`]{1,256}?)@(?:tcp|unix)\(/dy;

export const goDsnDetector: Detector = {
  keywords: ["@tcp(", "@unix("],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      // Back to the start of `user:password`: after a quote, a space, `=` or the start of the text.
      let start = at;
      const limit = Math.max(done, at - 330);
      while (start > limit && !/[\s"'`=]/.test(text.charAt(start - 1))) start--;
      GO_DSN.lastIndex = start;
      const m = GO_DSN.exec(text);
      const span = m?.indices?.[2];
      done = at + 1;
      if (!m || !span || span[1] !== at || isStandIn(m[2] as string)) continue;
      out.push({ start: span[0], end: span[1], kind: "password" });
    }
  },
};

/**
 * Signed URLs: `?sig=` (Azure SAS), `&X-Amz-Signature=`, `&X-Goog-Signature=`, `&signature=`.
 * Anyone holding the URL has the access it grants until it expires. And an OAuth redirect's
 * `?code=`, until it is exchanged, and an API key as `?key=` (Google's, Trello's, Bing's) or
 * `?appid=` (OpenWeather's): only a random-looking one (`?code=200`, `?code=US`, `?key=value` are
 * not); a code never with encoded spaces (a code playground's link carries a program's source as
 * `?code=fn+main()…`), a key never a path or a cache key.
 */
/** The value ends at the URL's end: a quote of either kind, a template literal's backtick (`fetch(\x60…&appid=…\x60)`), a space. */
const SIGNATURE_VALUE = /[^&\s"'\x60#<>\\]{8,2000}/y;
/** Parameters whose name says less: their value goes only when it looks random, and only under that exact name. */
const RANDOM_ONLY = new Set(["code=", "key=", "appid="]);
/** A code with a space in it (`+`, `%20`) or a line break is a program's source. */
const ENCODED_SPACE = /\+|%(?:20|0a|0d|09)/i;
/** A key's characters: not a path (`?key=images/2024/a.jpg`) nor a cache key (`?key=user:12:profile`). */
const KEY_CHARS = /^[A-Za-z0-9_.~-]+$/;
const NAME_MAX = 40;

export const urlSignatureDetector: Detector = {
  keywords: ["sig=", "signature=", ...RANDOM_ONLY],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      let name = hits[i] as number;
      const limit = Math.max(0, name - NAME_MAX);
      while (name > limit && /[A-Za-z0-9_-]/.test(text.charAt(name - 1))) name--;
      const before = text.charAt(name - 1);
      if (before !== "?" && before !== "&" && before !== ";") continue;
      const start = hits[i + 1] as number;
      SIGNATURE_VALUE.lastIndex = start;
      const m = SIGNATURE_VALUE.exec(text);
      if (m === null || isStandIn(m[0])) continue;
      const keyword = text.slice(hits[i] as number, start).toLowerCase();
      if (RANDOM_ONLY.has(keyword) && ((hits[i] as number) !== name || !looksRandom(m[0]) || (keyword === "code=" ? ENCODED_SPACE.test(m[0]) : !KEY_CHARS.test(m[0])))) continue;
      out.push({ start, end: start + m[0].length, kind: "secret" });
    }
  },
};

/**
 * Keys that blockchain node providers put in the URL's path: `https://mainnet.infura.io/v3/<key>`,
 * `https://eth-mainnet.g.alchemy.com/v2/<key>`. Whoever has the URL spends the account's quota. So
 * does IFTTT's webhook key: `https://maker.ifttt.com/trigger/<event>/with/key/<key>`. Anaconda's token to a private
 * channel or its commercial repository sits after `/t/` (`https://conda.anaconda.org/t/<token>/acme`, `repo.anaconda.cloud/t/<token>/…`,
 * as `.condarc`, `conda config --add channels` and pixi's manifests write it).
 */
const PATH_KEY = /[A-Za-z0-9_-]{20,64}/y;

/**
 * A segment after one naming a key or a token (`/keys/<key>`, `/token/<token>/verify`): a key with no prefix of its own
 * (Mistral's 32 characters, Vercel's old 24, Cloudflare's 40) when it is drawn at random. Under a collection's name
 * (`/keys/`, `/tokens/`) or `/key/` such a segment is more often an id (hex, a UUID, a number) or a fingerprint: those
 * stay, as do names and words. After one API key or token (`/apikey/`, `/token/`), hex goes too (Deepgram's 40), not a UUID.
 */
const NAMED_SEGMENT = new Set(["/key/", "/keys/", "/apikeys/", "/api_keys/", "/api-keys/", "/tokens/"]);
const ONE_KEY_SEGMENT = new Set(["/apikey/", "/api_key/", "/api-key/", "/token/"]);
const SEGMENT_END = /[/?#\s"'\x60)\]>]|$/y;

/** Whether the segment after `named` (a key's or a token's name) is the key. */
function segmentKey(named: string, value: string): boolean {
  if (ONE_KEY_SEGMENT.has(named)) return /\d/.test(value) && /[A-Za-z]/.test(value) && !UUID.test(value) && !WORDS_NAME.test(value);
  return drawnAtRandom(value.replace(/[_-]/g, ""));
}

export const urlPathKeyDetector: Detector = {
  keywords: ["infura.io/v3/", "alchemy.com/v2/", "alchemyapi.io/v2/", "/with/key/", "anaconda.org/t/", "anaconda.cloud/t/", ...NAMED_SEGMENT, ...ONE_KEY_SEGMENT],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const start = hits[i + 1] as number;
      PATH_KEY.lastIndex = start;
      const m = PATH_KEY.exec(text);
      if (m === null || isStandIn(m[0])) continue;
      const named = text.slice(hits[i] as number, start).toLowerCase();
      if (NAMED_SEGMENT.has(named) || ONE_KEY_SEGMENT.has(named)) {
        SEGMENT_END.lastIndex = start + m[0].length;
        if (!SEGMENT_END.test(text) || !segmentKey(named, m[0])) continue;
      }
      out.push({ start, end: start + m[0].length, kind: "secret" });
    }
  },
};

/**
 * A secret's field in a URL that is itself percent-encoded inside another (a redirect's `next=`, a
 * logged URL): `%26password%3D…`, `%3Fapi_key%3D…`. The name is read as written, the value up to
 * the next encoded `&` or the end of the word, and judged decoded.
 */
const ENCODED_VALUE = /(?:[^\s"'&%<>#\\]|%(?!26)[0-9A-Fa-f]{2}){1,1000}/y;

export const encodedFieldDetector: Detector = {
  keywords: ["%3d"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue; // inside the value before
      let name = at;
      while (name > at - NAME_MAX && name > 0 && /[A-Za-z0-9_.-]/.test(text.charAt(name - 1))) name--;
      const field = text.slice(name, at);
      const start = hits[i + 1] as number;
      ENCODED_VALUE.lastIndex = start;
      const m = ENCODED_VALUE.exec(text);
      if (!m || !SECRET_KEY.test(field)) continue;
      done = start + m[0].length;
      let value = m[0];
      try {
        value = decodeURIComponent(value);
      } catch {
        // a stray %: judged as written
      }
      if (isAssignedSecret(field, value, true, undefined)) out.push({ start, end: start + m[0].length, kind: "secret" });
    }
  },
};

/**
 * A Sentry DSN, `https://<32 hex>@o123456.ingest.sentry.io/4504…` (also a self-hosted
 * `https://<key>@sentry.example.com/3`): its key lets anyone send events to the project, filling its
 * quota and its issues. Found from the `sentry` of its host, looking back (bounded) for `//`, the key
 * and `@`; the old secret after `:` is the URL credentials' rule's.
 */
const SENTRY_DSN = /\/\/([0-9a-f]{32})(?::[0-9a-f]{32})?@[a-z0-9.-]{0,80}$/di;
const SENTRY_BACK = 2 + 32 + 33 + 1 + 80;

export const sentryDsnDetector: Detector = {
  keywords: ["sentry"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (text[at - 1] !== "@" && text[at - 1] !== ".") continue;
      const from = Math.max(0, at - SENTRY_BACK);
      const m = SENTRY_DSN.exec(text.slice(from, at));
      const span = m?.indices?.[1];
      if (span) out.push({ start: from + span[0], end: from + span[1], kind: "sentry-dsn" });
    }
  },
};

/**
 * A token as the URL's user, with no password (`https://<PAT>@dev.azure.com/…`, `https://<token>@github.com/…`, as Azure DevOps' and
 * GitHub's docs clone with one, and `git remote -v` shows it after): a value drawn at random, hex of 32 digits or more (GitHub's
 * classic tokens were 40), or Azure DevOps' 52 characters of base32. A person's or a service's name (`alice@`, `git@`,
 * `deploy-bot-2024@`) stays. After the rules of known tokens (`ghp_…@github.com`) and Sentry's DSN, which name theirs.
 */
const TOKEN_USER = /:\/\/([A-Za-z0-9_-]{20,256})@/yd;
const isUserToken = (user: string) => drawnAtRandom(user) || /^[0-9a-f]{32,}$/i.test(user) || (/^[a-z2-7]{52}$/.test(user) && /\d/.test(user));

export const urlTokenUserDetector = stickyDetector(["://"], TOKEN_USER, "secret", isUserToken);
