import type { Detector, Finding, Hits } from "../detectors.ts";
import { PASSWORD_NAME, SECRET_KEY, isAssignedSecret } from "./assignment.ts";
import { drawnAtRandom } from "./handed-key.ts";
import { looksLikeStrongPassword } from "./prose-secret.ts";

/**
 * A secret passed to a call as a string literal. Only literals: `login(user, password)` passes
 * variables; and only one word: a literal with spaces is documentation's (`createHmac('sha256',
 * 'a secret')`), as is a stand-in (assignment.ts isAssignedSecret).
 */
/** A string literal; one still open at the end of the text closes there (a cut title: what is left of the secret goes). */
export const LITERAL = String.raw`(?:"((?:[^"\\\r\n]|\\[^\r\n]){1,500})(?:"|$)|'((?:[^'\\\r\n]|\\[^\r\n]){1,500})(?:'|$))`;
const ANY_LITERAL = String.raw`(?:"(?:[^"\\\r\n]|\\[^\r\n]){0,500}"|'(?:[^'\\\r\n]|\\[^\r\n]){0,500}')`;
const SEP = String.raw`[ \t]*,[ \t]*`;
/** An object or an array written in a call, on one line, one level nested (`{"user": {"id": 1}, "iat": 2}`). */
const BRACED = String.raw`[ \t]*(?:\{(?:[^{}\r\n]|\{[^{}\r\n]{0,200}\}){0,300}\}|\[(?:[^[\]\r\n]|\[[^[\]\r\n]{0,200}\]){0,300}\])`;
/** A receiver before the call's name: `sgMail.`, `self.client.`, or a chained call's dot (`client.get(url).bearer_auth(…)`, on its own line too). */
const RECEIVER = String.raw`\.?(?:[\w$]{1,60}\.){0,4}`;

/** Twilio's client as each language makes it (`twilio(`, `Twilio.init(`, `TwilioClient.Init(`, `Twilio::REST::Client.new(`, `require('twilio')(`). */
const TWILIO_CALL = String.raw`(?:twilio(?:client)?(?:\.init|::REST::Client\.new)?|twilio["'][ \t]*\))`;

interface CallRule {
  /** Where it may apply (lowercase): only these keywords' words are tried, so a frequent word such as `type` costs one rule. */
  keywords: string[];
  /** Sticky, from the start of the word holding a keyword; the literal is its last two groups ("double" or 'single'). */
  pattern: RegExp;
  /** What the literal is: a password, or a key or token. */
  kind: "password" | "secret";
  /** The name its value is judged under (isAssignedSecret), when not the kind's: a named group `name` of the pattern wins. */
  name?: string;
  /** A shape the value must have besides, where the call says less of it. */
  shape?: (value: string) => boolean;
}

const rule = (keywords: string[], source: string, kind: CallRule["kind"], name?: string, shape?: CallRule["shape"]): CallRule => ({
  keywords,
  pattern: new RegExp(source, "diy"),
  kind,
  ...(name ? { name } : {}),
  ...(shape ? { shape } : {}),
});

const RULES: CallRule[] = [
  // After the user's: `HTTPBasicAuth("admin", "…")`, requests' `auth=("admin", "…")`, `SetBasicAuth`, `new NetworkCredential("admin", "…")`,
  // `smtp.login("me@example.com", "…")`, any `…Credentials("user", "…")` (`withCredentials`, `new AWS.Credentials(id, secret)`), reqwest's
  // `.basic_auth("admin", Some("…"))`.
  rule(
    ["auth", "credential", "login"],
    String.raw`[\w$.]{0,60}?(?:(?:HTTPBasicAuth|HTTPDigestAuth|Basic_?Auth|SetBasicAuth|NetworkCredential|UsernamePasswordCredentials|PlainCredentials|PasswordAuthentication|Credentials|login)[ \t]*\(|auth[ \t]*=[ \t]*[([])[ \t]*${ANY_LITERAL}${SEP}(?:Some[ \t]*\([ \t]*)?${LITERAL}`,
    "password",
  ),
  // The same calls with the user in a variable (`server.login(user, "…")`): any call's first argument may be one, so a strong password's shape only.
  rule(
    ["auth", "credential", "login"],
    String.raw`[\w$.]{0,60}?(?:(?:HTTPBasicAuth|HTTPDigestAuth|BasicAuth|SetBasicAuth|NetworkCredential|UsernamePasswordCredentials|PlainCredentials|PasswordAuthentication|Credentials|login)[ \t]*\(|auth[ \t]*=[ \t]*[([])[ \t]*[A-Za-z_$][\w$.]{0,60}(?:\[[^\]\r\n]{1,60}\])?${SEP}${LITERAL}`,
    "password",
    undefined,
    looksLikeStrongPassword,
  ),
  // sbt's `credentials += Credentials("realm", "host", "user", "…")` (the user in a variable or `sys.env("USER")` too): the fourth is the password.
  rule(
    ["credential"],
    String.raw`[\w$.]{0,60}?Credentials[ \t]*\([ \t]*${ANY_LITERAL}${SEP}${ANY_LITERAL}${SEP}(?:${ANY_LITERAL}|[A-Za-z_$][\w$.]{0,60}(?:\([^()\r\n]{0,100}\))?)${SEP}${LITERAL}[ \t]*\)`,
    "password",
  ),
  // A client's auth call, the password its last argument: Redis' `client.auth('…')`, Jedis' `jedis.auth("…")`, PHP's `$redis->auth('…')`,
  // MongoDB's `db.auth("app", "…")`. Middleware is called so too (`auth('admin')`, `auth("jwt")`): a strong password's shape only.
  rule(["auth"], String.raw`${RECEIVER}auth[ \t]*\([ \t]*(?:${ANY_LITERAL}${SEP})?${LITERAL}[ \t]*\)`, "password", undefined, looksLikeStrongPassword),
  // A bot's token as a login's only argument (discord.js' `client.login('…')`): a random-looking one.
  rule(["login"], String.raw`${RECEIVER}login[ \t]*\([ \t]*${LITERAL}[ \t]*\)`, "secret", "login"),
  // An environment variable or constant named for a secret, set in code: PHP's `define('DB_PASSWORD', '…')`, `putenv`, C's `setenv`,
  // Java's `System.setProperty("db.password", "…")`, .NET's `SetEnvironmentVariable`, Python's `os.environ.setdefault`.
  rule(
    ["define", "setenv", "putenv", "setproperty", "setenvironmentvariable", "setdefault"],
    String.raw`${RECEIVER}(?:define|setenv|putenv|setProperty|SetEnvironmentVariable|setdefault)[ \t]*\([ \t]*["'](?<name>[\w.-]{1,80})["']${SEP}${LITERAL}`,
    "secret",
  ),
  // Terraform's `variable "db_password" { default = "…" }`.
  rule(["variable"], String.raw`variable[ \t]+"(?<name>[\w-]{1,80})"[ \t]*\{[^{}]{0,300}?\bdefault[ \t]*=[ \t]*${LITERAL}`, "secret"),
  // Twilio's `Client("AC…", "<auth token>")`, node's `twilio("AC…", …)`, `require('twilio')(…)` and `new Twilio("AC…", …)`, Java's
  // `Twilio.init(…)`, C#'s `TwilioClient.Init(…)`, Ruby's `Twilio::REST::Client.new(…)`: the account's SID, then its token;
  // with the SID in a variable (`twilio(accountSid, "…")`, `Client(account_sid, "…")`: any client's, a variable named for the SID), a
  // token's shape: 32 letters and digits (hex for an auth token).
  rule(["client", "twilio"], String.raw`${RECEIVER}(?:Client|${TWILIO_CALL})[ \t]*\([ \t]*["']AC[0-9a-fA-F]{32}["']${SEP}${LITERAL}`, "secret", "twilio"),
  rule(
    ["client", "twilio"],
    String.raw`${RECEIVER}(?:${TWILIO_CALL}[ \t]*\([ \t]*[A-Za-z_$][\w$.]{0,60}(?:\[[^\]\r\n]{1,60}\])?|Client[ \t]*\([ \t]*[A-Za-z_$][\w$.]{0,60}sid)${SEP}${LITERAL}`,
    "secret",
    "twilio",
    (value) => /^[A-Za-z0-9]{32}$/.test(value) && /\d/.test(value) && /[a-z]/i.test(value),
  ),
  // Algolia's `algoliasearch("APP_ID", "<key>")` (also `SearchClient.create`, `searchClient`): the application's id, then its key.
  rule(
    ["algoliasearch", "searchclient"],
    String.raw`${RECEIVER}(?:algoliasearch|SearchClient\.create|searchClient)[ \t]*\([ \t]*["'][A-Z0-9]{10}["']${SEP}${LITERAL}`,
    "secret",
    "algolia",
  ),
  // PowerShell's `ConvertTo-SecureString "…" -AsPlainText`: the literal is a password in clear; the switch may come first
  // (`ConvertTo-SecureString -AsPlainText "…" -Force`, `-AsPlainText -Force -String "…"`).
  rule(
    ["convertto-securestring"],
    String.raw`ConvertTo-SecureString(?=[^\r\n]{0,600}?[ \t]-AsPlainText)[ \t]+(?:-AsPlainText[ \t]+)?(?:-Force[ \t]+)?(?:-String[ \t]+)?${LITERAL}`,
    "password",
  ),
  // After a database (or a host) and a user: `new Sequelize("app", "root", "…")`, `DriverManager.getConnection(url, "sa", "…")`,
  // PHP's `mysqli_connect("localhost", "root", "…")` and `new PDO($dsn, "root", "…")`, Python's `ftplib.FTP(host, "user", "…")`,
  // and MySQL's older Python drivers by position (`pymysql.connect("localhost", "root", "…", "shop")`, `MySQLdb.connect(…)`).
  rule(
    ["sequelize", "getconnection", "mysql_connect", "mysqli", "pdo", "ftp", "pymysql", "mysqldb"],
    String.raw`[\w$.]{0,60}?(?:Sequelize|getConnection|mysqli?_connect|mysqli|PDO|FTP(?:_TLS)?|(?:pymysql|MySQLdb)\.connect)[ \t]*\([ \t]*(?:${ANY_LITERAL}|[A-Za-z_$][\w$.]{0,60})${SEP}${ANY_LITERAL}${SEP}${LITERAL}`,
    "password",
  ),
  // SSH with the arguments by position: paramiko's `client.connect(host, 22, "root", "…")` (hostname, port, username, password).
  // A port in digits and a quoted user: not a socket's `connect(host, 80)` or another call's.
  rule(
    ["connect"],
    String.raw`${RECEIVER}connect[ \t]*\([ \t]*(?:${ANY_LITERAL}|[A-Za-z_$][\w$.]{0,60})${SEP}\d{1,5}${SEP}${ANY_LITERAL}${SEP}${LITERAL}`,
    "password",
  ),
  // Django's `User.objects.create_user("bob", "bob@example.com", "…")` and `create_superuser(…)`: the password is the third argument.
  rule(
    ["create_user", "create_superuser"],
    String.raw`${RECEIVER}create_(?:super)?user[ \t]*\([ \t]*${ANY_LITERAL}${SEP}(?:${ANY_LITERAL}|None)${SEP}${LITERAL}`,
    "password",
  ),
  // A password kept in the system's keychain: Python's `keyring.set_password("service", "user", "…")`, node's `keytar.setPassword(…)`.
  // MongoDB's `db.changeUserPassword("app", "…")`.
  rule(["changeuserpassword"], String.raw`${RECEIVER}changeUserPassword[ \t]*\([ \t]*${ANY_LITERAL}${SEP}${LITERAL}`, "password"),
  rule(["set_password", "setpassword"], String.raw`${RECEIVER}set_?password[ \t]*\([ \t]*${ANY_LITERAL}${SEP}${ANY_LITERAL}${SEP}${LITERAL}`, "password"),
  // A setter or builder named for the secret, its only argument: `setPassword("…")`, `sgMail.setApiKey("…")`, `.withToken("…")`, `.password("…")`,
  // reqwest's `.bearer_auth("…")` (`bearerAuth`, `BearerAuth`).
  rule(
    ["pass", "key", "secret", "token", "bearer"],
    String.raw`${RECEIVER}(?:set|with|use)?_?(?:pass(?:word|wd|phrase)|(?:api|secret|access|private|client)_?key|(?:client_?)?secret|(?:access|auth|api|bearer|refresh)?_?token|bearer_?auth)[ \t]*\([ \t]*${LITERAL}[ \t]*(?:\)|$)`,
    "secret",
  ),
  // An SDK's client made with its key as the first argument (`cohere.Client("…")`, `DeepgramClient("…")`, `new ApifyClient("…")` in old
  // versions): a client's argument is a URL, a region or a name as often, so a key drawn at random only (20 characters or more).
  rule(["client"], String.raw`${RECEIVER}(?:[A-Z][A-Za-z0-9]{0,40})?Client[ \t]*\([ \t]*${LITERAL}[ \t]*[,)]`, "secret", "api_key", (value) => value.length >= 20 && drawnAtRandom(value)),
  // An API key wrapped for an SDK: Azure's `new AzureKeyCredential("…")` (OpenAI, AI Search, Form Recognizer…) and `AzureSasCredential("…")`,
  // the OpenAI .NET SDK's `new ApiKeyCredential("…")`.
  rule(["keycredential", "sascredential"], String.raw`${RECEIVER}(?:AzureKeyCredential|ApiKeyCredential|AzureSasCredential)[ \t]*\([ \t]*${LITERAL}[ \t]*\)`, "secret", "api_key"),
  // A signing key: `jwt.sign(payload, "…")`, `jwt.encode(claims, '…', algorithm="HS256")`, `crypto.createHmac("sha256", "…")`. The
  // payload may be written in the call, its commas inside braces (`jwt.encode({"sub": "1234567890", "iat": 1371720939}, "…")`: its
  // second claim's name was taken for the key, and the key left).
  rule(["jwt"], String.raw`${RECEIVER}(?:jwt|jsonwebtoken)\.(?:sign|verify|encode|decode)[ \t]*\((?:${BRACED}|[^,()\r\n]{1,200})${SEP}${LITERAL}`, "secret"),
  rule(["hmac"], String.raw`${RECEIVER}createHmac[ \t]*\([ \t]*${ANY_LITERAL}${SEP}${LITERAL}`, "secret"),
  // A wallet's private key: `new ethers.Wallet("0x…", provider)`, viem's `privateKeyToAccount("0x…")`, web3.py's and eth_account's
  // `Account.from_key("0x…")`, Solana's `Keypair.fromSecretKey(bs58.decode("…"))` (solders' `Keypair.from_base58_string("…")`), Hardhat's `accounts: ["0x…"]`.
  rule(
    ["wallet", "privatekeytoaccount", "from_key", "fromsecretkey", "from_base58_string"],
    String.raw`${RECEIVER}(?:Wallet|privateKeyToAccount|from_key|fromSecretKey|from_base58_string)[ \t]*\([ \t]*(?:(?:bs58|base58)\.decode[ \t]*\([ \t]*)?${LITERAL}`,
    "secret",
  ),
  rule(["accounts"], String.raw`accounts[ \t]*:[ \t]*\[[ \t]*(?=["']0x[0-9a-fA-F]{64}["'])${LITERAL}`, "secret"),
  // A password typed into a form by test code: `page.fill('#password', '…')`, `page.type('input[name="password"]', '…')`.
  rule(["fill", "type"], String.raw`${RECEIVER}(?:fill|type)[ \t]*\([ \t]*(["'])(?:(?!\1)[^\r\n]){0,80}?passw(?:(?!\1)[^\r\n]){0,80}\1${SEP}${LITERAL}`, "password"),
  // …and after the field is found: `getByLabel('Password').fill('…')`, `cy.get('#password').type('…')`, Selenium's `.send_keys("…")`.
  rule(["pass"], String.raw`passw[^\r\n]{0,80}?\)[ \t]*\.(?:fill|type|send_keys|sendKeys|setValue)[ \t]*\([ \t]*${LITERAL}`, "password"),
];

/**
 * A salt or key made of every printable character, spaces too, as WordPress' generator makes its
 * `define('AUTH_KEY', '…')` lines: 32 characters or more, with digits, both cases and a symbol in
 * six or more. A literal with spaces is otherwise prose (`'put your unique phrase here'`, "Set it in the panel: v2 (see docs)!").
 */
const SALT_SYMBOLS = /[^\w\s]/g;
const saltShaped = (value: string) =>
  value.length >= 32 && /\d/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && (value.match(SALT_SYMBOLS)?.length ?? 0) >= value.length / 6;

/** WordPress' salts, secrets beside its keys in wp-config.php, with no secret's word in their names. */
const WORDPRESS_SALT = /^(?:SECURE_)?(?:AUTH|LOGGED_IN|NONCE)_SALT$/;

/** For each keyword, the rules it wakes. */
const RULES_BY_KEYWORD = new Map<string, CallRule[]>();
for (const r of RULES) for (const k of r.keywords) RULES_BY_KEYWORD.set(k, [...(RULES_BY_KEYWORD.get(k) ?? []), r]);

export const credentialCallDetector: Detector = {
  keywords: [...RULES_BY_KEYWORD.keys()],
  find(text: string, hits: Hits, out: Finding[]): void {
    const tried = new Map<CallRule, number>();
    for (let i = 0; i < hits.length; i += 2) {
      const rules = RULES_BY_KEYWORD.get(text.slice(hits[i] as number, hits[i + 1] as number).toLowerCase());
      if (!rules) continue;
      // From the start of the word holding the keyword: the call's name may start before it (`HTTPBasicAuth`, `smtp.login`).
      let start = hits[i] as number;
      const limit = Math.max(0, start - 60);
      while (start > limit && /[\w$.]/.test(text.charAt(start - 1))) start--;
      for (const r of rules) {
        if (tried.get(r) === start) continue;
        tried.set(r, start);
        r.pattern.lastIndex = start;
        const m = r.pattern.exec(text);
        if (!m) continue;
        const group = m[m.length - 2] !== undefined ? m.length - 2 : m.length - 1;
        const span = m.indices?.[group];
        const value = m[group] as string;
        const salt = m.groups?.name !== undefined && WORDPRESS_SALT.test(m.groups.name);
        const name = salt ? "secret" : (m.groups?.name ?? r.name ?? r.kind);
        if (m.groups?.name !== undefined && !SECRET_KEY.test(name)) continue;
        const kind = m.groups?.name !== undefined && PASSWORD_NAME.test(name) ? "password" : r.kind;
        if (span && (!/\s/.test(value) || (m.groups?.name !== undefined && saltShaped(value))) && (r.shape?.(value) ?? true) && isAssignedSecret(name, value, true, undefined)) out.push({ start: span[0], end: span[1], kind });
      }
    }
  },
};
