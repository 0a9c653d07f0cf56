import type { Detector, Finding, Hits } from "../detectors.ts";
import { WIFI_MODE, isStandIn } from "../look-alikes.ts";
import { lineStart } from "./lines.ts";

/**
 * A Wi-Fi passphrase in the configs that read it to the end of its line, spaces and all: hostapd's
 * `wpa_passphrase=correct horse battery staple` (and WPA3's `sae_password=`), NetworkManager's keyfile
 * (`psk=…` under `[wifi-security]`) and `nmcli -s connection show`'s `802-11-wireless-security.psk:` (its
 * alias `wifi-sec.psk:`) padded to a column, iwd's `Passphrase=`, and Windows' `netsh wlan show profile … key=clear`
 * (`Key Content            : …`; `Schlüsselinhalt`, `Contenu de la clé`, `Contenido de la clave`). The assignment rule
 * stops a bare value at its first space, and lets a lowercase word through under a name that is no password's. Read from the
 * line's start, where these files write their keys (a `#` comment is hostapd's sample, not a setting), with
 * no space around the `=` as they write it (code spaces it: `psk = derive(…)`; a type's `psk: ArrayBufferView;`);
 * wpa_supplicant's quoted `psk="…"` is the assignment rule's.
 */
const WIFI_LINE =
  /[ \t]*(?:(?:wpa_passphrase|sae_password|psk|Passphrase)=|(?:802-11-wireless-security|wifi-sec)\.psk:[ \t]*|(?:Key Content|Schlüsselinhalt|Contenu de la clé|Contenido de la clave)[ \t]*:[ \t]*)([^\s"'](?:[^\r\n]{0,1000}?\S)?)[ \t]*\r?(?=\n|$)/dy;
/** What nmcli prints for a secret it does not show (`<hidden>`) or a field left unset (`--`). */
const SHOWN = /[A-Za-z0-9]/;

export const wifiConfigDetector: Detector = {
  keywords: ["wpa_passphrase", "sae_password", "psk", "passphrase=", "key content", "sselinhalt", "contenu de la cl", "contenido de la clave"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const line = lineStart(text, hits[i] as number, 40);
      if (line === undefined || line <= done) continue;
      done = line;
      WIFI_LINE.lastIndex = line;
      const m = WIFI_LINE.exec(text);
      const span = m?.indices?.[1];
      const value = m?.[1] as string;
      if (m && span && SHOWN.test(value) && !isStandIn(value) && !WIFI_MODE.test(value)) out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  },
};
