import type { Detector, Finding, Hits } from "../detectors.ts";
import { isTokenStandIn } from "../look-alikes.ts";

/**
 * fal.ai API keys, with no word naming them: a key id (a UUID), a colon, the key's secret (32 lowercase hex). The secret
 * goes, the id stays. Not a rule of rules/tokens.json, which tries its regex at every keyword: this key is found from the
 * colon after a hex digit, the commonest pair in a log's times (`10:30:45`), and that cost 0.2 s per MiB of them. A hit is
 * first judged by the dash 12 characters before it, where a UUID's last group starts.
 */
const FAL_KEY = /(?<=(?<![0-9A-Za-z_-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{11})[0-9a-f]:([0-9a-f]{32})(?![0-9A-Za-z_-])/dy;
const DASH = 0x2d;
/** Where a UUID's last group starts, before the hex digit the keyword starts at. */
const LAST_GROUP = 12;

export const falKeyDetector: Detector = {
  keywords: Array.from("0123456789abcdef", (digit) => `${digit}:`),
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (text.charCodeAt(at - LAST_GROUP) !== DASH) continue;
      FAL_KEY.lastIndex = at;
      const m = FAL_KEY.exec(text);
      const span = m?.indices?.[1];
      if (m && span && /\d/.test(m[1] as string) && !isTokenStandIn(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "fal-key", token: true });
    }
  },
};
