import type { Detector, Finding, Hits } from "../detectors.ts";
import { WORDS_NAME, isStandIn } from "../look-alikes.ts";
import { TRAILING, looksLikeKey, looksLikeStrongPassword } from "./prose-secret.ts";

/**
 * A secret told with no label, known by the sentence around it: a rotation's new value ("I just
 * rotated it, the new value is …", "I regenerated the token; here it is: …": "it" is a key named
 * messages before), or a value pasted after a sentence asking to put it into a file that holds
 * secrets ("Can you add this to my .env? …", "for the .env file: …", "paste into .env → …").
 * Prose says "the new value is 30s" and "add this to .env: NODE_ENV=production", so only a
 * random-looking key or a strong password's shape goes (so too after a phrase handing one over:
 * "Here you go: …", "use … to log in"), one word, no assignment, not a name of
 * words (`UserService2`, `app-2026-12-06.log`).
 */
const VALUE = String.raw`["'\x60]?([^\s"'\x60=:<>()[\]{}][^\s"'\x60=<>()[\]{}]{7,127})`;

/** A rotation's verb, then on its line (100 characters at most: "Rotated the DB password. New value: …") its new value. */
const ROTATED = new RegExp(
  String.raw`(?:rotated|regenerated|re-?issued|rolled|revoked|reset|replaced)(?![A-Za-z])[^!?\r\n]{0,100}?(?<![A-Za-z])(?:(?:the[ \t]+)?new[ \t]+(?:value|one|key|token|secret)(?:[ \t]+(?:is|was)(?:[ \t]+now)?|[ \t]*:)|it(?:'s|’s|[ \t]+is)[ \t]+now|here(?:[ \t]+it[ \t]+is|['’]s[ \t]+(?:it|the[ \t]+new[ \t]+one))[ \t]*[:→]?)[ \t]+${VALUE}`,
  "diy",
);

/** Files whose lines are secrets: `.env` (`.env.local`), npm's, pip's, curl's and PostgreSQL's, AWS's credentials. */
const SECRET_FILE = String.raw`(?:\.env(?:\.[\w-]{1,20})?|\.npmrc|\.pypirc|\.netrc|\.pgpass|\.aws\/credentials|credentials(?:\.json)?|secrets\.(?:ya?ml|json|toml))`;
/** "add this to my .env?", "put it in the .env file:", "save that into ~/.npmrc." then the value, on the same or the next line. */
const INTO_FILE = new RegExp(
  String.raw`(?:(?:add|put|paste|save|store|write|append|stick|drop)(?:[ \t]+(?:this|it|that|the[ \t]+following|these|my[ \t]+(?:key|token)))?[ \t]+(?:to|in|into)|for)[ \t]+(?:(?:my|the|our|your)[ \t]+)?[\w~./-]{0,80}?${SECRET_FILE}(?:[ \t]+file)?(?:[ \t]+(?:please|pls))?[ \t]*(?:[?:.!]|→|->)?[ \t]*\r?\n?[ \t]*${VALUE}["'\x60]?[ \t]*(?:\r?\n|$)`,
  "diy",
);

/**
 * A value handed over: "Here you go: …", "here it is →⏎⏎…", "there you go, `…` (expires tomorrow)",
 * "try this one: …", "use this: …", "this should work: …"; one word ("Here you go: run npm install" is a command).
 */
const HANDED = new RegExp(
  String.raw`(?:here[ \t]+you[ \t]+(?:go|are)|there[ \t]+you[ \t]+go|here[ \t]+it[ \t]+is|here['’]s[ \t]+(?:it|mine)|(?:try|use)[ \t]+this(?:[ \t]+one)?|this(?:[ \t]+one)?[ \t]+should[ \t]+work)(?![\w$])[ \t]*(?:[:,!.]|→|->|—)?[ \t]*(?:\r?\n[ \t]*){0,2}${VALUE}["'\x60]?(?=[\s.,!;)]|$)`,
  "diy",
);

/**
 * A value to log in with: "use … to log in", "use `…` for the login", "use … to authenticate"; not a user and a
 * password (`admin:…`: prose-secret.ts). And "log in with …", one word to its end (a user and a password: prose-secret.ts).
 */
const LOGIN = String.raw`(?:log[ \t-]?in|sign[ \t-]?in)`;
const USED = new RegExp(
  String.raw`use[ \t]+(?![^\s:]*:)${VALUE}["'\x60]?[ \t]+(?:to[ \t]+(?:${LOGIN}|authenticate|auth(?![A-Za-z])|unlock|decrypt)|for[ \t]+(?:the[ \t]+|a[ \t]+)?${LOGIN})`,
  "diy",
);
const LOGGED_IN_WITH = new RegExp(String.raw`${LOGIN}[ \t]+with[ \t]+(?![^\s:/]*[:/])${VALUE}["'\x60]?(?=[\s.,!;)]|$)`, "diy");

const VERB = /^(?:add|put|paste|save|store|write|append|stick|drop|for)/i;
const HANDING = /^(?:here|there|try|this|use[ \t]+this)/i;

/** The sentence the keyword at `at` starts. */
function sentenceAt(text: string, at: number): RegExp {
  const head = text.slice(at, at + 9);
  if (VERB.test(head)) return INTO_FILE;
  if (HANDING.test(head)) return HANDED;
  return /^use/i.test(head) ? USED : /^(?:log|sign)/i.test(head) ? LOGGED_IN_WITH : ROTATED;
}

/**
 * A value handed over with no word naming a secret is held to a drawn one's shape: capitals, small
 * letters and a digit before a letter (not `getUserById2`, `OAuth2`), not hex (a commit's hash).
 */
const drawn = (value: string) => /[A-Z]/.test(value) && /[a-z]/.test(value) && /\d[A-Za-z]/.test(value) && !/^[0-9a-f]+$/i.test(value);

function told(re: RegExp, text: string, at: number): Finding | undefined {
  re.lastIndex = at;
  const m = re.exec(text);
  const span = m?.indices?.[1];
  if (!m || !span) return undefined;
  const value = (m[1] as string).replace(TRAILING, "");
  if (isStandIn(value) || WORDS_NAME.test(value) || !(looksLikeKey(value) || looksLikeStrongPassword(value))) return undefined;
  if ((re === HANDED || re === USED || re === LOGGED_IN_WITH) && !drawn(value)) return undefined;
  return { start: span[0], end: span[0] + value.length, kind: "secret" };
}

export const contextSecretDetector: Detector = {
  keywords: ["rotated", "regenerated", "reissued", "re-issued", "rolled", "revoked", "reset", "replaced", "add ", "put ", "paste", "save", "store", "write", "append", "stick", "drop", "for ", "here", "there you", "use ", "try this", "this one should", "this should", "log in", "login", "log-in", "sign in", "signin", "sign-in"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      // A word's start only: "readd", "output".
      if (at > 0 && /[A-Za-z]/.test(text.charAt(at - 1))) continue;
      const found = told(sentenceAt(text, at), text, at);
      if (found) out.push(found);
    }
  },
};
