import type { Detector, Finding, Hits } from "../detectors.ts";
import { OTHER_SCRIPT_LABEL } from "../keyword-scan.ts";
import { TRAILING, looksLikePassword } from "./prose-secret.ts";

/**
 * A password told in Russian, Chinese, Japanese, Korean, Turkish or Polish: "пароль: …", "密码是…",
 * "パスワードは …", "비밀번호: …", "şifresi: …", "hasło to …". The keyword pass reads ASCII, but
 * folds the first letter outside ASCII of these labels (the ł of hasło) to one keyword of their own
 * (OTHER_SCRIPT_LABEL). The value is written in ASCII, as passwords are, right after the label and
 * its particle or colon, or after a few words and a colon ("пароль от базы: …", "hasło do bazy to …").
 */
const TOLD =
  /(?:пароль|密码|密碼|口令|パスワード|비밀번호|(?:şifre(?:si|niz|n|m)?|(?<=has)ło)(?![a-zçğıöşüąćęłńóśźż]))(?:(?:[ \t]+(?:[а-яё]{1,20}|[a-z][\w.-]{0,30})){1,4}(?:[ \t]*[:：=—]|[ \t]+to)[ \t]*|[ \t]*(?:[:：=]|是|为|為|は|는|은|—|-|to(?=[ \t]))?[ \t]*)["'\x60“「]?([\x21\x23-\x26\x28-\x5f\x61-\x7e]{4,128})/diy;

export const otherScriptsDetector: Detector = {
  keywords: [OTHER_SCRIPT_LABEL],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      TOLD.lastIndex = hits[i] as number;
      const m = TOLD.exec(text);
      const span = m?.indices?.[1];
      if (!m || !span) continue;
      const value = (m[1] as string).replace(TRAILING, "");
      if (looksLikePassword(value)) out.push({ start: span[0], end: span[0] + value.length, kind: "password" });
    }
  },
};
