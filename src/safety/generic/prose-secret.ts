import type { Detector, Finding, Hits } from "../detectors.ts";
import { HAS_DIGIT, HAS_LETTER, isStandIn, looksRandom, looksRandomPassword, mixedCase, WIFI_MODE, WORDS_NAME } from "../look-alikes.ts";
import { GRAPHQL_TYPE, PASSWORD_NAME, SECRET_KEY, SERVICES, VARIABLE_NAME } from "./assignment.ts";
import { lineStart } from "./lines.ts";

/**
 * A password or key told in a sentence, as people type it to Claude and as Claude reports it: "the
 * password is hunter2", "log in as admin with password S3cr3t!x", "set the password to
 * Tr0ub4dor&3", "the password for the staging box is ...", "my API key is ...", "admin pw is ...". Prose says a
 * great deal about passwords that is no password ("the password is hashed", "password is
 * base64-encoded", "password is process.env.DB_PASS"), so only a value shaped like one goes: for a
 * password, letters with digits, or with a symbol people put in passwords, and none of the words
 * and paths prose puts there; for a key or token, a long random-looking word.
 */

/**
 * A Wi-Fi network's key, which is its password: "wifi key", "WPA2 key", "network (security) key" (as Windows names it),
 * "WLAN-Schlüssel", "Netzwerkschlüssel".
 */
const WIFI_KEY = String.raw`(?:wi-?fi|wlan|wpa[23]?|wireless|network(?:[ \t]+security)?)[ \t-]?(?:key|schl(?:ü|ue)ssel)|netzwerkschl(?:ü|ue)ssel`;
const WIFI_KEY_WORDS = ["wifi key", "wi-fi key", "wifi-key", "wlan key", "wlan-key", "wlan-schl", "wlan schl", "wlanschl", "wpa key", "wpa2 key", "wpa3 key", "wpa-key", "wpa-schl", "wireless key", "network key", "network security key", "netzwerkschl"];

/**
 * A password's or a key's label (a security question's answer a password by another name), in English, German, French (`mdp` its short form), Spanish, Portuguese, Dutch, Polish (ASCII) or Italian, and a VPN's or a Wi-Fi's pre-shared key (PSK); and a
 * key's in German, Italian, Spanish and unaccented French (`API-Schlüssel`, `chiave API`, `clave API`, `cle API`, `jeton`): group 1 is set for a password's.
 * `pass` alone only after a service's or an account's name (namedPass).
 */
const LABEL = String.raw`(?:(pass(?:word|[ \t]?phrase|code)|security[ \t]+answer|passwd|pwd?|passwort|kennwort|mot[ \t]+de[ \t]+passe|mdp|parola[ \t]+d['’]ordine|psk|pre-?shared[ \t]+key|${WIFI_KEY}|contrase(?:ñ|n)a|clave|senha|wachtwoord|haslo|pass(?![A-Za-z]))|(?:api|access|secret|my|our|your|the|this)[ \t]+key|api-?key|(?:api[ \t-]?)?schl(?:ü|ue)ssel|cle[ \t]+(?:api|secrete)|chiave[ \t]+(?:api|segreta)|clave[ \t]+(?:de[ \t]+)?api|jeton|key|token|secret)s?`;

/**
 * Whose the password is, after its label: "for the staging box", "of user app", "from the dashboard", "für die Datenbank", "do banco" (up to
 * four words); in brackets ("Password (staging):", "Token (prod):"); or who needs it, gave it or got it ("the password you need is …", "the password
 * you gave me …", "the token they sent me is …", "the access token I got back was …", "the key we generated is …").
 */
const WHOSE = String.raw`(?:[ \t]*\([^()\s][^()\r\n]{0,30}\)|[ \t]+(?:you|we|I|they)[ \t]+(?:need|want|use|should[ \t]+use|gave[ \t]+(?:me|you|us)|sent[ \t]+(?:me|you|us)|got(?:[ \t]+back)?|received|generated|created|copied)|[ \t]+(?:for|of|on|from|für|de|du|do|da|del|di|pour|para|van|voor)(?:[ \t]+[^\s:=]{1,40}){1,4}?)?`;

/**
 * The value told: group 1 of it quoted (a passphrase of a few words too), group 2 bare. Quotes of English and German („…“), and
 * guillemets with French typography's (no-break) space inside («\u202f…\u202f»).
 */
const TOLD_VALUE = String.raw`(?:(?:["'\x60“‘„]|«[ \u00a0\u202f]?)([^\s"'\x60“”‘’«»]{4,128}(?: [^\s"'\x60“”‘’«»]{1,64}){0,4})(?:["'\x60”’“]|[ \u00a0\u202f]?»)|([^\s"'\x60“”‘’«»=:][^\s"'\x60“”‘’«»]{3,127}))`;

/**
 * `password` (not after `=`: HTML's `<input type=password name=…>`), then a verb or a separator ("is", "'s", "to",
 * ":"), or up to four words naming whose it is and one ("for the staging box is"), or nothing ("with password X"); then the value, quoted
 * or bare. Markdown's bold may wrap the label (`**API Key:** …`); an arrow or a dash may stand for the
 * colon (`Password → …`, `password -> …`); the label and its verb may be German, French, Spanish, Portuguese or Dutch
 * ("das Passwort ist …", "mon mot de passe c'est …"); "value" may follow the label ("the client secret value is …").
 */
/** A word between "is" and the value that says nothing of it: "the password is now …", "is just …", "is actually …". */
const ADVERB = String.raw`(?:now|still|just|simply|actually|literally|currently)`;
/**
 * Where a label starts: not inside a word, a name or a flag (`--password`, `db-password`); but a German or Dutch password's
 * label after a word and a hyphen, as those languages join words ("das WLAN-Passwort ist …", "het wifi-wachtwoord is …").
 */
const LABEL_START = String.raw`(?:(?<![A-Za-z0-9_.$=-])|(?<=[A-Za-z]-)(?=passwort|kennwort|wachtwoord))`;
/** Where the value is written, then it: "the wifi password is on the sticker: …", "is written under the router: …" (up to three words, then a colon). */
const WHERE_WRITTEN = String.raw`(?:is|was)[ \t]+(?:written[ \t]+)?(?:on|in|under)(?:[ \t]+[^\s:]{1,30}){1,3}[ \t]*:`;
/** Another secret it equals, then it: "the password for bob is the same as the wifi one: …" (up to four words, then a colon). */
const SAME_AS = String.raw`(?:is|was)[ \t]+(?:the[ \t]+)?same[ \t]+as(?:[ \t]+[^\s:]{1,30}){1,4}[ \t]*:`;
/** The label asked for, then answered: "the wifi password? it's …", "what's the wifi password? …" (ANSWERED holds the value to more). */
const ASKED = String.raw`\?(?:[ \t]+it(?:['’]s|[ \t]+is))?`;
const ANSWERED = /\?(?:[ \t]+it(?:['’]s|[ \t]+is))?[ \t]+$/;
const PROSE_SECRET = new RegExp(
  String.raw`${LABEL_START}${LABEL}(?:[ \t]+value)?(?:${WHOSE}(?:['’]s(?:[ \t]+${ADVERB})?|[ \t]+(?:${WHERE_WRITTEN}|${SAME_AS}|(?:is|was|got)(?:[ \t]+${ADVERB})?(?:[ \t]+(?:set|changed|reset|updated)[ \t]+to)?|will[ \t]+be|should[ \t]+be|to|now|(?:set|changed|updated|reset)(?:[ \t]+to|[ \t]*:)|ist|war|lautet|est|était|c['’]est|es|era|é|è)(?:[ \t]*:)?|(?:\*\*|__)?[ \t]*(?:[:=→—–]|->)(?:\*\*|__)?|${ASKED}|(?=[ \t]+\())|)[ \t]+${TOLD_VALUE}`,
  "diy",
);

/**
 * The value said later in the sentence that names the password or key, as "it" or "the new one":
 * "I changed the password, the new one is …", "the token expired, here's a new one …", "rotated the API key and changed it to …", "reset
 * my password, it's now …". At most 100 characters of the same sentence between (no `.`, `!`, `?`).
 */
const TOLD_LATER = new RegExp(
  String.raw`(?<![A-Za-z0-9_.$-])${LABEL}[^.!?\r\n]{0,100}?(?<![A-Za-z])(?:(?:the[ \t]+)?new[ \t]+one(?:[ \t]+(?:is|was)(?:[ \t]+now)?|[ \t]*:|(?=[ \t]))|(?:changed|set|updated|reset|rotated|switched)[ \t]+it[ \t]+to|it(?:'s|’s|[ \t]+is)[ \t]+now)[ \t]+${TOLD_VALUE}`,
  "diy",
);

/**
 * Sentence punctuation after a bare value: the end of the sentence (or a question), not of the
 * password; and roff's zero-width `\&` before it, as a man page's source writes it ("password change\&.").
 */
export const TRAILING = /(?:[.,;:?)\]}]|\\&)+$/;
/**
 * A line's end written as an escape, and all after it: a file shown inside a JSON or YAML string (`kubectl get configmap -o yaml`'s
 * `"…# no passwords used\nsyslog\t\t514/udp\n…"`) tells no value past its line.
 */
const ESCAPED_BREAK = /\\[nrt][\s\S]*$/;
/**
 * Markdown's bold closing after a bare value, when its line opened it before the value: a heading's last word
 * ("**To delete the current account password policy**", the AWS CLI's examples; an answer's bold lines).
 */
const BOLD_CLOSE = /(?:\*\*|__)$/;
function boldClosed(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 300), start);
  const line = before.slice(before.lastIndexOf("\n") + 1);
  return line.includes("**") || line.includes("__");
}
/** A bare value as told: up to its line's end, escaped or not, without the punctuation after it. */
const bareValue = (value: string): string => value.replace(ESCAPED_BREAK, "").replace(TRAILING, "");
/** Symbols people put in passwords (not `-`, `_`, `.` and `/`, which join words, names and paths). */
const PASSWORD_SYMBOL = /[!@#$%^&*+=?~|<>]/;
/** Hashes, encodings and ciphers prose names after "password is": `sha256-hashed`, `base64`, `argon2id`, `ChaCha20`. */
const ALGORITHM = /^(?:md5|sha-?\d*|base\d+|utf-?\d+|argon2\w*|pbkdf2\w*|b?crypt\w*|scrypt|aes-?\d*\w*|x?chacha\d*(?:-poly\d+)?|salsa\d*|poly\d+|rsa\d*|[hre]s\d{3}|x509|pkcs#?\d+|ed25519|rot13|hex)(?:[-_.][a-z]+)*$/i;
/** Not a password: a path (not `~2=H…`, a password), a URL, an e-mail address, a version, a flag, a file name, code (a call, a list), a YAML tag or alias (`*db_password`) or C's pointer to a pointer, no digit in its name (`struct passwd **__restrict`), a SOPS value (`ENC[…]`). */
const NOT_A_VALUE = /^(?:[./\\\-[({<]|~[\w.-]*(?:\/|$)|!!?[A-Za-z-]+$|\*[A-Za-z_][\w-]*$|\*\*[A-Za-z_]+$|v?\d+(?:\.\d+)+$)|:\/\/|^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$|\.(?:txt|json|ya?ml|env|toml|ini|conf|key|pem|md|ts|js|py|sh)$|[([{]/i;
/** An identifier or member path: `string`, `process.env.DB_PASS`, `config.db.password`, C's `user->password`, C++'s `Config::password`. */
const CODE_PATH = /^[A-Za-z_$][\w$]*(?:(?:\.|->|::)[A-Za-z_$][\w$]*)+$/;
/** Capitalised words joined by dots, a number of three digits or more at the end: a password people make up (`Harbor.Lantern4794`), not a type (`System.Int128`). */
const DOTTED_WORDS = /^[A-Z][a-z]+(?:\.[A-Z][a-z]+)*\.[A-Z][a-z]{3,}\d{3,}[^\w.]*$/;

/** A number with its unit, a duration, a size or a length ("use 300s as the password timeout", "1.5GB", "12chars"): a setting beside the label, no password. */
const QUANTITY = /^\d+(?:\.\d+)?(?:[munµ]?s|secs?|seconds?|mins?|minutes?|[hdwmy]|hrs?|hours?|days?|weeks?|months?|years?|[kmgt]i?b|px|em|rem|%|chars?|characters?|digits?)$/i;

/** Whether a value told in prose is shaped like a password. */
export function looksLikePassword(value: string): boolean {
  if (!HAS_LETTER.test(value) && !HAS_DIGIT.test(value)) return false;
  if (isStandIn(value) || QUANTITY.test(value) || WIFI_MODE.test(value) || ALGORITHM.test(value) || NOT_A_VALUE.test(value) || (CODE_PATH.test(value) && !DOTTED_WORDS.test(value)) || GRAPHQL_TYPE.test(value)) return false;
  if (HAS_LETTER.test(value) && HAS_DIGIT.test(value)) return true;
  return (value.length >= 6 && PASSWORD_SYMBOL.test(value)) || looksRandomPassword(value);
}

/**
 * A password told further from its label ("…, the new one is …") is held to more: six characters
 * or more, with a symbol, or with capitals, small letters and digits. Not "300s", "utf8mb4", nor
 * an identifier (`OUTPUT_v2`).
 */
const SNAKE_IDENTIFIER = /^[A-Za-z]\w*_\w*$/;

export function looksLikeStrongPassword(value: string): boolean {
  return value.length >= 6 && looksLikePassword(value) && !SNAKE_IDENTIFIER.test(value) && (PASSWORD_SYMBOL.test(value) || (/[A-Z]/.test(value) && /[a-z]/.test(value) && HAS_DIGIT.test(value)));
}

/**
 * A passphrase of lowercase words, as diceware makes them ("mosaic saddle mosaic velvet",
 * "mosaic-saddle-mosaic-velvet"): four words or more, each of four letters or more, none of the
 * words a sentence is made of ("never shown to anyone", "left blank when unset").
 */
const PHRASE_WORD = /^[a-z]{4,10}$/;
const SENTENCE_WORDS = new Set(
  (
    "that this these those with from have been being will would must should could shall only when then than they them their there here your yours " +
    "what which where while after before about into onto over under also more most some same such each every never always again just like make made " +
    "does done were used using need needs still other because until once first last next time both either neither none anyone anything nothing " +
    "hashed encrypted stored saved sent shown hidden visible plain text required empty blank default change changed reset please enter characters " +
    "least long short strong weak invalid incorrect wrong expired missing given known unset left kept"
  ).split(" "),
);

const AFTER_COLON = /:[ \t]+$/;
const AFTER_COPULA = /[ \t](?:is|was)[ \t]+$/;
/** Other verbs a value is told after: "set to", "will be", and the copulas of German, French, Spanish, Portuguese, Italian. */
const AFTER_VERB = /[ \t](?:to|be|ist|est|es|é|è)[ \t]+$/;
/** Words that carry a sentence on after "is" (a participle, an adverb, a preposition): "… is generated randomly during setup". */
const SENTENCE_GOES_ON = /(?:ed|ly|ing)$|^(?:during|through|without|within|inside|outside|against|across|behind|between|because|unless|until|whenever|where|stored|kept|sent|shown|given|known|taken|written|hidden|chosen)$/;
/** A lowercase word of a passphrase beside a strong one. */
const PLAIN_WORD = /^[a-z]{3,10}$/;

/** Where a clause ends inside a line: the words after it are no passphrase's ("… is purple monkey dishwasher, why?"). */
const CLAUSE_END = /[,;]|[.!?](?=[ \t])/;

/** The text from `at` to the end of its line, sentence punctuation left off. */
const restOfLine = (text: string, at: number): string => {
  const end = text.slice(at, at + 200).search(/\r?\n|$/);
  return text.slice(at, at + end).trimEnd().replace(TRAILING, "");
};

/**
 * `least` words: four, or three after a Wi-Fi network's label, as routers' passphrases are made ("correct-horse-battery"), or
 * after a passphrase's, a label that says it is words ("the passphrase for id_ed25519 is purple monkey dishwasher").
 */
export function isDicewarePhrase(value: string, least = 4): boolean {
  const words = value.split(/[ -]/);
  return words.length >= least && words.every((w) => PHRASE_WORD.test(w) && !SENTENCE_WORDS.has(w));
}

/** Whether a value told in prose is shaped like a key or token: long, random-looking, and not code (no brackets, no member path, no constant's name). */
export function looksLikeKey(value: string): boolean {
  return looksRandom(value) && !isStandIn(value) && !NOT_A_VALUE.test(value) && !CODE_PATH.test(value) && !VARIABLE_NAME.test(value) && !/[()[\]{}]/.test(value);
}

/**
 * "key" alone names much that is no secret (a cache's, a table's, an S3 object's: "the cache key
 * is user_profile_v2_12345", "restored from key: Linux-node-<hash>", a YAML record's `key: <md5>`),
 * so a key named by the word before it alone ("the Mistral key is …", "license key: …", "my
 * elevenlabs key is sk_<hex>") needs that word, not one naming a key that is public or no
 * credential (ROLE_NOT_SECRET), and a key's shape: a short lowercase prefix at most, then 20
 * letters and digits or more drawn at random (both cases and digits, no name made of words), or 32
 * hex digits or more; a wallet's private key, `0x` and 64 hex digits of both kinds (not a storage slot's `0x00…03`).
 */
const BARE_KEY = /^keys?(?![A-Za-z])/i;
const WORD_BEFORE = /(?<![^ \t"'\x60(*])([A-Za-z][A-Za-z0-9.-]{0,30})[ \t]+$/;
const ROLE_NOT_SECRET = /^(?:public|publishable|pub|host|search-only|primary|foreign|partition|sort|composite|unique|cache|idempotency|dedup(?:e|lication)?|lock|object|s3|redis|routing|shard|index|hash|map|dict|row|gpg|pgp|ssh|kms|a|an|which|what|each|no|any|same|that|one|new|old|its)$/i;
/** A cache's key told further back in its clause: actions/cache's "Cache saved with the key <hash>". */
const CACHE_CLAUSE = /\bcache\b[^.!?;\r\n]*$/i;
const CACHE_KEY_LABEL = /^(?:(?:the|this)[ \t]+)?keys?(?![A-Za-z])/i;
const OPAQUE_KEY = /^(?:[a-z]{2,8}[_-])?([A-Za-z0-9]{20,}|[A-Za-z0-9+/]{20,}={0,2})$/;
const HEX_KEY = /^[0-9a-f]{32,}$|^[0-9A-F]{32,}$|^0x(?=[0-9]*[a-f])(?=[a-f]*[0-9])[0-9a-f]{64}$/;

function looksLikeOpaqueKey(value: string): boolean {
  const body = OPAQUE_KEY.exec(value)?.[1];
  return body !== undefined && looksLikeKey(value) && (HEX_KEY.test(body) || (/[A-Z]/.test(body) && /[a-z]/.test(body) && HAS_DIGIT.test(body) && !WORDS_NAME.test(body)));
}

/**
 * A short key told after its label ("the key is Zx8Cv7Bn6Mq5Lp", 12 to 15 characters, as a service's
 * short keys and a person's generated ones are): both cases a good share of its letters, digits among
 * them, no name made of words (`SHA256WithRSA`, `Base64Encoded` stay).
 */
const SHORT_KEY = /^[A-Za-z0-9]{12,15}$/;
const looksLikeShortKey = (value: string) => SHORT_KEY.test(value) && HAS_DIGIT.test(value) && mixedCase(value) && !WORDS_NAME.test(value) && !isStandIn(value);
const keyOrShortKey = (value: string) => looksLikeKey(value) || looksLikeShortKey(value);

/** The shape a key's value must have after the label at `at` (never, after "key" alone with no word before it or a word naming no secret). */
function keyShaped(text: string, at: number): (value: string) => boolean {
  const before = text.slice(Math.max(0, at - 40), at);
  if (CACHE_CLAUSE.test(before) && CACHE_KEY_LABEL.test(text.slice(at, at + 10))) return () => false;
  if (!BARE_KEY.test(text.slice(at, at + 5))) return keyOrShortKey;
  const role = WORD_BEFORE.exec(before)?.[1];
  return role === undefined || ROLE_NOT_SECRET.test(role) ? () => false : looksLikeOpaqueKey;
}

/**
 * A variable named in code font and its value, as Claude reports what it did: "I've set
 * `DB_PASSWORD` to `…`", "`API_KEY` is `…`", "`JWT_SECRET` = `…`".
 */
const CODE_NAMED = /([A-Za-z0-9_.-]{1,100})\x60[ \t]+(?:(?:is|was)(?:[ \t]+(?:now|set[ \t]+to))?|to|as|=|:)[ \t]+\x60([^\s\x60]{4,128})\x60/dy;

/**
 * A user and a password after a login, side by side with a slash between: "log in at
 * http://localhost:3000 with admin@example.com / …", "credentials: `admin` / `…`". Spaces
 * around the slash or code font on both sides: a path has neither. After a service's name
 * instead ("ssh into the box with admin / …", "db: root / …", "mysql root / …"), a weaker
 * sign: the password is held to more (looksLikeStrongPassword), as it is in a pair written without
 * spaces ("creds: admin:…", "login with admin/…"), and in one told in words ("ssh into the box as root
 * with …", "logging in with bob@example.com and …", "the login is admin and …"), not a name in words
 * (`with Google and OAuth2`). A user's name holds no `<` or `>` (HTML's "database.</p>… forms.</p><div").
 */
const PAIR = String.raw`[^\r\n]{0,100}?(?:\x60[^\s\x60]{1,100}\x60[ \t]*\/[ \t]*\x60([^\s\x60]{4,128})\x60|[ \t][^\s\x60/]{1,100}[ \t]+\/[ \t]+([^\s\x60]{4,128})|[ \t]([^\s\x60/:<>]{1,64})[:/]([^\s\x60/.]{6,128})(?=[\s,;).]|$)|[ \t](?:as|with|is)[ \t]+([^\s]{1,100})[ \t]+(?:and|with)[ \t]+(?:(?:the[ \t]+)?(?:password|pw|pass)[ \t]+)?["'\x60]?([^\s"'\x60]{6,128}))`;
const LOGIN_PAIR = new RegExp(String.raw`(?:log(?:ging)?[ \t]?in|sign(?:ing)?[ \t]?in|cred(?:ential)?s)${PAIR}`, "diy");
/** Credentials given as a user and a password after a colon, nothing after them on the line: "creds: alice Xk9mQ2pL7v". */
const CREDS_LINE = /cred(?:ential)?s[ \t]*:[ \t]+[^\s:\/,;"'\x60]{1,64}[ \t]+["'\x60]?([^\s"'\x60]{6,128})["'\x60]?[ \t]*\.?[ \t]*(?=\r?\n|$)/diy;

function credsLine(text: string, at: number): Finding | undefined {
  CREDS_LINE.lastIndex = at;
  const m = CREDS_LINE.exec(text);
  const span = m?.indices?.[1];
  return m && span && looksLikePassword(m[1] as string) ? { start: span[0], end: span[1], kind: "password" } : undefined;
}
const SERVICE_PAIR = new RegExp(String.raw`(?<![A-Za-z0-9_.-])(?:${SERVICES.join("|")})(?![A-Za-z0-9_-])${PAIR}`, "diy");

function codeNamed(text: string, at: number): Finding | undefined {
  // Back to the name's start: 100 characters at most, as CODE_NAMED takes (a longer walk per hit is quadratic on `tokentoken…`).
  let start = at;
  const limit = Math.max(0, at - 100);
  while (start > limit && /[A-Za-z0-9_.-]/.test(text.charAt(start - 1))) start--;
  if (text[start - 1] !== "\x60") return undefined;
  CODE_NAMED.lastIndex = start;
  const m = CODE_NAMED.exec(text);
  const span = m?.indices?.[2];
  if (!m || !span || !SECRET_KEY.test(m[1] as string)) return undefined;
  const value = m[2] as string;
  const password = PASSWORD_NAME.test(m[1] as string);
  if (password ? !looksLikePassword(value) : !looksLikeKey(value)) return undefined;
  return { start: span[0], end: span[1], kind: password ? "password" : "secret" };
}

const SCHEME = /(?:mailto|https?|ftp|sftp|ssh|git|file|tel|data)$/i;
/** The rest of a domain's name after a dot, to the address' end. */
const DOMAIN_REST = /^(?:\.[A-Za-z0-9-]{1,63})+(?=$|[^\w.-])/;

/**
 * A GitHub action's name and version after its owner's slash (`docker/login-action@v3`, `azure/login@v2`, the comment
 * beside a pinned action): no user and password. A version tag with its `v`, or a commit: `Spring@2024` is a password.
 */
const ACTION_REF = /^[\w.-]+@(?:v\d+(?:\.\d+){0,2}|[0-9a-f]{40})$/;

function loginPair(text: string, at: number, re: RegExp, passwordShaped: (value: string) => boolean): Finding | undefined {
  re.lastIndex = at;
  const m = re.exec(text);
  const group = [1, 2, 4, 6].find((g) => m?.[g] !== undefined) ?? 1;
  const span = m?.indices?.[group];
  if (!m || !span) return undefined;
  const value = bareValue(m[group] as string);
  // A link's scheme before the colon (`(mailto:secure@example.com)`, `https://…`) is no user.
  if (group === 4 && SCHEME.test(m[3] as string)) return undefined;
  // A scope's `::` (Perl's `C<Net::Netrc>`, `*DB::dbline = "::_<$file"`, C++'s `db::Config`): a package's name, no user and password.
  if (group === 4 && value.startsWith(":")) return undefined;
  if (group === 4 && text[span[0] - 1] === "/" && ACTION_REF.test(value)) return undefined;
  // An address after a colon (an IAM principal: `--member='user:alice@gmail.com'`): the pair's value stopped at its domain's dot.
  if (group === 4 && value.includes("@") && DOMAIN_REST.test(text.slice(span[0] + value.length, span[0] + value.length + 64))) return undefined;
  // Written tight (`admin:…`, `admin/…`), a pair looks like much else (`host:port`, `org/repo`): the
  // password is held to more, unless the user is an account every install has (`root:toor99`).
  // Told in words, the password is held to a strong one's shape, but after an account every install has ("as root with toor99x"):
  // then a word with digits that is no name made of words (`python3`, `OAuth2`) is one.
  const inWords = (v: string) => (ACCOUNT.test(m[5] as string) ? looksLikePassword(v) : looksLikeStrongPassword(v)) && !WORDS_NAME.test(v);
  const shaped = group === 6 ? inWords : group === 4 && !ACCOUNT.test(m[3] as string) ? looksLikeStrongPassword : passwordShaped;
  return shaped(value) ? { start: span[0], end: span[0] + value.length, kind: "password" } : undefined;
}

/** Accounts every install of something has, whose password is the one people share: `admin`, `root`, `postgres`, `elastic`. */
const ACCOUNTS = ["admin", "administrator", "root", "superuser", "postgres", "elastic", "guest"];
const ACCOUNT = new RegExp(String.raw`^["'(]?(?:${ACCOUNTS.join("|")})$`, "i");

/**
 * Such an account and its password joined by a colon or a spaced slash, with no login word before
 * it: "use admin:Passw0rd! to sign in", "(root:Tr0ub4dor&3)", "admin / Tr0ub4dor&3". Alone, a pair
 * looks like a group (`chown root:wheel`) or an image (`postgres:16-alpine`): only a strong
 * password goes. A slash without spaces is a path more often (`admin/Settings2`), so that needs
 * the login word (LOGIN_PAIR).
 */
const ACCOUNT_PAIR = new RegExp(String.raw`(?<![^\s"'\x60(])(?:${ACCOUNTS.join("|")})(?::|[ \t]+\/[ \t]+)([^\s\x60"'/.,;:()]{6,128})(?=[\s"'\x60.,;)]|$)`, "diy");

function accountPair(text: string, at: number): Finding | undefined {
  ACCOUNT_PAIR.lastIndex = at;
  const m = ACCOUNT_PAIR.exec(text);
  const span = m?.indices?.[1];
  if (!m || !span) return undefined;
  const value = bareValue(m[1] as string);
  return looksLikeStrongPassword(value) ? { start: span[0], end: span[0] + value.length, kind: "password" } : undefined;
}

/**
 * A user and a password labelled, on one line: "u: admin p: …", "user admin / pass …", "my login is bob, pass …",
 * "username=admin, password=…" (which the assignment rule finds too). Only the value after a
 * password's label that follows a user's: "pass" alone is a verb more often than a label.
 */
const USER_PASS = new RegExp(
  String.raw`(?<![A-Za-z0-9_.$-])(?:u|usr|user(?:name)?|login)(?:[ \t]+(?:is|was))?(?:[ \t]{0,8}[:=][ \t]{0,8}|[ \t]{1,8})[^\s:=/,;|]{1,64}(?:[ \t]{0,8}[,;|/][ \t]{0,8}|[ \t]{1,8})(?:p|pw|pwd|pass(?:word|wd)?)(?:[ \t]{0,8}[:=][ \t]{0,8}|[ \t]{1,8})${TOLD_VALUE}`,
  "diy",
);

/**
 * A password a service made up and printed in its log, said once: MySQL's "A temporary password is
 * generated for root@localhost: …", Elasticsearch's "The generated password for the elastic
 * built-in superuser is : …" and "Password for the elastic user (reset with …):" with the value on
 * the next line, Jenkins' "Please use the following password to proceed to installation:" with
 * it after a blank line. From the password word: up to a colon on its line, then the value there
 * or on one of the next two lines, each after its service's name when Compose logs it (`jenkins  | `,
 * `jenkins-1  | `: `docker compose up`'s output).
 */
const GENERATED =
  /pass(?:word|phrase)[^\r\n:]{0,100}?(?:[ \t]is[ \t]*)?:[ \t]*(?:\r?\n[ \t]*(?:[\w.-]{1,64}[ \t]+\|)?[ \t]*){0,2}([^\s"'`]{8,128})/diy;
/** What tells a service's announcement of a password it made: "generated", "temporary", "initial", "following" before it, or "Password for the … user". */
const ANNOUNCED_BEFORE = /(?:generated|temporary|initial|random|following|default)[ \t]+(?:[A-Za-z-]+[ \t]+){0,3}$/i;
const ANNOUNCED_HERE = /^Password for the [A-Za-z_-]+ user\b/i;

function generatedPassword(text: string, at: number): Finding | undefined {
  // The line before the word, 200 characters at most (a bounded look back keeps the rule linear).
  const before = text.slice(Math.max(0, at - 200), at);
  if (!ANNOUNCED_BEFORE.test(before.slice(before.lastIndexOf("\n") + 1)) && !ANNOUNCED_HERE.test(text.slice(at, at + 40))) return undefined;
  GENERATED.lastIndex = at;
  const m = GENERATED.exec(text);
  const span = m?.indices?.[1];
  if (!m || !span || !looksLikePassword(m[1] as string)) return undefined;
  return { start: span[0], end: span[1], kind: "password" };
}

/**
 * A label on a line of its own and the value alone on the next (or the one after a blank line):
 * "Password:⏎hunter2x", "My API key:⏎⏎    sk…", YAML's `password:⏎  …`, psql's prompt
 * "Password for user app:⏎…" with what was pasted at it, "the password is⏎…". Before the label, its line holds at most
 * a few words and markup ("My", "The new", "- ", "**"); the value is one word.
 */
const NEXT_LINE = new RegExp(
  String.raw`${LABEL}${WHOSE}["'\x60]?(?:\*\*|__)?[ \t]{0,8}(?:[:=→]|(?<=[ \t])(?:is|was)[ \t]*:?)?(?:\*\*|__)?[ \t]{0,8}\r?\n(?:[ \t]{0,40}\r?\n)?[ \t]{0,40}(?:["'\x60]([^\s"'\x60]{4,128})["'\x60]|([^\s"'\x60]{4,128}))[ \t]{0,40}(?=\r?\n|$)`,
  "diy",
);
const LABEL_LINE_START = /^[ \t>*#"'\x60-]*(?:[A-Za-z]+[ \t]+){0,3}$/;

function nextLineSecret(text: string, at: number): Finding | undefined {
  // Its line up to the label: 40 characters at most.
  const line = lineStart(text, at, 40);
  if (line === undefined || !LABEL_LINE_START.test(text.slice(line, at))) return undefined;
  NEXT_LINE.lastIndex = at;
  const m = NEXT_LINE.exec(text);
  const group = m?.[2] !== undefined ? 2 : 3;
  const span = m?.indices?.[group];
  if (!m || !span) return undefined;
  const password = m[1] !== undefined;
  const value = m[group] as string;
  if (password ? !looksLikePassword(value) : !keyShaped(text, at)(value)) return undefined;
  return { start: span[0], end: span[1], kind: password ? "password" : "secret" };
}

/**
 * The value before its label: "use Tr0ub4dor&3 as the password", "I'm using … as the password", "try `hunter2x` as the new
 * password", "I set it to … as the new password", "use … as the API key", "I've added … as the API key" (put, pasted, entered, saved);
 * and "Tr0ub4dor&3x is the password", "… is the db password" (whose: db, wifi, vpn, ssh, smtp…), "… was my token", held to
 * more (a word before "is the password" is more often a name: "This", "Yours"). At most 150
 * characters back from the label, on its line.
 */
const BEFORE_VALUE = String.raw`(?:["'\x60]([^\s"'\x60]{4,128})["'\x60]|([^\s"'\x60]{4,128}))`;
/** What the label may say of whose or what for: "as the admin password", "as the signing key". */
const ROLE = String.raw`(?:(?:new|admin|root|default|master|signing|encryption|private|webhook|hmac|jwt|session|prod|production|staging|db|database|wifi|vpn|ssh|smtp|email|server|account)[ \t]+)?$`;
const TOLD_BEFORE = new RegExp(String.raw`(?<![A-Za-z])(?:use|using|try|with|set|(?:set|changed|reset)[ \t]+it[ \t]+to|add(?:ed)?|put|paste[d]?|enter(?:ed)?|sav(?:e|ed))[ \t]+${BEFORE_VALUE}[ \t]+as[ \t]+(?:(?:the|my|your|a|our)[ \t]+)?${ROLE}`, "di");
const NAMED_BEFORE = new RegExp(String.raw`(?<![^\s(])${BEFORE_VALUE}[ \t]+(?:is|was)[ \t]+(?:the|my|your|our)[ \t]+${ROLE}`, "di");

function toldBefore(text: string, at: number, password: boolean): Finding | undefined {
  const back = text.slice(Math.max(0, at - 150), at);
  const line = back.slice(back.lastIndexOf("\n") + 1);
  const used = TOLD_BEFORE.exec(line);
  const m = used ?? NAMED_BEFORE.exec(line);
  const group = m?.[1] !== undefined ? 1 : 2;
  const span = m?.indices?.[group];
  if (!m || !span) return undefined;
  const shaped = !password ? looksLikeKey : used ? looksLikePassword : looksLikeStrongPassword;
  if (!shaped(m[group] as string)) return undefined;
  const base = at - line.length;
  return { start: base + span[0], end: base + span[1], kind: password ? "password" : "secret" };
}

/** "db pass …", "root pass …": `pass` as a password's label after a service's or an account's name (alone, a verb more often). */
const NAMED_PASS = /[A-Za-z-]{2,20}[ \t]+(?=pass(?![A-Za-z]))/y;

function namedPass(text: string, at: number): Finding | undefined {
  NAMED_PASS.lastIndex = at;
  return NAMED_PASS.test(text) ? toldSecret(PROSE_SECRET, text, NAMED_PASS.lastIndex, looksLikePassword) : undefined;
}

const LOGIN_WORD = /^(?:log|sign|cred)/i;
const PASSPHRASE_WORD = /^pass[ \t]?phrase/i;
const PASSWORD_WORD = /^pass(?:word|phrase)/i;
/** A key's label, whose value may be told before it ("use … as the API key"). */
const KEY_WORD = /^(?:(?:api|access|secret)[ \t]+key|key|token|secret)/i;
const SERVICE_WORD = new RegExp(`^(?:${SERVICES.join("|")})`, "i");
const USER_WORD = /^(?:u:|usr|user|login)/i;
const WIFI_KEY_HEAD = new RegExp(`^(?:${WIFI_KEY})`, "i");
const ACCOUNT_WORD = new RegExp(`^(?:${ACCOUNTS.join("|")})`, "i");

/**
 * "pass" alone before "is" ("the pass is …", "wifi pass was …"): a verb or a ticket more often ("the test pass is slow", "the boarding
 * pass is …"), so only after a word saying whose it is, and a value of six characters or more shaped like a password.
 */
const PASS_COPULA = /^pass[ \t]+(?:is|was)/i;
const PASS_OWNER = /(?:^|[^A-Za-z0-9_])(?:the|my|your|our|his|her|their|wifi|wi-fi|admin|root|db|vpn)[ \t]+$/i;
const PASS_MIN = 6;

export const proseSecretDetector: Detector = {
  keywords: [...WIFI_KEY_WORDS, "security answer", "pass is", "pass was", "passw", "pw", "passphrase", "pass phrase", "passcode", "kennwort", "mot de passe", "mdp", "parola d", "psk", "pre-shared key", "preshared key", "contrase", "clave", "senha", "wachtwoord", "haslo", "schl", "api-schl", "api schl", "apischl", "cle api", "cle secr", "chiave api", "chiave segreta", "jeton", "api key", "apikey", "api-key", "access key", "secret key", "my key", "our key", "your key", "the key", "this key", "token", "secret", "key", "log in", "login", "logging in", "sign in", "signin", "signing in", "creds", "credentials", "u:", "usr", "user", ...SERVICES, ...ACCOUNTS],
  find(text: string, hits: Hits, out: Finding[]): void {
    const push = (found: Finding | undefined) => found && out.push(found);
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      // What the keyword starts: a service's name, a user's label or a login, a pair; a password's
      // or a key's label, a sentence or a line that tells its value.
      const head = text.slice(at, at + 8);
      // "wifi key is …" tells a password as its label would, no service's login.
      const service = SERVICE_WORD.test(head) && !WIFI_KEY_HEAD.test(text.slice(at, at + 30));
      if (ACCOUNT_WORD.test(head) || service) push(namedPass(text, at));
      if (ACCOUNT_WORD.test(head)) {
        push(accountPair(text, at));
        if (!service) continue;
      }
      if (service) {
        push(loginPair(text, at, SERVICE_PAIR, looksLikeStrongPassword));
        continue;
      }
      if (PASS_COPULA.test(head)) {
        const told = PASS_OWNER.test(text.slice(Math.max(0, at - 12), at)) ? toldSecret(PROSE_SECRET, text, at, looksLikePassword) : undefined;
        if (told && told.end - told.start >= PASS_MIN) out.push(told);
        continue;
      }
      const login = LOGIN_WORD.test(head);
      if (login) push(loginPair(text, at, LOGIN_PAIR, looksLikePassword) ?? credsLine(text, at));
      if (USER_WORD.test(head)) push(toldSecret(USER_PASS, text, at, looksLikePassword, "password"));
      else if (!login) {
        if (PASSWORD_WORD.test(head) || KEY_WORD.test(head)) push(toldBefore(text, at, PASSWORD_WORD.test(head)));
        push(codeNamed(text, at) ?? generatedPassword(text, at) ?? nextLineSecret(text, at));
        push(toldSecret(PROSE_SECRET, text, at, looksLikePassword) ?? toldSecret(TOLD_LATER, text, at, looksLikeStrongPassword));
      }
    }
  },
};

const SECRET_LABEL = /^secret/i;
const BRACKETED = /^\(([^()]+)\)[.,;:?!]*$/;

/** The value of a sentence telling a password or a key (PROSE_SECRET, TOLD_LATER: group 1 a password's label, 2 and 3 the value) at `at`. */
function toldSecret(re: RegExp, text: string, at: number, passwordShaped: (value: string) => boolean, label?: "password"): Finding | undefined {
  return toldValue(re, text, at, passwordShaped, label) ?? (re === PROSE_SECRET ? bracketedPassword(text, at) : undefined);
}

/** A bracket right after a password's label or its colon, which PROSE_SECRET reads first as whose it is ("the password (prod) is …"). */
const BRACKET_AFTER_LABEL = new RegExp(String.raw`${LABEL_START}${LABEL}(?:[ \t]+value)?[ \t]*:?[ \t]*\((?<bracketed>[^()\s]{4,31})\)`, "diy");
/**
 * A word and a number, as people make passwords up (`Summer2024`, `hunter22`, `Autumn77!`): a word of four small letters or more,
 * capitalised or not, then two digits or more. Names and versions in brackets have one digit (`OAuth2`, `v2`, `Python3`), capitals
 * (`AMD64`) or a short word (`Win32`, `amd64`).
 */
const WORD_AND_DIGITS = /^[A-Z]?[a-z]{3,}\d{2,6}[!?#*]?$/;

/**
 * The password in that bracket when what follows told none ("the password (Tr0ub4dor&3) is rejected": "rejected" is no
 * value). Only right after a password's label, not a key's or a token's ("token (OAuth2)"); held to a strong password's shape and no
 * name made of words, or to a word and a number, as brackets hold notes and names there ("Password (v2) is required", "(prod)", "(OAuth2)").
 */
function bracketedPassword(text: string, at: number): Finding | undefined {
  BRACKET_AFTER_LABEL.lastIndex = at;
  const m = BRACKET_AFTER_LABEL.exec(text);
  const value = m?.groups?.bracketed;
  const span = m?.indices?.groups?.bracketed;
  if (m?.[1] === undefined || !value || !span) return undefined;
  const password = (looksLikeStrongPassword(value) && !WORDS_NAME.test(value)) || (value.length >= 6 && WORD_AND_DIGITS.test(value) && looksLikePassword(value));
  return password ? { start: span[0], end: span[1], kind: "password" } : undefined;
}

function toldValue(re: RegExp, text: string, at: number, passwordShaped: (value: string) => boolean, label?: "password"): Finding | undefined {
  re.lastIndex = at;
  const m = re.exec(text);
  if (!m) return undefined;
  // USER_PASS has no label group: its value groups come first.
  const first = label ? 1 : 2;
  const password = label !== undefined || m[1] !== undefined;
  const quoted = m[first] !== undefined;
  const span = m.indices?.[quoted ? first : first + 1];
  if (!span) return undefined;
  // In brackets after its label ("the password you gave me (Hunt3r!x) doesn't work"): held to more, as brackets hold notes ("Password (v2)").
  const bracketed = !quoted && password ? BRACKETED.exec(m[first + 1] as string)?.[1] : undefined;
  if (bracketed !== undefined) return looksLikeStrongPassword(bracketed) ? { start: span[0] + 1, end: span[0] + 1 + bracketed.length, kind: "password" } : undefined;
  const bare = quoted ? "" : bareValue(m[first + 1] as string);
  const value = quoted ? (m[first] as string) : boldClosed(text, span[0]) ? bare.replace(BOLD_CLOSE, "") : bare;
  // Quoted words are a phrase ("at least 8 chars") unless each is shaped like a password, one a strong one ("Juniper!Nimbus11 Tundra_Vale19"),
  // or they are a password's diceware passphrase.
  const words = value.split(" ");
  const wifi = password && isWifiPassword(text, at, span[0]);
  const least = wifi || PASSPHRASE_WORD.test(text.slice(at, at + 11)) ? 3 : 4;
  if (quoted && password && isDicewarePhrase(value, least)) return { start: span[0], end: span[0] + value.length, kind: "password" };
  // A bare passphrase is the rest of its line (to its clause's end) after a colon: "pass phrase: mosaic saddle mosaic velvet"; after "is" too when no word of it
  // reads as a sentence going on ("my passphrase is correct horse battery staple"; not "the passphrase is generated randomly during setup").
  const before = text.slice(Math.max(0, span[0] - 5), span[0]);
  const colon = AFTER_COLON.test(before);
  const phrase = !quoted && password && (colon || AFTER_COPULA.test(before)) ? restOfLine(text, span[0]).split(CLAUSE_END, 1)[0] ?? "" : "";
  if (isDicewarePhrase(phrase, least) && (colon || !phrase.split(/[ -]/).some((w) => SENTENCE_GOES_ON.test(w)))) {
    return { start: span[0], end: span[0] + phrase.length, kind: "password" };
  }
  // An answer to the label's question is alone on its line, and no short word ("password? v2 of the API").
  if (ANSWERED.test(text.slice(Math.max(0, span[0] - 12), span[0])) && (value.length < PASS_MIN || restOfLine(text, span[0]) !== value)) return undefined;
  // Words joined by hyphens, told after a password's label and its verb or colon: three are a passphrase ("the password is
  // correct-horse-battery"), as no sentence joins them so; not a participle's or an adverb's compound ("server-side-encrypted").
  // Without the verb ("app password abcd-efgh-ijkl-mnop-qrst") the label may be a noun's, the words a name.
  const told = colon || AFTER_COPULA.test(before) || AFTER_VERB.test(before);
  if (!quoted && password && told && value.includes("-") && isDicewarePhrase(value, 3) && !value.split("-").some((w) => SENTENCE_GOES_ON.test(w))) {
    return { start: span[0], end: span[0] + value.length, kind: "password" };
  }
  // A strong word and plain ones, quoted after a password's label: "Blue42 horse".
  const passwordWord = (w: string) => looksLikePassword(w) || (quoted && password && PLAIN_WORD.test(w) && !SENTENCE_WORDS.has(w));
  if (words.length > 1 && !(words.every(passwordWord) && words.some(looksLikeStrongPassword))) return undefined;
  // A secret (not a key nor a token, whose values are random) may be one a person made up: shaped like a strong password.
  const made = !password && SECRET_LABEL.test(text.slice(at, at + 6)) && looksLikeStrongPassword(value);
  if (password ? !passwordShaped(value) && !(wifi && isWifiDigits(value)) : !keyShaped(text, at)(value) && !made) return undefined;
  return { start: span[0], end: span[0] + value.length, kind: password ? "password" : "secret" };
}

/**
 * A Wi-Fi password of digits alone ("the wifi password is 48213957"), as routers ship them: 8 digits or more (WPA's least).
 * After a password's label alone, digits are more often a quantity or a PIN's (pin.ts).
 */
const WIFI_BEFORE = /(?:wi-?fi|wlan|wireless)[ \t]+$/i;
const WIFI_DIGITS = /^\d{8,63}$/;
/** A Wi-Fi network's name between the label and its value ("the password for the wifi is …"), or its SSID on the label's line or the one above. */
const WIFI_WORD = new RegExp(String.raw`wi-?fi|wlan|wireless|${WIFI_KEY}`, "i");
const SSID = /\bssid\b/i;
/** How far back the SSID is looked for: the line above, at most this many characters. */
const SSID_BACK = 200;

function isWifiPassword(text: string, at: number, valueAt: number): boolean {
  if (WIFI_BEFORE.test(text.slice(Math.max(0, at - 10), at)) || WIFI_WORD.test(text.slice(at, valueAt))) return true;
  const back = text.slice(Math.max(0, at - SSID_BACK), at);
  const lineAbove = back.lastIndexOf("\n", back.lastIndexOf("\n") - 1);
  return SSID.test(back.slice(lineAbove + 1));
}
const isWifiDigits = (value: string) => WIFI_DIGITS.test(value) && !isStandIn(value);
