import { DOUBLE_QUOTED, type Detector, type Finding, type Hits, SINGLE_QUOTED, quotedValue, widenedIfCut } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";
import { lineStart } from "./lines.ts";

/**
 * `kubectl create secret generic NAME --from-literal=KEY=VALUE`: every literal of a Secret is one
 * of its values, whatever its key (`stripe=…`, `db=…`), also quoted (`--from-literal='db=…'`,
 * `--from-literal=db="…"`). Only on a line that creates a secret, within 300 characters of it.
 */
const CREATES_SECRET = /kubectl[ \t][^\n|;&]{0,200}?create[ \t]+secret[ \t]/i;
/** The literal quoted whole (`'db=…'`), its value quoted (`db="…"`), or bare: groups 2 to 5. */
const FROM_LITERAL = new RegExp(
  String.raw`--from-literal(?:=|[ \t]+)(?:(['"])[\w.-]{1,253}=(${quotedValue(String.raw`[^'"\n]`, String.raw`\1`)})\1?|[\w.-]{1,253}=(?:${SINGLE_QUOTED}|${DOUBLE_QUOTED}|([^\s'"|;&]{1,1000})))`,
  "dy",
);

export const kubernetesLiteralDetector: Detector = {
  keywords: ["--from-literal"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      const start = lineStart(text, at, 300);
      if (start === undefined || !CREATES_SECRET.test(text.slice(start, at))) continue;
      FROM_LITERAL.lastIndex = at;
      const m = FROM_LITERAL.exec(text);
      const group = m ? [2, 3, 4, 5].find((g) => m[g] !== undefined) : undefined;
      const span = group === undefined ? undefined : m?.indices?.[group];
      const value = m?.[group as number];
      if (!span || value === undefined || isStandIn(value)) continue;
      out.push({ start: span[0], end: span[1], kind: "secret", ...widenedIfCut(value) });
    }
  },
};
