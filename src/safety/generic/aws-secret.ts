import type { Detector, Finding, Hits } from "../detectors.ts";
import { isPlaceholder } from "../look-alikes.ts";

const KEY_ID = /(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/y;
const SECRET_WORD = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const HAS_UPPER = /[A-Z]/;
const HAS_LOWER = /[a-z]/;
const HAS_DIGIT_OR_SIGN = /[0-9/+]/;

/**
 * AWS secret access keys have no prefix: a standalone 40-character base64 word counts only in a
 * text that also mentions AWS credentials (a credentials file, a .env, `aws sts` output). Mixed
 * case is required, which keeps 40-hex git hashes out.
 */
export const awsSecretDetector: Detector = {
  keywords: ["aws_secret_access_key", "secretaccesskey", "aws_access_key_id", "accesskeyid", "akia", "asia"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let context = false;
    for (let i = 0; i < hits.length && !context; i += 2) {
      const at = hits[i] as number;
      const word = (hits[i + 1] as number) - at;
      if (word > 4) context = true;
      else if (!/[A-Za-z0-9]/.test(text.charAt(at - 1))) {
        KEY_ID.lastIndex = at;
        context = KEY_ID.test(text);
      }
    }
    if (!context) return;
    SECRET_WORD.lastIndex = 0;
    for (let m = SECRET_WORD.exec(text); m !== null; m = SECRET_WORD.exec(text)) {
      const w = m[0];
      if (HAS_UPPER.test(w) && HAS_LOWER.test(w) && HAS_DIGIT_OR_SIGN.test(w) && !isPlaceholder(w)) {
        out.push({ start: m.index, end: m.index + w.length, kind: "aws-secret-key" });
      }
    }
  },
};
