import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";
import { lineStart } from "./lines.ts";

/**
 * A router's or a switch's running config (Cisco IOS and the many that copy its syntax), as
 * `show running-config` prints it: `enable secret 5 <hash>`, `username admin privilege 15
 * password 0 <password>`, `snmp-server community <string> RW` (an SNMP community is its password),
 * `tacacs-server … key 7 <key>`, `radius-server key <key>`. The digit before the value says how it
 * is kept (0 clear, 7 a reversible cipher, 5/8/9 a hash): each gives the password up, type 7 at once.
 * Read from the line's start, where the config writes its commands.
 */
const DEVICE_LINE = new RegExp(
  String.raw`[ \t]*(?:` +
    String.raw`(?:enable|username[ \t]+\S{1,64}(?:[ \t]+privilege[ \t]+\d{1,2})?)[ \t]+(?:secret|password)|` +
    String.raw`snmp-server[ \t]+community|` +
    String.raw`(?:tacacs-server|radius-server)(?:[ \t]+host[ \t]+\S{1,255})?(?:[ \t]+(?:auth-port|acct-port|port|timeout)[ \t]+\d{1,5})*[ \t]+key` +
    // The value ends its line, but for a community's access and ACL (`RO 10`): prose goes on ("password reset required").
    String.raw`)(?:[ \t]+(?:0|4|5|6|7|8|9)(?=[ \t]))?[ \t]+(\S{1,1000})(?:[ \t]+(?:RO|RW)(?:[ \t]+\S{1,64})?)?[ \t]*(?:\r?\n|$)`,
  "dy",
);

export const networkConfigDetector: Detector = {
  keywords: ["enable secret", "enable password", "username ", "snmp-server community", "tacacs-server", "radius-server"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const line = lineStart(text, hits[i] as number, 300);
      if (line === undefined || line <= done) continue;
      done = line;
      DEVICE_LINE.lastIndex = line;
      const m = DEVICE_LINE.exec(text);
      const span = m?.indices?.[1];
      if (m && span && !isStandIn(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "password" });
    }
  },
};
