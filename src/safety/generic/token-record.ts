import type { Detector, Finding, Hits } from "../detectors.ts";
import { isTokenStandIn } from "../look-alikes.ts";

/**
 * Cloudflare's API token as its creation answers with it (`POST /user/tokens`, `/accounts/…/tokens`):
 * `{"result": {"id": …, "name": …, "status": "active", "issued_on": …, "policies": […], "value": "…"}}`.
 * The token has no prefix of its own and its field says only `value`: the fields beside it in its
 * record, `issued_on` and `policies`, say what it is. Listing tokens shows the same records without a value.
 */
const TOKEN_VALUE = /"value"[ \t]*:[ \t]*"([A-Za-z0-9_-]{30,100})"/dy;
/** How far a record is read after its `issued_on` (a token's policies list its resources). */
const REACH = 20_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export const tokenRecordDetector: Detector = {
  keywords: ['"issued_on"'],
  find(text: string, hits: Hits, out: Finding[]): void {
    let readTo = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < readTo) continue; // inside a record read already: each character is read once
      readTo = recordValue(text, at, out);
    }
  },
};

/**
 * Reads the fields of the record `issued_on` (at `at`) is in, to its end: the value of a record
 * with policies is the token. Returns where the reading stopped.
 */
function recordValue(text: string, at: number, out: Finding[]): number {
  const end = Math.min(text.length, at + REACH);
  let depth = 0;
  let policies = false;
  for (let j = at; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      if (depth === 0 && text.startsWith('"policies"', j)) policies = true;
      if (depth === 0 && policies && text.startsWith('"value"', j)) {
        TOKEN_VALUE.lastIndex = j;
        const m = TOKEN_VALUE.exec(text);
        const span = m?.indices?.[1];
        if (m && span && !isTokenStandIn(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "cloudflare-api-token", token: true });
      }
      // The string's end: a quote not escaped.
      for (j++; j < end && text.charCodeAt(j) !== QUOTE && text.charCodeAt(j) !== 0x0a; j++) if (text.charCodeAt(j) === BACKSLASH) j++;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) if (--depth < 0) return j;
  }
  return end;
}
