import type { RedactionKind } from "../../src/safety/redact.ts";
import { seededRandom } from "../../testserver/random.ts";

/**
 * One realistic sample of every kind of secret the redactor must catch, in the context it turns
 * up in (a .env line, a curl command, a credentials file, JSON). The end-to-end canary test plants
 * each `text` in a transcript and asserts that no `secret` reaches the server (`leakedCanaries`).
 *
 * The secrets are fake: drawn from a seeded PRNG, with their prefixes split in this source, so no
 * token-shaped literal sits in the repository for secret scanners to flag.
 */
export interface Canary {
  name: string;
  kind: RedactionKind;
  /** Text as it would appear in a message or tool output. */
  text: string;
  /** The part that must never leave the machine; one line, no quotes or backslashes. */
  secret: string;
}

export { seededRandom };

const random = seededRandom(0xc0ffee);
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ALNUM = UPPER + LOWER + DIGITS;

/** A random string over `alphabet` with at least one upper, one lower and one digit where the alphabet has them. */
function draw(length: number, alphabet = ALNUM): string {
  for (;;) {
    let s = "";
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(random() * alphabet.length)];
    const mixed = /[A-Z]/.test(s) && /[a-z]/.test(s) && (/\d/.test(s) || !/\d/.test(alphabet));
    if (mixed || !/[A-Z]/.test(alphabet) || !/[a-z]/.test(alphabet)) return s;
  }
}

const join = (...pieces: string[]) => pieces.join("");

const base64Line = () => draw(64, ALNUM + "+/");
const pemBody = (lines: number) => Array.from({ length: lines }, base64Line);

function pem(label: string, body: string[], newline: string): string {
  return [join("-----BEGIN ", label, "-----"), ...body, join("-----END ", label, "-----")].join(newline);
}

const anthropic = join("sk-", "ant-api03-", draw(93, ALNUM + "-_"), "AA");
const anthropicOauth = join("sk-", "ant-oat01-", draw(95, ALNUM + "-_"));
const openaiProject = join("sk-", "proj-", draw(40, ALNUM + "-_"), draw(40), "_", draw(40));
const openaiLegacy = join("sk-", draw(20), "T3Blbk", "FJ", draw(20));
const opensync = join("osk", "_", draw(32, ALNUM + "_-"));
const awsId = join("AKIA", draw(16, UPPER + DIGITS));
const awsTempId = join("ASIA", draw(16, UPPER + DIGITS));
const awsSecret = draw(40, ALNUM + "/+");
const awsStsSecret = draw(40, ALNUM + "/+");
const ghp = join("gh", "p_", draw(36));
const gho = join("gh", "o_", draw(36));
const githubPat = join("github", "_pat_", draw(22), "_", draw(59));
const slack = join("xo", "xb-", draw(12, DIGITS), "-", draw(13, DIGITS), "-", draw(24));
const stripeLive = join("sk", "_live_", draw(99));
const stripeTest = join("sk", "_test_", draw(24));
const stripeRestricted = join("rk", "_live_", draw(24));
const stripePublishable = join("pk", "_live_", draw(24));
const google = join("AI", "za", draw(35, ALNUM + "-_"));
const rsaBody = pemBody(6);
const sshBody = pemBody(5);
const gcpBody = pemBody(4);
const jwt = join("ey", "J", draw(30, ALNUM + "-_"), ".", "ey", "J", draw(60, ALNUM + "-_"), ".", draw(43, ALNUM + "-_"));
const opaqueBearer = draw(40, ALNUM + "._-");
const basicAuth = btoa(join("deploy:", draw(18)));
const looseBearer = draw(32);
const dbPassword = join(draw(10), "!#", draw(8));
const yamlPassword = join(draw(6), "-", draw(10));
const jsonApiKey = draw(32);
const envSecret = draw(28);
const envToken = draw(36);
const envApiKey = draw(32, LOWER + DIGITS);
const clientSecret = draw(24, ALNUM + "~._-");
const serviceKey = draw(24);
const springPassword = join(draw(12), "%", draw(4));
const dbUrlPassword = draw(20);
const redisPassword = draw(24);

// What an adversarial review sent to the server past the first redactor (issue 12, item 7).
const HEX = "0123456789abcdef";
const secretKeyBase = draw(128, HEX);
const azureAccountKey = `${draw(86, ALNUM + "+/")}==`;
const sasSignature = `${draw(30, ALNUM)}%2B${draw(10, ALNUM)}%3D`;
/** base64 of a PEM key: its start ("-----BEGIN RSA PRIVATE KEY-----") is no secret, the body is. */
const kubeKeyBody = `${draw(120, ALNUM + "+/")}=`;
const dockerAuth = btoa(join("octocat:", draw(30)));
const curlPassword = join(draw(10), "!", draw(6));
const flagPassword = draw(18);
const mysqlPassword = draw(14);
const sshpassPassword = join(draw(8), " ", draw(8)); // quoted, with a space
const netrcPassword = draw(20, ALNUM + "-_");
const cookieSession = draw(32, ALNUM + "-_");
const slackWebhook = join("T", draw(8, UPPER + DIGITS), "/B", draw(8, UPPER + DIGITS), "/", draw(24));
const discordWebhook = draw(68, ALNUM + "-_");
const gitlabPat = join("gl", "pat-", draw(20, ALNUM + "-_"));
const npmToken = join("np", "m_", draw(36));
const huggingFace = join("h", "f_", draw(34, UPPER + LOWER));
const sendgrid = join("S", "G.", draw(22, ALNUM + "-_"), ".", draw(43, ALNUM + "-_"));
const pypiToken = join("py", "pi-", "AgEIcHlwaS5vcmc", draw(60, ALNUM + "-_"));
const stripeWebhook = join("wh", "sec_", draw(32));
const urlSlashPassword = join(draw(8), "/", draw(8), "+", draw(4));
const fishToken = draw(32);
const mailgunKey = join("key", "-", draw(32, LOWER + DIGITS));
const pgpassPassword = draw(16);
const ESC = "\x1b";
const colouredAnthropic = join("sk-", "ant-api03-", draw(93, ALNUM + "-_"), "AA");
const colouredStripe = join("sk", "_live_", draw(40));
const colouredJsonKey = draw(30);
const colouredEnvToken = draw(26);
const odbcPassword = draw(14);
const sqlPassword = join(draw(9), "#", draw(5));
const mysqlIdentified = draw(16);
const mavenPassword = draw(18);
const dockerfileToken = draw(30);
const telegramBot = join("AA", draw(33, ALNUM + "_-"));
const cloudflareTunnel = join("eyJhIjoi", draw(150, ALNUM + "+/"), "In0=");
const nostrSecret = join("nsec1", draw(58, "023456789acdefghjklmnpqrstuvwxyz"));
const newRelic = join("NR", "AK-", draw(27, UPPER + DIGITS));
const atlassian = join("ATA", "TT3x", draw(180, ALNUM + "_-"), "=", draw(8, HEX.toUpperCase()));
const mapboxSecret = join("sk", ".eyJ1IjoiZGV2IiwiYSI6", draw(20), ".", draw(22, ALNUM + "_-"));
const netlify = join("nf", "p_", draw(40));
const googleRefresh = join("1/", "/0", draw(100, ALNUM + "_-"));
const dropbox = join("sl", ".u.", draw(140, ALNUM + "_-"));
const facebook = join("EA", "AB", draw(160));
const fcmKey = join("APA", "91b", draw(134, ALNUM + "_-"));
const huggingFaceWithDigits = join("h", "f_", draw(34));
const mailchimpKey = join(draw(32, HEX), "-u", "s21");
const nugetKey = join("o", "y2", draw(43, LOWER + DIGITS));
const posthogPersonal = join("ph", "x_", draw(43));
const sqlplusPassword = draw(14);
const punctuatedPassword = join(draw(6), ";", draw(5), ",", draw(5));
const pgpassContent = draw(18);
const hashInUrlPassword = join(draw(6), "#", draw(4), "!", draw(4));
const ldapPassword = draw(16);
const ampersandPassword = join(draw(7), "&", draw(3));
const prosePassword = join(draw(8), "!");
const proseOwnedPassword = join(draw(5), "#", draw(4));
const proseQuotedPassword = draw(10);
const readToolKeyLine = draw(64, ALNUM + "+/");
const typedApiKey = draw(32);
const subscriptKey = draw(32);
const k8sEnvPassword = draw(18);
const ssmPassword = draw(20);
const dotnetApiKey = draw(32);
const boldPassword = draw(14);
const proseApiKey = draw(40);
const bracketPassword = join(draw(6), "(", draw(4), ")", draw(3));
const ghSecretBody = draw(36);
const ssmValue = draw(24);
const requirePassword = draw(20);
const tavily = join("tv", "ly-dev-", draw(32));
const firecrawl = join("f", "c-", draw(32, "0123456789abcdef"));
const lowercasePassword = draw(16, LOWER);
const goDsnPassword = join(draw(8), "!", draw(5));
const basicAuthTuple = draw(14);
const sequelizePassword = draw(15);
const envFallbackKey = draw(32);
const envDefaultPassword = draw(14);
const shellDefaultPassword = draw(14);
const setterApiKey = draw(36);
const jwtSecret = draw(24);
const formPassword = draw(12);
const boldSpacedLabelKey = draw(32);
const codeNamedPassword = draw(14);
const loginPairPassword = draw(13);
const mysqlTemporary = join(draw(4), "&", draw(7));
const adminPw = draw(15);
const walletKey = join("0x", draw(64, HEX));
const cargoToken = join("cio", draw(32));
const ngrokToken = join(draw(27), "_", draw(21));
const zipPassword = draw(14);
const cshToken = draw(30);
const rKey = draw(32);
const credentialsPassword = draw(15);
const infuraKey = draw(32, HEX);
const notionLegacy = join("sec", "ret_", draw(43));
const nextLinePassword = join(draw(9), "#", draw(4));
const passwordHashTail = draw(31, ALNUM + "./");
const oauthCode = draw(40, ALNUM + "_-");
const redisAuth = join(draw(10), "%", draw(3));
const definedPassword = join(draw(10), "!");
const terraformDefault = join(draw(8), "#", draw(5));
const opensslPassword = draw(13);
const base64Input = join(draw(11), "@", draw(2, DIGITS));
const twilioToken = draw(32, HEX);
const airtableToken = join("p", "at", draw(14), ".", draw(64, HEX));
const shortNamedPassword = draw(12);
const appPassword = Array.from({ length: 4 }, () => draw(4, LOWER)).join(" ");
const MNEMONIC_WORDS = ["ribbon", "angry", "nature", "clutch", "exhibit", "shallow", "absorb", "token", "olympic", "famous", "clay", "rally", "orbit", "velvet"];
const mnemonic = Array.from({ length: 12 }, () => MNEMONIC_WORDS[Math.floor(random() * MNEMONIC_WORDS.length)]).join(" ");
const springDefaultPassword = draw(14);
const kotlinFallbackPassword = draw(14);
const phpConnectPassword = draw(13);
const xmlValuePassword = draw(13);
const expectPassword = draw(12);
const keychainPassword = draw(15);
const accountPairPassword = join(draw(6), "!", draw(4));
const redisReplyPassword = draw(16);
/** Lines of `text` wrapped at `width` columns, as `base64` or `fold` print a long value. */
const wrapped = (text: string, width: number) => text.match(new RegExp(`.{1,${width}}`, "g")) as string[];
const encodedKeyLines = wrapped(Buffer.from(pem("RSA PRIVATE KEY", pemBody(12), "\n")).toString("base64"), 76);
const foldedJwtLines = wrapped(join("eyJ", draw(33, ALNUM + "-_"), ".", "eyJ", draw(120, ALNUM + "-_"), ".", draw(43, ALNUM + "-_")), 64);
const answeredPassword = join(draw(6), "&", draw(5));

export const CANARIES: readonly Canary[] = [
  { name: "anthropic api key in a shell export", kind: "anthropic-key", secret: anthropic, text: `export ANTHROPIC_API_KEY=${anthropic}` },
  {
    name: "anthropic oauth token in JSON",
    kind: "anthropic-key",
    secret: anthropicOauth,
    text: `{"claudeAiOauth":{"accessToken":"${anthropicOauth}","expiresAt":1767225600000}}`,
  },
  { name: "openai project key in .env", kind: "openai-key", secret: openaiProject, text: `OPENAI_API_KEY="${openaiProject}"` },
  { name: "openai legacy key in python", kind: "openai-key", secret: openaiLegacy, text: `openai.api_key = "${openaiLegacy}"` },
  {
    name: "opensync key in a curl command",
    kind: "opensync-key",
    secret: opensync,
    text: `curl -s -H "Authorization: Bearer ${opensync}" https://polished-penguin-622.convex.site/sync/sessions/list`,
  },
  { name: "aws access key id", kind: "aws-access-key-id", secret: awsId, text: `export AWS_ACCESS_KEY_ID=${awsId}` },
  {
    name: "aws secret in a credentials file",
    kind: "aws-secret-key",
    secret: awsSecret,
    text: `[default]\naws_access_key_id = ${awsId}\naws_secret_access_key = ${awsSecret}\nregion = eu-west-1\n`,
  },
  {
    name: "aws secret in aws sts output",
    kind: "aws-secret-key",
    secret: awsStsSecret,
    text: JSON.stringify(
      { Credentials: { AccessKeyId: awsTempId, SecretAccessKey: awsStsSecret, Expiration: "2026-01-01T00:00:00Z" } },
      null,
      2,
    ),
  },
  {
    name: "github classic token in a remote url",
    kind: "github-token",
    secret: ghp,
    text: `git remote set-url origin https://${ghp}@github.com/acme/widgets.git`,
  },
  { name: "github oauth token in gh hosts.yml", kind: "github-token", secret: gho, text: `github.com:\n    oauth_token: ${gho}\n    user: octocat` },
  { name: "github fine-grained token", kind: "github-token", secret: githubPat, text: `GITHUB_TOKEN=${githubPat}` },
  { name: "slack bot token", kind: "slack-token", secret: slack, text: `SLACK_BOT_TOKEN=${slack}` },
  { name: "stripe live secret key", kind: "stripe-key", secret: stripeLive, text: `Stripe.api_key = '${stripeLive}'` },
  { name: "stripe test secret key", kind: "stripe-key", secret: stripeTest, text: `const stripe = new Stripe("${stripeTest}");` },
  { name: "stripe restricted key", kind: "stripe-key", secret: stripeRestricted, text: `STRIPE_RESTRICTED=${stripeRestricted}` },
  { name: "stripe live publishable key", kind: "stripe-key", secret: stripePublishable, text: `publishableKey: "${stripePublishable}",` },
  {
    name: "google api key in a url",
    kind: "google-api-key",
    secret: google,
    text: `https://maps.googleapis.com/maps/api/geocode/json?address=Berlin&key=${google}`,
  },
  {
    name: "rsa private key block",
    kind: "private-key",
    secret: rsaBody[2] ?? "",
    text: `$ cat deploy.pem\n${pem("RSA PRIVATE KEY", rsaBody, "\n")}\n`,
  },
  {
    name: "openssh private key block",
    kind: "private-key",
    secret: sshBody[1] ?? "",
    text: pem("OPENSSH PRIVATE KEY", sshBody, "\n"),
  },
  {
    name: "private key inside a service account JSON",
    kind: "private-key",
    secret: gcpBody[1] ?? "",
    text: `{"type": "service_account", "project_id": "acme-prod", "private_key": "${pem("PRIVATE KEY", gcpBody, "\\n")}\\n"}`,
  },
  { name: "jwt in a cookie", kind: "jwt", secret: jwt, text: `Set-Cookie: session=${jwt}; Path=/; HttpOnly` },
  {
    name: "authorization bearer header in code",
    kind: "authorization",
    secret: opaqueBearer,
    text: `await fetch(url, { headers: { Authorization: "Bearer ${opaqueBearer}" } });`,
  },
  { name: "authorization basic header", kind: "authorization", secret: basicAuth, text: `Authorization: Basic ${basicAuth}` },
  { name: "loose bearer token", kind: "bearer-token", secret: looseBearer, text: `call the API with bearer ${looseBearer} until it expires` },
  { name: "password in .env", kind: "secret", secret: dbPassword, text: `DB_HOST=localhost\nDB_PASSWORD=${dbPassword}\n` },
  { name: "password in yaml", kind: "secret", secret: yamlPassword, text: `database:\n  user: app\n  password: ${yamlPassword}\n` },
  { name: "api_key in JSON", kind: "secret", secret: jsonApiKey, text: `{"service": "mailer", "api_key": "${jsonApiKey}"}` },
  { name: "SECRET= assignment", kind: "secret", secret: envSecret, text: `SECRET=${envSecret}` },
  { name: "TOKEN= assignment", kind: "secret", secret: envToken, text: `TOKEN='${envToken}'` },
  { name: "API_KEY= assignment", kind: "secret", secret: envApiKey, text: `API_KEY=${envApiKey}` },
  { name: "client secret in yaml", kind: "secret", secret: clientSecret, text: `CLIENT_SECRET: "${clientSecret}"` },
  { name: "generic *_KEY with a random value", kind: "secret", secret: serviceKey, text: `MAILGUN_SIGNING_KEY=${serviceKey}` },
  {
    name: "java properties password",
    kind: "secret",
    secret: springPassword,
    text: `spring.datasource.password=${springPassword}`,
  },
  {
    name: "database url with credentials",
    kind: "password",
    secret: dbUrlPassword,
    text: `DATABASE_URL=postgres://app:${dbUrlPassword}@db.internal:5432/app`,
  },
  { name: "redis url with an empty user", kind: "password", secret: redisPassword, text: `redis://:${redisPassword}@cache:6379/0` },
  { name: "rails SECRET_KEY_BASE in .env", kind: "secret", secret: secretKeyBase, text: `RAILS_ENV=production\nSECRET_KEY_BASE=${secretKeyBase}\n` },
  {
    name: "azure storage connection string",
    kind: "secret",
    secret: azureAccountKey,
    text: `"AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=${azureAccountKey};EndpointSuffix=core.windows.net"`,
  },
  {
    name: "azure SAS url in a log line",
    kind: "secret",
    secret: sasSignature,
    text: `2026-01-05T10:00:00Z INFO upload to https://acmeprod.blob.core.windows.net/backups/db.tar?sv=2022-11-02&ss=b&srt=o&sp=rw&se=2026-02-01T00:00:00Z&sig=${sasSignature} done`,
  },
  {
    name: "kubeconfig client-key-data",
    kind: "private-key", // its base64 decodes to a private key's header (encoded-private-key.ts)
    secret: kubeKeyBody,
    text: `users:\n- name: admin\n  user:\n    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo${kubeKeyBody}\n`,
  },
  { name: "docker config auth", kind: "secret", secret: dockerAuth, text: `{\n  "auths": {\n    "ghcr.io": {\n      "auth": "${dockerAuth}"\n    }\n  }\n}` },
  { name: "curl -u user:password", kind: "password", secret: curlPassword, text: `$ curl -sS -u deploy:${curlPassword} https://ci.example.com/api/json` },
  { name: "--password on a command line", kind: "password", secret: flagPassword, text: `pg_dump --host db --username app --password ${flagPassword} appdb > dump.sql` },
  { name: "mysql -pSECRET", kind: "password", secret: mysqlPassword, text: `mysql -h 127.0.0.1 -u root -p${mysqlPassword} shop < schema.sql` },
  { name: "sshpass -p in a script", kind: "password", secret: sshpassPassword, text: `sshpass -p '${sshpassPassword}' ssh -o StrictHostKeyChecking=no deploy@10.0.0.5 uptime` },
  {
    name: ".netrc entry",
    kind: "password",
    secret: netrcPassword,
    text: `$ cat ~/.netrc\nmachine api.heroku.com\n  login dev@example.com\n  password ${netrcPassword}\n`,
  },
  {
    name: "Cookie header in a curl command",
    kind: "cookie",
    secret: cookieSession,
    text: `curl 'https://app.example.com/api/me' -H 'Accept: application/json' -H 'Cookie: _ga=GA1.1.1234; session=${cookieSession}; theme=dark'`,
  },
  {
    name: "slack webhook url",
    kind: "slack-webhook-url",
    secret: slackWebhook.split("/").at(-1) ?? "",
    text: `SLACK_WEBHOOK=https://hooks.slack.com/services/${slackWebhook}`,
  },
  {
    name: "discord webhook url in JSON",
    kind: "discord-webhook",
    secret: discordWebhook,
    text: `{"notify": {"discord": "https://discord.com/api/webhooks/112233445566778899/${discordWebhook}"}}`,
  },
  {
    name: "gitlab personal access token in a curl header",
    kind: "gitlab-pat",
    secret: gitlabPat,
    text: `curl --header "PRIVATE-TOKEN: ${gitlabPat}" "https://gitlab.com/api/v4/projects?owned=true"`,
  },
  { name: "npm token in .npmrc", kind: "npm-access-token", secret: npmToken, text: `//registry.npmjs.org/:_authToken=${npmToken}` },
  { name: "hugging face token", kind: "huggingface-access-token", secret: huggingFace, text: `huggingface-cli login --token ${huggingFace}` },
  { name: "sendgrid api key in python", kind: "sendgrid-api-token", secret: sendgrid, text: `sg = SendGridAPIClient("${sendgrid}")` },
  { name: "pypi upload token in .pypirc", kind: "pypi-upload-token", secret: pypiToken, text: `[pypi]\n  username = __token__\n  password = ${pypiToken}\n` },
  { name: "stripe webhook secret", kind: "stripe-webhook-secret", secret: stripeWebhook, text: `STRIPE_WEBHOOK_SECRET=${stripeWebhook}` },
  {
    name: "url password containing /",
    kind: "password",
    secret: urlSlashPassword,
    text: `git remote add backup https://backup:${urlSlashPassword}@git.example.com/acme/app.git`,
  },
  { name: "token in fish's set -gx", kind: "secret", secret: fishToken, text: `set -gx API_TOKEN ${fishToken}\nfunction deploy; ./deploy.sh; end` },
  { name: ".pgpass line", kind: "password", secret: pgpassPassword, text: `$ cat ~/.pgpass\ndb.internal:5432:shop:app:${pgpassPassword}\n` },
  { name: "anthropic key in coloured terminal output", kind: "anthropic-key", secret: colouredAnthropic, text: `${ESC}[1mkey:${ESC}[0m ${ESC}[32m${colouredAnthropic}${ESC}[0m` },
  { name: "stripe key right after a colour code", kind: "stripe-key", secret: colouredStripe, text: `${ESC}[31m${colouredStripe}${ESC}[39m` },
  {
    name: "api key in jq -C output",
    kind: "secret",
    secret: colouredJsonKey,
    text: `${ESC}[1;39m{\n  ${ESC}[0m${ESC}[34;1m"api_key"${ESC}[0m${ESC}[1;39m: ${ESC}[0m${ESC}[0;32m"${colouredJsonKey}"${ESC}[0m${ESC}[1;39m\n${ESC}[1;39m}${ESC}[0m`,
  },
  { name: "coloured variable name", kind: "secret", secret: colouredEnvToken, text: `${ESC}[32mDEPLOY_TOKEN${ESC}[0m=${colouredEnvToken}` },
  { name: "password in an ODBC connection string", kind: "secret", secret: odbcPassword, text: `Driver={ODBC Driver 18};Server=db;Database=shop;Uid=sa;Pwd=${odbcPassword};Encrypt=yes` },
  { name: "password in a SQL CREATE USER", kind: "password", secret: sqlPassword, text: `CREATE USER app WITH LOGIN PASSWORD '${sqlPassword}';` },
  { name: "password in MySQL's IDENTIFIED BY", kind: "password", secret: mysqlIdentified, text: `ALTER USER 'root'@'localhost' IDENTIFIED BY '${mysqlIdentified}';` },
  { name: "password in Maven's settings.xml", kind: "secret", secret: mavenPassword, text: `<server>\n  <id>nexus</id>\n  <username>deploy</username>\n  <password>${mavenPassword}</password>\n</server>` },
  { name: "token in a Dockerfile's ENV NAME value", kind: "secret", secret: dockerfileToken, text: `FROM node:22\nENV NPM_TOKEN ${dockerfileToken}\nRUN npm ci` },
  { name: "cloudflare tunnel token", kind: "cloudflare-tunnel-token", secret: cloudflareTunnel, text: `$ cloudflared tunnel token home\n${cloudflareTunnel}\nsudo cloudflared service install ${cloudflareTunnel}` },
  { name: "nostr secret key", kind: "nostr-secret-key", secret: nostrSecret, text: `NOSTR_KEY: ${nostrSecret}\nimport it as ${nostrSecret} in the client` },
  { name: "telegram bot token in a bot API url", kind: "telegram-bot-token", secret: telegramBot, text: `curl -s https://api.telegram.org/bot7012345678:${telegramBot}/getMe` },
  { name: "new relic user api key", kind: "new-relic-user-api-key", secret: newRelic, text: `NEW_RELIC_API_KEY=${newRelic}` },
  { name: "atlassian api token", kind: "atlassian-api-token", secret: atlassian, text: `jira init --token ${atlassian}` },
  { name: "mapbox secret token", kind: "mapbox-secret-token", secret: mapboxSecret, text: `MAPBOX_DOWNLOADS_TOKEN=${mapboxSecret}` },
  { name: "netlify access token", kind: "netlify-token", secret: netlify, text: `netlify deploy --auth ${netlify}` },
  { name: "google oauth refresh token", kind: "google-oauth", secret: googleRefresh, text: `{"refresh_token_for_gmail_sync": "${googleRefresh}"}` },
  { name: "dropbox access token", kind: "dropbox-token", secret: dropbox, text: `dbx = dropbox.Dropbox("${dropbox}")` },
  { name: "facebook graph api token", kind: "facebook-access-token", secret: facebook, text: `curl "https://graph.facebook.com/v19.0/me?fields=id" -H "X-Fb: ${facebook}"` },
  { name: "firebase legacy server key", kind: "fcm-server-key", secret: fcmKey, text: `const serverKey = "AAAAx1Y2z3W:${fcmKey}";` },
  { name: "hugging face token with digits, told in a prompt", kind: "huggingface-access-token", secret: huggingFaceWithDigits, text: `my HF token is ${huggingFaceWithDigits}, use it for the gated model` },
  { name: "mailchimp api key with no word naming it", kind: "mailchimp-api-key", secret: mailchimpKey, text: `const client = new Client({ apiKey: process.env.MC_KEY ?? "${mailchimpKey}" });` },
  { name: "nuget api key", kind: "nuget-api-key", secret: nugetKey, text: `dotnet nuget push bin/Release/*.nupkg -k ${nugetKey} -s https://api.nuget.org/v3/index.json` },
  { name: "password holding ; and , in a .env", kind: "secret", secret: punctuatedPassword, text: `DB_HOST=db.internal\nDB_PASSWORD=${punctuatedPassword}\nDB_PORT=5432` },
  { name: "a .pgpass line written without the file's name", kind: "password", secret: pgpassContent, text: `db.internal:5432:shop:app:${pgpassContent}\n` },
  { name: "oracle password in a sqlplus login", kind: "password", secret: sqlplusPassword, text: `sqlplus -s app/${sqlplusPassword}@//db.internal:1521/orclpdb1 @migrate.sql` },
  { name: "posthog personal api key", kind: "posthog-key", secret: posthogPersonal, text: `POSTHOG_PERSONAL_API_KEY=${posthogPersonal}` },
  { name: "url password with an unencoded #", kind: "password", secret: hashInUrlPassword, text: `DATABASE_URL=mysql://root:${hashInUrlPassword}@db.internal:3306/shop` },
  { name: "ldapsearch bind password", kind: "password", secret: ldapPassword, text: `ldapsearch -x -H ldap://ldap.internal -D "cn=admin,dc=acme,dc=com" -w ${ldapPassword} -b "dc=acme,dc=com"` },
  { name: "password holding an & in a .env", kind: "secret", secret: ampersandPassword, text: `DB_HOST=db.internal\nDB_PASSWORD=${ampersandPassword}\nDB_PORT=5432` },
  { name: "password told in a prompt", kind: "password", secret: prosePassword, text: `log in to the admin panel as admin with password ${prosePassword} and check the orders page` },
  { name: "password of a named box told in a prompt", kind: "password", secret: proseOwnedPassword, text: `The password for the staging box is ${proseOwnedPassword}. Deploy there first.` },
  { name: "password quoted in a prompt", kind: "password", secret: proseQuotedPassword, text: `the wifi password is "${proseQuotedPassword}", set it in the config` },
  {
    name: "private key shown by the Read tool, its lines numbered",
    kind: "private-key",
    secret: readToolKeyLine,
    text: ["-----BEGIN OPENSSH PRIVATE KEY-----", readToolKeyLine, draw(64, ALNUM + "+/"), "-----END OPENSSH PRIVATE KEY-----"].map((l, i) => `     ${i + 1}\u2192${l}`).join("\n"),
  },
  { name: "api key in a typed declaration", kind: "secret", secret: typedApiKey, text: `export const apiKey: string = "${typedApiKey}";` },
  { name: "api key set by subscript", kind: "secret", secret: subscriptKey, text: `import os\nos.environ["OPENAI_API_KEY"] = "${subscriptKey}"` },
  { name: "password in a kubernetes container env", kind: "secret", secret: k8sEnvPassword, text: `        env:\n        - name: DB_PASSWORD\n          value: "${k8sEnvPassword}"\n        - name: DB_HOST\n          value: db` },
  { name: "password in aws ssm get-parameter output", kind: "secret", secret: ssmPassword, text: `{"Parameter": {"Name": "/prod/db/password", "Type": "SecureString", "Value": "${ssmPassword}", "Version": 3}}` },
  { name: "api key in a .NET app.config", kind: "secret", secret: dotnetApiKey, text: `<appSettings>\n  <add key="ApiKey" value="${dotnetApiKey}" />\n</appSettings>` },
  { name: "password under a markdown bold label", kind: "secret", secret: boldPassword, text: `The database is ready:\n- **User:** app\n- **Password:** ${boldPassword}\n` },
  { name: "api key told in a sentence", kind: "secret", secret: proseApiKey, text: `The generated API key is \`${proseApiKey}\`. Store it somewhere safe.` },
  { name: "password holding brackets in a .env", kind: "secret", secret: bracketPassword, text: `DB_PASSWORD=${bracketPassword}\nDB_PORT=5432` },
  { name: "token stored with gh secret set", kind: "password", secret: ghSecretBody, text: `gh secret set NPM_TOKEN --body "${ghSecretBody}" --repo acme/app` },
  { name: "password stored with aws ssm put-parameter", kind: "password", secret: ssmValue, text: `aws ssm put-parameter --name /prod/db/password --type SecureString --value '${ssmValue}' --overwrite` },
  { name: "redis requirepass in docker-compose", kind: "password", secret: requirePassword, text: `  redis:\n    image: redis:7\n    command: redis-server --requirepass ${requirePassword}\n` },
  { name: "tavily api key", kind: "tavily-api-key", secret: tavily, text: `client = TavilyClient("${tavily}")` },
  { name: "firecrawl api key", kind: "firecrawl-api-key", secret: firecrawl, text: `result = scrape_page("https://example.com", "${firecrawl}")` },
  { name: "lowercase app password in YAML", kind: "secret", secret: lowercasePassword, text: `smtp:\n  host: smtp.gmail.com\n  user: me@example.com\n  password: ${lowercasePassword}\n  port: 587` },
  { name: "password in a Go MySQL DSN", kind: "password", secret: goDsnPassword, text: `db, err := sql.Open("mysql", "app:${goDsnPassword}@tcp(127.0.0.1:3306)/shop?parseTime=true")` },
  { name: "password in requests' auth tuple", kind: "password", secret: basicAuthTuple, text: `r = requests.get(url, auth=("admin", "${basicAuthTuple}"), timeout=10)` },
  { name: "password passed to Sequelize", kind: "password", secret: sequelizePassword, text: `const sequelize = new Sequelize('shop', 'root', '${sequelizePassword}', { dialect: 'mysql' });` },
  { name: "api key as an environment variable's fallback", kind: "secret", secret: envFallbackKey, text: `const apiKey = process.env.OPENAI_API_KEY || "${envFallbackKey}";` },
  { name: "password as os.getenv's default", kind: "secret", secret: envDefaultPassword, text: `DB_PASSWORD = os.getenv("DB_PASSWORD", "${envDefaultPassword}")` },
  { name: "password as a compose file's default", kind: "secret", secret: shellDefaultPassword, text: `services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-${shellDefaultPassword}}` },
  { name: "api key passed to a setter", kind: "secret", secret: setterApiKey, text: `sgMail.setApiKey("${setterApiKey}");` },
  { name: "jwt signing secret", kind: "secret", secret: jwtSecret, text: `const token = jwt.sign({ sub: user.id }, "${jwtSecret}", { expiresIn: "1h" });` },
  { name: "password typed into a form by a test", kind: "password", secret: formPassword, text: `await page.fill('#email', 'admin@example.com');\nawait page.fill('input[name="password"]', '${formPassword}');` },
  { name: "api key under a bold label with a space", kind: "secret", secret: boldSpacedLabelKey, text: `Your key is ready:\n\n**API Key:** \`${boldSpacedLabelKey}\`\n` },
  { name: "password set as Claude reports it", kind: "password", secret: codeNamedPassword, text: `I've set \`DB_PASSWORD\` to \`${codeNamedPassword}\` in .env.local.` },
  { name: "login and password told side by side", kind: "password", secret: loginPairPassword, text: `You can now log in at http://localhost:3000 with admin@example.com / ${loginPairPassword}` },
  { name: "wallet private key in ethers", kind: "secret", secret: walletKey, text: `const wallet = new ethers.Wallet("${walletKey}", provider);` },
  { name: "infura key in an rpc url", kind: "secret", secret: infuraKey, text: `RPC_URL=https://mainnet.infura.io/v3/${infuraKey}` },
  { name: "notion token of the secret_ format", kind: "notion-api-token", secret: notionLegacy, text: `const notion = new Client({ auth: "${notionLegacy}" });` },
  { name: "wallet mnemonic in .env", kind: "secret", secret: mnemonic, text: `MNEMONIC="${mnemonic}"\nNETWORK=sepolia` },
  { name: "mysql's generated root password in its log", kind: "password", secret: mysqlTemporary, text: `2026-11-30T09:12:44.123456Z 6 [Note] [MY-010454] [Server] A temporary password is generated for root@localhost: ${mysqlTemporary}` },
  { name: "password under a _PW name", kind: "secret", secret: adminPw, text: `ADMIN_USER=admin\nADMIN_PW=${adminPw}\n` },
  { name: "crates.io token given to cargo login", kind: "password", secret: cargoToken, text: `cargo login ${cargoToken}` },
  { name: "ngrok authtoken", kind: "password", secret: ngrokToken, text: `ngrok config add-authtoken ${ngrokToken}` },
  { name: "zip password", kind: "password", secret: zipPassword, text: `zip -r -P ${zipPassword} backup.zip ./data` },
  { name: "token set by csh's setenv", kind: "secret", secret: cshToken, text: `setenv API_TOKEN ${cshToken}` },
  { name: "api key assigned in R", kind: "secret", secret: rKey, text: `api_key <- "${rKey}"\nres <- GET(url, add_headers(Authorization = api_key))` },
  { name: "password passed to a Credentials constructor", kind: "password", secret: credentialsPassword, text: `credentials = withCredentials("deploy", "${credentialsPassword}")` },
  { name: "mailgun key with no mailgun near it", kind: "mailgun-key", secret: mailgunKey, text: `const mg = client({ username: "api", key: process.env.MG ?? "${mailgunKey}" });` },
  { name: "password on the line after its label", kind: "password", secret: nextLinePassword, text: `Here are the staging credentials.\nPassword:\n${nextLinePassword}\n\nCan you log in and check?` },
  { name: "password hash in an .htpasswd", kind: "password-hash", secret: passwordHashTail, text: `admin:$apr1$Qx7pLm2a$${passwordHashTail}\n` },
  { name: "oauth code in a callback url", kind: "secret", secret: oauthCode, text: `GET http://localhost:3000/auth/callback?code=${oauthCode}&state=af0ifjsldkj 302` },
  { name: "password typed at redis-cli's prompt", kind: "password", secret: redisAuth, text: `127.0.0.1:6379> AUTH ${redisAuth}\nOK` },
  { name: "password in a php define", kind: "password", secret: definedPassword, text: `define('DB_PASSWORD', '${definedPassword}');` },
  { name: "password as a terraform variable's default", kind: "password", secret: terraformDefault, text: `variable "db_password" {\n  type      = string\n  default   = "${terraformDefault}"\n  sensitive = true\n}` },
  { name: "password hashed by openssl passwd", kind: "password", secret: opensslPassword, text: `sudo useradd -m -p "$(openssl passwd -6 ${opensslPassword})" deploy` },
  { name: "password echoed into base64", kind: "secret", secret: base64Input, text: `echo -n '${base64Input}' | base64` },
  { name: "twilio auth token passed to the client", kind: "secret", secret: twilioToken, text: `client = Client("AC${"3d0123f15e087fc31b720fe0610c87a2"}", "${twilioToken}")` },
  { name: "airtable token with no word naming it", kind: "airtable-token", secret: airtableToken, text: `use ${airtableToken} for the orders base` },
  { name: "gmail app password in a .env, its groups unquoted", kind: "password", secret: appPassword, text: `EMAIL_HOST=smtp.gmail.com\nEMAIL_HOST_PASSWORD=${appPassword}\nEMAIL_PORT=587` },
  { name: "password under the short name pw", kind: "secret", secret: shortNamedPassword, text: `./deploy.sh --host web1 pw=${shortNamedPassword}` },
  { name: "password as Spring's default for a variable", kind: "secret", secret: springDefaultPassword, text: `spring.datasource.password=\${DB_PASSWORD:${springDefaultPassword}}` },
  { name: "password as Kotlin's fallback for a variable", kind: "secret", secret: kotlinFallbackPassword, text: `val pw = System.getenv("DB_PASSWORD") ?: "${kotlinFallbackPassword}"` },
  { name: "password passed to mysqli_connect", kind: "password", secret: phpConnectPassword, text: `$conn = mysqli_connect("localhost", "root", "${phpConnectPassword}", "shop");` },
  { name: "password as an XML element's value attribute", kind: "secret", secret: xmlValuePassword, text: `<datasource>\n  <password value="${xmlValuePassword}"/>\n</datasource>` },
  { name: "password an expect script sends at the prompt", kind: "password", secret: expectPassword, text: `spawn ssh deploy@10.0.0.5\nexpect "*assword:"\nsend "${expectPassword}\\r"\ninteract` },
  { name: "password added to the macOS keychain", kind: "password", secret: keychainPassword, text: `security add-generic-password -a deploy -s myapp -w ${keychainPassword}` },
  { name: "admin's password written tight after it", kind: "password", secret: accountPairPassword, text: `Grafana is up; use admin:${accountPairPassword} to sign in.` },
  { name: "password in a redis-cli reply", kind: "password", secret: redisReplyPassword, text: `127.0.0.1:6379> CONFIG GET requirepass\n1) "requirepass"\n2) "${redisReplyPassword}"` },
  { name: "private key in base64, as base64 id_rsa prints it", kind: "private-key", secret: encodedKeyLines[3] as string, text: `$ base64 ~/.ssh/id_rsa\n${encodedKeyLines.join("\n")}\n` },
  { name: "JWT wrapped at 64 columns", kind: "jwt", secret: foldedJwtLines[1] as string, text: `The token it printed:\n${foldedJwtLines.join("\n")}\nIt expires tomorrow.` },
  {
    name: "password answered to Claude's AskUserQuestion",
    kind: "secret",
    secret: answeredPassword,
    text: `User has answered your questions: "What is the staging DB password?"="${answeredPassword}", "Which region?"="eu-west-1". You can now continue with the user's answers in mind.`,
  },
];

/** The canaries whose secret occurs in `haystack` (a request body, a database dump, ...). */
export function leakedCanaries(haystack: string): Canary[] {
  return CANARIES.filter((c) => haystack.includes(c.secret));
}
