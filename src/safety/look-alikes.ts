import { MARKER_ONLY } from "./marker.ts";

/**
 * Values that look like a secret's place but are not a secret: references to one (`$TOKEN`),
 * documentation stand-ins (`your-api-key-here`), our own markers. Every rule asks these before
 * redacting, so ordinary code and docs stay readable.
 */

export const HAS_DIGIT = /\d/;
export const HAS_LETTER = /[A-Za-z]/;
const HAS_SPACE = /\s/;

/**
 * Values that only point at a secret: `$TOKEN`, `${X}`, `$(cmd)`, `%X%`, `{{ secrets.X }}` (after an auth scheme too, as
 * a workflow sets a header's value: `GEM_HOST_API_KEY: "Bearer ${{secrets.GITHUB_TOKEN}}"`), a
 * format's directive that a program fills in (`password:%s`, `%(password)s`, Ruby's `%{password}`), a server's variable (Apache's
 * `RequestHeader set X-Api-Key "%{API_KEY}e"`, the environment's; `%{HTTP:X-Token}`), or a secret's name in
 * Google's Secret Manager (`--sasl-password=projects/12345/secrets/my-sasl-secret/versions/1`), or a Kubernetes secret's key as
 * `kubectl describe pod` shows a variable taken from it (`DB_PASSWORD:  <set to the key 'password' in secret 'db'>  Optional: false`).
 */
const REFERENCE =
  /^(?:(?:[Bb]earer|[Bb]asic|[Tt]oken)[ \t]+(?=[$%{]))?(?:\$[{(A-Za-z_]|%[A-Za-z_]\w*%$|%(?:\([A-Za-z_]\w*\))?[-+ #0]?\d*(?:\.\d+)?[sdvqr]$|%\{[A-Za-z_][\w:-]{0,100}\}[a-z]?$|\{\{[\s\S]*\}\}$|<%[\s\S]*%>$|(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|ENV\[)|projects\/[\w.-]+\/secrets\/[\w.-]+(?:\/versions\/[\w.-]+)?$|<set to the key '[^'\r\n]*' (?:in secret|of config map) '[^'\r\n]*'>)/;

/**
 * Documentation stand-ins and type names: `your-api-key-here` (and dotenv's `YOURSECRETKEYGOESHERE`), `xxxxx`, `<token>`,
 * `string`, `value` (dotenv's `heroku config:set DOTENV_PRIVATE_KEY_PRODUCTION=value`), what `kubectl config view` prints for a key's data
 * unless given `--raw` (`client-key-data: DATA+OMITTED`).
 */
const PLACEHOLDER_WORD =
  /^(?:data\+omitted|null|nil|none|undefined|true|false|yes|no|on|off|string|str|number|int|integer|float|double|bool|boolean|any|unknown|object|bytes|required|optional|empty|default|hidden|masked|secret|password|passwd|pass|token|key|apikey|api_key|value|test|testing|demo|foo|bar|baz|foobar|abc|xyz|n\/a|tbd|todo|fixme)$/i;
const PLACEHOLDER_WHOLE = /^(?:your|enter|insert|replace|put)[-_ .]|^your[a-z]*here$|^<.*>$|^\[.*\]$|^\{.*\}$|^(.)\1*$/i;
/** A value masked or cut in the text itself: `ghp_xxxxx…`, `sk-***`, `sk-ant-...`. */
const MASKED = /x{5,}|\*{3,}|\.{3}|…/i;
/**
 * Documentation keys: AWS's end so (AKIAIOSFODNN7EXAMPLE, wJalr…EXAMPLEKEY),
 * others repeat it (ABSK…EXAMPLEEXAMPLE…); a random key does neither.
 */
const DOCUMENTATION_KEY = /EXAMPLE(?:KEY)?$|EXAMPLE.*EXAMPLE/;

/**
 * For a value in a vendor's token format (a prefix and a shape): only one that
 * cannot be a token is let through. A word such as "example" or "dummy"
 * inside proves nothing: a token made up for a test may be pasted next to a
 * real one, and masking a made-up one costs nothing.
 */
export function isTokenStandIn(value: string): boolean {
  return MASKED.test(value) || DOCUMENTATION_KEY.test(value);
}

/**
 * Only for one-word values: a longer text may hold a real secret next to an
 * ellipsis. A word such as "example" counts only in a value without digits:
 * `Example2024!` or `MyDummyPass99` is somebody's password.
 */
const PLACEHOLDER_PART = /[-_]here$/i;
/** …and a test's wrong value, named so (`login('alice@example.com', 'wrong-password')`, `'invalid_token'`). */
const PLACEHOLDER_NAME = /example|placeholder|change[-_]?me|replace[-_]?(?:me|with)|dummy|fake|redacted|(?:wrong|invalid|incorrect|bad)[-_]?(?:pass(?:word)?|pw|secret|token|key)/i;

/**
 * A key in braces is no `{placeholder}`: Maven's and Jenkins' encrypted passwords are stored so
 * (`<password>{COQLCE6DU6GtcS5P=}</password>`, `{AQAAABAAAAAQ…}`), base64 with digits and both cases.
 */
const BRACED_KEY = /^\{([A-Za-z0-9+/]{16,}={0,2})\}$/;
const bracedKey = (value: string): boolean => {
  const inner = BRACED_KEY.exec(value)?.[1];
  return inner !== undefined && /\d/.test(inner) && /[A-Z]/.test(inner) && /[a-z]/.test(inner);
};

export function isPlaceholder(value: string): boolean {
  return (
    PLACEHOLDER_WORD.test(value) ||
    (PLACEHOLDER_WHOLE.test(value) && !bracedKey(value)) ||
    (!HAS_SPACE.test(value) && (PLACEHOLDER_PART.test(value) || isTokenStandIn(value) || (PLACEHOLDER_NAME.test(value) && !HAS_DIGIT.test(value))))
  );
}

/** Keys made to be public: Stripe's publishable keys (in every web page that uses them), an age recipient (`age1…`, what one encrypts to). */
const PUBLIC_KEY = /^pk_(?:test|live)_[A-Za-z0-9]+$|^age1[02-9ac-hj-np-z]{58}$/;

/**
 * An AWS resource's name (ARN): `arn:aws:kms:us-west-2:123456789012:alias/aws/s3` as a build's `"encryptionKey"`,
 * `arn:aws:secretsmanager:…:secret:MyTestSecret-a1b2c3`, a secret's name and its suffix, not its value.
 */
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[\w<>-]*:[\w<>-]*:\S+$/;

/** Whether text[start] is inside an ARN: an `arn:` before it, and nothing between but an ARN's characters (no `=`, `,`: the next field). */
const ARN_SO_FAR = /(?:^|[^A-Za-z])arn:[\w:/.*+@<>-]*$/;
export const insideArn = (text: string, start: number): boolean => ARN_SO_FAR.test(text.slice(Math.max(0, start - 200), start));

/** A value that only points at a secret (`$TOKEN`, `process.env.X`), or one of our markers. */
export function isReference(value: string): boolean {
  return MARKER_ONLY.test(value) || REFERENCE.test(value) || ARN.test(value);
}

/** Values that are not a secret themselves: placeholders, references, public keys, our own markers. */
export function isStandIn(value: string): boolean {
  return isReference(value) || PUBLIC_KEY.test(value) || isPlaceholder(value);
}

/** A random-looking opaque value: long, one word, letters and digits. */
export function looksRandom(value: string): boolean {
  return value.length >= 16 && !HAS_SPACE.test(value) && HAS_DIGIT.test(value) && HAS_LETTER.test(value);
}

/**
 * Letters drawn at random: each case a good share of them (at least 30%: a random draw's is about
 * half), which words in CamelCase are not (one capital a word: `ApiKeyFromEnvironment`, 19%;
 * `/Users/JohnSmith/Projects`, 21%).
 */
export function mixedCase(value: string): boolean {
  const upper = value.replace(/[^A-Z]/g, "").length;
  const lower = value.replace(/[^a-z]/g, "").length;
  return upper >= (upper + lower) * 0.3 && lower >= (upper + lower) * 0.3;
}

/**
 * A name made of words: `UserAuthenticationService2`, `TestHandleOAuth2Callback`, a branch's
 * `feature/AUTH-1234-add-OAuth2-login`. Each part a word (a capital and two or more small letters,
 * or small letters), an acronym, a number or a separator; a random key has a lone small letter
 * between capitals or digits somewhere, which none of these takes.
 */
// Each part takes the whole run it starts (the lookaheads), so a near-miss is rejected in one pass, not by trying every split.
export const WORDS_NAME = /^(?:[A-Z]?[a-z]{2,}(?![a-z])|[A-Z]+(?![A-Za-z])|[A-Z]+(?=[A-Z][a-z])|\d{1,4}(?!\d)|[/_.-])+$/;

const MEMBER_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;

/** Code's member path of names of words (`obj1Keys.length`, `win32api.RegEnumKey`, `self._lib.NID_aes_256_cbc`): no key drawn at random. */
export function isMemberPathOfWords(value: string): boolean {
  return MEMBER_PATH.test(value) && value.split(".").every((part) => WORDS_NAME.test(part.replace(/[$_]/g, "")));
}

/** Letters alone, drawn at random (`qWeRtYuIoPaSdFgHjKlZxCvB`), long: not a name in CamelCase. */
export function looksRandomLetters(value: string): boolean {
  return value.length >= 20 && /^[A-Za-z]+$/.test(value) && mixedCase(value);
}

/**
 * Letters alone, fewer, told as a password (`DlEBgFXNsWHR`, `qGCqAxDnBNkz`): two of each case or
 * more, and no name made of words (`Incorrect`, `NotSet`, `macOS`). A short draw's cases are too
 * uneven for mixedCase's share.
 */
export function looksRandomPassword(value: string): boolean {
  return value.length >= 8 && /^[A-Za-z]+$/.test(value) && /[A-Z][^A-Z]*[A-Z]/.test(value) && /[a-z][^a-z]*[a-z]/.test(value) && !WORDS_NAME.test(value);
}

/**
 * A base64 key that starts with or holds `/` and so reads as a path (`/I/tAA7Pis3LA8bU0pKW/ou…`,
 * `openssl rand -base64 32`'s output): long, drawn at random, digits among its letters.
 */
export function looksBase64Key(value: string): boolean {
  return /^[A-Za-z0-9+/]{32,}={0,2}$/.test(value) && mixedCase(value) && value.replace(/\D/g, "").length >= 2;
}

/**
 * Keys that open nothing: a request's idempotency key (Stripe's `Idempotency-Key` header, a UUID),
 * a cache's (`actions/cache`'s "Cache saved with key: …"), a table's or a lock's. Their values look
 * as random as a credential's, so their name says what they are: such a name, or a label ending a
 * text before a value ("Idempotency key: ", `"idempotencyKey": "`).
 * Tokens that open nothing either: a page's (AWS's `"NextToken"` and `--starting-token`, Google's `nextPageToken`, S3's
 * `NextContinuationToken`), a request's idempotency token (`"clientRequestToken"`, `"IdempotencyToken"`) and an Auto Scaling hook's
 * `--lifecycle-action-token`, in every paginated API's output.
 * Nor do a request's or a trace's ids, drawn at random to be logged (`X-Request-Id`, `X-Correlation-Id`, `X-Amzn-Trace-Id`, `X-B3-SpanId`,
 * W3C's `traceparent` and `tracestate`, `X-Cloud-Trace-Context`), as headers an MCP server's config or a command line sets.
 */
const NO_CREDENTIAL_KEY = String.raw`(?:^|[^A-Za-z])(?:(?:idempotency|idempotent|cache|dedup(?:e|lication)?|partition|sort|foreign|composite|lock|routing|shard|row)[ _.-]?keys?|(?:(?:next|starting)(?:[ _.-]?(?:page|continuation))?|page|continuation|pagination|client[ _.-]?request|idempotency|lifecycle[ _.-]?action)[ _.-]?tokens?|(?:request|correlation|trace|span)[ _.-]?ids?|trace(?:parent|state|[ _.-]?context))`;
export const NO_CREDENTIAL_NAME = new RegExp(`${NO_CREDENTIAL_KEY}$`, "i");
export const NO_CREDENTIAL_LABEL = new RegExp(String.raw`${NO_CREDENTIAL_KEY}["'\x60]?[ \t]*(?::|=|=>)?[ \t]*["'\x60]?$`, "i");

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * AWS's fields that hold a UUID opening nothing, by their names as AWS spells them: idempotency tokens (EC2's `"ClientToken"`,
 * `"clientToken"` in its SDKs' JSON, Cloud Control's `"RequestToken"`) and an S3 object's `"Key"` (boto3's `Key=`), a name
 * often made with uuid4(). Vault's `client_token`, in snake case, is a credential, as are OAuth 1.0's `request_token` and a `key`.
 */
const AWS_UUID_LABEL = /(?:(?:^|[^A-Za-z])(?:[cC]lient|[rR]equest)Token|(?:^|[^\w-])Key)["'\x60]?[ \t]*(?::|=|=>)?[ \t]*["'\x60]?$/;
/** Whether `value` is such a field's, its name (or the text before it) given. */
export const isAwsUuidField = (label: string, value: string): boolean => UUID.test(value) && AWS_UUID_LABEL.test(label);

/** A Wi-Fi network's security mode (`WPA2-PSK`, `WPA3-SAE`, `WPA2-Enterprise`): what a PSK's label names beside its key, not the key. */
export const WIFI_MODE = /^(?:WPA\d?|WEP|RSN)(?:[-/](?:PSK|SAE|EAP|Personal|Enterprise|AES|TKIP|CCMP|WPA\d?))*$/i;

/**
 * A value that is its option's name after "my" (gcloud's `--pvk-password=my-pvk-password`, a man page's
 * `\-\-pvk\-password=my\-pvk\-password`): the docs' stand-in for what goes there. `option` is the name as written, escapes too.
 */
const MY_OPTION = /^my[-_][a-z0-9]+(?:[-_][a-z0-9]+)*$/;
/** Or the option's name in capitals, the AWS CLI's examples' placeholder (`aws cognito-idp delete-user --access-token ACCESS_TOKEN`). */
const SCREAMING_OPTION = /^[A-Z]+(?:_[A-Z]+)+$/;
/** Letters and digits alone, in lower case: `SM2 PRIVATE KEY`, `SM2_PRIVATE-KEY` and `SM2PRIVATEKEY` alike. */
export const squeezed = (s: string): string => s.replace(/[^A-Za-z0-9]/g, "").toLowerCase();

export function isOwnOptionStandIn(option: string, value: string): boolean {
  const plain = value.replaceAll("\\", "");
  if (SCREAMING_OPTION.test(plain)) return squeezed(plain) === squeezed(option);
  return MY_OPTION.test(plain) && squeezed(plain) === `my${squeezed(option)}`;
}

/** A setting's value that holds no secret by its shape: a flag, a number, a version, a host, a path or a URL (`true`, `~18`, `api.example.com`). */
export const PLAIN_SETTING = /^(?:true|false|yes|no|on|off|enabled|disabled|~?\d[\d.]*|\S*[.\/:]\S*)$/i;
