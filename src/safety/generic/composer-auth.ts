import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/**
 * Composer's `auth.json` (and `COMPOSER_AUTH`): a token per host under the kind of credential,
 * `"github-oauth": {"github.com": "<token>"}`, `"gitlab-token"`, `"gitlab-oauth"`, `"bearer"`. The
 * host names the key, no word of a secret's: the value under it goes whatever its shape (a GitHub
 * OAuth token is 40 hex digits, unprefixed). Quotes may be escaped (`COMPOSER_AUTH="{\"github-oauth\": …}"`).
 */
const Q = String.raw`\\?"`;
const BLOCK = new RegExp(String.raw`(?:github-oauth|gitlab-(?:token|oauth)|bearer)${Q}[ \t]*:[ \t\r\n]*\{`, "iy");
/** One `"host": "token"` entry of the block, after a comma or its opening brace: keyed by a host (not an OpenAPI scheme's `"type": "http"`). */
const ENTRY = new RegExp(String.raw`[ \t\r\n]*,?[ \t\r\n]*${Q}[\w-]{1,63}(?:\.[\w-]{1,63}){1,10}(?::\d{1,5})?${Q}[ \t]*:[ \t\r\n]*${Q}([^"\\\s]{1,1000})${Q}`, "dy");

export const composerAuthDetector: Detector = {
  keywords: ["github-oauth", "gitlab-token", "gitlab-oauth", "bearer"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      BLOCK.lastIndex = hits[i] as number;
      if (!BLOCK.test(text)) continue;
      // An entry whose value is an object (`{"username": …, "token": …}`) ends the walk: its keys name it.
      ENTRY.lastIndex = BLOCK.lastIndex;
      for (let m = ENTRY.exec(text); m; m = ENTRY.exec(text)) {
        const span = m.indices?.[1];
        if (span && !isStandIn(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
      }
    }
  },
};
