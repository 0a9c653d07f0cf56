/**
 * Adversarial inputs for every rule: tens of kilobytes of repeated near-matches per rule (its
 * keywords chained, keywords with separators, a longest match cut short and chained, real matches
 * chained), megabytes in all. A rule that backtracks super-linearly, or a walk repeated per
 * keyword hit, takes minutes here instead of seconds and the test times out. Correctness: a real
 * secret planted after each block is still redacted, and on each gitleaks rule's own blocks the
 * keyword windows find exactly what a run of its regex over the whole block finds.
 */
import { describe, expect, test } from "bun:test";
import { sample } from "../scripts/gitleaks/sample.ts";
import { assignmentDetector } from "../src/safety/generic/assignment.ts";
import { awsSecretDetector } from "../src/safety/generic/aws-secret.ts";
import { passwordCommandDetector, pipedSecretDetector, promptAnswerDetector, secretFlagDetector, toolDetectors } from "../src/safety/generic/command-line.ts";
import { authorizationDetector, bearerDetector, cookieDetector } from "../src/safety/generic/headers.ts";
import { haproxyUserDetector, ipsecSecretsDetector, netrcDetector, openvpnAuthDetector, pgpassDetectors, saslPasswdDetector, userFileDetectors } from "../src/safety/generic/credential-files.ts";
import { networkConfigDetector } from "../src/safety/generic/network-config.ts";
import { secretsMapDetector } from "../src/safety/generic/secrets-map.ts";
import { backupCodesDetector, bitlockerKeyDetector, oneTimeCodeDetector, totpSeedDetector } from "../src/safety/generic/two-factor.ts";
import { wifiQrDetector } from "../src/safety/generic/wifi-qr.ts";
import { tokenRecordDetector } from "../src/safety/generic/token-record.ts";
import { wifiConfigDetector } from "../src/safety/generic/wifi-config.ts";
import { otelHeadersDetector } from "../src/safety/generic/otel-headers.ts";
import { markedSecretDetector } from "../src/safety/generic/name-value.ts";
import { contextSecretDetector } from "../src/safety/generic/context-secret.ts";
import { envFallbackDetector } from "../src/safety/generic/env-fallback.ts";
import { keyListDetector } from "../src/safety/generic/key-list.ts";
import { hclEnvDetector } from "../src/safety/generic/hcl-env.ts";
import { ftpScriptDetector } from "../src/safety/generic/ftp-script.ts";
import { vaultOtpDetector } from "../src/safety/generic/vault-root.ts";
import { buildConfigFieldDetector, makeAssignmentDetector } from "../src/safety/generic/build-variables.ts";
import { postmanSecretDetector } from "../src/safety/generic/postman-secret.ts";
import { inlineVariablesDetector } from "../src/safety/generic/inline-variables.ts";
import { privateKeyDetector, puttyKeyDetector } from "../src/safety/generic/private-key.ts";
import { encodedPrivateKeyDetector } from "../src/safety/generic/encoded-private-key.ts";
import { wrappedJwtDetector } from "../src/safety/generic/wrapped-jwt.ts";
import { pastedDumpDetector } from "../src/safety/generic/pasted-dump.ts";
import { environmentListingDetector } from "../src/safety/generic/environment-listing.ts";
import { tomlEnvDetector } from "../src/safety/generic/toml-env.ts";
import { envLinesDetector } from "../src/safety/generic/env-lines.ts";
import { variableProseDetector, variableTableRowDetector } from "../src/safety/generic/variable-prose.ts";
import { vaultDataDetector } from "../src/safety/generic/vault-data.ts";
import { bundlerCredentialsDetector } from "../src/safety/generic/bundler-credentials.ts";
import { generatedEntryDetector, printedSecretDetector } from "../src/safety/generic/printed-secret.ts";
import { projectConfigDetector } from "../src/safety/generic/project-config.ts";
import { proseSecretDetector } from "../src/safety/generic/prose-secret.ts";
import { cliPromptDetector, questionAnswerDetector } from "../src/safety/generic/question-answers.ts";
import { otherScriptsDetector } from "../src/safety/generic/other-scripts.ts";
import { pinDetector } from "../src/safety/generic/pin.ts";
import { sessionTokenDetector } from "../src/safety/generic/session-token.ts";
import { cookieListDetector, cookieSetDetector } from "../src/safety/generic/cookie-list.ts";
import { redisReplyDetector } from "../src/safety/generic/redis-reply.ts";
import { redisAclDetector } from "../src/safety/generic/redis-acl.ts";
import { sentryDsnDetector, urlCredentialsDetector, urlSignatureDetector, urlTokenUserDetector } from "../src/safety/generic/urls.ts";
import { GITLEAKS, gitleaksFindings } from "../src/safety/gitleaks.ts";
import { loneSecret } from "../src/safety/generic/lone-secret.ts";
import { createRedactor } from "../src/safety/redact.ts";
import { SeenSecrets } from "../src/safety/seen-secrets.ts";
import { TOKEN_RULES } from "../src/safety/token-rules.ts";
import { CANARIES, seededRandom } from "./helpers/canaries.ts";

const KiB = 1024;
const BLOCK = 48 * KiB;
const fill = (unit: string, size = BLOCK) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const random = seededRandom(0x11ea);
const { redact } = createRedactor();

const GENERIC = [
  assignmentDetector,
  cookieListDetector,
  cookieSetDetector,
  awsSecretDetector,
  secretFlagDetector,
  promptAnswerDetector,
  pipedSecretDetector,
  ...toolDetectors,
  authorizationDetector,
  bearerDetector,
  cookieDetector,
  netrcDetector,
  ...pgpassDetectors,
  privateKeyDetector,
  puttyKeyDetector,
  encodedPrivateKeyDetector,
  wrappedJwtDetector,
  urlCredentialsDetector,
  urlSignatureDetector,
  sentryDsnDetector,
  urlTokenUserDetector,
  bundlerCredentialsDetector,
  printedSecretDetector,
  generatedEntryDetector,
  pastedDumpDetector,
  environmentListingDetector,
  tomlEnvDetector,
  envLinesDetector,
  variableProseDetector,
  variableTableRowDetector,
  vaultDataDetector,
  projectConfigDetector,
  proseSecretDetector,
  questionAnswerDetector,
  cliPromptDetector,
  envFallbackDetector,
  makeAssignmentDetector,
  buildConfigFieldDetector,
  postmanSecretDetector,
  redisReplyDetector,
  redisAclDetector,
  otherScriptsDetector,
  pinDetector,
  sessionTokenDetector,
  haproxyUserDetector,
  saslPasswdDetector,
  ipsecSecretsDetector,
  ...userFileDetectors,
  networkConfigDetector,
  secretsMapDetector,
  wifiQrDetector,
  tokenRecordDetector,
  wifiConfigDetector,
  bitlockerKeyDetector,
  totpSeedDetector,
  backupCodesDetector,
  oneTimeCodeDetector,
  contextSecretDetector,
  openvpnAuthDetector,
  markedSecretDetector,
  otelHeadersDetector,
  inlineVariablesDetector,
  keyListDetector,
  hclEnvDetector,
  ftpScriptDetector,
  vaultOtpDetector,
  passwordCommandDetector,
];

/** For each gitleaks rule: one of its matches chained, and cut short by one character, chained. */
function ruleUnits(): [id: string, unit: string][] {
  return GITLEAKS.rules.flatMap((rule): [string, string][] => {
    const match = sample(rule.regex, random);
    return [
      [rule.id, match],
      [rule.id, match.slice(0, -1)],
    ];
  });
}

/** Near-misses and chained matches for every rule, by name. */
function adversarialUnits(): [name: string, unit: string][] {
  const units: [string, string][] = [];
  const keywords = new Set([...GITLEAKS.rules, ...TOKEN_RULES, ...GENERIC].flatMap((r) => [...r.keywords]));
  for (const k of keywords) {
    units.push([`keyword ${k} chained`, k]);
    units.push([`keyword ${k} with separators`, `${k}=${k}: "${k}' `]);
    units.push([`keyword ${k} then a long word`, `${k}=${"Ab1".repeat(700)}`]);
  }
  for (const [id, unit] of ruleUnits()) units.push([id, unit]);
  for (const rule of TOKEN_RULES) {
    for (const k of rule.keywords) units.push([`${rule.kind}: ${k} and token characters`, `${k}${"a1B2-c3D4_".repeat(5)}`]);
  }
  units.push(
    ["private key headers without a body", "-----BEGIN RSA PRIVATE KEY-----"],
    ["private key headers and body without END", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n"],
    ["url credentials without @", "://a:b/c:d/"],
    ["url credentials with a far @", `://user:${"p/".repeat(200)}`],
    ["authorization headers without credentials", "Authorization: Bearer "],
    ["authorization with an open quote", 'Authorization: "Bearer abc'],
    ["cookies without values", "Cookie: a=; b=; Set-Cookie: "],
    ["bearer words", "bearer bearer bearer1 "],
    ["vault Data tables, each a row of the one above", "====== Data ======\nKey Value\n--- -----\na b\n"],
    ["netrc without a password", "machine h login u account a port 1 "],
    ["pgpass lines one field short", "pgpass\nh:5432:db:user\n*:*:*:*"],
    ["curl without a user", "curl -X POST -H x "],
    ["mysql flags", "mysql -p -P 3306 "],
    ["flags without values", "--password --token --api-key -storepass "],
    ["signature names", "&sig&signature&X-Amz-Signature="],
    ["unterminated quote", 'password: "correct horse battery staple '],
    ["assignment names", "DB_PASSWORD_TOKEN_SECRET_KEY_AUTH"],
    ["ellipses", "token=…sk-…ghp_…"],
    ["colour codes and escapes", "\x1b[1;39m\\033[0m\\e[\x1b[31"],
    ["xml elements never closed", "<password>a<apiKey x='1'>b<token>"],
    ["property list keys and named elements never closed", '<key>token</key> <entry key="password">a <param name="secret" '],
    ["sql statements without a quoted password", "CREATE ROLE app WITH LOGIN PASSWORD IDENTIFIED BY "],
    ["telegram-like ids without a token", "123456789:AA 1234567890:AAb "],
    ["value-cutting commands on one long line", "grep -oP 'TOKEN=\\K' | cut -d= awk -F= sed -n 's/API_KEY=//' "],
    ["token records opened and never closed, plain and escaped", '{"value":"x","issued_on":"","policies":[{"issued_on":{\\"issued_on\\":[\\"'],
    ["Wi-Fi config lines of spaces, never ending", `psk=a${" ".repeat(2000)}b${" b".repeat(500)}\nwpa_passphrase=`],
    ["backslashes before every quote of a record", `{${"\\".repeat(40)}"issued_on${"\\".repeat(40)}":`],
    ["aws context and 39-character words", `AKIAIOSFODNN7EXAMPLF ${"Ab1/".repeat(10).slice(0, 39)} `],
    ["one-liners' options chained, never their code's flag", "node --a=b -r x --c bun --env-file .env node --print"],
    ["kubectl's words before describe, never a workload", "kubectl a b c d e f g describe node "],
    ["ps's dashed groups with E, each a value's flag", "ps -aE -Ep -wwEo -E "],
    ["namespaced elements never closed", "<a:token>b <ns:apiKey x='1'>c </ns:token "],
    ["encodings into tee and tr with no base64 below", "$ base64 .env | tee a\n$ cat .env | base64 | tee -a\n$ base64 .env | tr -d '\\n'\n$ base64 -i .env -o -\n"],
    ["deploy keys' names and teams never piped", "prod:a-b-c:d-e-f dev:a:b:c preview:a-1|"],
    ["webhook paths one segment short", "/services/TABCDEFGH/BABCDEFGH/hook.eu1.make.com/hook.make.com"],
    ["sqlite3's queries never of settings, bars never a row", "$ sqlite3 a from from settings\n1|a|b|c||||\n|||"],
    ["Postman's values never typed, escapes never closed", "\"value\": \"a\\\"\", \"type\": \"value\": \"\\\\"],
    ["variables set alone, each exported", "A=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\nx\nexport A B\n"],
    ["arrays of objects named, never a value", "[{\"name\": \"A\", \n[ {\n \"name\": \"A\", \"value\": 1}"],
    ["make's assignments never at a line's start, buildConfigField never closed", "A ?= B := x\n\t+= ::= buildConfigField(\"String\", \"A\", \"\\\"b"],
    ["rg's headings never followed by a numbered line", "$ rg A\n.env\n\n.env\na\n1:\n"],
    ["tuples' names never a pair", "(('A',(\"A\", ('A', '<token>' OrderedDict([("],
    ["gh's variables' rows never dated, and dates alone", "$ gh variable list\nA\tb\tc ago ago 2025-11-02T A b Mar 3, \nKEY\t2025-11-02T10:00:00Z\n"],
    ["Compose services' prefixes never an assignment, and cat -A's ends", "api-1  | a_1 | b-2 |\nA=1$\nweb_1 | A=$\n"],
    ["new prefixes one character short, chained", `e2b_${"9f".repeat(19)}f bb_live_abc apify_api_${"Ab".repeat(14)} AstraCS:${"a".repeat(23)}:${"9f".repeat(32)} ctx7sk-bb89b474-c121 K10${"9f".repeat(32)}:: eyJ2ZXIiOiI user successfully reset.\nNew value:\n`],
    ["more prefixes, their bodies cut short or of words", `signkey-prod-9f tr_dev_ab1 xaat-1f2e3d4c pat-na1-1f2e pa-${"ab-".repeat(20)} jina_a1 rpa_A1 sk_car_a1 dtn_9f BSA${"A".repeat(30)} m0-a1 A21AA secret-test-${"ab-".repeat(15)} pdl_live_apikey_ hcaik_01 eyJhcGlLZXkiOi `],
    ["deploys' parameters and act's secrets chained, never a value; literals' lists at their key's indentation", "sam deploy cloudformation deploy cdk deploy --parameters a= act -s A= gcloud builds submit --substitutions=_A=,_B=, literals:\n- a\nliterals:\n- A=\n mcp.zapier.com/api/mcp/s/ "],
    ["lists' plural names chained, their values cut short or words", `API_KEYS=API_KEYS=[apiKeys: "auth_tokens='${"Ab1,".repeat(10)} DENO_AUTH_TOKENS=${"a@b;".repeat(10)} validApiKeys rapi_keys=`],
    ["aligned headers naming a token, over rows of tabs and spaces", "NAME  TOKEN  CREATED\n\t\t\t  \t a\tb  c\nID\tToken\tUser Name\n"],
    ["infrastructure tools' flags chained, never a value", "ipmitool -P racadm -p rdesktop -p snmpwalk -A -X x11vnc -storepasswd | kinit openconnect --passwd-on-stdin sshfs -o password_stdin "],
    ["sbt's credentials opened, three arguments and never a fourth", 'Credentials("a", "b", sys.env("c"), Credentials("a", "b", "c", '],
    ["Terraform's environment maps and env blocks opened, their entries never closed", 'variables = {\n  A = "b\nenv {\n  value = "\n  ~ "A" = "b" -> "\nenvironment = {\n'],
    ["services' token flags chained, never a value; Smithery's args never a key", 'snyk auth snyk config set api= codecov.io/bash) -t mosquitto_pub -P npx @smithery/cli@latest "--key",\n "\n'],
    ["FTP scripts opened and never closed, logins with no password", "ftp <<E\nuser a\nlftp <<E\nopen -u a, ncftp x << quote pass \n"],
    ["logs' times before lines, never an assignment; Compose services' names before times", "2026-12-07T10:00:00.1234567Z \n[2026-12-07T10:00:00Z] #1 0.123 [10:00:01] \napi-1  | 2026-12-07T10:00:00 app[web.1]: x\n 00O 00E+ "],
    ["Vault's OTPs one character short, its flags chained with no value", `OTP  ${"a1".repeat(9)}a\n"otp": "${"a1".repeat(9)}\nvault operator unseal -x vault operator generate-root -otp= -decode= consul keygen\nnomad operator keygen\n`],
    ["Anaconda's token paths chained, each segment one character short", `anaconda.org/t/anaconda.cloud/t/${"a1".repeat(9)}a/`],
    ["agents' environment tables opened and never closed, entries with no value", 'env = { "A" = "b" = http_headers = { "environment": { envs:\n  A: '],
    ["password commands chained, never echoing", "--password-command 'echo BORG_PASSCOMMAND=\"printf '%s' RESTIC_PASSWORD_COMMAND=echo -n -e "],
    ["MCP adds' -e chained, never a value", "claude mcp add -e A= gemini mcp add -e inspector -e -e -e "],
    ["platforms' and stores' setters chained, never a value", "eb setenv vault kv put cf set-env a clever env set sst secret set A glab variable set --value upsun variable:create -v koyeb secrets create --value dvc remote modify a secret_access_key "],
    ["wallets', hashes' and tools' keywords chained, each one character short or with no value", `SCRAM-SHA-256$4096:${"Ab1+".repeat(5)}$${"Ab1+".repeat(5)}: routing_key: ${"9f".repeat(15)}f xprv${"A1b".repeat(35)}a wif: K${"A1b".repeat(16)}ab WIF_KEY=${"A1b".repeat(16)}ab echo 'a' | wsl -d a -u b -e -- -- wsl echo a | wsl.exe bitcoin-cli dumpprivkey importprivkey - headscale preauthkeys create pihole -a -p evil-winrm -p `],
    ["answered prompts' check marks, then questions chained on one line, never a last word", "✔ What's the value of A_TOKEN? ? a? ✔ b? · \n✔ "],
  );
  return units;
}

describe("adversarial inputs complete, and redact what they should", () => {
  const units = adversarialUnits();

  test(`${units.length} blocks of ${BLOCK / KiB} KiB, each followed by a real secret`, () => {
    const wrong: string[] = [];
    units.forEach(([name, unit], i) => {
      const canary = CANARIES[i % CANARIES.length] as (typeof CANARIES)[number];
      const out = redact(`${fill(unit)}\n${canary.text}\n`);
      if (out.text.includes(canary.secret)) wrong.push(`${name}: the planted ${canary.name} survived`);
    });
    expect(wrong).toEqual([]);
  }, 180_000);

  test("on each gitleaks rule's blocks, keyword windows find what its regex finds over the whole block", () => {
    const wrong: string[] = [];
    for (const [id, unit] of ruleUnits()) {
      const block = fill(unit, 16 * KiB);
      const spans = (everywhere: boolean) => JSON.stringify(gitleaksFindings(block, id, everywhere).map((f) => [f.start, f.end]));
      if (spans(false) !== spans(true)) wrong.push(id);
    }
    expect(wrong).toEqual([]);
  }, 180_000);

  test("all of them in one text of several MiB", () => {
    const planted = CANARIES.map((c) => c.text).join("\n");
    const text = `${units.map(([, unit]) => fill(unit, 4 * KiB)).join("\n")}\n${planted}`;
    expect(text.length).toBeGreaterThan(4 * KiB * KiB);
    const out = redact(text);
    expect(CANARIES.filter((c) => out.text.includes(c.secret)).map((c) => c.name)).toEqual([]);
  }, 180_000);
});

describe("a text that is one word of near-misses (the lone-word rule) completes", () => {
  // Runs of one kind that no split into words can end (not hex, which the rule leaves alone). A rule trying every
  // split takes about 1 s per word here before the regex engine gives up, so the 96 words below time the test out.
  const runs = (n: number): [text: string, isKey: boolean][] => [
    [`${"Z".repeat(n)}z1`, true],
    [`${"z".repeat(n)}Z1y`, true],
    [`${"1".repeat(n)}zZ`, true],
    [`${"Zy".repeat(n / 2)}x1`, true],
  ];
  const words: [text: string, isKey: boolean][] = [
    ...Array.from({ length: 24 }, (_, i) => 500 - i * 10).flatMap(runs),
    [`${"zY1".repeat(40)}!`, true],
    [`${"Hello-World".repeat(40)}!`, false],
  ];
  test(`${words.length} words of up to 503 characters`, () => {
    expect(words.filter(([text, isKey]) => (loneSecret(text) !== undefined) !== isKey).map(([text]) => text.slice(0, 20))).toEqual([]);
  });
});

test("a quoted value echoed, then a long run of spaces before more text", () => {
  // The rule for a value echoed at the end of a cut text once tried every split of the spaces: minutes at 1 MB.
  const text = `echo 'Xk9pQ2vL#7' ${" ".repeat(1 << 20)}x`;
  expect(redact(text).count).toBe(0);
});

test("1 MiB of lines each a command that reads a stored secret, with no prompt between them", () => {
  // Each command's record below it was read to its end, over the commands after it: every hit read the rest again.
  const text = "op read op://a/b\n".repeat((1 << 20) / 17);
  expect(redact(text).count).toBe(0);
});

test("a box's title, then a row that is a long run of spaces with no column's bar", () => {
  // Doppler's and Railway's box rule read the spaces before the name apart from the name's column: every split, minutes at 1 MB.
  const text = `╔═══ Variables for api ═══╗\n║${" ".repeat(1 << 20)}x`;
  expect(redact(text).count).toBe(0);
});

describe("1 MiB of near-misses of each newer rule completes, and redacts nothing", () => {
  const MiB = 1 << 20;
  const hex = "0123456789abcdef0123456789abcdef";
  const nearMisses: [name: string, unit: string][] = [
    ["Sentry hosts after a key cut short", `//${hex.slice(1)}@o1.ingest.sentry.io/1 `],
    ["Sentry hosts with a long host before", `//${hex}@${"a.".repeat(50)}sentry.`],
    ["Sentry words chained", ".sentry@sentry"],
    ["key-making commands on one line", "gpg sops /dev/urandom secrets.token_hex randomBytes( pwgen "],
    ["gpg without -d, on one long line", "gpg --list-keys -dx "],
    ["config names glued into one endless word, and chained with values too short", "passtokenkey-secret.auth:pass a:token Ab1 "],
    ["cookie maps in code opened and never closed, their values words", "addCookies([{ name: 'a', value: 'dark', cookies = {'b': 'x.y.z', "],
    ["cookies set in code, each value cut short", 'res.cookie("a", "b.c set_cookie("s", value="x cookies().set("'],
    ["decrypted dumps with no prompt between, each output a line of words", "sops -d s.yaml\nname: not a key\n+ pulumi config --show-secrets\nKEY VALUE\n"],
    ["key-making commands, each followed by prose", "$ openssl rand -hex 32\nnot one word\n"],
    ["here-string openings never closed", '$password = @"\nline\n'],
    ["here-string openings closed far below", `$token = @'\n${"x".repeat(9000)}\n'@\n`],
    ["a label naming whose, then no value", "Password for the user of the box on:\n"],
    ["a label, then a sentence that never tells", "password, the new one is and changed it to "],
    ["labels chained in one long sentence", "password token secret, set it "],
    ["Set-Item paths without a value", "Set-Item -Path Env:\\DB_PASSWORD -Value\n"],
    ["user labels chained", "u: user user: usr login "],
    ["a user and a pass label, then no value", "user admin / pass        "],
    ["service names chained", "ssh db mysql psql redis mongo / "],
    ["a service, then a slash far away", `ssh ${"a".repeat(120)} / `],
    ["tight pairs after a login, each cut short", "login a:bcdef/ creds u/pass1."],
    ["accounts' pairs chained", "root:Ab1(admin:Xy2 postgres:"],
    ["labels in other scripts chained, with separators and near-misses", `пароль密码パスワード: 비밀번호는 — 密码是是是 "${"Ab1".repeat(3)}`],
    ["PuTTY's private lines announced, over and over, none following", `${"Private-Lines: 999\n-- Private-Lines:\n".repeat(500)}`],
    ["quoted words after a label, never closed", `password is "${"Ab1! ".repeat(400)}`],
    ["a label in another script, then many words and no colon", `пароль${" от базы".repeat(200)} ${"Ab1".repeat(3)}`],
    ["labels in other scripts as quoted keys, each closing quote with no colon after", `${'"пароль" "密码"\''.repeat(300)}: "Ab1`],
    ["here-documents into a secret's file, never closed", `cat > token <<EOF\nAb1${"Ab1".repeat(20)}\ncat <<X > .vault-pass <<Y\n`],
    ["values told before their label, never followed by 'as'", `use ${"Ab1".repeat(40)} set ${"Ab1".repeat(5)} to password `],
    ["redis reply lines, each pair cut short", '1) "password"\n2) "pass\n3) "token"\n 12345) "'],
    ["a login, then a run of pairs", `creds ${"a:b".repeat(60)} `],
    ["app-password groups in capitals, one short", "password: ABCD EFGH IJKL MNO "],
    ["values named before their label, none shaped like one", "words is the password, it was my token; this is the key "],
    ["a long word, then labels named after it", `${"a".repeat(140)} is the password was my api key is the token `],
    ["pass after services and accounts, chained", "db pass root pass admin pass database pass pass "],
    ["the key, told nothing", "the key is the key this key is "],
    ["aligned tables' headers chained, values of words below", "KeyName    Value\n---------  -----\nkey1       enabled\n\nPassword  Token\n--------  -----\nnone      unset\n\n"],
    ["an aligned header over a rule of 1 MiB", `KeyName Password Value\n${"--- ".repeat(1 << 18)}\n`],
    ["an aligned header's hits over a rule, each row empty", `${"token ".repeat(200)}\n--- ---\n${" \n".repeat(50)}`],
    ["PIN names, their digits too few or too many", "pin: 12 PIN=123456789 pin code is 123 "],
    ["long names ending in pin, no digits after", `${"a_".repeat(40)}pin= `],
    ["session names, their values ids or code", `session_id=29ccd25768b1427fae5f6524b7cb6f20 session: ${"a1".repeat(300)}_x session=`],
    ["session names, their values snake_case names or cut by code", `session=${"Ab_1".repeat(120)}( session_id: ${"a1_".repeat(5)}x session=_`],
    ["cookie signatures without a value", "COOKIE_SIGNATURE= cookie_signature: signature "],
    ["question answers introduced, never closed", 'User has answered your questions: "What is the password?"="'],
    ["question answers, their separators chained", `has answered your questions: "${'"="'.repeat(3000)}". You can now continue `],
    ["question answers about a password, chained", 'has answered your questions: "Which password?"="a", "b"="c, d". You can now continue '],
    ["names in JSON escaped many times, their values never following", 'password\\\\\\\\\\": \\\\\\"\\\\\\"token\\\\":\\\\\\\\\\\\\\\\"\n'],
    ["concealed fields, their value never following", '{"type": "CONCEALED", "label": "password", "concealed", "type":"CONCEALED",\n'],
  ];
  for (const [name, unit] of nearMisses) {
    test(name, () => {
      const text = unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB);
      const started = performance.now();
      const out = redact(text);
      const ms = performance.now() - started;
      expect(out.count).toBe(0);
      expect(ms).toBeLessThan(5_000);
    });
  }
});

test("a token, then 1 MiB of wrapped pieces and of pieces too short, completes", () => {
  const ghp = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
  for (const piece of [`"${"Zq7vW2pL9xQ3".repeat(2)}" +\n`, '"abc" +\n']) {
    const text = `key = "${ghp}" +\n${piece.repeat(Math.ceil((1 << 20) / piece.length))}"end"`;
    const out = redact(text);
    expect(out.count).toBe(1);
    expect(out.text.length < text.length).toBe(true);
  }
});

test("quoted prose past 1,000 characters under a secret's name, closed or not, repeated to 1 MiB, redacts nothing", () => {
  // A value cut at 1,000 characters is taken whole only when it has no space: a long opaque value, not prose.
  const unit = `api_key="${"the word ".repeat(150)}"\npassword: '${"a b ".repeat(400)}\n`;
  expect(redact(unit.repeat(Math.ceil((1 << 20) / unit.length))).count).toBe(0);
});

describe("1 MiB of one rule's start chained on a line, then a line below, completes", () => {
  // Each hit used to scan on to the line's end (or a name retried at each length): quadratic, minutes at 1 MiB.
  const MiB = 1 << 20;
  const units = ["htpasswd -", "vault ", "get-parameter ", "find-generic-password ", "op item get ", "doppler secrets get ", "key=", "cookie: "];
  for (const unit of units) {
    test(JSON.stringify(unit), () => {
      const text = `${unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB)}\nZq7vW2pL9xQ3\n`;
      const started = performance.now();
      expect(redact(text).count).toBe(0);
      expect(performance.now() - started).toBeLessThan(5_000);
    });
  }
});

test("1 MiB of a command's output, one line or many near-miss lines, completes", () => {
  const { redactOutput } = createRedactor();
  const MiB = 1 << 20;
  for (const text of ["a".repeat(MiB), "ab1".repeat(MiB / 3), `${"Ab1".repeat(200)} x\n`.repeat(MiB / 604), " \n".repeat(MiB / 2), `${" ".repeat(MiB)}x`, "  12\u2192 \n".repeat(MiB / 7), "<output>\n".repeat(MiB / 9), "<stdout>x</stdout>".repeat(MiB / 18), `${" ".repeat(MiB)}Shell output:\n`, "Shell output:\n".repeat(MiB / 14), `${"\t".repeat(MiB)}A`]) {
    for (const prints of ["any", "key"] as const) {
      const started = performance.now();
      expect(redactOutput(text, prints).count).toBe(0);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  }
});

test("1 MiB of a secret store's record, nested, cut, or labels without values, completes", () => {
  const { redactOutput } = createRedactor();
  const MiB = 1 << 20;
  const units = ['{"data":[', '"value":', '"value": "a', '"\\\\\\"', "]}", '{"metadata":{"data":{"pin":', `Secret value${" ".repeat(40)}\n`, "Value:\n", "value: x value: "];
  for (const unit of units) {
    const started = performance.now();
    redactOutput(unit.repeat(Math.ceil(MiB / unit.length)), "any");
    expect(performance.now() - started).toBeLessThan(5_000);
  }
});

test("1 MiB of words and of one long word, with secrets known from an earlier read, completes", () => {
  const MiB = 1 << 20;
  const seen = new SeenSecrets({ salt: "s", digests: ["0", "1"] });
  for (const text of ["word12345 ".repeat(MiB / 10), "a".repeat(MiB), "ab!.".repeat(MiB / 4)]) {
    const started = performance.now();
    expect(seen.redact(text).count).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
  }
});

test("an edit of 1 MiB on each side, secrets all over the change, completes", () => {
  const { redactValue } = createRedactor();
  const MiB = 1 << 20;
  const unit = "API_KEY=9f8e7d6c5b4a39281706f5e4d3c2b1a0;";
  const after = unit.repeat(Math.ceil(MiB / unit.length));
  const before = "x".repeat(MiB);
  const started = performance.now();
  const out = redactValue({ old_string: before, new_string: after });
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(out.value.old_string).toBe(before); // a block rewritten, not a value changed
  expect(out.value.new_string).not.toContain("9f8e7d6c");
});

test("1 MiB of one secret word chained (tokentoken…, passwordpassword…) completes", () => {
  // Two rules once walked each run of word characters to its end from every hit in it: over 20 s each here.
  for (const word of ["token", "password", "key"]) {
    const text = word.repeat(Math.ceil((1 << 20) / word.length));
    const started = performance.now();
    expect(redact(text).count).toBe(0);
    expect(performance.now() - started).toBeLessThan(15_000);
  }
}, 60_000);

describe("1 MiB of lines below a secret that continue it or almost do, completes", () => {
  // Each line is read once, by the value ending just before it (wrapped.ts); a rule starting a wrapped value skips what it read.
  const MiB = 1 << 20;
  const key = "aB3xY9Zq7vW2pL9xQ3abcKp2mQ7vL3x9YaB3xY9Zq7vW2pL9xQ3abcKp2";
  const line = `API_KEY=${key}`; // 64 wide
  /** A unit repeated to 1 MiB, and how many times. */
  const chained = (unit: string): [string, number] => [unit.repeat(Math.floor(MiB / unit.length)), Math.floor(MiB / unit.length)];
  const none = (unit: string): [string, number] => [chained(unit)[0], 0];
  const cases: [name: string, [text: string, redactions: number]][] = [
    ["each line a secret, the line below one wider", chained(`${line}\n${"A".repeat(65)}\n`)],
    ["each line a secret, thousands of blanks before the next", chained(`${line}\n${" ".repeat(4096)}x\n`)],
    ["each line a secret, folded onto one line, the next word one wider", chained(`${line} ${"A".repeat(65)} `)],
    ["one secret folded onto one line with 1 MiB of pieces", [`${line} ${chained(`${"B".repeat(64)} `)[0]}`, 1]],
    ["each value continued by \\ onto an option", chained(`${line}\\\n-x `)],
    ["one secret continued over 1 MiB of full lines", [`${line}\n${chained(`${"B".repeat(64)}\n`)[0]}`, 1]],
    ["one secret continued by \\ over 1 MiB of lines", [`export ${line}\\\n${chained("def\\\n")[0]}`, 1]],
    ["each line opens a quoted secret that the lines below never close", chained(`API_KEY="${key}\n${"B".repeat(30)}\n`)],
    ["one quoted secret over 1 MiB of lines", [`API_KEY="${key}\n${chained(`${"B".repeat(30)}\n`)[0]}"`, 1]],
    ["JWT-like lines that never make a whole token", none(`eyJ${"a".repeat(61)}\n`)],
    ["JWT-like lines, dots chained", none("eyJ.")],
    ["base64 of -----BEGIN without a private key's header, wrapped", none(`LS0tLS1CRUdJTi${"A".repeat(62)}\n`)],
    ["base64 of -----BEGIN with \\n escapes chained", none("LS0tLS1CRUdJTi\\n")],
    ["base64 of -----BEGIN on lines of blanks", none("LS0tLS1CRUdJTi \n")],
    ["base64 of -----BEGIN at each shift chained on one line", none("LS0tLS1CRUdJTi0tLS0tQkVHSU4gtLS0tLUJFR0lOI")],
    ["base64 of -----BEGIN at each shift, wrapped", none(`${"AA0tLS0tQkVHSU4gAAAtLS0tLUJFR0lOIA".repeat(2)}AAAAAAAA\n`)],
  ];
  for (const [name, [text, redactions]] of cases) {
    test(name, () => {
      const started = performance.now();
      expect(redact(text).count).toBe(redactions);
      expect(performance.now() - started).toBeLessThan(5_000);
    });
  }
});

test("1 MiB of a secret's quoted pieces spliced, in one word or chained past their limit, completes", () => {
  const MiB = 1 << 20;
  const piece = `'b'"c"\\'"d`;
  const unit = `TOKEN='Xk9pQ2vL'${"'b'".repeat(25)}\n`;
  for (const [text, redactions] of [
    [`TOKEN='Xk9pQ2vL'${piece.repeat(Math.ceil(MiB / piece.length))}`, 1],
    [unit.repeat(Math.floor(MiB / unit.length)), Math.floor(MiB / unit.length)],
  ] as const) {
    const started = performance.now();
    expect(redact(text).count).toBe(redactions);
    expect(performance.now() - started).toBeLessThan(5_000);
  }
});

test("1 MiB of an environment file's lines, names without values and values without a space, as a file read shows them, completes and keeps them", () => {
  const { redactOutput } = createRedactor();
  const unit = "DB_PASSWORD_NAME.WITHOUT_A_VALUE \nLOG_LEVEL=debug\n";
  const text = unit.repeat(Math.ceil((1 << 20) / unit.length));
  expect(redactOutput(text, "env").count).toBe(0);
  const spaced = "SMTP_PASSWORD=abcde fghij\n".repeat((1 << 20) / 32);
  expect(redactOutput(spaced, "env").count).toBe((1 << 20) / 32);
});

test("1 MiB of a provider's variables in an environment's listing, entries on one line, unclosed quotes, a quoted value before a run of spaces, completes", () => {
  const { redactOutput } = createRedactor();
  const MiB = 1 << 20;
  for (const text of ['{"STRIPE": "ab", '.repeat(MiB / 16), '{"STRIPE": "'.repeat(MiB / 12), "STRIPE='".repeat(MiB / 8), `STRIPE='ab'${" ".repeat(MiB)}b`, "STRIPE=ab ".repeat(MiB / 10)]) {
    expect(redactOutput(text, "env").count).toBe(0);
  }
  expect(redactOutput("STRIPE: correcthorse\n".repeat(MiB / 21), "env").count).toBe(MiB / 21 | 0);
});

test("1 MiB of spaces after an environment file's value, an opaque token or a short word, before a word that ends no line, completes", () => {
  const { redactOutput } = createRedactor();
  const spaces = " ".repeat(1 << 20);
  // The token before a word is a variable set for a command, whatever the spaces between (inline-variables.ts): it goes.
  expect(redactOutput(`FOO='Zx8Cv7Bn6Mq5Lp4KHx9kQ2'${spaces}x`, "env").count).toBe(1);
  expect(redactOutput(`LOG_LEVEL=verbose1${spaces}x`, "env").count).toBe(0);
});

test("a pasted command line of many steps before an environment's listing, their spaces after the separators, completes", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  // Lines whose last word is no step, each read for its keywords (a line split every way took seconds), then a listing's.
  const lines = `$ ${"a;  ".repeat(16)}x cat .env\n`.repeat(100);
  expect(redact(`${lines}$ ${"a;  ".repeat(16)}cat .env\nFOO=${token}\n`).count).toBe(1);
});

test("a command line of many variables set, then one that is an argument, completes and reads each once", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  // Each variable's command start is looked for from its name: back no further than the last command walked.
  expect(redact(`${`X=${token} `.repeat(20000)}./run.sh`).count).toBe(20000);
  expect(redact(`make X=${token} `.repeat(20000)).count).toBe(0);
  expect(redact(`=${token}`.repeat(20000)).count).toBe(0);
});
