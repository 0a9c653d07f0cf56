import { DOUBLE_QUOTED, type Detector, type Finding, type Hits, SINGLE_QUOTED, quotedValue, widenedIfCut } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";
import { isCredentialShaped } from "./inline-variables.ts";
import { lineStart } from "./lines.ts";

/**
 * `kubectl create secret generic NAME --from-literal=KEY=VALUE`: every literal of a Secret is one
 * of its values, whatever its key (`stripe=…`, `db=…`), also quoted (`--from-literal='db=…'`,
 * `--from-literal=db="…"`), on a line that creates a secret, within 300 characters of it. Any other
 * command's literal (a ConfigMap's: `kubectl create configmap`, `oc`'s, kustomize's), and a variable
 * given to a flag that sets one (`kubectl run --env FOO=…`, `docker service create --env`, `az … appsettings
 * set --settings FOO=…`), hold settings as often, and a key pasted there under a plain name: a value
 * shaped as a credential goes.
 */
const CREATES_SECRET = /kubectl[ \t][^\n|;&]{0,200}?create[ \t]+secret[ \t]/i;
/** The flag's name (group 1); the literal quoted whole (`'db=…'`), its value quoted (`db="…"`), or bare: groups 3 to 6. */
const FROM_LITERAL = new RegExp(
  String.raw`--(from-literal|env|settings)(?:=|[ \t]+)(?:(['"])[\w.-]{1,253}=(${quotedValue(String.raw`[^'"\n]`, String.raw`\2`)})\2?|[\w.-]{1,253}=(?:${SINGLE_QUOTED}|${DOUBLE_QUOTED}|([^\s'"|;&]{1,1000})))`,
  "dy",
);

export const kubernetesLiteralDetector: Detector = {
  keywords: ["--from-literal", "--env", "--settings"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      FROM_LITERAL.lastIndex = at;
      const m = FROM_LITERAL.exec(text);
      const start = m?.[1] === "from-literal" ? lineStart(text, at, 300) : undefined;
      const secret = start !== undefined && CREATES_SECRET.test(text.slice(start, at));
      const group = m ? [3, 4, 5, 6].find((g) => m[g] !== undefined) : undefined;
      const span = group === undefined ? undefined : m?.indices?.[group];
      const value = m?.[group as number];
      if (!span || value === undefined || isStandIn(value) || (!secret && !isCredentialShaped(value))) continue;
      out.push({ start: span[0], end: span[1], kind: "secret", ...widenedIfCut(value) });
    }
  },
};
