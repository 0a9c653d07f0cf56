import type { Detector, Finding, Hits } from "../detectors.ts";
import { drawnAtRandom } from "./handed-key.ts";

/**
 * `docker inspect`'s environment (`"Env": ["STRIPE=…", "PATH=/usr/bin"]`): a secret may sit under
 * a name that says nothing of it, so a value goes by its shape alone, drawn at random (handed-key.ts)
 * and 20 letters and digits or more. Paths, versions, URLs, hashes and UUIDs are no such word.
 */
const ENV_OPEN = /"Env"[ \t]*:[ \t]*\[/y;
/** The array's end, within a bounded reach: an image's environment is a few dozen lines. */
const ENV_REACH = 20000;
const ENTRY = /"[A-Za-z_][A-Za-z0-9_.-]{0,100}=([A-Za-z0-9]{20,256})"/dg;

export const envArrayDetector: Detector = {
  keywords: ['"env"'],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      ENV_OPEN.lastIndex = hits[i] as number;
      if (!ENV_OPEN.test(text)) continue;
      const from = ENV_OPEN.lastIndex;
      const close = text.indexOf("]", from);
      const body = text.slice(from, close === -1 ? Math.min(text.length, from + ENV_REACH) : Math.min(close, from + ENV_REACH));
      for (const m of body.matchAll(ENTRY)) {
        const span = m.indices?.[1];
        if (span && drawnAtRandom(m[1] as string)) out.push({ start: from + span[0], end: from + span[1], kind: "secret" });
      }
    }
  },
};
