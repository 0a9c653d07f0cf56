import type { Detector, Finding, Hits } from "../detectors.ts";
import { SECRET_KEY, isAssignedSecret } from "./assignment.ts";

/**
 * A secret's name and its value as two fields of one record: a Kubernetes container's
 * `- name: DB_PASSWORD` / `value: "…"`, ECS task definitions and `aws ssm get-parameter` output
 * (`"Name": "/prod/db/password", … "Value": "…"`), Postman's `{"key": "X-API-Key", "value": "…"}`,
 * .NET's `<add key="ApiKey" value="…" />`, Spring's `<property name="password" value="…"/>`.
 * The value is judged as if it were assigned to the name.
 */
const NAME_VALUE =
  /(?<![A-Za-z0-9_-])(?:name|key)["']?[ \t]*[:=][ \t]*(["']?)([^"'\s,}>]{1,100})\1([^]{0,160}?)(?<![A-Za-z0-9_-])value["']?[ \t]*[:=][ \t]*(?:"((?:[^"\\\r\n]|\\[^\r\n]){1,1000})"|'([^'\r\n]{1,1000})'|([^\s"',}<>]{1,1000}))/diy;

/** Between the two fields: no other name or key, and no end of the record (an object, an element, a list item). */
const ANOTHER_FIELD = /(?<![A-Za-z0-9_-])(?:name|key)["']?[ \t]*[:=]|[{}<>]|\n[ \t]*-[ \t]/i;

export const nameValueDetector: Detector = {
  keywords: ["name", "key"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      NAME_VALUE.lastIndex = hits[i] as number;
      const m = NAME_VALUE.exec(text);
      if (!m) continue;
      const [, , name, between, double, single, bare] = m;
      const value = double ?? single ?? bare;
      if (name === undefined || value === undefined || ANOTHER_FIELD.test(between ?? "") || !SECRET_KEY.test(name)) continue;
      const group = double !== undefined ? 4 : single !== undefined ? 5 : 6;
      const span = m.indices?.[group];
      if (!span || !isAssignedSecret(name, value, bare === undefined, text[span[1]])) continue;
      out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  },
};
