import type { Detector, Finding, Hits } from "../detectors.ts";

/**
 * An app password as Google shows it, and as it is pasted for an SMTP login: 16 lowercase letters
 * in four groups of four (`abcd efgh ijkl mnop`, or `abcd-efgh-ijkl-mnop` and `abcd-efgh ijkl-mnop` as some write it down). After a password's label and `:`, `=`, "is" or
 * "was" (`EMAIL_HOST_PASSWORD=…`, `password: …`, "my app password is …"), or after "app password" alone
 * ("Gmail app password abcd efgh ijkl mnop", "app password for mail: …" reads a colon): elsewhere four short
 * words are prose ("must have more than"), and a bare value would end at the first space. Also
 * its first groups where the text ends, or an ellipsis ends it: a title cut inside the password.
 */
const APP_PASSWORD =
  /pass(?:word|wd)?[A-Za-z_]{0,30}["']?(?:[ \t]*[:=][ \t]*|[ \t]+(?:is|was)[ \t]+|(?<=app[ \t-]{1,2}pass(?:word)?s?|app-specific[ \t]+password)[ \t]+(?:for[ \t]+[^\s:]{1,40}[ \t]+)?)["'`]?([a-z]{4}(?:([ -])[a-z]{4}\2[a-z]{4}\2|-[a-z]{4} [a-z]{4}-)[a-z]{4}(?![A-Za-z-])|[a-z]{4}(?: [a-z]{1,4}){1,2}(?=[ \t…]*$))/diy;

/**
 * The same passed to a login after its user, spaced or not: `smtp.login(user, "abcd efgh ijkl mnop")`, `yagmail.SMTP(user, "…")`,
 * `server.login(os.environ["USER"], "abcdefghijklmnop")` (credential-calls.ts takes one word of a strong password's shape only).
 */
const LOGIN_CALL = /(?:login|yagmail\.SMTP)[ \t]*\([^()\r\n]{1,120}?,[ \t]*["']([a-z]{4}( ?)[a-z]{4}\2[a-z]{4}\2[a-z]{4})["']/diy;

/**
 * Common four-letter words: an app password's groups are random letters, and two of them being
 * words is prose ("the password is only used when …"), not a password.
 */
const WORDS = new Set(
  "also away back been best both call came code come does done down each even ever fine find five from full gets give goes good have help here high hold into just keep kind last left less like line long look made main make many more most much must name need next none only open over part same save says seen sent show some such sure take than that them then they this time turn type used user uses very want well went were what when will with word work your".split(" "),
);

/** Its groups of four (written with spaces, dashes or nothing between). */
const groups = (value: string) => value.match(/[a-z]{1,4}/g) ?? [];

export const appPasswordDetector: Detector = {
  keywords: ["pass", "login", "yagmail"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const re = /[ly]/i.test(text.charAt(hits[i] as number)) ? LOGIN_CALL : APP_PASSWORD;
      re.lastIndex = hits[i] as number;
      const m = re.exec(text);
      const span = m?.indices?.[1];
      // The label may be written in any case; the groups are lowercase, as Google shows them.
      const value = m?.[1];
      if (!value || !span || value !== value.toLowerCase() || groups(value).filter((w) => WORDS.has(w)).length >= 2) continue;
      out.push({ start: span[0], end: span[1], kind: "password" });
    }
  },
};
