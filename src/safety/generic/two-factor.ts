import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/*
 * What a second factor or a disk's recovery rests on: a BitLocker recovery key, a TOTP seed given
 * to a tool or shown as a setup key, and the one-time backup codes a site lists after 2FA is on.
 */

/**
 * A BitLocker recovery key (`manage-bde -protectors -get C:`, a Microsoft account's page, prose):
 * 8 groups of 6 digits, a shape no other number takes. Found bare: its shape is its name.
 */
const BITLOCKER = /(?<![\d-])\d{6}(?:-\d{6}){7}(?![\d-])/y;

export const bitlockerKeyDetector: Detector = {
  keywords: ["0-", "1-", "2-", "3-", "4-", "5-", "6-", "7-", "8-", "9-"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = (hits[i] as number) - 5; // the first group's first digit
      if (at < done || at < 0) continue;
      BITLOCKER.lastIndex = at;
      if (!BITLOCKER.test(text)) continue;
      done = BITLOCKER.lastIndex;
      out.push({ start: at, end: done, kind: "recovery-key" });
    }
  },
};

/**
 * A TOTP seed (base32, or hex for oathtool) given to what computes the codes: `oathtool --totp -b
 * <seed>`, or quoted in groups as its manual writes it (`-b 'gr6d 5br7 …'`: base32's spaces are
 * skipped), `pyotp.TOTP("<seed>")`; or shown for typing into an authenticator, in groups of four
 * ("setup key: 4gtk 2vzq …", "TOTP secret: K7MZ P4VL …"), or in one word ("TOTP seed: JBSWY3DP…", "2FA seed: …"). An `otpauth://` URL's `secret=` is the URL rules'.
 */
const OATHTOOL = /oathtool\b[^\r\n|;&]{0,200}?[ \t](?:["']?([A-Za-z2-7]{16,128}={0,6}|[0-9a-fA-F]{20,128})["']?(?=[\s|;&]|$)|(["'])([A-Za-z2-7]{4}(?:[ \t][A-Za-z2-7]{1,4}){3,31})\2)/dy;
const OTP_CALL = /[HT]OTP\([ \t]*["']([A-Za-z2-7]{16,128}={0,6})["']/dy;
const SETUP_KEY = /(?:(?:setup|secret|2fa|mfa|t?otp|authenticator)[ \t]+key|(?:2fa|mfa|t?otp|authenticator)[ \t]+(?:secret|seed))[^\r\n:]{0,40}?(?::|[ \t]is)[ \t]*["'\x60]?([A-Za-z2-7]{4}(?:[ \t][A-Za-z2-7]{4}){3,15}|[A-Za-z2-7]{16,128})(?![A-Za-z0-9])/diy;

const LABEL_WORD = /(?:setup|secret|2fa|mfa|t?otp|authenticator)$/i;

function seed(out: Finding[], re: RegExp, text: string, at: number, grouped = false): void {
  re.lastIndex = at;
  const m = re.exec(text);
  // The seed in one word (group 1), or in groups between quotes (group 3: oathtool's).
  const group = m?.[1] !== undefined ? 1 : 3;
  const span = m?.indices?.[group];
  const value = m?.[group];
  if (!span || !value || isStandIn(value)) return;
  // Grouped words read as words unless a base32 digit is among them ("secret key: then open your …").
  if ((grouped || group === 3) && !/[2-7]/.test(value)) return;
  out.push({ start: span[0], end: span[1], kind: "totp-secret" });
}

export const totpSeedDetector: Detector = {
  keywords: ["oathtool", "totp(", "hotp(", " key", " secret", " seed"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      const c = text.charAt(at);
      if (c === "o" || c === "O") seed(out, OATHTOOL, text, at);
      else if (c === " ") {
        // Back to the label's word before " key" (" secret", " seed": "TOTP secret: …").
        const from = Math.max(0, at - 13);
        const word = LABEL_WORD.exec(text.slice(from, at));
        if (word) seed(out, SETUP_KEY, text, from + word.index, true);
      } else seed(out, OTP_CALL, text, at);
    }
  },
};

/**
 * One-time backup (recovery, scratch) codes, listed after their label: each a word of 6 to 12
 * letters and digits with a digit (`8f3k2-9dj4x`, `12345678`, `a1b2 c3d4`), one or two to a line or
 * after a bullet, up to the first line that is not one (prose: "Recovery codes are shown once").
 * Whose they are may come before the colon ("Your recovery codes for GitHub:"); no other words (a status's "recovery code status: 404 page").
 * Group 1 or 2 says the label ends in a colon, "are" or its line's end: the label ran straight into
 * its line's words otherwise ("the recovery code 404 page"), and only codes of an inline code's shape go.
 */
const CODES_LABEL = /(?:backup|recovery|scratch|emergency)[ \t]+codes?\b(?:[ \t]+(?:for|of|from)[ \t]+[^\r\n:]{1,30}?(?=:))?(:|[ \t]are)?[ \t]*(\r?\n)?/diy;
const CODE = String.raw`(?=[A-Za-z-]{0,12}\d)[A-Za-z0-9]{3,8}(?:[- ][A-Za-z0-9]{3,8})?`;
/**
 * One code told inline after its label, in prose: "use backup code 8372-1946 if the app is gone", "my recovery code is
 * 8f3k2-9dj4x". Only two groups joined by a dash with a digit, or 6 to 10 digits: a word or a number of another shape there is
 * prose ("the backup code path", "recovery code v2", a date's "2024-06-01", "backup code 500 error").
 */
const INLINE_SHAPE = String.raw`(?=[A-Za-z-]{0,9}\d)[A-Za-z0-9]{3,8}-[A-Za-z0-9]{3,8}|\d{6,10}`;
const INLINE_CODE = new RegExp(String.raw`(?:backup|recovery|scratch|emergency)[ \t]+code(?:[ \t]*:|[ \t]+(?:is|was))?[ \t]*["'\x60]?(${INLINE_SHAPE})(?![\w-])`, "diy");
const codeRow = (code: string) =>
  new RegExp(String.raw`[ \t]*(?:[-*•][ \t]+|\d{1,2}[.)][ \t]+)?(${code})(?:[ \t,]+(${code}))?[ \t,]*(?:\r?\n|$)`, "dy");
const CODE_ROW = codeRow(CODE);
const LABEL_LINE_ROW = codeRow(String.raw`(?:${INLINE_SHAPE})(?![\w-])`);
const MAX_ROWS = 32;
const BLANK_LINES = /(?:[ \t]*\r?\n)+/y;

export const backupCodesDetector: Detector = {
  keywords: ["backup code", "recovery code", "scratch code", "emergency code"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      INLINE_CODE.lastIndex = at;
      const inline = INLINE_CODE.exec(text)?.indices?.[1];
      if (inline) out.push({ start: inline[0], end: inline[1], kind: "recovery-code" });
      CODES_LABEL.lastIndex = at;
      const label = CODES_LABEL.exec(text);
      if (!label) continue;
      let row = at + label[0].length;
      for (let n = 0; n < MAX_ROWS; n++) {
        BLANK_LINES.lastIndex = row; // blank lines between rows (a numbered file's too, its numbers read as spaces)
        if (BLANK_LINES.test(text)) row = BLANK_LINES.lastIndex;
        const rows = n === 0 && !label[1] && !label[2] ? LABEL_LINE_ROW : CODE_ROW;
        rows.lastIndex = row;
        const m = rows.exec(text);
        if (!m || m[0].length === 0) break;
        for (const g of [1, 2]) {
          const span = m.indices?.[g];
          if (span) out.push({ start: span[0], end: span[1], kind: "recovery-code" });
        }
        row = rows.lastIndex;
      }
      done = row;
    }
  },
};

/** A JSON field holding such codes as a list (`{"recovery_codes": ["8f3k2-9dj4x", …]}`): each of them goes, whatever its shape. */
export const CODES_FIELD = /(?:backup|recovery|scratch|emergency)[_-]?codes$/i;

/**
 * A one-time code (6 to 8 digits, as `pass otp` prints one: printed-secret.ts) given on a command line, `npm publish --otp=482913`
 * (pnpm's, yarn's), `aws sts get-session-token … --token-code 492039`, `--mfa-code`; or told after its label, "my 2FA code is 492039",
 * "MFA code: 492039", "the TOTP code 492039", "verification code: …", "OTP: …". Short-lived, but a login may follow within its window.
 */
const OTP_FLAG = /--(?:otp|totp|(?:token|mfa|2fa|otp|totp)[-_]code)(?:=|[ \t]+)["']?(\d{6,8})(?![\w.-])/diy;
const OTP_TOLD = /(?:(?:2fa|mfa|otp|totp|one[- ]time|verification|authenticator)[ \t]+code(?:[ \t]*:|[ \t]+(?:is|was))?|otp[ \t]*:)[ \t]*["'\x60]?(\d{6,8})(?![\w,-]|\.\d)/diy;

export const oneTimeCodeDetector: Detector = {
  keywords: ["--otp", "--totp", "--token-code", "--token_code", "--mfa-code", "--mfa_code", "--2fa-code", "--2fa_code", "2fa code", "mfa code", "otp code", "totp code", "one-time code", "one time code", "verification code", "authenticator code", "otp:", "otp :"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      // A label is a word of its own (not `myotp:`); a flag starts with its dashes.
      if (text.charAt(at) !== "-" && /[A-Za-z0-9]/.test(text.charAt(at - 1))) continue;
      const re = text.charAt(at) === "-" ? OTP_FLAG : OTP_TOLD;
      re.lastIndex = at;
      const span = re.exec(text)?.indices?.[1];
      if (span && !isStandIn(text.slice(span[0], span[1]))) out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  },
};
