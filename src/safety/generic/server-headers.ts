import type { Detector, Finding, Hits } from "../detectors.ts";
import { SECRET_KEY, isAssignedSecret } from "./assignment.ts";

/**
 * A header a web server or a proxy adds to the requests it passes on, named for a secret: nginx's `proxy_set_header X-Api-Key …;`
 * (`grpc_set_header`, `add_header`), Apache's `RequestHeader set X-Auth-Token "…"`. The name and the value stand apart by spaces, not
 * the `:` a header's line has, so the header rule never saw them. A variable (`$http_x_api_key`, `%{KEY}e`) stays.
 */
const DIRECTIVE =
  /(?:proxy_set_header|grpc_set_header|add_header|RequestHeader[ \t]+(?:set|append|add|merge))[ \t]+["']?([A-Za-z0-9_-]{1,100})["']?[ \t]+(?:"([^"\r\n]{1,1000})"|'([^'\r\n]{1,1000})'|([^\s;"']{1,1000}))/diy;
/** A server's own variable as the value (nginx's `$http_…`, `$arg_…`; Apache's `%{…}e`): no credential written there. */
const SERVER_VARIABLE = /^(?:\$\w|%\{)/;

export const serverHeadersDetector: Detector = {
  keywords: ["proxy_set_header", "grpc_set_header", "add_header", "requestheader"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      DIRECTIVE.lastIndex = hits[i] as number;
      const m = DIRECTIVE.exec(text);
      const group = m ? [2, 3, 4].find((g) => m[g] !== undefined) : undefined;
      const span = group === undefined ? undefined : m?.indices?.[group];
      if (!m || !span || group === undefined) continue;
      const [name, value] = [m[1] as string, m[group] as string];
      if (SECRET_KEY.test(name) && !SERVER_VARIABLE.test(value) && isAssignedSecret(name, value, group !== 4, undefined)) out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  },
};
