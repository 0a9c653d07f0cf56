import type { Detector, Finding, Hits } from "../detectors.ts";
import { WORDS_NAME, mixedCase } from "../look-alikes.ts";
import { encodesText } from "./lone-secret.ts";

/**
 * A key handed over in chat with no name of what it is: "ok here: …", "here you go: …", "the creds
 * are …". The words say nothing of a secret, so only a value drawn at random goes: 20 to 128
 * letters and digits with both cases in good share and a digit, no name made of words, and nothing
 * after it on its line. A hash (one case), base64 of text, a path or a URL stays.
 */
const HANDED = /(?:here(?:[ \t]+(?:you[ \t]+go|it[ \t]+is))?[ \t]*:|cred(?:ential)?s[ \t]+(?:are|were)(?:[ \t]+now)?:?)[ \t]+["'\x60]?([A-Za-z0-9]{20,128})["'\x60]?[ \t]*[.!]?[ \t]*(?=\r?\n|$)/diy;

/** Letters and digits drawn at random: not words, one case of hex, nor base64 of text; nor digits alone (a build's number, a timestamp). */
export function drawnAtRandom(value: string): boolean {
  return /\d/.test(value) && /[A-Za-z]/.test(value) && mixedCase(value) && !WORDS_NAME.test(value) && !encodesText(value);
}

export const handedKeyDetector: Detector = {
  keywords: ["here", "creds", "credentials"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      // A word of its own: not "where:" or "adhere:".
      if (/[A-Za-z0-9_]/.test(text.charAt(at - 1))) continue;
      HANDED.lastIndex = at;
      const m = HANDED.exec(text);
      const span = m?.indices?.[1];
      if (m && span && drawnAtRandom(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  },
};
