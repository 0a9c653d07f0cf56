import { DOUBLE_QUOTED, type Detector, type Finding, type Hits, SINGLE_QUOTED, VALUE_MAX, quotedValue, widenedIfCut } from "../detectors.ts";
import { HAS_DIGIT, HAS_LETTER, NO_CREDENTIAL_NAME, isAwsUuidField, WORDS_NAME, insideArn, isMemberPathOfWords, isOwnOptionStandIn, isStandIn, squeezed, looksBase64Key, looksRandom, looksRandomLetters, WIFI_MODE } from "../look-alikes.ts";
import { drawnAtRandom } from "./handed-key.ts";
import { SCHEME_ONLY, schemeLength } from "./headers.ts";
import { lineStart } from "./lines.ts";
import { KEY_LABELS } from "./provider-names.ts";

/**
 * NAME = value in env, shell, YAML, JSON (also JSON escaped inside a string), TOML, code:
 * `PASSWORD=...`, `api_key: ...`, `"clientSecret": "..."`, `spring.datasource.password=...`,
 * `SECRET_KEY_BASE=...`, `client-key-data: ...`, `AccountKey=...;`, fish's `set -x API_TOKEN ...`,
 * `<password>...</password>`, SQL's `WITH PASSWORD '...'`. Only the value goes; the name
 * and the quotes stay: `PASSWORD=[REDACTED:secret]`.
 */

const KEY_PREFIXES = "api|access|secret|private|signing|encryption|master|client|auth|account|preshared";
/** Services a password or a key is for, as prose and names say them ("ssh into … with", `PASSWORD_DB`). */
export const SERVICES = ["ssh", "sftp", "ftp", "rdp", "vpn", "db", "database", "mysql", "mariadb", "mssql", "psql", "postgres", "postgresql", "mongo", "mongodb", "redis", "wifi", "wi-fi"];
/** More, after a secret's name only (`PASS_SMTP`): in prose these words are too often something else. */
const MORE_SERVICES = ["pg", "smtp", "mail", "ldap", "vnc", "proxy", "amqp", "mqtt", "kafka", "keystore", "truststore"];

/**
 * After the secret word, a part that still names the secret: SECRET_KEY_BASE, client-key-data; or
 * which of several it is: a number or an environment, a role, a version, the service it is for
 * (`PASSWORD2`, `ADMIN_PASS_1`, `DB_PASSWORD_PROD`, `GPG_PASSPHRASE_CI`, `JWT_SECRET_OLD`, `PASSWORD_DB`,
 * `PASS_REDIS`: each leaked). Not any word: `TOKEN_URL`,
 * `PASSWORD_MIN_LENGTH` and `POSTGRES_PASSWORD_FILE` (a path) name no secret.
 */
const SUFFIX = String.raw`(?:[_.-](?:base|data|value|b64|base64)|[_.-]?\d{1,3}|[_.-](?:prod|production|live|staging|stage|stg|preprod|dev|development|test|testing|qa|uat|local|sandbox|ci|release|debug|ro|rw|readonly|old|new|prev|previous|current|next|backup|primary|secondary|enc|encoded|admin|root|${[...SERVICES, ...MORE_SERVICES].join("|")}))?`;

/**
 * `pass` glued to the account's or service's name it is for (`dbpass`, `ROOTPASS`, `$adminpass`,
 * `smtppass`, keytool's `storepass`, a replica's `replicationPass`): each leaked, as `pass` alone must stand apart from a longer
 * word (`bypass`, `compass`).
 */
const GLUED_PASS = String.raw`(?<=(?:db|root|admin|user|smtp|mail|sql|pg|ftp|ldap|redis|vnc|wifi|app|bind|proxy|master|sudo|ssh|mqtt|mongo|key|store|replication))pass`;
/**
 * `pwd`, `pw` and `psw` glued so, as camelCase writes them in code and JSON (`dbPwd`, `userPwd`, `adminPw`, `userPsw`): a separator or nothing
 * before them is required otherwise, as the shell's `PWD` and `OLDPWD` hold paths.
 */
const GLUED_PW = String.raw`(?<=(?:db|root|admin|user|smtp|mail|sql|pg|ftp|ldap|redis|vnc|wifi|app|proxy|master|sudo|ssh|mqtt|mongo|login))(?:pwd?|psw)`;

/**
 * An AI provider's name alone as its key's label (`anthropic: …`, `openai=…`, a config's map of keys): it
 * names far more often a model or a switch (`anthropic: true`, `openai: "gpt-4o"`), so only a long value
 * drawn at random goes (isAssignedSecret). Its keys' own prefixes (`sk-ant-`) are tokens.json's; the names, rules/providers.json's keyLabels.
 */
const PROVIDER_NAME = new RegExp(`^(?:${KEY_LABELS.join("|")})$`, "i");
const PROVIDER_KEY_MIN = 24;
/** Providers whose keys are lowercase hex (Deepgram's 40), not drawn in both cases: such a value under their name goes too. */
const HEX_KEY_PROVIDER = /^deepgram$/i;
const HEX_KEY = /^[0-9a-f]{32,64}$/;
/**
 * French's short `mdp` (mot de passe) names a Markov decision process too (`MDP: Markov decision process`): a value of letters
 * and digits goes, or an environment file's lowercase word ending its line under a capital name (`MDP=motdepasse`), as a password's does.
 */
const MDP_NAME = /(?:^|[^a-z0-9])mdp$/i;
/**
 * Russian's and Bulgarian's `parol` (пароль written in Latin letters), Romanian's `parolă` and Turkish `parola` name a password, but Italian's
 * `parola` is a word (`parola = "ciao"`): only a value of eight characters or more with letters and digits goes. `parola` alone is the
 * other-scripts rule's label (`Parola: …`); here only after a separator (`DB_PAROLA`).
 */
const PAROL_NAME = /(?:^|[^a-z0-9])parolă?$|[_.-]parola$/i;
const PAROL_VALUE_MIN = 8;

/**
 * Name endings that mark a secret. `pass` only as a whole word (`DB_PASS`, not `bypass`), `pw`
 * and `pwd` (and `psw`, its other short form) after a separator (`DB_PWD`, `ADMIN_PW`, `DB_PSW`, `?pw=`, `Uid=sa;Pwd=...`) or alone (PowerShell's `$pw`, not `$pwd`), never
 * ending a longer word (`pw=…`; the shell's `PWD` holds a path, which isAssignedSecret lets
 * through), a password in other languages (`passwort`, `kennwort`, `mot_de_passe`, `contraseña`, Catalan `contrasenya`, `senha`, `wachtwoord`, Turkish `şifre`, Polish `haslo`,
 * `parol`, `parolă` and `DB_PAROLA`: PAROL_NAME), a secret in German and Italian (`geheimnis`, `segreto`), a password hash's pepper (`PEPPER`: weak, as a salt), OpenLDAP's `rootpw` and `bindpw`, a Wi-Fi network's pre-shared key (`psk`), French's short password (`MDP`), `*_KEY`
 * for any separated key (.NET's configuration path `Jwt:Key` too, as `dotnet user-secrets list` prints it and appsettings flatten it), Azure's `primaryKey` and `secondaryKey` (weak: code's `primaryKey: "id"` stays), a product's `licenseKey` glued as
 * camelCase names it (`<licenseKey>` in a config's XML; weak as `license_key` is: `<licenseKey>MIT</licenseKey>` stays), `*_PAT` (a personal access token), `auth`, `credentials` and `creds` alone (docker's `"auth"`, npm's `_auth`),
 * a signing salt, seed or HMAC key (`SIGNING_SALT`, `MASTER_SEED`, `webhook_hmac`: weak names, a random-looking value only), a TOTP
 * seed under `totp` alone (Bitwarden's `"totp": "<base32>"`: weak too; `"totp": true` stays), a passcode as a password,
 * a cookie's signing key (`COOKIE_SIGNATURE`, weak too), a Google service account's `private_key_id` (it names
 * the key in the account: told only with the key, a random-looking value only), a security question's
 * answer (`security_answer`, `securityAnswer2`: a password by another name), MySQL's password hash (`authentication_string: *6BB4…`, a `\G` row), Yarn's `npmAuthIdent` (`user:password`), the 1Password CLI v1's session (`OP_SESSION_<account>`: the account's
 * shorthand ends the name), Honeycomb's `X-Honeycomb-Team` header (its API key under a team's name).
 */
const SECRET_NAME_END = String.raw`(?:pass(?:word|wd|phrase|code)|passwort|kennwort|mot[_.-]?de[_.-]?passe|contrase(?:ñ|n)y?a|senha|wachtwoord|(?<![a-z0-9])(?:ş|s)ifre|(?<![a-z0-9])haslo|(?<![a-z0-9])(?:geheimnis|segreto)|mnemonic|seed[_-]?phrase|(?<![a-z0-9])pass|${GLUED_PASS}|${GLUED_PW}|(?<=[_.&?-])(?:pwd?|psw)|(?<=;)pwd(?==)|(?<![a-z0-9$])(?:pwd?|psw)|(?<=\$)pw|(?<![a-z0-9])(?:root|bind)pw|(?<![a-z0-9])psk|(?<![a-z0-9])mdp|(?<![a-z0-9])parolă?|(?<=[_.-])parola|(?<![a-z0-9])pepper|secret|token|(?:${KEY_PREFIXES})key|(?:primary|secondary)key|licen[cs]ekey|(?<=[_.:-])key|(?<=[_.-])pat|(?<![a-z0-9])auth|(?<![a-z0-9])cred(?:ential)?s|(?<![a-z0-9])credential|(?<=[_.-])(?:salt|seed)|(?<![a-z0-9])hmac|(?<![a-z0-9])totp|(?<![a-z0-9])cookie[_.-]?signature|(?<![a-z0-9])private[_-]?key[_-]id|security[_.-]?answer|npm[_.-]?auth[_.-]?ident|(?<![a-z0-9])authentication_string|(?<![\w.-])(?:${KEY_LABELS.join("|")})|(?<![a-z0-9])op_session_[a-z0-9_]{1,40}|(?<![a-z0-9])x-honeycomb-team)${SUFFIX}`;
/** Names whose value is secret whatever it looks like (redis-cli's password in `REDISCLI_AUTH` too); other names need a random-looking value. */
const STRONG_NAME = new RegExp(
  String.raw`(?:pass(?:word|wd|phrase|code)|passwort|kennwort|mot[_.-]?de[_.-]?passe|contrase(?:ñ|n)y?a|senha|wachtwoord|(?<![a-z0-9])(?:ş|s)ifre|(?<![a-z0-9])haslo|(?<![a-z0-9])(?:geheimnis|segreto)|mnemonic|seed[_-]?phrase|(?<![a-z0-9])pass|${GLUED_PASS}|${GLUED_PW}|[_.-](?:pwd?|psw)|^(?:pwd?|psw)|(?<![a-z0-9])(?:root|bind)pw|(?<![a-z0-9])psk|(?<![a-z0-9])mdp|secret|token|(?:${KEY_PREFIXES})[_.-]?key|security[_.-]?answer|npm[_.-]?auth[_.-]?ident|(?<![a-z0-9])rediscli_auth|(?<![a-z0-9])authentication_string)$`,
  "i",
);
const NAME_SUFFIX = new RegExp(`${SUFFIX}$`, "i");
/** Object keys holding a secret (redactValue), by the same name rules as assignments. */
export const SECRET_KEY = new RegExp(String.raw`${SECRET_NAME_END}$`, "i");

const SCREAMING_NAME = /^[A-Z0-9_.-]+$/;
/** An identifier or member path without digits: `string`, `session.token`, `Token`, C++'s `Config::password`. */
const CODE_PATH = /^[A-Za-z_$][A-Za-z_$]*(?:(?:\.|::)[A-Za-z_$][A-Za-z_$]*)*$/;
const SMALL_NUMBER = /^\d{1,5}$/;
/** A 32-bit hex literal as code's constant, then the next element or the statement's end (COFF's `IMAGE_REL_ARM_TOKEN = 0x000E,`). */
const HEX_CONSTANT = /^0x[0-9A-Fa-f]{1,8}$/;
const CODE_AFTER = new Set([",", ";", ")", "}"]);
/**
 * A sentence's first word, capitalised with its period, then more of it: a docstring's field
 * (`pageToken: Optional. A token identifying a page`, `privateKey: Required. …`). Not under a
 * password's name, which a person may make a word.
 */
const SENTENCE_START = /^[A-Z][a-z]{1,20}\.$/;
/** Google APIs' field behaviours, which may end a docstring's line alone (`subjectToken: Optional.`), and OAuth's (`:param token: REQUIRED.`). */
const FIELD_BEHAVIOR = /^(?:Optional|Required|Deprecated|Immutable)\.$/i;
/** A reST role before its backquoted target (`:type passphrase: :py:data:\x60bytes\x60`, `Pass :meth:\x60peek\x60`): markup. */
const REST_ROLE = /^:?[a-z]+(?::[a-z]+)*:$/;
/** A function's or a method's call, its arguments closed. */
const CALL = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\(.*\)$/;

/** A YAML block scalar's indicator (`password: |`): the value is on the lines below (an Ansible vault, a key). */
const YAML_BLOCK = /^[|>][-+]?\d?$/;
/** UI text such as "Forgot your password?" as the value of an i18n key. */
const PROSE = /^[A-Z][A-Za-z']*(?:[ ,]+[A-Za-z']+)+[.?!:…]?$/;
/**
 * Words in lower case under a token's or a key's name: a message (`"invalidToken": "token is invalid or
 * expired"`, `InvalidCommentToken: "invalid comment"`), as a token or a key has no spaces; a password
 * or a secret may be a phrase, and words a wallet's or an app's password (isMessage).
 */
const TOKEN_OR_KEY = /(?:token|key)$/i;
/**
 * A short id in hex of one case, letters and digits (`token: 3fa9c2d1` in a log: a commit's, a request's, a token's own id shown for it):
 * 32 bits at most, shorter than any provider's token and than gitleaks' floor for a generic key (ten characters).
 */
const SHORT_HEX_ID = /^(?:[\da-f]{7,8}|[\dA-F]{7,8})$/;
const LOWER_PROSE = /^[a-z][a-z']*(?:[ ,]+[a-z']+)+[.?!:…]?$/;
const APP_PASSWORD = /^[a-z]{4}(?: [a-z]{4}){3}$/;
/** Names whose value may be a phrase a person made up: a password's, a secret key's (`SECRET_KEY = "this is my dev secret"`). */
const PHRASE_NAME = /pass|pw|secret|private|master|encryption|signing|hmac/i;

/**
 * A message, not words drawn as a secret: a seed phrase has 12 words or more, a Gmail app password four
 * groups of four letters, a diceware passphrase four long words or more; a sentence of three words or
 * more has a short one (`is`, `or`, `no`).
 */
function isMessage(value: string): boolean {
  if (!LOWER_PROSE.test(value)) return false;
  const words = value.split(/[ ,]+/);
  return words.length <= 10 && (words.length < 3 || words.some((w) => w.replace(/[^a-z]/g, "").length <= 3)) && !APP_PASSWORD.test(value);
}
/** A translated label (`"password": "Contraseña"`, `"Пароль"`, `"パスワード"`): letters beyond ASCII, no digit. */
const TRANSLATED = /^(?=[^\d]*[^\x00-\x7f])[^\d]+$/;
/** A file's path (`--from-file=password=./password.txt`), not its content. */
const FILE_PATH = /^(?:\.{1,2}|~)?\/[\w.-]+(?:\/[\w.-]+)+$|^(?:\.{1,2}|~)\/[\w.-]+$/;

const EXISTING = /^existing/i;
export const GRAPHQL_TYPE = /^\[?[A-Z][A-Za-z]*!?\]?!$/;
/** An environment variable's name as a value (`"refreshToken": "REFRESH_TOKEN"`): where the secret is, not it. */
export const VARIABLE_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/**
 * A variable's or a constant's name as the value: quoted, where the secret is (`"refreshToken": "REFRESH_TOKEN"`);
 * bare, code (`"token": TEST_DATA_BASE64,`, `cred.token = TEST_ANOTHER_DATA_BASE64`, `WGDEVICE_A_PRIVATE_KEY: NLA_EXACT_LEN,`).
 * Not an environment line's bare value (`DB_PASSWORD=ADMIN_PASS_2` ending its line): it is the literal.
 */
function isNamedElsewhere(name: string, quoted: boolean, next: string | undefined): boolean {
  return quoted || !SCREAMING_NAME.test(name) || (next !== undefined && CODE_AFTER.has(next));
}

/** A sed substitution's end after the name it cuts off (`sed -n 's/^\s*psk=//p'`, `s/^DB_PASSWORD=//g`): its empty replacement and flags. */
const SED_END = /^\/\/[gpiIme\d]{0,4}$/;
/** A YAML anchor or alias (`client_secret: &client_secret`, `password: *db_password`): a name for a value, not one. */
const YAML_ANCHOR = /^[&*][A-Za-z_][\w-]*$/;
/** A parameter's type and its default, written tight (`startToken:Token=None`, then `):`): code. */
const TYPED_DEFAULT = /^[A-Za-z_][A-Za-z_.]*(?:\[[A-Za-z_., ]*\])?=(?:None|null|nil|undefined|true|false|True|False)[):,]*$/;
/**
 * A token's name holding a word in CamelCase or Capitalised, letters only (botocore's
 * `"input_token": "NextToken"`, `"output_token": "Marker"`): the name of another field. A token is
 * random; a secret's or a password's name is not judged so (`JWT_SECRET=SuperSecret` is one).
 */
const TOKEN_NAME = /token$/i;
const FIELD_NAME = /^[A-Z]?[a-z]+(?:[A-Z][a-z]+)*$/;
/**
 * A GitHub Actions permission's level (`permissions:` then `id-token: 'write'`, as Google's starter workflows quote it), and a
 * token's lifetime's unit (Cognito's `"TokenValidityUnits": {"AccessToken": "minutes", "RefreshToken": "days"}`): no token.
 */
const ACCESS_LEVEL = /^(?:read|write|seconds|minutes|hours|days)$/;

/** The shell's working directory (`PWD=/home/me`, `OLDPWD`) or a password (`pwd=…`): a path is the former. */
const PWD = /(?:^|[^a-z0-9])pwd$/i;
const PATH_VALUE = /^(?:[~/\\.$]|[A-Za-z]:[\\/])/;

const WORDS_VALUE = /^[A-Za-z0-9][A-Za-z0-9 _-]*$/;

/**
 * A value that is its name's own last words (openssl's `# define SSL_TXT_PSK "PSK"` and `PEM_STRING_SM2PRIVATEKEY
 * "SM2 PRIVATE KEY"`, gnutls' `@GNUTLS_KX_DHE_PSK: DHE-PSK`): the name's text, a label, not a secret. Or a token's
 * or a key's name without its last word (grpc's `_SEND_MESSAGE_TOKEN = "send_message"`, `CONFIGAPI_KEY = 'configapi'`):
 * the constant names what the value names. Not under a password's or a secret's name, whose value a person may make
 * of the name's words (`ADMIN_PASSWORD = "admin"`).
 */
function isOwnWord(name: string, value: string): boolean {
  if (!WORDS_VALUE.test(value)) return false;
  const own = squeezed(name);
  return own.endsWith(squeezed(value)) || (TOKEN_OR_KEY.test(name) && !PHRASE_NAME.test(name) && own.startsWith(squeezed(value)));
}

/**
 * A credential's field name as the value (botocore's `ACCESS_KEY = 'aws_access_key_id'`, `SECRET_KEY = 'AWSSecretKey'`:
 * where a provider reads the key from): snake_case or CamelCase made only of a credential field's words. A secret a
 * person makes of words brings one of its own (`my_secret_key`, `SuperSecret`), which this list has not.
 */
const FIELD_WORDS = new Set(["aws", "access", "secret", "session", "security", "key", "id", "token", "client", "api", "refresh", "private"]);
const FIELD_NAME_VALUE = /^(?:[a-z]+(?:_[a-z]+)+|(?:[A-Z]+(?![a-z])|[A-Z][a-z]+)+)$/;

function isCredentialFieldName(value: string): boolean {
  if (!FIELD_NAME_VALUE.test(value)) return false;
  const words = value.split("_").flatMap((part) => part.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+/g) ?? []);
  return words.length >= 2 && words.every((w) => FIELD_WORDS.has(w.toLowerCase()));
}

/**
 * Perl's Configure symbols and their answers (Config_heavy.pl's `d_pwpasswd='define'`, `i_pwd='undef'`:
 * whether the system has a struct's field, a header): a build's facts, no password.
 */
const CONFIGURE_SYMBOL = /^[di]_[a-z0-9_]+$/;
const CONFIGURE_ANSWER = /^(?:define|undef)$/;

/** A colour (pygments' styles: `Token: '#f8f8f2'`, the style of every token): no key is so short, but a password may be. */
const COLOUR = /^#(?:[0-9A-Fa-f]{3,4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$/;

/**
 * A package's version range under its name (package.json's `"jsonwebtoken": "^9.0.2"` and `"parse-passwd": "^1.0.0"`,
 * yarn.lock's `parse-passwd "^1.0.0"`, pnpm-lock's `secret-token: 1.0.0`), or an artifact and its version under its
 * group (Gradle's `'io.jsonwebtoken:jjwt-api:0.12.5'`): a dependency, read in every lockfile and build file. The name
 * in lower case, as packages are named (a setting's in an environment is `DB_PASSWORD`); the value a version with its
 * dots (`1.0.0`, `^2.3`, `~1.x`, `>=2.0.0 <3`), which no password is.
 */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const VERSION_PART = String.raw`(?:[\^~]|[<>]=?|=)?v?\d+(?:\.(?:\d+|[xX*])){1,2}(?:-[0-9A-Za-z.]+)?`;
const ARTIFACT = new RegExp(String.raw`^[a-z0-9][a-z0-9._-]*:${VERSION_PART}$`);
const VERSION_RANGE = new RegExp(String.raw`^${VERSION_PART}(?:[ \t]+(?:\|\|[ \t]+|-[ \t]+)?${VERSION_PART})*$`);

/** A sudoers rule's tag and the commands it grants (`bot ALL=(ALL) NOPASSWD:ALL`, cloud-init's `sudo:` line): no password. */
const SUDO_TAG = /^(?:NO)?PASSWD$/;

/** A password's name (not a token's or a key's, whose values are never plain words). */
export const PASSWORD_NAME = /pass|pw|psw/i;
/** A command that lists the users, kept to run later (gnupg's `cat_passwd='getent passwd'`, `'cat /etc/passwd'`). */
const USERS_COMMAND = /^(?:cat[ \t]+\/etc\/passwd|(?:getent|ypcat)[ \t]+passwd)$/;
/** A long option's or a CSS custom property's name, lowercase words and dashes (`theme token: --color-primary-500`, `password: --password-stdin`). */
const DASHED_NAME = /^--[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** A plain lowercase word: `letmein`, `changeit`, a Gmail app password (16 letters). */
const LOWER_WORD = /^[a-z]{6,64}$/;
/**
 * Python's functions that read what is typed, named bare (`password = getpass`, `pwd = raw_input`: a function kept
 * to call later, as a test's fixture or a fallback does), whose lowercase word ends its line as a password does.
 */
const PROMPT_FUNCTION = /^(?:getpass(?:\.getpass)?|raw_input|input)$/;

/**
 * Whether `value`, assigned to `name`, is a secret. `quoted` values are literals; an unquoted
 * value that is a bare identifier is code (`password: string`, `token = session.token`) unless
 * the name is an environment-style SCREAMING_NAME (`DB_PASSWORD=postgres`), or a password's name
 * ends its line with a lowercase word (YAML's `password: letmein`: code goes on, with `,`, `;`, `)`).
 */
export function isAssignedSecret(name: string, value: string, quoted: boolean, next: string | undefined): boolean {
  if (value.trim() === "" || isStandIn(value) || NO_CREDENTIAL_NAME.test(name) || isAwsUuidField(name, value) || (!quoted && (YAML_BLOCK.test(value) || YAML_ANCHOR.test(value) || TYPED_DEFAULT.test(value) || SED_END.test(value)))) return false;
  if (TOKEN_NAME.test(name) && !PASSWORD_NAME.test(name) && ((FIELD_NAME.test(value) && /[A-Z]/.test(value)) || ACCESS_LEVEL.test(value))) return false;
  if (TRANSLATED.test(value) || WIFI_MODE.test(value) || (FILE_PATH.test(value) && !looksBase64Key(value)) || USERS_COMMAND.test(value) || DASHED_NAME.test(value) || isOwnWord(name, value) || isCredentialFieldName(value)) return false;
  if (PACKAGE_NAME.test(name) && (VERSION_RANGE.test(value) || ARTIFACT.test(value))) return false;
  if ((CONFIGURE_SYMBOL.test(name) && CONFIGURE_ANSWER.test(value)) || (COLOUR.test(value) && !PASSWORD_NAME.test(name))) return false;
  // A member path of words, bare, is code (`nid_key = self._lib.NID_aes_256_cbc`): a key or a token is random; a password may be words and dots.
  if (!quoted && !PASSWORD_NAME.test(name) && isMemberPathOfWords(value)) return false;
  if ((PWD.test(name) && PATH_VALUE.test(value)) || (!quoted && PROMPT_FUNCTION.test(value))) return false;
  if (SUDO_TAG.test(name) && value === "ALL") return false;
  // The name of a secret kept elsewhere (Helm's `existingSecret: pg-secret`), and a GraphQL argument's type (`$password: String!`).
  if (EXISTING.test(name) || (!quoted && GRAPHQL_TYPE.test(value.replace(/[),:]+$/, ""))) || (VARIABLE_NAME.test(value) && isNamedElsewhere(name, quoted, next))) return false;
  // A function called (`creds = base64.b64encode(…)`, `token = make_token(user)`): code, whatever the name; an
  // environment-style name's value is a literal (`DB_PASSWORD=hunter(2)`).
  if (!quoted && (next === "(" || (CALL.test(value) && !SCREAMING_NAME.test(name)))) return false;
  const stem = name.replace(NAME_SUFFIX, "");
  if (SHORT_HEX_ID.test(value) && HAS_LETTER.test(value) && HAS_DIGIT.test(value) && TOKEN_OR_KEY.test(stem) && !PASSWORD_NAME.test(name)) return false;
  if (PROVIDER_NAME.test(stem)) return value.length >= PROVIDER_KEY_MIN && (drawnAtRandom(value) || (HEX_KEY_PROVIDER.test(stem) && HEX_KEY.test(value)));
  const endsLine = next === undefined || next === "\n" || next === "\r";
  if (PAROL_NAME.test(stem)) return value.length >= PAROL_VALUE_MIN && HAS_LETTER.test(value) && HAS_DIGIT.test(value);
  if (MDP_NAME.test(stem)) return (HAS_LETTER.test(value) && HAS_DIGIT.test(value)) || (endsLine && !quoted && SCREAMING_NAME.test(name) && LOWER_WORD.test(value));
  if (!STRONG_NAME.test(stem)) return looksRandom(value);
  if (quoted) return !PROSE.test(value) && !(TOKEN_OR_KEY.test(stem) && !PHRASE_NAME.test(stem) && isMessage(value));
  if (SMALL_NUMBER.test(value) || (HEX_CONSTANT.test(value) && next !== undefined && CODE_AFTER.has(next)) || (REST_ROLE.test(value) && next === "\x60")) return false;
  if (((next === " " && SENTENCE_START.test(value)) || FIELD_BEHAVIOR.test(value)) && !PASSWORD_NAME.test(name)) return false;
  return !CODE_PATH.test(value) || SCREAMING_NAME.test(name) || (endsLine && LOWER_WORD.test(value) && PASSWORD_NAME.test(name)) || looksRandomLetters(value);
}

/**
 * A bare value ends at `&`, as in a shell's `&&` or a query's `&next=`, but a password may hold one
 * (`.env`'s `DB_PASSWORD=Tr0ub4dor&3`): an `&` followed by more of the value is part of it.
 */
const INNER_AMPERSAND = String.raw`&(?![&\s]|[\w.-]{1,100}=|$)`;
const BARE_CHAR = String.raw`(?:[^\s"'\x60,;(){}[\]<>&\\]|${INNER_AMPERSAND})`;

/** A YAML folded block scalar's indicator alone on its line (`token: >-`): `>` ends a bare value (a shell's redirection) but this one. */
const FOLDED_BLOCK = String.raw`>[-+]?\d?(?=[ \t]*(?:\r?\n|$))`;

/**
 * A type between a name and its `=`: `apiKey: string = "…"`, `api_key: Optional[str] = "…"`,
 * `API_KEY: &'static str = "…"`. No digits and a space before the `=`: a password holding `=`
 * (`password: S3cr3t=x`) is not a type and its value.
 */
const TYPE = String.raw`\??[ \t]*:[ \t]*[A-Za-z_&'[\]<>|.,? ]{1,80}?[ \t]+(?==(?!=))`;
/** A YAML tag before the value (`password: !!str …`, CloudFormation's `!Ref`, Ansible's `!vault`): the value follows it. */
const YAML_TAG = String.raw`(?:!!?[A-Za-z][\w-]{0,30}[ \t]+)?`;
/** Markdown's bold around a label: `**Password:** …`, `**Password**: …`. */
const BOLD = String.raw`(?:\*\*|__)?`;

/**
 * The backslashes before a quote of JSON escaped inside a string: one (`{\"password\": \"…\"}`),
 * or more: JSON in a string in a string, as a tool prints a log or a transcript's line holding one
 * (`{\\\"password\\\": \\\"…\\\"}`), or a shell's escaping twice (`{\\"password\\": …}`).
 */
const ESCAPES = String.raw`\\{1,7}`;

/**
 * Groups: name, key quote (closing a subscript too: `os.environ["API_KEY"] = …`, or a subscript unquoted: php-fpm's
 * `env[DB_PASSWORD] = …`), separator
 * (spaces around it: aligned configs, and colour codes, which the rules read as spaces; a type;
 * markdown's bold), then the value as "double", \"escaped\" (once or more), 'single', bare or `code` (one word:
 * with spaces it is a shell's command substitution); a quoted one may be JSON.stringify'd, as a bundler's `define`
 * inlines it (`'process.env.API_KEY': JSON.stringify('…')`). A quote still open at the end of the text
 * closes there: the text was cut (a title, a truncated output) and what follows the quote is all
 * of the secret that is left. Tried, sticky, where a name holding a keyword starts.
 */
const ASSIGNMENT = new RegExp(
  String.raw`(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{0,100}?${SECRET_NAME_END})((?:${ESCAPES})?["']\]?|(?<=\[[A-Za-z0-9_.-]{1,100})\])?(${BOLD}(?:${TYPE})?[ \t]{0,40}(?::=|=>|<-|:(?!:)|=(?!=))${BOLD}[ \t]{0,40}${YAML_TAG})` +
    String.raw`(?:JSON\.stringify\([ \t]*(?=["'\x60]))?(?:${DOUBLE_QUOTED}|${ESCAPES}"(${quotedValue(String.raw`[^"\\\r\n]`, `${ESCAPES}"`)})(?:${ESCAPES}")?|${SINGLE_QUOTED}|(${FOLDED_BLOCK}|${BARE_CHAR}{1,1000})|\x60([^\x60\s]{1,1000})\x60)`,
  "iyd",
);

/**
 * Brackets inside a bare value (`DB_PASSWORD=MyP@ss(word)1`, `Xk9{mQ2}pLz`): the value goes on
 * when more of it follows the bracket. Not after code (CALLEE: `os.getenv(…)`, `hash(pw)`), and
 * a closing bracket at the end only when the value opened it (`f(password=Xk9)` ends there).
 */
const BRACKETED_MORE = new RegExp(String.raw`[(){}[\]](?=${BARE_CHAR})${BARE_CHAR}*`, "y");
const CLOSING: Record<string, string> = { ")": "(", "]": "[", "}": "{" };

/**
 * Code before a bracket, a call or an index: a member path or a snake_case name, digits allowed
 * (`cancellation_1.Token.is(…)`, `get_key2(…)`), or a plain name (`hash(…)`). Letters and digits
 * alone (`Xk9(mQ2`) are more often a password's start.
 */
const CALLEE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$|^[A-Za-z$]*_[\w$]*$|^[A-Za-z$]+$/;

/**
 * A whole assignment quoted as one word (`docker run -e "POSTGRES_PASSWORD=Ab3;xY9kq"`, compose's `- "DB_PASSWORD=a,b"`): its bare
 * value runs on to the closing quote, through a `;`, `,` or `|` that ends it elsewhere; not through another assignment
 * (`'password=abc&user=x'`, a cookie's `"token=abc; path=/"`).
 */
const QUOTED_REST = /[^\s"'\\=]{1,1000}/y;

function quotedWordEnd(text: string, start: number, end: number, keyQuote: string | undefined, separator: string | undefined): number {
  const quote = text[start - 1];
  // NAME=value itself in quotes: not a key quoted (`data['password'] = …`) nor a separator of a config's (`: `, ` = `).
  if ((quote !== '"' && quote !== "'") || keyQuote || separator !== "=") return end;
  QUOTED_REST.lastIndex = end;
  const at = end + (QUOTED_REST.exec(text)?.[0].length ?? 0);
  return at > end && text[at] === quote ? at : end;
}

function bareEnd(text: string, value: string, end: number): number {
  if (CALLEE.test(value)) return end;
  let at = end;
  for (;;) {
    BRACKETED_MORE.lastIndex = at;
    const more = BRACKETED_MORE.exec(text);
    if (!more) break;
    at += more[0].length;
  }
  const close = text[at];
  if (close !== undefined && CLOSING[close] !== undefined && text.slice(end - value.length, at).includes(CLOSING[close] as string)) at++;
  return at;
}

/**
 * A Secret Manager reference in a man page's source, roff writing every `-` as `\-` (`\-\-secret=projects/my\-project/secrets/…`):
 * a bare value stops at the `\`, so its reference is read on through each `\-`, with `-` read for it. Only a stand-in
 * is let through so: other values are judged as they were (`\-\-secret=my\-secret` by its `my`).
 */
const ROFF_HYPHENS = new RegExp(String.raw`(?:\\-${BARE_CHAR}*)+`, "y");

function isRoffReference(text: string, start: number, end: number): boolean {
  ROFF_HYPHENS.lastIndex = end;
  return ROFF_HYPHENS.test(text) && isStandIn(text.slice(start, ROFF_HYPHENS.lastIndex).replaceAll("\\-", "-"));
}

/**
 * A password's symbols a bare value stops at (`;` `,` `<` `>` `\`) with more of it after, to the
 * end of the word: `.env`'s `DB_PASSWORD=Xk9;pQ,2`. Not a connection string's next `Name=`, nor
 * code's `f(pw,x)` or `{pw,x}`, nor a statement's end (`password=x;` then a newline or a space), nor
 * the shell's next command (`PGPASSWORD=x;psql`, `;cd /tmp`: lowercase letters alone).
 */
const PUNCTUATED_MORE = /(?:(?:[,<>\\]|;(?![a-z]+(?:\s|$)))[^\s"'\x60=:;,<>\\(){}[\]]+)+(?=\s|$|;[a-z]+(?:\s|$))/y;

function punctuatedEnd(text: string, name: string, end: number): number {
  if (!PASSWORD_NAME.test(name)) return end;
  PUNCTUATED_MORE.lastIndex = end;
  return PUNCTUATED_MORE.test(text) ? PUNCTUATED_MORE.lastIndex : end;
}

/**
 * The shell's quoted pieces of one word, after a quoted value's closing quote: `TOKEN='abc'"def"'ghi'`,
 * `KEY="abc""def"`, and `'It'\''s'` (a single quote within single quotes). Each piece, one at a time.
 */
const SPLICED_PIECE = /'[^'\r\n]{0,1000}'|"(?:[^"\\\r\n]|\\[^\r\n]){0,1000}"|\\['"]/y;
/** How many pieces of a word are read after its first, at most. */
const SPLICED_MAX = 20;

/**
 * Where a quoted value ends (`end`, at its closing quote) with the quoted pieces spliced onto it
 * (SPLICED_PIECE): before the last piece's closing quote, so that the word's quotes around the
 * marker stay as its first ones did.
 */
function splicedEnd(text: string, end: number): number {
  const quote = text[end];
  if (quote !== '"' && quote !== "'") return end;
  let at = end + 1;
  let last = end;
  for (let n = 0; n < SPLICED_MAX; n++) {
    SPLICED_PIECE.lastIndex = at;
    const piece = SPLICED_PIECE.exec(text);
    if (!piece) break;
    at = SPLICED_PIECE.lastIndex;
    last = piece[0].startsWith("\\") ? at : at - 1;
  }
  return last;
}

/** An identifier or a member path, digits allowed after the first character (`pw`, `db_pass2`, `self.password`). */
const CODE_VALUE = /^[A-Za-z_$][\w$]{0,100}(?:\.[A-Za-z_$][\w$]{0,100}){0,10}$/;

/**
 * A variable as a dict's element or a call's argument (`env={'PGPASSWORD': pw}`,
 * `dict(os.environ, PGPASSWORD=self.password)`): inside a bracket opened earlier on its line, and
 * followed by the next element or the bracket's end. Not prose's "set DB_PASSWORD=hunter2x, then
 * …" (no bracket), nor a value shaped like a password.
 */
function isCodeElement(text: string, start: number, value: string, next: string | undefined): boolean {
  if ((next !== "," && next !== "}" && next !== ")") || !CODE_VALUE.test(value) || looksRandom(value)) return false;
  // Letters and digits alone (`hunter2x`) read as a password in prose's brackets: a variable has no digit, or a `.` or `_`.
  if (/\d/.test(value) && !/[._]/.test(value)) return false;
  // The line before the name, 200 characters at most: more brackets opened than closed.
  const from = Math.max(0, start - 200, text.lastIndexOf("\n", start - 1) + 1);
  let open = 0;
  for (let i = from; i < start; i++) {
    const c = text[i];
    if (c === "(" || c === "{") open++;
    else if ((c === ")" || c === "}") && open > 0) open--;
  }
  return open > 0;
}

/** An identifier or a member path before `->` (its `-`: the bare value stopped at the `>`). */
const MEMBER_BEFORE_ARROW = /^[A-Za-z_$][\w$]{0,100}(?:\.[A-Za-z_$][\w$]{0,100}){0,10}-$/;

/**
 * A field's description in a doc comment (gnutls' ` * @GNUTLS_SFLAGS_EXT_MASTER_SECRET: The extended
 * master secret …`): on a comment's line, a capitalised word or an acronym, then the sentence goes on.
 * A key or a token is no word; a password may be one, so never under a password's name.
 */
const DESCRIPTION_START = /^[A-Z][A-Za-z]*(?:-[A-Za-z0-9]+)*\d?$/;
const SENTENCE_GOES_ON = / [a-z]{2,}[ ,]+[a-z(]/y;
const COMMENT_LINE = /^[ \t]*(?:\*|\/\/|#)[ \t]*@?$/;

/**
 * Under a password's name, only a docstring's field: in its section, a word with its period, then the next sentence
 * (apitools' `password: Required. Input only. The password for…`, oauth2client's `private_key_password: String. Password
 * for PKCS12.`). A comment's line may tell a password (`# ADMIN_PASSWORD: Dragon for the dev box`).
 */
const NEXT_SENTENCE = / [A-Z][a-z]*[ .]/y;

function isDescription(text: string, start: number, name: string, value: string, after: number): boolean {
  const password = PASSWORD_NAME.test(name);
  const goesOn = password ? NEXT_SENTENCE : SENTENCE_GOES_ON;
  goesOn.lastIndex = after;
  if (!(password ? SENTENCE_START.test(value) : DESCRIPTION_START.test(value) && !looksRandom(value)) || !goesOn.test(text)) return false;
  const line = lineStart(text, start, 40);
  if (line === undefined) return false;
  const indent = text.slice(line, start);
  return (!password && COMMENT_LINE.test(indent)) || (INDENT.test(indent) && inDocSection(text, line, indent.length));
}

/**
 * A docstring's section of fields (Google's style, as apitools generates it: `Fields:` then
 * `    privateKey: Hardware-backed private key text …`, `Values:` then `      SECRET: This represents a secret.`):
 * the lines above, indented as deep or deeper, lead without a blank line up to the section's heading.
 */
const INDENT = /^[ \t]+$/;
const DOC_SECTION = /^[ \t]*(?:Fields|Values|Attributes|Args|Arguments|Parameters|Keyword Args|Enums):[ \t]*$/;
/** How many lines above a field its section's heading is looked for. */
const DOC_SECTION_LINES = 100;

function inDocSection(text: string, line: number, indent: number): boolean {
  let end = line - 1;
  for (let n = 0; n < DOC_SECTION_LINES && end > 0; n++) {
    const from = text.lastIndexOf("\n", end - 1) + 1;
    const above = text.slice(from, end).replace(/\r$/, "");
    const depth = above.length - above.trimStart().length;
    if (above.trim() === "") return false;
    if (depth < indent) return DOC_SECTION.test(above);
    end = from - 1;
  }
  return false;
}

/**
 * A record's format, its fields' names joined by colons (passwd(5)'s `name:passwd:uid:gid:gecos:dir:shell`,
 * group(5)'s `group_name:password:GID:user_list`): a field before the secret's name, and names of
 * letters alone after it.
 */
const FIELD_BEFORE = /[A-Za-z_]:$/;
const FIELD_NAMES = /^[A-Za-z_]+(?::[A-Za-z_]+)+$/;

function isRecordFormat(text: string, start: number, value: string): boolean {
  return FIELD_NAMES.test(value) && FIELD_BEFORE.test(text.slice(Math.max(0, start - 2), start));
}

/**
 * gopass's header above an entry it shows (`Secret: websites/github.com` then a blank line, then the entry): the
 * entry's name, a path of words, starting its line and ending it. What goes is the entry below (printed-secret.ts).
 */
const ENTRY_PATH = /^[\w.@+-]{1,100}(?:\/[\w.@+-]{1,100}){1,20}$/;

function isStoreHeader(text: string, start: number, name: string, value: string, end: number): boolean {
  if (name !== "Secret" || !ENTRY_PATH.test(value) || !WORDS_NAME.test(value.replace(/[@+]/g, "/")) || !endsLine(text, end)) return false;
  const line = lineStart(text, start, 40);
  return line !== undefined && /^[ \t]*$/.test(text.slice(line, start));
}

const NAME_CHAR = /[A-Za-z0-9_.-]/;
const NAME_MAX = 120;

/**
 * A name and its value with only a space between: fish's `set -gx NAME value` (its export: a
 * space where other shells have "="), `set NAME value` too, csh's `setenv NAME value` (Apache's `SetEnv`), Windows' `setx NAME value`, and a
 * Dockerfile's `ENV NAME value`, and PowerShell's `Set-Item Env:NAME value` (also `-Path Env:\NAME
 * -Value value`, `New-Item`).
 * A flag is no value (`gh secret set NAME --body …`). Said in prose, "set OPENAI_API_KEY to …": the value follows the "to", a
 * quoted one or a bare word with letters and digits ("set API_KEY to empty" is no value).
 */
const SPACED_BEFORE = /(?:^|[^A-Za-z0-9_.-])(?:set(?:[ \t]+-[A-Za-z]+)*|setx|setenv|SetEnv|ENV)[ \t]+$|(?:[Ss]et|[Nn]ew)-[Ii]tem[ \t]+(?:-[Pp]ath[ \t]+)?[Ee]nv:\\?$/;
const SPACED_NAME = /[A-Za-z0-9_]+/y;
const NEXT_WORD = /^[ \t][a-z]/;
const SPACED_VALUE = new RegExp(
  String.raw`(?:[ \t]+-[Vv]alue|[ \t]+(to)(?=[ \t]))?[ \t]+(?:${DOUBLE_QUOTED}|${SINGLE_QUOTED}|(?!-)([^\s"'\x60;&|<>(){}]{1,1000}))`,
  "dy",
);

/** The value of a `set` or `ENV` whose variable's name (at `start`) holds a secret. */
function spacedAssignment(text: string, start: number): Finding | undefined {
  if (!SPACED_BEFORE.test(text.slice(Math.max(0, start - 40), start))) return undefined;
  SPACED_NAME.lastIndex = start;
  const name = SPACED_NAME.exec(text)?.[0];
  if (name === undefined || !SECRET_KEY.test(name)) return undefined;
  SPACED_VALUE.lastIndex = start + name.length;
  const m = SPACED_VALUE.exec(text);
  const group = m?.[2] !== undefined ? 2 : m?.[3] !== undefined ? 3 : 4;
  const span = m?.indices?.[group];
  // A quoted value's authorization scheme stays (`--access-token "FlyV1 fm2_…"`).
  const scheme = group === 4 ? 0 : schemeLength(m?.[group] ?? "");
  if (!m || !span || !isAssignedSecret(name, (m[group] as string).slice(scheme), group !== 4, text[span[1]])) return undefined;
  // A plain word and more words after it: a sentence ("Failed to set PSK identity hint"), not a command.
  if (group === 4 && LOWER_WORD.test(m[4] as string) && NEXT_WORD.test(text.slice(span[1], span[1] + 2))) return undefined;
  if (m[1] !== undefined && group === 4 && !(HAS_DIGIT.test(m[4] as string) && HAS_LETTER.test(m[4] as string))) return undefined;
  return { start: span[0] + scheme, end: span[1], kind: "secret", ...widenedIfCut(m[group] as string) };
}

/**
 * Whether a value ending at `at` ends its line: a newline, the end of the text, or (in a title,
 * whose lines were joined and which may be cut, "…" read as a space) the next line's `key:`.
 */
const LINE_END = /[ \t]*(?:[\r\n]|$)|[ \t]+[A-Za-z0-9_.-]{1,60}:[ \t]/y;
function endsLine(text: string, at: number): boolean {
  LINE_END.lastIndex = at;
  return LINE_END.test(text);
}

/**
 * An operator and its operand after a bare value: C's enum of constants (nss' `SEC_ERROR_BAD_PASSWORD = SEC_ERROR_BASE + 15,`),
 * code's arithmetic, read as the element's end (CODE_AFTER) when it ends with the expression.
 */
const OPERATION = /[ \t]+(?:[-+*|&^]|<<|>>)[ \t]+[\w(]/y;

/** What follows a value, as isAssignedSecret reads it: a line's end, an operation (as `,`), or the next character. */
/** The credential after a scheme's name and its space (`FlyV1 fm2_…,fm2_…`: a bare value's characters). */
const SCHEME_CREDENTIAL = new RegExp(String.raw`[ \t]+(${BARE_CHAR}{1,${VALUE_MAX}})`, "dy");

function schemeCredential(text: string, at: number): [number, number] | undefined {
  SCHEME_CREDENTIAL.lastIndex = at;
  return SCHEME_CREDENTIAL.exec(text)?.indices?.[1];
}

function following(text: string, at: number): string | undefined {
  OPERATION.lastIndex = at;
  return endsLine(text, at) ? "\n" : OPERATION.test(text) ? "," : text[at];
}

/**
 * A name and a quoted value with only a space between, as Groovy calls a method without
 * parentheses: Gradle's `signingConfigs { release { storePassword "…" } }`; nginx's
 * `proxy_set_header X-Api-Key "…"`. The name must be one (`keyPassword`, `db_password`,
 * `X-Api-Key`), not prose's lone word.
 */
// Bounded like every name here: unbounded, a run of a keyword chained (`tokentoken…`) was walked to its end from each hit.
const CALLED_NAME = /[A-Za-z0-9_-]{0,100}?(?:[a-z0-9][A-Z]|[_-])[A-Za-z0-9_-]{0,100}/y;
const CALLED_VALUE = /[ \t]+(?:"((?:[^"\\\r\n]|\\[^\r\n]){1,1000})"|'([^'\r\n]{1,1000})')/dy;

/**
 * A shell variable expanded (`$INFLUX_TOKEN`, `${API_KEY}`): the quoted word after it is the next argument (a Flux or SQL
 * query), not its value; a secret only when it is one word drawn at random (`echo $DB_PASSWORD "Zx8Cv7Bn6Mq5"`).
 */
const EXPANDED = /\$\{?$/;
const ONE_WORD = /^[^\s()]{8,}$/;

function calledWithValue(text: string, start: number): Finding | undefined {
  const expanded = EXPANDED.test(text.slice(Math.max(0, start - 2), start));
  CALLED_NAME.lastIndex = start;
  const name = CALLED_NAME.exec(text)?.[0];
  if (name === undefined || !SECRET_KEY.test(name)) return undefined;
  CALLED_VALUE.lastIndex = start + name.length;
  const m = CALLED_VALUE.exec(text);
  const group = m?.[1] !== undefined ? 1 : 2;
  const span = m?.indices?.[group];
  // Its authorization scheme stays (`--access-token "FlyV1 fm2_…"`).
  const scheme = schemeLength(m?.[group] ?? "");
  const value = m?.[group]?.slice(scheme);
  if (!m || !span || value === undefined || !isAssignedSecret(name, value, true, undefined)) return undefined;
  if (expanded && !(ONE_WORD.test(value) && drawnAtRandom(value))) return undefined;
  return { start: span[0] + scheme, end: span[1], kind: "secret" };
}

/**
 * A name and its value as the two columns of a line, with spaces between: `vault kv get`'s
 * table (`api_key     …`), `heroku config` without its colon, a `.env` written with a space.
 * The name starts its line; the value ends it, shaped like a secret (letters with a digit or a
 * symbol), so a line of prose ("password changed") is none.
 */
const COLUMN_PAIR = /([A-Za-z][A-Za-z0-9_.-]{0,100})[ \t]+([^\s"'\x60(),;]{4,1000})[ \t]*(?=\r?\n|$)/dy;
const SECRET_SHAPED = /^(?=.*[A-Za-z])(?=.*[\d!#$%^&*+=?~@]).*$/;
/** A service's port and protocol, /etc/services' second column (`kpasswd  464/tcp`, as `getent services` prints it too). */
const PORT_PROTOCOL = /^\d{1,5}\/(?:tcp|udp|sctp|ddp)$/;
/** A time, the second column of a list of names (`gh secret list` piped: `DEPLOY_KEY⇥2025-11-02T10:00:00Z`, when it was updated). */
const TIMESTAMP = /^\d{4}-\d\d-\d\d(?:T[\d:.]{2,20}(?:Z|[+-]\d\d:?\d\d)?)?$/;

function columnPair(text: string, start: number): Finding | undefined {
  const line = lineStart(text, start, 40);
  if (line === undefined || !/^[ \t]*$/.test(text.slice(line, start))) return undefined;
  COLUMN_PAIR.lastIndex = start;
  const m = COLUMN_PAIR.exec(text);
  const span = m?.indices?.[2];
  const [name, value] = [m?.[1] ?? "", m?.[2] ?? ""];
  if (!m || !span || !SECRET_KEY.test(name) || !SECRET_SHAPED.test(value) || PORT_PROTOCOL.test(value) || TIMESTAMP.test(value) || !isAssignedSecret(name, value, false, "\n")) return undefined;
  return { start: span[0], end: span[1], kind: "secret" };
}

/**
 * An XML element named for a secret: `<password>...</password>` (Maven's settings.xml, .NET and Java
 * configs), or its `value` attribute (`<password value="..."/>`); a property list's `<key>API_TOKEN</key>` and the
 * `<string>…</string>` after it (an app's config plist, a launchd job's EnvironmentVariables); an element an attribute
 * names, its text the value (Java's XML properties: `<entry key="db.password">…</entry>`, `<param name="secret">…</param>`); an element
 * in a namespace (`<cfg:apiKey>…</cfg:apiKey>`).
 */
const XML_ELEMENT = /([A-Za-z0-9_.-]{1,100})(?:[ \t][^<>\r\n]{0,200})?>([^<\r\n]{1,1000})<\/\1>/dy;
const XML_VALUE = /([A-Za-z0-9_.-]{1,100})[ \t](?:[^<>\r\n]{0,200}?[ \t])?value[ \t]*=[ \t]*"([^"<>\r\n]{1,1000})"/dy;
const PLIST_STRING = /([A-Za-z0-9_.-]{1,100})<\/key>\s{0,200}<string>([^<\r\n]{1,1000})<\/string>/dy;
const NAMED_ELEMENT = /([A-Za-z0-9_.-]{1,100})"[^<>\r\n]{0,200}?(?<!\/)>([^<\r\n]{1,1000})<\//dy;
const NAMING_ATTRIBUTE = /[ \t](?:key|name)="$/;
/** An element's namespace prefix (`<cfg:apiKey>…</cfg:apiKey>`, a SOAP or Spring config's): the name after it is the element's. */
const XML_PREFIX = /<[A-Za-z][\w.-]{0,40}:$/;
const PREFIXED_ELEMENT = /([A-Za-z0-9_.-]{1,100})(?:[ \t][^<>\r\n]{0,200})?>([^<\r\n]{1,1000})<\/[A-Za-z][\w.-]{0,40}:\1>/dy;

function xmlElement(text: string, start: number): Finding | undefined {
  const before = text.slice(Math.max(0, start - 7), start);
  const form =
    before.endsWith("<key>") ? PLIST_STRING
    : NAMING_ATTRIBUTE.test(before) ? NAMED_ELEMENT
    : text[start - 1] === "<" ? XML_ELEMENT
    : text[start - 1] === ":" && XML_PREFIX.test(text.slice(Math.max(0, start - 43), start)) ? PREFIXED_ELEMENT
    : undefined;
  if (form === undefined) return undefined;
  form.lastIndex = start;
  XML_VALUE.lastIndex = start;
  const m = form.exec(text) ?? (form === XML_ELEMENT ? XML_VALUE.exec(text) : null);
  const span = m?.indices?.[2];
  if (!m || !span || !SECRET_KEY.test(m[1] as string) || !isAssignedSecret(m[1] as string, m[2] as string, true, undefined)) return undefined;
  return { start: span[0], end: span[1], kind: "secret" };
}

/**
 * A password in SQL: `CREATE ROLE app WITH LOGIN PASSWORD '...'`, `ALTER USER app PASSWORD '...'`,
 * `IDENTIFIED BY '...'` (also `IDENTIFIED WITH plugin BY`; Oracle's `IDENTIFIED BY "..."` and bare `IDENTIFIED BY tiger`). A statement's words before
 * `PASSWORD`: not prose's `reset your password 'now'`.
 */
const SQL_PASSWORD = /(?:(?<=(?:(?:create|alter)[ \t]+(?:role|user)[ \t][^;'\r\n]{0,300}|with|encrypted)[ \t]+)password[ \t]+'([^'\r\n]{1,1000})'|identified[ \t]+(?:with[ \t]+[A-Za-z0-9_]+[ \t]+)?by[ \t]+(?:'([^'\r\n]{1,1000})'|"([^"\r\n]{1,1000})"|([^\s'";]{1,1000})))/diy;

const SQL_NOT_LITERAL = /^(?:values|password)$|^[:@&$?]/i;
const SQL_USER_STATEMENT = /(?:create|alter)[ \t]+user[ \t]/i;

function sqlPassword(text: string, start: number): Finding | undefined {
  SQL_PASSWORD.lastIndex = start;
  const m = SQL_PASSWORD.exec(text);
  const group = [1, 2, 3, 4].find((g) => m?.[g] !== undefined) ?? 1;
  const span = m?.indices?.[group];
  // Bare (Oracle's `IDENTIFIED BY tiger`), a literal too; not a keyword (`BY VALUES '…'`) or a bind variable (`:pw`, `@pw`, `&pw`).
  if (!m || !span || (group === 4 && SQL_NOT_LITERAL.test(m[4] as string)) || !isAssignedSecret("password", m[group] as string, true, undefined)) return undefined;
  // Prose says "identified by its hash", "identified by \`start\`": unquoted or double-quoted, only in a user's statement.
  if (group >= 3 && !SQL_USER_STATEMENT.test(text.slice(Math.max(0, start - 300), start).split("\n").pop() as string)) return undefined;
  return { start: span[0], end: span[1], kind: "password" };
}

/** How many lines of a YAML block scalar under a secret's name are taken, at most. */
const BLOCK_LINES = 50;

/**
 * A YAML block scalar under a secret's name: `password: |` (or `>-`) and the value on the lines
 * below, indented deeper than the name. Each of those lines goes.
 */
function blockScalar(text: string, nameStart: number, from: number, out: Finding[]): void {
  // The name's column, 200 characters at most.
  const line = lineStart(text, nameStart, 200);
  if (line === undefined) return;
  const indent = nameStart - line;
  let at = text.indexOf("\n", from);
  for (let n = 0; at !== -1 && n < BLOCK_LINES; n++) {
    const next = text.indexOf("\n", at + 1);
    const line = text.slice(at + 1, next === -1 ? text.length : next);
    const content = line.trim();
    const lead = line.length - line.trimStart().length;
    if (content !== "" && lead <= indent) return;
    if (content !== "" && !isStandIn(content)) out.push({ start: at + 1 + lead, end: at + 1 + lead + content.length, kind: "secret" });
    at = next;
  }
}

/**
 * A PowerShell here-string assigned to a secret's name: `$password = @"` (or `@'`) ending its line,
 * the value on the lines below, up to `"@` (`'@`) at the start of a line. Read as a bare `@` by
 * ASSIGNMENT; the lines between go whole, judged as a quoted value (`$env:X` alone stays).
 */
const HERE_STRING_OPEN = /["'][ \t]*\r?\n/y;
/** How far below its opening a here-string's end is looked for. */
const HERE_STRING_MAX = 8192;

/**
 * Where the next `\n"@` (or `\n'@`) at or after a position is: found once and kept while the hits
 * move forward, so that many openings without an end cost one search, not one each.
 */
class HereStringEnds {
  private readonly next = new Map<string, { from: number; at: number }>();
  constructor(private readonly text: string) {}
  find(close: string, from: number): number {
    const known = this.next.get(close);
    if (known && known.from <= from && (known.at === -1 || known.at >= from)) return known.at;
    const at = this.text.indexOf(close, from);
    this.next.set(close, { from, at });
    return at;
  }
}

function hereString(text: string, name: string, from: number, ends: HereStringEnds): Finding | undefined {
  HERE_STRING_OPEN.lastIndex = from;
  if (!HERE_STRING_OPEN.test(text)) return undefined;
  const start = HERE_STRING_OPEN.lastIndex;
  const close = ends.find(`\n${text[from]}@`, start - 1);
  if (close === -1 || close - start > HERE_STRING_MAX) return undefined;
  const end = text[close - 1] === "\r" ? close - 1 : close;
  if (end <= start || !isAssignedSecret(name, text.slice(start, end).trim(), true, undefined)) return undefined;
  return { start, end, kind: "secret" };
}

/**
 * An ODBC connection string's value in braces, as drivers take one holding `;` or `}` (doubled):
 * `Driver={ODBC Driver 18};UID=sa;PWD={Xk9;pQ}}2}`, `Password={…};`. The name starts the string or
 * follows its `;`; a braced value anywhere else is code (JSX's `password={pw}`), and a variable in
 * braces is one here too (an f-string's `;PWD={password}`, `{{` escaping a brace, JSX's `apiKey={apiKeyFromEnv2}`
 * at a line's start).
 */
const BRACED_VALUE = /([A-Za-z][A-Za-z0-9 _]{0,40}?)[ \t]*=[ \t]*\{(?!\{)((?:[^}\r\n]|\}\}){1,1000})\}/dy;

function bracedValue(text: string, start: number): Finding | undefined {
  if (start > 0 && !/[;"'\n]/.test(text.charAt(start - 1))) return undefined;
  BRACED_VALUE.lastIndex = start;
  const m = BRACED_VALUE.exec(text);
  const span = m?.indices?.[2];
  const [name, value] = [m?.[1] ?? "", m?.[2] ?? ""];
  if (!m || !span || !SECRET_KEY.test(name) || (CODE_VALUE.test(value) && (!looksRandom(value) || WORDS_NAME.test(value))) || !isAssignedSecret(name, value, true, undefined)) return undefined;
  return { start: span[0], end: span[1], kind: "secret" };
}

/**
 * Where a secret's name is no name assigned to: the shell's `${DB_PASSWORD:?must be set}` (the
 * text after `:` is a message), an ARN's `…:secret:prod/db/password` (a path to a secret).
 */
function notAName(text: string, start: number): boolean {
  if (text[start - 1] === "{" && text[start - 2] === "$") return true;
  return text[start - 1] === ":" && insideArn(text, start);
}

/**
 * An environment line whose value starts with `=` (`DB_PASSWORD==Xk9…`, as a generator may make
 * one): ASSIGNMENT reads `==` as a comparison, which after a SCREAMING_NAME at a line's start
 * (`export`, a file's line number, a list's `- ` or a JSON string's quote aside: `docker inspect`'s
 * `"Env"`) it is not.
 */
const EQUALS_FIRST = /([A-Z][A-Z0-9_]{0,100})=(=[^\s"'\x60]{3,1000})/dy;
const LINE_HEAD = /^[ \t]*(?:\d{1,7}(?:\t|→)[ \t]*)?(?:export[ \t]+|-[ \t]+|")?$/;

function equalsFirst(text: string, start: number): Finding | undefined {
  const line = lineStart(text, start, 40);
  if (line === undefined || !LINE_HEAD.test(text.slice(line, start))) return undefined;
  EQUALS_FIRST.lastIndex = start;
  const m = EQUALS_FIRST.exec(text);
  const span = m?.indices?.[2];
  if (!m || !span || !SECRET_KEY.test(m[1] as string) || !isAssignedSecret(m[1] as string, m[2] as string, false, text[span[1]])) return undefined;
  return { start: span[0], end: span[1], kind: "secret" };
}

/** The escaped start of a name before `start`, as a man page writes a flag (`\-\-pvk\-password`: the name read is `-password`). */
const ESCAPED_NAME_START = /(?:[A-Za-z0-9_-]*\\)+$/;
/** Only a flag's: a constant's own name after "my" (`SECRET_KEY = 'my_secret_key'`) is a secret someone made of words. */
function isEscapedFlagStandIn(text: string, start: number, name: string, value: string): boolean {
  const escaped = ESCAPED_NAME_START.exec(text.slice(Math.max(0, start - 40), start))?.[0];
  return escaped !== undefined && isOwnOptionStandIn(escaped + name, value);
}

export const assignmentDetector: Detector = {
  // A personal access token's name (`AZURE_DEVOPS_EXT_PAT`, `GITHUB_PAT`) by what follows it: "pat" alone starts every path.
  keywords: ["pass", "pw", "psw", "psk", "mdp", "secret", "token", "key", "pat=", "pat:", 'pat"', "auth", "credential", "creds", "identified", "mnemonic", "seed", "salt", "hmac", "totp", "signature", "contrase", "senha", "wachtwoord", "kennwort", "ifre", "haslo", "geheimnis", "segreto", "parol", "pepper", "answer", "op_session_", "x-honeycomb-team", ...KEY_LABELS],
  find(text: string, hits: Hits, out: Finding[]): void {
    let tried = -1;
    let done = 0;
    let ends: HereStringEnds | undefined;
    for (let i = 0; i < hits.length; i += 2) {
      // where the name holding this keyword starts
      let start = hits[i] as number;
      const limit = Math.max(0, start - NAME_MAX);
      while (start > limit && NAME_CHAR.test(text.charAt(start - 1))) start--;
      if (start === tried || start < done || notAName(text, start)) continue;
      tried = start;
      ASSIGNMENT.lastIndex = start;
      const m = ASSIGNMENT.exec(text);
      if (m === null) {
        const other =
          spacedAssignment(text, start) ??
          calledWithValue(text, start) ??
          columnPair(text, start) ??
          xmlElement(text, start) ??
          sqlPassword(text, start) ??
          equalsFirst(text, start) ??
          bracedValue(text, start);
        if (other) out.push(other);
        continue;
      }
      const [match, name, , , double, escaped, single, bare, code] = m;
      const value = double ?? escaped ?? single ?? bare ?? code;
      // A long flag (`--secret=…`) is the command-line rule's, which knows a flag's values.
      if (name === undefined || value === undefined || name.startsWith("--")) continue;
      const group = double !== undefined ? 4 : escaped !== undefined ? 5 : single !== undefined ? 6 : bare !== undefined ? 7 : 8;
      const span = m.indices?.[group];
      if (!span) continue;
      // A label inside a string (a prompt: `getpass("Password: ").strip()`, a pattern anchored at a line's start: `grep '^DB_PASSWORD=' .env`):
      // the quote after it closes that string, opening no value.
      const opening = text[start - 1] === "^" ? text[start - 2] : text[start - 1];
      if ((double !== undefined || single !== undefined) && !m[2] && opening === text[span[0] - 1]) continue;
      if (bare !== undefined && YAML_BLOCK.test(bare) && STRONG_NAME.test(name.replace(NAME_SUFFIX, ""))) {
        blockScalar(text, start, span[1], out);
        continue;
      }
      if (bare === "@") {
        ends ??= new HereStringEnds(text);
        const here = hereString(text, name, span[1], ends);
        if (here) out.push(here);
        done = Math.max(done, here?.end ?? 0);
        continue;
      }
      // C's and PHP's member access (`_M_token = __it->second;`): a bare value stops at `>`, leaving `__it-`.
      if (bare !== undefined && ((text[span[1]] === ">" && MEMBER_BEFORE_ARROW.test(bare)) || isRecordFormat(text, start, bare) || isStoreHeader(text, start, name, bare, span[1]))) continue;
      const end = bare === undefined ? span[1] : quotedWordEnd(text, start, punctuatedEnd(text, name, bareEnd(text, bare, span[1])), m[2], m[3]);
      if (bare !== undefined && isRoffReference(text, span[0], end)) continue;
      const after = end === span[1] ? start + match.length : end;
      if (bare !== undefined && end === span[1] && (isCodeElement(text, start, bare, text[after]) || isDescription(text, start, name, bare, after))) continue;
      // A YAML alias (`*name`) only after a colon: `.env`'s `REDIS_PASSWORD=*iXal…` starts with the password's `*`.
      const assigned = text.slice(span[0], end);
      // An authorization scheme before its credential (`deploy token: FlyV1 fm2_…`): the scheme stays, the credential is judged.
      const credential = bare !== undefined && SCHEME_ONLY.test(assigned) ? schemeCredential(text, end) : undefined;
      // A scheme's name alone in quotes (`token: "FlyV1"`, a doc's header template) is no credential.
      if (bare === undefined && SCHEME_ONLY.test(assigned)) continue;
      if (credential) {
        const [from, to] = credential;
        if (isAssignedSecret(name, text.slice(from, to), false, following(text, to))) out.push({ start: from, end: to, kind: "secret" });
        done = Math.max(start + match.length, to);
        continue;
      }
      // The same scheme inside the quotes (`token: "FlyV1 fm2_…"`, `FLY_API_TOKEN='FlyV1 …'`): it stays, what follows it is judged.
      const scheme = bare === undefined && code === undefined ? schemeLength(assigned) : 0;
      const judged = assigned.startsWith("*") && !m[3]?.includes(":") ? assigned.slice(1) : assigned.slice(scheme);
      if (!isAssignedSecret(name, judged, bare === undefined, following(text, after)) || isEscapedFlagStandIn(text, start, name, judged)) continue;
      // The shell's next quoted pieces of the word go with it (judged by its first: `'Xk9'"$SUFFIX"`).
      const whole = double !== undefined || single !== undefined ? splicedEnd(text, end) : end;
      out.push({ start: span[0] + scheme, end: whole, kind: "secret", ...widenedIfCut(code === undefined ? value : "") });
      done = Math.max(start + match.length, whole);
    }
  },
};
