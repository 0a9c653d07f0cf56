import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/**
 * A WiFi network's QR code text, as `qrencode` takes it and phones share it:
 * `WIFI:T:WPA;S:<ssid>;P:<password>;H:false;;`. Its fields come in any order, each up to a `;`
 * not escaped by a backslash; the password is the `P:` one.
 */
const FIELD = String.raw`(?:[^;\\\r\n]|\\.)`;
const WIFI_PASSWORD = new RegExp(String.raw`WIFI:(?:[A-Za-z]{1,2}:${FIELD}{0,100};){0,6}?P:(${FIELD}{1,200})(?=;|$)`, "dy");

export const wifiQrDetector: Detector = {
  keywords: ["wifi:"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at > 0 && /[A-Za-z0-9_]/.test(text.charAt(at - 1))) continue;
      WIFI_PASSWORD.lastIndex = at;
      const m = WIFI_PASSWORD.exec(text);
      const span = m?.indices?.[1];
      if (m && span && !isStandIn(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "password" });
    }
  },
};
