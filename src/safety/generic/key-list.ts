import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";
import { drawnAtRandom } from "./handed-key.ts";

/**
 * A list of keys or tokens under a plural name: an API's allowed keys (`API_KEYS=k1,k2`, `VALID_API_KEYS="k1 k2"`,
 * `"apiKeys": ["k1", "k2"]`, `auth_tokens: k1;k2`) and Deno's `DENO_AUTH_TOKENS=k1@deno.land;k2@host:8080`. The assignment rule
 * reads one value, so the items after the first went. Each item drawn at random goes (the part before `@`, Deno's token before
 * its host); a name of words, a number, a hash or a path stays. The name's first word says the list is of credentials:
 * `sort_keys`, `ssh_keys` (public keys), `max_tokens` and `input_tokens` (counts) are no such list.
 */
const FIRST_WORDS = ["api", "auth", "access", "bearer", "service", "deploy", "admin", "master"];
const KEYWORDS = FIRST_WORDS.flatMap((w) => ["", "_", "-", "."].flatMap((sep) => [`${w}${sep}keys`, `${w}${sep}tokens`]));
/** The name from the hit, then its value: a JSON array, a quoted string or a bare word, on its line. */
const LIST = /(?:api|auth|access|bearer|service|deploy|admin|master)[_.-]?(?:key|token)s["']?[ \t]*(?:=|:)[ \t]*(\[[^\]\r\n]{1,4000}\]|"[^"\r\n]{1,4000}"|'[^'\r\n]{1,4000}'|[^\s"'`]{1,4000})/diy;
/** An item: up to a separator, a quote, a bracket, or `@` before a host. */
const ITEM = /[^\s,;"'[\]@]{16,512}/g;

export const keyListDetector: Detector = {
  keywords: KEYWORDS,
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      // A name's first word: after a separator, or a capital after a lowercase letter (`validApiKeys`); not `rapi_keys`.
      const before = text.charAt(at - 1);
      if (/[A-Za-z0-9]/.test(before) && !(/[a-z]/.test(before) && /[A-Z]/.test(text.charAt(at)))) continue;
      LIST.lastIndex = at;
      const m = LIST.exec(text);
      const span = m?.indices?.[1];
      if (!m || !span) continue;
      done = span[1];
      for (const item of (m[1] as string).matchAll(ITEM)) {
        const value = item[0];
        if (!drawnAtRandom(value) || isStandIn(value)) continue;
        const start = span[0] + (item.index ?? 0);
        out.push({ start, end: start + value.length, kind: "secret" });
      }
    }
  },
};
