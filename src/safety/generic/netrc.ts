import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/** `.netrc` entries, on one line or several: `machine host login me password secret`. */
const NETRC =
  /(?:machine[ \t]+\S{1,255}|default)(?:\s+(?:login|account|port|protocol|user)[ \t]+\S{1,255}){0,4}\s+(?:password|passwd)[ \t]+(\S{1,1000})/yd;

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
