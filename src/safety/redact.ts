import { compileRedactPattern } from "../config/schema.ts";
import { type Detector, DetectorSet, type Finding, type Ranked } from "./detectors.ts";
import { EDIT_FIELDS, mirrorEdit } from "./edit-pair.ts";
import { SECRET_KEY, VARIABLE_NAME, assignmentDetector, isAssignedSecret } from "./generic/assignment.ts";
import { awsSecretDetector } from "./generic/aws-secret.ts";
import { pipedSecretDetector, passwordCommandDetector, promptAnswerDetector, secretFlagDetector, toolDetectors } from "./generic/command-line.ts";
import { SCHEME_ONLY, authorizationDetector, basicDetector, bearerDetector, cookieDetector, schemeLength } from "./generic/headers.ts";
import { credentialCallDetector } from "./generic/credential-calls.ts";
import { envFallbackDetector } from "./generic/env-fallback.ts";
import { buildConfigFieldDetector, makeAssignmentDetector } from "./generic/build-variables.ts";
import { postmanSecretDetector } from "./generic/postman-secret.ts";
import { falKeyDetector } from "./generic/fal-key.ts";
import { tokenRecordDetector } from "./generic/token-record.ts";
import { kubernetesSecretDetector } from "./generic/kubernetes-secret.ts";
import { secretsMapDetector } from "./generic/secrets-map.ts";
import { composerAuthDetector } from "./generic/composer-auth.ts";
import { loneLines, loneSecret } from "./generic/lone-secret.ts";
import { loneField, pastedFieldDetector } from "./generic/lone-field.ts";
import { hereDocumentBodyDetector } from "./generic/request-body.ts";
import { encodedText, pastedEncodings } from "./generic/encoded-text.ts";
import { appPasswordDetector } from "./generic/app-password.ts";
import { seedPhraseDetector } from "./generic/seed-phrase.ts";
import { keypairArrayDetector } from "./generic/keypair-array.ts";
import { mysqlArgsDetector } from "./generic/mysql-args.ts";
import { handedKeyDetector } from "./generic/handed-key.ts";
import { envArrayDetector } from "./generic/env-array.ts";
import { keyListDetector } from "./generic/key-list.ts";
import { hclEnvDetector } from "./generic/hcl-env.ts";
import { codeEnvDetector, inlineVariablesDetector, powershellEnvDetector } from "./generic/inline-variables.ts";
import { isSecretContent, isSecretField } from "./generic/secret-record.ts";
import { kubernetesLiteralDetector } from "./generic/kubernetes-literal.ts";
import { type PrintedSecret, decodedPrints, filePrints, generatedEntryDetector, printedOutput, printedSecretDetector } from "./generic/printed-secret.ts";
import { environmentLines } from "./generic/search-output.ts";
import { bundlerCredentialsDetector } from "./generic/bundler-credentials.ts";
import { pastedDumpDetector } from "./generic/pasted-dump.ts";
import { vaultDataDetector } from "./generic/vault-data.ts";
import { projectConfigDetector } from "./generic/project-config.ts";
import { tableDetector } from "./generic/table.ts";
import { tsvKeysDetector } from "./generic/tsv-keys.ts";
import {
  cookieJarDetector,
  haproxyUserDetector,
  ipsecSecretsDetector,
  mavenMasterDetector,
  netrcDetector,
  openvpnAuthDetector,
  passwordHashDetector,
  pgpassDetectors,
  saslPasswdDetector,
  userFileDetectors,
} from "./generic/credential-files.ts";
import { isSecretMark, nameValueDetector, markedSecretDetector } from "./generic/name-value.ts";
import { sqlInsertDetector } from "./generic/sql-insert.ts";
import { privateKeyDetector, puttyKeyDetector } from "./generic/private-key.ts";
import { encodedPrivateKeyDetector } from "./generic/encoded-private-key.ts";
import { keyFieldsDetector } from "./generic/key-fields.ts";
import { wrappedJwtDetector } from "./generic/wrapped-jwt.ts";
import { wifiQrDetector } from "./generic/wifi-qr.ts";
import { wifiConfigDetector } from "./generic/wifi-config.ts";
import { otelHeadersDetector } from "./generic/otel-headers.ts";
import { serverHeadersDetector } from "./generic/server-headers.ts";
import { networkConfigDetector } from "./generic/network-config.ts";
import { CODES_FIELD, backupCodesDetector, bitlockerKeyDetector, oneTimeCodeDetector, totpSeedDetector } from "./generic/two-factor.ts";
import { otherScriptsDetector } from "./generic/other-scripts.ts";
import { isPinEntry, pinDetector } from "./generic/pin.ts";
import { isSessionEntry, namedSessionDetector, sessionTokenDetector } from "./generic/session-token.ts";
import { cookieListDetector, cookieSetDetector } from "./generic/cookie-list.ts";
import { proseSecretDetector } from "./generic/prose-secret.ts";
import { contextSecretDetector } from "./generic/context-secret.ts";
import { answeredQuestion, cliPromptDetector, questionAnswerDetector } from "./generic/question-answers.ts";
import { redisReplyDetector } from "./generic/redis-reply.ts";
import { redisAclDetector } from "./generic/redis-acl.ts";
import { blankLogPrefixes } from "./log-prefix.ts";
import { ftpScriptDetector } from "./generic/ftp-script.ts";
import { vaultOtpDetector } from "./generic/vault-root.ts";
import { dottedRowDetector } from "./generic/dotted-row.ts";
import { expandedRecordDetector } from "./generic/expanded-record.ts";
import { envObjectDetector } from "./generic/env-object.ts";
import { environmentListingDetector } from "./generic/environment-listing.ts";
import { tomlEnvDetector } from "./generic/toml-env.ts";
import { envLinesDetector } from "./generic/env-lines.ts";
import { variableProseDetector, variableTableRowDetector } from "./generic/variable-prose.ts";
import { jwtSettingsDetector } from "./generic/jwt-settings.ts";
import { notebookEchoDetector } from "./generic/notebook-echo.ts";
import { encodedFieldDetector, goDsnDetector, sentryDsnDetector, urlCredentialsDetector, urlPathKeyDetector, urlSignatureDetector, urlTokenUserDetector } from "./generic/urls.ts";
import { gitleaksDetectors } from "./gitleaks.ts";
import { isStandIn } from "./look-alikes.ts";
import { MARKER_ONLY, type RedactionKind, redactionMarker } from "./marker.ts";
import type { SeenSecrets } from "./seen-secrets.ts";
import { applyFindings } from "./spans.ts";
import { tokenDetectors } from "./token-rules.ts";

/**
 * Secret redaction: every text and JSON value goes through this before it leaves the machine.
 *
 * Pure, no I/O beyond the embedded rule data, and run on every message of a sync, so it is built
 * to cost one pass over a text that holds no keyword of any rule (detectors.ts), and to stay
 * linear on any input: every rule looks only around its keywords, with bounded repetitions. It
 * knows the providers of gitleaks' rule set (rules/gitleaks.json), the token prefixes of
 * rules/tokens.json, and generic shapes (generic/): assignments to secret-named keys, secret
 * command-line flags, credentials in URLs, headers and .netrc, private keys. Look-alikes
 * (placeholders, `$VAR` references, code such as `token = getToken()`) stay readable.
 * See docs/reference.md, "What leaves your machine".
 */

export { type PrintedSecret, type RedactionKind, redactionMarker };

/**
 * Each method takes the secrets its session has shown so far (`seen`, seen-secrets.ts): they are
 * redacted wherever they show again, and what the rules find is added to them.
 */
export interface Redactor {
  /** Redacts secrets in one text; `count` is the number of replacements. */
  redact(text: string, seen?: SeenSecrets): { text: string; count: number };
  /**
   * Redacts every string inside a JSON value (keys too, when they hold one); values of secret-named keys go whole,
   * and an edit's `old_string` and `new_string` are redacted together (edit-pair.ts).
   */
  redactValue<T>(value: T, seen?: SeenSecrets): { value: T; count: number };
  /**
   * Redacts a secret store's record given as a JSON value, as an MCP tool that writes one takes it
   * (`{"path": …, "data": {…}}`, `{"SecretId": …, "SecretString": …}`): the values of its secret
   * fields and content go whatever their shape, as in the record such a tool reads (generic/secret-record.ts);
   * the rest as redactValue.
   */
  redactRecord<T>(value: T, seen?: SeenSecrets): { value: T; count: number };
  /** Redacts a command's output (a tool's result) knowing the command prints a secret (generic/printed-secret.ts). */
  redactOutput(text: string, prints: PrintedSecret, seen?: SeenSecrets): { text: string; count: number };
}

interface RedactorOptions {
  /** Extra regex sources from the user's config (`redactPatterns`), compiled as config validates them. */
  extraPatterns?: readonly string[];
}

/**
 * Built-in detectors, most specific first: when two find the same secret, the first names it
 * (a GitHub token in a `GITHUB_TOKEN=` line is a github-token, not a secret). gitleaks' catch-all
 * generic-api-key comes last, after our own generic rules.
 */
function builtinDetectors(): Detector[] {
  const gitleaks = gitleaksDetectors();
  return [
    privateKeyDetector,
    puttyKeyDetector,
    encodedPrivateKeyDetector,
    keyFieldsDetector,
    urlCredentialsDetector,
    goDsnDetector,
    ...tokenDetectors(),
    falKeyDetector,
    tokenRecordDetector,
    wrappedJwtDetector,
    ...gitleaks.specific,
    awsSecretDetector,
    authorizationDetector,
    bearerDetector,
    basicDetector,
    cookieDetector,
    urlSignatureDetector,
    urlPathKeyDetector,
    sentryDsnDetector,
    urlTokenUserDetector,
    encodedFieldDetector,
    netrcDetector,
    composerAuthDetector,
    bundlerCredentialsDetector,
    openvpnAuthDetector,
    ...pgpassDetectors,
    passwordHashDetector,
    cookieJarDetector,
    haproxyUserDetector,
    saslPasswdDetector,
    ipsecSecretsDetector,
    mavenMasterDetector,
    ...userFileDetectors,
    wifiQrDetector,
    wifiConfigDetector,
    otelHeadersDetector,
    serverHeadersDetector,
    networkConfigDetector,
    bitlockerKeyDetector,
    totpSeedDetector,
    backupCodesDetector,
    oneTimeCodeDetector,
    ...toolDetectors,
    mysqlArgsDetector,
    hereDocumentBodyDetector,
    pipedSecretDetector,
    promptAnswerDetector,
    passwordCommandDetector,
    secretFlagDetector,
    appPasswordDetector,
    seedPhraseDetector,
    keypairArrayDetector,
    handedKeyDetector,
    envArrayDetector,
    keyListDetector,
    hclEnvDetector,
    envObjectDetector,
    environmentListingDetector,
    tomlEnvDetector,
    envLinesDetector,
    jwtSettingsDetector,
    inlineVariablesDetector,
    powershellEnvDetector,
    codeEnvDetector,
    makeAssignmentDetector,
    buildConfigFieldDetector,
    postmanSecretDetector,
    kubernetesLiteralDetector,
    pinDetector,
    sessionTokenDetector,
    namedSessionDetector,
    cookieListDetector,
    cookieSetDetector,
    assignmentDetector,
    nameValueDetector,
    redisReplyDetector,
    redisAclDetector,
    ftpScriptDetector,
    vaultOtpDetector,
    dottedRowDetector,
    expandedRecordDetector,
    markedSecretDetector,
    sqlInsertDetector,
    credentialCallDetector,
    envFallbackDetector,
    printedSecretDetector,
    notebookEchoDetector,
    generatedEntryDetector,
    pastedDumpDetector,
    pastedFieldDetector,
    vaultDataDetector,
    projectConfigDetector,
    tableDetector,
    tsvKeysDetector,
    kubernetesSecretDetector,
    secretsMapDetector,
    questionAnswerDetector,
    cliPromptDetector,
    proseSecretDetector,
    contextSecretDetector,
    otherScriptsDetector,
    ...gitleaks.generic,
    // Last: a rule that names what it finds (a password told in prose) wins over this one's plain secret.
    variableProseDetector,
    variableTableRowDetector,
  ];
}

let builtinSet: DetectorSet | undefined;

/**
 * Built once per thread, on first use: the keyword automaton and compiled rules are shared by
 * every redactor, and a run that redacts nothing (a sync with nothing new) never builds them.
 */
function builtin(): DetectorSet {
  builtinSet ??= new DetectorSet(builtinDetectors());
  return builtinSet;
}

/** A list's element that is a flag alone (`--password`, `-p`), whose value is the next element. */
const FLAG_ELEMENT = /^--?[A-Za-z][\w-]{0,63}$/;

/** Header-like keys whose whole value is a credential (`{"Authorization": "Basic ..."}`). */
const CREDENTIAL_KEY = /^(?:proxy-)?authorization$|^(?:set-)?cookie$/i;

function isSecretEntry(key: string, value: string): boolean {
  // A scheme's name alone (`{"token": "FlyV1"}`) is no credential.
  if (value.trim() === "" || SCHEME_ONLY.test(value)) return false;
  if (CREDENTIAL_KEY.test(key)) return !isStandIn(value);
  return (SECRET_KEY.test(key) && isAssignedSecret(key, value, true, undefined)) || isPinEntry(key, value) || isSessionEntry(key, value) || answeredQuestion(key, value);
}

/**
 * A value a secret store's record holds under a secret's field: a string, whatever its shape, as
 * the record read shows it (secret-record.ts), but an environment variable's name, which names the
 * secret (`{"secret": "STRIPE_KEY"}`); or a whole number (a PIN).
 */
function isStoredValue(v: unknown): v is string | number {
  if (typeof v === "number") return Number.isSafeInteger(v);
  return typeof v === "string" && v.trim() !== "" && !MARKER_ONLY.test(v) && !VARIABLE_NAME.test(v);
}

/** A record's field naming it, and the one holding its value: `{"name": "DB_PASSWORD", "value": "…"}` (generic/name-value.ts, as data). */
const NAME_FIELD = /^(?:parameter|option)?(?:name|key)$/i;
const VALUE_FIELD = /^(?:parameter|option)?value$/i;

/** A record's mark of what it holds (`{"type": "encrypted", …}`, `{"object": "api_key", …}`: generic/name-value.ts, as data). */
const MARK_FIELD = /^(?:type|object)$/;

/** The value field of a record whose name field names a secret, or that its type marks secret. */
function secretValueField(entries: Array<[string, unknown]>): string | undefined {
  const valued = entries.find(([k, v]) => VALUE_FIELD.test(k) && typeof v === "string");
  if (!valued || (valued[1] as string).trim() === "") return undefined;
  if (entries.some(([k, v]) => MARK_FIELD.test(k) && typeof v === "string" && isSecretMark(v))) return isStandIn(valued[1] as string) ? undefined : valued[0];
  const named = entries.find(([k, v]) => NAME_FIELD.test(k) && typeof v === "string");
  return named && isSecretEntry(named[1] as string, valued[1] as string) ? valued[0] : undefined;
}

/**
 * A terminal's colour and cursor codes (CSI: ESC, "[", parameters, a final letter), as coloured
 * tool output keeps them (`jq -C`, `grep --color`), and as scripts write them (`\033[31m`, `\e[0m`).
 */
const TERMINAL_CODE = /(?:\x1b|\\(?:u001[bB]|x1[bB]|033|e))\[[0-9;:?]{0,30}[A-Za-z]/g;

const ARROW = "\u2192";

/**
 * `text` with the Read tool's number before each line of a file it shows (`    12→`) as spaces:
 * digits and the arrow, after nothing but spaces on their line. A search for each arrow, not a
 * regex with a replacer, which measured twice as slow on a file of short lines.
 */
function blankLineNumbers(text: string): string {
  const pieces: string[] = [];
  let from = 0;
  for (let arrow = text.indexOf(ARROW); arrow >= 0; arrow = text.indexOf(ARROW, arrow + 1)) {
    let start = arrow;
    while (start > arrow - 9 && isDigit(text.charCodeAt(start - 1))) start--;
    let line = start;
    while (line > 0 && (text[line - 1] === " " || text[line - 1] === "\t")) line--;
    if (start === arrow || (line > 0 && text[line - 1] !== "\n")) continue;
    pieces.push(text.slice(from, start), BLANKS[arrow + 1 - start] as string);
    from = arrow + 1;
  }
  if (from === 0) return text;
  pieces.push(text.slice(from));
  return pieces.join("");
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** Spaces as long as a number and its arrow (at most 9 digits). */
const BLANKS = Array.from({ length: 11 }, (_, n) => " ".repeat(n));

/**
 * The text the built-in rules read, of the same length (findings keep their positions):
 * - the Read tool's line numbers count as spaces: a rule that looks at a line's start (a label
 *   and its value, a table's row, a key alone on its line) reads a file as the file holds it;
 * - an ellipsis counts as a space. A cut title or output puts "…" right after a token, where
 *   patterns expect a space or the end, and a value ending in "…" would pass for a
 *   documentation stand-in;
 * - terminal codes count as spaces. A colour code ends in a letter, right before what it
 *   colours: a key after it would read as the middle of a word (`\x1b[32msk-ant-…`), and a
 *   name and its value would read as apart (`"api_key"\x1b[0m:`);
 * - a log's time before each line counts as spaces (log-prefix.ts): a CI log's lines read as
 *   what the job printed.
 */
function asWords(text: string): string {
  let view = blankLineNumbers(text);
  if (view.includes("…")) view = view.replaceAll("…", " ");
  if (view.includes("[")) view = view.replace(TERMINAL_CODE, (code) => " ".repeat(code.length));
  return blankLogPrefixes(view);
}

/** An environment file's line: what tells a decoded text read as one. */
const ENV_FILE_LINE = /^[ \t]*(?:export[ \t]+)?[A-Za-z_]\w{0,100}=/m;

/** Whether a decoded text holds a secret by the built-in rules, or as an environment file when it is one. */
const encodesSecret = (decoded: string): boolean =>
  builtin().find(asWords(decoded)).length > 0 || (ENV_FILE_LINE.test(decoded) && printedOutput(decoded, "env").length > 0);

/** A user pattern (`redactPatterns`): runs on every text. */
function customDetector(re: RegExp): Detector {
  return {
    keywords: [],
    find(text: string, _hits, out: Finding[]): void {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0] === "") {
          re.lastIndex++; // a pattern that can match nothing must not insert markers
          continue;
        }
        out.push({ start: m.index, end: m.index + m[0].length, kind: "custom" });
      }
    },
  };
}

/** How much of the text before a secret seen-secrets.ts is shown, for the name it was assigned to. */
const LABEL_MAX = 200;

export function createRedactor(options: RedactorOptions = {}): Redactor {
  // User patterns come first: they name what they find, whatever else finds it too.
  const custom = (options.extraPatterns ?? []).flatMap((source) => {
    try {
      return [customDetector(compileRedactPattern(source))];
    } catch {
      return []; // config rejects invalid patterns; one that slips through is skipped, not fatal
    }
  });
  const customSet = custom.length > 0 ? new DetectorSet(custom) : null;
  const secretMarker = redactionMarker("secret");
  const codeMarker = redactionMarker("recovery-code");

  /** What every rule finds in a text, and the text as they read it; `tellsSecrets`: known to (an environment file's). */
  const findAll = (text: string, tellsSecrets = false, alone = true): { found: Ranked[]; words: string } => {
    const words = asWords(text);
    const found = builtin().find(words, custom.length);
    if (customSet) for (const f of customSet.find(text)) found.push(f);
    // A text that is one random-looking word, or a JSON object of one field holding one, when no rule found anything in it
    // (generic/lone-secret.ts, lone-field.ts).
    const lone = found.length === 0 && alone ? (loneSecret(words) ?? loneField(words)) : undefined;
    // A text that is base64 of text holding a secret (an environment file, a key's JSON, encoded to be pasted), read as any text, and
    // as an environment file when it is one (`NAME=value` lines; not any JSON, whose random values are an encoded blob's as often): all of it.
    const encoded = found.length === 0 && alone && !lone ? encodedText(words) : undefined;
    if (encoded && encodesSecret(encoded.decoded)) found.push({ start: encoded.start, end: encoded.end, kind: "secret", rank: Number.MAX_SAFE_INTEGER });
    else if (lone) found.push({ ...lone, rank: Number.MAX_SAFE_INTEGER });
    // A text that tells a secret: its other lines that are one random-looking word each go too.
    else if ((tellsSecrets || found.length > 0) && words.includes("\n")) for (const f of loneLines(words)) found.push({ ...f, rank: Number.MAX_SAFE_INTEGER });
    // A file's base64 pasted below the command that encoded it, among other lines: read as the file's (`$ base64 -w0 .env`).
    for (const e of pastedEncodings(words)) {
      const prints = filePrints(e.file);
      if (encodesSecret(e.decoded) || (prints !== undefined && printedOutput(e.decoded, prints).length > 0)) found.push({ start: e.start, end: e.end, kind: "secret", rank: Number.MAX_SAFE_INTEGER });
    }
    return { found, words };
  };

  /** The findings replaced, then the secrets seen before them; what was found is seen from now on. */
  const apply = (text: string, found: Ranked[], words: string, seen: SeenSecrets | undefined) => {
    if (!seen) return applyFindings(text, found, words);
    const r = applyFindings(text, found, words, (value, start) => seen.note(value, text.slice(Math.max(0, start - LABEL_MAX), start)));
    const again = seen.redact(r.text);
    return { text: again.text, count: r.count + again.count };
  };

  const redact = (text: string, seen?: SeenSecrets) => {
    const { found, words } = findAll(text);
    return apply(text, found, words, seen);
  };

  const redactKey = (key: string, seen: SeenSecrets | undefined) => {
    const { found, words } = findAll(key, false, false);
    return apply(key, found, words, seen);
  };

  const redactOutput = (text: string, printed: PrintedSecret, seen?: SeenSecrets) => {
    const prints = printed === "decoded" ? decodedPrints(text) : printed;
    const { found, words } = findAll(text, prints === "env");
    // A search's lines of environment files, read as that file's lines are, their prefixes (a path, a number) out of the way.
    if (prints === "env-search" || prints === "search") found.push(...findAll(environmentLines(words, prints), true).found);
    for (const f of printedOutput(words, prints)) found.push({ ...f, rank: Number.MAX_SAFE_INTEGER });
    return apply(text, found, words, seen);
  };

  /** An edit's two sides, each redacted with what the other implies (edit-pair.ts). */
  const redactEdit = (before: string, after: string, seen: SeenSecrets | undefined): [{ text: string; count: number }, { text: string; count: number }] => {
    const b = findAll(before);
    const a = findAll(after);
    mirrorEdit(before, after, b.found, a.found);
    return [apply(before, b.found, b.words, seen), apply(after, a.found, a.words, seen)];
  };

  /** An edit's fields (`old_string`, `new_string`), redacted as a pair. */
  const editedFields = (record: Record<string, unknown>, seen: SeenSecrets | undefined): Map<string, { text: string; count: number }> | undefined => {
    let out: Map<string, { text: string; count: number }> | undefined;
    for (const [beforeKey, afterKey] of EDIT_FIELDS) {
      const before = record[beforeKey];
      const after = record[afterKey];
      if (typeof before !== "string" || typeof after !== "string") continue;
      const [b, a] = redactEdit(before, after, seen);
      out ??= new Map();
      out.set(beforeKey, b).set(afterKey, a);
    }
    return out;
  };

  /**
   * `value` redacted; `record`: it is a secret store's record, whose fields' values go by their
   * names (secret-record.ts): `within` says whether a value is inside the secret's content.
   */
  const redactJson = <T>(value: T, seen: SeenSecrets | undefined, record: boolean): { value: T; count: number } => {
    let count = 0;
    /**
     * An argv (`"args": ["--password", "…"]`, a container's or an MCP server's): a flag's value is its next element, which alone
     * tells nothing; read beside its flag, as the command line holds them, when the element alone was kept.
     */
    const argvValues = (raw: unknown[], walked: unknown[]): unknown[] => {
      for (let i = 0; i + 1 < raw.length; i++) {
        const [flag, value] = [raw[i], raw[i + 1]];
        if (typeof flag !== "string" || typeof value !== "string" || !FLAG_ELEMENT.test(flag) || walked[i + 1] !== value) continue;
        const pair = redact(`${flag} ${value}`, seen);
        if (pair.count === 0 || !pair.text.startsWith(`${flag} `)) continue;
        walked[i + 1] = pair.text.slice(flag.length + 1);
        count += pair.count;
      }
      return walked;
    };
    const walk = (v: unknown, within: boolean): unknown => {
      if (record && within && typeof v === "string" && isStoredValue(v)) {
        seen?.note(String(v));
        count++;
        return secretMarker;
      }
      if (typeof v === "string") {
        const r = redact(v, seen);
        count += r.count;
        return r.text;
      }
      if (Array.isArray(v)) return argvValues(v, v.map((e) => walk(e, record && isSecretContent(undefined, within))));
      if (v === null || typeof v !== "object") return v;
      const entries = Object.entries(v);
      const valueField = secretValueField(entries);
      const edited = editedFields(v as Record<string, unknown>, seen);
      // fromEntries keeps a "__proto__" key as data instead of setting the prototype.
      return Object.fromEntries(
        entries.map(([name, child]) => {
          // A key holds a secret too, where a tool's input is a map keyed by what it names (`{"auths": {"https://me:…@registry": {}}}`);
          // by the rules, not as a random word alone: maps are keyed by ids (Firestore's, nanoid's) as often.
          const renamed = name.length >= 8 ? redactKey(name, seen) : undefined;
          count += renamed?.count ?? 0;
          const key = renamed?.text ?? name;
          // An authorization scheme before the credential (`{"token": "FlyV1 fm2_…"}`, `{"Authorization": "Bearer …"}`) stays, as in a header's text.
          const scheme = typeof child === "string" ? child.slice(0, schemeLength(child)) : "";
          // A whole number under a secret's name is one too (`{"pin": 4821}`): what is judged is its digits.
          const shown = typeof child === "string" ? child.slice(scheme.length) : Number.isSafeInteger(child) ? String(child) : undefined;
          // In a record, a number only right under a secret's field (a PIN stored as one, not a `ttl` inside the secret).
          const stored = record && isStoredValue(child) && isSecretField(key, within && typeof child === "string");
          if (stored || (shown !== undefined && (key === valueField || isSecretEntry(key, shown)))) {
            seen?.note(shown ?? String(child), key);
            count++;
            return [key, scheme + secretMarker];
          }
          if (Array.isArray(child) && CODES_FIELD.test(key)) {
            const codes = child.map((code) => {
              if (!isStoredValue(code) || (typeof code === "string" && isStandIn(code))) return walk(code, false);
              seen?.note(String(code));
              count++;
              return codeMarker;
            });
            return [key, codes];
          }
          const edit = edited?.get(key);
          if (edit) {
            count += edit.count;
            return [key, edit.text];
          }
          return [key, walk(child, record && isSecretContent(key, within))];
        }),
      );
    };
    const out = walk(value, false) as T;
    return { value: out, count };
  };

  const redactValue = <T>(value: T, seen?: SeenSecrets) => redactJson(value, seen, false);
  const redactRecord = <T>(value: T, seen?: SeenSecrets) => redactJson(value, seen, true);

  return { redact, redactValue, redactRecord, redactOutput };
}
