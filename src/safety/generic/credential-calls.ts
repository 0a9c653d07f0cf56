import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/**
 * A password passed to a call as a string literal, after the user's: `HTTPBasicAuth("admin",
 * "…")`, `requests.get(url, auth=("admin", "…"))`, `req.SetBasicAuth("admin", "…")`,
 * `new NetworkCredential("admin", "…")`, `smtp.login("me@example.com", "…")`, and after a
 * database and a user: `new Sequelize("app", "root", "…")`, `DriverManager.getConnection(url,
 * "sa", "…")`. Only literals: `login(user, password)` passes variables.
 */
const LITERAL = String.raw`(?:"((?:[^"\\\r\n]|\\[^\r\n]){1,500})"|'((?:[^'\\\r\n]|\\[^\r\n]){1,500})')`;
const ANY_LITERAL = String.raw`(?:"(?:[^"\\\r\n]|\\[^\r\n]){0,500}"|'(?:[^'\\\r\n]|\\[^\r\n]){0,500}')`;
const SEP = String.raw`[ \t]*,[ \t]*`;

const USER_THEN_PASSWORD = new RegExp(
  String.raw`[\w$.]{0,60}?(?:(?:HTTPBasicAuth|HTTPDigestAuth|BasicAuth|SetBasicAuth|NetworkCredential|UsernamePasswordCredentials|PlainCredentials|PasswordAuthentication|\.login)[ \t]*\(|auth[ \t]*=[ \t]*[([])[ \t]*${ANY_LITERAL}${SEP}${LITERAL}`,
  "dy",
);
const DATABASE_USER_PASSWORD = new RegExp(
  String.raw`[\w$.]{0,60}?(?:Sequelize|getConnection)[ \t]*\([ \t]*(?:${ANY_LITERAL}|[A-Za-z_$][\w$.]{0,60})${SEP}${ANY_LITERAL}${SEP}${LITERAL}`,
  "dy",
);

export const credentialCallDetector: Detector = {
  keywords: ["auth", "credential", "login", "sequelize", "getconnection"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let tried = -1;
    for (let i = 0; i < hits.length; i += 2) {
      // From the start of the word holding the keyword: the call's name may start before it (`HTTPBasicAuth`, `smtp.login`).
      let start = hits[i] as number;
      const limit = Math.max(0, start - 60);
      while (start > limit && /[\w$.]/.test(text.charAt(start - 1))) start--;
      if (start === tried) continue;
      tried = start;
      for (const pattern of [USER_THEN_PASSWORD, DATABASE_USER_PASSWORD]) {
        pattern.lastIndex = start;
        const m = pattern.exec(text);
        if (!m) continue;
        const group = m[1] !== undefined ? 1 : 2;
        const span = m.indices?.[group];
        if (span && !isStandIn(m[group] as string)) out.push({ start: span[0], end: span[1], kind: "password" });
      }
    }
  },
};
