import { type Detector, type Finding, type Hits, widenedIfCut } from "../detectors.ts";
import { NO_CREDENTIAL_NAME, PLAIN_SETTING, WORDS_NAME, isPlaceholder, isStandIn, looksBase64Key, looksRandom } from "../look-alikes.ts";
import { MARKER_ONLY } from "../marker.ts";
import { SECRET_KEY } from "./assignment.ts";
import { looksLikePassword } from "./prose-secret.ts";
import { PROVIDER_NAMES, PROVIDER_VARIABLE, isProviderCredential } from "./provider-names.ts";
import { arrowPairsAsLines, diffLinesAsLines, everyPairAsLine, pairsAsLines, tuplePairsAsEntries } from "./env-pairs.ts";
import { lineStart } from "./lines.ts";
import { OUTPUT_END } from "./pasted-prompt.ts";
import { recordValues } from "./secret-record.ts";
import { withoutNotices } from "./tool-notices.ts";
import { ENV_OPTIONS, WRAPPED } from "./command-wrappers.ts";
import { PPP_SECRET_LINE, userLines } from "./user-lines.ts";
import { PRINTED_VARIABLE_KEYWORDS, printedVariables, printsEnvironment } from "./printed-variable.ts";
import { type SearchPrints, environmentLines, searchPrints } from "./search-output.ts";
import { type EchoMark, REPL_KEYWORDS, type ReplLine, replLine } from "./repl-prompt.ts";

/**
 * A secret on the line below the command that printed it, as a pasted terminal shows it:
 * `$ echo $OPENAI_API_KEY` then the key, `op read op://…`, `pass show`, `gcloud secrets versions
 * access`, `aws ssm get-parameter … --with-decryption`, `terraform output -raw`, a Kubernetes
 * secret through `base64 -d`, `vault kv get -field=…`, `openssl rand`, `gh auth token`. The output
 * is one word on its own line; the command says what it is.
 */

/**
 * `echo $NAME`, `printenv NAME`, `aws configure get NAME`, `heroku config:get NAME`, `netlify env:get NAME`, `pulumi config get [project:]name`,
 * `terraform output name` (`"…"`, `-json`'s; `-raw` prints any output's value alone: SECRET_COMMAND),
 * `chamber read -q service key` (its value alone; without `-q` a table, CONFIG_SHOWN's),
 * `launchctl getenv NAME`, `dotenvx get NAME`, `convex env get NAME`, `firebase functions:secrets:access NAME`, `pulumi stack output name
 * --show-secrets` (without the flag, `[secret]`),
 * cmd's `echo %NAME%`: the variable's name must be a secret's. echo and printf print a variable only after its `$` (`$env:` in
 * PowerShell) or between `%` (`echo GITHUB_TOKEN` prints the name). PowerShell's, a one-liner's and a field read out of a file:
 * printed-variable.ts.
 */
const PRINT_VARIABLE =
  /(?<![\w-])(?:(?:echo(?:[ \t]+-[neE]+)?|printf(?:[ \t]+["'][^"'\r\n]{0,20}["'])?)[ \t]+["']?(?:\$(?:env:)?|%(?=[A-Za-z_]\w{0,100}%))|(?:printenv|aws[ \t]+configure[ \t]+get|heroku[ \t]+config:get|netlify[ \t]+env:get|convex[ \t]+env[ \t]+get|(?:firebase[ \t]+)?functions:secrets:access|launchctl[ \t]+getenv|dotenvx?[ \t]+get)[ \t]+["']?\$?|pulumi[ \t]+stack[ \t]+output(?=[^\r\n|;&]{0,200}[ \t]--show-secrets(?![\w-]))(?:[ \t]+-[-\w]+(?:=[^\s|;&]{1,300})?)*[ \t]+["']?|pulumi[ \t]+config[ \t]+get[ \t]+["']?(?:[\w-]{1,100}:)?|terraform[ \t]+output(?:[ \t]+-(?:json|no-color|state=[^\s|;&]{1,300}))*[ \t]+["']?|chamber[ \t]+read(?:[ \t]+(?:-q|--quiet|(?:-v|--version)[ \t=]+\d{1,9}))*[ \t]+[\w.\/-]{1,100}[ \t]+)\{?([A-Za-z_][A-Za-z0-9_]{0,100})/y;
/**
 * A package manager's or git's setting printed (`npm config get //registry.npmjs.org/:_authToken`, `pnpm`'s and `yarn`'s, `git config
 * user.password`): the setting's name must be a secret's. npm's legacy and a private registry's tokens are UUIDs, no shape of their own.
 */
const CONFIG_GET = /(?<![\w-])(?:(?:npm|pnpm|yarn)[ \t]+config[ \t]+get|git[ \t]+config(?:[ \t]+--(?:get|global|local|system|show-origin))*)[ \t]+["']?([^\s"'|;&<>]{1,300})/y;
/**
 * Words echo or printf prints, on its command (up to `;`, `&`, `|`, or a `(` that runs one: `echo "$(pass show x)"` prints the
 * password): `echo pass show x` shows no entry.
 */
const ECHOED = String.raw`(?<=\b(?:echo|printf)[ \t][^;&|()\r\n]{0,300})`;
const ECHOED_AT = new RegExp(ECHOED, "y");
/**
 * A secret-named variable's value cut out of a file: `grep -oP '^API_SECRET=\K.*' .env` (`'(?<=API_SECRET=).*'`, YAML's `'(?<=password: ).*'`), `grep TOKEN .env |
 * cut -d= -f2`, `sed -n 's/^DB_PASSWORD=//p' .env`, `awk -F= '/API_KEY/ {print $2}'`. It must cut at the
 * `=` (grep alone prints `NAME=value`, an assignment), and one of its words must be a secret's name (or a provider's alone: `grep STRIPE .env |
 * cut -d= -f2`), or a name's end (`grep KEY .env`, `s/^[A-Z_]*KEY=//p`: the `_KEY` of every key's name). Not the names alone, the first
 * field (`cut -d= -f1`, `awk -F= '{print $1}'`). A pattern may match several variables (`grep -E 'STRIPE|OPENAI' .env`): one value a line.
 * With no name, every value of an environment file it names (`cut -d= -f2- .env.production`, `awk -F= '{print $2}' .env`): its names unknown.
 */
const EXTRACT_COMMAND = /(?<![\w-])(?:grep|sed|awk|cut)[ \t]([^\r\n]{1,400})/y;
const CUTS_AT_EQUALS = /\\K|\(\?<=[^)\r\n]{0,200}[=:][ \t]?\)|-[dF][ \t]*["']?=|=\/\/|=\|\||=##/;
const NAMES_CUT = /-f[ \t]*["']?1(?![\d,-])|\{[ \t]*print[ \t]+\$1[ \t]*;?[ \t]*\}/;
const WORDS = /[A-Za-z_][A-Za-z0-9_]*/g;
/**
 * A file named for a secret (`cat ~/.config/app/token`); a public key's `.pub` is not one, nor `/etc/passwd`:
 * its passwords are in `/etc/shadow`, and a script's `passcat='cat /etc/passwd'` is followed by its next line. Other viewers
 * (`less`, `more`, `bat`, `head`, `tail`, `nl`, PowerShell's `Get-Content`/`gc`, cmd's `type`) are words too ("more tokens"): their
 * argument must be a path (a `.`, `/`, `\` or `~` in it). `tail -n +1` prints every file whole, each after its name. cat's flags
 * (`cat -n .env`, numbered as `nl .env` numbers it: an environment file's line is read after its number) come before the file.
 */
const FILE_VIEWER = String.raw`(?:cat(?:[ \t]+-[A-Za-z]{1,10}){0,8}|(?:bat|less|more|head|tail|nl|gc|get-content|type)(?:[ \t]+-[\w-]+(?:[ \t]+\+?\d+)?)*(?=[ \t]+["']?[^\s"']*[.\/\\~]))`;
const PRINT_FILE = new RegExp(
  String.raw`(?<![\w-])${FILE_VIEWER}[ \t]+["']?(?!\/etc\/passwd-?(?![\w.\/-]))(\S{0,200}(?:token|secret|passw|credential|api[_-]?key|private[_-]?key|\.key)(?![\w.-]*\.pub\b)\S{0,100})`,
  "iy",
);
/** NetworkManager's Wi-Fi key printed alone, its line whatever its shape (`nmcli -s -g 802-11-wireless-security.psk connection show x`). */
const WIFI_KEY_FIELD = String.raw`nmcli[ \t][^\r\n|;&]{0,200}?(?:-g|--get-values)[ \t=]+[^\s|;&]{0,200}(?:\.psk|password|wep-key\d)(?![\w-])`;
const WIFI_KEY_PRINTED = new RegExp(WIFI_KEY_FIELD, "i");
/**
 * Commands that print a stored or new secret whatever its name: password managers (1Password's
 * `op read` and `op item get --fields`, its session token `op signin --raw`, `pass`, `gopass`, `lpass`, Bitwarden's `bw get password`, KeePassXC's
 * `keepassxc-cli show`, the macOS keychain, libsecret's `secret-tool lookup`, Python's `keyring get`, rclone's obscured password and the password `rclone reveal` turns it back into, PowerShell's `Get-Secret -AsPlainText`), clouds' secret stores (AWS Secrets Manager and SSM, ECR's login password, Google's
 * Secret Manager, Azure Key Vault), Vault, Doppler, Infisical, Terraform's outputs, a Kubernetes secret's
 * data (`jsonpath='{.data.…}'`, a go-template's `| base64decode}}`, the view-secret plugin's one key; `| base64 -d`: DECODER), access tokens, Argo CD's first admin password, a wallet's private key (`bitcoin-cli dumpprivkey <address>`, litecoin-cli's: its WIF), Elasticsearch's new one in silent mode (`elasticsearch-reset-password -u elastic -s`: the password alone), a Wi-Fi key as NetworkManager's field alone (`nmcli -s -g 802-11-wireless-security.psk connection show x`), the Azure CLI's keys (`az storage account keys list`,
 * `az cosmosdb keys list`, `… list-keys`, `az search admin-key show`: `--query "[].value" -o tsv` prints them one a line).
 */
const SECRET_COMMAND = new RegExp(
  String.raw`(?<![\w-])(?:op[ \t]+read|op[ \t]+item[ \t]+get[^\r\n]{0,300}--(?:fields?|reveal)|op[ \t]+signin[^\r\n|;&]{0,300}--raw(?![\w-])|(?:go|l)?pass[ \t]+show|secret-tool[ \t]+lookup|keyring[ \t]+get|rclone[ \t]+(?:obscure|reveal)|keepassxc-cli[ \t]+show|bw[ \t]+get[ \t]+(?:password|notes|totp)|get-secret[ \t][^\r\n]{0,300}-asplaintext|find-(?:generic|internet)-password[^\r\n]{0,300}[ \t]-w|secrets[ \t]+versions[ \t]+access|get-parameters?(?:-by-path)?[ \t][^\r\n]{0,300}--with-decryption|get-secret-value|get-login-password|keyvault[ \t]+secret[ \t]+show|terraform[ \t]+output[ \t]+-raw|sops[ \t][^\r\n|;&]{0,300}--extract(?![\w-])|jsonpath=["']?\{\.data\.|(?<=\|[ \t]{0,8})base64decode[ \t]*\}\}|(?<=kubectl[ \t]{1,8})view-secret[ \t]+[^\s|;&]+[ \t]+[^\s|;&-]|vault[ \t][^\r\n]{0,300}-field[= ]|vault[ \t]+(?:kv[ \t]+get|read)(?=[ \t])|openssl[ \t]+rand|(?:gh|heroku)[ \t]+auth[ \t:]*token|print-access-token|get-access-token|(?:doppler|infisical)[ \t]+secrets[ \t]+get[^\r\n]{0,300}--plain|argocd[ \t]+admin[ \t]+initial-password|(?<=-cli[ \t](?:[^\r\n|;&]{0,300}[ \t])?)dumpprivkey(?=[ \t])|elasticsearch-reset-password[^\r\n|;&]{0,300}[ \t]-(?:[abfis]{0,4}s[abfis]{0,4}|-silent)(?![\w-])|${WIFI_KEY_FIELD}|(?<=\baz[ \t][^\r\n|;&]{0,200})(?:keys[ \t]+list|list-keys|admin-key[ \t]+show))`,
  "iy",
);

/**
 * A decoder (`base64 -d`, `--decode`, macOS's `-D`, after other options: `base64 -w0 -d`, `-i -d`; `openssl base64 -d`), as a Kubernetes
 * secret's value is read (`… | base64 -d`): what it prints is a stored secret of any shape, or a file encoded whole (`base64 -d .env.b64`),
 * read as that file when it is an environment file ("decoded": decodedPrints).
 */
const DECODER = /(?<![\w-])base64(?:[ \t]+-(?!d|-decode)[\w-]{1,20}(?:[ \t=]+\d{1,5})?){0,5}[ \t]+(?:-d|--decode|-D)/iy;
const DECODES = new RegExp(DECODER.source, "i");
/** A decoded environment file: its first line but blank ones and comments is an assignment (`NODE_ENV=production`: its settings stay, its tokens go). */
const ENV_FILE_START = /(?:[ \t]*(?:#[^\r\n]*)?\r?\n){0,50}[ \t]*(?:export[ \t]+)?[A-Za-z_]\w{0,100}=/y;
/** What a decoder printed, from `from` on: an environment file's lines, or a stored secret of any shape. */
export function decodedPrints(output: string, from = 0): "env" | "any" {
  ENV_FILE_START.lastIndex = from;
  return ENV_FILE_START.test(output) ? "env" : "any";
}
/** The longest output of a decoder read below it: an environment file is a few KB. */
const DECODED_MAX = 65_536;

/**
 * A secret store's one value read, the command of its line (after `;` or `&&`, not inside `$(…)`, whose output is another
 * command's) and not piped on: a password manager's (`op read op://…`, `op item get … --fields password`, `bw get password`,
 * `secret-tool lookup`, `keyring get`, the macOS keychain's `-w`), a cloud's as text (`gcloud secrets versions access`, `aws ssm
 * get-parameter … --with-decryption` and `aws secretsmanager get-secret-value` with `--output text`, `az keyvault secret show` with
 * `-o tsv`), `doppler`'s and `infisical`'s `secrets get … --plain`. What it prints is that value, on its first line whatever its
 * shape (a passphrase of several words, "correct horse battery", which the one-word reading let through), as a store's entry's
 * (`pass show`); a JSON object's every value (AWS's SecretString), also when jq formats it (`| jq .`, `| jq -r .password`).
 */
const AS_TEXT = String.raw`(?=[^\r\n|;&]{0,300}(?:--output|-o)[ \t=]+(?:text|tsv)(?![\w-]))`;
const VALUE_READ = new RegExp(
  String.raw`(?<=(?:^|[;&]|\bsudo)[ \t]*)(?:op[ \t]+read|op[ \t]+item[ \t]+get[^\r\n|;&]{0,300}--fields?|bw[ \t]+get[ \t]+(?:password|notes)|secret-tool[ \t]+lookup|keyring[ \t]+get|security[ \t]+find-(?:generic|internet)-password[^\r\n|;&]{0,300}[ \t]-w|gcloud[ \t]+secrets[ \t]+versions[ \t]+access|aws[ \t]+(?:ssm[ \t]+get-parameter(?=[^\r\n|;&]{0,300}--with-decryption)|secretsmanager[ \t]+get-secret-value)${AS_TEXT}|az[ \t]+keyvault[ \t]+secret[ \t]+show${AS_TEXT}|(?:doppler|infisical)[ \t]+secrets[ \t]+get(?=[^\r\n|;&]{0,300}--plain(?![\w-])))(?![\w-])[^\r\n|;&]{0,300}(?:\|[ \t]*jq(?:[ \t][^\r\n|;&]{0,200})?)?(?=$|[\r\n;&])`,
  "im",
);

/**
 * Commands that make a new random key: reading `/dev/urandom`, Python's `secrets.token_hex(…)`,
 * Node's `crypto.randomBytes(…)`, Ruby's `SecureRandom`, `pwgen`, `rails secret`, `mix
 * phx.gen.secret`, WireGuard's `wg genkey` and `wg genpsk` (not piped into `wg pubkey`, which prints the public key), a cluster's gossip
 * encryption key (`consul keygen`, `nomad operator gossip keyring generate`, `nomad operator keygen`), a Headscale pre-auth key
 * (`headscale preauthkeys create …`: the key alone on its line, which enrolls a node in the tailnet);
 * and decrypting a file (`gpg -d`, `sops -d`; not one value cut out of it, `--extract`: any stored secret's shape). A key's characters only
 * (KEY_SHAPED): a script's next line (`continue;`) is no output.
 */
const GENERATOR_COMMAND =
  /(?<![\w-])(?:\/dev\/u?random|secrets\.token_(?:hex|urlsafe|bytes)|randombytes\(|securerandom\.|pwgen[ \t]|rails[ \t]+secret|phx\.gen\.secret|wg[ \t]+gen(?:key|psk)(?![^\r\n]{0,300}\|[ \t]*wg[ \t]+pubkey)|consul[ \t]+keygen|nomad[ \t]+operator[ \t]+(?:keygen|gossip[ \t]+keyring[ \t]+generate)|headscale[ \t](?:[^\r\n|;&]{0,200}[ \t])?preauthkeys?[ \t]+create(?![\w-])|(?:gpg|sops)(?=[ \t])(?![^\r\n|;&]{0,300}--extract(?![\w-]))[^\r\n]{0,200}?[ \t](?:-d|--decrypt)(?![\w-]))/iy;
const KEY_SHAPED = /^[A-Za-z0-9+/=_-]{16,}$/;

/**
 * The longest word a command prints as its secret: an ECR login password is 2-3 KB, a service
 * account's token a few KB. Each pattern is anchored at a line's start and ends at its end: linear.
 */
const PRINTED_MAX = 16_384;

/**
 * The next line, one word: what the command printed; past the CLI's warning on the terminal before it, as oclif's CLIs write
 * one (`heroku auth:token`'s " ›   Warning: token will expire 12/31/2026" and its lines); after an error, a word is the user's.
 * A REPL's echo may start with its mark (group 1: IPython's `Out[3]: `, Ruby's `=> `), (groups 1 and 2), which only its prompt allows (repl-prompt.ts).
 */
const OUTPUT = new RegExp(String.raw`(?:\r?\n[ \t]*›[ \t]+Warning:[^\r\n]{0,300}(?:\r?\n[ \t]*›[^\r\n]{0,300}){0,3})?\r?\n[ \t]*(?:(Out\[(?=\d{1,6}\]:)|=>?(?=[ \t]))(?:\d{1,6}\]:)?[ \t]*)?([^\s]{4,${PRINTED_MAX}})[ \t]*(?=\r?\n|$)`, "dy");
/**
 * A stored secret printed: a word of 8 characters or more, or a shorter one shaped like a password (`hunter2` below `echo
 * $DB_PASSWORD`); a short word of another shape is a message's (`null`, `none`, `true`).
 */
const SHORT_PRINTED = 8;
const REPR = /^(['"])[^'"]+\1$/;
const isPrintedSecret = (value: string) => isPrintedValue(value) && (value.length >= SHORT_PRINTED || looksLikePassword(value));

/** How much of the environment a REPL echoed or a one-liner printed is read; it ends at a blank line or the next prompt, a REPL's or a shell's. */
const ENVIRONMENT_ECHO_MAX = 65_536;
const ECHO_END = /^[ \t]*$|^(?:>>>|>|In \[\d|irb\(|\[\d+\] pry\(|[ \t]*[$%❯][ \t])/m;

/**
 * What a REPL's expression prints: "any" word under a secret's name, or an environment variable's opaque token under another
 * ("opaque", as an environment's dump: `console.log(process.env.STRIPE)`, as below `$ echo $STRIPE`: printedVariable).
 */
/** An opaque token's characters, as an environment file's value is read (ENV_VALUE): not a path list (`C:\Windows;…`), a URL. */
const OPAQUE_VALUE = /^[A-Za-z0-9_+/=-]{20,1000}$/;
const replPrints = (repl: ReplLine): "any" | "opaque" | undefined =>
  repl.names.some((name) => SECRET_KEY.test(name)) ? "any" : repl.variable ? "opaque" : undefined;

/**
 * Whether the command at `at` prints a secret: "any" word, only one shaped like a key ("key"), what it decoded ("decoded"), or values
 * cut out of a file ("values": EXTRACT_COMMAND).
 */
function printsSecret(text: string, at: number): "any" | "key" | "decoded" | "values" | "env-values" | undefined {
  GENERATOR_COMMAND.lastIndex = at;
  if (GENERATOR_COMMAND.test(text)) return "key";
  DECODER.lastIndex = at;
  if (DECODER.test(text)) return "decoded";
  EXTRACT_COMMAND.lastIndex = at;
  const extract = EXTRACT_COMMAND.exec(text)?.[1];
  if (extract !== undefined) return extractsSecrets(extract) ? "values" : extractsEnvFile(extract) ? "env-values" : undefined;
  return printsNamedSecret(text, at) ? "any" : undefined;
}

/** An extraction's words that cut every value out of an environment file (`cut -d= -f2 .env`), no name matched: its words a path. */
const extractsEnvFile = (extract: string) =>
  CUTS_AT_EQUALS.test(extract) && !NAMES_CUT.test(extract) && extract.split(/[ \t|;&<>]+/).some((word) => filePrints(word.replace(/^["']|["']$/g, "")) === "env");

/** An extraction's words (EXTRACT_COMMAND) that cut secrets' values out: a secret's or a provider's name, or a secret name's end (`KEY`, as `_KEY`). */
const extractsSecrets = (extract: string) =>
  CUTS_AT_EQUALS.test(extract) && !NAMES_CUT.test(extract) && (extract.match(WORDS) ?? []).some((word) => isSecretVariable(word) || SECRET_KEY.test(`_${word}`));

/**
 * The variable the command at `at` prints, of whatever name (`echo $STRIPE`, `printenv STRIPE`, `heroku config:get STRIPE`, a
 * one-liner's `process.env.STRIPE`): below it, an opaque token goes as in an environment file. Its result alone is one word,
 * which the lone-secret rule reads.
 */
function printedVariable(text: string, at: number): string | undefined {
  PRINT_VARIABLE.lastIndex = at;
  return PRINT_VARIABLE.exec(text)?.[1] ?? printedVariables(text, at)?.[0];
}

/** A variable that holds a secret by its name: a secret's (`DB_PASSWORD`), or a provider's alone (`STRIPE`: its credential). */
const isSecretVariable = (name: string) => SECRET_KEY.test(name) || PROVIDER_VARIABLE.test(name);

function printsNamedSecret(text: string, at: number): boolean {
  PRINT_VARIABLE.lastIndex = at;
  const variable = PRINT_VARIABLE.exec(text);
  if (variable) return isSecretVariable(variable[1] as string);
  const named = printedVariables(text, at);
  if (named) return named.some(isSecretVariable);
  CONFIG_GET.lastIndex = at;
  const setting = CONFIG_GET.exec(text);
  if (setting) return SECRET_KEY.test(setting[1] as string);
  PRINT_FILE.lastIndex = at;
  // A file of code, docs or config (`secrets.yml`, whose values filePrints reads as an environment file's) prints more than one secret word.
  const file = PRINT_FILE.exec(text)?.[1];
  if (file !== undefined) return !NOT_SECRET_FILE.test(file);
  SECRET_COMMAND.lastIndex = at;
  return SECRET_COMMAND.test(text);
}

/** A path from the root (macOS's `TMPDIR=/var/folders/7x/k2b9…0000gn/T/`, whose folder's name is random): not a base64 key, which may start with `/` too. */
const isAbsolutePath = (value: string) => value.startsWith("/") && !looksBase64Key(value);

/** What a command printed that can be a secret: not a stand-in, not punctuation alone, not a path (a base64 key may start with `/`). */
const isPrintedValue = (value: string) => !isStandIn(value) && /[A-Za-z0-9]/.test(value) && !isAbsolutePath(value);

export const printedSecretDetector: Detector = {
  keywords: [
    "echo", "printf", "printenv", "aws configure", "heroku config", "netlify env:get", "convex env get", "functions:secrets:access", "pulumi config", "pulumi stack output", "chamber read", "launchctl getenv", "dotenv get", "dotenvx get", "keyring get", "rclone obscure", "rclone reveal", "npm config", "pnpm config", "yarn config", "git config", "cat", "bat ", "less ", "more ", "head ", "tail ", "gc ", "get-content", "type ", "grep", "awk", "sed -", "sed '", 'sed "', "cut ", "op read", "op item", "op signin", "pass show", "lpass show", "gopass show", "pass ", "gopass ", "secret-tool lookup", "keepassxc-cli show", "bw get", "get-secret",
    "oathtool", "find-generic-password", "find-internet-password", "secrets versions",
    "get-parameter", "get-secret-value", "get-login-password", "keyvault", "terraform output", "base64", "jsonpath", "view-secret", "vault", "openssl rand",
    "gh auth", "heroku auth", "print-access-token", "get-access-token", "doppler", "infisical", "argocd", "dumpprivkey", "elasticsearch-reset-password", "nmcli", "keys list", "list-keys", "admin-key",
    "/dev/urandom", "/dev/random", "secrets.token_", "randombytes(", "securerandom.", "pwgen", "rails", "phx.gen.secret", "wg genkey", "wg genpsk", "consul keygen", "nomad operator", "headscale", "gpg", "sops",
    ...PRINTED_VARIABLE_KEYWORDS,
    ...REPL_KEYWORDS,
  ],
  find(text: string, hits: Hits, out: Finding[]): void {
    // The end of the line of the current hit, found once per line (hits on one line share it: linear time).
    let eol = -1;
    let done = -1;
    // The end of a record read below a command: the hits in it are its output's words, read once (linear time).
    let recordEnd = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < recordEnd) continue;
      if (at > eol) {
        eol = commandEnd(text, at);
        if (eol < 0) return; // no line below: no output
      }
      if (eol === done) continue;
      const entry = promptedEntry(text, at, eol);
      if (entry) {
        done = eol;
        out.push(...entry);
        continue;
      }
      const repl = replLine(text, at);
      // The whole environment, echoed by a REPL (a map of every variable) or printed by a one-liner (`node -p process.env`, or its
      // `NAME=value` lines: `for k, v in os.environ.items()`), read as a Bash call's result of that one-liner is.
      if (repl?.environment || printsEnvironment(text, at)) {
        done = eol;
        const echo = text.slice(eol + 1, eol + 1 + ENVIRONMENT_ECHO_MAX);
        const end = ECHO_END.exec(echo)?.index ?? echo.length;
        const found = repl?.environment ? environmentMapValues(echo.slice(0, end)) : printedOutput(echo.slice(0, end), "env");
        for (const f of found) out.push({ ...f, start: f.start + eol + 1, end: f.end + eol + 1 });
        recordEnd = eol + 1 + end;
        continue;
      }
      const variable = repl ? repl.names[0] : printedVariable(text, at);
      const printed = repl ? replPrints(repl) : (printsSecret(text, at) ?? (variable === undefined ? undefined : "opaque"));
      // What a decoder printed, or what a command piped into one (`kubectl … jsonpath='{.data.env}' | base64 -d`, `echo $ENV_B64 | base64 -d`):
      // an environment file's lines below it are read as that file's, up to the next prompt (the hits in them its output's words); anything
      // else as the command's (a decoder's: a stored secret).
      const decoded = printed !== undefined && (printed === "decoded" || DECODES.test(text.slice(at, eol)));
      if (decoded && decodedPrints(text, eol + 1) === "env") {
        done = eol;
        const below = text.slice(eol + 1, eol + 1 + DECODED_MAX);
        const end = OUTPUT_END.exec(below)?.index ?? below.length;
        for (const f of printedOutput(below.slice(0, end), "env")) out.push({ ...f, start: f.start + eol + 1, end: f.end + eol + 1 });
        recordEnd = eol + 1 + end;
        continue;
      }
      const prints = printed === "decoded" ? "any" : printed;
      if (!prints) continue;
      done = eol;
      // Values cut out of a file, one a line (`grep -E 'STRIPE|OPENAI' .env | cut -d= -f2`): each line below, up to a blank line or the next prompt.
      if (prints === "values" || prints === "env-values") {
        recordEnd = recordBelow(text, eol + 1, out, (lines) => printedOutput(lines, prints));
        continue;
      }
      OUTPUT.lastIndex = text[eol - 1] === "\r" ? eol - 1 : eol;
      const m = OUTPUT.exec(text);
      if (!m && !repl && prints === "any") {
        if (afterPrompt(text, at)) recordEnd = recordBelow(text, eol + 1, out);
        continue;
      }
      const span = m?.indices?.[2];
      // A REPL's echo is the value's repr (`'…'`): the word inside its quotes is what is printed (a tokenizer's `'<unk>'` is a stand-in).
      const quote = m?.[2] !== undefined && REPR.test(m[2]) ? 1 : 0;
      const value = m?.[2]?.slice(quote, m[2].length - quote);
      const mark = m?.[1] as EchoMark | undefined;
      if (mark !== undefined && !repl?.echo.includes(mark)) continue;
      if ((repl?.quoted && !quote) || (prints === "key" && !KEY_SHAPED.test(value ?? ""))) continue;
      if (prints === "opaque" && !(OPAQUE_VALUE.test(value ?? "") && isOpaqueEnvValue(variable ?? "", value ?? ""))) continue;
      if (span && value && isPrintedSecret(value)) out.push({ start: span[0] + quote, end: span[1] - quote, kind: "secret" });
    }
  },
};

/**
 * A stored secret's record pasted below the command that read it, typed after a prompt (`$ az keyvault secret show …` then its JSON,
 * `$ aws ssm get-parameters-by-path … --with-decryption`, `$ op item get … --format json`): its values, as in the command's own result
 * (secret-record.ts). The record ends at a blank line, the next prompt or a Markdown fence: the user's words may follow. Not at a
 * blank line before a section's heading (`====== Data ======`): `vault kv get` prints its Metadata table, then a blank line, then the data.
 * A line starts only after `\n` (a multiline `^` starts one between `\r` and `\n` too: a CRLF record ended after its first line).
 */
const RECORD_MAX = 65_536;
const RECORD_END = /(?<=^|\n)(?:[ \t]*\r?(?=\n|$)(?!\r?\n=+[ \t][^\r\n]{1,100}[ \t]=+[ \t]*\r?(?:\n|$))|[ \t]*(?:[$%❯][ \t]|```|~~~))/;

/** Whether the command at `at` was typed after a shell's prompt at its line's start (a pasted terminal, not code's docs). */
function afterPrompt(text: string, at: number): boolean {
  const line = lineStart(text, at, COMMAND_LINE_MAX);
  return line !== undefined && PROMPT_COMMAND.test(text.slice(line, at));
}

/** The record's values from `from` into `out` (or what `read` finds in its lines); where the record ends. */
function recordBelow(text: string, from: number, out: Finding[], read: (record: string) => Finding[] = recordValues): number {
  const body = text.slice(from, from + RECORD_MAX);
  const end = RECORD_END.exec(body)?.index ?? body.length;
  for (const f of read(body.slice(0, end))) out.push({ ...f, start: f.start + from, end: f.end + from });
  return from + end;
}

/**
 * The end of the command line holding `at`, or -1 when no line follows: a line ending in `\` goes on
 * to the next (`gcloud secrets versions access latest --secret=db \⏎  --project=p`), whose flags are
 * not the output below it.
 */
export function commandEnd(text: string, at: number): number {
  let eol = text.indexOf("\n", at);
  while (eol > 0 && text[eol - (text[eol - 1] === "\r" ? 2 : 1)] === "\\") eol = text.indexOf("\n", eol + 1);
  return eol;
}

/**
 * What a command prints when it prints a secret: a new random key ("key"), or a stored secret of any shape ("any");
 * or what a file holds that is an environment file ("env"): its assignments are judged as anywhere, and a line that
 * is one random-looking word alone (a value's continuation, read from an offset) is a secret; or OpenVPN's
 * `auth-user-pass` file ("user-pass"): its second line is a password; or a dotfile of no other name ("dotfile",
 * `~/.vp`): all it holds, one word shaped like a password, is one; or pppd's `chap-secrets` or `pap-secrets` ("ppp-secrets"):
 * each line's third word, with or without the header that names the file in it; or a password store's entry ("first-line", `pass show`):
 * its first line is the password, whatever its shape, or after another command's output each line of one word ("entry-lines"), or of several
 * entries alone each line but a field ("entries"); or a one-time code ("otp-code", `pass otp`, `oathtool`): the codes at their lines' start;
 * or what a decoder printed ("decoded", `base64 -d`): an environment file's lines read as "env", anything else as "any" (decodedPrints);
 * or values cut out of a file ("values", `grep -E 'STRIPE|OPENAI' .env | cut -d= -f2`): each line one value, judged as the first; or every
 * value of an environment file ("env-values", `cut -d= -f2 .env`): each line one value of an unknown name, an opaque token's shape going.
 */
export type PrintedSecret = "any" | "key" | "decoded" | "values" | "env-values" | "env" | "process-env" | "config-json" | "user-pass" | "dotfile" | "ppp-secrets" | "config-table" | "first-line" | "entry-lines" | "entries" | "otp-code" | SearchPrints;

/**
 * Whether a shell command (a Bash tool call's) prints a secret, by the rules above. Its output is
 * then in another message, the tool's result, where nothing but the command says what it is:
 * `openssl rand -hex 32` prints 64 hex digits, which alone could be a hash.
 */
export function commandPrints(command: string): PrintedSecret | undefined {
  const dump = dumpPrints(command);
  if (dump) return dump;
  if (OTP_COMMAND_SHOWN.test(command)) return "otp-code";
  if (WIFI_KEY_PRINTED.test(command) || VALUE_READ.test(command)) return "first-line";
  if (command.match(STORE_ENTRIES)?.some(shownHere)) return entryFirst(command) ? "first-line" : entriesOnly(command) ? "entries" : "entry-lines";
  const lower = command.toLowerCase();
  let prints: PrintedSecret | undefined;
  for (const keyword of printedSecretDetector.keywords) {
    for (let at = lower.indexOf(keyword); at >= 0; at = lower.indexOf(keyword, at + keyword.length)) {
      ECHOED_AT.lastIndex = at;
      if (ECHOED_AT.test(command)) continue;
      if (printsEnvironment(command, at)) return "env";
      const found = printsSecret(command, at);
      if (found === "key") return found;
      prints ??= found;
    }
  }
  // What a file shown whole holds (its kind: `cat /etc/ppp/chap-secrets`) says more than a secret's word in its name.
  return shownFilePrints(command) ?? prints ?? environmentPrints(command) ?? searchPrints(command);
}

/**
 * A file of secrets printed decrypted, whatever the names in it (`stripe: …`, `vault_stripe: …`): `sops -d` (`sops decrypt`),
 * `ansible-vault view` (`decrypt --output -`), `rails credentials:show`, `infisical export`, `dotenvx decrypt --stdout`,
 * `helm secrets view` or `decrypt`. Its values are judged as an environment file's.
 */
const DECRYPTED_DUMP =
  /(?<![\w-])(?:sops[ \t](?:[^\r\n|;&]{0,200}?[ \t])?(?:-d|--decrypt|decrypt)(?![\w-])|ansible-vault[ \t]+(?:view|decrypt[^\r\n|;&]{0,200}?--output[ \t=]+-(?![\w-]))|credentials:show|infisical[ \t]+export|dotenvx[ \t]+decrypt[^\r\n|;&]{0,200}?--stdout|helm[ \t]+secrets[ \t]+(?:view|decrypt|dec)(?=[ \t]))/i;

/**
 * A diff of an environment file (`git diff .env`, `git diff --cached .env.local`, `git log -p -- .env`, `diff .env .env.example`, `diff -u`):
 * its lines, after their `+` or `-` (diff's `<` or `>`), are the file's (env-pairs.ts diffLinesAsLines). The words after the command, up to
 * the command's end, name the files.
 */
const GIT_DIFF = /(?<![\w-])(?:git[ \t]+(?:diff|show|log|stash[ \t]+show)|(?:col)?diff)(?=[ \t])([^\r\n|;&]{0,300})/gi;
const diffsEnvFile = (command: string): boolean =>
  [...command.matchAll(GIT_DIFF)].some((m) => (m[1] as string).split(/[ \t]+/).some((word) => filePrints(word.replace(/^["']|["']$/g, "")) === "env"));

/**
 * A project's config printed as JSON, every leaf of which is a secret whatever its key: `firebase functions:config:get` (the values
 * `functions:config:set stripe.key=…` stored, nested by their dots; with a key's path, that value alone or its branch); a Kubernetes
 * secret's whole data (`kubectl get secret app -o jsonpath='{.data}'`, in base64, or decoded by jq: `-o json | jq '.data | map_values(@base64d)'`).
 */
const CONFIG_JSON = /(?<![\w-])functions:config:get(?![\w:-])|(?<![\w-])kubectl[ \t](?:[^\r\n|;&]{0,300}[ \t])?get[ \t]+secrets?(?=[ \t\/])(?=[^\r\n;&]{0,300}(?:jsonpath=["']?\{\.data\}|\|[ \t]*jq[ \t][^\r\n;&]{0,200}@base64d))/i;
/** A JSON object's string value, after its key (both bounded). */
const JSON_LEAF = /"(?:[^"\\\r\n]|\\[^\r\n]){0,200}"[ \t]*:[ \t]*"((?:[^"\\\r\n]|\\[^\r\n]){1,1000})"/dg;

/** A text that opens a JSON object. */
const JSON_OBJECT_START = /^\s*\{/;

/** A value printed alone, a key's path given: one JSON string. */
const ONE_STRING = /^\s*"((?:[^"\\\r\n]|\\[^\r\n]){1,1000})"\s*$/d;

/** Every string value of such a config's JSON that is no stand-in, or the one it printed alone. */
function configLeaves(text: string): Finding[] {
  const out: Finding[] = [];
  for (const m of text.matchAll(JSON_LEAF)) {
    const span = m.indices?.[1];
    if (span && isPrintedValue(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "secret", ...widenedIfCut(m[1] as string) });
  }
  const alone = out.length > 0 ? null : ONE_STRING.exec(text);
  const span = alone?.indices?.[1];
  if (alone && span && isPrintedValue(alone[1] as string)) out.push({ start: span[0], end: span[1], kind: "secret", ...widenedIfCut(alone[1] as string) });
  return out;
}

const SOPS_EXTRACT = /(?<![\w-])sops[ \t][^\r\n|;&]{0,300}--extract(?![\w-])/;

/**
 * What a command prints that is a whole file of secrets, read as `printedOutput` reads it: a decrypted dump ("env"), a stack's
 * config with its secrets shown ("config-table") or a project's as JSON ("config-json"). Undefined for any other command.
 */
export function dumpPrints(command: string): "env" | "config-table" | "config-json" | undefined {
  // One value cut out of the file (`sops -d --extract '["db"]["password"]' …`) is no file: printed alone, SECRET_COMMAND's.
  if (SOPS_EXTRACT.test(command)) return undefined;
  if (CONFIG_JSON.test(command)) return "config-json";
  if (DECRYPTED_DUMP.test(command) || CONFIG_VARS_SHOWN.test(command) || diffsEnvFile(command)) return "env";
  return CONFIG_SHOWN.test(command) ? "config-table" : undefined;
}

/**
 * A platform's config vars printed with their values: `heroku config` (not `config:get`, one value, nor `config:set`), `dokku config:show`,
 * `netlify env:list --plain`, `npx convex env list`, `eas env:list`, `terraform output` of every output (`-raw` prints one, `-json` JSON),
 * `pm2 env <id>` (a process's environment), `railway variables --kv` (`--json`: its `"NAME": "value",` lines; without either, a box:
 * env-array.ts), Azure's app settings (`az webapp config appsettings list`, `functionapp`'s: `{"name": …, "value": …}` objects, their
 * values' `"value": "…"` lines; `-o table`'s are CONFIG_SHOWN's), `gh variable list --json name,value` (the same objects; its table is CONFIG_SHOWN's), `doppler secrets --json` (`"computed": "…"`), `vercel env pull
 * /dev/stdout` (the `.env` file it writes, printed); and a secret store's whole environment: `chamber export` (not into a file, `-o`),
 * `dotenvx get` with no key's name (`{"FOO":"…",…}`), `doppler secrets download --no-file`. Their `NAME: value` and `NAME=value` lines are
 * read as an environment file's, and a JSON object's entries on one line too.
 */
/** A secret store's whole environment printed (above): chamber's export to stdout, dotenvx's get of no key, doppler's download without a file. */
const STORE_EXPORT = String.raw`chamber[ \t]+export(?![^\r\n|;&]{0,200}[ \t](?:-o|--output-file)(?![\w-]))|dotenvx[ \t]+get(?:[ \t]+-[\w-]+(?:[ \t=]+(?!-)[^\s|;&]+)?){0,5}[ \t]*(?=$|[\r\n|;&>])|doppler[ \t]+secrets[ \t]+download(?=[^\r\n|;&]{0,200}[ \t]--no-file(?![\w-]))`;
/** Azure's app settings listed (a web app's, a function app's), and that listing's table (`-o table`, `--output table`). */
const APP_SETTINGS = String.raw`(?:webapp|functionapp)[ \t]+config[ \t]+appsettings[ \t]+list`;
const AS_TABLE = String.raw`[^\r\n|;&]{0,200}[ \t](?:-o|--output)[ \t=]+table`;
/**
 * An app's table of settings read whole by sqlite3 (`sqlite3 app.db "select name, value from settings"`, `select * from app_config;`): its
 * rows as sqlite3 prints them, cells between bars (`upstream|…`, `3|upstream|…`).
 */
const SETTINGS_QUERY = String.raw`sqlite3[ \t][^\r\n]{0,300}?[ \t]from[ \t]+["'\x60\[]?(?:\w{1,40}_)?(?:settings|config|configs|configuration|options|secrets|credentials|env|environment|variables|api_keys|tokens)(?![\w-])`;
/** GitHub's Actions variables listed (`gh variable list`, a repository's, an org's, an environment's), and that listing as JSON (`--json name,value`). */
const GH_VARIABLES = String.raw`gh[ \t]+variable[ \t]+(?:list|ls)(?![\w-])`;
const AS_JSON = String.raw`[^\r\n|;&]{0,200}[ \t]--json(?![\w-])`;
const CONFIG_VARS_SHOWN = new RegExp(
  String.raw`(?<![\w-])(?:(?:heroku|dokku)[ \t]+config(?::show)?(?![\w:-])|pm2[ \t]+env[ \t]+[\w-]|netlify[ \t]+env:list|convex[ \t]+env[ \t]+list|eas[ \t]+env:list|terraform[ \t]+output(?:[ \t]+-(?!raw|json)[\w-]+(?:=\S+)?)*[ \t]*(?=$|[\r\n|;&>])|railway[ \t]+variables(?=[^\r\n|;&]{0,200}[ \t](?:--kv|-k|--json)(?![\w-]))|${APP_SETTINGS}(?!${AS_TABLE})|${GH_VARIABLES}(?=${AS_JSON})|(?:vercel|vc)[ \t]+env[ \t]+pull(?=[^\r\n|;&]{0,200}[ \t]\/dev\/(?:stdout|fd\/1)(?![\w\/-]))|doppler[ \t]+secrets(?![ \t]+[a-z])(?=[^\r\n|;&]{0,200}[ \t]--json(?![\w-]))|${STORE_EXPORT})`,
  "i",
);

/** pass's own commands: `pass <word>` with any other word shows the entry so named (`pass email/work`). */
const PASS_COMMANDS = "init|ls|list|grep|find|search|show|insert|add|edit|generate|rm|remove|delete|mv|rename|cp|copy|git|help|version|otp|import|update|tomb|open|close|audit|clip";
/** gopass's, which `gopass <word>` is the same way (an entry may be named as one of pass's that gopass has not: `pass config`). */
const GOPASS_COMMANDS = `${PASS_COMMANDS}|age|alias|cat|clone|completion|config|convert|create|new|env|fsck|fscopy|fsmove|history|hist|link|ln|merge|mounts|move|process|pwgen|rcs|recipients|set|setup|sum|sha|sha256|sync|templates|totp|unclip`;
/**
 * The entry's name after the store's command: a word that is none of its commands (`commands`), no flag. Show's flags may come
 * before it (`gopass -o work/db`: pass and gopass hand such a command line to show).
 */
const entryName = (commands: string) => String.raw`(?:[ \t]+-[\w-]{1,30}){0,5}[ \t]+(?!(?:${commands})(?![^\s|;&<>]))[^\s|;&<>-][^\s|;&<>]{0,299}`;
/** Where a command starts: a line's start, or after `;`, `&`, `|`, `(`, sudo or a shell's prompt, and the variables set for it. */
/**
 * Prompts that end in no `$`, `%` or `❯`, at a line's start (a `#` or an arrow further on is a comment's or prose's): root's `#` after
 * user@host (`root@box:/# `, `[root@host ~]# `), PowerShell's (`PS C:\app> `), oh-my-zsh's arrow, its folder and branch (`➜  app git:(main) ✗ `).
 */
const OTHER_PROMPTS = String.raw`^[ \t]*(?:\[?[\w.-]{1,64}@[^\s@#]{1,100}(?:[ \t]+[^\s#]{1,100})?[ \t]*#|PS[ \t]+(?:[A-Za-z]:|\/|~)[^>\r\n]{0,200}>|➜(?:[ \t]+\S{1,100}(?:[ \t]+git:\([^)\r\n]{1,100}\))?(?:[ \t]+✗)?)?)`;
const COMMAND_START = String.raw`(?<=(?:^|[;&|(]|\bsudo|[$%❯]|${OTHER_PROMPTS})[ \t]*(?:[A-Za-z_]\w{0,60}=[^\s;&|]{0,300}[ \t]+){0,10})`;
/** Its first lines kept when piped on (`pass show a | head -1`, `head -n 2`): what is printed is still the entry. */
const TO_HEAD = String.raw`[ \t]*\|[ \t]*head(?:[ \t]+-(?:n[ \t]*)?\d{1,4})?`;
const TO_HEAD_AT = new RegExp(TO_HEAD);
/**
 * A password store's entry printed as it is (`pass show name`, `gopass show [-o] name`, `pass name` or `gopass name` where a command
 * starts, or after a shell's prompt), its output not piped on (but to head): by their convention its first line is the password, the
 * rest its fields (`login: …`). A later command's output may follow.
 */
const STORE_ENTRY = String.raw`(?:(?<![\w-])(?!${ECHOED})(?:go)?pass[ \t]+show(?:[ \t]{1,20}[^\s|;&<>]{1,300}){1,10}|${COMMAND_START}(?:pass${entryName(PASS_COMMANDS)}|gopass${entryName(GOPASS_COMMANDS)}))(?:${TO_HEAD})?[ \t]*(?=$|[;&\r\n])`;
const STORE_ENTRY_SHOWN = new RegExp(STORE_ENTRY, "m");
const STORE_ENTRIES = new RegExp(STORE_ENTRY, "gm");
/**
 * The store's command first of what its command line prints: only `cd …` (which prints nothing), variables and sudo before it.
 * After another command (`git pull && pass show x`: "Already up to date." comes first) or beside another entry, its
 * password is no longer the output's first line.
 */
const ENTRY_FIRST = /^[ \t]*(?:cd(?:[ \t]+[^;&|\r\n]{1,300}?)?[ \t]*(?:&&|;)[ \t]*)*(?:sudo[ \t]+)?(?:[A-Za-z_]\w{0,60}=[^\s;&|]{0,300}[ \t]+){0,10}(?=(?:go)?pass[ \t])/;
/** The one entry is the store's command that starts the line: one piped on before it (`pass show a | grep login; pass show b`) prints first. */
function entryFirst(command: string): boolean {
  const head = ENTRY_FIRST.exec(command);
  if (!head || (command.match(STORE_ENTRIES)?.length ?? 0) !== 1) return false;
  STORE_ENTRY_AT.lastIndex = head[0].length;
  return STORE_ENTRY_AT.test(command);
}
/**
 * Several entries and nothing else (`pass show a && pass show b`, `cd` between): each step of the command line (between `&&`, `;`
 * and line ends) a `cd` or a store's entry shown, none piped.
 */
const COMMAND_STEP = /&&|;|\r?\n/;
const CD_STEP = /^[ \t]*(?:cd(?:[ \t][^|]*)?)?$/;
const entriesOnly = (command: string) =>
  command.split(COMMAND_STEP).every((step) => CD_STEP.test(step) || (ENTRY_FIRST.test(step) && STORE_ENTRY_SHOWN.test(step) && !step.replace(TO_HEAD_AT, "").includes("|")));
const STORE_ENTRY_AT = new RegExp(STORE_ENTRY, "my");
/**
 * A current one-time code printed: pass-otp's `pass otp [code] name`, `gopass otp [-o] name` (`totp`), or oathtool given its seed
 * (`oathtool --totp -b <seed>`, `-w 3` prints four), where a command starts or after a shell's prompt. Not their commands that print
 * no code (`pass otp insert`, `uri`: the seed, which the TOTP rule reads; `oathtool --help`).
 */
const OTP_COMMAND = String.raw`${COMMAND_START}(?:(?:go)?pass[ \t]+t?otp(?:[ \t]+code)?(?:[ \t]+-[\w-]+)*[ \t]+(?!(?:insert|append|validate|uri|help)(?![^\s|;&<>]))[^\s|;&<>-]|oathtool[ \t](?!(?:[^\r\n|;&]{0,300}[ \t])?--?(?:h|help|V|version)(?![\w-])))`;
const OTP_COMMAND_SHOWN = new RegExp(OTP_COMMAND, "m");
const OTP_COMMAND_AT = new RegExp(OTP_COMMAND, "my");
/** The code on its line's start, as they print it ("493021", gopass's "493021 lasts 23s |====  |"): 6 to 8 digits. */
const OTP_CODE = String.raw`[ \t]*(\d{6,8})(?![\w.,:])`;
const OTP_CODE_LINE = new RegExp(`^${OTP_CODE}`, "dgm");
/** The code on the line below its command, in a pasted terminal. */
const OTP_CODE_BELOW = new RegExp(OTP_CODE, "dy");
/** What `oathtool -v` prints before its codes: its settings' lines (the seed's among them, the TOTP rule's), then a blank line. */
const OATHTOOL_VERBOSE = /(?:(?:Hex secret|Base32 secret|OTP|Digits|Window size|Step size \(seconds\)|Start time|Current time|Counter|Start counter):[^\r\n]{0,300}\r?\n){1,12}(?:[ \t]*\r?\n)?/y;
/** The most codes read below one command: `oathtool -w 31` prints 32. */
const CODES_BELOW_MAX = 32;

/** The codes on the lines below their command from `from`, in a pasted terminal: one a line, past oathtool's settings. */
function codesBelow(text: string, from: number): Finding[] {
  OATHTOOL_VERBOSE.lastIndex = from;
  let line = OATHTOOL_VERBOSE.test(text) ? OATHTOOL_VERBOSE.lastIndex : from;
  const out: Finding[] = [];
  for (let n = 0; n < CODES_BELOW_MAX && line > 0; n++) {
    OTP_CODE_BELOW.lastIndex = line;
    const span = OTP_CODE_BELOW.exec(text)?.indices?.[1];
    if (!span) break;
    out.push({ start: span[0], end: span[1], kind: "secret" });
    line = text.indexOf("\n", span[1]) + 1;
  }
  return out;
}

function otpCodes(text: string): Finding[] {
  const out: Finding[] = [];
  OTP_CODE_LINE.lastIndex = 0;
  for (let m = OTP_CODE_LINE.exec(text); m; m = OTP_CODE_LINE.exec(text)) {
    const span = m.indices?.[1];
    if (span) out.push({ start: span[0], end: span[1], kind: "secret" });
  }
  return out;
}

/** Shown elsewhere: copied to the clipboard (`gopass -c work/db` too), as a QR code. */
const STORE_ENTRY_ELSEWHERE = /(?<![\w-])(?:go)?pass(?:[ \t][^\r\n|;&]{0,300})?[ \t](?:-c|--clip|-q|--qrcode|--qr)(?![\w-])/;
/** An entry's command (a STORE_ENTRIES match) that prints it: one copied beside another shown (`pass show a && pass show -c b`) hides not the other. */
const shownHere = (entry: string) => !STORE_ENTRY_ELSEWHERE.test(entry);

/**
 * A shell's prompt before a command on its line (`$ `, `me@box:~$ `, `❯ `, OTHER_PROMPTS): a pasted terminal. zsh's `%` only at the
 * line's start or after `user@host` and its folder (`me@mbp ~ % `, `[me@mbp ~]% `): after a figure it is a percentage ("about 50% pass show x").
 */
const PROMPT_BEFORE = new RegExp(String.raw`(?:[$❯]|^[ \t]*%|@[^\s@%]{1,100}(?:[ \t]+(?!\d+[ \t]*%)[^\s%]{1,100})?[ \t]*%|${OTHER_PROMPTS})[ \t]+$`);
const PROMPT_LINE = new RegExp(String.raw`^[ \t]*\S*(?:[$%❯]|${OTHER_PROMPTS})[ \t]`);

/**
 * A store's entry shown after a shell's prompt (`$ pass show email/work`, `$ pass email/work`, `$ gopass show -o x`) in a
 * pasted terminal, its command at `at` ending its line at `eol`: the first line below is the password, whatever its shape,
 * as in the command's own result (entryPassword); below `$ pass otp x` or `$ oathtool --totp -b …`, the codes on them. Undefined when the command is none of these.
 */
function promptedEntry(text: string, at: number, eol: number): Finding[] | undefined {
  // Only after a prompt's space; its line's start looked for 200 characters back at most ("pass " ends common words, and
  // a walk back to the start of a megabyte line at each of its hits made a minified file's redaction take seconds).
  const c = text.charCodeAt(at - 1);
  if (c !== 0x20 && c !== 0x09) return undefined;
  const line = lineStart(text, at, 200);
  if (line === undefined) return undefined;
  const before = text.slice(line, at);
  if (!PROMPT_BEFORE.test(before)) return PROMPT_COMMAND.test(before) ? entryAfterOutputBelow(text, line, eol) : undefined;
  OTP_COMMAND_AT.lastIndex = at;
  if (OTP_COMMAND_AT.test(text)) return codesBelow(text, eol + 1);
  STORE_ENTRY_AT.lastIndex = at;
  const command = text.slice(at, eol);
  // Not an entry shown here (`$ pass show a | grep login; pass show b`): the line may still show one after its output.
  if (!STORE_ENTRY_AT.test(text) || STORE_ENTRY_ELSEWHERE.test(command)) return entryAfterOutputBelow(text, line, eol);
  const entries = command.match(STORE_ENTRIES)?.length ?? 0;
  return entries > 1 && entriesOnly(command) ? linesBelow(text, eol + 1, entries, isPastedEntriesLine) : entryLine(text, eol + 1);
}

/** A shell's prompt at a line's start, then the command line; a figure's `%` is none ("50% of the time I run … pass show x"). */
const COMMAND_LINE_MAX = 1000;
const PROMPT_COMMAND = new RegExp(String.raw`^[ \t]*(?:\S*[$❯]|(?:\S*[^\s\d])?%|\S*(?:${OTHER_PROMPTS}))[ \t]+`);

/**
 * A store's entry after another command on the prompt's line (`$ git pull && pass show a`, `$ cd x && pass show a`): its command
 * line read as a Bash call's is (commandPrints): one entry first, the line below; after another command's output each line below
 * of one word, one an entry. Undefined for any other reading.
 */
function entryAfterOutputBelow(text: string, line: number, eol: number): Finding[] | undefined {
  // A command line typed at a prompt, not a long line (each hit on it would read it whole again: linear time).
  if (eol - line > COMMAND_LINE_MAX) return undefined;
  const command = text.slice(line, eol).replace(PROMPT_COMMAND, "");
  const prints = commandPrints(command);
  const entries = command.match(STORE_ENTRIES)?.length ?? 0;
  // One entry first of what the line prints (`$ cd ~/.password-store && pass show a`), or a password manager's one value (`$ op read …`:
  // no store's entry): its first line, as right after the prompt.
  if (prints === "first-line" && entries <= 1) {
    const found = entryLine(text, eol + 1);
    // A store's value that is a JSON object (pretty-printed too): each of its values, as in the command's own result.
    if (JSON_OBJECT_START.test(text.slice(eol + 1, eol + 101))) recordBelow(text, eol + 1, found, configLeaves);
    return found;
  }
  return prints === "entry-lines" ? linesBelow(text, eol + 1, entries, isEntryLine) : undefined;
}

/** A line below a pasted command: its text (group 1), or none when blank. */
const LINE_BELOW = /[ \t]*(\S(?:[^\r\n]{0,998}\S)?)?[ \t]*\r?(?:\n|$)/dy;
/** gopass's header (`Secret: name`), which a blank line follows. */
const HEADER_TEXT = /^Secret:[ \t]*\S+$/;

/**
 * A line of entries shown after another command's output that is a password: one word (one with spaces stays: no line is
 * known to be the password; a message, a field (`login: bob`), a tree have spaces).
 */
const isEntryLine = (line: string) => !/\s/.test(line) && line.length >= 4 && isPrintedValue(line);
/**
 * A line of several entries shown alone that is a password: where one entry ends and the next starts is not known, so each
 * line but a field's, whatever its shape (`correct horse battery`); an entry's notes with it, as secret as its password.
 */
const isEntriesLine = (line: string) => !NOT_ENTRY_PASSWORD.test(line) && isPrintedValue(line);
/** The same below a pasted prompt, where the user's words may follow: up to five words. */
const isPastedEntriesLine = (line: string) => isEntriesLine(line) && line.split(/[ \t]+/).length <= ENTRY_WORDS_MAX;

/**
 * The passwords of `count` entries shown after a prompt: as in their command's result (passwordLines) each line
 * `isPassword` takes, up to one an entry, as the user's words may follow; the output ends at a blank line or the next prompt.
 */
function linesBelow(text: string, from: number, count: number, isPassword: (line: string) => boolean): Finding[] {
  const out: Finding[] = [];
  let afterHeader = false;
  LINE_BELOW.lastIndex = from;
  for (let lines = 0, m = LINE_BELOW.exec(text); m && lines < count * 20 && out.length < count && m[0] !== ""; lines++, m = LINE_BELOW.exec(text)) {
    const line = m[1];
    const span = m.indices?.[1];
    if (line === undefined && afterHeader) continue;
    if (line === undefined || !span || PROMPT_LINE.test(line)) break;
    afterHeader = HEADER_TEXT.test(line);
    if (isPassword(line)) out.push({ start: span[0], end: span[1], kind: "secret" });
  }
  return out;
}

/**
 * A stack's config with its secrets shown (`pulumi config --show-secrets`): a KEY and VALUE table, the secrets unmarked in it. So is
 * PowerShell's listing of the environment (`Get-ChildItem Env:`, `gci env:`, `dir env:`, `ls env:`), a Name and Value table, and
 * an app's settings table read by sqlite3 (SETTINGS_QUERY: `name|value` rows), GitHub's Actions variables (`gh variable list`: a NAME, VALUE and UPDATED table, or tab-separated lines with no header when piped, as
 * Claude Code's Bash tool runs it; `gh secret list` prints names alone), chamber's secret read without `-q` (`chamber read service key`: a Key, Value, Version, LastModified and User table; `-q`
 * prints the value alone, PRINT_VARIABLE's), Azure's app settings as a table (a Name, Value and SlotSetting table), and `doppler secrets`
 * and `infisical secrets` as their boxes (`│ NAME │ VALUE │ NOTE │`, `│ SECRET NAME │ SECRET VALUE │ SECRET TYPE │`, `--raw`'s `│ NAME │ VALUE │ RAW │`; doppler's `--json`
 * object is CONFIG_VARS_SHOWN's, `get` one secret's), and `upstash redis list`'s databases
 * (as upstash/cli prints them: one table of fields per database, `password`, `rest_token` and `read_only_rest_token` among them, or their JSON with `--json`,
 * the only output of its 2026 versions), and one database's as `upstash redis get`, `create` and `reset-password` print it.
 */
const CONFIG_SHOWN = new RegExp(
  String.raw`(?<![\w-])(?:pulumi[ \t]+config(?=[ \t])[^\r\n|;&]{0,200}?[ \t]--show-secrets(?![\w-])|(?:get-childitem|gci|dir|ls)[ \t]+(?:-path[ \t]+)?env:(?![\w:])|chamber[ \t]+read(?![^\r\n|;&]{0,300}[ \t](?:-q|--quiet)(?![\w-]))(?=[ \t])|${APP_SETTINGS}(?=${AS_TABLE})|${GH_VARIABLES}(?!${AS_JSON})|${SETTINGS_QUERY}|(?:doppler|infisical)[ \t]+secrets(?![ \t]+[a-z])(?![^\r\n|;&]{0,200}[ \t]--(?:json|only-names)(?![\w-]))|upstash[ \t]+redis[ \t]+(?:list|get|create|reset-password)(?![\w-]))`,
  "i",
);
/**
 * The tables' headers, each with its rows: a key (pulumi's after the project's name and `:`: group 1), spaces, a value (group 2):
 * one word; in Upstash's, a field named for a password or a
 * token (`read_only_rest_token`), then any words (JSON's: its quoted string); in chamber's (its columns tab-aligned, spaces once pasted) any words up to the version's number, the date
 * (`06-09 17:30:56`) and the user; in Azure's, any words up to its SlotSetting's True or False; in Doppler's and Infisical's boxes, any words between bars. A row's spaces are read once (the value ends where a run of them starts): linear.
 */
const CONFIG_TABLES: [header: RegExp, row: RegExp, isSecret?: (name: string, value: string) => boolean][] = [
  [/^[ \t]*(?:KEY[ \t]+VALUE|Name[ \t]+Value)[ \t]*\r?$/m, /^[ \t]*(?:[^\s:]+:)?(\S+)[ \t]+(\S+)[ \t]*\r?$/dgm],
  [
    /^[ \t]*Key[ \t]+Value[ \t]+Version[ \t]+LastModified[ \t]+User[ \t]*\r?$/m,
    /^[ \t]*(\S+)[ \t]+(\S[^\r\n]*?)(?<=\S)[ \t]+\d{1,9}[ \t]+\d\d-\d\d[ \t]+\d\d:\d\d:\d\d(?:[ \t]+\S+)?[ \t]*\r?$/dgm,
  ],
  // sqlite3's rows (no header: list mode's default), an id's cell or none first, then a name and its value.
  [/^/, /^(?:\d{1,12}\|)?([A-Za-z_][\w.-]{0,100})\|([^|\s]{1,1000})(?:\|[^\r\n]*)?\r?$/dgm, isVariableSecret],
  // gh's, its header or none (piped): a name, its value, then when it was updated (an ISO time, "about 2 days ago", "Mar 3, 2025").
  [/^/, /^[ \t]*([A-Za-z_]\w{0,100})[ \t]+(\S+)[ \t]+(?:\d{4}-\d\d-\d\dT[\d:.]+Z|[^\r\n]{0,40}?\bago|[A-Z][a-z]{2}[ \t]\d{1,2},[ \t]\d{4})[^\r\n]*$/dgm, isVariableSecret],
  [/^[ \t]*Name[ \t]+Value[ \t]+SlotSetting[ \t]*\r?$/m, /^[ \t]*(\S+)[ \t]+(\S[^\r\n]*?)(?<=\S)[ \t]+(?:True|False)[ \t]*\r?$/dgm, isAppSetting],
  [/^[ \t]*│[ \t]*(?:SECRET[ \t]+)?NAME[ \t]*│[ \t]*(?:SECRET[ \t]+)?VALUE[ \t]*│/m, /^[ \t]*│[ \t]*([^\s│]+)[ \t]*│[ \t]*([^\s│](?:[^│\r\n]*[^\s│])?)[ \t]*│/dgm, isDopplerSecret],
  // `doppler secrets --raw`: a third column, each value as written before its references were filled in (`${DB.PASS}`, or the value again).
  [/^[ \t]*│[ \t]*NAME[ \t]*│[ \t]*VALUE[ \t]*│[ \t]*RAW[ \t]*│/m, /^[ \t]*│[ \t]*([^\s│]+)[ \t]*│[^│\r\n]*│[ \t]*([^\s│](?:[^│\r\n]*[^\s│])?)[ \t]*│/dgm, isDopplerSecret],
  // upstash/cli's own (src/commands/redis/list.ts): each database's fields as key and value rows from its id and name on; with --json, as JSON.
  [/^[ \t]*database_(?:id|name)[ \t]+\S/m, /^[ \t]*((?:[a-z]+_){0,4}(?:password|token))[ \t]+(\S[^\r\n]*?)(?<=\S)[ \t]*\r?$/dgm, isPasswordColumn],
  [/^[ \t]*"database_(?:id|name)"[ \t]*:/m, /^[ \t]*"((?:[a-z]+_){0,4}(?:password|token))"[ \t]*:[ \t]*"((?:[^"\\\r\n]|\\.){1,1000})"/dgm, isPasswordColumn],
];

/**
 * A config table's value that is a secret: drawn at random, or under a key whose own name is a secret's (`myapp:dbPassword  S3cr3t!x`),
 * or a provider's credential under its name alone (PowerShell's `STRIPE  correcthorse42`).
 */
function isConfigSecret(name: string, value: string): boolean {
  return looksRandom(value) || SECRET_KEY.test(name) || (PROVIDER_VARIABLE.test(name) && isProviderCredential(value));
}

/** A variable's value that is a secret, as a config table's, but a commit's hash or a UUID under a name of no secret (`GIT_SHA  8f14e45…`). */
function isVariableSecret(name: string, value: string): boolean {
  return isConfigSecret(name, value) && (SECRET_KEY.test(name) || !HEX_OR_UUID.test(value));
}

/**
 * An app's settings hold its secrets under any name (`STRIPE  correcthorse`), so each value goes but Azure's own settings
 * (`FUNCTIONS_WORKER_RUNTIME`, `WEBSITE_…`, its runtimes' `ASPNETCORE_ENVIRONMENT`), a name meant public or naming no secret (`API_HOST`, `NEXT_PUBLIC_…`: PUBLIC_NAME), and
 * a value that is a flag, a number, a version, a host, a path or a URL (`true`, `~18`, `api.example.com`).
 */
const PLATFORM_SETTING = /^(?:FUNCTIONS_|WEBSITES?_|SCM_|XDT_|DIAGNOSTICS_|APPINSIGHTS_|ASPNETCORE_|DOTNET_|AzureWebJobs(?!Storage|Dashboard))/i;
function isAppSetting(name: string, value: string): boolean {
  return isConfigSecret(name, value) || !(PLATFORM_SETTING.test(name) || PUBLIC_NAME.test(name) || PLAIN_SETTING.test(value));
}

/** A database's password or token, whatever its shape: its column or its field is named so. */
function isPasswordColumn(): boolean {
  return true;
}

/** Every value of `doppler secrets`' and `infisical secrets`' boxes is a secret's (their stores hold nothing else) but Doppler's own rows (`DOPPLER_PROJECT  shop`). */
function isDopplerSecret(name: string): boolean {
  return !name.startsWith("DOPPLER_");
}

/**
 * The values under a config table's VALUE that its judge takes (isConfigSecret unless the table has its own), not stand-ins
 * (chamber's `db_password  hunter2!` goes; a region, a flag, a name stays).
 */
function configValues(text: string): Finding[] {
  const out: Finding[] = [];
  for (const [headerLine, row, isSecret = isConfigSecret] of CONFIG_TABLES) {
    const header = headerLine.exec(text);
    if (header === null) continue;
    row.lastIndex = header.index + header[0].length;
    for (let m = row.exec(text); m; m = row.exec(text)) {
      const [, name, value] = m as unknown as [string, string, string];
      const span = m.indices?.[2];
      if (span && isSecret(name, value) && !isStandIn(value)) out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  }
  return out;
}

/**
 * A file shown whole (`cat .env.staging`, `head -n 20 .env`, `Get-Content .env`, `type .env`): its name, one per match; before the
 * end of a `$(…)` or backticks that hold the command (`echo $(cat .env)`).
 */
const SHOWN_FILE = new RegExp(String.raw`(?<![\w-])${FILE_VIEWER}[ \t]+["']?([^\s"'|;&<>)\x60]{1,300})`, "gi");

/**
 * A process's whole environment printed, as an environment file is (`env`, `printenv` with no name,
 * `export -p`, bash's `declare -p` and `declare -x` (with names or none: `declare -x STRIPE="…"` lines), `set` alone (cmd's, or a shell's variables), `docker exec app env`, `kubectl exec pod -- env`, `doppler secrets download --format env`,
 * a process's as Linux keeps it (`cat /proc/1/environ | tr '\0' '\n'`, `xargs -0 -L1 -a /proc/self/environ`, `strings /proc/<pid>/environ`),
 * `kubectl set env deploy/api --list`, `systemctl show-environment` (systemd's manager's), a container's through a template
 * (`docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' api`), a workload's described (`kubectl describe pod api`: its
 * containers' `Environment:` blocks, `NAME:  value`), an app's on a platform (Elastic Beanstalk's `eb printenv`: `NAME = value`; Cloud
 * Foundry's `cf env app`: `VCAP_SERVICES`' JSON, then the `User-Provided:` block's `NAME: value`), a launchd job's or a process's on macOS
 * (`launchctl print gui/501/<label>`, `launchctl procinfo <pid>`: their `environment = {` block's `NAME => value` lines):
 * `NAME=value` lines whose names need not say which hold a key. `env NAME=x cmd` runs a command; `env NAME=x` and `env -u NAME`
 * alone print the environment so changed. After a command that runs the one
 * after it (`time env`, `nice -n 10 env`, `nohup env`, `sudo -E env`, `env -i FOO=1 env`, `DEBUG=1 env`: command-wrappers.ts), as alone.
 */
const DUMP_START = String.raw`(?:^|[|;&(][ \t]*|--[ \t]+)${WRAPPED}`;
const ENV_DUMP = new RegExp(
  String.raw`${DUMP_START}(?:printenv|env${ENV_OPTIONS}|export[ \t]+-p|set|cmd(?:\.exe)?[ \t]+\/c[ \t]+set)[ \t]*(?=$|[|;&>)])|${DUMP_START}(?:declare|typeset)[ \t]+-[A-Za-z]*[px][A-Za-z]*(?:[ \t]+[A-Za-z_]\w{0,100}){0,20}[ \t]*(?=$|[|;&>)])|\b(?:exec|run|ssh)\b[^\r\n|;&]{0,200}(?:[ \t]|(?:-C|--command)=)["']?(?:printenv|env)["']?(?:[ \t]+-{1,2}[A-Za-z][\w-]{0,40}(?:[ \t=]+[^\s|;&"'-][^\s|;&"']{0,200})?){0,5}[ \t]*(?=$|[|;&>)])|doppler[ \t]+secrets[ \t]+download[^\r\n|;&]{0,200}--format[ \t=]+(?:env|dotenv)|kubectl[ \t]+set[ \t]+env[^\r\n|;&]{0,300}[ \t]--list(?![\w=-])|systemctl(?:[ \t]+--(?:user|system))?[ \t]+show-environment(?![\w-])|docker[ \t]+(?:container[ \t]+)?inspect[^\r\n|;&]{0,300}\{\{[ \t]*range[ \t]+\.Config\.Env[ \t]*\}\}|\/proc\/(?:\d{1,10}|self|\$\$|\$\w{1,40})\/environ(?![\w.-])|(?<![\w-])kubectl(?:[ \t]+[^\s|;&]{1,100}){0,6}?[ \t]+describe[ \t]+(?:po|pods?|deploy|deployments?|sts|statefulsets?|ds|daemonsets?|rs|replicasets?|jobs?|cj|cronjobs?)(?=[ \t\/.]|$)|(?<![\w-])(?:eb[ \t]+printenv|cf[ \t]+env)(?![\w-])|(?<![\w-])launchctl[ \t]+(?:print|procinfo)[ \t]+[^\s|;&]`,
  "m",
);

/**
 * `ps` with BSD's `e` among its options (`ps e`, `ps auxeww`, `ps axeo pid,args`, `ps eww -p 1234`, `ps -p 1234 e`, `ps -A e`, `ps --forest e`): each
 * process's environment follows its command line. Not `ps -e` (every process, UNIX's options), nor an option's value (`ps -u e`). procps'
 * options (ps(1)): UNIX's after a dash, grouped, of which those that take a value end the group with it, attached or the next word (`-C`,
 * `-G`, `-g`, `-p`, `-q`, `-s`, `-t`, `-U`, `-u`, `-O`, `-o`: `-eopid,args`, `-o user`); GNU's after two dashes, some with a value
 * (`--pid 1`, `--sort=-rss`); BSD's without a dash, grouped, of which `p`, `q`, `t`, `U`, `O`, `o` and `k` take one the same way
 * (`axo pid,comm`); a process's id alone. After what runs it as env's dump is (`sudo ps e`, `time ps auxeww`, `kubectl exec app -- ps eww`:
 * DUMP_START).
 */
const PS_VALUE = String.raw`(?:[^\s|;&]{1,100}|[ \t]+[+-]?[^\s|;&+-][^\s|;&]{0,100})`;
const PS_BSD = "aAcCfghHjlLmMnrsSTuvwxXZ";
const PS_BSD_VALUE = String.raw`[pqtUOok]${PS_VALUE}`;
const PS_UNIX_VALUE = "CGgpqstUuOo";
const PS_GNU_VALUE = "Group|group|pid|ppid|quick-pid|sid|tty|User|user|format|cols|columns|lines|rows|sort|width|help";
const PS_OPTION = String.raw`[${PS_BSD}]+|[${PS_BSD}]*${PS_BSD_VALUE}|-(?:(?![${PS_UNIX_VALUE}])[A-Za-z]){1,30}(?![\w-])|-(?:(?![${PS_UNIX_VALUE}])[A-Za-z]){0,30}[${PS_UNIX_VALUE}]${PS_VALUE}|--(?:${PS_GNU_VALUE})(?:=[^\s|;&]{1,100}|[ \t]+[^\s|;&]{1,100})|--(?!(?:${PS_GNU_VALUE})(?![\w-]))[\w-]{1,30}(?![\w=-])|-?\d{1,10}(?![\w-])`;
/** macOS's `-E` in a dashed group (`ps -E -p 1234`, `ps -axE`, `ps -Ep 1234`): its ps(1) appends the environment as BSD's `e` does. */
const PS_MAC_E = String.raw`-(?:(?![${PS_UNIX_VALUE}])[A-Za-z]){0,30}E(?:(?![${PS_UNIX_VALUE}])[A-Za-z]){0,30}(?:[${PS_UNIX_VALUE}]${PS_VALUE})?`;
const PS_ENVIRONMENT = new RegExp(
  String.raw`${DUMP_START}ps(?:[ \t]+(?:${PS_OPTION})){0,8}[ \t]+(?:[${PS_BSD}]*e[${PS_BSD}e]*(?:${PS_BSD_VALUE})?|${PS_MAC_E})(?=[ \t|;&)]|$)`,
  "m",
);

/** What a command that prints an environment prints: a process's whole environment (ENV_DUMP), or each process's after its command line. */
export const environmentPrints = (command: string): "env" | "process-env" | undefined =>
  ENV_DUMP.test(command) ? "env" : PS_ENVIRONMENT.test(command) ? "process-env" : undefined;

/** What a file shown whole holds that no name in it marks: an environment file's variables, OpenVPN's user and password, a dotfile's password. */
export function shownFilePrints(command: string): "env" | "user-pass" | "dotfile" | "ppp-secrets" | undefined {
  for (const m of command.matchAll(SHOWN_FILE)) {
    const prints = filePrints(m[1] as string);
    if (prints === "env" || prints === "user-pass" || prints === "dotfile" || prints === "ppp-secrets") return prints;
  }
  // pppd's files searched or cut (`grep alice /etc/ppp/chap-secrets`, `awk … pap-secrets`): what is printed are its lines.
  return PPP_SECRETS_ARGUMENT.test(command) ? "ppp-secrets" : undefined;
}

/** pppd's secrets files as a command's argument. */
const PPP_SECRETS_ARGUMENT = /(?:^|[\s"'\/])(?:chap|pap)-secrets(?=$|[\s"'|;&)])/;

/**
 * A file named for a secret (`~/.config/app/token`, `db_password.txt`, `api.key`, `.vault-pass`, WireGuard's `privatekey`), as
 * the Read tool shows it or a command or a tool writes it: its content is that secret, which nothing
 * in it marks. Not code or documents about one (`tokenizer.ts`, `secrets.md`), nor a public key.
 */
const SECRET_FILE = /(?:token|secret|passw|(?<![a-z])pass(?![a-z])|credential|api[_-]?key|private[_-]?key|\.key)(?![\w.-]*\.pub$)/i;
const NOT_SECRET_FILE = /\.(?:[cm]?[jt]sx?|py|rb|go|rs|java|kt|swift|php|cs|c|h|cpp|sh|md|mdx|txt\.md|html|css|json|ya?ml|toml|lock|log|pub)$/i;

/**
 * A secret-named variable's unquoted value with a space in it, in an environment file: dotenv reads
 * it to the line's end (or a ` #` comment), where the assignment rule, reading shell, stops at the space.
 * So do the `NAME: value` lines of a listing of variables (`pm2 env`, `heroku config`) and of a dump's YAML.
 */
const ENV_ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][\w.]*)(?:[ \t]*=|:(?=[ \t]))[ \t]*([^\s'"#][^\r\n]*)$/gm;
const COMMENT = /[ \t]#/;

function spacedEnvValues(text: string): Finding[] {
  const out: Finding[] = [];
  for (const m of text.matchAll(ENV_ASSIGNMENT)) {
    const raw = m[2] as string;
    const cut = COMMENT.exec(raw);
    const value = (cut ? raw.slice(0, cut.index) : raw).trimEnd();
    if (!/[ \t]/.test(value) || !SECRET_KEY.test(m[1] as string) || isStandIn(value)) continue;
    const start = (m.index as number) + m[0].length - raw.length;
    out.push({ start, end: start + value.length, kind: "secret" });
  }
  return out;
}

/**
 * A variable's value in an environment file, whatever its name (`STRIPE=…`, `OPENAI="…"`: names
 * with no secret's word leaked their keys), when it is an opaque token: 20 characters or more of a
 * key's alphabet, capitals, small letters and digits mixed as a random draw mixes them (no name in
 * words), not hex (a commit, a hash), not a URL, a path or a host (no `.`, `:`). Not a value meant to
 * be public (`NEXT_PUBLIC_…`, `VITE_…`) or that names no secret by its name's end (an id, a URL, a host), nor what opens nothing (a
 * request's id, a trace's: look-alikes.ts NO_CREDENTIAL_NAME).
 * A line may start with `cat -n`'s number and tab (the Read tool's arrow is blanked before: redact.ts), and with bash's `declare -x`
 * (`export -p`'s listing). A file of
 * secrets printed decrypted is read so too, its YAML's `name: value` lines as well, and its JSON's `"name": "value",` (DECRYPTED_DUMP).
 */
const ENV_VALUE = /^[ \t]*(?:\d{1,7}\t[ \t]*)?(?:(?:export|declare[ \t]+-x)[ \t]+)?"?([A-Za-z_][\w.]*)"?(?:[ \t]*=|:(?=[ \t]))[ \t]*(["']?)([A-Za-z0-9_+/=-]{20,1000})\2[ \t]*(?:,[ \t]*)?(?:#[^\r\n]*)?\r?$/gm;
const PUBLIC_NAME = /^(?:NEXT_PUBLIC|VITE|REACT_APP|EXPO_PUBLIC|NUXT_PUBLIC|GATSBY|PUBLIC|PUBLISHABLE)_|_(?:ID|IDS|URL|URI|HOST|DOMAIN|REGION|PATH|DIR|FILE|VERSION|SHA|HASH|COMMIT|REF|BRANCH|ENV|NAME|USER|USERNAME|EMAIL|PORT|MODE|LEVEL|PUBLIC_KEY)$/i;
const HEX_OR_UUID = /^[0-9a-f-]+$|^[0-9A-F-]+$/;

/** Whether a variable's value is an opaque token that its name does not mark (a secret's name is the assignment rule's). */
const isOpaqueEnvValue = (name: string, value: string) =>
  !SECRET_KEY.test(name) && !PUBLIC_NAME.test(name) && !NO_CREDENTIAL_NAME.test(name) && !HEX_OR_UUID.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /\d/.test(value) && !WORDS_NAME.test(value) && !isStandIn(value) && !isAbsolutePath(value);

function opaqueEnvValues(text: string): Finding[] {
  const out: Finding[] = [];
  for (const m of text.matchAll(ENV_VALUE)) {
    const [, name, , value] = m as unknown as [string, string, string, string];
    if (!isOpaqueEnvValue(name, value)) continue;
    const start = (m.index as number) + m[0].indexOf(value, m[0].indexOf(name) + name.length + 1);
    out.push({ start, end: start + value.length, kind: "secret" });
  }
  return out;
}

/**
 * The environment as a language's REPL echoes it (repl-prompt.ts): a map of quoted values, node's `{ STRIPE: '…', … }`, Python's
 * `environ({'STRIPE': '…', …})`, Ruby's `{"STRIPE"=>"…", …}`, over one line or many. Each opaque token goes whatever its name; a value
 * holding `=` but as base64's padding is pairs (OpenTelemetry's headers: `signoz-ingestion-key=…`), another rule's. A value may end
 * in an escaped line break (`'STRIPE': '…\\n'`), as a map of `printenv`'s lines read whole is printed. A TOML inline table's entries
 * (`{ "STRIPE" = "…" }`: env-object.ts) are read so too, with `inlineTable`. python-dotenv's older `OrderedDict([('STRIPE', '…')])`
 * is read so too, under `env`'s reading (its tuples as entries: env-pairs.ts).
 */
const mapEntry = (separator: string) => new RegExp(String.raw`(["']?)([A-Za-z_][\w.-]{0,100})\1[ \t]*(?:${separator})[ \t]*(["'])([A-Za-z0-9_+/-]{20,1000}={0,2})(?:\\n)?\3`, "dg");
const MAP_ENTRY = mapEntry(":|=>");
/** An object opened with `=`, a TOML inline table's entries too (`{ "STRIPE" = "…" }`); not elsewhere: code's `const STRIPE = "…"` is none. */
const TABLE_ENTRY = mapEntry(":|=>?");

export function environmentMapValues(text: string, inlineTable = false): Finding[] {
  const out: Finding[] = [];
  for (const m of text.matchAll(inlineTable ? TABLE_ENTRY : MAP_ENTRY)) {
    const span = m.indices?.[4];
    if (span && isOpaqueEnvValue(m[2] as string, m[4] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
  }
  return out;
}

/**
 * A short value under a secret's name in an environment file or a dump of secrets (`STRIPE_KEY: Xk9mQ2pL`, `sops -d`'s
 * `stripe_key: …`): the assignment rule wants a long random value under a name that ends in `_key` (a sort's, a cache's),
 * and the opaque-token rule 20 characters. In a file of secrets, 6 to 19 characters of letters and digits shaped like a
 * password go; a path, a host, a version (`/`, `.`, `:`, `@`), a duration stay.
 */
const SHORT_VALUE = /^[ \t]*(?:\d{1,7}\t[ \t]*)?(?:(?:export|declare[ \t]+-x)[ \t]+)?"?([A-Za-z_][\w.]*)"?(?:[ \t]*=|:(?=[ \t]))[ \t]*(["']?)([^\s"'#,\/.:@]{6,19})\2[ \t]*(?:,[ \t]*)?(?:#[^\r\n]*)?\r?$/gm;

function shortNamedValues(text: string): Finding[] {
  const out: Finding[] = [];
  for (const m of text.matchAll(SHORT_VALUE)) {
    const [, name, , value] = m as unknown as [string, string, string, string];
    if (!SECRET_KEY.test(name) || !/[A-Za-z]/.test(value) || !/\d/.test(value) || !looksLikePassword(value)) continue;
    const start = (m.index as number) + m[0].lastIndexOf(value);
    out.push({ start, end: start + value.length, kind: "secret" });
  }
  return out;
}

/**
 * A value under a provider's name alone in an environment's listing or file (`STRIPE='correcthorse'` from `heroku config -s`,
 * `{"STRIPE": "correcthorse"}` from `netlify env:list --json`, `OPENAI: hunter2x` from `heroku config`): that provider's credential,
 * whatever its shape, where the other rules want a random draw or a password's digits (isProviderCredential). A name that says more
 * (`STRIPE_PUBLISHABLE_KEY`, `STRIPE_URL`) is no provider's alone. A line's assignment
 * (`NAME=value`, `NAME: value`, `export`'s, `"NAME": "value",`), its unquoted value to the line's end or a ` #` comment, or a map's
 * quoted entry after `{` or `,` (a one-line JSON object) or at a line's start (PHP's `var_export`: `'STRIPE' => '…',`, whose `=>` is no
 * assignment's `=`): each read once (linear).
 */
const PROVIDER_NAME_GROUP = `(${PROVIDER_NAMES.join("|")})`;
const PROVIDER_LINE = new RegExp(
  String.raw`^[ \t]*(?:\d{1,7}\t[ \t]*)?(?:(?:export|declare[ \t]+-x)[ \t]+)?(["']?)${PROVIDER_NAME_GROUP}\1(?:[ \t]*=(?!>)|:(?=[ \t]))[ \t]*([^\r\n]*)`,
  "gim",
);
const PROVIDER_ENTRY = new RegExp(String.raw`(?<=(?:^|[{,])[ \t]*)(["'])${PROVIDER_NAME_GROUP}\1[ \t]*(?::|=>)[ \t]*(["'])([^"'\r\n]*)\3`, "dgim");
/** An unquoted or quoted value as the line holds it: its quotes, a trailing `,` (JSON's, a listing's) and a ` #` comment off. */
const QUOTED_VALUE = /^(["'])([^"'\r\n]*)\1[ \t]*(?:,[ \t]*)?(?:#.*)?\r?$/d;

function providerValues(text: string): Finding[] {
  const out: Finding[] = [];
  const keep = (value: string, start: number) => {
    if (isProviderCredential(value)) out.push({ start, end: start + value.length, kind: "secret" });
  };
  for (const m of text.matchAll(PROVIDER_LINE)) {
    const raw = m[3] as string;
    const at = (m.index as number) + m[0].length - raw.length;
    const quoted = QUOTED_VALUE.exec(raw);
    const span = quoted?.indices?.[2];
    if (quoted && span) keep(quoted[2] as string, at + span[0]);
    else if (!/^["']/.test(raw)) keep(raw.slice(0, COMMENT.exec(raw)?.index).trimEnd().replace(/,$/, ""), at);
  }
  for (const m of text.matchAll(PROVIDER_ENTRY)) {
    const span = m.indices?.[4];
    if (span) keep(m[4] as string, span[0]);
  }
  return out;
}

/**
 * `.env`, `.env.production` (`.env-prod`, `.env_local`), `staging.env`, `.envrc`, Flask's `.flaskenv`, and a shell's pattern of them (`cat .env*`, `.env.*`, `.env.{local,production}`);
 * Wrangler's `.dev.vars` (`.dev.vars.staging`), dotenv's format under another name; Terraform's variables (`terraform.tfvars`,
 * `prod.auto.tfvars`, `.tfvars.json`: `stripe = "…"`, kept out of git for the secrets in them); and a shell's startup files, where keys
 * are exported for every shell (`~/.zshrc`'s `export STRIPE=…`).
 */
const ENV_FILE = /^\.env(?:rc)?(?:[_-][\w-]+)?(?:\.[\w-]+|\.?\*|\.\{[\w,-]{1,200}\})*$|^\.flaskenv$|\.env$|\.tfvars(?:\.json)?$|^\.dev\.vars(?:\.[\w-]+)?$|^\.(?:bashrc|bash_profile|bash_login|profile|zshrc|zshenv|zprofile|zlogin)$/i;
/**
 * OpenVPN's `auth-user-pass` file (`/etc/openvpn/auth.txt`, `~/.openvpn/creds`): a user's line, then
 * the password's. Not its configs, keys and certificates.
 */
const OPENVPN_AUTH_FILE = /(?:^|[\/\\])\.?openvpn[\/\\](?:[^\s\/\\]+[\/\\]){0,4}[^\s\/\\]*(?:auth|pass|cred|login|user)[^\s\/\\]*$/i;
const OPENVPN_NOT_AUTH = /\.(?:conf|ovpn|crt|pem|key|csr|sh|log|md)$/i;

/**
 * A dotfile named by nothing but its short name (`~/.vp`, `.dbpw`), as people keep a password for a
 * script to read: no extension, no word of a config's (`.nvmrc`, `.gitignore`, `.python-version` hold
 * one word too: passwordFile holds that word to a password's shape).
 */
const DOTFILE = /^\.[A-Za-z0-9_-]{1,40}$/;

const PPP_SECRETS_FILE = /^(?:chap|pap)-secrets$/;
/**
 * A config file of secrets (`config/secrets.yml`, `secrets.production.json`, `app-credentials.toml`, helm-secrets' `values.secret.yaml`,
 * Azure Functions' `local.settings.json`, whose `Values` are the app's environment, kept out of git for its secrets): its values are read
 * as an environment file's (its opaque tokens under any name: `stripe: …`). Not one named for a single secret's topic (`secret-scanning.yml`).
 */
const SECRETS_CONFIG_FILE = /^(?:[\w-]*[._-])?(?:secrets?|credentials)(?:\.[\w-]+)?\.(?:ya?ml|json|toml)$|^local\.settings\.json$/i;
/** A shell script named for the environment it sets (Tomcat's `setenv.sh`, `env.sh`, `scripts/load-env.bash`, `secrets.sh`): read as an environment file. */
const ENV_SCRIPT_FILE = /^(?:[\w-]*[._-])?(?:(?:set)?env(?:ironment)?|secrets?|credentials)\.(?:sh|bash|zsh)$/i;

/**
 * Ansible's variables files (`group_vars/prod.yml`, `host_vars/web1.yaml`, `group_vars/all/main.yml`, `group_vars/webservers` with no extension):
 * a deployment's settings and, when not vaulted, its secrets in the clear under any name (`upstream: …`): read as an environment file. Not
 * documentation kept there (`README.md`).
 */
const ANSIBLE_VARS_FILE = /(?:^|[\/\\])(?:group|host)_vars[\/\\](?:[^\s\/\\]+[\/\\]){0,3}(?:[^\s\/\\.]+|[^\s\/\\]+\.ya?ml)$/i;

/** Whether a file holds a secret, as read or written whole: its name says so (SECRET_FILE); or is an environment file. */
export function filePrints(path: string): PrintedSecret | undefined {
  const name = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  if (ENV_FILE.test(name) || SECRETS_CONFIG_FILE.test(name) || ENV_SCRIPT_FILE.test(name) || ANSIBLE_VARS_FILE.test(path)) return "env";
  if (OPENVPN_AUTH_FILE.test(path) && !OPENVPN_NOT_AUTH.test(name)) return "user-pass";
  if (PPP_SECRETS_FILE.test(name)) return "ppp-secrets";
  if (SECRET_FILE.test(name) && !NOT_SECRET_FILE.test(name)) return "any";
  return DOTFILE.test(name) ? "dotfile" : undefined;
}

/**
 * One word alone on its line, as a key is printed (the Read tool's line number reads as spaces:
 * redact.ts). Each run of spaces is matched by one repetition only: two in a row would try every split.
 */
const KEY_LINE = new RegExp(String.raw`^[ \t]*([A-Za-z0-9+/=_-]{16,${PRINTED_MAX}})[ \t]*\r?$`, "dgm");
/** The whole output one word. */
const ONE_WORD = new RegExp(String.raw`^\s*([^\s]{4,${PRINTED_MAX}})\s*$`, "d");
/**
 * A stored secret's word, then its record's fields (`Label: value` lines), as `pass show` prints an
 * entry by its convention: the password on the first line, then `login: …`, `url: …`.
 */
const FIRST_WORD_THEN_FIELDS = new RegExp(String.raw`^\s*([^\s]{8,${PRINTED_MAX}})[ \t]*\r?\n(?:[ \t]*[A-Za-z][\w .-]{0,40}:[^\r\n]*(?:\r?\n|$))+\s*$`, "d");
/**
 * A background command's output as TaskOutput (`<output>`) or, before Claude Code 2.0.64,
 * BashOutput (`<stdout>`) hands it back, between its status fields.
 */
const WRAPPED_OUTPUT = /<(output|stdout)>\r?\n?([^<]{0,600})<\/\1>/d;
/** A label's line before an output: `Shell output:`, as a `!` command's output is sent; `Password:`. */
const LABEL_LINE = /^[ \t]*[A-Z][A-Za-z ]{0,40}:[ \t]*\r?\n/;

/** The output alone, and where it starts in `text`: between a background task's tags, after a label's line, or the whole text. */
function outputBody(text: string): { output: string; at: number } {
  const m = WRAPPED_OUTPUT.exec(text);
  const span = m?.indices?.[2];
  if (m && span) return { output: m[2] as string, at: span[0] };
  const at = LABEL_LINE.exec(text)?.[0].length ?? 0;
  return { output: withoutNotices(text.slice(at)), at };
}


/**
 * The secrets in the output of a command that `commandPrints`: each line that is one key-shaped
 * word (a loop may print several keys, a script several variables); and for a stored secret, the
 * output when it is one word of any shape (a weak password too: the command says what it is), or
 * the values of the record it shows (`{"name": …, "value": …}`: secret-record.ts). In an environment
 * file, a secret's unquoted value with spaces, and any variable's opaque token (its lines of one
 * random-looking word each: redact.ts).
 */
export function printedOutput(text: string, prints: PrintedSecret): Finding[] {
  if (prints === "env") {
    const lines = pairsAsLines(arrowPairsAsLines(diffLinesAsLines(text)));
    // A JSON object's entries on one line (`{"FOO":"…","BAR":"…"}`, as dotenvx and chamber print them) are no line of their own.
    return [...spacedEnvValues(lines), ...opaqueEnvValues(lines), ...shortNamedValues(lines), ...providerValues(lines), ...environmentMapValues(tuplePairsAsEntries(text))];
  }
  if (prints === "env-search" || prints === "search") return printedOutput(environmentLines(text, prints), "env");
  if (prints === "process-env") return printedOutput(everyPairAsLine(text), "env");
  if (prints === "decoded") return printedOutput(text, decodedPrints(text));
  if (prints === "config-json") return configLeaves(text);
  if (prints === "user-pass") return userPassLines(text);
  if (prints === "dotfile") return passwordFile(text);
  if (prints === "ppp-secrets") return userLines(text, PPP_SECRET_LINE);
  if (prints === "config-table") return configValues(text);
  if (prints === "otp-code") return otpCodes(text);
  // A store's value that is a JSON object (AWS's SecretString, `{"upstream": …, "password": …}`): each of its values is the secret's.
  if (prints === "first-line") return [...entryPassword(text), ...printedOutput(withoutStoreHeader(text), "any"), ...(JSON_OBJECT_START.test(text) ? configLeaves(text) : [])];
  if (prints === "entry-lines") return passwordLines(text, isEntryLine);
  if (prints === "entries") return passwordLines(text, isEntriesLine);
  if (prints === "values") return valueLines(text, isPrintedSecret);
  if (prints === "env-values") return valueLines(text, (value) => OPAQUE_VALUE.test(value) && isOpaqueEnvValue("", value));
  const out: Finding[] = prints === "any" ? recordValues(text) : [];
  const keep = (value: string, span: [number, number] | undefined) => {
    if (span && isPrintedValue(value)) out.push({ start: span[0], end: span[1], kind: "secret" });
  };
  const { output, at } = outputBody(text);
  const whole = prints === "any" ? (ONE_WORD.exec(output) ?? FIRST_WORD_THEN_FIELDS.exec(output)) : null;
  const span = whole?.indices?.[1];
  if (whole && span) {
    if (isPrintedSecret(whole[1] as string)) keep(whole[1] as string, [at + span[0], at + span[1]]);
  } else {
    KEY_LINE.lastIndex = 0;
    for (let m = KEY_LINE.exec(text); m; m = KEY_LINE.exec(text)) keep(m[1] as string, m.indices?.[1]);
  }
  return out;
}

/** A user's line and a password's, one word each, and nothing else: OpenVPN's `auth-user-pass` file. */
const USER_PASS_LINES = /^\s*[^\s]{1,256}[ \t]*\r?\n[ \t]*([^\s]{1,1000})\s*$/d;

/** The password of an `auth-user-pass` file shown whole (`cat`, the Read tool), whatever its shape. */
function userPassLines(text: string): Finding[] {
  const { output, at } = outputBody(text);
  const m = USER_PASS_LINES.exec(output);
  const span = m?.indices?.[1];
  return m && span && isPrintedValue(m[1] as string) ? [{ start: at + span[0], end: at + span[1], kind: "password" }] : [];
}

/** A dotfile's whole content: one word of 12 characters or more. */
const PASSWORD_FILE = /^\s*([^\s]{12,256})\s*$/d;
/** A version's digits (`ruby-3.2.2`, `lts-20.11`): what a tool's dotfile holds, not a password; nor is a path or a glob (a slash). */
const VERSION = /\d\.\d/;

/** The password a dotfile holds (filePrints): all it holds, shaped like one. */
function passwordFile(text: string): Finding[] {
  const { output, at } = outputBody(text);
  const m = PASSWORD_FILE.exec(output);
  const span = m?.indices?.[1];
  const value = m?.[1];
  return value && span && looksLikePassword(value) && !VERSION.test(value) && !value.includes("/") ? [{ start: at + span[0], end: at + span[1], kind: "password" }] : [];
}

/**
 * What `pass generate name [length]` prints (`gopass generate` too): "The generated password for name is:" ("… to name
 * is:" in older versions), then the password on the next line, drawn from every punctuation mark (quotes, brackets, `$(`),
 * which no other rule reads whole: only a placeholder or our marker is let through, not what reads as a reference. In
 * colour on a terminal: its codes read as spaces (redact.ts).
 */
const GENERATED_ENTRY = /the generated password(?: (?:for|to) [^\r\n]{1,300}?)?[ \t]+is:[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*(\S{1,1000})[ \t]*(?=\r?\n|$)/diy;

export const generatedEntryDetector: Detector = {
  keywords: ["the generated password"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      GENERATED_ENTRY.lastIndex = hits[i] as number;
      const m = GENERATED_ENTRY.exec(text);
      const span = m?.indices?.[1];
      if (m && span && !isPlaceholder(m[1] as string) && !MARKER_ONLY.test(m[1] as string)) out.push({ start: span[0], end: span[1], kind: "password" });
    }
  },
};

/** gopass's header above an entry on a terminal (`Secret: name` and a blank line). */
const STORE_HEADER_LINE = String.raw`\s*Secret:[ \t]*\S+[ \t]*\r?\n`;
const STORE_HEADER = new RegExp(`^${STORE_HEADER_LINE}`);
/** `text` with gopass's header as blanks, its lines kept: the entry's name is read as no record's field. */
const withoutStoreHeader = (text: string) => text.replace(STORE_HEADER, (header) => header.replace(/[^\r\n]/g, " "));

/**
 * A store's entry: gopass's header on a terminal, then the password's line. Not a folder's tree (`├── db`), nor an
 * error (`Error: … is not in the password store.`, gpg's, 1Password CLI's `[ERROR] …`, gcloud's and az's `ERROR: …`, aws's `An error occurred …`).
 */
const ENTRY_LINE = String.raw`(?!Error:|gpg:|\[ERROR\]|ERROR:|An error occurred)(\S(?:[^\r\n]{0,254}\S)?)[ \t]*\r?(?:\n|$)`;
const ENTRY_OUTPUT = new RegExp(String.raw`^(?:${STORE_HEADER_LINE})?\s*${ENTRY_LINE}`, "d");
/**
 * Below its command in a pasted terminal: the next line, or the one after gopass's header and its blank line; a line
 * after a blank one is the user's words again ("$ pass show x⏎⏎Why does it hang?"), as is a sentence of more than five words.
 */
const ENTRY_BELOW = new RegExp(String.raw`(?:${STORE_HEADER_LINE}\s*)?[ \t]*${ENTRY_LINE}`, "dy");
const ENTRY_WORDS_MAX = 5;
const TREE = /[├└]──/;

/** A line of an entry that is no password: a field (`login: bob`, gopass's `Secret: name`), an error (`Error: …`, `gpg: …`), a tree's. */
const NOT_ENTRY_PASSWORD = /^[A-Za-z][\w .-]{0,40}:(?:[ \t]|$)|[├└]──/;
const TEXT_LINE = /^[ \t]*(\S(?:[^\r\n]{0,998}\S)?)[ \t]*\r?$/dgm;

/** The passwords of entries in a command's result (after another command's output, or several): the lines `isPassword` takes. */
function passwordLines(text: string, isPassword: (line: string) => boolean): Finding[] {
  const { output, at } = outputBody(withoutStoreHeader(text));
  const out: Finding[] = [];
  TEXT_LINE.lastIndex = 0;
  for (let m = TEXT_LINE.exec(output); m; m = TEXT_LINE.exec(output)) {
    const span = m.indices?.[1];
    const line = m[1] as string;
    if (span && isPassword(line) && !PROMPT_LINE.test(line)) out.push({ start: at + span[0], end: at + span[1], kind: "secret" });
  }
  return out;
}

/**
 * The values an extraction printed (`grep -E 'STRIPE|OPENAI' .env | cut -d= -f2`), each line that `isSecret` takes: one word, or
 * dotenv's quoted value of any words (its quotes kept). A line of unquoted words is an error's (`grep: .env: No such file or
 * directory`) or the user's.
 */
function valueLines(text: string, isSecret: (value: string) => boolean): Finding[] {
  const { output, at } = outputBody(text);
  const out: Finding[] = [];
  for (const m of output.matchAll(TEXT_LINE)) {
    const line = m[1] as string;
    const span = m.indices?.[1];
    const quote = REPR.test(line) ? 1 : 0;
    if (!span || (!quote && /\s/.test(line)) || PROMPT_LINE.test(line) || !isSecret(line.slice(quote, line.length - quote))) continue;
    out.push({ start: at + span[0] + quote, end: at + span[1] - quote, kind: "secret" });
  }
  return out;
}

/** The password on a store entry's first line (`pass show`), whatever its shape: a weak one, one with spaces. */
function entryPassword(text: string): Finding[] {
  const { output, at } = outputBody(text);
  if (TREE.test(output)) return [];
  const m = ENTRY_OUTPUT.exec(output);
  const span = m?.indices?.[1];
  return m && span && isPrintedValue(m[1] as string) ? [{ start: at + span[0], end: at + span[1], kind: "secret" }] : [];
}

/** The entry's first line from `from`, below its command in a pasted terminal: not the next prompt, nor a folder's tree. */
function entryLine(text: string, from: number): Finding[] {
  ENTRY_BELOW.lastIndex = from;
  const m = ENTRY_BELOW.exec(text);
  const span = m?.indices?.[1];
  const value = m?.[1] as string;
  if (!m || !span || !isPrintedValue(value) || PROMPT_LINE.test(value) || value.split(/[ \t]+/).length > ENTRY_WORDS_MAX) return [];
  const next = text.indexOf("\n", ENTRY_BELOW.lastIndex);
  return TREE.test(text.slice(ENTRY_BELOW.lastIndex, next < 0 ? undefined : next)) ? [] : [{ start: span[0], end: span[1], kind: "secret" }];
}
