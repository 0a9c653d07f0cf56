import { type Detector, type Finding, type Hits, quotedValue, stickyDetector, widenedIfCut } from "../detectors.ts";
import type { RedactionKind } from "../marker.ts";
import { NO_CREDENTIAL_LABEL, NO_CREDENTIAL_NAME, WORDS_NAME, isOwnOptionStandIn, isStandIn, looksRandom } from "../look-alikes.ts";
import { SECRET_KEY } from "./assignment.ts";
import { drawnAtRandom } from "./handed-key.ts";
import { credentialWords, sendsInput } from "./request-body.ts";
import { schemeLength } from "./headers.ts";
import { lineEnd, lineStart } from "./lines.ts";
import { filePrints } from "./printed-secret.ts";
import { hereDocument, hereDocumentEnd } from "./here-document.ts";

/**
 * Secrets passed on a command line: `--password x`, `--password=x`, `--api-key "x"`, `--token x`,
 * `-storepass x` (keytool), `-passin pass:x` (openssl), and the short flags of tools that take a
 * password: `mysql -pX`, `sshpass -p x`, `mongosh -p x`, `redis-cli -a x`, `curl -u user:x`,
 * `smbclient -U user%x`, `docker login -p x`, `ldapsearch -w x`, `sqlcmd -P x`, `az login -p x`, and
 * values stored as secrets (`gh secret set --body x`, `aws ssm put-parameter --value x`,
 * `--requirepass x`); the password piped or fed into what takes it; a script's answer to a
 * password prompt.
 */

/**
 * A value: "double", 'single' (closed by the end of a cut text too) or bare (up to a space or shell punctuation).
 * A single-quoted one goes on past the shell's '\'' (a quote inside it: `-p'Ab3'\''xY9kq'`), else its tail leaked.
 */
const VALUE = String.raw`(?:"(${quotedValue(String.raw`[^"\n]`, '"')})"?|'(${quotedValue(String.raw`(?:[^'\n]|'\\'')`, "'")})'?|([^\s"'\x60;&|<>()]{1,1000}))`;

/** Picks the value groups (1-3 after `skip` others) of a match: its text and where it is. */
function valueOf(m: RegExpExecArray, first: number): { value: string; start: number; end: number } | null {
  for (let g = first; g < first + 3; g++) {
    const span = m.indices?.[g];
    if (m[g] !== undefined && span) return { value: m[g] as string, start: span[0], end: span[1] };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Long and single-dash flags named for a secret

/** Flag names (dashes removed) whose value is a secret (an ACME account's `--eab-hmac-key` among the keys); `auth` too (`netlify deploy --auth x`, `--proxy-auth user:x`: `--auth basic` is a plain word). */
const SECRET_FLAG =
  /^(?:[a-z0-9_-]*[-_])?(?:password|passwd|passphrase|pass|pwd|secret|token|cookie|(?:api|access|secret|auth|master|client|license|account|private|hmac|setup|enrollment|encryption|preauth)[-_]?key|auth)$|^(?:store|key|srcstore|deststore|srckey|destkey)pass$|^pass(?:in|out)$/i;
/** Boolean flags that only mention a secret: `--ask-pass`, `--no-password`, `--prompt-token`. */
const NOT_A_VALUE_FLAG = /^(?:ask|no|prompt|show|reset|change|require|skip|use|with|read|print|list|rotate|revoke|generate)[-_]/i;
/** Between a flag and its value: `=`, spaces, or the next element of a list (`["--db-password", "…"]`, a container's or an MCP server's args). */
const FLAG_VALUE = new RegExp(String.raw`(=|[ \t]+|["'][ \t]*,[ \t]*)${VALUE}`, "yd");
/** A file name, not a secret: `--private-key ./id_rsa`, `--token-path`, `--password secrets.txt`. */
const PATH_LIKE = /^(?:~|\.{1,2})?\/|\.(?:ya?ml|json|txt|pem|key|crt|cer|p12|pfx|cfg|conf|ini|env|toml|sh)$/i;
/** A plain lowercase word after a space is prose or a subcommand more often than a password. */
const PLAIN_WORD = /^[a-z]{1,11}$/;
const FLAG_CHAR = /[A-Za-z0-9_-]/;
/** Longer words are not flags (and a run of word characters is walked only once). */
const FLAG_MAX = 64;
const OPENSSL_SOURCE = /^(?:env|file|fd):|^stdin$/;
/** `--secret` names a stored secret as often as it passes one (`gcloud secrets versions access --secret=db-password`), or marks the next as one (`pulumi config set --secret dbPassword …`): words joined are a name. */
const SECRET_NAME = /^[a-z]+(?:[-_][a-z0-9]+)+$|^[a-z]+(?:[A-Z][a-z0-9]+)+$|^[\w-]+:[\w.-]+$/;

/**
 * `--private-key` names a key's file more often than it passes one (`ansible --private-key id_ed25519`): only a key's shape is one,
 * a wallet's 64 hex digits (`forge script … --private-key 0x…`, `cast send --private-key …`) or 32 random-looking characters or more.
 */
const PRIVATE_KEY_FLAG = /private[-_]?key$/i;
const privateKeyShaped = (value: string) => /^(?:0x)?[0-9a-fA-F]{64}$/.test(value) || (value.length >= 32 && looksRandom(value));

/**
 * `--auth` names a mode as often as it passes a credential (`--auth=kerberos`, `--auth oauth2`, `--auth sigv4`): a short lowercase word is one,
 * and so is a MySQL authentication plugin's name (`--default-auth=mysql_native_password`, `caching_sha2_password`).
 */
const AUTH_FLAG = /auth$/i;
const AUTH_MODE = /^[a-z][a-z0-9_-]{0,15}$|^[a-z][a-z0-9]*(?:_[a-z0-9]+)*_password$/;

function flagKind(name: string): RedactionKind {
  if (/cookie$/i.test(name)) return "cookie";
  return /pass|pwd/i.test(name) ? "password" : "secret";
}

export const secretFlagDetector: Detector = {
  keywords: ["pass", "pwd", "secret", "token", "key", "cookie", "auth"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let word = 0;
    for (let i = 0; i < hits.length; i += 2) {
      // the whole word around the keyword (once per word); it must be a flag after a space or quote
      let start = hits[i] as number;
      if (start < word) continue;
      let end = hits[i + 1] as number;
      const limit = Math.max(word, start - FLAG_MAX);
      while (start > limit && FLAG_CHAR.test(text.charAt(start - 1))) start--;
      while (end < text.length && FLAG_CHAR.test(text.charAt(end))) end++;
      word = end;
      if (text.charAt(start) !== "-" || end - start > FLAG_MAX) continue;
      if (start > 0 && !/[\s"'(=]/.test(text.charAt(start - 1))) continue;
      const name = text.slice(start, end).replace(/^--?/, "");
      if (!SECRET_FLAG.test(name) || NOT_A_VALUE_FLAG.test(name) || NO_CREDENTIAL_NAME.test(name)) continue;
      FLAG_VALUE.lastIndex = end;
      const m = FLAG_VALUE.exec(text);
      if (m === null) continue;
      const v = valueOf(m, 2);
      if (v === null) continue;
      const listed = m[1]?.includes(",") === true;
      // A list's next element only after a flag quoted as one (`"--db-password", "…"`).
      if (listed && text.charAt(start - 1) !== text.charAt(end)) continue;
      const spaced = m[1] !== "=" && !listed;
      const bare = m[4] !== undefined;
      // …and a literal: code's list passes a variable (`["--api-key", key]`, `"--api-key", pick(…)`).
      if (listed && (bare || v.value.startsWith("-"))) continue;
      if (bare && spaced && (v.value.startsWith("-") || PLAIN_WORD.test(v.value))) continue;
      if (isStandIn(v.value) || PATH_LIKE.test(v.value) || OPENSSL_SOURCE.test(v.value) || isOwnOptionStandIn(name, v.value)) continue;
      if (name.toLowerCase() === "secret" && SECRET_NAME.test(v.value)) continue;
      if (AUTH_FLAG.test(name) && AUTH_MODE.test(v.value)) continue;
      if (PRIVATE_KEY_FLAG.test(name) && !privateKeyShaped(v.value)) continue;
      // What stays before the secret: openssl's `-passin pass:secret`, an authorization scheme (`--access-token "FlyV1 fm2_…"`).
      const prefix = v.value.startsWith("pass:") ? 5 : schemeLength(v.value);
      if (v.end - v.start <= prefix) continue;
      out.push({ start: v.start + prefix, end: v.end, kind: flagKind(name), ...widenedIfCut(v.value) });
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Tools whose short flags take a password

interface Tool {
  /** The tool's command word, as a keyword. */
  keywords: string[];
  /** Matches the command word at the hit (sticky). */
  command: RegExp;
  /** Finds the flag and its value (groups 1-3) within the command line. */
  flag: RegExp;
  /**
   * What of the value is the password (or the secrets, for a value that may hold several); `command` is the whole command line, from its
   * command word; `before`, the line before the value, up to it (a header's name).
   */
  password(value: string, command: string, before: string): [number, number] | Array<[number, number]> | null;
  /** What it is, when not a password. */
  kind?: RedactionKind;
  /** Its values may span lines inside quotes (commandEnd). */
  quotedLines?: boolean;
}

const whole = (value: string): [number, number] => [0, value.length];
const after = (separator: string) => (value: string): [number, number] | null => {
  const at = value.indexOf(separator);
  return at === -1 || at === value.length - 1 ? null : [at + 1, value.length];
};
/** curl's `-u user:password`, or `-u <key>:`, an API's key as the user and no password (Stripe's, Mailgun's, Basecamp's): a random-looking user then. */
const userOrKey = (value: string): [number, number] | null => {
  const at = value.indexOf(":");
  return at > 0 && at === value.length - 1 && looksRandom(value.slice(0, at)) && !isStandIn(value.slice(0, at)) ? [0, at] : after(":")(value);
};
const flag = (names: string, attachedOnly = false) =>
  new RegExp(String.raw`(?<=[ \t])(?:${names})${attachedOnly ? "" : String.raw`(?:=|[ \t]+)?`}${VALUE}`, "gd");

/** The command's next argument. */
const POSITIONAL = new RegExp(String.raw`^[ \t]+${VALUE}`, "gd");


/** An Oracle tool's login: after `target`, `catalog`, `auxiliary` (rman) or `userid` (expdp, impdp), or as its first operand (`sqlplus -s x`). */
const ORACLE_LOGIN = new RegExp(String.raw`(?:[ \t]+(?:target|catalog|auxiliary|userid)(?:=|[ \t]+)|^(?:[ \t]+-[A-Za-z]+)*[ \t]+)${VALUE}`, "gdi");

const ORACLE_USER = /^[A-Za-z][\w$#]{0,127}$/;
const ORACLE_BARE_PASSWORD = /^(?=[^/.]*[\d!#$%^&*+=?~])[^/.]+$/;

function oraclePassword(value: string): [number, number] | null {
  const slash = value.indexOf("/");
  // A user name first (`sqlplus @/path/script.sql` runs a script).
  if (slash <= 0 || !ORACLE_USER.test(value.slice(0, slash))) return null;
  const at = value.indexOf("@", slash);
  const end = at === -1 ? value.length : at;
  // Without `@db`, prose's `sqlplus and/or rman` and a path: a password has a digit or a symbol, and no `/` or `.`.
  if (at === -1 && !ORACLE_BARE_PASSWORD.test(value.slice(slash + 1))) return null;
  return end > slash + 1 ? [slash + 1, end] : null;
}

/** A password on a command line without a flag naming it: letters with a digit or a symbol, not a flag or a path. */
function passwordShaped(value: string): [number, number] | null {
  return /^[^-/*]/.test(value) && /[A-Za-z]/.test(value) && /[\d!@#$%^&*+=?~]/.test(value) ? whole(value) : null;
}

/** A token given as a command's operand: long and random (look-alikes.ts looksRandom), not a word of prose after the command's name. */
function tokenShaped(value: string): [number, number] | null {
  return looksRandom(value) ? whole(value) : null;
}

/**
 * A value that is an opaque token, where a setting's could stand (`NODE_ENV=production`, a URL, a host): drawn at random, no name of
 * words, not hex of one case nor a UUID (a commit's hash, a build's id: `GIT_SHA=8f14e45f…`), as an environment file's value is judged.
 */
const HEX_OR_UUID = /^[0-9a-f-]+$|^[0-9A-F-]+$/;
function opaqueToken(value: string): [number, number] | null {
  return looksRandom(value) && !/[:/.@]/.test(value) && !WORDS_NAME.test(value) && !HEX_OR_UUID.test(value) ? whole(value) : null;
}

/** `gh variable set NAME`'s name (after any flags and their values). */
const GH_VARIABLE_NAME = /^gh[ \t]+variable[ \t]+set(?:[ \t]+-[-A-Za-z]+(?:[ \t]+[^\s-]\S*)?)*?[ \t]+([A-Za-z_][A-Za-z0-9_]{0,127})(?=[ \t])/gi;
/** `eas env:create --name NAME`'s name, or its `--visibility secret` (or `sensitive`), which says the value is one whatever its name. */
const EAS_VARIABLE_NAME = /[ \t]--name(?:=|[ \t]+)["']?([A-Za-z_][A-Za-z0-9_]{0,127})|[ \t]--visibility(?:=|[ \t]+)["']?(secret|sensitive)(?![\w-])/gi;
/** A variable's value named for a secret (`DB_PASSWORD`, by `names`), whatever its shape; otherwise an opaque token only. */
const secretNamedOrOpaque =
  (names: RegExp) =>
  (value: string, command: string): [number, number] | null => {
    const secret = [...command.matchAll(names)].some((m) => m[2] !== undefined || (m[1] !== undefined && SECRET_KEY.test(m[1]) && !NO_CREDENTIAL_NAME.test(m[1])));
    return secret ? whole(value) : opaqueToken(value);
  };

/** A setting's value that is drawn at random (a container's variable: a commit's hash, a build's number stay), without a line's `\\`. */
function randomSetting(value: string): [number, number] | null {
  const token = value.replace(/\\$/, "");
  return drawnAtRandom(token) ? [0, token.length] : null;
}

/** HTTPie's and xh's bearer mode, where `-a` is the token itself. */
const BEARER_AUTH = /[ \t](?:-A|--auth-type)(?:=|[ \t]+)["']?bearer(?![\w-])/i;
/** `-a user:x`'s password, or a bearer token whole; `--auth-type` read as `--auth` and `-type…` is no value. */
function httpieAuth(value: string, command: string): [number, number] | null {
  if (value.startsWith("-")) return null;
  return BEARER_AUTH.test(command) ? whole(value) : after(":")(value);
}

/**
 * The JSON string after a SOPS `--set` path (`["db"]["password"] "…"`); a number or `true` is a setting.
 * In outer double quotes, its quotes are escaped (`"[\"db\"] \"…\""`): the value ends at the last `\"`.
 */
const SOPS_SET = /^(?:\[[^\]]{1,200}\])+[ \t]+(?:"([^"]{1,1000})"|\\"((?:[^"\\]|\\[^"]){1,1000})\\")$/d;
function sopsValue(value: string): [number, number] | null {
  const span = SOPS_SET.exec(value)?.indices?.find((s, g) => g > 0 && s !== undefined);
  return span ? [span[0], span[1]] : null;
}
/** `--set` and a double-quoted value read with its escapes (VALUE's ends at the first `"`, an escaped one's). */
const SOPS_ESCAPED = /(?<=[ \t])--set(?:=|[ \t]+)"((?:[^"\\\n]|\\[^\n]){1,1000})"/dg;

/** The first operand after flags (and their values, for those named). */
const operandAfter = (flagsWithValue: string) =>
  new RegExp(String.raw`^(?:[ \t]+-(?:${flagsWithValue})[ \t]+\S+|[ \t]+-[A-Za-z0-9]+)*[ \t]+${VALUE}`, "gd");

/** A body's value: a quoted one may span lines and, double-quoted, hold escaped quotes (`-d "{\\"foo\\": …}"`); groups 1-3 as VALUE's. */
const BODY = String.raw`(?:"(${quotedValue(String.raw`(?:[^"\\]|\\[\s\S])`, '"')})"?|'(${quotedValue("[^']", "'")})'?|([^\s"'\x60;&|<>()]{1,1000}))`;

const TOOLS: Tool[] = [
  // `mysql -p` alone prompts; only an attached value is a password
  { keywords: ["mysql", "mariadb"], command: /(?:mysql|mariadb)[A-Za-z0-9_-]{0,20}(?=[\s"'])/iy, flag: flag("-p", true), password: whole },
  { keywords: ["sshpass"], command: /sshpass(?=[\s"'])/iy, flag: flag("-p"), password: whole },
  { keywords: ["mongo"], command: /mongo[a-z]{0,10}(?=[\s"'])/iy, flag: flag("-p"), password: whole },
  { keywords: ["redis-cli"], command: /redis-cli(?=[\s"'])/iy, flag: flag("-a"), password: whole },
  { keywords: ["curl"], command: /curl(?=[\s"'])/iy, flag: flag("-u|--user|-U|--proxy-user"), password: userOrKey },
  // `curl -b "sessionid=…; csrftoken=…"`: cookies given inline (a name without `=` is a cookie file).
  { keywords: ["curl"], command: /curl(?=[\s"'])/iy, flag: flag("-b|--cookie"), password: (value) => (value.includes("=") ? whole(value) : null), kind: "cookie" },
  { keywords: ["smbclient"], command: /smbclient(?=[\s"'])/iy, flag: flag("-U|--user"), password: after("%") },
  // A registry's login, docker's and the other clients' that copy its flags (podman, buildah, nerdctl, skopeo, oras, `helm registry`,
  // `crane auth`, `regctl registry`).
  {
    keywords: ["docker", "podman", "buildah", "nerdctl", "skopeo", "oras", "helm", "crane", "regctl"],
    command: /(?:docker|podman|buildah|nerdctl|skopeo|oras|helm[ \t]+registry|crane[ \t]+auth|regctl[ \t]+registry)[ \t]+login(?=[\s"'])/iy,
    flag: flag("-p"),
    password: whole,
  },
  // NetBird's setup key, which enrolls a peer in the network: `netbird up -k <key>` (`--setup-key` is a secret's flag).
  { keywords: ["netbird"], command: /netbird[ \t]+(?:up|login)(?=[\s"'])/iy, flag: flag("-k"), password: whole, kind: "secret" },
  // ldapsearch, ldapmodify, ldapadd...: `-w` is the bind password (`-W` prompts for it)
  { keywords: ["ldap"], command: /ldap[a-z]{2,10}(?=[\s"'])/iy, flag: flag("-w"), password: whole },
  { keywords: ["sqlcmd"], command: /sqlcmd(?=[\s"'])/iy, flag: flag("-P"), password: whole },
  { keywords: ["twine"], command: /twine[ \t]+upload(?=[\s"'])/iy, flag: flag("-p|--password"), password: whole },
  // A package source's password: `dotnet nuget add source <url> -u me -p x` (`update source` too); Expo's `expo login -u me -p x`.
  { keywords: ["dotnet"], command: /dotnet[ \t]+nuget[ \t]+(?:add|update)[ \t]+source(?=[\s"'])/iy, flag: flag("-p"), password: whole },
  { keywords: ["expo"], command: /expo(?:-cli)?[ \t]+login(?=[\s"'])/iy, flag: flag("-p"), password: whole },
  // Secrets stored in a vault from the command line: the value is the secret.
  { keywords: ["gh"], command: /gh[ \t]+secret[ \t]+set(?=[\s"'])/iy, flag: flag("-b|--body"), password: whole },
  // A variable holds settings, but a key is put there too (`gh variable set STRIPE --body sk_…`): an opaque token goes, and
  // any value of one named for a secret (`gh variable set DB_PASSWORD --body 'Hx9!…'`).
  { keywords: ["gh"], command: /gh[ \t]+variable[ \t]+set(?=[\s"'])/iy, flag: flag("-b|--body"), password: secretNamedOrOpaque(GH_VARIABLE_NAME), kind: "secret" },
  // SOPS's `--set '["stripe"] "…"'`: a path into the encrypted file, then the value stored there as JSON.
  { keywords: ["sops"], command: /sops(?=[\s"'])/iy, flag: flag("--set"), password: sopsValue, kind: "secret" },
  { keywords: ["sops"], command: /sops(?=[\s"'])/iy, flag: SOPS_ESCAPED, password: sopsValue, kind: "secret" },
  { keywords: ["az"], command: /az[ \t]+keyvault[ \t]+secret[ \t]+set(?=[\s"'])/iy, flag: flag("--value"), password: whole },
  // .NET's development secrets: `dotnet user-secrets set "Payments:ApiKey" x`.
  { keywords: ["dotnet"], command: /dotnet[ \t]+user-secrets[ \t]+set[ \t]+(?:"[^"\n]{1,200}"|'[^'\n]{1,200}'|[^\s"']{1,200})(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  {
    keywords: ["aws"],
    command: /aws[ \t]+(?:ssm[ \t]+put-parameter|secretsmanager[ \t]+(?:create-secret|put-secret-value|update-secret))(?=[\s"'])/iy,
    flag: flag("--value|--secret-string"),
    password: whole,
  },
  // Redis's own password: `redis-server --requirepass x`, redis.conf's `requirepass x` and `masterauth x`, `CONFIG SET requirepass x`.
  { keywords: ["requirepass", "masterauth"], command: /(?:requirepass|masterauth)(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  // Archives with a password: `zip -P x`, `unzip -P x`, `7z a -px`.
  { keywords: ["zip", "unzip"], command: /(?:un)?zip(?=[ \t])/iy, flag: flag("-P|--password"), password: whole },
  { keywords: ["7z"], command: /7za?(?=[ \t])/iy, flag: flag("-p", true), password: whole },
  // A token or password as the command's argument: `cargo login x`, `ngrok config add-authtoken x`, `vault login x`,
  // `htpasswd -b file user x`, `rabbitmqctl add_user user x`. A token is long and random, a digit among its letters (crates.io's, ngrok's,
  // Vault's `hvs.…`): prose names these commands too ("run cargo login first", "then vault login with your token", "did you run vault login yet?").
  // cargo's token after its options (`cargo login --registry my-registry x`).
  { keywords: ["cargo"], command: /cargo[ \t]+login(?=[ \t])/iy, flag: operandAfter("-registry|-config|Z"), password: tokenShaped },
  { keywords: ["ngrok"], command: /ngrok[ \t]+(?:config[ \t]+add-)?authtoken(?=[ \t])/iy, flag: POSITIONAL, password: tokenShaped },
  { keywords: ["vault"], command: /vault[ \t]+login(?=[ \t])/iy, flag: POSITIONAL, password: tokenShaped },
  // Vault's unseal key given to `vault operator unseal <key>` (alone, it prompts), and a root token's parts given to decode it
  // (`vault operator generate-root -decode=<encoded token> -otp=<one-time password>`: vault-root.ts).
  { keywords: ["vault"], command: /vault[ \t]+operator[ \t]+unseal(?=[ \t])/iy, flag: operandAfter("address|namespace"), password: tokenShaped, kind: "secret" },
  { keywords: ["vault"], command: /vault[ \t]+operator[ \t]+generate-root(?=[ \t])/iy, flag: flag("-decode|-otp"), password: tokenShaped, kind: "secret" },
  // A service's token as a UUID: `snyk auth <token>` (`snyk config set api=<token>`), Codecov's uploaders' `-t <token>` (`codecov`, `codecovcli
  // upload-process`, the old `bash <(curl -s https://codecov.io/bash) -t …`).
  { keywords: ["snyk"], command: /snyk[ \t]+auth(?=[ \t])/iy, flag: POSITIONAL, password: tokenShaped, kind: "secret" },
  { keywords: ["snyk"], command: /snyk[ \t]+config[ \t]+set(?=[ \t])/iy, flag: new RegExp(String.raw`(?<=[ \t])api=${VALUE}`, "gd"), password: tokenShaped, kind: "secret" },
  { keywords: ["codecov"], command: /codecov(?:cli|\.io\/bash\))?(?=[ \t])/iy, flag: flag("-t"), password: tokenShaped, kind: "secret" },
  // Smithery's key to its hosted MCP servers: `npx @smithery/cli install @x/y --client claude --key <uuid>`, also as an MCP server's args in
  // `.mcp.json` (`"--key", "<uuid>"`, on one line or one per line: read past the quotes' newlines).
  {
    keywords: ["@smithery"],
    command: /@smithery\/cli(?:@[\w.^~-]{1,40})?(?=[\s"'])/iy,
    flag: new RegExp(String.raw`(?<=[ \t"])--key(?:=|[ \t]+|"[ \t]*,\s{0,40})${VALUE}`, "gd"),
    password: tokenShaped,
    kind: "secret",
    quotedLines: true,
  },
  // Bitwarden's `bw unlock x` and `bw login me@x.dev x` (`--passwordenv NAME`, a flag, names a variable); Drupal's `drush upwd admin x`
  // (`user:password`, `user-password`). Shaped like a password: prose names these commands too ("bw unlock to get a session").
  { keywords: ["bw"], command: /bw[ \t]+(?:unlock|login[ \t]+[^\s-]\S*)(?=[ \t])/iy, flag: POSITIONAL, password: passwordShaped },
  { keywords: ["drush"], command: /drush[ \t]+(?:upwd|user[:-]password)[ \t]+[^\s-]\S*(?=[ \t])/iy, flag: POSITIONAL, password: passwordShaped },
  // Pi-hole's web password: `pihole setpassword x` (v6), `pihole -a -p x` (v5); alone, each prompts for it. Shaped like a password:
  // prose names the command too ("run pihole setpassword to change it").
  { keywords: ["pihole"], command: /pihole[ \t]+(?:setpassword|-a[ \t]+-p)(?=[ \t])/iy, flag: POSITIONAL, password: passwordShaped },
  // A Windows host's password to evil-winrm (`evil-winrm -i <host> -u <user> -p x`), or its NT hash, which logs in as well (`-H <hash>`).
  { keywords: ["evil-winrm"], command: /evil-winrm(?=[\s"'])/iy, flag: flag("-p|--password|-H|--hash"), password: whole },
  // A wallet's private key imported into Bitcoin Core (`bitcoin-cli importprivkey <WIF> "label"`, litecoin-cli's and the other forks'):
  // long and random, as prose names the call too ("run importprivkey with the key").
  { keywords: ["importprivkey"], command: /importprivkey(?=[ \t])/iy, flag: POSITIONAL, password: tokenShaped, kind: "private-key" },
  { keywords: ["htpasswd"], command: /htpasswd(?:[ \t]+-[A-Za-z]+){0,8}?[ \t]+-[A-Za-z]{0,8}b[A-Za-z]{0,8}(?:[ \t]+-[A-Za-z]+){0,8}[ \t]+\S+[ \t]+\S+(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  // `htpasswd -nb user x` prints the line instead of writing a file: no file before the user.
  { keywords: ["htpasswd"], command: /htpasswd(?:[ \t]+-[A-Za-z]+){0,8}?[ \t]+-[A-Za-z]{0,8}(?:nb|bn)[A-Za-z]{0,8}(?:[ \t]+-[A-Za-z]+){0,8}[ \t]+\S+(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  // Mosquitto's `mosquitto_passwd -b file user x`; `wpa_passphrase ssid x`; Grafana's `grafana-cli admin reset-admin-password x`;
  // Neo4j's `neo4j-admin dbms set-initial-password x`.
  { keywords: ["mosquitto_passwd"], command: /mosquitto_passwd(?:[ \t]+-[A-Za-z]+){0,4}?[ \t]+-b(?:[ \t]+-[A-Za-z]+){0,4}[ \t]+\S+[ \t]+\S+(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  { keywords: ["wpa_passphrase"], command: /wpa_passphrase[ \t]+\S+(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  // NetworkManager's `nmcli device wifi connect <ssid> password x` and `nmcli connection modify <name> wifi-sec.psk x` (`add`, the long name).
  {
    keywords: ["nmcli"],
    command: /nmcli(?:[ \t]+-[\w-]+)*[ \t]+(?:d(?:ev(?:ice)?)?[ \t]+wifi[ \t]+connect[^\n|;&]{1,300}?[ \t]password|c(?:on(?:nection)?)?[ \t]+(?:modify|mod|add)[^\n|;&]{1,300}?[ \t](?:wifi-sec|802-11-wireless-security)\.psk)(?=[ \t])/iy,
    flag: POSITIONAL,
    password: whole,
  },
  { keywords: ["grafana"], command: /grafana(?:-cli|[ \t]+cli)[^\n|;&]{0,100}?reset-admin-password(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  { keywords: ["neo4j-admin"], command: /neo4j-admin(?:[ \t]+dbms)?[ \t]+set-initial-password(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  // `-p` after a user: Neo4j's cypher-shell, Cassandra's cqlsh, ncftp, hydra, Sysinternals' PsExec (`psexec \\host -u ACME\admin -p x cmd`,
  // PAExec its clone); lftp's `-u user,x`.
  {
    keywords: ["cypher-shell", "cqlsh", "ncftp", "hydra", "psexec", "paexec"],
    command: /(?:cypher-shell|cqlsh|ncftp[a-z]{0,4}|hydra|p[sa]exec(?:64)?(?:\.exe)?)(?=[ \t])/iy,
    flag: flag("-p"),
    password: whole,
  },
  { keywords: ["lftp"], command: /lftp(?=[ \t])/iy, flag: flag("-u|--user"), password: after(",") },
  // A server's management controller: `ipmitool -I lanplus -H bmc -U admin -P x` (`-p` is its port), Dell's `racadm -r idrac -u root -p x`;
  // rdesktop's `-p x`; Net-SNMP's v3 passphrases (`snmpwalk -v3 -u me -A x -X x`); x11vnc's `-storepasswd x file`.
  { keywords: ["ipmitool"], command: /ipmitool(?=[ \t])/iy, flag: flag("-P"), password: whole },
  // Mosquitto's clients: `mosquitto_pub -h broker -u me -P x -t topic` (`-p` is the port).
  { keywords: ["mosquitto_"], command: /mosquitto_(?:pub|sub|rr)(?=[ \t])/iy, flag: flag("-P"), password: whole },
  { keywords: ["racadm", "rdesktop"], command: /(?:racadm|rdesktop)(?=[ \t])/iy, flag: flag("-p"), password: whole },
  { keywords: ["snmp"], command: /snmp(?:walk|bulkwalk|get|getnext|bulkget|set|table|trap|inform|status|df|netstat|delta|test)(?=[ \t])/iy, flag: flag("-A|-X"), password: whole },
  { keywords: ["x11vnc"], command: /x11vnc(?:[ \t]+-[\w-]+)*?[ \t]+-storepasswd(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  // HTTPie's `http -a user:x` (and xh's, its clone), or the whole token with `-A bearer`.
  { keywords: ["http", "xh"], command: /(?:https?|xhs?)(?=[ \t])/y, flag: flag("-a|--auth"), password: httpieAuth },
  // The Azure CLI's `az login -u me -p x` (`az acr login` too), and a database server's admin password (`az sql server create -u admin -p x`);
  // elsewhere its `-p` is something else (`az deployment group create -p params.json`).
  { keywords: ["az"], command: /az[ \t]+(?:login|acr[ \t]+login|(?:sql|postgres|mysql|mariadb)[ \t]+(?:flexible-)?server[ \t]+create)(?=[ \t])/iy, flag: flag("-p"), password: whole },
  // The macOS keychain: `security add-generic-password -a me -s app -w x` (`find-…-password -w` prints it instead).
  { keywords: ["security"], command: /security[ \t]+add-(?:generic|internet)-password(?=[ \t])/iy, flag: flag("-w"), password: whole },
  // Apple's uploaders: `xcrun altool -u me -p <app-specific password>` (`@keychain:NAME` and `@env:NAME` name one kept elsewhere).
  { keywords: ["altool"], command: /altool(?=[ \t])/iy, flag: flag("-p|--password"), password: (value) => (value.startsWith("@") ? null : whole(value)) },
  // A key's passphrase: `ssh-keygen -N x` (new), `-P x` (old).
  { keywords: ["ssh-keygen"], command: /ssh-keygen(?=[ \t])/iy, flag: flag("-N|-P"), password: whole },
  // MinIO's client: `mc alias set name url access-key secret-key` (`mc config host add` before).
  {
    keywords: ["mc"],
    command: /mc[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)[ \t]+\S+[ \t]+\S+[ \t]+\S+(?=[ \t])/iy,
    flag: POSITIONAL,
    password: whole,
    kind: "secret",
  },
  // MinIO's admin: `mc admin user add alias user secret-key`.
  { keywords: ["mc"], command: /mc[ \t]+admin[ \t]+user[ \t]+add[ \t]+\S+[ \t]+\S+(?=[ \t])/iy, flag: POSITIONAL, password: whole, kind: "secret" },
  // Oracle's `sqlplus scott/tiger@ORCL`, `rman target sys/pw@db`, `expdp userid=scott/tiger`: the password sits between `/` and `@`;
  // `sqlplus / as sysdba` has none.
  { keywords: ["sqlplus", "rman", "expdp", "impdp"], command: /(?:sqlplus|rman|expdp|impdp)(?=[ \t])/iy, flag: ORACLE_LOGIN, password: oraclePassword },
  // redis-cli's prompt: `127.0.0.1:6379> AUTH pw`, `AUTH user pw` (Redis 6 ACL); upper case, as typed there. Either of the
  // first two operands that is shaped like a password (what follows may be the next line, joined to it in a title).
  { keywords: ["auth"], command: /AUTH(?=[ \t])/y, flag: new RegExp(String.raw`^[ \t]+${VALUE}`, "gd"), password: passwordShaped },
  { keywords: ["auth"], command: /AUTH(?=[ \t])/y, flag: new RegExp(String.raw`^[ \t]+[\w.-]{1,64}[ \t]+${VALUE}`, "gd"), password: passwordShaped },
  // A file encrypted with a password: `openssl enc -aes-256-cbc -k pw` (`-kfile` names a file).
  { keywords: ["openssl"], command: /openssl[ \t]+(?:enc|aes|des|bf|camellia|chacha)[\w-]{0,30}(?=[ \t])/iy, flag: new RegExp(String.raw`(?<=[ \t])-k[ \t]+${VALUE}`, "gd"), password: whole },
  // A password hashed on the command line: `openssl passwd -6 -salt x pw` (as in `useradd -p $(openssl passwd …)`).
  { keywords: ["openssl"], command: /openssl[ \t]+passwd(?=[ \t])/iy, flag: operandAfter("salt|in"), password: whole },
  // A platform's secrets set from the command line, each `NAME=value` whatever the name (`fly secrets set STRIPE=…`, `flyctl secrets set`,
  // Modal's `modal secret create name STRIPE=…`).
  { keywords: ["fly", "modal"], command: /(?:fly(?:ctl)?[ \t]+secrets[ \t]+set|modal[ \t]+secret[ \t]+create[ \t]+[^\s=]+)(?=[ \t])/iy, flag: new RegExp(String.raw`(?<=[ \t])[A-Za-z_][A-Za-z0-9_]{0,127}=${VALUE}`, "gd"), password: whole, kind: "secret" },
  // A platform's config vars set from the command line (`heroku config:set`, `dokku config:set`, `railway variables --set`, Elastic
  // Beanstalk's `eb setenv`), a secret store's (`doppler secrets set`, `infisical secrets set`, Vault's `vault kv put path k=…`), and a
  // service manager's or cmd's environment (`systemctl set-environment`, `set FOO=…`): settings too (`NODE_ENV=production`, `ttl=1h`),
  // so each `NAME=value` whatever the name when the value is an opaque token.
  {
    keywords: ["heroku", "dokku", "railway", "doppler", "infisical", "systemctl", "set", "eb", "vault"],
    command:
      /(?:(?:heroku|dokku)[ \t]+config:set|railway[ \t]+variables?(?:[ \t]+set)?|(?:doppler|infisical)[ \t]+secrets[ \t]+set|eb[ \t]+setenv|vault[ \t]+kv[ \t]+(?:put|patch)|systemctl(?:[ \t]+--user)?[ \t]+set-environment|set(?=[ \t]+[A-Za-z_][A-Za-z0-9_]{0,127}=))(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t"'])[A-Za-z_][A-Za-z0-9_]{0,127}=${VALUE}`, "gd"),
    password: opaqueToken,
    kind: "secret",
  },
  // A container's environment given on its command line (`docker run -e STRIPE=… img`, `--env`, podman's), and an image's build
  // arguments (`docker build --build-arg FOO=…`, buildx's, podman's): settings too, so only a value drawn at random (a commit's hash,
  // a build's number stay), without the `\` that continues the command's line.
  {
    keywords: ["docker", "podman"],
    command: /(?:docker|podman)(?:[ \t]+container)?[ \t]+(?:run|create|exec)(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t](?:-e|--env)(?:=|[ \t]+)["']?)[A-Za-z_][A-Za-z0-9_]{0,127}=${VALUE}`, "gd"),
    password: randomSetting,
    kind: "secret",
  },
  // An MCP server's environment given to what adds or runs it (`claude mcp add x -e UPSTREAM=… -- npx …`, `gemini mcp add`, the MCP
  // inspector's `-e`): settings too, so only a value drawn at random, as a container's. (`--env` is kubernetes-literal.ts'.)
  {
    keywords: ["claude", "gemini", "inspector"],
    command: /(?:(?:claude|gemini)[ \t]+mcp[ \t]+add|inspector)(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t]-e(?:=|[ \t]+)["']?)[A-Za-z_][A-Za-z0-9_]{0,127}=${VALUE}`, "gd"),
    password: randomSetting,
    kind: "secret",
  },
  // A request's header given on the command line under a name that says nothing of a secret (`curl -H "X-Custom: …"`, wget's
  // `--header=`, `claude mcp add --header "X-Custom: …"`): headers typed by hand that are drawn at random are credentials, but a
  // request's or a trace's id (`X-Request-Id: …`, `traceparent: …`: look-alikes.ts NO_CREDENTIAL_LABEL).
  {
    keywords: ["curl", "wget", "claude"],
    command: /(?:curl|wget|claude[ \t]+mcp[ \t]+add(?:-json)?)(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t](?:-H|--header)(?:=|[ \t]+)["']?[A-Za-z][\w-]{0,100}:[ \t]*)([^\s"'\x60;&|<>()]{1,1000})`, "gd"),
    password: (value, _command, before) => (NO_CREDENTIAL_LABEL.test(before) ? null : randomSetting(value)),
    kind: "secret",
  },
  // A request's body a command sends (`curl -d '{"foo":"…"}'`, `--data-raw`, `--json`, a form's `-F foo=…`, wget's `--post-data`), and
  // HTTPie's and xh's fields (`http POST url foo=…`, `foo:=…`): a key pasted there goes under whatever name the API gives it.
  {
    keywords: ["curl", "wget"],
    command: /(?:curl|wget)(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t])(?:-d|--data(?:-raw|-binary|-ascii|-urlencode)?|--json|-F|--form(?:-string)?|--post-data|--body-data)(?:=|[ \t]+)?${BODY}`, "gd"),
    password: credentialWords,
    kind: "secret",
    quotedLines: true,
  },
  {
    keywords: ["http", "xh"],
    command: /(?:https?|xhs?)(?=[ \t])/y,
    flag: new RegExp(String.raw`(?<=[ \t])[\w.@[\]-]{1,200}:?=${VALUE}`, "gd"),
    password: credentialWords,
    kind: "secret",
  },
  // A variable or a parameter given by name and value to what runs a workload (`kubectl set env deploy/app FOO=…`, `gh workflow run
  // -f foo=…`, `gh api -f foo=…`, `argo submit -p foo=…`): settings too, so only a value shaped as a credential.
  {
    keywords: ["kubectl"],
    command: /kubectl(?:[ \t]+-[^\s|;&]{1,100}(?:[ \t]+[^\s|;&-][^\s|;&]{0,100})?){0,6}[ \t]+set[ \t]+env(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t])[A-Za-z_][A-Za-z0-9_]{0,127}=${VALUE}`, "gd"),
    password: credentialWords,
    kind: "secret",
  },
  {
    keywords: ["gh", "argo"],
    command: /(?:gh[ \t]+(?:workflow[ \t]+run|api)|argo[ \t]+submit)(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t](?:-f|-F|--field|--raw-field|-p|--parameter)(?:=|[ \t]+)["']?)[\w.[\]-]{1,200}=${VALUE}`, "gd"),
    password: credentialWords,
    kind: "secret",
  },
  // A chart's, a plan's or a playbook's values given on the command line (`helm upgrade … --set foo=…`, `terraform apply -var foo=…`,
  // `ansible-playbook -e foo=…`): settings too, so only a value drawn at random.
  {
    keywords: ["helm"],
    command: /helm[ \t]+(?:install|upgrade|template)(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t]--set(?:-string)?(?:=|[ \t]+)["']?)[\w.[\]-]{1,200}=${VALUE}`, "gd"),
    password: randomSetting,
    kind: "secret",
  },
  {
    keywords: ["terraform", "tofu"],
    command: /(?:terraform|tofu)[ \t]+(?:apply|plan|destroy|import|refresh|console)(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t]-var(?:=|[ \t]+)["']?)[\w.-]{1,200}=${VALUE}`, "gd"),
    password: randomSetting,
    kind: "secret",
  },
  {
    keywords: ["ansible"],
    command: /ansible(?:-playbook)?(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t](?:-e|--extra-vars)(?:=|[ \t]+)["']?)[\w.-]{1,200}=${VALUE}`, "gd"),
    password: randomSetting,
    kind: "secret",
  },
  {
    keywords: ["docker", "podman"],
    command: /(?:docker|podman)(?:[ \t]+(?:image|buildx))?[ \t]+build(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t]--build-arg(?:=|[ \t]+)["']?)[A-Za-z_][A-Za-z0-9_]{0,127}=${VALUE}`, "gd"),
    password: randomSetting,
    kind: "secret",
  },
  // An environment variable set by name and value (`netlify env:set STRIPE …`, `npx convex env set STRIPE …`, GitLab's `glab variable set STRIPE …`,
  // `doppler secrets set STRIPE …`, `dotenvx set STRIPE …`, macOS's `launchctl setenv`, Windows' `setx`, fish's `set -x`/`-gx`/`-Ux`, Cloud
  // Foundry's `cf set-env app STRIPE …`, Clever Cloud's `clever env set`, SST's `sst secret set Stripe …`): settings too, so only an opaque
  // token. Expo's `eas secret:create --name STRIPE --value …` is a secret whatever its shape.
  {
    keywords: ["netlify", "convex", "glab", "doppler", "dotenvx", "launchctl", "setx", "set", "cf", "clever", "sst"],
    command:
      /(?:netlify[ \t]+env:set|convex[ \t]+env[ \t]+set|glab[ \t]+variable[ \t]+(?:set|update)|doppler[ \t]+secrets[ \t]+set|dotenvx[ \t]+set|launchctl[ \t]+setenv|setx|set[ \t]+-[A-Za-z]*[xU][A-Za-z]*|cf[ \t]+(?:set-env|se)[ \t]+[^\s-]\S*|clever[ \t]+env[ \t]+set|sst[ \t]+secret[ \t]+set)(?:[ \t]+-[-A-Za-z]+)*[ \t]+[A-Za-z_][A-Za-z0-9_]{0,127}(?=[ \t])/iy,
    flag: POSITIONAL,
    password: opaqueToken,
    kind: "secret",
  },
  // The same given to a flag: `glab variable set STRIPE --value …` (`-v`), Upsun's and Platform.sh's `variable:create --name STRIPE --value …`.
  {
    keywords: ["glab", "upsun", "platform"],
    command: /(?:glab[ \t]+variable[ \t]+(?:set|update)|(?:upsun|platform)[ \t]+(?:variable|var):(?:create|update|set))(?=[ \t])/iy,
    flag: flag("-v|--value"),
    password: opaqueToken,
    kind: "secret",
  },
  // A workflow's secrets given to act, which runs GitHub Actions locally (`act -s STRIPE=…`, `--secret`): a secret whatever its name and shape.
  {
    keywords: ["act"],
    command: /act(?=[ \t])/y,
    flag: new RegExp(String.raw`(?<=[ \t](?:-s|--secret)(?:=|[ \t]+)["']?)[A-Za-z_][A-Za-z0-9_]{0,127}=${VALUE}`, "gd"),
    password: whole,
    kind: "secret",
  },
  // A stack's parameters given on its deploy's command line (`sam deploy --parameter-overrides Upstream=…`, `aws cloudformation deploy`,
  // `cdk deploy --parameters Stack:Upstream=…`, `az deployment group create --parameters upstream=…`, `serverless deploy --param="upstream=…"`,
  // `gcloud builds submit --substitutions=_UPSTREAM=…,_ENV=prod`): settings too, so only an opaque token, up to a comma between items.
  {
    keywords: ["sam", "cloudformation", "cdk", "az", "serverless", "sls", "gcloud"],
    command:
      /(?:sam[ \t]+deploy|cloudformation[ \t]+deploy|cdk[ \t]+deploy|az[ \t]+deployment[ \t]+(?:group|sub|mg|tenant)[ \t]+(?:create|validate|what-if)|(?:serverless|sls)[ \t]+deploy|gcloud[ \t]+builds[ \t]+submit)(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t"'=,])[A-Za-z_][\w:.-]{0,127}=(?:"([^"\n,]{1,1000})"?|'([^'\n,]{1,1000})'?|([^\s"'\x60;&|<>(),]{1,1000}))`, "gd"),
    password: opaqueToken,
    kind: "secret",
  },
  // A secret store's value given to a flag, a secret whatever its shape: Koyeb's `koyeb secrets create name --value …`.
  { keywords: ["koyeb"], command: /koyeb[ \t]+secrets?[ \t]+(?:create|update)(?=[ \t])/iy, flag: flag("--value"), password: whole, kind: "secret" },
  { keywords: ["eas"], command: /eas[ \t]+secret:create(?=[ \t])/iy, flag: flag("--value"), password: whole, kind: "secret" },
  // Its successor, `eas env:create --name NAME --value … --visibility plaintext|sensitive|secret`: a setting too, as gh's variable.
  { keywords: ["eas"], command: /eas[ \t]+env:(?:create|update)(?=[ \t])/iy, flag: flag("--value"), password: secretNamedOrOpaque(EAS_VARIABLE_NAME), kind: "secret" },
  // A key given to a CLI's login as its operand: `wandb login <key>`, `npm config set //registry…/:_authToken <token>` (the `=` form is the assignment's),
  { keywords: ["wandb"], command: /wandb[ \t]+login(?=[ \t])/iy, flag: operandAfter("-host"), password: (value) => (value.length >= 32 ? whole(value) : null), kind: "secret" },
  { keywords: ["npm", "pnpm", "yarn"], command: /(?:npm|pnpm|yarn)[ \t]+config[ \t]+set[ \t]+\S{0,200}:_(?:authToken|auth|password)(?=[ \t])/iy, flag: POSITIONAL, password: whole, kind: "secret" },
  // and git's setting of a secret's name (`git config --global github.token <token>`, `… user.password …`).
  {
    keywords: ["git"],
    command: /git[ \t]+config(?:[ \t]+--(?:global|local|system|replace-all|add))*[ \t]+[\w.-]{0,100}(?:token|password|passwd|secret)(?=[ \t])/iy,
    flag: POSITIONAL,
    password: whole,
    kind: "secret",
  },
  // Claude Code's `apiKeyHelper` setting, a command that prints the key: `"apiKeyHelper": "echo <key>"` holds it (in escaped JSON, up to its `\"`).
  { keywords: ["apikeyhelper"], command: /apiKeyHelper\\?["']?[ \t]*[:=][ \t]*\\?["']?(?:echo|printf)(?=[ \t])/iy, flag: operandAfter("n|e"), password: (value) => [0, value.replace(/\\$/, "").length], kind: "secret" },
  // A scheduled task's account password: `schtasks /create … /ru admin /rp pw` (`/rp *` prompts for it).
  { keywords: ["schtasks"], command: /schtasks(?:\.exe)?(?=[ \t])/iy, flag: flag("/rp|/RP|/Rp"), password: passwordShaped },
  // Windows' `net user admin pw /add` (`*` prompts for it).
  { keywords: ["net"], command: /net[ \t]+user[ \t]+[^\s/]+(?=[ \t])/iy, flag: POSITIONAL, password: passwordShaped },
  // and `net use Z: \\server\share pw /user:alice`: the operand after the share, or after its user (`*` prompts for it).
  {
    keywords: ["net"],
    command: /net[ \t]+use(?:[ \t]+(?:[A-Za-z]:|\*))?[ \t]+["']?\\\\[^\s"']+["']?(?:[ \t]+\/user:(?:"[^"\r\n]{1,255}"|\S{1,255}))?(?=[ \t])/iy,
    flag: POSITIONAL,
    password: passwordShaped,
  },
  // rclone's remotes made on the command line: `rclone config create s3 s3 secret_access_key …`, `rclone config password remote pass …`.
  {
    keywords: ["rclone"],
    command: /rclone[ \t]+config[ \t]+(?:create|update|password)(?=[ \t])/iy,
    flag: new RegExp(String.raw`(?<=[ \t])(?:secret_access_key|client_secret|pass|password|token|key)(?:=|[ \t]+)${VALUE}`, "gd"),
    password: whole,
    kind: "secret",
  },
  // DVC's remotes: `dvc remote modify --local storage secret_access_key …` (`password` is the flag's; `url s3://…`, `region` are settings).
  {
    keywords: ["dvc"],
    command: /dvc[ \t]+remote[ \t]+modify(?:[ \t]+-[-A-Za-z]+)*[ \t]+[^\s-]\S*(?=[ \t])/iy,
    flag: new RegExp(String.raw`^[ \t]+(?:secret_access_key|session_token|account_key|sas_token|(?:gdrive_)?client_secret|password|token|key_secret)[ \t]+${VALUE}`, "gd"),
    password: whole,
    kind: "secret",
  },
  // and the password it obscures for a config file (`rclone obscure x`; `-` reads it from the input): not a lowercase word (`rclone obscure to hide …`);
  // the obscured form given to `rclone reveal` turns back into it.
  { keywords: ["rclone"], command: /rclone[ \t]+obscure(?=[ \t])/iy, flag: POSITIONAL, password: (value) => (PLAIN_WORD.test(value) ? null : whole(value)) },
  { keywords: ["rclone"], command: /rclone[ \t]+reveal(?=[ \t])/iy, flag: POSITIONAL, password: (value) => (PLAIN_WORD.test(value) ? null : whole(value)), kind: "secret" },
  // InfluxDB 2's `influx setup -u admin -p x`; Pulumi's `pulumi config set --secret name x` (the name is no secret).
  { keywords: ["influx"], command: /influx[ \t]+(?:setup|user[ \t]+(?:create|password))(?=[ \t])/iy, flag: flag("-p|--password"), password: whole },
  // Any influx command's `-t x`, its API token's short flag (`--token` is every command's: secretFlagDetector).
  { keywords: ["influx"], command: /influx(?=[ \t])/iy, flag: flag("-t"), password: whole, kind: "secret" },
  { keywords: ["pulumi"], command: /pulumi[ \t]+config[ \t]+set(?:[ \t]+-[-A-Za-z]+(?:[ \t]+[^\s-]\S*)?)*?[ \t]+--secret(?:[ \t]+-[-A-Za-z]+(?:[ \t]+[^\s-]\S*)?)*?[ \t]+[^\s-]\S*(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  // and `pulumi config set name x --secret`, the flag after the value.
  { keywords: ["pulumi"], command: /pulumi[ \t]+config[ \t]+set[ \t]+[^\s-]\S*(?=[ \t])/iy, flag: new RegExp(String.raw`^[ \t]+${VALUE}(?=[^\n]*?[ \t]--secret(?![\w-]))`, "gd"), password: whole },
  // Cloud Foundry's `cf auth user x` (`cf login -p x` is the flag's): a password's shape only, as `cf auth` is prose's word too.
  { keywords: ["cf"], command: /cf[ \t]+auth[ \t]+[^\s-]\S*(?=[ \t])/iy, flag: POSITIONAL, password: passwordShaped },
  { keywords: ["rabbitmqctl"], command: /rabbitmqctl[ \t]+(?:add_user|change_password)[ \t]+\S+(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  // A package manager's credentials for a repository: `poetry config http-basic.repo user x`, `poetry config pypi-token.repo x`,
  // `composer config (-g) http-basic.host user x` (and `bearer.host x`, `gitlab-token.host x`, `github-oauth.host x`, `bitbucket-oauth.host key x`).
  { keywords: ["poetry"], command: /poetry[ \t]+config(?:[ \t]+-[-A-Za-z]+)*[ \t]+(?:http-basic\.\S+[ \t]+\S+|pypi-token\.\S+)(?=[ \t])/iy, flag: POSITIONAL, password: whole },
  {
    keywords: ["composer"],
    command: /composer[ \t]+config(?:[ \t]+-[-A-Za-z]+)*[ \t]+(?:(?:http-basic|bitbucket-oauth)\.\S+[ \t]+\S+|(?:bearer|gitlab-token|gitlab-oauth|github-oauth)\.\S+)(?=[ \t])/iy,
    flag: POSITIONAL,
    password: whole,
  },
  // Bundler's `bundle config (set) (--global) gems.example.com user:x`: a host's credentials (a setting's name has no dot: `path vendor`).
  { keywords: ["bundle"], command: /bundle[ \t]+config(?:[ \t]+set)?(?:[ \t]+--[a-z]+)*[ \t]+[\w-]+\.[\w.-]+(?=[ \t])/iy, flag: POSITIONAL, password: after(":") },
];

/**
 * Where a command line ends: a newline not escaped by `\`, `|`, `;`, `&&` outside quotes (`-p'x;y|z'` is one
 * argument), or 2000 characters. `quotedLines`: a newline inside quotes ends it not (a request's body of several lines).
 */
function commandEnd(text: string, from: number, quotedLines = false): number {
  const limit = Math.min(text.length, from + 2000);
  let quote = "";
  for (let i = from; i < limit; i++) {
    const c = text.charAt(i);
    if (c === "\n" && text.charAt(i - 1) !== "\\" && !(quotedLines && quote !== "")) return i;
    if (quote !== "") {
      if (c === quote && (quote === "'" || text.charAt(i - 1) !== "\\")) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "|" || c === ";" || (c === "&" && text.charAt(i + 1) === "&")) return i;
  }
  return limit;
}

/** A quoted word right after a bare one, which the shell joins to it (closed on its line). */
const QUOTED_TAIL = /"([^"\n]{1,1000})"|'([^'\n]{1,1000})'/y;

function toolDetector(tool: Tool): Detector {
  return {
    keywords: tool.keywords,
    find(text: string, hits: Hits, out: Finding[]): void {
      let done = 0;
      for (let i = 0; i < hits.length; i += 2) {
        const at = hits[i] as number;
        if (at < done || (at > 0 && !/[\s"'/;|&(-]/.test(text.charAt(at - 1)))) continue;
        tool.command.lastIndex = at;
        if (!tool.command.test(text)) continue;
        const end = commandEnd(text, tool.command.lastIndex, tool.quotedLines);
        done = end;
        const line = text.slice(tool.command.lastIndex, end);
        const base = tool.command.lastIndex;
        const command = text.slice(at, end);
        tool.flag.lastIndex = 0;
        for (let m = tool.flag.exec(line); m !== null; m = tool.flag.exec(line)) {
          const v = valueOf(m, 1);
          // A bare word after a space that starts with `-` is the next flag; quoted or attached (`-p-x…`), a password.
          const nextFlag = v !== null && m[3] !== undefined && /[ \t]/.test(line.charAt(v.start - 1)) && v.value.startsWith("-");
          if (v === null || nextFlag) continue;
          // A bare word the shell joins to a quoted tail (`-u admin:'p@ss w0rd'`): read whole, the tail's quotes kept out of the secret.
          QUOTED_TAIL.lastIndex = v.end;
          const tail = m[3] !== undefined ? QUOTED_TAIL.exec(line) : null;
          const value = tail ? v.value + (tail[1] ?? tail[2]) : v.value;
          const from = (offset: number) => base + v.start + offset + (tail && offset >= v.value.length ? 1 : 0);
          const to = (offset: number) => base + v.start + offset + (tail && offset > v.value.length ? 1 : 0);
          const found = tool.password(value, command, line.slice(0, v.start));
          // A value that may hold several secrets (a request's body) is no stand-in as a whole (`{"foo": …}`): each secret is judged.
          const parts = found === null ? [] : typeof found[0] !== "number" ? (found as Array<[number, number]>) : isStandIn(value) ? [] : [found as [number, number]];
          for (const part of parts) {
            if (isStandIn(value.slice(part[0], part[1]))) continue;
            out.push({ start: from(part[0]), end: to(part[1]), kind: tool.kind ?? "password", ...widenedIfCut(value) });
          }
        }
      }
    },
  };
}

export const toolDetectors: Detector[] = TOOLS.map(toolDetector);

// ---------------------------------------------------------------------------------------------
// A secret piped into the command that stores or uses it

/**
 * What reads a password from its input: a registry's login (`--password-stdin`), a password store's insert (`pass insert`, `secret-tool store`,
 * `keyring set`), `gh auth login --with-token`, gpg's passphrase from descriptor 0 (`--passphrase-fd 0`), openssl's (`-pass stdin`, `-passin stdin`),
 * Kerberos' `kinit`, a VPN's login (`openconnect --passwd-on-stdin`), a mount's (`sshfs -o password_stdin`).
 */
const STORE_STDIN = String.raw`(?:docker|podman|helm(?:[ \t]+registry)?|oras|crane)[ \t]+login[^|\n]{0,200}--password-stdin|(?:go)?pass[ \t]+insert|secret-tool[ \t]+store|keyring[ \t]+set|rclone[ \t]+obscure[ \t]+-(?![\w-])|gh[ \t]+auth[ \t]+login[^|\n]{0,200}--with-token|gpg2?[ \t][^|\n]{0,200}--passphrase-fd[ \t=]+0(?!\d)|openssl[ \t][^|\n]{0,200}-pass(?:in)?[ \t]+stdin|kinit|openconnect[ \t][^|\n]{0,200}--passwd-on-stdin|sshfs[ \t][^|\n]{0,200}password_stdin`;

/**
 * What stores or takes a secret read from its input, piped or as a here-string: a platform's secret or variable (`wrangler secret put`,
 * `gh secret set`, `vercel env add`, `docker`'s and `podman`'s `secret create`, `gcloud secrets create` and `versions add`, `kubectl create secret`,
 * `firebase functions:secrets:set`, `fly secrets import`), a system's password (`chpasswd`), a disk's (`cryptsetup`), a login (`npm login`,
 * `vault login -`), and what STORE_STDIN names.
 */
const SECRET_READER = String.raw`(?:npx[ \t]+)?wrangler[ \t]+(?:pages[ \t]+)?secret[ \t]+put|gh[ \t]+secret[ \t]+set|vercel[ \t]+env[ \t]+add|(?:docker|podman)[ \t]+secret[ \t]+create|gcloud[ \t]+secrets|kubectl[ \t]+create[ \t]+secret|(?:sudo[ \t]+)?chpasswd|firebase[ \t]+functions:secrets:set|fly[ \t]+secrets[ \t]+import|cryptsetup|npm[ \t]+(?:login|adduser)|vault[ \t]+login|${STORE_STDIN}`;

/**
 * WSL running the command after it in a Linux distribution, from Windows (`echo 'alice:…' | wsl -d Ubuntu -u root chpasswd`): its
 * options, a distribution and a user, before the command that reads the input.
 */
const WSL_RUN = String.raw`(?:wsl(?:\.exe)?(?:[ \t]+(?:(?:-d|-u|--distribution|--user)[ \t]+[^\s|;&-][^\s|;&]{0,100}|-e|--exec|--)){0,4}[ \t]+)?`;

/**
 * `echo "…" | wrangler secret put NAME`, `printf '%s' '…' | gh secret set NAME`, `echo … | sudo -S cmd`, `echo … | docker login -u me
 * --password-stdin`, `passwd user`, what SECRET_READER names, each run by WSL too: what is echoed is the secret (a `$VAR` is only its name and stays).
 */
const PIPED = new RegExp(
  String.raw`(?:echo(?:[ \t]+-[neE]+)*|printf(?:[ \t]+(?:"%s(?:\\n)?"|'%s(?:\\n)?'))?)[ \t]+(?:"([^"\n]{1,500})"|'([^'\n]{1,500})'|([^\s|;&'"]{1,500}))[ \t]*\|[ \t]*${WSL_RUN}(?:sudo(?:[ \t]+-[A-Za-z]+)*?[ \t]+-[A-Za-z]*S\b|(?:sudo[ \t]+)?passwd(?:[ \t]+(?:--stdin|[\w.-]{1,32}))?(?![\w-])|${SECRET_READER})`,
  "dy",
);

/**
 * What is echoed into `base64` (a Kubernetes secret's data, a Basic header made by hand), or into
 * a flag named for a secret through a process substitution (`--vault-password-file <(echo …)`,
 * `--data-file=<(echo -n …)`): only a password-shaped value (`echo 'hello world' | base64` is a demo).
 */
const ECHOED = String.raw`(?:echo(?:[ \t]+-[neE]+)*|printf(?:[ \t]+(?:"%s"|'%s'))?)[ \t]+(?:"([^"\n]{1,500})"|'([^'\n]{1,500})'|([^\s|;&'"()]{1,500}))`;
const ENCODED = new RegExp(String.raw`${ECHOED}[ \t]*\|[ \t]*base64(?![\w-])`, "dy");
/**
 * A quoted value echoed at the very end of a text, or piped into a command cut off there: a title
 * cut before the command the value went to (redact.ts reads its `…` as a space).
 */
const CUT_BEFORE_CONSUMER = /(?:echo(?:[ \t]+-[neE]+)*|printf)[ \t]+(?:"([^"\n]{1,500})"|'([^'\n]{1,500})')[ \t]{0,40}(?:\|[ \t]{0,40}[\w-]{0,40})?[ \t]{0,40}$/dy;
const SUBSTITUTED = new RegExp(String.raw`${ECHOED}[ \t]*\)`, "dy");
const SECRET_FLAG_BEFORE = /(?:pass|secret|token|key|data-file|credential)[\w-]*(?:=|[ \t]+)<\($/i;

/**
 * A here-string into what stores or takes a secret (SECRET_READER: `vercel env add NAME production <<< "…"`, `gcloud secrets create x
 * --data-file=- <<< …`, `cryptsetup luksOpen dev vol <<< …`, `docker login -u me --password-stdin <<< …`, `pass insert -m app/key <<< …`;
 * `passwd --stdin`, `sudo -S <<< …`), or into a variable named for one (`read -r PASS <<< "…"`); a request's body, its words shaped as
 * credentials (`curl -d @- https://x.io <<< '{"foo": "…"}'`).
 */
const HERE_STRING = new RegExp(String.raw`<<<[ \t]*${VALUE}`, "dy");
const HERE_CONSUMER = new RegExp(
  String.raw`(?:(?:${SECRET_READER}|passwd[ \t]+--stdin)\b[^\n|;&]{0,200}|\bread\b[^\n|;&]{0,100}\b\w*(?:pass|pwd|token|secret|key)\w*[ \t]*)$`,
  "i",
);

/**
 * The files a command writes: after `>` or `>>` (not `2>&1`, not `&>`), or `tee`'s. What is written
 * into one named for a secret (printed-secret.ts filePrints) is that secret.
 */
const WRITE_TARGET = /(?:(?<![0-9&>])>>?(?![&>])|\btee(?:[ \t]+-a)?[ \t])[ \t]*["']?([^\s"'|;&<>()-][^\s"'|;&<>()]{0,299})/g;

/**
 * OpenVPN's auth file (a user's line, then the password's) written a line at a time: the line appended
 * (`>>`, `tee -a`) is the password's, and so is the line written into one its name says holds a password
 * (`/etc/openvpn/pass.txt`).
 */
const APPENDS = /^(?:>>|tee[ \t]+-a)/;
const PASSWORD_FILE_NAME = /pass[^\/\\]*$/i;

function writesSecretFile(command: string): boolean {
  for (const m of command.matchAll(WRITE_TARGET)) {
    const path = m[1] as string;
    const prints = filePrints(path);
    if (prints === "any" || (prints === "user-pass" && (APPENDS.test(m[0]) || PASSWORD_FILE_NAME.test(path)))) return true;
  }
  return false;
}

/**
 * A dotfile of the home directory with no extension (`~/.vp`, `$HOME/.dbpw`, `/root/.apikey`): a
 * secret kept where a script reads it, whatever its name. A config's lines (`~/.bashrc`'s) have
 * spaces or `=`; a version pinned in one (`~/.nvmrc`) has dots: held to a strong password's shape,
 * not a name of words (`MyProject2024`).
 */
const HOME_DOTFILE = /^(?:~|\$HOME|\$\{HOME\}|\/root|\/home\/[\w.-]{1,64}|\/Users\/[\w.-]{1,64})\/\.[A-Za-z][\w-]{0,63}$/;
const STRONG_WORD = /^(?=[^.\/:$={}\\]*={0,2}$)(?=.*[a-z])(?=.*\d)(?=.*[A-Z]|.*[!@#%^&*+?~])[^\s]{8,127}$/;

function writesHomeDotfile(command: string): boolean {
  for (const m of command.matchAll(WRITE_TARGET)) if (HOME_DOTFILE.test(m[1] as string)) return true;
  return false;
}

/** `sudo -S` reads its password from stdin; `-s` (a shell) reads a command. */
const SUDO_STDIN = /\bsudo(?:[ \t]+-[A-Za-z]+)*?[ \t]+-[A-Za-z]*S[ \t]*$/;

function hereString(text: string, at: number, out: Finding[]): void {
  const before = text.slice(Math.max(0, at - 220), at);
  const line = before.slice(before.lastIndexOf("\n") + 1);
  const secret = HERE_CONSUMER.test(before) || SUDO_STDIN.test(before) || writesSecretFile(line);
  // Else a request's body read from its input (`curl -d @- https://x.io <<< '{"foo": "…"}'`: request-body.ts): its words shaped as credentials.
  if (!secret && !sendsInput(line)) return;
  HERE_STRING.lastIndex = at;
  const m = HERE_STRING.exec(text);
  const v = m ? valueOf(m, 1) : null;
  if (!v) return;
  if (secret) {
    if (!isStandIn(v.value)) out.push({ start: v.start, end: v.end, kind: "secret" });
    return;
  }
  // A body is no stand-in as a whole (`{"foo": …}` looks like a template): each word is judged.
  for (const [s, e] of credentialWords(v.value)) if (!isStandIn(v.value.slice(s, e))) out.push({ start: v.start + s, end: v.start + e, kind: "secret" });
}

/**
 * A value echoed into a file named for a secret: `echo "…" > secrets/db_password.txt`, `printf '%s'
 * … >> ~/.vault-pass`, `echo … | sudo tee /run/secrets/token`.
 */
const ECHO_VALUE = new RegExp(ECHOED, "dy");
const REDIRECTED = /^[ \t]*[>|]/;
const COMMAND_END = /\n|;|&&/;

function writtenIntoFile(text: string, at: number): Finding | undefined {
  ECHO_VALUE.lastIndex = at;
  const m = ECHO_VALUE.exec(text);
  const v = m ? valueOf(m, 1) : null;
  if (!v || isStandIn(v.value)) return undefined;
  // The rest of its command: up to the line's end, `;` or `&&`.
  const rest = text.slice(ECHO_VALUE.lastIndex, ECHO_VALUE.lastIndex + 300).split(COMMAND_END, 1)[0] as string;
  // A file's name can mislead (`echo 0 > token_count.txt`): only a value shaped like a password goes.
  if (!REDIRECTED.test(rest)) return undefined;
  const secret = (passwordShaped(v.value) && writesSecretFile(rest)) || (STRONG_WORD.test(v.value) && !WORDS_NAME.test(v.value) && writesHomeDotfile(rest));
  return secret ? { start: v.start, end: v.end, kind: "secret" } : undefined;
}

/** The longest line of a value read below: a password or a token is some hundred characters. */
const HEREDOC_VALUE_MAX = 1000;

/**
 * A here-document of one line written into a file named for a secret: `cat > secrets/db_password.txt
 * <<EOF`, `cat <<'EOF' > ~/.vault-pass`, `tee /run/secrets/token <<EOF`, then the value, then the
 * delimiter (here-document.ts). A longer body is a file of its own (a `.env`), which the other rules read.
 */
function heredocIntoFile(text: string, at: number): Finding | undefined {
  const doc = hereDocument(text, at);
  // The command's line around the `<<`: 300 characters back, looked for no further (a line of many `<<` was read again from each).
  if (!doc || !writesSecretFile(text.slice(lineStart(text, at, 300) ?? at - 300, doc.body - 1))) return undefined;
  const bodyEnd = lineEnd(text, doc.body, HEREDOC_VALUE_MAX);
  // Its one line, then its word alone.
  if (text.charAt(bodyEnd) !== "\n" || hereDocumentEnd(text, doc, bodyEnd + 1 - doc.body + 80) !== bodyEnd + 1) return undefined;
  const line = text.slice(doc.body, bodyEnd).replace(/\r$/, "");
  const value = line.trim();
  if (!passwordShaped(value) || /\s/.test(value) || isStandIn(value)) return undefined;
  const start = doc.body + line.indexOf(value);
  return { start, end: start + value.length, kind: "secret" };
}

export const pipedSecretDetector: Detector = {
  keywords: ["echo", "printf", "<<"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (text.startsWith("<<", at)) {
        // `<<<` is a here-string (its second `<` is a hit of its own, and no start); `<<` a here-document.
        if (text.startsWith("<<<", at)) hereString(text, at, out);
        else if (text[at - 1] !== "<") {
          const found = heredocIntoFile(text, at);
          if (found) out.push(found);
        }
        continue;
      }
      PIPED.lastIndex = at;
      const m = PIPED.exec(text);
      const v = m ? valueOf(m, 1) : null;
      if (v && !isStandIn(v.value)) {
        out.push({ start: v.start, end: v.end, kind: "secret" });
        continue;
      }
      const written = writtenIntoFile(text, at);
      if (written) {
        out.push(written);
        continue;
      }
      const shaped = SECRET_FLAG_BEFORE.test(text.slice(Math.max(0, at - 80), at)) ? SUBSTITUTED : ENCODED;
      shaped.lastIndex = at;
      CUT_BEFORE_CONSUMER.lastIndex = at;
      const e = shaped.exec(text) ?? CUT_BEFORE_CONSUMER.exec(text);
      const w = e ? valueOf(e, 1) : null;
      if (w && !isStandIn(w.value) && !/\s/.test(w.value) && passwordShaped(w.value)) out.push({ start: w.start, end: w.end, kind: "secret" });
    }
  },
};

// ---------------------------------------------------------------------------------------------
// A password a script types at a prompt

/**
 * What a script sends after waiting for a password prompt: expect's `expect "password:"` then
 * `send "…\r"` (on its line or the next), pexpect's `child.expect('Password:')` then
 * `child.sendline('…')`. The `\r` or `\n` that ends the answer stays; an answer cut off at the
 * end of a text (a title) goes as far as it is there.
 */
const PROMPT_ANSWER =
  /assword[^"'\r\n]{0,40}["'](?:[ \t]*\)?[ \t]*\r?\n)?[^\r\n]{0,60}?send(?:line)?[ \t]*\(?[ \t]*(?:--[ \t]+)?(?:"((?:[^"\\\r\n]|\\(?![rn]")[^\r\n]){1,200})(?:\\[rn])?(?:"|$)|'((?:[^'\\\r\n]|\\(?![rn]')[^\r\n]){1,200})(?:\\[rn])?(?:'|$))/dy;

export const promptAnswerDetector = stickyDetector(["assword"], PROMPT_ANSWER, "password");

/**
 * A command that prints a backup's password, given as one that echoes it: restic's `--password-command 'echo …'`
 * (`RESTIC_PASSWORD_COMMAND="echo …"`), borg's `BORG_PASSCOMMAND='echo …'`, the same in a config (`password-command: …`).
 * The echoed word is the password (a `$VAR`, a script, `pass show x`, stay).
 */
const PASSWORD_COMMAND = new RegExp(
  String.raw`(?:password[-_]command|passcommand)["']?[ \t]*[=: \t][ \t]*["']?(?:echo(?:[ \t]+-[neE]+)*|printf(?:[ \t]+(?:"%s(?:\\n)?"|'%s(?:\\n)?'))?)[ \t]+(?:"([^"\n]{1,500})"|'([^'\n]{1,500})'|([^\s"'|;&]{1,500}))`,
  "diy",
);

export const passwordCommandDetector = stickyDetector(["password-command", "password_command", "passcommand"], PASSWORD_COMMAND, "password");
