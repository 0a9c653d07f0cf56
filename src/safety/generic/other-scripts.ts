import type { Detector, Finding, Hits } from "../detectors.ts";
import { OTHER_SCRIPT_LABEL } from "../keyword-scan.ts";
import { isStandIn, looksRandom } from "../look-alikes.ts";
import { drawnAtRandom } from "./handed-key.ts";
import { TRAILING, looksLikePassword, looksLikeStrongPassword } from "./prose-secret.ts";

/**
 * A password or a key told in another language than English, German, French, Spanish, Italian,
 * Portuguese or Dutch (prose-secret.ts has those): "пароль: …", "密码是…", "パスワードは …",
 * "我的密码是：…", "비밀번호: …", "şifresi: …", "hasło to …", "salasana on …", "lösenordet är …", "heslo je …",
 * "암호는 …", "jelszó: …", "passord: …", "kata sandi: …" ("kata sandinya …"), "كلمة المرور: …" ("… هي …"), "סיסמה: …", "पासवर्ड: …" ("पासवर्ड है …"),
 * "mật khẩu: …", "κωδικός: …", "รหัสผ่าน: …" ("รหัสผ่านคือ …"); a key: "API ключ: …", "токен: …", "APIキーは …", "トークンは …", "令牌是…", "토큰: …",
 * "API密钥是…", "API 키: …", "シークレットは …", "秘密鍵は …", an English label with a particle ("token 是 …", "password は …", "OpenAI key 是 …"),
 * "パスワードを … に変更", "密码改为 …", "mật khẩu là …", "chave de API é …" (da API, de acesso, chave secreta), "API-sleutel is …", "clé API : …", "ma clé : …", a Wi-Fi's "clé wifi est …" (a clé alone
 * only as someone's, as "my key" is; accented; prose-secret.ts reads `cle API`). The keyword pass reads ASCII,
 * but folds the first letter outside ASCII of these labels (the ł of hasło) to one keyword of their
 * own (OTHER_SCRIPT_LABEL). The value is written in ASCII, as passwords are, right after the label
 * and its particle, copula or colon (in quotes, guillemets too: "пароль — «…»"; the label a quoted key: `{"密码": "…"}`, `'пароль': '…'`), or after a few words and a colon ("пароль от базы: …", Ukrainian's "пароль від бази: …", "hasło
 * do bazy to …"). A password is held to a password's shape, a key to a random one. Turkish
 * `parola` only as a label (`Parola:`, `parolası`): in Italian it is any word ("la parola è …"). Korean 암호 is a cipher
 * as often as a password ("암호는 ChaCha20입니다"): its value is held to one drawn at random, or a strong password's shape
 * that a copula closes ("암호는 Tr0ub4dor&3 입니다").
 */
/** A copula or a particle of Chinese, Japanese or Korean after a label: "是", "为", "改为" (changed to), "は", "を", "는", "를", "가". */
const CJK_PARTICLE = String.raw`(?:(?:改|设|設)(?:为|為|成)|是|为|為|は|を|는|은|를|을|가|이)`;
/** An English label told in one of those (`token 是 …`, "password は …"): only before its particle. */
const CJK_COPULA = String.raw`[ \t]*${CJK_PARTICLE}`;
/** A Wi-Fi network's key in French, its password: "clé wifi", "clé du Wi-Fi", "clé WPA2", "clé de sécurité (du) réseau". */
const WIFI_CLE = String.raw`(?<=[Cc]l)é[ \t]+(?:(?:du|de[ \t]+la)[ \t]+)?(?:wi-?fi|wpa[23]?|wlan)|(?<=[Cc]l)é[ \t]+de[ \t]+sécurité(?:[ \t]+(?:du[ \t]+)?réseau)?`;
const PASSWORD_LABEL =
  String.raw`пароль|密码|密碼|口令|パスワード|비밀번호|암호|şifre(?:si|niz|n|m)?|(?<=has)ł[oa]|salasana(?:si)?|parola(?=sı|[ \t]*[:：=])(?:sı)?|heslo|jelsz[óo]|passord(?:et)?|adgangskode(?:n)?|kata[ \t]+sandi(?:nya)?|(?<=lö)senord(?:et)?|كلمة[ \t]+(?:المرور|السر)|סיסמ[הא]|पासवर्ड|(?<=[Mm])ật[ \t]+khẩu|[κΚ]ωδικός(?:[ \t]+πρόσβασης)?|รหัสผ่าน|password(?=${CJK_COPULA})|${WIFI_CLE}`;
const KEY_LABEL = String.raw`(?<=[Cc]l)é[ \t]+(?:d'|de[ \t]+)?(?:API|secr[eè]te)|(?<=(?:^|[ \t])(?:[MmTtSs]a|[Vv]otre|[Nn]otre)[ \t]+[Cc]l)é|ключ(?:[ \t]+API)?|токен|キー|トークン|密[钥鑰]|令牌|키|토큰|シークレット|秘密鍵|秘[钥鑰]|chave(?:[ \t]+d[aeo])?[ \t]+(?:API|acesso)|chave[ \t]+secreta|sleutel|(?:token|secret|api[ \t_-]?key|(?<![A-Za-z])key)(?=${CJK_COPULA})`;
const TOLD = new RegExp(
  String.raw`(?:(${PASSWORD_LABEL})|${KEY_LABEL})(?![a-zçğıöşüąćęłńóśźżа-яёіїєґ])` +
    String.raw`(?:(?:[ \t]+(?:[а-яёіїєґ]{1,20}|[a-z][\w.-]{0,30})){1,4}(?:[ \t]*[:：=—]|[ \t]+to)[ \t]*|["'][ \t]*[:：=][ \t]*|[ \t]*(?:[:：=]|${CJK_PARTICLE}[ \t]*[:：]?|—|-|(?:to|je|on|är|er|ist|est|é|è|es|is|adalah|là|هي|هو|है|คือ)(?=[ \t]))?[ \t]*)` +
    String.raw`(?:["'\x60“「『„]|«[ \u00a0\u202f]?)?([\x21\x23-\x26\x28-\x5f\x61-\x7e]{4,128})`,
  "diy",
);

/** A Korean copula closing the value: "입니다", "이에요", "예요", "이다", "이야", "야", "임". */
const KOREAN_COPULA = /["'\x60”」』]?[ \t]*(?:입니다|이에요|예요|이다|이야|야|임)/y;

/** Whether a value told after 암호, which ends at `end`, is a password rather than a cipher's name. */
function passwordNotCipher(text: string, value: string, end: number): boolean {
  KOREAN_COPULA.lastIndex = end;
  return (value.length >= 8 && drawnAtRandom(value)) || (looksLikeStrongPassword(value) && KOREAN_COPULA.test(text));
}

export const otherScriptsDetector: Detector = {
  keywords: [OTHER_SCRIPT_LABEL, "password", "token", "secret", "api", "key", "salasana", "parola", "heslo", "jelsz", "passord", "adgangskode", "kata sandi", "senord", "chave", "sleutel"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      TOLD.lastIndex = hits[i] as number;
      const m = TOLD.exec(text);
      const span = m?.indices?.[2];
      if (!m || !span) continue;
      const value = (m[2] as string).replace(TRAILING, "");
      const password = m[1] !== undefined;
      if (m[1] === "암호" && !passwordNotCipher(text, value, span[0] + value.length)) continue;
      if (password ? looksLikePassword(value) : looksRandom(value) && !isStandIn(value)) out.push({ start: span[0], end: span[0] + value.length, kind: password ? "password" : "secret" });
    }
  },
};
