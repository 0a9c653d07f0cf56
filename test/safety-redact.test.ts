import { describe, expect, test } from "bun:test";
import { commandPrints, filePrints } from "../src/safety/generic/printed-secret.ts";
import { toolPrints } from "../src/safety/generic/secret-tools.ts";
import { createRedactor, redactionMarker } from "../src/safety/redact.ts";
import { SeenSecrets } from "../src/safety/seen-secrets.ts";
import tokensFile from "../src/safety/rules/tokens.json" with { type: "json" };
import { TokenRulesSchema } from "../src/safety/token-rules.ts";
import { CANARIES, leakedCanaries } from "./helpers/canaries.ts";

const { redact, redactValue } = createRedactor();

test("the token rules match their schema (the redactor embeds them without parsing them again)", () => {
  expect(TokenRulesSchema.parse(tokensFile)).toEqual(tokensFile);
});

describe("canaries", () => {
  for (const canary of CANARIES) {
    test(canary.name, () => {
      const out = redact(canary.text);
      expect(out.text).not.toContain(canary.secret);
      expect(out.text).toContain(redactionMarker(canary.kind));
      expect(out.count).toBeGreaterThanOrEqual(1);
    });
  }

  test("all of them at once, inside one JSON value, leak nothing", () => {
    const value = { transcript: CANARIES.map((c) => ({ type: "text", text: c.text })) };
    const out = redactValue(value);
    expect(leakedCanaries(JSON.stringify(out.value))).toEqual([]);
    expect(out.count).toBeGreaterThanOrEqual(CANARIES.length);
  });

  test("redaction is idempotent: a second pass finds nothing", () => {
    for (const canary of CANARIES) {
      const once = redact(canary.text).text;
      expect(redact(once)).toEqual({ text: once, count: 0 });
    }
  });
});

test("a whole number under a secret's name in a tool's input goes; counts, ports and limits stay (found by a secret-fixing helper)", () => {
  const input: Record<string, unknown> = { pin: 4821, password: 83746152, user_pin: 1234, pin_count: 3, max_tokens: 4096, port: 5432, timeout: 30000, ratio: 0.5 };
  expect(redactValue(input)).toEqual({
    value: { ...input, pin: "[REDACTED:secret]", password: "[REDACTED:secret]", user_pin: "[REDACTED:secret]" },
    count: 3,
  });
});

describe("what is kept around a redaction", () => {
  const cases: [input: string, output: string][] = [
    ["PASSWORD=hunter2-xyz", "PASSWORD=[REDACTED:secret]"],
    ['"password": "s3cret-value"', '"password": "[REDACTED:secret]"'],
    ["password: 'abc123'", "password: '[REDACTED:secret]'"],
    ['{\\"api_key\\":\\"abc123def\\"}', '{\\"api_key\\":\\"[REDACTED:secret]\\"}'],
    ["postgres://app:pw123@db:5432/app", "postgres://app:[REDACTED:password]@db:5432/app"],
    ["https://u:p@ss:w0rd@host/x", "https://u:[REDACTED:password]@host/x"],
    ["Authorization: Bearer abcdef123456", "Authorization: Bearer [REDACTED:authorization]"],
    ["?access_token=abc123def&page=2", "?access_token=[REDACTED:secret]&page=2"],
    // A password goes whole, whatever it holds; a shell's && and a call still end it.
    ["DB_PASSWORD=Tr0ub4dor&3 ./run && make", "DB_PASSWORD=[REDACTED:secret] ./run && make"],
    ["DB_PASSWORD=MyP@ss(word)1 ./run", "DB_PASSWORD=[REDACTED:secret] ./run"],
    ["API_KEY = os.getenv(KEY_NAME)", "API_KEY = os.getenv(KEY_NAME)"],
    ["token := \"abc123def\"", 'token := "[REDACTED:secret]"'],
    ['"password": "... it is Xy7pQ2vL9"', '"password": "[REDACTED:secret]"'], // an ellipsis does not make it a placeholder
    // "example" or "dummy" inside proves nothing: a vendor's token shape, or a password with digits
    ["STRIPE_KEY=sk_live_51Hab12examplecd34ef56gh78ij90kl12mn34op", "STRIPE_KEY=[REDACTED:stripe-key]"],
    ["token ghp_EXAMPLEaB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1x here", "token [REDACTED:github-token] here"],
    ["DB_PASSWORD=Example2024!", "DB_PASSWORD=[REDACTED:secret]"],
    ["DB_PASSWORD=MyDummyPass99", "DB_PASSWORD=[REDACTED:secret]"],
    // Basic credentials with no Authorization before them: taken when they decode to user:password
    ['{"auth": "Basic YWRtaW46U3VwZXJTM2NyZXQ="}', '{"auth": "Basic [REDACTED:authorization]"}'],
    ["DOPPLER_TOKEN=dp.st.dev.aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG", "DOPPLER_TOKEN=[REDACTED:doppler-token]"],
    ["MG=key-8w2kd93ncx0q7zlm4v6bt1yrpe5uhsa0 in the deploy script", "MG=[REDACTED:mailgun-key] in the deploy script"],
    ["the key-valuestoreimplementationsforcaching module", "the key-valuestoreimplementationsforcaching module"],
    ["cache-key-0123456789abcdef0123456789abcdef", "cache-key-0123456789abcdef0123456789abcdef"],
    ["square: sq0csp-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9f", "square: [REDACTED:square-secret]"],
    // the JWT rule and the assignment rule both find it; the more specific names it
    ['"token": "Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl"', '"token": "Bearer [REDACTED:jwt]"'],
    ["-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\nnext line", "[REDACTED:private-key]\nnext line"],
    // command lines
    ["mysql -u root -pS3cr3tPw shop", "mysql -u root -p[REDACTED:password] shop"],
    ["mysqldump -uroot -p'S3cr3t Pw' shop", "mysqldump -uroot -p'[REDACTED:password]' shop"],
    ["sshpass -p 'Xy7pQ2vL9k' ssh deploy@host", "sshpass -p '[REDACTED:password]' ssh deploy@host"],
    ["mongosh -u admin -p Xy7pQ2vL9k --authenticationDatabase admin", "mongosh -u admin -p [REDACTED:password] --authenticationDatabase admin"],
    ["redis-cli -h cache -a Xy7pQ2vL9k ping", "redis-cli -h cache -a [REDACTED:password] ping"],
    ["db.internal:5432:shop:app:Xk9pQ2vL\n*:*:*:replica:Zz8kq1wm", "db.internal:5432:shop:app:[REDACTED:password]\n*:*:*:replica:[REDACTED:password]"],
    ["the admin pw is Xk9pQ2vL, pwd: Zz8kq1wm", "the admin pw is [REDACTED:password], pwd: [REDACTED:secret]"],
    ["DB_PASSWORD=Xk9;pQ,2<z>w\nNEXT=1", "DB_PASSWORD=[REDACTED:secret]\nNEXT=1"],
    ["Server=db;Password=Xk9pQ2vL;Database=shop", "Server=db;Password=[REDACTED:secret];Database=shop"],
    ["sqlplus -s scott/Xy7pQ2vL9k@//db:1521/orcl @run.sql", "sqlplus -s scott/[REDACTED:password]@//db:1521/orcl @run.sql"],
    ["rman TARGET sys/Xy7pQ2vL9k@prod CATALOG=rcat/Zz8kq1wm@rc", "rman TARGET sys/[REDACTED:password]@prod CATALOG=rcat/[REDACTED:password]@rc"],
    ["expdp userid=scott/Xy7pQ2vL9k@orcl directory=dp; impdp userid=system/Zz8kq1wm3 schemas=hr", "expdp userid=scott/[REDACTED:password]@orcl directory=dp; impdp userid=system/[REDACTED:password] schemas=hr"],
    ["PGPASSWORD=Xk9pQ2vL;psql -h db\nPASSWORD=Zz8k,q1w;cd /srv", "PGPASSWORD=[REDACTED:secret];psql -h db\nPASSWORD=[REDACTED:secret];cd /srv"],
    ["pwd=Xk9pQ2vL and {\"pwd\": \"Zz8kq1wm\"}", "pwd=[REDACTED:secret] and {\"pwd\": \"[REDACTED:secret]\"}"],
    ["pw=Xk9pQ2vL and PW: Zz8kq1wm", "pw=[REDACTED:secret] and PW: [REDACTED:secret]"],
    ["EMAIL_HOST_PASSWORD=qwer tyui opas dfgh\nmy gmail app password is zxcv bnml kjhg fdsa", "EMAIL_HOST_PASSWORD=[REDACTED:password]\nmy gmail app password is [REDACTED:password]"],
    ["JWT_SECRET=SuperSecret api_token=\"NextToken42\"", "JWT_SECRET=[REDACTED:secret] api_token=\"[REDACTED:secret]\""],
    ["Authorization: Bearer Xk9pQ2vLm7wQ\nauthorization: abc123def456ghi789", "Authorization: Bearer [REDACTED:authorization]\nauthorization: [REDACTED:authorization]"],
    ["Password:\nXk9pQ2vL!\n\nMy API key:\n\n    OSL34vNypHhckgxFkiLWCOXMExZy3zpj\n", "Password:\n[REDACTED:password]\n\nMy API key:\n\n    [REDACTED:secret]\n"],
    ["db:\n  password:\n    Xk9pQ2vL#7\n", "db:\n  password:\n    [REDACTED:password]\n"],
    ["admin:$apr1$zovUNFkP$OrH0PqnKFZGTubf4xwCfjj\nroot:$6$saltsalt$Xk9pQ2vLOSL34vNy:19000:0:99999:7:::", "admin:[REDACTED:password-hash]\nroot:[REDACTED:password-hash]:19000:0:99999:7:::"],
    ["http://localhost:3000/callback?code=XwE0f_2EhrVs_FRkv481CDm4H4y6UA2lPE08kmjo&state=xyz", "http://localhost:3000/callback?code=[REDACTED:secret]&state=xyz"],
    ["https://api.openweathermap.org/data/2.5/weather?q=London&appid=9f8e7d6c5b4a39281706f5e4d3c2b1a0", "https://api.openweathermap.org/data/2.5/weather?q=London&appid=[REDACTED:secret]"],
    ["https://api.trello.com/1/members/me?key=Xk9pQ2vLOSL34vNyPhHckgxFkiLWCOXM&token=x", "https://api.trello.com/1/members/me?key=[REDACTED:secret]&token=x"],
    ["127.0.0.1:6379> AUTH Xk9pQ2vL#7\nOK\n> AUTH default Zz8kq1wm2", "127.0.0.1:6379> AUTH [REDACTED:password]\nOK\n> AUTH default [REDACTED:password]"],
    ["useradd -p $(openssl passwd -6 -salt ab Xk9pQ2vL) deploy; net user admin Zz8k#q1wm /add", "useradd -p $(openssl passwd -6 -salt ab [REDACTED:password]) deploy; net user admin [REDACTED:password] /add"],
    ["rclone config create s3 s3 secret_access_key Zz8kq1wmXk9pQ2vL", "rclone config create s3 s3 secret_access_key [REDACTED:secret]"],
    ["echo -n 'Xk9pQ2vL#7' | base64; ansible-vault view v.yml --vault-password-file <(echo Zz8k#q1wm)", "echo -n '[REDACTED:secret]' | base64; ansible-vault view v.yml --vault-password-file <(echo [REDACTED:secret])"],
    ["login(\"admin\", \"Xk9pQ2vL#7\"); client.login('M4SJ3ZwGfiMwhDrkiO6lpYpv.cbu8uD.b_FzDV-h-tYr5uAMfmOC10TNuSXW')", "login(\"admin\", \"[REDACTED:password]\"); client.login('[REDACTED:secret]')"],
    ["define('DB_PASSWORD', 'Xk9pQ2vL#7'); System.setProperty(\"api.token\", \"Zz8kq1wmXk9pQ2vLOSL3\")", "define('DB_PASSWORD', '[REDACTED:password]'); System.setProperty(\"api.token\", \"[REDACTED:secret]\")"],
    ["variable \"db_password\" {\n  type    = string\n  default = \"Xk9pQ2vL#7\"\n}", "variable \"db_password\" {\n  type    = string\n  default = \"[REDACTED:password]\"\n}"],
    ["$s = ConvertTo-SecureString \"Xk9pQ2vL#7\" -AsPlainText -Force", "$s = ConvertTo-SecureString \"[REDACTED:password]\" -AsPlainText -Force"],
    ["const client = algoliasearch('RPECRG883A', 'b476c1a23445e6c1538cc2d194e2f67c');", "const client = algoliasearch('RPECRG883A', '[REDACTED:secret]');"],
    ["client = Client(\"AC3d0123f15e087fc31b720fe0610c87a2\", \"ca43ecfde5f9ad089f8b526f05245e3d\")", "client = Client(\"AC3d0123f15e087fc31b720fe0610c87a2\", \"[REDACTED:secret]\")"],
    ["db:\n  password: |\n    Xk9pQ2#vLm\n  host: db\n", "db:\n  password: |\n    [REDACTED:secret]\n  host: db\n"],
    ["Key         Value\n---         -----\npassword    Xk9pQ2#vLm\napi_key     4cvoqNXdbSnbbH8XEDSu", "Key         Value\n---         -----\npassword    [REDACTED:secret]\napi_key     [REDACTED:secret]"],
    ["signingConfigs { release {\n  storePassword \"Xk9pQ2#vL\"\n  keyPassword 'Zz8kq1wm'\n} }", "signingConfigs { release {\n  storePassword \"[REDACTED:secret]\"\n  keyPassword '[REDACTED:secret]'\n} }"],
    ["{\n  \"admin_key\": {\n    \"sensitive\": true,\n    \"type\": \"string\",\n    \"value\": \"gJJKasDjXk9pQ2vL\"\n  }\n}", "{\n  \"admin_key\": {\n    \"sensitive\": true,\n    \"type\": \"string\",\n    \"value\": \"[REDACTED:secret]\"\n  }\n}"],
    [
      '{"fields": [{"id": "username", "type": "STRING", "label": "username", "value": "admin"},\n  {\n    "id": "password",\n    "type": "CONCEALED",\n    "purpose": "PASSWORD",\n    "label": "password",\n    "value": "hunter2-Wobble",\n    "reference": "op://Private/DB/password"\n  }]}',
      '{"fields": [{"id": "username", "type": "STRING", "label": "username", "value": "admin"},\n  {\n    "id": "password",\n    "type": "CONCEALED",\n    "purpose": "PASSWORD",\n    "label": "password",\n    "value": "[REDACTED:secret]",\n    "reference": "op://Private/DB/password"\n  }]}',
    ],
    ["aws cloudformation deploy --parameter-overrides ParameterKey=DBPassword,ParameterValue=Xk9pQ2#vL", "aws cloudformation deploy --parameter-overrides ParameterKey=DBPassword,ParameterValue=[REDACTED:secret]"],
    ["         - name: DB_PASSWORD\n-          value: \"Xk9pQ2#vLm\"\n+          value: \"Zz8kq1wm#2\"", "         - name: DB_PASSWORD\n-          value: \"[REDACTED:secret]\"\n+          value: \"[REDACTED:secret]\""],
    ["GET /redirect?next=%2Flogin%3Fuser%3Dadmin%26password%3DXk9pQ2vL%23abc HTTP/1.1", "GET /redirect?next=%2Flogin%3Fuser%3Dadmin%26password%3D[REDACTED:secret] HTTP/1.1"],
    ["{\"usuario\":\"admin\",\"contrasena\":\"Xk9pQ2#vLm\"} senha=Zz8kq1wm9", "{\"usuario\":\"admin\",\"contrasena\":\"[REDACTED:secret]\"} senha=[REDACTED:secret]"],
    ["location /api {\n  proxy_set_header X-Api-Key \"Xk9pQ2#vLm\";\n}", "location /api {\n  proxy_set_header X-Api-Key \"[REDACTED:secret]\";\n}"],
    [" id | password_hash\n----+--------------\n  1 | $2b$12$Xk9pQ2vLZz8kq1wmOSL34u", " id | password_hash\n----+--------------\n  1 | [REDACTED:secret]"],
    [" id | email | api_key\n----+-------+---------\n  1 | a@b.c | Zz8kq1wmXk9pQ2vL\n(1 row)", " id | email | api_key\n----+-------+---------\n  1 | a@b.c | [REDACTED:secret]\n(1 row)"],
    ["     1\u2192username,password,role\n     2\u2192admin,Xk9pQ2#vLm,admin", "     1\u2192username,password,role\n     2\u2192admin,[REDACTED:secret],admin"],
    [".example.com\tTRUE\t/\tTRUE\t1767225600\tsessionid\tfNPB7B5Bh7USAX5KL2ea", ".example.com\tTRUE\t/\tTRUE\t1767225600\tsessionid\t[REDACTED:cookie]"],
    ["INSERT INTO users (id, email, password) VALUES (1, 'a@b.c', 'Xk9pQ2#vLm'), (2, 'd@e.f', 'Zz8k''q1wm9');", "INSERT INTO users (id, email, password) VALUES (1, 'a@b.c', '[REDACTED:secret]'), (2, 'd@e.f', '[REDACTED:secret]');"],
    ["vercel env add STRIPE_SECRET production <<< \"Xk9pQ2vLZz8kq1wm\"\nread -r PASS <<< 'Zz8k#q1wm'", "vercel env add STRIPE_SECRET production <<< \"[REDACTED:secret]\"\nread -r PASS <<< '[REDACTED:secret]'"],
    ["expdp system/Xy7pQ2vL9k schemas=HR", "expdp system/[REDACTED:password] schemas=HR"],
    ["hf_jTKrLmXkqPHAb9yRRkxyOZGabcdEFghijk with a digit", "[REDACTED:huggingface-access-token] with a digit"],
    ["3f9a1c2b4d5e6f708192a3b4c5d6e7f8-us21", "[REDACTED:mailchimp-api-key]"],
    ["curl -u admin:Xy7pQ2vL9k https://x", "curl -u admin:[REDACTED:password] https://x"],
    ["curl --user 'ci:Xy7p Q2vL9k' https://x", "curl --user 'ci:[REDACTED:password]' https://x"],
    ["smbclient //srv/share -U alice%Xy7pQ2vL9k", "smbclient //srv/share -U alice%[REDACTED:password]"],
    ["curl -u admin:'Welc0me!23' https://x; curl --user ci:\"Xy7p Q2vL9k\" https://x", "curl -u admin:'[REDACTED:password]' https://x; curl --user ci:\"[REDACTED:password]\" https://x"],
    ["smbclient //srv/share -U alice%'Xy7p&Q2vL9k'; lftp -u deploy,'Zz8k q1wm2x' ftp.example.com", "smbclient //srv/share -U alice%'[REDACTED:password]'; lftp -u deploy,'[REDACTED:password]' ftp.example.com"],
    ["docker login -u bot -p Xy7pQ2vL9k ghcr.io", "docker login -u bot -p [REDACTED:password] ghcr.io"],
    ["tool --password Xy7pQ2vL9k --verbose", "tool --password [REDACTED:password] --verbose"],
    ["tool --password=hunter2", "tool --password=[REDACTED:password]"],
    ['tool --api-key "k3y Xy7pQ2vL9k"', 'tool --api-key "[REDACTED:secret]"'],
    ["tool --token=abc123def --client-secret abc456ghi", "tool --token=[REDACTED:secret] --client-secret [REDACTED:secret]"],
    ["openssl pkcs12 -in a.p12 -passin pass:Xy7pQ2vL9k", "openssl pkcs12 -in a.p12 -passin pass:[REDACTED:password]"],
    ["keytool -list -keystore ks.jks -storepass Xy7pQ2vL9k", "keytool -list -keystore ks.jks -storepass [REDACTED:password]"],
    ["openssl enc -aes-256-cbc -d -k Xy7pQ2vL9k -in db.enc", "openssl enc -aes-256-cbc -d -k [REDACTED:password] -in db.enc"],
    ["unzip -P Xy7pQ2vL9k backup.zip", "unzip -P [REDACTED:password] backup.zip"],
    ["setx API_KEY Xy7pQ2vL9k29", "setx API_KEY [REDACTED:secret]"],
    ["curl --cookie 'sid=Xy7pQ2vL9k' https://x", "curl --cookie '[REDACTED:cookie]' https://x"],
    // headers
    ["Cookie: sid=abc123def; theme=dark", "Cookie: sid=[REDACTED:cookie]; theme=[REDACTED:cookie]"],
    ["Set-Cookie: sid=abc123def456; Path=/; HttpOnly", "Set-Cookie: sid=[REDACTED:cookie]; Path=/; HttpOnly"],
    ['{"headers": {"cookie": "sid=abc123def"}}', '{"headers": {"cookie": "sid=[REDACTED:cookie]"}}'],
    ['document.cookie = "sid=abc123def; path=/"', 'document.cookie = "sid=[REDACTED:cookie]; path=/"'],
    ['Authorization: Digest username="u", response="6629fae49393a05397450978507c4ef1"', "Authorization: Digest [REDACTED:authorization]"],
    ["Authorization: AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/s3/aws4_request, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024", "Authorization: AWS4-HMAC-SHA256 [REDACTED:authorization]"],
    ["Proxy-Authorization: Basic dXNlcjpwYXNzd29yZA==", "Proxy-Authorization: Basic [REDACTED:authorization]"],
    // URLs, .netrc, names that mean a secret
    ["https://u:pa/ss+w0rd@host/x", "https://u:[REDACTED:password]@host/x"],
    ["?sv=2022-11-02&sig=abcdEFGH1234%3D&se=1", "?sv=2022-11-02&sig=[REDACTED:secret]&se=1"],
    ["&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0", "&X-Amz-Signature=[REDACTED:secret]"],
    ["machine example.com login me password Xy7pQ2vL9k", "machine example.com login me password [REDACTED:password]"],
    ["default login me password Xy7pQ2vL9k", "default login me password [REDACTED:password]"],
    ["$ cat ~/.pgpass\nlocalhost:5432:shop:app:S3cretPw\n*:*:*:admin:hunter2\n", "$ cat ~/.pgpass\nlocalhost:5432:shop:app:[REDACTED:password]\n*:*:*:admin:[REDACTED:password]\n"],
    ["set -gx API_TOKEN Xy7pQ2vL9k; and deploy", "set -gx API_TOKEN [REDACTED:secret]; and deploy"],
    ["set -x DB_PASSWORD 'hunter two'", "set -x DB_PASSWORD '[REDACTED:secret]'"],
    ["set GITHUB_TOKEN abc123def", "set GITHUB_TOKEN [REDACTED:secret]"],
    ["SECRET_KEY_BASE=abcdef0123456789", "SECRET_KEY_BASE=[REDACTED:secret]"],
    ["client-key-data: LS0tLS1CRUdJTiBSU0Eg", "client-key-data: [REDACTED:secret]"],
    ["AccountName=acme;AccountKey=Zm9vYmFy+/YmF6==;EndpointSuffix=core", "AccountName=acme;AccountKey=[REDACTED:secret];EndpointSuffix=core"],
    ['{"auth": "b2N0b2NhdDpnaHBfMTIzNDU2Nzg5"}', '{"auth": "[REDACTED:secret]"}'],
    // a token longer than its rule's pattern goes whole
    // (prefixes split in this source, as in the canaries: no token-shaped literal for secret scanners)
    [`use ${"gl" + "pat-"}ABCdef123456GHIjkl789012mnopQR today`, "use [REDACTED:gitlab-pat] today"],
    // a cut text: an ellipsis ends a token, an open quote ends at the end
    [`NPM_TOKEN=${"np" + "m_"}a8Kd02jfLq9Zm3XcV7bN1pR4tY6uW0eHs2Ga…`, "NPM_TOKEN=[REDACTED:npm-access-token]…"],
    ['config {"password": "correct horse battery…', 'config {"password": "[REDACTED:secret]'],
    // terminal colour codes stay whole around what they colour
    [`\x1b[32m${"gh" + "p_"}Xk29fJd83kLq0Zp4mN7bV1cR5tY8uW2eA6sD\x1b[0m ok`, "\x1b[32m[REDACTED:github-token]\x1b[0m ok"],
    ['printf "\\033[31mPASSWORD\\033[0m=Xy7pQ2vL9k"', 'printf "\\033[31mPASSWORD\\033[0m=[REDACTED:secret]"'],
    ["Server=db;Uid=sa;Pwd=Xy7pQ2vL9k;Encrypt=yes", "Server=db;Uid=sa;Pwd=[REDACTED:secret];Encrypt=yes"],
    ["CREATE ROLE app WITH LOGIN PASSWORD 'Xy7pQ2vL9k';", "CREATE ROLE app WITH LOGIN PASSWORD '[REDACTED:password]';"],
    ["GRANT ALL ON db.* TO 'app'@'%' IDENTIFIED BY 'Xy7pQ2vL9k';", "GRANT ALL ON db.* TO 'app'@'%' IDENTIFIED BY '[REDACTED:password]';"],
    ['<apiKey type="live">Xy7pQ2vL9k</apiKey>', '<apiKey type="live">[REDACTED:secret]</apiKey>'],
    ["ENV API_TOKEN Xy7pQ2vL9k\nRUN make", "ENV API_TOKEN [REDACTED:secret]\nRUN make"],
    ["DATABASE_URL=mysql://root:Ab1!#$xyKq@db:3306/app", "DATABASE_URL=mysql://root:[REDACTED:password]@db:3306/app"],
    ['ldapsearch -x -D "cn=admin,dc=ex" -w Xy7pQ2vL9k -b dc=ex', 'ldapsearch -x -D "cn=admin,dc=ex" -w [REDACTED:password] -b dc=ex'],
    [`TG_BOT=7012345678:AA${"Fq3kLm9ZxP2wR7tY1uI5oP8aS4dF6gH0j"}`, "TG_BOT=7012345678:[REDACTED:telegram-bot-token]"],
    ["Passwort: Xy7pQ2vL9k", "Passwort: [REDACTED:secret]"],
    // As the Read tool shows a file: each line after its number.
    ["     1→requirepass Xy7pQ2vL9k\n     2→masterauth Zz8kq1wm2x", "     1→requirepass [REDACTED:password]\n     2→masterauth [REDACTED:password]"],
    ["     7→bind_pw Xy7pQ2vL9k\n     8→auth_pass Zz8kq1wm2x", "     7→bind_pw [REDACTED:secret]\n     8→auth_pass [REDACTED:secret]"],
    ["     1→| user | password |\n     2→|---|---|\n     3→| admin | Xy7pQ2vL9k |", "     1→| user | password |\n     2→|---|---|\n     3→| admin | [REDACTED:secret] |"],
    ['     1→1) "requirepass"\n     2→2) "Xy7pQ2vL9k"', '     1→1) "requirepass"\n     2→2) "[REDACTED:password]"'],
    ["     1→db:\n     2→  password:\n     3→    Xk9pQ2vL#7", "     1→db:\n     2→  password:\n     3→    [REDACTED:password]"],
    ["rootpw Xy7pQ2vL9k\nbindpw Zz8kq1wm2x", "rootpw [REDACTED:secret]\nbindpw [REDACTED:secret]"],
    ['network={\n  ssid="Home"\n  psk="Xy7pQ2vL9k"\n}\n[wifi-security]\npsk=Zz8kq1wm2x', 'network={\n  ssid="Home"\n  psk="[REDACTED:secret]"\n}\n[wifi-security]\npsk=[REDACTED:secret]'],
    ["Пароль: Xy7pQ2vL9k. 密码是Zz8kq1wm2x，请保存", "Пароль: [REDACTED:password]. 密码是[REDACTED:password]，请保存"],
    ["пароль от базы: Xy7pQ2vL9k\nПароль для root — Zz8kq1wm2x", "пароль от базы: [REDACTED:password]\nПароль для root — [REDACTED:password]"],
    ["パスワード：Xy7pQ2vL9kです。비밀번호는 Zz8kq1wm2x 입니다", "パスワード：[REDACTED:password]です。비밀번호는 [REDACTED:password] 입니다"],
    ["das Passwort ist Xy7pQ2vL9k; le mot de passe est Zz8kq1wm2x", "das Passwort ist [REDACTED:password]; le mot de passe est [REDACTED:password]"],
    ["la contraseña es Xy7pQ2vL9k y a senha é Zz8kq1wm2x", "la contraseña es [REDACTED:password] y a senha é [REDACTED:password]"],
    ["mot de passe : Xy7pQ2vL9k", "mot de passe : [REDACTED:password]"],
    ["Password → Xy7pQ2vL9k", "Password → [REDACTED:password]"],
    ["https://x.example/login?user=admin&pw=Xy7pQ2vL9k&next=/", "https://x.example/login?user=admin&pw=[REDACTED:secret]&next=/"],
    ['curl -b "sessionid=Xy7pQ2vL9kWm3" https://x.example/api', 'curl -b "[REDACTED:cookie]" https://x.example/api'],
    ["htpasswd -nb admin Xy7pQ2vL9k > .htpasswd", "htpasswd -nb admin [REDACTED:password] > .htpasswd"],
    ["mosquitto_passwd -b passwd deploy Xy7pQ2vL9k && wpa_passphrase HomeNet Zz8kq1wm2x", "mosquitto_passwd -b passwd deploy [REDACTED:password] && wpa_passphrase HomeNet [REDACTED:password]"],
    ["grafana-cli admin reset-admin-password Xy7pQ2vL9k; neo4j-admin dbms set-initial-password Zz8kq1wm2x", "grafana-cli admin reset-admin-password [REDACTED:password]; neo4j-admin dbms set-initial-password [REDACTED:password]"],
    ["cypher-shell -u neo4j -p Xy7pQ2vL9k; cqlsh -u cassandra -p Zz8kq1wm2x 10.0.0.1", "cypher-shell -u neo4j -p [REDACTED:password]; cqlsh -u cassandra -p [REDACTED:password] 10.0.0.1"],
    ["lftp -u deploy,Xy7pQ2vL9k ftp.example.com; http -a deploy:Zz8kq1wm2x api.example.com", "lftp -u deploy,[REDACTED:password] ftp.example.com; http -a deploy:[REDACTED:password] api.example.com"],
    ["az login -u me@corp.com -p Xy7pQ2vL9k; az sql server create -n s -g g -u sqladmin -p Zz8kq1wm2x", "az login -u me@corp.com -p [REDACTED:password]; az sql server create -n s -g g -u sqladmin -p [REDACTED:password]"],
    ["security add-generic-password -a me -s app -w Xy7pQ2vL9k; ssh-keygen -t ed25519 -N 'Zz8kq1wm2x' -f key", "security add-generic-password -a me -s app -w [REDACTED:password]; ssh-keygen -t ed25519 -N '[REDACTED:password]' -f key"],
    ["mc alias set local http://localhost:9000 minio Xy7pQ2vL9kWm3", "mc alias set local http://localhost:9000 minio [REDACTED:secret]"],
    ["echo 'deploy:Xy7pQ2vL9k' | sudo chpasswd; cryptsetup luksOpen /dev/sdb1 vol <<< \"Zz8kq1wm2x\"; sudo -S <<< 'Qq3wE5rT7y' apt update", "echo '[REDACTED:secret]' | sudo chpasswd; cryptsetup luksOpen /dev/sdb1 vol <<< \"[REDACTED:secret]\"; sudo -S <<< '[REDACTED:secret]' apt update"],
    ['expect "*assword*"\nsend -- "Xy7pQ2vL9k\\r"', 'expect "*assword*"\nsend -- "[REDACTED:password]\\r"'],
    ["child.expect('Password:')\nchild.sendline('Xy7pQ2vL9k')", "child.expect('Password:')\nchild.sendline('[REDACTED:password]')"],
    ["User.objects.create_superuser('admin', 'admin@example.com', 'Xy7pQ2vL9k')", "User.objects.create_superuser('admin', 'admin@example.com', '[REDACTED:password]')"],
    ['System.getenv().getOrDefault("DB_PASSWORD", "Xy7pQ2vL9k")', 'System.getenv().getOrDefault("DB_PASSWORD", "[REDACTED:secret]")'],
    ['Environment.GetEnvironmentVariable("API_KEY") ?? "Xy7pQ2vL9kWm3Zz8kq1wm2"', 'Environment.GetEnvironmentVariable("API_KEY") ?? "[REDACTED:secret]"'],
    ['env::var("DB_PASSWORD").unwrap_or_else(|_| "Xy7pQ2vL9k".into())', 'env::var("DB_PASSWORD").unwrap_or_else(|_| "[REDACTED:secret]".into())'],
    ["password: ${DB_PASSWORD:Xy7pQ2vL9k}", "password: ${DB_PASSWORD:[REDACTED:secret]}"],
    ["ftp = ftplib.FTP('ftp.example.com', 'deploy', 'Xy7pQ2vL9k'); db = new PDO($dsn, 'root', 'Zz8kq1wm2x');", "ftp = ftplib.FTP('ftp.example.com', 'deploy', '[REDACTED:password]'); db = new PDO($dsn, 'root', '[REDACTED:password]');"],
    ["mysql -u root -p-MsdKMn7%rq7jl -e 'SHOW DATABASES;'\nsshpass -p '-oiQ=jH!zPw1PgEW' ssh deploy@10.0.3.14", "mysql -u root -p[REDACTED:password] -e 'SHOW DATABASES;'\nsshpass -p '[REDACTED:password]' ssh deploy@10.0.3.14"],
    ["client.run('OTg3MjE2MzAxODkxOTIyODY5MA.DYg1OB.ElBuQ8qoI8UQFa8vY2-0jQ_rymJDH4ctF5ebXr')", "client.run('[REDACTED:discord-bot-token]')"],
    ["AZURE_DEVOPS_EXT_PAT=lgcn6iqch4xzklctipbpyh7oxd2qgq5voluwaf77oivlboni34qy az devops project list", "AZURE_DEVOPS_EXT_PAT=[REDACTED:secret] az devops project list"],
    ['dotnet user-secrets set "Payments:ApiKey" "CWKYsVKqiRYz6bKVK4p3vVRt74KiaqpeZl4f08NX"', 'dotnet user-secrets set "Payments:ApiKey" "[REDACTED:password]"'],
    ["DB_PASSWORD==UXmi+j2FQaew=xX\nexport RABBITMQ_PASS==a-!=mqDLnC~t9G-", "DB_PASSWORD=[REDACTED:secret]\nexport RABBITMQ_PASS=[REDACTED:secret]"],
    ["Private-Lines: 2\n     6→vVNSQcHqe1ZWUgapnMM1VlxoS2owABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh12\n     7→QrStUvWxYz01==\nPrivate-MAC: 0123abcd", "Private-Lines: 2\n     6→[REDACTED:private-key]\nPrivate-MAC: 0123abcd"],
    ["the password is Harbor.Lantern4794; log in with dana / Tundra.Nimbus9304", "the password is [REDACTED:password]; log in with dana / [REDACTED:password]"],
    ['Password for the VPN: “~2=H2K0HOdn~6m”, creds are admin:~88Qy#Fy7q', 'Password for the VPN: “[REDACTED:password]”, creds are admin:[REDACTED:password]'],
    ['Passphrase for the deploy key is "Juniper!Nimbus1148! Tundra_Lantern0609"', 'Passphrase for the deploy key is "[REDACTED:password]"'],
    ["api_key: qWeRtYuIoPaSdFgHjKlZxCvBnM\nclient_secret: kRbTxPqLmVnZwYsHgJdFcQe", "api_key: [REDACTED:secret]\nclient_secret: [REDACTED:secret]"],
    ['"Env": [\n    "POSTGRES_PASSWORD==K!d4j9NUqjkpszlf7",\n    "PG_MAJOR=16"\n],', '"Env": [\n    "POSTGRES_PASSWORD=[REDACTED:secret]",\n    "PG_MAJOR=16"\n],'],
    ["     2\tDB_PASSWORD==Zlj3EsRzGGCTra@\n     3\u2192API_TOKEN==Xk9pQ2vLm7z\n  - SECRET_KEY==Zz8kq1wm#2", "     2\tDB_PASSWORD=[REDACTED:secret]\n     3\u2192API_TOKEN=[REDACTED:secret]\n  - SECRET_KEY=[REDACTED:secret]"],
    ["REDIS_HOST=cache.internal\nREDIS_PASSWORD=*iXalxn6j7YOoAarxxjLdg", "REDIS_HOST=cache.internal\nREDIS_PASSWORD=[REDACTED:secret]"],
    [
      'SIGNING_SALT=Xk9pQ2vLm7zT4rW8yB1nC5dF6gH3jK0q\nMASTER_SEED=4faae79feaf81d7ae8422f35b49755773de098f69548e3b58c7ef1bada814960\n{"webhook_hmac": "9c0d1e2f4faae79feaf81d7ae8422f35b4975577"}',
      'SIGNING_SALT=[REDACTED:secret]\nMASTER_SEED=[REDACTED:secret]\n{"webhook_hmac": "[REDACTED:secret]"}',
    ],
    ["[Peer]\nPresharedKey = abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ=", "[Peer]\nPresharedKey = [REDACTED:secret]"],
    [
      "kubectl -n prod create secret generic api-keys --from-literal=stripe=tpuXJGlyAhJV5Ce35Qr8a4y6ZR --from-literal='db=Xk9pQ2vL#7' --from-literal k=\"a b\" --dry-run=client",
      "kubectl -n prod create secret generic api-keys --from-literal=stripe=[REDACTED:secret] --from-literal='db=[REDACTED:secret]' --from-literal k=\"[REDACTED:secret]\" --dry-run=client",
    ],
    [
      '[{"keyName": "key1", "permissions": "FULL", "value": "E5uFXmuChRyDNHjF8Liua+DGtOXlcZjagai4zFWKVMxfDjYfOrHhaxS9Uc1GIQWFwKMliek8zpaQiwN+AStk1b2Q=="}]',
      '[{"keyName": "key1", "permissions": "FULL", "value": "[REDACTED:secret]"}]',
    ],
    [
      "printf '%s' 'Xk9pQ2vLm7zT4rW8yB1nC5dF6gH3jK0qAbCdEfGh' | gh auth login --with-token\necho \"s.Xk9pQ2vLm7zT4rW8yB1n\" | vault login -",
      "printf '%s' '[REDACTED:secret]' | gh auth login --with-token\necho \"[REDACTED:secret]\" | vault login -",
    ],
    [
      "my metamask seed phrase is abandon ability able about above absent absorb abstract absurd abuse access accident\nhere is the recovery phrase for the test wallet: legal winner thank year wave sausage worth useful legal winner thank yellow",
      "my metamask seed phrase is [REDACTED:secret]\nhere is the recovery phrase for the test wallet: [REDACTED:secret]",
    ],
    [
      "Save this seed phrase and your BIP39 passphrase to recover your new keypair:\nmaple orbit cactus velvet drum shiver lunar pencil omit sketch wagon ribbon\n====",
      "Save this seed phrase and your BIP39 passphrase to recover your new keypair:\n[REDACTED:secret]\n====",
    ],
    [
      "+----+---------------+---------------------+\n| id | email         | password            |\n+----+---------------+---------------------+\n|  1 | alice@acme.io | Tangent#7366walnut  |\n+----+---------------+---------------------+\n1 row in set (0.00 sec)",
      "+----+---------------+---------------------+\n| id | email         | password            |\n+----+---------------+---------------------+\n|  1 | alice@acme.io | [REDACTED:secret]  |\n+----+---------------+---------------------+\n1 row in set (0.00 sec)",
    ],
    ["┌────┬─────────────┐\n│ id │ api_key     │\n├────┼─────────────┤\n│ 1  │ Xk9pQ2vLm7z │\n└────┴─────────────┘", "┌────┬─────────────┐\n│ id │ api_key     │\n├────┼─────────────┤\n│ 1  │ [REDACTED:secret] │\n└────┴─────────────┘"],
    ["JWT_SIGNING_KEY='/I/tAA7Pis3LA8bU0pKW/ouzekiv8ZcMZcS2qCGICpvDlQ1ums2KXbhWUPjsuCqr'", "JWT_SIGNING_KEY='[REDACTED:secret]'"],
    ["$ openssl rand -base64 32\n/K+8l8hLHNRBJdoJICZbw2vtK0XGSAKj8uwa9xhPtu4=\n", "$ openssl rand -base64 32\n[REDACTED:secret]\n"],
    ['my master password is "mosaic saddle mosaic velvet"; the vault passphrase is "orbit-tundra-lantern-velvet"', 'my master password is "[REDACTED:password]"; the vault passphrase is "[REDACTED:password]"'],
    ["Das Passwort für die Datenbank lautet hgcYa4e%oYv3~3; das Kennwort ist Qysn^9sAvmJ!vG", "Das Passwort für die Datenbank lautet [REDACTED:password]; das Kennwort ist [REDACTED:password]"],
    ["A senha do banco é k6PO^ySlOPa3L9, la password è 9tg^K!QC7MWar*", "A senha do banco é [REDACTED:password], la password è [REDACTED:password]"],
    ["hasło do bazy to ~nFdG2SRp~MN_M\nsunucu şifresi: RE~BVtqerqU8*h", "hasło do bazy to [REDACTED:password]\nsunucu şifresi: [REDACTED:password]"],
    ["SecretID:         2b778dd9-f5f1-6f29-b4b4-9a5fa948757a\nsecret_id_accessor    9c6d7e8f-1a2b-3c4d-5e6f-7a8b9c0d1e2f", "SecretID:         [REDACTED:hashicorp-secret-id]\nsecret_id_accessor    9c6d7e8f-1a2b-3c4d-5e6f-7a8b9c0d1e2f"],
  ];
  for (const [input, output] of cases) {
    test(input, () => expect(redact(input).text).toBe(output));
  }

  test("a private key cut off before its END line is still redacted", () => {
    const text = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nMIIEvQIBADANBg";
    expect(redact(text)).toEqual({ text: "[REDACTED:private-key]", count: 1 });
  });

  test("counts every replacement", () => {
    const text = "A=1\nDB_PASSWORD=abc123\nAPI_TOKEN=xyz789\nGH=" + ["gh", "p_", "a1".repeat(18)].join("");
    expect(redact(text).count).toBe(3);
  });
});

describe("a value before a comma or a closing bracket", () => {
  const cases: [why: string, input: string, output: string][] = [
    ["in prose's brackets", "Use the staging creds (DB_PASSWORD=hunter2x)", "Use the staging creds (DB_PASSWORD=[REDACTED:secret])"],
    ["before a comma in prose", "Set DB_PASSWORD=hunter2x, then restart", "Set DB_PASSWORD=[REDACTED:secret], then restart"],
    ["a random one in a call", "client(API_KEY=Xk9pQ2vLm7wQ, x)", "client(API_KEY=[REDACTED:secret], x)"],
  ];
  for (const [why, input, output] of cases) test(why, () => expect(redact(input).text).toBe(output));
});

describe("ordinary text and code stay as they are", () => {
  const negatives: [why: string, text: string][] = [
    ["function call", "const token = getToken()"],
    ["a call with digits in its names, under credentials' or auth's name", 'creds = base64.b64encode(user_pass.encode()).decode("ascii")\nauth = b64encode(user_pass)'],
    ["await", "const token = await auth.getToken();"],
    ["a variable in a dict", "subprocess.run(cmd, env={'PGPASSWORD': pw, 'PGUSER': user}, check=True)"],
    ["a member in a dict", "subprocess.run(cmd, env={**os.environ, \"PGPASSWORD\": self.password})"],
    ["a variable as a keyword argument", "env = dict(os.environ, PGPASSWORD=db_password2)"],
    ["type annotation", "password: string"],
    ["optional type", "token?: string;"],
    ["type name", "function login(user: User, password: Password) {}"],
    ["python type hint", "def connect(password: str = None):"],
    ["variable reference", "TOKEN=$TOKEN"],
    ["braced reference", 'API_KEY="${API_KEY}"'],
    ["command substitution", "TOKEN=$(cat ~/.token)"],
    ["template", 'token: "{{ secrets.DEPLOY_TOKEN }}"'],
    ["windows variable", "set PASSWORD=%PASSWORD%"],
    ["fish variable reference", "set -gx API_TOKEN $API_TOKEN"],
    ["fish command substitution", "set -x GITHUB_TOKEN (gh auth token)"],
    ["colour codes alone", "\x1b[1mBuild\x1b[0m done in 2s, arr[0m] and [1m"],
    ["the shell's PWD", "PWD=/home/me/src OLDPWD=/home/me"],
    ["a URL's fragment, then an e-mail address", "see https://example.com/page#section-2 and mail bob@example.com"],
    ["a port and a query holding an e-mail address", "https://host:8080?user=bob@example.com"],
    ["ldapsearch prompting for the password", "ldapsearch -x -W -b dc=example,dc=com"],
    ["a port in a log line, and pwd the command", "listening on 0.0.0.0:5432: ready\n10:5432:12:00:00 tick\n$ pwd\n/home/me/src\nrun pwd && ls"],
    ["a password's name in code, then more code", "password=pw;\nf(password=pw,timeout=3)\n{password:pw,user:u}"],
    ["sqlplus with the OS's login, and running a script", "sqlplus / as sysdba\nsqlplus -s @/opt/app/run.sql\nsqlplus $DB_USER/$DB_PASS@ORCL"],
    ["names that start like tokens", "from huggingface_hub import hf_hub_download; HF_HUB_ENABLE_HF_TRANSFER=1; hf_AutoModelForTokenClassification"],
    ["Oracle's tools in prose", "Run sqlplus and/or rman; sqlplus input/output; rman target/catalog; sqlplus scripts/setup.sql; rman target and/or catalog"],
    ["rman with the OS's login", "rman target /\nrman target / catalog $RC_USER/$RC_PASS@rc"],
    ["four short words after a password's label", "the password is only used when they need it\npassword: must have more than eight characters"],
    ["a code playground's link, its code encoded", "https://play.rust-lang.org/?code=fn+main()+%7B%0A++println!(%22hi%22)%3B%0A%7D&edition=2024"],
    ["format directives, a YAML anchor, a parameter's type and default", "password:%s\nutil.debug('token=%r', token)\n  oidc_client_secret_value: &oidc_client_secret_value\ndef f(self, startToken:Token=None, offendingToken:Token=None):"],
    ["a token's field naming another field", "\"input_token\": \"NextToken\", \"output_token\": \"Marker\""],
    ["an Authorization header read in code, a scheme with no credential", "authorization = self._get_param(\"authorization\")\n\"Authorization: Bearer \", value_prefix=\"Bearer \""],
    ["a variable named pw in code, a small number", "const pw = getPass(); pw := os.Getenv(\"PW\"); zoom pw 100; pw=1"],
    ["the shell's pwd, and a path in it", "PWD=/home/me/src OLDPWD=/home/me\npwd=$(pwd); const pwd = process.cwd(); Set-Location $pwd"],
    ["a label with prose or code on the next line", "## Password\nReset it from the settings page\npassword:\n  secretKeyRef:\n    name: db\ntoken:\n  ${GITHUB_TOKEN}"],
    ["dollar amounts, a bcrypt hash in code", "it costs $1$ or $6$ a month\nconst hash = \"$2b$10$abcdefghijklmnopqrstuv\""],
    ["a query's code, a Redis error, a demo of base64", "https://x/y?code=200&country_code=US\n(error) NOAUTH Authentication required.\nAUTH failed\necho 'hello world' | base64\ndiff <(echo a1) <(echo b2)"],
    ["calls that pass no secret", "login(user, password); client.login(token); define('WP_DEBUG', 'true'); net user admin /delete; variable \"region\" {\n  default = \"us-east-1\"\n}"],
    ["Stripe's publishable key", "STRIPE_PUBLISHABLE_KEY=pk_test_TYooMQauvdEDq54NiTphI7jx"],
    ["a name of a secret kept elsewhere, a GraphQL type, a JSX expression", "existingSecret: pg-secret\nmutation Login($email: String!, $password: String!) {\n<input name=\"password\" value={password} />"],
    ["prose with a secret's name at the start of a line", "password changed\ntoken expired\nsecret sauce\nPASSWORD_MIN_LENGTH 12"],
    ["a question after a password's label", "{\"forgotPassword\":\"Passwort vergessen?\"}"],
    ["a CSV whose columns name no secret, and prose with commas", "name,token_count,model\nfoo,12,opus\nthe password, the token and the key are in vault"],
    ["an INSERT with placeholders", "INSERT INTO users (email, password) VALUES ($1, $2)"],
    ["percent-encoded queries", "q%3Dhello%26sort%3Ddesc\nhttps%3A%2F%2Fx.io%2F%3Ftoken%3D%24TOKEN\nadd_header X-Frame-Options \"SAMEORIGIN\";"],
    ["empty values and translated labels", "{\"password\": \"\", \"token\": \"Token de acceso\", \"label\": {\"password\": \"Contraseña\", \"apiKey\": \"API key\"}}\npassword: Пароль\n\"password\" = \"パスワード\";"],
    ["SQL column types and GraphQL arguments", "  api_token CHAR(64),\n  reset_password_token VARCHAR(255)\n  login(email: String!, password: String!): AuthPayload\n  resetPassword(token: String!, newPassword: String!): Boolean"],
    ["a shell expansion's message, a file's path, an ARN, a variable's name", "${DB_PASSWORD:?DB_PASSWORD must be set}\nkubectl create secret generic db --from-file=password=./password.txt\narn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db/password-AbCdEf\n{\"refreshToken\": \"REFRESH_TOKEN\"}"],
    ["here-strings into what stores nothing", "cat <<< \"hello world\"\ngrep x <<< \"$VAR\""],
    ["a YAML block under another name, or a reference in one", "description: |\n  the password is in vault\npassword: >\n  ${DB_PASSWORD}\n"],
    ["a hex hash before a locale-like word", "sha 3f9a1c2b4d5e6f708192a3b4c5d6e7f8 -us2 and en-us1"],
    ["a password quoted in prose", "Reset your password 'now' from the settings page"],
    // prose about passwords that tells none
    ["passwords hashed", "passwords are hashed with bcrypt before they are stored"],
    ["password encoded", "the password is base64-encoded in the secret, and sha256-hashed in the table"],
    ["password in a variable", "the password is process.env.DB_PASS, read at start-up"],
    ["password in a file", "the password is stored in ~/.pgpass, or in config/db.yaml"],
    ["ssh passphrase prompts", "Enter passphrase for key '/root/.ssh/id_rsa':\nEnter passphrase (empty for no passphrase):"],
    ["password rules", "your password is too short (min 12), and the password must be 8 characters"],
    ["password errors", "Password authentication failed for user postgres"],
    ["password in a list of code", "passwords = [p1, p2]"],
    ["password manager named", "the password is in 1Password, under the staging vault"],
    ["password flow named", "the password reset-token flow sends an e-mail to bob@example.com"],
    ["password changed on a date", "Your password was changed on 2024-01-01"],
    ["password and an ampersand in a query", "https://example.com/login?password_hint=none&user=bob"],
    // code and config that name secrets without holding one
    ["a call after a typed name", "const apiKey: string = getApiKey();"],
    ["a subscript read", 'key = os.environ["OPENAI_API_KEY"]'],
    ["a shell command substitution in backticks", "PASSWORD=`openssl rand -hex 16`"],
    ["a call with an argument", "password = hash(pw)"],
    ["a call on a numbered module", "token = cancellation_1.CancellationToken.is(params[n]) ? params[n] : undefined;"],
    ["a call's closing bracket", "login(user, password=pw)"],
    ["kubernetes env from a secret", "- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef: {name: db, key: password}\n- name: PORT\n  value: \"5432\""],
    ["a counter named like a token", '{"name": "token_count", "value": 12}'],
    ["an empty form field", '<input name="password" value="">'],
    ["a reference as the value", "- name: API_KEY\n  value: $(API_KEY)"],
    ["cloudformation tags", "api_key: !Ref ApiKeyParam\npassword: !Sub '{{resolve:secretsmanager:db}}'"],
    ["an ansible vault", "password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256"],
    ["prose about keys", "the primary key is user_id, and the token is expired"],
    ["code that passes a password on", "password = pwd\nconst body = { password: hashedpw }"],
    ["words that start like keys", "the fc-barcelona-team and tvly-docs, napi_docs"],
    ["gh secret set from a file", "gh secret set NPM_TOKEN < token.txt"],
    ["credentials passed as variables", "smtp.login(user, password)\nauthor = ('Jane', 'Doe')\nauth=(\"user\", os.environ[\"PW\"])"],
    ["a Go DSN with a reference", 'sql.Open("mysql", "user:${DB_PASS}@tcp(localhost)/db")'],
    ["a value SOPS encrypted", "password: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]"],
    ["a CI cache key", "Trying to restore uv cache from GitHub Actions cache with key: setup-uv-1-x86_64-unknown-linux-gnu-0.5.4-3.12"],
    ["a reference in an XML element", "<password>${env.DB_PASSWORD}</password>"],
    ["a Dockerfile ENV that is no secret", "ENV NODE_ENV production"],
    ["a time of day before AA", "at 10:30:AAA the backup ran"],
    ["prose about setting a token", "then set the token to expire in a day"],
    ["prose naming a token", "you can set token expiry in the settings"],
    ["pgpass named, then a time and no such line", "edit ~/.pgpass first\nat 12:30 the build ran: 3 ok"],
    ["placeholder", "OPENAI_API_KEY=your-api-key-here"],
    ["angle placeholder", "ANTHROPIC_API_KEY=<your key>"],
    ["xxx placeholder", 'api_key = "xxxxxxxxxxxxxxxx"'],
    ["changeme", "SECRET=changeme"],
    ["basic in prose", "the basic usage of Basic auth"],
    ["Basic and base64 that is no user:password", "Basic SGVsbG8gV29ybGQ="],
    ["a token shape masked in the text", "OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"],
    ["empty value", "PASSWORD="],
    ["empty quoted value", 'password: ""'],
    ["null", '"password": null'],
    ["boolean", "secret: true"],
    ["aws documentation key", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"],
    ["token counts", "max_tokens: 4096, input_tokens: 1234"],
    ["token count name", '"token_count": 12'],
    ["arrow function", "tokens.map(token => token.trim())"],
    ["keyword argument", "client = Anthropic(api_key=api_key)"],
    ["member access", "const apiKey = process.env.ANTHROPIC_API_KEY;"],
    ["a name in CamelCase under a key's name", "api_key: ApiKeyFromEnvironment\nsecret: AccessTokenProviderFactory"],
    ["a seed's number, a salt's rounds, an HMAC's algorithm", "random_seed = 1234567890\nsalt_rounds: 12\nhmac: sha256\nbcrypt_salt = \"$2b$10$\""],
    ["a seed phrase explained, not told", "the seed phrase is what you need when your phone dies and you want your funds back\nWrite down your recovery phrase: it is the only way back.\nThe seed phrase:\nis what you need when your phone dies and the wallet app asks for it later"],
    ["a record naming a key whose value is a word", '{"keyName": "sort", "value": "asc"}'],
    ["a config map's literal, a secret's literal from a variable", "kubectl create configmap cfg --from-literal=mode=debug\nkubectl create secret generic x --from-literal=token=$TOKEN"],
    ["an age recipient (a public key)", "# public key: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"],
    ["an image's digest beside a repository named api", "REPOSITORY  TAG  DIGEST  IMAGE ID\napi  latest  sha256:1d6b2195e5b651218af4d34e802045b14089d412435bff6c902f667c0e71c9a9  66b68d1fd82b"],
    ["a YAML alias and anchor, a comparison, a path under a key's name", 'password: *db_password\napi_token: *shared_token\nsecret: &sec shared\nif [ "$TOKEN" == "$X" ]; then\nSSL_KEY=/Users/JohnSmith/Projects/MyApp2/keys/server\nTOKEN=*.example.com'],
    ["environ lookup", 'key = os.environ["OPENAI_API_KEY"]'],
    ["destructuring", "const { token } = useAuth();"],
    ["comparison", 'if (token == "") return;'],
    ["shell working directory", "PWD=/home/user/project"],
    ["bypass is not pass", "bypass=true"],
    ["non-secret key name", "PRIMARY_KEY=id\nSORT_KEY=createdAt"],
    ["fetch option", 'fetch(url, { credentials: "include" })'],
    ["tokenizer special tokens", '{"eos_token": "</s>", "pad_token": "[PAD]"}'],
    ["ui text", '"forgot_password": "Forgot your password?"'],
    ["url without password", "https://user@example.org:8443/path?x=1"],
    ["url with port", "http://localhost:8080/api"],
    ["url with a reference", "postgres://app:${DB_PASSWORD}@db/app"],
    ["git sha", "commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"],
    ["git sha next to an aws key id", "AKIAIOSFODNN7EXAMPLE in 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"],
    ["css class with sk-", '<div class="sk-spinner-fading-circle-animation">'],
    ["words ending in -task", "run the long-running-task-scheduler-component"],
    ["bearer in prose", "The bearer of this letter; Bearer authentication is described in RFC 6750."],
    ["bearer reference", 'curl -H "Authorization: Bearer $OPENSYNC_KEY" https://x'],
    ["public key", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----"],
    ["certificate", "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----"],
    ["jwt-like prefix alone", "eyJ is how base64 of {\" starts"],
    ["base64 image data", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="],
    // hashes and ids
    ["git log", "a1b2c3d Fix the parser\n3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 (HEAD -> main) Merge branch 'token-refresh'"],
    ["commit hash in JSON", '{"sha": "3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39", "commit": {"message": "Rotate the API key handling"}}'],
    ["transcript ids", '{"uuid":"8c2f6d1e-4b3a-4f5e-9c8d-7a6b5c4d3e2f","parentUuid":"1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b","sessionId":"c0ffee01-0000-4000-8000-000000000001","requestId":"req_011CRnZ8mXyKpQ4vW7tLb9Ju"}'],
    ["request id header", "x-request-id: 3b8f2c1d-9e7a-4b6c-8d5e-1f2a3b4c5d6e"],
    ["npm integrity", '"integrity": "sha512-Kq1LRpXm3zWvB2nF8tY0cQ4jH6gD9aS5eU7iO1pL3kJ2hG4fD6sA8zX0cV2bN4mQ5wE7rT9yU1iO3pA5sD7fG9hJ=="'],
    ["image digest", "FROM node:20@sha256:9e1a3c5b7d9f2e4a6c8b0d1f3e5a7c9b2d4f6e8a0c1b3d5f7e9a2c4b6d8f0e1a3c"],
    ["thinking signature", '{"type":"thinking","thinking":"Let me look.","signature":"EqQBCkgIARABGAIiQLv8mN3kJ7hG5fD4sA2zX9cV1bN6mQ8wE0rT4yU7iO3pL5kJ"}'],
    // code that names secrets
    ["member with a token word", "const accessTokenExpiresAt = Date.now() + ttl;"],
    ["tokenizer", "const ids = tokenizer.encode(text, { add_special_tokens: false });"],
    ["password hash", "password_hash = bcrypt.hashpw(password, bcrypt.gensalt())"],
    ["header name constant", 'api_key_header = APIKeyHeader(name="X-API-Key")'],
    ["object keys", "for (const key of Object.keys(secrets)) delete secrets[key];"],
    ["auth object", "auth: { user: smtpUser, pass: process.env.SMTP_PASS },"],
    ["auth flag", '{"auth": true, "credentials": "include"}'],
    ["token type", '{"token_type": "Bearer", "expires_in": 3600}'],
    ["pgpass reference", "export PGPASSWORD=$(cat ~/.pgpass)"],
    ["actions secret", "password: ${{ secrets.DB_PASSWORD }}"],
    // command lines without a secret
    ["flag in prose", "Run it with --password to be prompted, or pass --token when scripting."],
    ["password from stdin", "echo $CR_PAT | docker login ghcr.io -u octocat --password-stdin"],
    ["ask-pass", "ansible-playbook --ask-pass site.yml"],
    ["mysql prompt", "mysql -u root -p shop"],
    ["key file flag", "ssh-keygen -y -f ~/.ssh/id_ed25519 && tool --private-key ./deploy.pem"],
    ["curl user agent", 'curl --user-agent "claude-code-sync/1.0" --url https://x'],
    ["docker ports", "docker run -p 8080:80 -e PORT=80 nginx"],
    // headers and .netrc in prose
    ["cookie in prose", "The Set-Cookie header and the Cookie: header carry the session."],
    ["netrc in prose", "Add a machine entry to your .netrc with your login and password."],
    ["url with a port and a handle", "http://localhost:3000/users/@me and https://example.com:8443/@scope/pkg"],
    ["ssh remote", "git@github.com:acme/widgets.git"],
    // calls and fallbacks without a secret
    ["fallbacks that are no secret", 'const port = process.env.PORT || "3000";\nconst secret = process.env.SESSION_SECRET || "";\nconst env = process.env.NODE_ENV ?? "development";'],
    ["a key file, another tool's -k, a variable set that names no secret", "openssl enc -aes-256-cbc -kfile key.txt -in f\nopenssl s_client -connect x:443 -k foo\nunzip -o x.zip\nsetx PATH \"%PATH%;C:\\bin\""],
    ["the shell's defaults that are no secret", "PORT=${PORT:-3000}\nDB_PASSWORD=${DB_PASSWORD:-changeme}\nJWT_SECRET=${JWT_SECRET:-${FALLBACK_SECRET}}\nconst u = `${user}:${password}`"],
    ["getters and documentation's literals", 'const t = getToken("refresh");\nform.password("Enter your password");\nconst hmac = createHmac("sha256", "a secret");\njwt.sign(payload, process.env.JWT_SECRET);'],
    ["an Algolia client given a variable, or a stand-in", "const c = algoliasearch('RPECRG883A', process.env.ALGOLIA_KEY);\nalgoliasearch('YourAppID', 'YourSearchOnlyAPIKey');"],
    ["a form filled with a name", "await page.fill('#username', 'admin');\nawait page.fill('#password', process.env.E2E_PASSWORD);"],
    ["login links and paths", "Add Login / Logout buttons; sign in with GitHub / Google; the login page is in src/app / routes."],
    ["commands without their secret", "curl -b cookies.txt -c cookies.txt https://x.example\nvault login -method=github\nzip -r out.zip dir\ncargo login\nhtpasswd -c .htpasswd admin\nif (a<-1) x <- y"],
    [
      "more commands without their secret",
      "ssh-keygen -t ed25519 -N '' -f key\nhttp -a $USER:$PASS example.org\nhttp GET example.org\nhydra -L users.txt -P words.txt ssh://h\ncqlsh 10.0.0.1 9042\naz deployment group create -g g -f main.bicep -p params.json\ncryptsetup luksFormat /dev/sdb1\nmc alias set local http://localhost:9000 $ACCESS $SECRET\nsudo -s <<< 'apt update'",
    ],
    ["a type, a path and a phrase after 'the password is'", 'the password is System.Int128\npassword is ~/.ssh/id_rsa\nthe password is "at least 8 chars"'],
    ["a sentence of long words quoted after 'the password is', and a token's words", 'the password is "never shown to anyone here"\nthe password is "stored encrypted with argon"\nthe token is "mosaic saddle mosaic velvet"'],
    ["a comparison, a listing, names ending in pat, words that start like a Discord token", "if PASSWORD==x then\nassert DB_PASSWORD==expected\ndotnet user-secrets list\nfile_path: src/app.ts\nuse_pat: true\nMtime.Atime.Ctime and ND.filter"],
    ["a variable required, a flag after a flag", "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?required}\nsshpass -p -f pass.txt ssh deploy@host\nmysql -u root -p -h db"],
    ["a template's stand-ins", "# .env.example\nDB_PASSWORD=\nSTRIPE_SECRET_KEY=sk_test_replace_me\nAPI_KEY=replace-with-your-key"],
    ["a sentence about setting one", "Failed to set PSK identity hint. Hint may be too long."],
    ["a password's label in another script, with no password", "şifreleme1 algoritması AES256\nhasło musi mieć 8 znaków\nпароль хранится в SHA256\nпароль от базы лежит в vault\nпароль для входа: смотри в 1Password\n密码长度至少8位\nパスワードを入力してください\n비밀번호를 입력하세요"],
    ["a URL's key that is a path, a cache key or a word", "https://s3/x?key=images/2024/photo_1234.jpg\nhttps://cache.example.com/get?key=user:1234:profile&appid=demo\nhttps://x.com/?key=value&sort=asc"],
    ["a secret's name, not its value", 'aws secretsmanager get-secret-value --secret-id prod/db\n"SecretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"'],
    ["the shell's substrings and a default that is no secret, a field's empty value", 'server.port=${PORT:8080}\n<input type="password" value="">\nnew PDO($dsn, $user, $pass)\necho ${PASSWORD:0:4} ${TOKEN:(-4)}'],
    ["a script answering a prompt with a variable", 'expect "Password:"\nsend "$password\\r"'],
    ["a stored secret's name", "gcloud secrets versions access latest --secret=db-password --project=acme"],
    ["a variable told to be a reference", "`API_KEY` is `process.env.API_KEY` and `token` is `string`."],
  ];
  for (const [why, text] of negatives) {
    test(why, () => expect(redact(text)).toEqual({ text, count: 0 }));
  }
});

describe("a text that is one random-looking word", () => {
  // Drawn here, not in the source as literals: 32 and 44 characters of base62 and base64.
  const key = ["Zq8", "Lm2vX9", "kR4tWb7", "NcP1yHd6", "Fs3gJa0", "eUo"].join("");
  const b64 = ["QWJZeF", "hxUkdMQjlsW", "GJQRXdvQ0U4dE8", "yQXZJRkJDdlE="].join("");
  const redacted: [why: string, text: string, output: string][] = [
    ["a key pasted alone", key, "[REDACTED:secret]"],
    ["a key printed by echo, with its newline", `${key}\n`, "[REDACTED:secret]\n"],
    ["openssl rand -base64 32", `  ${b64}\n`, "  [REDACTED:secret]\n"],
    ["14 characters", "e5n2FpsV8uLxWg", "[REDACTED:secret]"],
    ["a password with symbols, printed alone (op read, heroku config:get)", "yXFZu#eqNt!adaMiJ\n", "[REDACTED:secret]\n"],
    ["terraform output of a string, with its quotes", '"2Pycb#UF6r!rwa9fZ"\n', '"[REDACTED:secret]"\n'],
    ["Django's get_random_secret_key()", "v#^kjgm=rhwa93a%4)wp1", "[REDACTED:secret]"],
    ["a password encoded alone (kubectl get secret … {.data.password})", "WGs5cFEydkwjN2FiYw==", "[REDACTED:secret]"],
  ];
  test("a password hash printed alone", () => {
    expect(redact("$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$Xk9pQ2vLZz8kq1wmOSL34vNy\n")).toEqual({ text: "[REDACTED:password-hash]\n", count: 1 });
  });
  for (const [why, text, output] of redacted) test(why, () => expect(redact(text)).toEqual({ text: output, count: 1 }));

  test("a tool's output standing alone goes, its call's id stays", () => {
    const result = { result: `${key}\n`, toolCallId: "toolu_01UKUYUoGo1FbntrdNdSMa8K", isError: false };
    expect(redactValue(result)).toEqual({ value: { ...result, result: "[REDACTED:secret]\n" }, count: 1 });
  });

  const kept: [why: string, text: string][] = [
    ["the same key in a sentence (other rules judge it there)", `I rotated ${key} yesterday`],
    ["a typed id", "toolu_01UKUYUoGo1FbntrdNdSMa8K"],
    ["a commit hash", "bf502790cbf5654e63656c700fb726a59441fe4c"],
    ["a UUID", "9F1C2A4E-7B3D-4E8A-9C6B-2D5F8E1A3B7C"],
    ["a path", "/Users/Me/src/Proj2Web"],
    ["a model name", "claude-sonnet-4-5-20250929"],
    ["short", "Ab3dEf7h"],
    ["a stand-in", "YOUR_API_KEY_HERE_123"],
    ["a branch", "feature/AUTH-1234-add-OAuth2-login"],
    ["names made of words", "UserAuthenticationService2"],
    ["a test's name", "TestHandleOAuth2Callback"],
    ["words and a mark", "Build-Succeeded!"],
    ["an assignment alone", "NODE_ENV=production"],
    ["a call", "foo(bar)=baz1"],
    ["base64 of words", "SGVsbG8sIFdvcmxkIQ=="],
    ["base64 of a JSON object", "eyJuYW1lIjoiQWxpY2UiLCJyb2xlIjoiYWRtaW4ifQ=="],
    ["a checksummed Ethereum address", "0x742d35Cc6634C0532925a3b844Bc454e4438f44e"],
    ["a GitHub advisory", "GHSA-9wx4-h78v-vm56"],
  ];
  for (const [why, text] of kept) test(why, () => expect(redact(text)).toEqual({ text, count: 0 }));
});

describe("a secret on the line below the command that printed it", () => {
  const key = ["Qm7", "tY2wK9", "pLx4Rb8", "Vn3cJd6", "Hs1gFa5", "zEu"].join("");
  const printed: [command: string][] = [
    ["$ echo $OPENAI_API_KEY"],
    ['echo "${STRIPE_SECRET_KEY}"'],
    ["printenv GITHUB_TOKEN"],
    ["$ cat ~/.config/app/token"],
    ['$ op read "op://Private/DB/password"'],
    ["$ pass show work/db"],
    ["$ gcloud secrets versions access latest --secret=db-password"],
    ["$ aws ssm get-parameter --name /prod/api-key --with-decryption --query Parameter.Value --output text"],
    ["$ terraform output -raw db_password"],
    ['$ kubectl get secret db -o jsonpath="{.data.password}" | base64 -d'],
    ["$ vault kv get -field=password secret/db"],
    ["$ openssl rand -base64 24"],
    ["$ gh auth token"],
  ];
  for (const [command] of printed) {
    test(command, () => expect(redact(`${command}\n${key}\n$ ls`).text).toBe(`${command}\n[REDACTED:secret]\n$ ls`));
  }

  const kept: [why: string, text: string][] = [
    ["a variable that is no secret", "$ echo $NODE_ENV_NAME\nproduction12"],
    ["a file that is no secret", "$ cat README.md\nReadme2Title"],
    ["a public key", "$ cat ~/.ssh/deploy_key.pub\nAAAAC3NzaC1lZDI1NTE5AAAAI"],
    ["a word holding the command's name", "concatenate the files\nReadme2Title"],
    ["output of more than one word", "$ echo $API_TOKEN\nnot set, run login first"],
    ["a path", "$ cat ~/.config/app/token-path\n/var/lib/app/token"],
  ];
  for (const [why, text] of kept) test(why, () => expect(redact(text)).toEqual({ text, count: 0 }));
});

describe("a command's output in its own message (a tool's result), the command in the call", () => {
  const { redactOutput } = createRedactor();
  const hex = "4faae79feaf81d7ae8422f35b49755773de098f69548e3b58c7ef1bada814960";
  // As `aws ecr get-login-password` prints it: base64 of a JSON payload, 2-3 KB (no more than 512 characters were taken).
  const ecrPassword = Buffer.from(JSON.stringify({ payload: "Zq7vW2pL9xQ3+k/".repeat(100), datakey: "AQIDAHh4Kp2mQ7vL3x9Y".repeat(20) })).toString("base64");
  const calls: [command: string, prints: ReturnType<typeof commandPrints>][] = [
    ["openssl rand -hex 32", "any"],
    ['python3 -c "import secrets; print(secrets.token_hex(32))"', "key"],
    ["head -c 32 /dev/urandom | xxd -p -c 64", "key"],
    ["echo $DATABASE_PASSWORD", "any"],
    ["op read op://Private/DB/password", "first-line"],
    ["infisical secrets get DB_PASS --plain --silent", "first-line"],
    ["cat .env.staging", "env"],
    ["head -n 20 .env", "env"],
    ["cat src/env.ts", undefined],
    ["aws secretsmanager get-secret-value --secret-id prod/db --query SecretString --output text", "first-line"],
    ["aws ecr get-login-password --region us-east-1", "any"],
    ["az keyvault secret show --vault-name kv --name db --query value -o tsv", "first-line"],
    ["security find-internet-password -s github.com -w", "first-line"],
    ["op item get Stripe --fields credential --reveal", "first-line"],
    ["bw get password github", "first-line"],
    ["lpass show --password github", "any"],
    ["kubectl get secret db -o jsonpath='{.data.password}'", "any"],
    ["aws configure get aws_secret_access_key", "any"],
    ["heroku config:get SECRET_KEY_BASE -a shop", "any"],
    ["argocd admin initial-password -n argocd", "any"],
    // A secret-named value cut out of a file at its `=` (found by a blind sweep).
    ["grep -oP '^API_SECRET=\\K.*' .env", "values"],
    ["grep STRIPE_TOKEN .env | cut -d= -f2", "values"],
    ["sed -n 's/^DB_PASSWORD=//p' .env", "values"],
    ["awk -F= '/API_KEY/ {print $2}' .env", "values"],
    // A value under another name cut out of an environment file: an opaque token's shape only, as that file's values are read.
    ["grep -oP '^VERSION=\\K.*' .env", "env-values"],
    ["grep -r token src/ | cut -d: -f1", undefined],
    // An environment file's lines, read as the file's (an opaque token under any name).
    ["grep API_KEY .env", "env-search"],
    ["aws configure get region", undefined],
    ["heroku config:get NODE_ENV", undefined],
    ["kubectl get pods -o jsonpath='{.items[*].metadata.name}'", undefined],
    // A whole environment printed, as an environment file (found by the red team).
    ["env", "env"],
    ["printenv | sort", "env"],
    ["cd app && env | grep KEY", "env"],
    ["docker exec app env", "env"],
    ["kubectl exec -it pod -- env", "env"],
    // A platform's or a remote host's environment, the wrapper's flags after it.
    ["heroku run printenv -a shop", "env"],
    ["fly ssh console -C printenv", "env"],
    ["flyctl ssh console --command='env' --app api", "env"],
    ["ssh deploy@prod 'printenv'", "env"],
    ["npm run env", "env"],
    ["heroku run bash -a shop", undefined],
    ["conda run -n env python train.py", undefined],
    ["docker run -e MODE=env app", undefined],
    ["export -p", "env"],
    ["doppler secrets download --no-file --format env", "env"],
    ["env FOO=1 node app.js", undefined],
    // After a command that runs the one after it (command-wrappers.ts), as alone.
    ["time env", "env"],
    ["time -p printenv | sort", "env"],
    ["nice -n 10 env", "env"],
    ["nohup env", "env"],
    ["command env", "env"],
    ["exec env", "env"],
    ["sudo -E env", "env"],
    ["sudo -u deploy printenv", "env"],
    ["env -i FOO=1 env", "env"],
    ["DEBUG=1 env", "env"],
    ["cd app && time sudo -E env", "env"],
    ["env -u HOME", "env"],
    ["env DEBUG=1 | sort", "env"],
    ["command -v env", undefined],
    ["time make build", undefined],
    ["sudo -E node app.js", undefined],
    // A search after a wrapper, as after a step's start (search-output.ts).
    ["sudo -E grep STRIPE .env", "env-search"],
    ["nice -n 10 grep -rn KEY .", "search"],
    ["DEBUG=1 rg OPENAI", "search"],
    ["nohup grep -c KEY .env", undefined],
    ["printenv HOME", undefined],
    ["python -m venv env", undefined],
    ["conda env list", undefined],
    ["ls -la", undefined],
    ["git rev-parse HEAD", undefined],
    ["echo $NODE_ENV", undefined],
    ["cat README.md", undefined],
  ];
  for (const [command, prints] of calls) test(`${command}: ${prints ?? "no secret"}`, () => expect(commandPrints(command)).toBe(prints));

  const files: [path: string, prints: ReturnType<typeof filePrints>][] = [
    ["/home/dev/.config/app/token", "any"],
    ["/srv/db_password.txt", "any"],
    ["C:\\Users\\dev\\api.key", "any"],
    ["/src/tokenizer.ts", undefined],
    ["/docs/secrets.md", undefined],
    ["/home/dev/.ssh/deploy.key.pub", undefined],
    ["/app/package.json", undefined],
    ["/home/dev/.vault-pass", "any"],
    ["/srv/compass.txt", undefined],
    ["/app/.env", "env"],
    ["/app/.env.production", "env"],
    ["/app/staging.env", "env"],
    ["/app/.envrc", "env"],
    ["/app/src/env.ts", undefined],
    ["/app/.environment/notes.md", undefined],
  ];
  for (const [path, prints] of files) test(`Read ${path}: ${prints ?? "no secret"}`, () => expect(filePrints(path)).toBe(prints));

  const cases: [why: string, output: string, prints: "any" | "key", redacted: string][] = [
    ["64 hex digits alone, which alone could be a hash", `${hex}\n`, "key", "[REDACTED:secret]\n"],
    ["one key per line", `${hex.slice(0, 32)}\n${hex.slice(32)}`, "key", "[REDACTED:secret]\n[REDACTED:secret]"],
    ["a weak password a stored secret's command printed", "tr0ub4dor3x", "any", "[REDACTED:secret]"],
    ["a file read with its line numbers", `     1\u2192${hex}\n`, "any", "     1\u2192[REDACTED:secret]\n"],
    ["keys among lines of words", `Made two:\n${hex}\ndone`, "any", "Made two:\n[REDACTED:secret]\ndone"],
    [
      "Argo CD's first admin password, above its advice",
      "Xy7AbCdEfGh12345\n\n This password must be only used for first time login. We strongly recommend you update the password using `argocd account update-password`.\n",
      "any",
      "[REDACTED:secret]\n\n This password must be only used for first time login. We strongly recommend you update the password using `argocd account update-password`.\n",
    ],
  ];
  for (const [why, output, prints, redacted] of cases) {
    test(why, () => {
      expect(redactOutput(output, prints).text).toBe(redacted);
      // Without the command, as any other text: the hex and the weak password stay.
      expect(redact(output).text).toBe(output);
    });
  }
  // Base64 of JSON whose "datakey" gitleaks' generic rule reads as a key: an encoded secret, without its command too (encoded-text.ts).
  test("an ECR login password of a few KB, alone, with its command and without", () => {
    expect(redactOutput(`${ecrPassword}\n`, "any").text).toBe("[REDACTED:secret]\n");
    expect(redact(`${ecrPassword}\n`).text).toBe("[REDACTED:secret]\n");
  });

  const kept: [why: string, output: string, prints: "any" | "key"][] = [
    ["lines of words", "wrote .env\nrestart the server to use it", "key"],
    ["a short word", "written", "key"],
    ["a variable not set", "(no output)", "any"],
    ["a path", "/run/secrets/db_password", "any"],
    ["a stand-in", "your-api-key-here", "any"],
    ["lines of words read with their numbers", "     1\u2192line one\n     2\u2192line two", "any"],
  ];
  for (const [why, output, prints] of kept) test(`kept: ${why}`, () => expect(redactOutput(output, prints)).toEqual({ text: output, count: 0 }));

  test("an environment file read from an offset: a value's continuation alone on its line goes (found by an end-to-end sweep)", () => {
    const continuation = "Fzvh1BCqwYr8ubknFVOfA4o6BaskEZRu9qyhC6UL";
    expect(redactOutput(`    12\u2192  ${continuation}\n    13\u2192"`, "env").text).toBe(`    12\u2192  [REDACTED:secret]\n    13\u2192"`);
    // Without the file's name, a word alone among lines stays.
    expect(redact(`    12\u2192  ${continuation}\n    13\u2192"`).count).toBe(0);
  });

  test("an environment file's unquoted value with a space, under a secret's name, goes to the line's end or its comment (found by an end-to-end sweep)", () => {
    const env = "SMTP_PASSWORD=abcde 33FQnd9gJi\nexport API_TOKEN=tok en # rotated monthly\nGREETING=hello world\nPASSWORD=\n";
    expect(redactOutput(env, "env").text).toBe("SMTP_PASSWORD=[REDACTED:secret]\nexport API_TOKEN=[REDACTED:secret] # rotated monthly\nGREETING=hello world\nPASSWORD=\n");
  });

  test("an environment file's opaque token goes whatever its variable's name (found by a red-team sweep)", () => {
    const env = [
      "     1\u2192PORT=3000",
      "     2\u2192STRIPE=MOpdyz1JJo2ejBCKVSVB98f2sfzZ7u",
      '     3\u2192OPENAI="qg17nviz6Aa24jmRUo1ZcjBQiIFChXXQYErnAp9Md" # prod',
      "     4\u2192export MAILER=gCdmCziJaslc4B0mUYi3b0Lf",
    ].join("\n");
    expect(redactOutput(env, "env").text).toBe(
      ["     1\u2192PORT=3000", "     2\u2192STRIPE=[REDACTED:secret]", '     3\u2192OPENAI="[REDACTED:secret]" # prod', "     4\u2192export MAILER=[REDACTED:secret]"].join("\n"),
    );
    expect(redactOutput("     2\tSTRIPE=MOpdyz1JJo2ejBCKVSVB98f2sfzZ7u\n", "env").text).toBe("     2\tSTRIPE=[REDACTED:secret]\n");
  });

  test("kept: an environment file's ids, hashes, public values and names in words", () => {
    const env = [
      "SENTRY_RELEASE=4e63f917be53f89325ac6f5486a0bc401305f4e4",
      "TENANT=a2788089-017c-4370-88dc-b67143695dc4",
      "FEATURE_FLAGS=enableNewCheckoutFlowV2",
      "APP_NAME=AcmeCheckoutService2024",
      "BUILD_ID=20261205T101112Z",
      "IMAGE=ghcr.io/acme/api:v1.2.3",
      "NEXT_PUBLIC_MAP_STYLE=Xk9mQ2pLz7Rt5vW8yB3nC6",
      "GOOGLE_ANALYTICS_ID=Xk9mQ2pLz7Rt5vW8yB3nC6",
    ].join("\n");
    expect(redactOutput(env, "env")).toEqual({ text: env, count: 0 });
  });

  test("kept: an environment file's settings, names and a certificate's lines", () => {
    const env = [
      "     1\u2192NODE_ENV=production",
      "     2\u2192DATABASE_POOL_SIZE=10",
      "     3\u2192FEATURE_FLAGS=newCheckoutFlow2024",
      "     4\u2192UserAuthenticationService2",
      "     5\u2192MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ",
      "     6\u2192RTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD",
    ].join("\n");
    expect(redactOutput(env, "env")).toEqual({ text: env, count: 0 });
  });
});

describe("a secret store's record, as an MCP tool that reads one shows it (found by a blind sweep)", () => {
  const { redactOutput } = createRedactor();
  const tools: [name: string, input: unknown, prints: ReturnType<typeof toolPrints>][] = [
    ["mcp__vault__read", { path: "secret/data/stripe" }, "any"],
    ["mcp__hashicorp-vault__get_secret", {}, "any"],
    ["mcp__1password__get_item", { item: "Stripe" }, "any"],
    ["mcp__onePassword__itemGet", {}, "any"],
    ["mcp__aws__secretsmanager_get_secret_value", { SecretId: "prod/db" }, "any"],
    ["mcp__doppler__get_secret", {}, "any"],
    ["mcp__infisical__get-secret", {}, "any"],
    ["mcp__bitwarden__get_item", {}, "any"],
    ["mcp__aws__ssm_get_parameter", { Name: "/prod/db/password", WithDecryption: true }, "any"],
    ["mcp__aws__ssm_get_parameter", { Name: "/prod/region" }, undefined],
    ["mcp__obsidian__read_vault_file", { path: "notes/today.md" }, undefined],
    ["mcp__github__get_file_contents", {}, undefined],
    ["Read", { file_path: "/app/vault.ts" }, undefined],
    ["secret_reader", {}, undefined],
  ];
  for (const [name, input, prints] of tools) test(`${name} ${JSON.stringify(input)}: ${prints ?? "no secret"}`, () => expect(toolPrints(name, input)).toBe(prints));

  const cases: [why: string, output: string, redacted: string][] = [
    [
      "a name and its value, a weak one too, with its version, date and path kept",
      '{"name":"stripe","value":"hunter","version":3,"created_at":"2024-05-01T10:00:00Z","path":"secret/data/stripe"}',
      '{"name":"stripe","value":"[REDACTED:secret]","version":3,"created_at":"2024-05-01T10:00:00Z","path":"secret/data/stripe"}',
    ],
    [
      "Vault's data under any field names, its metadata kept",
      '{\n  "request_id": "29ccd257-68b1-427f-ae5f-6524b7cb6f20",\n  "data": {\n    "data": {"stripe": "q8Zr", "user": "admin"},\n    "metadata": {"created_time": "2024-05-01T10:00:00Z", "version": 3}\n  }\n}',
      '{\n  "request_id": "29ccd257-68b1-427f-ae5f-6524b7cb6f20",\n  "data": {\n    "data": {"stripe": "[REDACTED:secret]", "user": "[REDACTED:secret]"},\n    "metadata": {"created_time": "2024-05-01T10:00:00Z", "version": 3}\n  }\n}',
    ],
    [
      "1Password's fields, their labels and purposes kept",
      '{"title":"Safe","fields":[{"id":"notesPlain","type":"STRING","purpose":"NOTES","label":"notesPlain","value":"door code 4821"},{"id":"recovery","type":"STRING","label":"recovery","value":"letmein"}]}',
      '{"title":"Safe","fields":[{"id":"notesPlain","type":"STRING","purpose":"NOTES","label":"notesPlain","value":"[REDACTED:secret]"},{"id":"recovery","type":"STRING","label":"recovery","value":"[REDACTED:secret]"}]}',
    ],
    [
      "AWS Secrets Manager's SecretString, its ARN, VersionId and stages kept",
      '{"ARN":"arn:aws:secretsmanager:us-east-1:1:secret:prod/db","SecretString":"{\\"password\\":\\"pw\\"}","VersionId":"29ccd257-68b1-427f-ae5f-6524b7cb6f20","VersionStages":["AWSCURRENT"]}',
      '{"ARN":"arn:aws:secretsmanager:us-east-1:1:secret:prod/db","SecretString":"[REDACTED:secret]","VersionId":"29ccd257-68b1-427f-ae5f-6524b7cb6f20","VersionStages":["AWSCURRENT"]}',
    ],
    ["Doppler's raw and computed value", '{"name":"STRIPE","value":{"raw":"abc","computed":"abc","note":""}}', '{"name":"STRIPE","value":{"raw":"[REDACTED:secret]","computed":"[REDACTED:secret]","note":""}}'],
    ["SSM's parameter", '{"Parameter":{"Name":"/prod/db/pw","Type":"SecureString","Value":"pw","Version":4}}', '{"Parameter":{"Name":"/prod/db/pw","Type":"SecureString","Value":"[REDACTED:secret]","Version":4}}'],
    ["a value stored as a number (a PIN), after a line of text; a ttl kept", 'Secret retrieved:\n{"value": 4821, "ttl": 3600}', 'Secret retrieved:\n{"value": [REDACTED:secret], "ttl": 3600}'],
    ["labelled lines", "Name: stripe\nSecret value: hunter \nVersion: 3", "Name: stripe\nSecret value: [REDACTED:secret] \nVersion: 3"],
  ];
  for (const [why, output, redacted] of cases) {
    test(why, () => {
      expect(redactOutput(output, "any").text).toBe(redacted);
      // As any other text, the weak values stay: only the tool says they are secrets.
      expect(redact(output).text).not.toBe(redacted);
    });
  }

  const kept: [why: string, output: string][] = [
    ["a list of secrets' names", '{"secrets":[{"name":"stripe","version":2},{"name":"db","created_at":"2024-05-01"}]}'],
    ["a message", "Secret written to secret/data/stripe (version 3)"],
    ["empty values and booleans", '{"value":"","data":{"enabled":true,"deleted":null}}'],
  ];
  for (const [why, output] of kept) test(`kept: ${why}`, () => expect(redactOutput(output, "any")).toEqual({ text: output, count: 0 }));
});

describe("the answer to a question Claude asked for a secret with AskUserQuestion (found by a blind sweep)", () => {
  const answered = (answers: string) => `User has answered your questions: ${answers}. You can now continue with the user's answers in mind.`;
  const cases: [why: string, answers: string, redacted: string][] = [
    ["a password, the next answer kept", '"What is the staging DB password?"="Tr0ub4dor&3x", "Which region?"="eu-west-1"', '"What is the staging DB password?"="[REDACTED:secret]", "Which region?"="eu-west-1"'],
    ["a weak key, after another answer, a comma in the question", '"Which region?"="eu-west-1", "Paste the API key for Stripe, please"="letmein"', '"Which region?"="eu-west-1", "Paste the API key for Stripe, please"="[REDACTED:secret]"'],
    ["a PIN", '"What PIN should the kiosk use?"="4821"', '"What PIN should the kiosk use?"="[REDACTED:secret]"'],
    ["a diceware passphrase", '"Passphrase for the backup key?"="mosaic saddle mosaic velvet"', '"Passphrase for the backup key?"="[REDACTED:secret]"'],
  ];
  for (const [why, answers, redacted] of cases) test(why, () => expect(redact(answered(answers)).text).toBe(answered(redacted)));

  const kept: [why: string, answers: string][] = [
    ["a question about a token, not for one", '"Which token format should we use?"="JWT"'],
    ["where a password is kept", '"Where should I keep the password?"="1Password"'],
    ["an answer of words", '"Password for admin, please"="I will set it myself"'],
    ["a stand-in", '"What is the password?"="none"'],
    ["questions that ask for no secret", '"Which region?"="eu-west-1", "Database name?"="shop_prod2"'],
  ];
  for (const [why, answers] of kept) test(`kept: ${why}`, () => expect(redact(answered(answers))).toEqual({ text: answered(answers), count: 0 }));
});

describe("a secret a rule found, shown again later in the session without what marked it", () => {
  const password = "Zq7-vW2#pL9x";
  test("goes where it shows again, in any text or value of the session; not in another session's", () => {
    const seen = new SeenSecrets();
    expect(redact(`export DB_PASSWORD='${password}'`, seen).text).toBe("export DB_PASSWORD='[REDACTED:secret]'");
    expect(redact(`Saved ${password} twice: ${password}.`, seen)).toEqual({ text: "Saved [REDACTED:secret] twice: [REDACTED:secret].", count: 2 });
    expect(redactValue({ file_path: "/srv/db.txt", content: password }, seen).value).toEqual({ file_path: "/srv/db.txt", content: "[REDACTED:secret]" });
    expect(redact(`Saved ${password}.`, new SeenSecrets()).text).toBe(`Saved ${password}.`);
    expect(redact(`Saved ${password}.`).text).toBe(`Saved ${password}.`);
  });

  test("a word of letters its own name holds goes where it is assigned, not where the session uses the word (POSTGRES_PASSWORD: postgres)", () => {
    const seen = new SeenSecrets();
    const compose = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: postgres\n      POSTGRES_PASSWORD: postgres\n";
    expect(redact(compose, seen).text).toBe(compose.replace("PASSWORD: postgres", "PASSWORD: [REDACTED:secret]"));
    expect(redact("DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app", seen).text).toBe("DATABASE_URL=postgresql://postgres:[REDACTED:password]@localhost:5432/app");
    redactValue({ env: { RABBITMQ_DEFAULT_PASS: "rabbitmq" } }, seen);
    expect(redact("psql -U postgres -d postgres; image: rabbitmq:4-management", seen)).toEqual({ text: "psql -U postgres -d postgres; image: rabbitmq:4-management", count: 0 });
    // A word its line does not name is remembered as any secret is.
    redact("DB_PASSWORD=sunflowerriver", seen);
    expect(redact("I set it to sunflowerriver", seen).text).toBe("I set it to [REDACTED:secret]");
  });

  test("a secret-named key's value and an edit's new secret are seen too", () => {
    const seen = new SeenSecrets();
    redactValue({ name: "x", api_key: "Kp4-rT8#wQ2z" }, seen);
    redactValue({ old_string: "token: old", new_string: `token: "${password}"` }, seen);
    expect(redact("Kp4-rT8#wQ2z and Zq7-vW2#pL9x", seen).text).toBe("[REDACTED:secret] and [REDACTED:secret]");
  });

  test("what a read has learned is counted, and replaced in a value built before", () => {
    const seen = new SeenSecrets();
    const before = { textContent: `Saved ${password}.`, parts: [{ type: "tool-call", content: { args: { content: `staging ${password}` } } }], promptTokens: 3 };
    expect(seen.learned).toBe(0);
    redact(`DB_PASSWORD=${password}`, seen);
    redact(`DB_PASSWORD=${password} again`, seen);
    expect(seen.learned).toBe(1);
    expect(seen.redactValue(before)).toEqual({
      value: { textContent: "Saved [REDACTED:secret].", parts: [{ type: "tool-call", content: { args: { content: "staging [REDACTED:secret]" } } }], promptTokens: 3 },
      count: 2,
    });
  });

  test("a value holding another goes whole", () => {
    const seen = new SeenSecrets();
    seen.note("abcd1234");
    seen.note("abcd1234efgh5678");
    expect(seen.redact("abcd1234efgh5678 abcd1234").text).toBe("[REDACTED:secret] [REDACTED:secret]");
  });

  test("a later read knows them by their digests, as whole words, and is told no value", () => {
    const first = new SeenSecrets();
    redact(`DB_PASSWORD=${password}`, first);
    redact("API_TOKEN=Welcome2024!x", first);
    const carried = first.carried();
    expect(JSON.stringify(carried).includes(password)).toBe(false);
    const later = new SeenSecrets(carried);
    expect(redact(`I used "${password}". Then ${password}, and Welcome2024!x!`, later)).toEqual({
      text: 'I used "[REDACTED:secret]". Then [REDACTED:secret], and [REDACTED:secret]!',
      count: 3,
    });
    // Inside a longer word it is another word.
    expect(redact(`see x${password} here`, later).count).toBe(0);
    // After a name in the same word, as the read that saw it replaces it there (a log's `Key:<secret>`): the name stays.
    expect(redact(`deleted: &{ID:6 Key:${password} Size:7} KEY=Welcome2024!x.`, later)).toEqual({
      text: "deleted: &{ID:6 Key:[REDACTED:secret] Size:7} KEY=[REDACTED:secret].",
      count: 2,
    });
    // The digests are salted per session: another session's carry-over knows nothing of these.
    expect(new SeenSecrets({ salt: "other", digests: carried?.digests ?? [] }).redact(password).count).toBe(0);
    expect(new SeenSecrets().carried()).toBeUndefined();
  });

  test("a later read knows them between a URL's or a path's parts, as the read that saw them does (each hook's sync is a later read)", () => {
    const first = new SeenSecrets();
    redact(`DB_PASSWORD=${password}`, first);
    const later = new SeenSecrets(first.carried());
    const shown = [
      `curl https://hooks.example.com/services/${password}`,
      `git clone https://${password}@git.example.com/shop.git`,
      `curl "https://api.example.com/v1/items?key=${password}&page=2".`,
      `aws s3 cp s3://backups/${password}/db.sql .`,
    ];
    for (const text of shown) expect(redact(text, later)).toEqual({ text: text.replace(password, "[REDACTED:secret]"), count: 1 });
    // Inside a longer part it is another word still.
    expect(redact(`see https://example.com/x${password}/y`, later).count).toBe(0);
  });

  test("a later read knows one that holds a separator itself at a path's end (a replay synced line by line sent vertex_ai/<it> bare)", () => {
    const first = new SeenSecrets();
    const value = "Zq8w-Lm3x@20251101";
    redact(`DB_PASSWORD=${value}`, first);
    const later = new SeenSecrets(first.carried());
    for (const text of [`vertex_ai/${value}`, `see https://vault.example.com/keys/${value}.`, `s3://b/x/${value}`])
      expect(redact(text, later)).toEqual({ text: text.replace(value, "[REDACTED:secret]"), count: 1 });
    expect(redact(`vertex_ai/${value}x`, later).count).toBe(0);
  });

  const unseen: [why: string, value: string][] = [
    ["short", "ab12cd"],
    ["with spaces", "correct horse battery"],
    ["a stand-in", "your-api-key-here"],
    ["a marker", "[REDACTED:secret]"],
    ["a reference", "${DB_PASSWORD}"],
  ];
  for (const [why, value] of unseen) {
    test(`not remembered: ${why}`, () => {
      const seen = new SeenSecrets();
      seen.note(value);
      expect(seen.redact(`see ${value}`).count).toBe(0);
    });
  }
});

describe("secrets in tables", () => {
  const azureKey = "aB3dEfGh1jKlMn0pQrStUvWxYz+/aB3dEfGh1jKlMn0pQrStUvWxYz+/aB3dEfGh1jKlMn0pQrStUvWxYz12==";
  const cases: [why: string, input: string, output: string][] = [
    [
      "a column headed Password",
      "Seeded accounts:\n\n| Email | Password | Role |\n|---|---|---|\n| admin@example.com | `Adm1n!2024` | admin |\n| user@example.com | Us3r#pass | user |\n\nLog in with either.",
      "Seeded accounts:\n\n| Email | Password | Role |\n|---|---|---|\n| admin@example.com | `[REDACTED:secret]` | admin |\n| user@example.com | [REDACTED:secret] | user |\n\nLog in with either.",
    ],
    ["a row naming its secret", "| DB_HOST | db.internal |\n| DB_PASSWORD | Xk9mQ2pLz7 |", "| DB_HOST | db.internal |\n| DB_PASSWORD | [REDACTED:secret] |"],
    ["a box-drawn row", "│ API_KEY │ Zq8Lm2vX9kR4tWb7 │", "│ API_KEY │ [REDACTED:secret] │"],
    ["a bold label", "| **API Key** | `Zq8Lm2vX9kR4tWb7` |", "| **API Key** | `[REDACTED:secret]` |"],
    [
      "az storage account keys list -o table: the Value beside each KeyName (found by a blind sweep)",
      `CreationTime                      KeyName    Permissions    Value\n--------------------------------  ---------  -------------  ${"-".repeat(88)}\n2024-01-15T10:22:31.123456+00:00  key1       FULL           ${azureKey}\n2024-01-15T10:22:31.123456+00:00  key2       FULL           ${azureKey.replace("aB3", "Zq9")}\n\nDone.`,
      `CreationTime                      KeyName    Permissions    Value\n--------------------------------  ---------  -------------  ${"-".repeat(88)}\n2024-01-15T10:22:31.123456+00:00  key1       FULL           [REDACTED:secret]\n2024-01-15T10:22:31.123456+00:00  key2       FULL           [REDACTED:secret]\n\nDone.`,
    ],
    [
      "an aligned table's column headed Password, a value longer than its rule (found by a blind sweep)",
      "AppId                                 Password    Tenant\n------------------------------------  ----------  ------------------------------------\n29ccd257-68b1-427f-ae5f-6524b7cb6f20  Qx8~abcDEF123.ghiJKL456  29ccd257-68b1-427f-ae5f-6524b7cb6f21",
      "AppId                                 Password    Tenant\n------------------------------------  ----------  ------------------------------------\n29ccd257-68b1-427f-ae5f-6524b7cb6f20  [REDACTED:secret]  29ccd257-68b1-427f-ae5f-6524b7cb6f21",
    ],
  ];
  for (const [why, input, output] of cases) test(why, () => expect(redact(input).text).toBe(output));

  const kept: [why: string, text: string][] = [
    ["options documented", "| Option | Description |\n|---|---|\n| `--password` | The password to use |\n| token | string |"],
    ["a column of stand-ins and words", "| Name | Token |\n|---|---|\n| GitHub | `$GITHUB_TOKEN` |\n| npm | (none) |"],
    ["an aligned table's values of words beside a KeyName", "Name        KeyName    Value\n----------  ---------  -------\nsettings    key1       enabled"],
    ["an aligned table naming no secret, its ids", "Name       SubscriptionId                        Key1\n---------  ------------------------------------  ----\nprod       29ccd257-68b1-427f-ae5f-6524b7cb6f20  on"],
    ["an aligned table's Password column empty, the ids beside it", "AppId                                 Password    Tenant\n------------------------------------  ----------  ------------------------------------\n29ccd257-68b1-427f-ae5f-6524b7cb6f20              29ccd257-68b1-427f-ae5f-6524b7cb6f21"],
  ];
  for (const [why, text] of kept) test(why, () => expect(redact(text)).toEqual({ text, count: 0 }));
});

describe("the values of a Kubernetes Secret, whatever their names", () => {
  const url = Buffer.from("postgres://app:Xk9mQ2pLz7@db:5432/app").toString("base64");
  const docker = Buffer.from('{"auths":{"ghcr.io":{"auth":"bWU6WGs5bVEycEx6Nw=="}}}').toString("base64");
  test("YAML, with the next document left alone", () => {
    const input = `apiVersion: v1\ndata:\n  DATABASE_URL: ${url}\n  .dockerconfigjson: "${docker}"\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: debug5`;
    expect(redact(input).text).toBe(
      'apiVersion: v1\ndata:\n  DATABASE_URL: [REDACTED:secret]\n  .dockerconfigjson: "[REDACTED:secret]"\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: debug5',
    );
  });
  test("stringData with a block scalar, a template reference kept", () => {
    const input = 'kind: Secret\nstringData:\n  settings.yaml: |\n    endpoint: https://api.internal\n    apiKey: Zq8Lm2vX9kR4\n  token: "{{ .Values.token }}"\nmetadata:\n  name: app';
    expect(redact(input).text).toBe('kind: Secret\nstringData:\n  settings.yaml: |\n    [REDACTED:secret]\n    [REDACTED:secret]\n  token: "{{ .Values.token }}"\nmetadata:\n  name: app');
  });
  test("JSON, as kubectl get secret -o json prints it", () => {
    const input = `{"apiVersion":"v1","data":{"DATABASE_URL":"${url}","users":"YWRtaW46WGs5bVEycEx6Nw=="},"kind":"Secret"}`;
    expect(redact(input).text).toBe('{"apiVersion":"v1","data":{"DATABASE_URL":"[REDACTED:secret]","users":"[REDACTED:secret]"},"kind":"Secret"}');
  });
  test("not another kind's data", () => {
    const text = "apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\ndata:\n  objectName: db-password2\n---\nkind: ConfigMap\ndata:\n  REGION: eu-west-1";
    expect(redact(text)).toEqual({ text, count: 0 });
  });
});

describe("passwords a service generated and printed in its log", () => {
  const cases: [why: string, input: string, output: string][] = [
    ["Elasticsearch, on one line", "The generated password for the elastic built-in superuser is : Igo6CXBTUAJxgJthLD1i", "The generated password for the elastic built-in superuser is : [REDACTED:password]"],
    [
      "Elasticsearch, on the next line",
      "Password for the elastic user (reset with `bin/elasticsearch-reset-password -u elastic`):\n  Igo6CXBTUAJxgJthLD1i\n\nHTTP CA certificate SHA-256 fingerprint:",
      "Password for the elastic user (reset with `bin/elasticsearch-reset-password -u elastic`):\n  [REDACTED:password]\n\nHTTP CA certificate SHA-256 fingerprint:",
    ],
    [
      "Jenkins, after a blank line",
      "Please use the following password to proceed to installation:\n\n075b6ccb6380d56f346d4cf278eb5f88\n\nThis may also be found at: /var/jenkins_home/secrets/initialAdminPassword",
      "Please use the following password to proceed to installation:\n\n[REDACTED:password]\n\nThis may also be found at: /var/jenkins_home/secrets/initialAdminPassword",
    ],
    [
      "Jenkins, as docker compose up logs it (its service's name before each line)",
      "jenkins  | Please use the following password to proceed to installation:\njenkins  | \njenkins  | 075b6ccb6380d56f346d4cf278eb5f88\njenkins  | \njenkins  | This may also be found at: /var/jenkins_home/secrets/initialAdminPassword",
      "jenkins  | Please use the following password to proceed to installation:\njenkins  | \njenkins  | [REDACTED:password]\njenkins  | \njenkins  | This may also be found at: /var/jenkins_home/secrets/initialAdminPassword",
    ],
    [
      "Jenkins, Compose v2's numbered service, the value on the next line",
      "jenkins-1  | Please use the following password to proceed to installation:\njenkins-1  | 075b6ccb6380d56f346d4cf278eb5f88",
      "jenkins-1  | Please use the following password to proceed to installation:\njenkins-1  | [REDACTED:password]",
    ],
    [
      "Elasticsearch's first start in Compose, the value on the next line",
      "es01-1  | Password for the elastic user (reset with `bin/elasticsearch-reset-password -u elastic`):\nes01-1  |   _0vc1k3bl-K*Vx0X6ZQO\nes01-1  | ",
      "es01-1  | Password for the elastic user (reset with `bin/elasticsearch-reset-password -u elastic`):\nes01-1  |   [REDACTED:password]\nes01-1  | ",
    ],
  ];
  for (const [why, input, output] of cases) test(why, () => expect(redact(input).text).toBe(output));

  const kept: [why: string, text: string][] = [
    ["a default told of in prose", "The default password is stored in the vault: see the runbook."],
    ["a prompt for one", "Enter the password for your account:\n(hidden)"],
    ["how it is kept", "The generated password is hashed with bcrypt: cost 12"],
    ["a prompt for one in a Compose log, the next line's service and a short word", "app-1  | Enter the password for your account:\napp-1  | (hidden)\nweb-1  | The initial password is set by:\nweb-1  | setup"],
  ];
  for (const [why, text] of kept) test(why, () => expect(redact(text)).toEqual({ text, count: 0 }));
});

describe("a secret piped into the command that stores or uses it", () => {
  const secret = ["Yv3", "Kp8mW2", "qLx7Rb4", "Tn9cJd1", "zEu"].join("");
  const commands: [input: string][] = [
    [`echo "${secret}" | wrangler secret put API_KEY`],
    [`printf '%s' '${secret}' | gh secret set API_KEY --repo acme/app`],
    [`echo '${secret}' | sudo -S apt-get update`],
    [`echo -n "${secret}" | gcloud secrets create api-key --data-file=-`],
    [`echo ${secret} | docker login registry.example.com -u deploy --password-stdin`],
  ];
  for (const [input] of commands) {
    test(input, () => expect(redact(input)).toEqual({ text: input.replace(secret, "[REDACTED:secret]"), count: 1 }));
  }
  test("written into a file named for a secret, with echo, printf or tee", () => {
    for (const input of [
      `echo "${secret}" > secrets/db_password.txt`,
      `printf '%s' '${secret}' >> ~/.vault-pass`,
      `echo ${secret} | sudo tee /run/secrets/api_token > /dev/null`,
    ]) {
      expect(redact(input)).toEqual({ text: input.replace(secret, "[REDACTED:secret]"), count: 1 });
    }
  });
  test("written into such a file by a here-document of one line, or a here-string into tee", () => {
    for (const input of [
      `cat > secrets/db_password.txt <<EOF\n${secret}\nEOF`,
      `sudo tee /run/secrets/token > /dev/null <<-'EOF'\n\t${secret}\n\tEOF`,
      `cat > ~/.vault-pass <<\\EOF\n${secret}\nEOF`,
      `  $ cat > secrets/db_password.txt <<EOF\n  ${secret}\n  EOF`,
      `tee ~/.vault-pass <<< '${secret}'`,
    ]) {
      expect(redact(input)).toEqual({ text: input.replace(secret, "[REDACTED:secret]"), count: 1 });
    }
  });
  test("kept: a here-document of many lines, or into a file that holds no secret; a shift operator", () => {
    const text = `cat > .env <<EOF\nA=1\nEOF\ncat > notes.txt <<EOF\n${secret}\nEOF\ncat > token.txt <<EOF\n${secret}\nmore\nEOF\nstd::cout << x << std::endl;`;
    expect(redact(text)).toEqual({ text, count: 0 });
  });
  test("kept: a variable, a count, or a file that holds no secret", () => {
    const text = 'echo "$DB_PASSWORD" > secrets/db_password.txt\necho 0 > token_count.txt\necho "Zz8kq1wm2x" > build-id.txt';
    expect(redact(text)).toEqual({ text, count: 0 });
  });
  test("a variable piped is only its name", () => {
    const text = 'echo "$API_KEY" | wrangler secret put API_KEY && echo hello | wc -l';
    expect(redact(text)).toEqual({ text, count: 0 });
  });
});

describe("redactValue", () => {
  test("an empty value is no secret", () => {
    expect(redactValue({ password: "", token: " ", env: [{ name: "API_KEY", value: "" }] }).count).toBe(0);
  });
  test("a record whose name field names a secret: its value field goes", () => {
    const task = { environment: [{ name: "DB_PASSWORD", value: "TxYmV#Xk9pQ2" }, { name: "REGION", value: "us-east-1" }] };
    expect(redactValue(task)).toEqual({ value: { environment: [{ name: "DB_PASSWORD", value: "[REDACTED:secret]" }, { name: "REGION", value: "us-east-1" }] }, count: 1 });
    expect(redactValue({ ParameterKey: "DBPassword", ParameterValue: "tex3C#Xk9pQ2" }).value).toEqual({ ParameterKey: "DBPassword", ParameterValue: "[REDACTED:secret]" });
    expect(redactValue({ name: "token", value: "string" }).count).toBe(0);
  });

  test("a key holding a secret is redacted; a map's keys that are ids stay (found by a red-team sweep)", () => {
    const value = {
      auths: { "https://bob:Xk9mQ2pLz7Rt@registry.acme.io": {} },
      ghp_Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9: { scopes: ["repo"] },
      docs: { aB3dE5fG7hJ9kL1mN2pQ: { x: 1 }, recAbC12dEf34GhI5: 2, "V1StGXR8_Z5jdHi6B-myT": 3 },
    };
    const out = redactValue(value);
    // The keys change, so the value's type does not hold.
    expect(out.value as unknown).toEqual({
      auths: { "https://bob:[REDACTED:password]@registry.acme.io": {} },
      "[REDACTED:github-token]": { scopes: ["repo"] },
      docs: value.docs,
    });
    expect(out.count).toBe(2);
  });

  test("walks nested objects and arrays, keeps keys and non-strings", () => {
    const key = ["sk-", "ant-api03-", "Zx9".repeat(10)].join("");
    const value = {
      model: "claude-opus-4-5",
      usage: { input_tokens: 12, output_tokens: 3 },
      content: [
        { type: "tool_use", input: { command: `ANTHROPIC_API_KEY=${key} claude -p hi`, timeout: 30, flags: [true, null] } },
        { type: "text", text: "nothing to see" },
      ],
    };
    const out = redactValue(value);
    expect(out.count).toBe(1);
    expect(out.value).toEqual({
      ...value,
      content: [
        { type: "tool_use", input: { command: "ANTHROPIC_API_KEY=[REDACTED:anthropic-key] claude -p hi", timeout: 30, flags: [true, null] } },
        { type: "text", text: "nothing to see" },
      ],
    });
  });

  test("values of secret-named keys go whole (an authorization scheme before one stays), code-like ones stay", () => {
    const out = redactValue({
      env: { DB_PASSWORD: "postgres", PATH: "/usr/bin", GITHUB_TOKEN: "t0k3n-abc" },
      headers: { Authorization: "Basic dXNlcjpwYXNz", "x-api-key": "k-123-abc", Cookie: "sid=12345" },
      schema: { password: "string", token: "$TOKEN" },
      max_tokens: 1000,
    });
    expect(out.value).toEqual({
      env: { DB_PASSWORD: "[REDACTED:secret]", PATH: "/usr/bin", GITHUB_TOKEN: "[REDACTED:secret]" },
      headers: { Authorization: "Basic [REDACTED:secret]", "x-api-key": "[REDACTED:secret]", Cookie: "[REDACTED:secret]" },
      schema: { password: "string", token: "$TOKEN" },
      max_tokens: 1000,
    });
    expect(out.count).toBe(5);
  });

  test("does not modify its input and keeps a __proto__ key as data", () => {
    const input = JSON.parse('{"__proto__": {"password": "hunter22"}, "a": "PASSWORD=abc123"}');
    const copy = structuredClone(input);
    const out = redactValue(input);
    expect(input).toEqual(copy);
    expect(Object.getPrototypeOf(out.value)).toBe(Object.prototype);
    expect(JSON.stringify(out.value)).toBe('{"__proto__":{"password":"[REDACTED:secret]"},"a":"PASSWORD=[REDACTED:secret]"}');
  });

  test("scalars pass through", () => {
    expect(redactValue(42)).toEqual({ value: 42, count: 0 });
    expect(redactValue(null)).toEqual({ value: null, count: 0 });
  });
});

describe("extra patterns", () => {
  test("are redacted as custom, before the built-in rules", () => {
    const r = createRedactor({ extraPatterns: ["ACME-[0-9]{6}", "internal\\.corp\\.example"] });
    expect(r.redact("ticket ACME-123456 on internal.corp.example")).toEqual({
      text: "ticket [REDACTED:custom] on [REDACTED:custom]",
      count: 2,
    });
  });

  test("name what they find even when a built-in rule finds it too", () => {
    const r = createRedactor({ extraPatterns: ["hunter2[a-z]+"] });
    expect(r.redact("PASSWORD=hunter2abc")).toEqual({ text: "PASSWORD=[REDACTED:custom]", count: 1 });
  });

  test("invalid ones are skipped and patterns matching nothing insert nothing", () => {
    const r = createRedactor({ extraPatterns: ["(unclosed", "x*"] });
    expect(r.redact("abc PASSWORD=abc123")).toEqual({ text: "abc PASSWORD=[REDACTED:secret]", count: 1 });
  });

});

/** Runs exact-output cases and texts that must stay as they are. */
function exactAndKept(cases: [input: string, output: string][], kept: [why: string, text: string][]): void {
  for (const [input, output] of cases) test(input, () => expect(redact(input).text).toBe(output));
  for (const [why, text] of kept) test(`kept: ${why}`, () => expect(redact(text)).toEqual({ text, count: 0 }));
}

describe("Sentry DSNs", () => {
  const key = "0123456789abcdef0123456789abcdef";
  exactAndKept(
    [
      [`SENTRY_DSN=https://${key}@o123456.ingest.sentry.io/4504123456789`, "SENTRY_DSN=https://[REDACTED:sentry-dsn]@o123456.ingest.sentry.io/4504123456789"],
      [`Sentry.init({ dsn: 'https://${key}@o1.ingest.us.sentry.io/45' })`, "Sentry.init({ dsn: 'https://[REDACTED:sentry-dsn]@o1.ingest.us.sentry.io/45' })"],
      [`dsn = "https://${key}@sentry.example.com/3"`, 'dsn = "https://[REDACTED:sentry-dsn]@sentry.example.com/3"'],
    ],
    [
      ["the SDK and its docs", "import * as Sentry from '@sentry/node'; see https://docs.sentry.io/platforms/ and https://sentry.io/organizations/acme/"],
      ["a placeholder DSN", "SENTRY_DSN=https://examplePublicKey@o0.ingest.sentry.io/0"],
      ["a git SHA near sentry", `commit ${key}abcdef01 bumped @sentry/node`],
    ],
  );
});

describe("a new key on the line below the command that made it", () => {
  const hex = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
  const lower = "qwhzkxvbnmrtplsdfgjcyuioaeqwhzkx";
  const made = [
    "$ head -c 32 /dev/urandom | xxd -p",
    "$ python3 -c 'import secrets; print(secrets.token_hex(16))'",
    "$ node -e \"console.log(require('crypto').randomBytes(16).toString('hex'))\"",
    "$ ruby -e 'require \"securerandom\"; puts SecureRandom.hex(16)'",
    "$ pwgen -s 32 1",
    "$ bin/rails secret",
    "$ mix phx.gen.secret",
    "$ gpg --quiet -d ~/.creds/api.gpg",
    "$ sops -d --extract '[\"api_key\"]' secrets.yaml",
  ];
  exactAndKept(
    made.flatMap((command): [string, string][] => [
      [`${command}\n${hex}\n$ ls`, `${command}\n[REDACTED:secret]\n$ ls`],
      [`${command}\n${lower}\n`, `${command}\n[REDACTED:secret]\n`],
    ]),
    [
      ["a git SHA", `$ git rev-parse HEAD\n${hex}01234567\n`],
      ["a checksum with its file name", `$ sha256sum app.tar.gz\n${hex}${hex}  app.tar.gz\n`],
      ["a UUID", "$ uuidgen\n3f2b8c1e-9a4d-4e7f-b6c5-1d2e3f4a5b6c\n"],
      ["hex in code", `const seed = Buffer.from("${hex}", "hex");\nconst iv = crypto.randomBytes(16);\nreturn;`],
      ["a script's next line after reading /dev/urandom", "dd if=/dev/urandom of=key.bin bs=32 count=1\ncontinue;\n"],
      ["the next line is prose", "$ openssl rand -hex 32 > .key\ndone, stored it\n"],
      ["a word ending like a command", "usage: gpg.sops\nmessage-passing-between-workers-again"],
    ],
  );
});

describe("PowerShell here-strings and psql's password prompt", () => {
  exactAndKept(
    [
      ['$password = @"\nXk29!pQ7mZ\n"@\nWrite-Host done', '$password = @"\n[REDACTED:secret]\n"@\nWrite-Host done'],
      ["$ApiKey = @'\r\nXk29pQ7mZabcdEFG1\r\n'@\r\n", "$ApiKey = @'\r\n[REDACTED:secret]\r\n'@\r\n"],
      ['$env:DB_PASSWORD=@"\nfirst line 9x\nsecond line\n"@', '$env:DB_PASSWORD=@"\n[REDACTED:secret]\n"@'],
      ["$ psql -h db -U app -W shop\nPassword for user app: \nXk29pQ7mZ\npsql (16.1)", "$ psql -h db -U app -W shop\nPassword for user app: \n[REDACTED:password]\npsql (16.1)"],
      ["The password for the admin account:\n\n    Xk29!pQ7mZ\n", "The password for the admin account:\n\n    [REDACTED:password]\n"],
      ["Set-Item Env:PGPASSWORD 'Xk29pQ7mZ'; psql -U app", "Set-Item Env:PGPASSWORD '[REDACTED:secret]'; psql -U app"],
      ['New-Item -Path Env:\\API_TOKEN -Value "Xk29pQ7mZabc"', 'New-Item -Path Env:\\API_TOKEN -Value "[REDACTED:secret]"'],
    ],
    [
      ["a here-string under another name", '$body = @"\n{ "user": "Xk29!pQ7mZ" }\n"@'],
      ["a here-string holding a reference", '$password = @"\n$env:DB_PASSWORD\n"@'],
      ["an empty here-string, and one never closed", '$token = @"\n"@\n$secret = @"\nstill open 9x'],
      ["psql's prompt, then its next output", 'Password for user app:\npsql (16.1)\nType "help" for help.\nPassword for user app: \npsql: error: connection to server failed: FATAL:  password authentication failed'],
      ["Set-Item with a reference or a command, and the word Set in prose", "Set-Item Env:PGPASSWORD $secret\nSet-Item -Path Env:API_TOKEN -Value (Get-Content token.txt)\nSet PGPASSWORD in your profile"],
      ["a label naming whose, then prose or a reference", "password of the keystore:\nsee the vault entry\nPassword for the deploy user:\nop://vault/deploy/password"],
    ],
  );
});

describe("more sentences that tell a password, a key or a secret: before its label, as someone's, as set", () => {
  exactAndKept(
    [
      ["use Tr0ub4dor&3 as the password", "use [REDACTED:password] as the password"],
      ["here is my key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0, it expires monday", "here is my key: [REDACTED:secret], it expires monday"],
      ["The JWT secret is now set to `Zq7vW2pL9x`.", "The JWT secret is now set to `[REDACTED:secret]`."],
      ["✅ Password set: Tr0ub4dor&3", "✅ Password set: [REDACTED:password]"],
      ["I've updated the secret to Zq7vW2pL9x.", "I've updated the secret to [REDACTED:secret]."],
      ["try `hunter2x` as the new password, then log in", "try `[REDACTED:password]` as the new password, then log in"],
      ['Set "Zz8kq1wm2x" as the admin password.', 'Set "[REDACTED:password]" as the admin password.'],
    ],
    [
      ["a key that is no secret's", "your key is stored in the keychain; my keys are in the drawer; our key is the first column"],
      ["a secret that is no value, a password set to a word", "the secret is out; the secret to success is Practice2day; the secret is MyToken\npassword reset: done\npassword set: true"],
      ["words, code and hashes before it", 'use your GitHub account as the password\nuse getenv("X") as the password source\nUse SHA256 as the password hash\nuse bcrypt2 as the password hasher'],
    ],
  );
});

describe("a key or a password told in prose, before its label or after a service's name (found by a blind sweep)", () => {
  exactAndKept(
    [
      ["db pass Xk9mQ2pLz7", "db pass [REDACTED:password]"],
      ["the root pass is Tr0ub4dor&3, keep it", "the root pass is [REDACTED:password], keep it"],
      ["the key is q8Zr3vW9kL2mN7pX4tB6", "the key is [REDACTED:secret]"],
      ["use q8Zr3vW9kL2mN7pX4tB6 as the api key", "use [REDACTED:secret] as the api key"],
      ["try `q8Zr3vW9kL2mN7pX4tB6` as the token", "try `[REDACTED:secret]` as the token"],
      ["Tr0ub4dor&3x is the password", "[REDACTED:password] is the password"],
      ['"q8Zr3vW9kL2mN7pX4tB6" was my API key', '"[REDACTED:secret]" was my API key'],
      [
        "use 9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0 as the signing key (found by an end-to-end sweep)",
        "use [REDACTED:secret] as the signing key (found by an end-to-end sweep)",
      ],
      ["set Zq7vW2pL9xQ3mK8r as the webhook secret", "set [REDACTED:secret] as the webhook secret"],
      ["Tr0ub4dor&3x is the master password", "[REDACTED:password] is the master password"],
      ["the wifi password is DlEBgFXNsWHR (found by an end-to-end sweep)", "the wifi password is [REDACTED:password] (found by an end-to-end sweep)"],
      ["the password is qGCqAxDnBNkz", "the password is [REDACTED:password]"],
    ],
    [
      ["a key in words", "the key is in the vault; the key is to retry; this key is deprecated; the key is `process.env.API_KEY`"],
      ["a password in words", "the password is wrong\nWhich is the password?\nThis is the password field\nbcrypt2 is the password hasher"],
      ["code as the key", "use `process.env.API_KEY` as the api key\nuse GITHUB_TOKEN as the token\nuse sha256 as the key"],
      ["words in letters alone as a password", "the password is Incorrect\nthe password is NotSet\nyour password is macOS\nthe password is HIDDEN\npassword: Required"],
      ["an algorithm or a name as a key's role", "use HS256 as the signing key algorithm\nuse RS256 as the jwt signing key\nuse KMS as the encryption key store\nuse main as the master key"],
      ["pass as a verb", "the db pass rate is 99%\nroot pass-through mode\nadmin pass the request on\ndb pass 5432"],
    ],
  );
});

describe("a key named by the word before \"key\" alone: a vendor's, a role's (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ["the Mistral key is Rq7vW2pL9xZk3mN8bT4cYh6J, thanks", "the Mistral key is [REDACTED:secret], thanks"],
      ["my OpenWeather key is 3d7505ce01e5bc9bc2f856fb9d57683d", "my OpenWeather key is [REDACTED:secret]"],
      ["Datadog key: 59d9524f306527948e03749a04f184ff", "Datadog key: [REDACTED:secret]"],
      ["the license key is du3oAi7aTTpU5bvsrcITcjKuvryPPHhV", "the license key is [REDACTED:secret]"],
      ["the apikey is DfU8BPjqFl7RL9f29jAdiextWdX6Zjnr", "the apikey is [REDACTED:secret]"],
      ["my elevenlabs key is sk_d7488dc8da5bd8eb3b8d478391b7073202aca807515c63dd", "my elevenlabs key is [REDACTED:elevenlabs-key]"],
      ['tts = ElevenLabs("sk_d7488dc8da5bd8eb3b8d478391b7073202aca807515c63dd")', 'tts = ElevenLabs("[REDACTED:elevenlabs-key]")'],
    ],
    [
      ["keys that are no credential, or values no key", "the cache key is user_profile_v2_12345\nthe partition key is tenantId#2024-01-05\nthe S3 key is uploads/2024/01/avatar_12345.png\nthe lock key is deploy-lock-production-2024\nthe primary key is customer_id_2"],
      ["a hash or a public key under \"key\"", "key: d41d8cd98f00b204e9800998ecf8427e\nthe public key is AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\nthe cache key is 5f0a8c3e9b1d4f6a7b8c9d0e1f2a3b4c\nthe signing key is 4AEE18F83AFDEB23"],
      ["a CI cache's key, a name in words", "Cache restored from key: Linux-node-5f0a8c3e9b1d4f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c\nthe config key is UserAuthenticationService2Config"],
    ],
  );
});

describe("an ODBC connection string's password in braces, holding ; or a doubled } (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ['conn = "DRIVER={ODBC Driver 18 for SQL Server};SERVER=db;UID=admin;PWD={Zbgp7;MoigaO}"', 'conn = "DRIVER={ODBC Driver 18 for SQL Server};SERVER=db;UID=admin;PWD={[REDACTED:secret]}"'],
      ["Password={TyJeeJ0e}}5MF0};Server=db", "Password={[REDACTED:secret]};Server=db"],
      ["Driver={ODBC Driver 18};Server=db;UID=sa;PWD={7Qfh$n3d@5eOAg};", "Driver={ODBC Driver 18};Server=db;UID=sa;PWD={[REDACTED:secret]};"],
    ],
    [
      ["an f-string's variables, a format's index", 'f"DRIVER={{ODBC Driver 18}};SERVER={server};UID={user};PWD={password};"\nf"UID={cfg.user};PWD={cfg.db_password}"\n"Password={0};User={1}".format(pw, user)'],
      ["JSX's expressions", "<LoginForm password={password} token={session.token} />\n<Input type=\"password\" value={pw} />\napiKey={apiKeyFromEnvironment2}"],
    ],
  );
});

describe("a package manager's repository credentials, an --auth flag's token, a keychain's password (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ["poetry config http-basic.acme ci Dc4l%CF8^jcXS", "poetry config http-basic.acme ci [REDACTED:password]"],
      ["poetry config pypi-token.testpypi Xy7pQ2vL9kWm3Zz8kq1wm2", "poetry config pypi-token.testpypi [REDACTED:password]"],
      ["composer config --global http-basic.repo.acme.io bob DSmd%Zx4^OKVJ", "composer config --global http-basic.repo.acme.io bob [REDACTED:password]"],
      ["composer config -g gitlab-token.gitlab.acme.io Xy7pQ2vL9kWm3Zz8kq1w", "composer config -g gitlab-token.gitlab.acme.io [REDACTED:password]"],
      ["bundle config set --global gems.acme.io bob:s14f%hOg^pgLl", "bundle config set --global gems.acme.io bob:[REDACTED:password]"],
      ["netlify deploy --prod --auth fPLVveyyrVw4HwreZWcPojVKkIs7TZK3G1dgOjxu2rM", "netlify deploy --prod --auth [REDACTED:secret]"],
      ['keyring.set_password("acme", "bob", "lG7Q%EQv^byiy")', 'keyring.set_password("acme", "bob", "[REDACTED:password]")'],
      ["await keytar.setPassword('acme-cli', 'bob', 'Xy7pQ2vL9k')", "await keytar.setPassword('acme-cli', 'bob', '[REDACTED:password]')"],
    ],
    [
      ["settings and unsets", "poetry config virtualenvs.in-project true\npoetry config http-basic.acme --unset\ncomposer config -g repos.packagist composer https://packagist.org\nbundle config set --local path vendor/bundle\nbundle config build.nokogiri --use-system-libraries"],
      ["an auth flag's mode", "code-server --auth none\ncode-server --auth=password\nmongod --auth --port 27017\ntool --auth=kerberos --proxy-auth=ntlm\nx --basic-auth=$CREDS"],
      ["a keychain's variables", "keyring.set_password(service, user, password)\nkeytar.setPassword(SERVICE, account, token)"],
    ],
  );
});

describe("a secret's name ending in which one it is: a number, an environment, a role, a service (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ["DB_PASSWORD_PROD=3oAD%rzn^I04q", "DB_PASSWORD_PROD=[REDACTED:secret]"],
      ["  password2: ebnL%uwc^D4cn", "  password2: [REDACTED:secret]"],
      ["ADMIN_PASS_1=ZA7Y%MTF^YlgZ\nGPG_PASSPHRASE_CI=XT5n%MF2^cQgU", "ADMIN_PASS_1=[REDACTED:secret]\nGPG_PASSPHRASE_CI=[REDACTED:secret]"],
      ["keystore_pass_release: DhO7%Wym^KJYC", "keystore_pass_release: [REDACTED:secret]"],
      ["DB_PASS_ENC=9iuG%DUl^sy5E", "DB_PASS_ENC=[REDACTED:secret]"],
      ["ADMIN_CREDS=bob:pntB%sYZ^6mVs", "ADMIN_CREDS=[REDACTED:secret]"],
      ["PASSWORD_DB=Tr0ub4dor&3\nPASS_REDIS=hunter2hunter\nsmtp_password_mail: qW7e%rT^y", "PASSWORD_DB=[REDACTED:secret]\nPASS_REDIS=[REDACTED:secret]\nsmtp_password_mail: [REDACTED:secret]"],
    ],
    [
      ["settings named after a secret", "PASSWORD_MIN_LENGTH=12\nTOKEN_URL=https://oauth2.googleapis.com/token\nPOSTGRES_PASSWORD_FILE=/run/secrets/pg\nSECRET_MANAGER_PROJECT=my-project\nTOKEN_EXPIRY_2=3600\nAPI_KEY_DEV=your-api-key-here\nJWT_SECRET_OLD=${JWT_SECRET}\nPASSWORD_DB=${DB_PASSWORD}\nSECRET_NAME_DB=prod/db"],
      ["form fields and code", "password2 = request.form['password2']\nif password1 != password2:\n    raise ValueError\ntoken_v2 = make_token(user)\n{\"password_2\": \"Confirm your password\"}\ncreds = get_credentials()\nADMIN_CREDS=$ADMIN_CREDS"],
    ],
  );
});

describe("pass glued to the account's or service's name it is for (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ["DBPASS=Xk9q!mT2#pL\nROOTPASS=Zz8kq1wm2x", "DBPASS=[REDACTED:secret]\nROOTPASS=[REDACTED:secret]"],
      ['$dbpass = "hunter2x";', '$dbpass = "[REDACTED:secret]";'],
      ["PGPASS_2=3ul!9jvB#ALN\nsmtppass: Xy7pQ2vL9k", "PGPASS_2=[REDACTED:secret]\nsmtppass: [REDACTED:secret]"],
    ],
    [["words ending in pass", "BYPASS=Xk9q!mT2#pL\ncompass: north2east\n$bypass = true;\nuserpass: ${PASS}"]],
  );
});

describe("pwd and pw glued to the account's name in camelCase, as code and JSON write them (dbPwd, userPwd, adminPw)", () => {
  exactAndKept(
    [
      ['"dbPwd": "Xk9q!mT2#pL",\n"userPwd": "Zz8kq1wm2x"', '"dbPwd": "[REDACTED:secret]",\n"userPwd": "[REDACTED:secret]"'],
      ["private String rootPwd = \"Xy7pQ2vL9k\";\nadminPw: Xy7pQ2vL9m", 'private String rootPwd = "[REDACTED:secret]";\nadminPw: [REDACTED:secret]'],
      ["spring.datasource.loginPwd=Xy7pQ2vL9k\nmailPw=Tr0ub4dor3", "spring.datasource.loginPwd=[REDACTED:secret]\nmailPw=[REDACTED:secret]"],
    ],
    [["the shell's working folders, other words ending so", "OLDPWD=/home/me\noldPwd: /tmp\nprevPwd: /x/y\nPWD=/home/me/app\ncwd: /srv\nuserPwd: ${USER_PWD}"]],
  );
});

describe("PowerShell's $pw, a password's variable ($pwd is the current folder)", () => {
  exactAndKept(
    [['$pw = "Hq8rT2vXk9LmP4sW"\n$PW = \'Zz8kq1wm2x\'', '$pw = "[REDACTED:secret]"\n$PW = \'[REDACTED:secret]\'']],
    [["the current folder, a variable read", '$pwd = "C:\\Users\\me"\nSet-Location $pwd\n$pw = $env:DB_PW\necho $pw\n$PWD = "/home/me"']],
  );
});

describe("psw, a password's other short name (DB_PSW, \"psw\", userPsw), as pwd is", () => {
  exactAndKept(
    [['DB_PSW=Xk9q!mT2#pL\n"psw": "Zz8kq1wm2x",\nuserPsw: Xy7pQ2vL9k', 'DB_PSW=[REDACTED:secret]\n"psw": "[REDACTED:secret]",\nuserPsw: [REDACTED:secret]']],
    [["a variable, words holding the letters", "DB_PSW=${DB_PSW}\nupsweep: true\nPSWD_MIN_LENGTH=12"]],
  );
});

describe("an encrypted password in braces, as Maven and Jenkins store one, is no {placeholder} (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ["<server><id>central</id><password>{COQLCE6DU6GtcS5P4fA8bXyZ=}</password></server>", "<server><id>central</id><password>[REDACTED:secret]</password></server>"],
      ["<secret>{AQAAABAAAAAQ7cH2kL9mN3pQ5rS8tU1vW4xY6zA0bC2dE5fG7hJ=}</secret>", "<secret>[REDACTED:secret]</secret>"],
    ],
    [["placeholders in braces", "password: {yourpasswordhere}\npassword={password}\ntoken: {API_TOKEN_PLACEHOLDER}\n<password>{0}</password>\npassword: {{ vault_password }}"]],
  );
});

describe("a user and a password told in words after a login or a service, and Spanish's clave (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ["ssh into 10.0.0.5 as root with VPRbta85!uc", "ssh into 10.0.0.5 as root with [REDACTED:password]"],
      ["the router admin login is admin and YGOzyl55!qb", "the router admin login is admin and [REDACTED:password]"],
      ["try logging in with bob@acme.io and VZDlfa63!ai", "try logging in with bob@acme.io and [REDACTED:password]"],
      ["clave: IFGlsl51!ip; la clave es Xk9!mQ2pL", "clave: [REDACTED:password]; la clave es [REDACTED:password]"],
    ],
    [
      ["ways to log in, named in words", "log in as admin with SSO and MFA enabled\nsign in with Google and OAuth2\nssh as root with sudo and then run\nlogging in with your email and password works\nthe login is handled by Auth0 and NextAuth5\nssh into the box as ubuntu with the key and run deploy.sh"],
      ["clave in a sentence", "la clave del éxito es la constancia\nclave: primaria\nclave primaria (id)"],
      ["a mailto link after a login word", "If you prefer to submit without logging in, send email to [secure@microsoft.com](mailto:secure@microsoft.com).\nwithout login, mail [us](mailto:support@example.com)."],
    ],
  );
});

describe("servers' and tools' configuration: a flag's value as a list's next element, SQL's bare or double-quoted password, SetEnv, env[…], pulumi, influx, mongo (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ['args: ["--db-password", "ZAZvkl05!nl"]', 'args: ["--db-password", "[REDACTED:password]"]'],
      ['"args": ["-y", "@acme/mcp", "--api-key", "Xk9mQ2pLz7Rt5vW8yB3nC6"]', '"args": ["-y", "@acme/mcp", "--api-key", "[REDACTED:secret]"]'],
      ["ALTER USER scott IDENTIFIED BY tiger;", "ALTER USER scott IDENTIFIED BY [REDACTED:password];"],
      ['ALTER USER system IDENTIFIED BY "YWLgfu62!vv";', 'ALTER USER system IDENTIFIED BY "[REDACTED:password]";'],
      ["SetEnv DB_PASS ULGngd65!xr", "SetEnv DB_PASS [REDACTED:secret]"],
      ["env[DB_PASSWORD] = ZURqgk48!hm", "env[DB_PASSWORD] = [REDACTED:secret]"],
      ["pulumi config set --secret dbPassword BYOfgw78!zx", "pulumi config set --secret dbPassword [REDACTED:password]"],
      ["influx setup -u admin -p HDEvqo19!xt -o acme -b b -f", "influx setup -u admin -p [REDACTED:password] -o acme -b b -f"],
      ['db.changeUserPassword("app", "GAWoaw59!yv")', 'db.changeUserPassword("app", "[REDACTED:password]")'],
    ],
    [
      ["a list's next flag, a reference, a file, a variable", 'args: ["--password", "$(DB_PASSWORD)"]\n["--token", "--verbose"]\ncmd = ["--password-file", "/run/secrets/pw"]\nrun([ours, "login", "--api-key", key, env]);\napiKey: pick("--api-key", option(options, "apiKey"))'],
      ["SQL's keywords and bind variables; prose's identified by", "ALTER USER x IDENTIFIED BY VALUES 'S:ABC';\nCREATE USER u IDENTIFIED BY :pw\nIDENTIFIED BY @pw\nReturns true if the header identified by \`name\` is set; a worker identified by its thread ID; identified by \"foo\""],
      ["references, comparisons, settings", "env[DB_PASSWORD] = $DB_PASSWORD\ndata[password] == x\npulumi config set aws:region us-east-1\nSetEnv APP_ENV production\ngcloud secrets versions access latest --secret=db-password"],
    ],
  );
});

describe("an IFTTT webhook's key in its URL's path (found by a red-team sweep)", () => {
  exactAndKept(
    [["curl -X POST https://maker.ifttt.com/trigger/door/with/key/w-Car5ytQiY1srIBGkO2cc", "curl -X POST https://maker.ifttt.com/trigger/door/with/key/[REDACTED:secret]"]],
    [["a path that only says so", "https://maker.ifttt.com/trigger/door/with/key/{your-key}\nsee /with/key/ in the docs"]],
  );
});

describe("a key told in German or Italian prose (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ["Dein API-Schlüssel: Xk9pQ2mZ7vT4wB8nC1dE5fG3hJ6kL0", "Dein API-Schlüssel: [REDACTED:secret]"],
      ["der Schluessel ist Xk9pQ2mZ7vT4wB8nC1dE5fG3hJ6kL0\nla chiave API è Zz8kq1wm2xQ4rT6yU8iO0pA2sD4fG6h", "der Schluessel ist [REDACTED:secret]\nla chiave API è [REDACTED:secret]"],
    ],
    [["what is said about a key", "Der API-Schlüssel ist in der .env gespeichert\nder Schlüssel ist abgelaufen\nla chiave API è scaduta\nSchlüssel: Wert"]],
  );
});

describe("Zapier's and Mattermost's webhook URLs, whose path is their only key (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ["curl -X POST https://hooks.zapier.com/hooks/catch/1234567/b3xk9qz/", "curl -X POST https://hooks.zapier.com/hooks/catch/1234567/[REDACTED:zapier-webhook]/"],
      ['curl -d "payload={}" https://mattermost.acme.io/hooks/5w3a8xk3j9q8w7e6r5t4y3u2i1', 'curl -d "payload={}" https://mattermost.acme.io/hooks/[REDACTED:mattermost-webhook]'],
    ],
    [["other hooks' paths", "https://github.com/acme/app/settings/hooks/123456789\nsee /hooks/incoming in the docs\n/hooks/abcdefghijklmnopqrstuvwxyz\nhttps://hooks.zapier.com/hooks/catch/"]],
  );
});

describe("a message in lower-case words under a token's or a key's name is no token (false positive found by a red-team sweep)", () => {
  exactAndKept(
    [
      ['JWT_SECRET="my super secret phrase"', 'JWT_SECRET="[REDACTED:secret]"'],
      ['PASSWORD="correct horse battery"', 'PASSWORD="[REDACTED:secret]"'],
      ['api_key: "Xk9 mQ2"', 'api_key: "[REDACTED:secret]"'],
      ['API_TOKEN="wxyz abcd qrst mnop"', 'API_TOKEN="[REDACTED:secret]"'],
      ['SECRET_KEY = "this is my dev secret"', 'SECRET_KEY = "[REDACTED:secret]"'],
      ['API_TOKEN="abandon ability able about above absent absorb abstract absurd abuse access accident"', 'API_TOKEN="[REDACTED:secret]"'],
    ],
    [["error messages keyed by a token's name", 'InvalidCommentToken: "invalid comment",\n{"invalidToken": "token is invalid or expired", "missingApiKey": "no api key given"}']],
  );
  test("kept in a JSON value too", () => {
    const value = { errors: { invalidToken: "token is invalid or expired", missingApiKey: "no api key given" } };
    expect(redactValue(value)).toEqual({ value, count: 0 });
  });
});

describe("a PIN: 4 to 8 digits under a PIN's name (found by a blind sweep)", () => {
  exactAndKept(
    [
      ['{"pin": "48213377"}', '{"pin": "[REDACTED:password]"}'],
      ["PIN=4821", "PIN=[REDACTED:password]"],
      ["pin code 482133", "pin code [REDACTED:password]"],
      ["my PIN is 4821.", "my PIN is [REDACTED:password]."],
      ["SIM_PIN: 4821", "SIM_PIN: [REDACTED:password]"],
      ["const userPin = 4821;", "const userPin = [REDACTED:password];"],
      ['"pinCode": "482133"', '"pinCode": "[REDACTED:password]"'],
    ],
    [
      ["a flag, a version pinned, a board's pins", '"pin": true\npin = "1.2.3"\npin: 12\nled pin: 13\npin = "1.2.3.4567"'],
      ["words holding pin", '"spin": 4821\nSPIN=4821\nmapping: 4821\npinned 4821 times\npin_count: 1234'],
      ["a PIN's stand-in, a date, a number said after pin", "pin: 0000\npin: 2024-01-01\npin 4821 on the header"],
    ],
  );

  test("a JSON object's PIN, its name apart from its value", () => {
    expect(redactValue({ card: { pin: "4821", spin: "4821", pinned: "4821", pin_count: "1234" }, userPin: "48213377" })).toEqual({
      value: { card: { pin: "[REDACTED:secret]", spin: "4821", pinned: "4821", pin_count: "1234" }, userPin: "[REDACTED:secret]" },
      count: 2,
    });
  });
});

describe("a session cookie's token and a cookie's signing key by their names (found by a blind sweep)", () => {
  const token = "q8zr3vw9kl2mn7px4tb6aq8zr3vw9kl2m";
  exactAndKept(
    [
      [`"session_id": "${token}"`, '"session_id": "[REDACTED:secret]"'],
      [`SESSION_ID=${token}`, "SESSION_ID=[REDACTED:secret]"],
      [`sessionid: ${token}`, "sessionid: [REDACTED:secret]"],
      ["COOKIE_SIGNATURE=q8Zr3vW9kL2mN7pX4tB6aa", "COOKIE_SIGNATURE=[REDACTED:secret]"],
      ['cookieSignature: "q8Zr3vW9kL2mN7pX4tB6aa"', 'cookieSignature: "[REDACTED:secret]"'],
      ['"session_id": "SahXmpaWakMEEynQYYBPAYnFJKzWfCDN" (letters alone; found by an end-to-end sweep)', '"session_id": "[REDACTED:secret]" (letters alone; found by an end-to-end sweep)'],
    ],
    [
      ["a session's name in CamelCase", '"session_id": "AnonymousCheckoutSessionDefault"\nsession=UserSessionStoreMemory'],
      ["a type's name with a digit in a signature (found by a red-team sweep over @types/node)", '"connect": [session: ClientHttp2Session, socket: net.Socket];\nlistener: (session: ServerHttp2Session) => void'],
      ["UUIDs, with their dashes and without", '"session_id": "29ccd257-68b1-427f-ae5f-6524b7cb6f20"\n"sessionId": "29ccd257-68b1-427f-ae5f-6524b7cb6f20"\nsession_id=29ccd25768b1427fae5f6524b7cb6f20'],
      ["typed ids, words, numbers, a name inside another", `"session_id": "sess_q8Zr3vW9kL2mN7pX4tB6"\n"session": "default-session"\nsession_id=12345678901234567890\n"claudeSessionId": "${token}"`],
      ["code", "session = _lib.SSL_get1_session(self._ssl)\nsession_id = request.cookies.get_session_id2()"],
      ["a signature that is no cookie's key", '"signature": "q8Zr3vW9kL2mN7pX4tB6aa"'],
    ],
  );

  test("a JSON object's session token, its name apart from its value; a UUID stays", () => {
    expect(redactValue({ session_id: token, sessionId: "29ccd257-68b1-427f-ae5f-6524b7cb6f20", cookie_signature: "q8Zr3vW9kL2mN7pX4tB6aa" })).toEqual({
      value: { session_id: "[REDACTED:secret]", sessionId: "29ccd257-68b1-427f-ae5f-6524b7cb6f20", cookie_signature: "[REDACTED:secret]" },
      count: 2,
    });
  });
});

describe("a password or key told later in the sentence that names it", () => {
  exactAndKept(
    [
      ["I changed the password, the new one is Xk29!pQ7mZ.", "I changed the password, the new one is [REDACTED:password]."],
      ["rotated the API key and changed it to 9f8e7d6c5b4a39281706f5e4d3c2b1a0 yesterday", "rotated the API key and changed it to [REDACTED:secret] yesterday"],
      ['I reset my password, it\'s now "Tr0ub4dor&3"', 'I reset my password, it\'s now "[REDACTED:password]"'],
      ["the db password expired; new one: Zz8kq1Wm#2", "the db password expired; new one: [REDACTED:password]"],
    ],
    [
      ["a setting, not a password", "the password reset timeout was too short, so I set it to 300s"],
      ["a charset", "the password column used latin1, I changed it to utf8mb4"],
      ["where it is kept", "the token was expiring, the new one is in 1Password"],
      ["a stand-in and a reference", "The password field is optional; set it to null to disable. If the token is missing, set it to $GITHUB_TOKEN first"],
      ["a key that is no key", "the secret rotation job: set it to run hourly; token limits: the new one is 200k, changed it to 128k"],
      ["the next sentence", "The API key is stored in KeyVault. It's now rotated weekly. The new one is longer."],
    ],
  );
});

describe("a user and a password on one line", () => {
  exactAndKept(
    [
      ["u: admin p: S3cr3t!x", "u: admin p: [REDACTED:password]"],
      ["user admin / pass S3cr3t!x", "user admin / pass [REDACTED:password]"],
      ["login admin pw S3cr3t!x, then restart", "login admin pw [REDACTED:password], then restart"],
      ["ssh into the box with admin / hunter2Xy!", "ssh into the box with admin / [REDACTED:password]"],
      ["the db is up, use root / Xk29!pQ7mZ", "the db is up, use root / [REDACTED:password]"],
      ["mysql: root / Zz8kq1Wm", "mysql: root / [REDACTED:password]"],
      ["mongodb on prod: admin / Xk29!pQ7mZ", "mongodb on prod: admin / [REDACTED:password]"],
      ["creds: admin:S3cret!xQ", "creds: admin:[REDACTED:password]"],
      ["login with admin/S3cret!xQ, then restart", "login with admin/[REDACTED:password], then restart"],
      ["log in as admin:Tr0ub4dor9.", "log in as admin:[REDACTED:password]."],
      ["mysql root:Zz8kq1Wm", "mysql root:[REDACTED:password]"],
      ["default creds admin/admin123", "default creds admin/[REDACTED:password]"],
      ["Grafana: admin / Tr0ub4dor&3 (change it)", "Grafana: admin / [REDACTED:password] (change it)"],
      ["Wi-Fi: HomeNet / Xk29!pQ7mZ", "Wi-Fi: HomeNet / [REDACTED:password]"],
      ["the login is root:toor99, then sudo", "the login is root:[REDACTED:password], then sudo"],
      ["use admin:Passw0rd! to log in", "use admin:[REDACTED:password] to log in"],
      ["Kibana is up (elastic:Changeme1).", "Kibana is up (elastic:[REDACTED:password])."],
    ],
    [
      ["code naming a user and a password", "login(user, pass); user = u; pass = p\nuser: User, pass: string\nu = users[0]; p = compute(x)"],
      ["fields read from a request", "const user = req.user; const pass = req.body.password;"],
      ["ratios and paths after a service's name", "ssh latency p50 / p99, db reads 10GB / 20GB\nssh user@host / ~/.ssh/id_rsa\nssh-keygen -t ed25519 / ssh-add"],
      ["an identifier after a service's name", "the db layer / OUTPUT_v2 mapping"],
      ["a label that is a word's end, and pass the verb", "menu: item p: Xk29!pQ7\nfor user in users / pass through to handler\nuser admin pass the test"],
      ["a weak password after a service's name", "ssh deploy / hunter2"],
      ["a host and a port, a path, a repo after a login", "sign in at localhost:3000\nlogin flow: see src/auth/Login2FA.tsx\nlog in via auth0/nextjs-auth0\nthe login page is at app.example.com:8443/Login"],
      ["a weak password written tight after a login, for a user no install has", "login with github/oauth2, creds: deploy:hunter22"],
      [
        "an account's group, image, passwd line or folder",
        "use admin / settings to configure it\nchown root:wheel x\nFROM postgres:16-alpine\nimage: postgres:16.2-Alpine3\nadmin:x:1000:1000:Admin2,,,:/home/admin:/bin/bash\ncd admin/Settings2\nsudo -u postgres psql",
      ],
    ],
  );
});

describe("a field and its value in a redis-cli reply", () => {
  exactAndKept(
    [
      ['127.0.0.1:6379> CONFIG GET requirepass\n1) "requirepass"\n2) "s3cretRedis99"', '127.0.0.1:6379> CONFIG GET requirepass\n1) "requirepass"\n2) "[REDACTED:password]"'],
      ['1) "masterauth"\n2) "foobared9"\n3) "masteruser"\n4) "replica"', '1) "masterauth"\n2) "[REDACTED:password]"\n3) "masteruser"\n4) "replica"'],
      ['HGETALL user:1\n1) "name"\n2) "alice"\n3) "password"\n4) "letmein99"', 'HGETALL user:1\n1) "name"\n2) "alice"\n3) "password"\n4) "[REDACTED:password]"'],
      ['  1) "api_token"\n  2) "9f8e7d6c5b4a39281706f5e4d3c2b1a0"', '  1) "api_token"\n  2) "[REDACTED:secret]"'],
      ['CONFIG GET requirepass 1) "requirepass" 2) "s3cretRedis99" (a title, its lines joined)', 'CONFIG GET requirepass 1) "requirepass" 2) "[REDACTED:password]" (a title, its lines joined)'],
    ],
    [
      ["settings that hold no secret", '1) "maxmemory"\n2) "0"\n3) "requirepass"\n4) ""\n5) "dir"\n6) "/data"'],
      ["a value on an odd line, a field without its value", '2) "password"\n3) "letmein99"\n1) "password"\n\n2) "letmein99"\nsteps: 1) "password" 3) "letmein99"'],
      ["a placeholder", '1) "token"\n2) "$TOKEN"'],
    ],
  );
});

describe("an edit that changes a secret's value", () => {
  const key = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
  const edit = (before: string, after: string) => redactValue({ toolName: "Edit", args: { file_path: "/app/.env", old_string: before, new_string: after } });
  const sides = (before: string, after: string) => {
    const { args } = edit(before, after).value;
    return [args.old_string, args.new_string];
  };

  test("the old value goes with the new key it is replaced by", () => {
    expect(sides("API_KEY=abc", `API_KEY=${key}`)).toEqual(["API_KEY=[REDACTED:secret]", "API_KEY=[REDACTED:secret]"]);
    expect(edit("API_KEY=abc", `API_KEY=${key}`).count).toBe(2);
  });
  test("values sharing their first characters, in the middle of a file", () => {
    expect(sides(`# app\nAPI_KEY=9f0 # old\nDEBUG=1`, `# app\nAPI_KEY=${key} # old\nDEBUG=1`)).toEqual([
      "# app\nAPI_KEY=[REDACTED:secret] # old\nDEBUG=1",
      "# app\nAPI_KEY=[REDACTED:secret] # old\nDEBUG=1",
    ]);
  });
  test("the new value goes with the secret it replaces", () => {
    expect(sides('password: "Xk29!pQ7mZ"', 'password: "hunter"')).toEqual(['password: "[REDACTED:secret]"', 'password: "[REDACTED:secret]"']);
  });
  test("the result's oldString and newString, and MultiEdit's edits", () => {
    const out = redactValue({ oldString: "SECRET=x1", newString: `SECRET=${key}`, edits: [{ old_string: "TOKEN: a", new_string: `TOKEN: ${key}` }] }).value;
    expect(out).toEqual({ oldString: "SECRET=[REDACTED:secret]", newString: "SECRET=[REDACTED:secret]", edits: [{ old_string: "TOKEN: [REDACTED:secret]", new_string: "TOKEN: [REDACTED:secret]" }] });
  });

  const kept: [why: string, before: string, after: string][] = [
    ["a secret moved to a reference", 'API_KEY = os.environ["API_KEY"]', 'API_KEY = "${API_KEY}"'],
    ["code changed next to a secret that did not change", "const a = 1;\n", "const a = 1;\nconst b = 2;\n"],
    ["a hash in a lockfile", `"integrity": "sha512-${key}"`, `"integrity": "sha512-${key.slice(1)}f"`],
    ["a UUID and a git SHA", `id: 3f2b8c1e-9a4d-4e7f-b6c5-1d2e3f4a5b6c rev: ${key}01234567`, `id: 0e2b8c1e-9a4d-4e7f-b6c5-1d2e3f4a5b6c rev: ${key}76543210`],
  ];
  for (const [why, before, after] of kept) {
    test(`kept: ${why}`, () => expect(edit(before, after).value.args).toEqual({ file_path: "/app/.env", old_string: before, new_string: after }));
  }
  test("kept: a secret moved to a reference, only the secret goes", () => {
    expect(sides('API_KEY = "Xk29!pQ7mZabcdEF12"', 'API_KEY = os.environ["API_KEY"]')).toEqual(['API_KEY = "[REDACTED:secret]"', 'API_KEY = os.environ["API_KEY"]']);
  });
});

test("the newer shapes are redacted idempotently: a second pass finds nothing", () => {
  const key = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
  const texts = [
    "u: admin p: S3cr3t!x",
    "ssh into the box with admin / hunter2Xy!",
    "I changed the password, the new one is Xk29!pQ7mZ.",
    '$password = @"\nXk29!pQ7mZ\n"@',
    "$ psql -U app -W\nPassword for user app: \nXk29pQ7mZ\n",
    `SENTRY_DSN=https://${key}@o1.ingest.sentry.io/45`,
    `$ head -c 32 /dev/urandom | xxd -p\n${key}\n`,
    "Set-Item Env:PGPASSWORD 'Xk29pQ7mZ'",
  ];
  for (const text of texts) {
    const once = redact(text).text;
    expect(redact(once)).toEqual({ text: once, count: 0 });
  }
  const edited = redactValue({ old_string: "API_KEY=abc", new_string: `API_KEY=${key}` }).value;
  expect(redactValue(edited)).toEqual({ value: edited, count: 0 });
});

describe("near-matches at scale", () => {
  // Over 10 MiB of text built to stress each rule without matching. A rule that backtracks
  // super-linearly takes minutes here instead of well under a second, and the test times out;
  // the count shows that nothing matched.
  test("11 MiB of near-misses: nothing redacted, text unchanged", () => {
    const MiB = 1024 * 1024;
    const fill = (unit: string) => unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB);
    const segments = [
      fill("sk-"), // chained prefixes: a token rule must not restart inside a run it already scanned
      fill("eyJ-osk_-xoxb-AIza-"),
      fill("sk-ant-abc "),
      fill("eyJabcde.eyJ "),
      fill("://a:b:"), // credentials without @
      fill("password=$P token: ${T} api_key=\t<key> "), // names followed by stand-ins
      fill("-----BEGIN RSA PUBLIC KEY-----\n"),
      fill("bearer abcdefgh "),
      fill("AKIA" + "abcdefghij0123456789".repeat(2).slice(0, 39) + " "), // AWS context, 39-char words
      fill("a_b.c-d"), // one endless identifier
      fill('x_token="' + "y".repeat(40) + "\n"), // unterminated quotes
    ];
    const text = segments.join("\n\n");
    expect(text.length).toBeGreaterThan(10 * MiB);
    const out = redact(text);
    expect(out.count).toBe(0);
    expect(out.text === text).toBe(true);
  }, 20_000);

  test("a 10 MiB private key body is redacted whole", () => {
    const text = `-----BEGIN RSA PRIVATE KEY-----\n${"QUJD".repeat(2_621_440)}\n-----END RSA PRIVATE KEY-----\ntail`;
    expect(redact(text)).toEqual({ text: "[REDACTED:private-key]\ntail", count: 1 });
  }, 60_000);
});

describe("a token wrapped into several string literals, as code wraps a long one", () => {
  const ghp = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
  test.each([
    ["JavaScript's + at a line's end", `const key = '${ghp}' +\n  'Zq7vW2pL9xQ3abc' +\n  'Kp2mQ7vL3x9Y';`, "const key = '[REDACTED:github-token]';"],
    ["a + at the next line's start", `key = "${ghp}"\n  + "Zq7vW2pL9xQ3abc";`, 'key = "[REDACTED:github-token]";'],
    ["Python's implicit concatenation", `KEY = ("${ghp}"\n       "Zq7vW2pL9xQ3abc")`, 'KEY = ("[REDACTED:github-token]")'],
  ])("%s: the pieces go with it", (_, text, redacted) => expect(createRedactor().redact(text)).toEqual({ text: redacted, count: 1 }));
  test.each([
    ["a short literal added", `x = "${ghp}" + "px"`],
    ["another argument on the same line", `curl "${ghp}" "abcdefghijklmnop"`],
    ["a literal of other characters below", `key = "${ghp}"\n  + "see the docs.";`],
  ])("%s: stays", (_, text) => {
    const out = createRedactor().redact(text);
    expect(out.count).toBe(1);
    expect(out.text).toBe(text.replace(ghp, "[REDACTED:github-token]"));
  });
});

describe("a value longer than the rules read at once", () => {
  // Past 1,000 characters the rule's regex stops; the value goes on to its end, none of it left.
  test.each([
    ["a kubeconfig's key data", "client-key-data: LS0tLS1CRUdJTi", "dmFINVltZ1ZlNVVJS3Fjbl", "\nnext: 1"],
    ["an environment token", "API_TOKEN=", "aB3xY9", " done"],
    ["a double-quoted environment token", 'API_TOKEN="', "aB3xY9", '" done'],
    ["a JSON field", '{"apiToken": "', "aB3xY9", '", "x": 1}'],
    ["an escaped JSON field", '{\\"apiToken\\": \\"', "aB3xY9", '\\", x}'],
    ["a single-quoted key", "api_key='", "aB3xY9", "' done"],
    ["a quoted flag value", 'gh auth login --token "', "aB3xY9", '" done'],
    ["fish's set", 'set -gx API_TOKEN "', "aB3xY9", '"'],
    ["a Kubernetes env value", "- name: API_TOKEN\n  value: \"", "aB3xY9", '"'],
  ])("%s", (_, head, unit, after) => {
    const out = createRedactor().redact(`${head}${unit.repeat(400)}${after}`).text;
    expect(out.includes(unit)).toBe(false);
    expect(out.endsWith(`[REDACTED:secret]${after}`)).toBe(true);
  });
  test("an AWS session token: whole, as its own kind (its shape is known)", () =>
    expect(createRedactor().redact(`aws_session_token = IQoJb3JpZ2luX2Vj${"QmFzZTY0VGFpbA".repeat(400)}`).text).toBe("aws_session_token = [REDACTED:aws-session-token]"));
});

describe("a private key in base64, and a secret wrapped over lines", () => {
  // Found by a blind sweep: only the first line of a wrapped secret went, or none of a key in base64.
  const base64 = (s: string) => Buffer.from(s).toString("base64");
  const wrap = (s: string, width: number) => (s.match(new RegExp(`.{1,${width}}`, "g")) as string[]).join("\n");
  const numbered = (s: string) => s.split("\n").map((line, i) => `${String(i + 1).padStart(6)}\u2192${line}`).join("\n");
  const body = wrap(Buffer.from(Array.from({ length: 900 }, (_, i) => (i * 73 + 11) % 256)).toString("base64"), 64);
  const pem = (label: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
  const rsa = base64(pem("RSA PRIVATE KEY"));
  const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMiwiZXhwIjoxOTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  const shortJwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.${"SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"}`;
  const anthropic = `sk-ant-api03-${"Zq7vW2pL9xQ3abcKp2mQ7vL3x9YaB3xY9".repeat(3)}AA`;
  const apiKey = "aB3xY9Zq7vW2pL9xQ3abcKp2mQ7vL3x9Y".repeat(4);

  test.each([
    ["base64 -w0 of an RSA key", rsa, "[REDACTED:private-key]"],
    ["base64 id_rsa, wrapped at 76 columns", `$ base64 id_rsa\n${wrap(rsa, 76)}\n$ ls`, "$ base64 id_rsa\n[REDACTED:private-key]\n$ ls"],
    ["base64 of a key with Windows line ends", `${wrap(rsa, 64).replaceAll("\n", "\r\n")}\r\nok`, "[REDACTED:private-key]\r\nok"],
    ["an EC key's base64 read at 64 columns, with the Read tool's numbers", numbered(wrap(base64(pem("EC PRIVATE KEY")), 64)), "     1\u2192[REDACTED:private-key]"],
    ["an OpenSSH key as a Secret's value", `tls.key: ${base64(pem("OPENSSH PRIVATE KEY"))}\nnext: 1`, "tls.key: [REDACTED:private-key]\nnext: 1"],
    ["a PKCS#8 key in a JSON field", `{"private_key_b64": "${base64(pem("PRIVATE KEY"))}"}`, '{"private_key_b64": "[REDACTED:private-key]"}'],
    ["an encrypted key in a JSON field, wrapped with \\n escapes", `{"k": "${wrap(base64(pem("ENCRYPTED PRIVATE KEY")), 76).replaceAll("\n", "\\n")}"}`, '{"k": "[REDACTED:private-key]"}'],
    ["a command's output in a JSON text, the key's lines after \\n escapes", JSON.stringify({ output: `$ base64 key.pem\n${wrap(rsa, 76)}` }), '{"output":"$ base64 key.pem\\n[REDACTED:private-key]"}'],
    ["cat tls.key | base64, indented under a block scalar", `data:\n  key: |\n${wrap(rsa, 76).replace(/^/gm, "    ")}\n  x: 1`, "data:\n  key: |\n    [REDACTED:private-key]\n  x: 1"],
    ["a JWT wrapped by fold -w 64", wrap(jwt, 64), "[REDACTED:jwt]"],
    ["a JWT wrapped at 80 columns, with the Read tool's numbers", numbered(wrap(jwt, 80)), "     1\u2192[REDACTED:jwt]"],
    ["a short JWT wrapped in its signature", `token:\n${wrap(shortJwt, 64)}\ndone now`, "token:\n[REDACTED:jwt]\ndone now"],
    ["a JWT after its name, wrapped", wrap(`TOKEN=${jwt}`, 64), "TOKEN=[REDACTED:jwt]"],
    ["a provider's key wrapped at 64 columns", wrap(anthropic, 64), "[REDACTED:anthropic-key]"],
    ["a provider's key after its name, wrapped, the last line short", wrap(`ANTHROPIC_API_KEY=${anthropic}`, 64), "ANTHROPIC_API_KEY=[REDACTED:anthropic-key]"],
    ["an assignment wrapped at a terminal's width (two full lines show it)", wrap(`$ export API_KEY=${apiKey}${apiKey}`, 100), "$ export API_KEY=[REDACTED:secret]"],
    ["a .env line read wrapped, with the Read tool's numbers", numbered(`${wrap(`API_KEY=${apiKey}`, 64)}\nDEBUG=1`), "     1\u2192API_KEY=[REDACTED:secret]\n     4\u2192DEBUG=1"],
    ["a hex key wrapped", wrap(`SECRET_KEY=${"9f8e7d6c5b4a39281706f5e4d3c2b1a0".repeat(4)}`, 64), "SECRET_KEY=[REDACTED:secret]"],
    ["a shell value continued with \\", `export API_KEY=${apiKey.slice(0, 30)}\\\n${apiKey.slice(30)}\necho ok`, "export API_KEY=[REDACTED:secret]\necho ok"],
    ["a .env value over lines in its quotes", `DB_PASSWORD="${apiKey.slice(0, 40)}\n${apiKey.slice(40)}"\nDEBUG=1`, 'DB_PASSWORD="[REDACTED:generic-api-key]"\nDEBUG=1'],
    ["a .env value over lines in its quotes, with the Read tool's numbers", numbered(`SECRET_TOKEN='${apiKey.slice(0, 50)}\n${apiKey.slice(50, 100)}\n${apiKey.slice(100)}'\nDEBUG=1`), "     1\u2192SECRET_TOKEN='[REDACTED:generic-api-key]'\n     4\u2192DEBUG=1"],
    ["a YAML folded block under a token's name", `api_token: >-\n  ${apiKey.slice(0, 60)}\n  ${apiKey.slice(60)}\nnext: 1`, "api_token: >-\n  [REDACTED:secret]\n  [REDACTED:secret]\nnext: 1"],
    ["a JWT's wrapped lines folded onto one, as a title's source is", `The token: ${wrap(jwt, 64).replaceAll("\n", " ")} thanks`, "The token: [REDACTED:jwt] thanks"],
    ["base64 of a key folded onto one line", `$ base64 id_rsa ${wrap(rsa, 76).replaceAll("\n", " ")} what is it?`, "$ base64 id_rsa [REDACTED:private-key] what is it?"],
    ["a flag's value continued with \\ twice", `gh auth login --token ${apiKey.slice(0, 20)}\\\n${apiKey.slice(20, 40)}\\\n${apiKey.slice(40)} --x`, "gh auth login --token [REDACTED:secret] --x"],
  ])("%s", (_, text, redacted) => {
    expect(createRedactor().redact(text).text).toBe(redacted);
  });

  const cert = wrap(base64(pem("CERTIFICATE")), 76);
  const sha = (i: number) => Bun.hash.wyhash(String(i)).toString(16).padStart(16, "0").repeat(3).slice(0, 40);
  test.each([
    ["a certificate in base64, wrapped", `$ base64 tls.crt\n${cert}`],
    ["a certificate in base64, as a Secret's tls.crt", `tls.crt: ${base64(pem("CERTIFICATE"))}`],
    ["a public key in base64", base64(pem("PUBLIC KEY"))],
    ["an SSH public key's base64", `ssh-ed25519 ${base64(pem("OPENSSH PUBLIC KEY"))} me@host`],
    ["a PNG in base64, wrapped", wrap(`iVBORw0KGgo${"AAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ".repeat(20)}`, 76)],
    ["text in base64, wrapped", wrap(base64("the quick brown fox jumps over the lazy dog. ".repeat(20)), 76)],
    ["git SHAs one per line", Array.from({ length: 6 }, (_, i) => sha(i)).join("\n")],
    ["a lockfile's integrity hashes", Array.from({ length: 4 }, (_, i) => `sha512-${base64(sha(i).repeat(2)).slice(0, 86)}==`).join("\n")],
  ])("%s: stays", (_, text) => {
    expect(createRedactor().redact(text)).toEqual({ text, count: 0 });
  });

  test.each([
    ["a token, then hashes one per line", `GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a\n${sha(1)}\n${sha(2)}`, `GITHUB_TOKEN=[REDACTED:github-token]\n${sha(1)}\n${sha(2)}`],
    ["a key filling its line at no usual width, then a word", `API_KEY=${apiKey.slice(0, 62)}\nDone`, "API_KEY=[REDACTED:secret]\nDone"],
    ["a key wrapped, then a line wider than its pieces", `${wrap(`API_KEY=${apiKey}`, 64).split("\n").slice(0, 2).join("\n")}\n${"x".repeat(70)}`, `API_KEY=[REDACTED:secret]\n${"x".repeat(70)}`],
    ["a hex key, then a line not all hex", `SECRET_KEY=${"9f8e7d6c5b4a3928".repeat(4).slice(0, 53)}\n5e4d3c2b1a0zzzz`, "SECRET_KEY=[REDACTED:secret]\n5e4d3c2b1a0zzzz"],
    ["a long key in prose, then a word", `key: ${anthropic} is the one`, "key: [REDACTED:anthropic-key] is the one"],
    ["a quoted value open, then prose below", `API_KEY="${apiKey.slice(0, 40)}\nsome words here"`, 'API_KEY="[REDACTED:generic-api-key]\nsome words here"'],
    ["a quoted value open, then another value opening below", `API_KEY="${apiKey.slice(0, 40)}\nNEXT="Zq7vW2pL9x"`, 'API_KEY="[REDACTED:generic-api-key]\nNEXT="Zq7vW2pL9x"'],
    ["a redirection after a name", "echo token: > out.txt\nls", "echo token: > out.txt\nls"],
    ["a value before \\, then an option", `docker run -e API_KEY=${apiKey.slice(0, 30)}\\\n  --rm app`, "docker run -e API_KEY=[REDACTED:secret]\\\n  --rm app"],
  ])("%s: the lines below stay", (_, text, redacted) => {
    expect(createRedactor().redact(text).text).toBe(redacted);
  });
});

describe("JSON escaped twice or more: JSON in a string in a string (found by a secret-fixing helper)", () => {
  const inner = JSON.stringify({ password: "hunter2-real-pw", api_key: "Xk93jdfLq02mZpw7" });
  const twice = JSON.stringify(JSON.stringify(inner)); // a transcript's line holding a tool's output holding a file
  exactAndKept(
    [
      [twice, twice.replace("hunter2-real-pw", "[REDACTED:secret]").replace("Xk93jdfLq02mZpw7", "[REDACTED:secret]")],
      ['{\\\\"password\\\\": \\\\"hunter2-real-pw\\\\"}', '{\\\\"password\\\\": \\\\"[REDACTED:secret]\\\\"}'],
      ['"{\\"tool_input\\":{\\"content\\":\\"{\\\\\\"token\\\\\\":\\\\\\"xDWK_#n0cZH97%0*\\\\\\"}\\"}}"', '"{\\"tool_input\\":{\\"content\\":\\"{\\\\\\"token\\\\\\":\\\\\\"[REDACTED:secret]\\\\\\"}\\"}}"'],
    ],
    [
      ["names and stand-ins escaped twice", '{\\\\\\"password\\\\\\": \\\\\\"${DB_PASSWORD}\\\\\\", \\\\\\"token_type\\\\\\": \\\\\\"Bearer\\\\\\", \\\\\\"refreshToken\\\\\\": \\\\\\"REFRESH_TOKEN\\\\\\"}'],
      ["a Windows path ending in a secret's name", 'copy C:\\\\keys\\\\token\\\\ "D:\\\\backup"'],
    ],
  );
});

describe("a shell word of several quoted pieces after a secret's name (found by a secret-fixing helper)", () => {
  exactAndKept(
    [
      [`export TOKEN='Xk9pQ2vL'"#7Rt"'Wm3z' && ./deploy`, "export TOKEN='[REDACTED:secret]' && ./deploy"],
      ['API_KEY="Xk9pQ2vL""Wm3zRt7q"\nNEXT=1', 'API_KEY="[REDACTED:secret]"\nNEXT=1'],
      ["PASSWORD='It'\\''s-a-Secret9' psql", "PASSWORD='[REDACTED:secret]' psql"],
    ],
    [
      ["quoted values apart", `f(password=$PW, 'x')\nprint("token" "s")\nTOKEN="$T" 'x'`],
    ],
  );

  test("values that end at their closing quote stay as before", () => {
    for (const [input, output] of [
      ['{"password":"Xk9pQ2vL","x":"y"}', '{"password":"[REDACTED:secret]","x":"y"}'],
      ["f(password='Xk9pQ2vL','x')", "f(password='[REDACTED:secret]','x')"],
      ['"password": "Xk9pQ2vL""', '"password": "[REDACTED:secret]""'],
    ]) expect(redact(input as string).text).toBe(output as string);
  });
});

describe("a session's base64url token, holding `_` (found by a secret-fixing helper)", () => {
  const token = "Zq7vW2pL_9xQ3abc-Kp2mQ7vL3x9Y";
  exactAndKept(
    [
      [`session=${token}`, "session=[REDACTED:secret]"],
      [`"session_id": "${token}"`, '"session_id": "[REDACTED:secret]"'],
      [`sessionid=${token}; path=/`, "sessionid=[REDACTED:secret]; path=/"],
    ],
    [["snake_case names and code", "session = SessionStore_v2_default\nsession: redis_cluster_01_primary\nsession_id = ab12_cd34_ef56_gh78_ij90\nsession = _lib.SSL_get1_session(self._ssl)"]],
  );
});

describe("a private key in base64 after other text it was encoded with, at any shift (found by a secret-fixing helper)", () => {
  // `cat tls.crt tls.key | base64`: the key's header starts at the certificate's length, modulo 3, into a group of three bytes.
  const wrap = (s: string, width: number) => (s.match(new RegExp(`.{1,${width}}`, "g")) as string[]).join("\n");
  const body = (k: number) => wrap(Buffer.from(Array.from({ length: 900 }, (_, i) => (i * k + 11) % 256)).toString("base64"), 64);
  const pem = (label: string, k: number) => `-----BEGIN ${label}-----\n${body(k)}\n-----END ${label}-----\n`;
  const stream = (between: string, second = "PRIVATE KEY") => Buffer.from(pem("CERTIFICATE", 73) + between + pem(second, 37)).toString("base64");
  /** What is left of the stream, decoded: the text before the marker. */
  const leftOf = (out: string) => {
    const left = out.split("\n").slice(1, -1).join("").replace(/\[REDACTED:[a-z-]+\][^]*/, "");
    return Buffer.from(left.slice(0, left.length - (left.length % 4)), "base64").toString("latin1");
  };

  for (const between of ["", "x", "xy"]) {
    for (const width of [0, 76]) {
      test(`${between.length} byte(s) of shift, ${width ? `wrapped at ${width}` : "on one line"}: the key goes, the certificate stays`, () => {
        const encoded = width ? wrap(stream(between), width) : stream(between);
        const out = redact(`$ cat tls.crt tls.key | base64\n${encoded}\n$ ls`);
        expect(out.count).toBe(1);
        expect(out.text).toContain("[REDACTED:private-key]");
        const left = leftOf(out.text);
        expect(left).toContain("-----END CERTIFICATE-----");
        expect(left).not.toContain(body(37).slice(0, 40));
      });
    }
  }

  test("certificates and public keys one after another stay", () => {
    for (const between of ["", "x", "xy"]) {
      for (const second of ["CERTIFICATE", "PUBLIC KEY"]) {
        const text = `$ cat chain.pem | base64\n${wrap(stream(between, second), 76)}\n$ ls`;
        expect(redact(text)).toEqual({ text, count: 0 });
      }
    }
  });
});

describe("a line that is one random-looking word, in a text that tells a secret (found by an end-to-end sweep)", () => {
  const aws = "bJAh9bMs9JhBRxESdSEXDuQod4Me5j3gUwdMjG2n";
  const paste = `here's what I have in the vault:\n\nprod:\n  admin user: root\n  admin pass: Tr0ub4dor&3x\n\n${aws}\n`;

  test("goes with the secret it is pasted beside", () => {
    const out = redact(paste);
    expect(out.text).not.toContain(aws);
    expect(out.text).not.toContain("Tr0ub4dor&3x");
    expect(out.text).toContain("admin user: root");
  });

  test("stays in a text that tells no secret", () => {
    const alone = `the build printed\n\n${aws}\n\nand then stopped`;
    expect(redact(alone)).toEqual({ text: alone, count: 0 });
  });

  test("a certificate's body, names and words beside a secret stay", () => {
    const body = ["MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ", "RTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD", "VQQDExlCYWx0aW1vcmUgQ3liZXJUcnVzdCBSb290MB4XDTAwMDUxMjE4NDYwMFoX"];
    const last = "Ea9kQ2pLz7Tr3mK8vB1nX";
    const text = `password: Tr0ub4dor&3x\n${body.join("\n")}\n${last}\nUserAuthenticationService2\nnpm_config_registry_default\n`;
    const out = redact(text);
    expect(out.count).toBe(1);
    for (const line of [...body, last, "UserAuthenticationService2", "npm_config_registry_default"]) expect(out.text).toContain(line);
  });

  test("1 MiB of a blob's lines beside a secret completes, and keeps them", () => {
    const line = "VQQDExlCYWx0aW1vcmUgQ3liZXJUcnVzdCBSb290MB4XDTAwMDUxMjE4NDYwMFoX";
    const text = `password: Tr0ub4dor&3x\n${`${line}\n`.repeat((1 << 20) / (line.length + 1))}`;
    const out = redact(text);
    expect(out.count).toBe(1);
    expect(out.text.split(line).length).toBe(text.split(line).length);
  });
});

describe("a Google service account's private_key_id (found by a blind sweep)", () => {
  exactAndKept(
    [
      [
        '{\n  "type": "service_account",\n  "private_key_id": "c8b300077c6bc7dd33d733a20a62d125a9b90972",\n  "client_id": "112233445566778899001"\n}',
        '{\n  "type": "service_account",\n  "private_key_id": "[REDACTED:secret]",\n  "client_id": "112233445566778899001"\n}',
      ],
      ["GOOGLE_PRIVATE_KEY_ID=c8b300077c6bc7dd33d733a20a62d125a9b90972", "GOOGLE_PRIVATE_KEY_ID=[REDACTED:secret]"],
    ],
    [["a placeholder, a short name, and the account's public ids", '{"private_key_id": "YOUR_PRIVATE_KEY_ID", "privateKeyId": "key-1", "client_id": "112233445566778899001", "key_id": "c8b300077c6bc7dd33d733a20a62d125a9b90972"}']],
  );
});

describe("Contentful's, Aiven's and Login with Amazon's tokens, bare, with no word naming them (found by a red-team sweep)", () => {
  exactAndKept(
    [
      ["here you go CFPAT-575YX8XM5mSLFy5UBIHEYeD7p4Zdl-AK6j0KgodkDIN thanks", "here you go [REDACTED:contentful-token] thanks"],
      ['senha = "AVNS_ZG2SYE9B2rANN76DeYt"', 'senha = "[REDACTED:aiven-password]"'],
      ["rediss://default:AVNS_ZaEkoMxrRVFTVA9aw7H@redis-do-user-1.c.db.ondigitalocean.com:25061", "rediss://default:[REDACTED:password]@redis-do-user-1.c.db.ondigitalocean.com:25061"],
      ["got Atzr|IwEBRfMBH7_WY5YQ1xOy1bAimCaXyMFSb4hBqlxJJLafBvv6Q9RxXTndfYUZx9K1 back", "got [REDACTED:amazon-lwa-token] back"],
    ],
    [["the prefixes in prose and placeholders", "a management token starts with CFPAT-, not the delivery token\nAVNS_ passwords come from Aiven\nplaceholder=\"Atzr|xxx...\"\nif (!token.startsWith(\"Atza|\")) fail()"]],
  );
});

describe("HAProxy's userlist passwords and Postfix's sasl_passwd lines (found by the red team)", () => {
  exactAndKept(
    [
      ["userlist admins\n  user admin insecure-password S3cr3tAdm1nPw!\n", "userlist admins\n  user admin insecure-password [REDACTED:password]\n"],
      ["[smtp.example.com]:587 alice@example.com:mailPa55word", "[smtp.example.com]:587 alice@example.com:[REDACTED:password]"],
      ["[smtp.gmail.com]:587    me@gmail.com:abcd efgh ijkl mnop\n", "[smtp.gmail.com]:587    me@gmail.com:[REDACTED:password]\n"],
      ["$ sudo cat /etc/postfix/sasl_passwd\nsmtp.office365.com:587 me@acme.com:Hunter2hunter\n", "$ sudo cat /etc/postfix/sasl_passwd\nsmtp.office365.com:587 me@acme.com:[REDACTED:password]\n"],
    ],
    [
      ["HAProxy's options and prose", "user admin insecure-password $PASS\nthe insecure-password keyword stores it in clear\n"],
      ["IPv6 addresses, Markdown references, log tags, the file's other lines", "listening on [::1]:8080 ok:true\n[docs]: https://example.com/x\n[www.example.com]:443 GET:/index.html\n[INFO] status:ok\npostmap /etc/postfix/sasl_passwd\nrelayhost = [smtp.gmail.com]:587\nsmtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd"],
    ],
  );
});

describe("a WiFi network's QR code text (found by the red team)", () => {
  exactAndKept(
    [
      ["qrencode -o net.png 'WIFI:T:WPA;S:HomeNet;P:Gu3stNetw0rk!;;'", "qrencode -o net.png 'WIFI:T:WPA;S:HomeNet;P:[REDACTED:password];;'"],
      ["WIFI:S:Cafe\\;Bar;T:WPA;P:pa\\;ss2024word;H:false;;", "WIFI:S:Cafe\\;Bar;T:WPA;P:[REDACTED:password];H:false;;"],
      ["WIFI:P:Tr0ub4dor&3;T:WPA;S:Office;;", "WIFI:P:[REDACTED:password];T:WPA;S:Office;;"],
    ],
    [["an open network, a placeholder, prose", "WIFI:T:nopass;S:Guest;;\nWIFI:T:WPA;S:<ssid>;P:<password>;;\nthe WIFI: prefix starts the text\nno_WIFI:P:abc"]],
  );
});

describe("BitLocker recovery keys, TOTP seeds and 2FA backup codes (found by the red team)", () => {
  exactAndKept(
    [
      ["412236-052668-596321-110715-308033-701041-224554-513568", "[REDACTED:recovery-key]"],
      ["    Numerical Password:\n      Password:\n        412236-052668-596321-110715-308033-701041-224554-513568\n", "    Numerical Password:\n      Password:\n        [REDACTED:recovery-key]\n"],
      ["BitLocker recovery key: 123456-654321-111222-333444-555666-777888-999000-121212", "BitLocker recovery key: [REDACTED:recovery-key]"],
      ["     1→GitHub recovery codes:\n     2→\n     3→ 12345678  87654321\n", "     1→GitHub recovery codes:\n     2→\n     3→ [REDACTED:recovery-code]  [REDACTED:recovery-code]\n"],
      ["oathtool --totp -b JBSWY3DPEHPK3PXP", "oathtool --totp -b [REDACTED:totp-secret]"],
      ["code = pyotp.TOTP('JBSWY3DPEHPK3PXP').now()", "code = pyotp.TOTP('[REDACTED:totp-secret]').now()"],
      ["Setup key: 4gtk 2vzq m3xa pq7r", "Setup key: [REDACTED:totp-secret]"],
      ["Your backup codes:\n8f3k2-9dj4x\n4hq7p-2mz8w\n\nKeep them safe.", "Your backup codes:\n[REDACTED:recovery-code]\n[REDACTED:recovery-code]\n\nKeep them safe."],
      ["GitHub recovery codes:\n\n 12345678  87654321\n 23456789\n", "GitHub recovery codes:\n\n [REDACTED:recovery-code]  [REDACTED:recovery-code]\n [REDACTED:recovery-code]\n"],
      ["Here are your backup codes: 7281 9934, 1029 3847", "Here are your backup codes: [REDACTED:recovery-code], [REDACTED:recovery-code]"],
    ],
    [
      ["dates, fewer groups, a phone number", "2024-01-01-12-00\n123456-654321-111222-333444-555666-777888-999000\n+1-555-123-4567\n"],
      ["prose about seeds and codes", "the secret key is stored in the vault and then used\noathtool --totp -b \"$SEED\"\nRecovery codes are shown only once. Store them somewhere safe.\nBackup codes\nEach code can be used once.\nMake sure the recovery code is saved\nsee backup codes: docs/2fa.md\n"],
    ],
  );
});

describe("an idempotency key and a cache's key are no credentials (false positives found by the red team)", () => {
  exactAndKept(
    [
      ["the key is Xk9mQ2pL7vR3zT8wN1bY4cF6", "the key is [REDACTED:secret]"],
      ['cache_api_key: "Xk9mQ2pL7vR3zT8wN1bY4cF6"', 'cache_api_key: "[REDACTED:secret]"'],
      ["The cache is cleared. The key is Xk9mQ2pL7vR3zT8wN1bY4cF6", "The cache is cleared. The key is [REDACTED:secret]"],
    ],
    [
      ["a request's idempotency key", 'Idempotency key: 3f1c9a2e-7b4d-4e8f-9a6c-1d2e3f4a5b6c\nIdempotency-Key: 3f1c9a2e-7b4d-4e8f-9a6c-1d2e3f4a5b6c\n"idempotencyKey": "3f1c9a2e-7b4d-4e8f-9a6c-1d2e3f4a5b6c"\nIDEMPOTENCY_KEY=3f1c9a2e7b4d4e8f9a6c1d2e3f4a5b6c'],
      ["actions/cache's keys", "Run actions/cache@v4\nCache saved with the key node-cache-Linux-x64-npm-8f14e45fceea167a5a36dedd4bea2543f0b8f8b3ac2a6b3b\ncache saved with the key 5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a\ncache key: 8f14e45fceea167a5a36dedd4bea2543"],
    ],
  );
  test("kept in a JSON value too", () => {
    const value = { headers: { "Idempotency-Key": "3f1c9a2e-7b4d-4e8f-9a6c-1d2e3f4a5b6c" }, idempotency_key: "3f1c9a2e7b4d4e8f9a6c1d2e3f4a5b6c" };
    expect(redactValue(value)).toEqual({ value, count: 0 });
  });
});

describe("Azure's primary and secondary keys are credentials, not a table's primary key", () => {
  const key = "kJ3nQ8vLp2XrT6wYz9AbCdEfGh1JkLmNoPqRsTuVwXy=";
  exactAndKept(
    [
      [`AZURE_SERVICEBUS_PRIMARY_KEY=${key}`, "AZURE_SERVICEBUS_PRIMARY_KEY=[REDACTED:secret]"],
      [`export IOTHUB_PRIMARY_KEY="${key}"`, 'export IOTHUB_PRIMARY_KEY="[REDACTED:secret]"'],
      [`Primary key: ${key}`, "Primary key: [REDACTED:generic-api-key]"],
      [
        `{"keyName": "RootManageSharedAccessKey", "primaryKey": "${key}", "secondaryKey": "${key}"}`,
        '{"keyName": "RootManageSharedAccessKey", "primaryKey": "[REDACTED:secret]", "secondaryKey": "[REDACTED:secret]"}',
      ],
    ],
    [["a table's primary key in code", '{ primaryKey: "userId", autoIncrement: true }\nCREATE TABLE t (id INT, PRIMARY KEY (id));']],
  );
});

describe("the values of a map named secrets, whatever their keys (found by the red team)", () => {
  exactAndKept(
    [
      [
        "jobs:\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n    secrets:\n      prod_blob: \"9fK2mQ7xLp3RvT8wZ1nB\"\n      staging_thing: Xa8Lq2Wm9Pz4Rt7Kv3Nc\n      hook: 5f0a8c3e9b1d4f6a7b8c9d0e1f2a3b4c\n",
        "jobs:\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n    secrets:\n      prod_blob: \"[REDACTED:secret]\"\n      staging_thing: [REDACTED:secret]\n      hook: [REDACTED:secret]\n",
      ],
      ["app:\n  secrets:\n    blob1: hK8vP2qR9mZ3xL7w\n  name: web\n", "app:\n  secrets:\n    blob1: [REDACTED:secret]\n  name: web\n"],
      ['{"secrets": {"prod_blob": "Zq8Wm3Lp9Xr2Tk7V", "name": "release"}}', '{"secrets": {"prod_blob": "[REDACTED:secret]", "name": "release"}}'],
    ],
    [
      [
        "GitHub Actions' references and a reusable workflow's declared secrets",
        "jobs:\n  call:\n    secrets: inherit\n  other:\n    secrets:\n      token: ${{ secrets.GH_TOKEN }}\n      other: ${{ secrets.OTHER }}\non:\n  workflow_call:\n    secrets:\n      NPM_TOKEN:\n        required: true\n        description: The npm token for publishing v2\n",
      ],
      ["docker compose's secrets and an ECS task's", "secrets:\n  db_pw:\n    file: ./secrets/db_pw_2024.txt\n  api:\n    external: true\n    name: prod_api_key_v2\ncontainerDefinitions:\n  - secrets:\n      - name: DB_URL\n        valueFrom: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf\n"],
    ],
  );
});

describe("a router's or a switch's config: enable, user, SNMP community, TACACS+ and RADIUS keys (found by the red team)", () => {
  exactAndKept(
    [
      [
        "hostname core1\nenable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\nusername admin privilege 15 password 0 cisco123Xy\nsnmp-server community N3tw0rkC0mm RW 10\ntacacs-server host 10.1.1.1 key 7 0822455D0A16\nradius-server key R4d1usK3y\n",
        "hostname core1\nenable secret 5 [REDACTED:password]\nusername admin privilege 15 password 0 [REDACTED:password]\nsnmp-server community [REDACTED:password] RW 10\ntacacs-server host 10.1.1.1 key 7 [REDACTED:password]\nradius-server key [REDACTED:password]\n",
      ],
    ],
    [["prose and commands about them", "username admin password reset required\nenable password-encryption\nservice password-encryption\nsnmp-server community <string> RO\nUse \"username <name> secret <password>\" to create a user.\n"]],
  );
});

describe("OpenVPN's shared keys, as a private key's block (found by the red team)", () => {
  exactAndKept(
    [
      [
        "<tls-auth>\n-----BEGIN OpenVPN Static key V1-----\n6acef03f62675b4b1bbd03e53b187727\nbe81f9a2d0e5f1c3a7b9d8e6f4a2c0b1\n-----END OpenVPN Static key V1-----\n</tls-auth>\nkey-direction 1",
        "<tls-auth>\n[REDACTED:private-key]\n</tls-auth>\nkey-direction 1",
      ],
      ["-----BEGIN OpenVPN tls-crypt-v2 client key-----\nQWJjZGVmMDEyMw==\n-----END OpenVPN tls-crypt-v2 client key-----\nok", "[REDACTED:private-key]\nok"],
    ],
    [["a certificate and the directive alone", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\ntls-auth ta.key 1\nopenvpn --genkey secret ta.key"]],
  );
});

describe("Windows' net use with a password (found by the red team)", () => {
  exactAndKept(
    [
      ["net use Z: \\\\server\\share Xk9mQ2pL7vR3 /user:alice", "net use Z: \\\\server\\share [REDACTED:password] /user:alice"],
      ['net use \\\\fs01\\data "P@ss w0rd!" /user:CORP\\alice /persistent:no', 'net use \\\\fs01\\data "[REDACTED:password]" /user:CORP\\alice /persistent:no'],
      ["net use \\\\srv\\share /user:CORP\\alice S3cret!x", "net use \\\\srv\\share /user:CORP\\alice [REDACTED:password]"],
    ],
    [["a prompt, a deletion, options", "net use Z: \\\\server\\share /user:alice *\nnet use Z: \\\\server\\share /delete\nnet use Z: \\\\srv\\share /persistent:yes\nnet use"]],
  );
});

describe("strongSwan's ipsec.secrets, pppd's chap-secrets and PgBouncer's userlist.txt (found by the red team)", () => {
  exactAndKept(
    [
      ['# /etc/ipsec.secrets\n: PSK "Xk9mQ2pL7v"\nalice : EAP "Tr0ub4dor3"\nmoon : XAUTH Tr0ub4dor4\n', '# /etc/ipsec.secrets\n: PSK "[REDACTED:password]"\nalice : EAP "[REDACTED:password]"\nmoon : XAUTH [REDACTED:password]\n'],
      [
        '$ sudo cat /etc/ppp/chap-secrets\n# client server secret IP addresses\nalice * Xk9mQ2pL7v *\n"bob" pptpd "s3cretpw" 10.0.0.2\n',
        '$ sudo cat /etc/ppp/chap-secrets\n# client server secret IP addresses\nalice * [REDACTED:password] *\n"bob" pptpd "[REDACTED:password]" 10.0.0.2\n',
      ],
      ['cat /etc/pgbouncer/userlist.txt\n"alice" "Xk9mQ2pL7vR3"\n"pgbouncer" "md5a3556571e93b0d20722ba62be61e8c2d"\n', 'cat /etc/pgbouncer/userlist.txt\n"alice" "[REDACTED:password]"\n"pgbouncer" "[REDACTED:password]"\n'],
      ["cat ~/.pgpass\ndb.internal:5433:app:app:Xk9mQ2pL7v", "cat ~/.pgpass\ndb.internal:5433:app:app:[REDACTED:password]"],
    ],
    [
      ["an RSA key's line and prose about the files", ": RSA moonKey.pem\nthe chap-secrets file holds one line per client\nEdit the file and restart pppd\nEach line has four fields\nsee userlist.txt for the format\n"],
    ],
  );
});

test("Contentful's and Aiven's tokens a little shorter or longer than their format, as one made up for a test is, go too (found by the red team's sync sweep)", () => {
  expect(redact("contentful CFPAT-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9 and AVNS_aB3dE5fG7hJ9kL1mN3pQ5").text).toBe("contentful [REDACTED:contentful-token] and [REDACTED:aiven-password]");
});

describe("a password or a key told in more languages (found by the red team)", () => {
  exactAndKept(
    [
      ["Salasana on Xk9mQ2pL7vR3\nLösenordet är Xk9mQ2pL7vR4\nHeslo je Xk9mQ2pL7vR5", "Salasana on [REDACTED:password]\nLösenordet är [REDACTED:password]\nHeslo je [REDACTED:password]"],
      ["Jelszó: Xk9mQ2pL7vR3\nPassord: Xk9mQ2pL7vR4\nAdgangskode: Xk9mQ2pL7vR5\nKata sandi: Xk9mQ2pL7vR6\nParola: Xk9mQ2pL7vR7", "Jelszó: [REDACTED:password]\nPassord: [REDACTED:password]\nAdgangskode: [REDACTED:password]\nKata sandi: [REDACTED:password]\nParola: [REDACTED:password]"],
      ["كلمة المرور: Xk9mQ2pL7vR3\nסיסמה: Xk9mQ2pL7vR4\nपासवर्ड: Xk9mQ2pL7vR5", "كلمة المرور: [REDACTED:password]\nסיסמה: [REDACTED:password]\nपासवर्ड: [REDACTED:password]"],
      ["Mật khẩu: Xk9mQ2pL7vR3\nΚωδικός: Xk9mQ2pL7vR4\nรหัสผ่าน: Xk9mQ2pL7vR5\nUżyj hasła Xk9mQ2pL7vR6 do logowania", "Mật khẩu: [REDACTED:password]\nΚωδικός: [REDACTED:password]\nรหัสผ่าน: [REDACTED:password]\nUżyj hasła [REDACTED:password] do logowania"],
      ["мой API ключ: Xk9mQ2pL7vR3zT8wN1bY4cF6\nтокен бота: Xk9mQ2pL7vR3zT8wN1bY4cF7", "мой API ключ: [REDACTED:secret]\nтокен бота: [REDACTED:secret]"],
      ["APIキーは Xk9mQ2pL7vR3zT8wN1bY4cF6 です\n我的API密钥是Xk9mQ2pL7vR3zT8wN1bY4cF7\nAPI 키: Xk9mQ2pL7vR3zT8wN1bY4cF8", "APIキーは [REDACTED:secret] です\n我的API密钥是[REDACTED:secret]\nAPI 키: [REDACTED:secret]"],
      ["Minha chave de API é Xk9mQ2pL7vR3zT8wN1bY4cF6\nMijn API-sleutel is Xk9mQ2pL7vR3zT8wN1bY4cF7", "Minha chave de API é [REDACTED:secret]\nMijn API-sleutel is [REDACTED:secret]"],
      [
        "كلمة المرور هي Xk9mQ2pL7vR3\nपासवर्ड है Xk9mQ2pL7vR4\nรหัสผ่านคือ Xk9mQ2pL7vR5\nkata sandinya Xk9mQ2pL7vR6",
        "كلمة المرور هي [REDACTED:password]\nपासवर्ड है [REDACTED:password]\nรหัสผ่านคือ [REDACTED:password]\nkata sandinya [REDACTED:password]",
      ],
    ],
    [
      [
        "prose about passwords and keys, and Italian's word",
        "Salasana on vaihdettava\nheslo je příliš krátké\nТокен истёк, обновите его\nключ API хранится в .env\nAPIキーは環境変数に保存されています\nla parola è Python3\nPassordet er feil\nchave de API: YOUR_API_KEY\nDe API-sleutel is verlopen\nтокен: $BOT_TOKEN\nKata sandi salah\nkata sandinya salah\nपासवर्ड है गलत\nรหัสผ่านคือ อะไร",
      ],
    ],
  );
});

describe("a key told in French with its accent (found by the red team)", () => {
  exactAndKept(
    [["Ma clé API est Xk9mQ2pL7vR3zT8wN1bY4cF6\nClé API : Xk9mQ2pL7vR3zT8wN1bY4cF7", "Ma clé API est [REDACTED:secret]\nClé API : [REDACTED:secret]"]],
    [["prose about a key, accented words", "la clé API est stockée dans le fichier .env\nla clé d'API est expirée\ncafé été déjà"]],
  );
});

describe("a token told in Japanese, Chinese or Korean, and a password after a copula and a colon (found by the red team)", () => {
  exactAndKept(
    [
      ["トークンは Zx8Cv7Bn6Mq5Lp4Ks3 です\n令牌是 Zx8Cv7Bn6Mq5Lp4Ks4\n토큰: Zx8Cv7Bn6Mq5Lp4Ks5", "トークンは [REDACTED:secret] です\n令牌是 [REDACTED:secret]\n토큰: [REDACTED:secret]"],
      ["我的密码是：Zx8Cv7Bn6Mq5\nパスワードは: Tr0ub4dor&3x", "我的密码是：[REDACTED:password]\nパスワードは: [REDACTED:password]"],
    ],
    [["prose about tokens, and a word after a copula", "トークンの有効期限が切れました\nトークンは環境変数に保存します\n令牌是 JWT 格式\n토큰이 만료되었습니다\n密码是：必填项\nトークンは: OAuth2Token"]],
  );
});

test("the Azure CLI's keys, one a line as --query \"[].value\" -o tsv prints them: the command says they are keys (found by the red team's hunt)", () => {
  const { redactOutput } = createRedactor();
  const key = (c: string) => `${c}q7vK2mXw9RtY4bN8cLp3sHd6fJg1aQe5uVo0iTrZq7vK2mXw9RtY4bN8cLp3sHd6fJg1aQe5uVo0iTrAbCdEf==`;
  expect(commandPrints('az storage account keys list -g rg -n acct --query "[].value" -o tsv')).toBe("any");
  expect(commandPrints("az cosmosdb keys list -n db -g rg --type keys")).toBe("any");
  expect(commandPrints("az search admin-key show --service-name s -g rg")).toBe("any");
  expect(commandPrints("gcloud iam service-accounts keys list --iam-account a@b.iam.gserviceaccount.com")).toBeUndefined();
  // Two base64 lines in a row read as one key wrapped: one marker for both.
  const lines = redactOutput(`${key("A")}\n${key("B")}\n`, "any").text;
  expect(lines).toStartWith("[REDACTED:secret]");
  expect(lines).not.toContain("q7vK2mXw9RtY4bN8");
  const json = '[\n  {\n    "keyName": "key1",\n    "permissions": "FULL",\n    "value": "' + key("C") + '"\n  }\n]\n';
  expect(redactOutput(json, "any").text).toBe(json.replace(key("C"), "[REDACTED:secret]"));
});

describe("Twilio's auth token given to Java's, C#'s, Ruby's clients and node's require('twilio')(…) (found by the red team's hunt)", () => {
  exactAndKept(
    [
      ['Twilio.init("AC3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c", "4f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c");', 'Twilio.init("AC3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c", "[REDACTED:secret]");'],
      ['TwilioClient.Init(accountSid, "4f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c");', 'TwilioClient.Init(accountSid, "[REDACTED:secret]");'],
      ["@client = Twilio::REST::Client.new(account_sid, '4f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c')", "@client = Twilio::REST::Client.new(account_sid, '[REDACTED:secret]')"],
      ["const client = require('twilio')(accountSid, '4f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c');", "const client = require('twilio')(accountSid, '[REDACTED:secret]');"],
    ],
    [["variables and another init", "Twilio.init(accountSid, authToken);\nrequire('twilio')(sid, token);\nSentry.init(options, \"4f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c\");"]],
  );
});

describe("a table drawn with heavy or double bars (Railway's, rich's), its secret's row (found by the red team's hunt)", () => {
  exactAndKept(
    [
      ["╔══════════════╦══════════════════════╗\n║ DB_PASSWORD  ║ Zx8Cv7Bn6Mq5         ║\n╚══════════════╩══════════════════════╝", "╔══════════════╦══════════════════════╗\n║ DB_PASSWORD  ║ [REDACTED:secret]         ║\n╚══════════════╩══════════════════════╝"],
      ["┃ Name        ┃ Value        ┃\n┃ API_TOKEN   ┃ Zx8Cv7Bn6Mq5 ┃", "┃ Name        ┃ Value        ┃\n┃ API_TOKEN   ┃ [REDACTED:secret] ┃"],
    ],
    [["a table of steps, a name's row with a stand-in", "║ Step ║ Result ║\n║ build2 ║ ok ║\n║ DB_PASSWORD ║ <set me> ║"]],
  );
});

describe("WordPress' salts, spaces among their symbols (found by the red team's hunt)", () => {
  exactAndKept(
    [
      [
        "define( 'AUTH_KEY',         'q8%Z|7 ]eK+Lx@9wB!vR3{mN5#tY^1uI&oP*aS(dF)gH0jK_lZ' );\ndefine( 'NONCE_SALT', 'Zx8%C|7 B@6!M(5 L)4#K{3 J}2&Z~8 C<7*B>6 M;5^' );",
        "define( 'AUTH_KEY',         '[REDACTED:secret]' );\ndefine( 'NONCE_SALT', '[REDACTED:secret]' );",
      ],
    ],
    [["the sample's stand-in and a sentence", "define('AUTH_KEY', 'put your unique phrase here');\ndefine('SECRET_KEY', 'Set This In The Admin Panel: v2 (see docs)!');"]],
  );
});

describe("an API key given to curl as the user with no password, and influx's -t (found by the red team's hunt)", () => {
  exactAndKept(
    [
      ["curl https://api.example.com/v1/charges -u Zx8Cv7Bn6Mq5Lp4Ks3Jd2:", "curl https://api.example.com/v1/charges -u [REDACTED:password]:"],
      ["influx config create -n default -u http://localhost:8086 -o org -t Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8Cv7Bn6Mq5Lp4Ks3Jd2== -a", "influx config create -n default -u http://localhost:8086 -o org -t [REDACTED:secret] -a"],
    ],
    [["a user with no password, a variable, another command's -t", "curl -u alice: https://x\ncurl -u $STRIPE_KEY: https://x\ninfluxd -t 5\ndocker build -t app:2.1 .\ncurl -u admin:'$PASSWORD' https://x\ncurl -u admin:\"${PASS}\" https://x\ncurl -u admin:'' https://x"]],
  );
});

describe("more labels and particles of Chinese, Japanese, Korean and Vietnamese (found by the red team's hunt)", () => {
  exactAndKept(
    [
      ["我的 token 是 Zx8Cv7Bn6Mq5Lp4Ks3Jd2\nシークレットは Zx8Cv7Bn6Mq5Lp4Ks3Jd3 です\n秘密鍵は Zx8Cv7Bn6Mq5Lp4Ks3Jd4", "我的 token 是 [REDACTED:secret]\nシークレットは [REDACTED:secret] です\n秘密鍵は [REDACTED:secret]"],
      ["パスワードを Zx8Cv7Bn6Mq5 に変更しました\n密码改为 Zx8Cv7Bn6Mq6\nMật khẩu là Zx8Cv7Bn6Mq7\npassword は Zx8Cv7Bn6Mq8", "パスワードを [REDACTED:password] に変更しました\n密码改为 [REDACTED:password]\nMật khẩu là [REDACTED:password]\npassword は [REDACTED:password]"],
    ],
    [
      [
        "prose about tokens and passwords in those languages, and English",
        "パスワードを入力してください\ntoken 是 JWT 格式\npassword 是 SHA256 哈希\nシークレットは環境変数に保存します\nthe token is stored in the keychain\npassword: ********\nAPI 是 REST 风格",
      ],
    ],
  );
});

test("a file of one secret read by the Read tool, Claude Code's reminder appended to its result (found by the red team's hunt)", () => {
  const { redactOutput } = createRedactor();
  const reminder = "\n\n<system-reminder>\nWhenever you read a file, you should consider whether it looks malicious.\n</system-reminder>\n";
  expect(redactOutput(`     1\u2192hunter2hunter2xx${reminder}`, "dotfile").text).toBe(`     1\u2192[REDACTED:password]${reminder}`);
  expect(redactOutput(`     1\u2192hunter2hunter${reminder}`, "any").text).toBe(`     1\u2192[REDACTED:secret]${reminder}`);
  expect(redactOutput(`     1\u2192alice\n     2\u2192hunter22${reminder}`, "user-pass").text).toBe(`     1\u2192alice\n     2\u2192[REDACTED:password]${reminder}`);
  // A reminder with more after it is no trailing one: the output is not one word.
  const more = `     1\u2192hunter2hunter2xx${reminder}and more\n`;
  expect(redactOutput(more, "dotfile")).toEqual({ text: more, count: 0 });
});

test("a stored secret printed by a command after a cd, the Bash tool's 'Shell cwd was reset' appended (found by the red team's hunt)", () => {
  const { redactOutput } = createRedactor();
  const reset = "\nShell cwd was reset to /home/dev/app";
  expect(commandPrints("cd /tmp && pass show db/prod")).toBe("first-line");
  expect(redactOutput(`hunter22${reset}`, "any").text).toBe(`[REDACTED:secret]${reset}`);
  expect(redactOutput(`hunter2hunter2xx${reset}`, "dotfile").text).toBe(`[REDACTED:password]${reset}`);
  expect(redactOutput(`alice\nhunter22${reset}`, "user-pass").text).toBe(`alice\n[REDACTED:password]${reset}`);
  const prose = `some notes here${reset}`;
  expect(redactOutput(prose, "any")).toEqual({ text: prose, count: 0 });
});

test("a lone random key as a tool's whole result, Claude Code's notice appended (found by the red team's hunt)", () => {
  const reminder = "\n\n<system-reminder>\nWhenever you read a file, you should consider whether it looks malicious.\n</system-reminder>\n";
  const reset = "\nShell cwd was reset to /home/dev/app";
  expect(redact(`     1\u2192Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8Cv7Bn6Mq5Lp4${reminder}`).text).toBe(`     1\u2192[REDACTED:secret]${reminder}`);
  expect(redact(`Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8Cv7Bn6Mq5Lp4${reset}`).text).toBe(`[REDACTED:secret]${reset}`);
  for (const kept of [`     1\u2192UserProfileService${reminder}`, `done${reset}`]) expect(redact(kept)).toEqual({ text: kept, count: 0 });
});

describe("a private key shown as its fields: openssl's -text hex and a JSON Web Key (found by the red team's hunt)", () => {
  exactAndKept(
    [
      [
        "Private-Key: (2048 bit, 2 primes)\nmodulus:\n    00:c3:5a:9b\npublicExponent: 65537 (0x10001)\nprivateExponent:\n    4a:1f:33:9c:0e:77:b2:\n    2f:8a\nprime1:\n    00:f4:21\n",
        "Private-Key: (2048 bit, 2 primes)\nmodulus:\n    00:c3:5a:9b\npublicExponent: 65537 (0x10001)\nprivateExponent:\n    [REDACTED:private-key]\nprime1:\n    [REDACTED:private-key]\n",
      ],
      ["read EC key\nPrivate-Key: (256 bit)\npriv:\n    3b:9a:21:c4\npub:\n    04:aa:bb", "read EC key\nPrivate-Key: (256 bit)\npriv:\n    [REDACTED:private-key]\npub:\n    04:aa:bb"],
      [
        '{\n  "crv": "P-256",\n  "d": "Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8Cv7Bn6Mq5Lp4Ks3Jd2ab",\n  "kty": "EC",\n  "x": "Ax8Cv7Bn6Mq5Lp4Ks3Jd2Zx8Cv7Bn6Mq5Lp4Ks3Jd2ab"\n}',
        '{\n  "crv": "P-256",\n  "d": "[REDACTED:private-key]",\n  "kty": "EC",\n  "x": "Ax8Cv7Bn6Mq5Lp4Ks3Jd2Zx8Cv7Bn6Mq5Lp4Ks3Jd2ab"\n}',
      ],
    ],
    [["a public JWK set, a field with no hex, a number", '{"keys":[{"kty":"RSA","e":"AQAB","kid":"abc","n":"Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8Cv7Bn6Mq5Lp4Ks3Jd2ab"}]}\npriv:\n    none\nprime1: 7']],
  );
});

describe("a password or a token told with a bracketed qualifier, who needs it, or 'using … as' (found by the red team's hunt)", () => {
  exactAndKept(
    [
      ["Password (staging): Blue42horse\nToken (prod): Zx8Cv7Bn6Mq5Lp4Ks3Jd2", "Password (staging): [REDACTED:password]\nToken (prod): [REDACTED:secret]"],
      ["The password you need is Blue42horse", "The password you need is [REDACTED:password]"],
      ["I'm using Blue42horse as the password", "I'm using [REDACTED:password] as the password"],
    ],
    [
      [
        "qualifiers before words, a cache's key, a runtime",
        "Password (optional): none\nPassword (required): must be 8 characters\nthe password you need is in 1Password\nToken (JWT): see below\npassword (hashed): bcrypt\nkey (sort): createdAt2\nI am using Python3 as the runtime\nusing OAuth2 as the token flow",
      ],
    ],
  );
});

describe("Korean's subject particles and Japanese's double quotes (found by the red team's hunt)", () => {
  exactAndKept(
    [["비밀번호가 Zx8Cv7Bn6Mq5 입니다\n토큰이 Zx8Cv7Bn6Mq5Lp4Ks3Jd2 입니다\nパスワードは『Zx8Cv7Bn6Mq6』です", "비밀번호가 [REDACTED:password] 입니다\n토큰이 [REDACTED:secret] 입니다\nパスワードは『[REDACTED:password]』です"]],
    [["Korean prose about a password and a token", "비밀번호가 틀렸습니다\n토큰이 만료되었습니다\n비밀번호가 hunter 입니다\nパスワードは『必須』です"]],
  );
});

describe("a key or a password handed over with no label, known by the phrase before it (found by the red team)", () => {
  exactAndKept(
    [
      ["Here you go: Zx8Cv7Bn6Mq5Lp4Ks3Jd2", "Here you go: [REDACTED:secret]"],
      ["here it is →\n  Zx8Cv7Bn6Mq5Lp4Ks3Jd2\nthanks", "here it is →\n  [REDACTED:secret]\nthanks"],
      ["use Zx8Cv7Bn6Mq5 to log in", "use [REDACTED:secret] to log in"],
      ["There you go, `Tr0ub4dor&3x`.", "There you go, `[REDACTED:secret]`."],
    ],
    [
      [
        "prose, code, names and hashes handed over",
        "Here you go: run npm install\nHere it is:\n```bash\nnpm i\n```\nHere you go: OAuth2Provider\nuse OAuth2 to log in\nUse SAML2.0 to authenticate\nuse getUserById2 to sign in\nHere it is: src/auth/login.ts\nThere you go, Python3.\nuse ssh-agent to log in\nHere it is: 3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c4d6e0f2a\nHere you go: user_profile_v2_12345",
      ],
    ],
  );
});

describe("more phrases handing a key over: with words after it, a blank line before it, a login with it (found by the red team)", () => {
  exactAndKept(
    [
      ["Here you go: Zx8Cv7Bn6Mq5Lp4Ks3Jd2 — let me know if it works", "Here you go: [REDACTED:secret] — let me know if it works"],
      ["here you go:\n\nZx8Cv7Bn6Mq5Lp4Ks3Jd2", "here you go:\n\n[REDACTED:secret]"],
      ["Try this one: Zx8Cv7Bn6Mq5Lp4Ks3Jd2\nUse this: `Zx8Cv7Bn6Mq5Lp4Ks3Jd3` (expires tomorrow)", "Try this one: [REDACTED:secret]\nUse this: `[REDACTED:secret]` (expires tomorrow)"],
      ["log in with Zx8Cv7Bn6Mq5\nyou can use Zx8Cv7Bn6Mq6 for the login", "log in with [REDACTED:secret]\nyou can use [REDACTED:secret] for the login"],
    ],
    [
      [
        "logins with a provider, commands and names handed over",
        "log in with Google\nlog in with your GitHub2 account\nsign in with OAuth2.\nTry this one: npm run build\nuse this: const x = 1\nthis should work: fooBar2Baz\nTry this: s/foo/bar/g\nuse this one for the login screen\nThis should work: Python3",
      ],
    ],
  );
});

describe("Composer's auth.json: the token under a host, whatever its shape (found by the red team)", () => {
  exactAndKept(
    [
      [
        '{\n    "github-oauth": {\n        "github.com": "3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c4d6e0f2a"\n    },\n    "gitlab-token": {"gitlab.example.com": "aB3dE5fG7hJ9kL1mN3pQ", "gitlab.com": "zZ3dE5fG7hJ9kL1mN3pQ"}\n}',
        '{\n    "github-oauth": {\n        "github.com": "[REDACTED:secret]"\n    },\n    "gitlab-token": {"gitlab.example.com": "[REDACTED:secret]", "gitlab.com": "[REDACTED:secret]"}\n}',
      ],
      ['COMPOSER_AUTH="{\\"bearer\\": {\\"repo.example.org\\": \\"Zx8Cv7Bn6Mq5Lp4Ks3Jd2\\"}}"', 'COMPOSER_AUTH="{\\"bearer\\": {\\"repo.example.org\\": \\"[REDACTED:secret]\\"}}"'],
    ],
    [
      ["an OpenAPI bearer scheme and a placeholder", '{"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}\n{"github-oauth": {"github.com": "<your-token>"}}'],
    ],
  );
});

describe("Twilio's auth token passed to node's client, or after the SID in a variable (found by the red team)", () => {
  exactAndKept(
    [
      ['const client = twilio(accountSid, "3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c");', 'const client = twilio(accountSid, "[REDACTED:secret]");'],
      ['const client = new Twilio("AC3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c", "4f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c");', 'const client = new Twilio("AC3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c", "[REDACTED:secret]");'],
      ["client = Client(account_sid, '3f9a2b7c1d8e4f6a0b5c9d2e7f1a3b8c')", "client = Client(account_sid, '[REDACTED:secret]')"],
    ],
    [
      [
        "variables, a client of something else, a hash to another client",
        'const client = twilio(accountSid, authToken);\nnew Client(host, "localhost")\nconst c = new Client(config, "abcdefabcdefabcdefabcdefabcdefab")\nclient(process.env.X, "0123456789abcdef0123456789abcdef")',
      ],
    ],
  );
});

describe("a Google app password passed to a login, or after \"app password\" with no verb (found by the red team)", () => {
  exactAndKept(
    [
      ['smtp.login(user, "qwer tyui opas dfgh")', 'smtp.login(user, "[REDACTED:password]")'],
      ['server.login(os.environ["SMTP_USER"], "qwertyuiopasdfgh")', 'server.login(os.environ["SMTP_USER"], "[REDACTED:password]")'],
      ['yag = yagmail.SMTP("me@gmail.com", "qwer tyui opas dfgh")', 'yag = yagmail.SMTP("me@gmail.com", "[REDACTED:password]")'],
      ["app password qwer tyui opas dfgh\nGmail app-password for mailer zxcv bnml kjhg fdsa", "app password [REDACTED:password]\nGmail app-password for mailer [REDACTED:password]"],
    ],
    [["words in a login, prose about app passwords", 'server.login(user, "passwordpassword")\nlogin(user, "this that with when")\nan app password must have more than\napp password that will work here']],
  );
});

describe("Azure's keys printed as tab-separated values, no header to name them (found by the red team)", () => {
  const key = (c: string) => `${c}q7vK2mXw9RtY4bN8cLp3sHd6fJg1aQe5uVo0iTrZq7vK2mXw9RtY4bN8cLp3sHd6fJg1aQe5uVo0iTrAbCdEf==`;
  exactAndKept(
    [
      [`key1\tFULL\t${key("A")}\nkey2\tFULL\t${key("B")}\n`, "key1\tFULL\t[REDACTED:secret]\nkey2\tFULL\t[REDACTED:secret]\n"],
      [`2024-01-01T00:00:00.000000+00:00\tkey1\tREAD\t${key("C")}`, "2024-01-01T00:00:00.000000+00:00\tkey1\tREAD\t[REDACTED:secret]"],
      [`${key("D")}\t${key("E")}\t${key("F")}\t${key("G")}\n`, "[REDACTED:secret]\t[REDACTED:secret]\t[REDACTED:secret]\t[REDACTED:secret]\n"],
    ],
    [["a digest in a listing, a permission's column, words in cells", `sha512\t${key("H")}\tfile.tgz\nrole\tFULL\tread_write_access\nname==\tvalue\n`]],
  );
});

test("a dotfile holding one password, shown whole by cat or the Read tool (found by the red team)", () => {
  const { redactOutput } = createRedactor();
  expect(commandPrints("cat ~/.vp")).toBe("dotfile");
  expect(filePrints("/home/dev/.dbpw")).toBe("dotfile");
  expect(filePrints("/home/dev/.gitconfig.bak")).toBeUndefined();
  expect(redactOutput("hunter2hunter2xx\n", "dotfile").text).toBe("[REDACTED:password]\n");
  expect(redactOutput("     1\u2192hunter2hunter2xx\n", "dotfile").text).toBe("     1\u2192[REDACTED:password]\n");
  // What tools keep in their dotfiles: a version, a path, a glob, a word, a short value, lines.
  for (const kept of ["lts/hydrogen\n", "ruby-3.2.2-preview1\n", "node_modules\n", "**/node_modules\n", "short1\n", "gitdir: ../.git/worktrees/a\n", "[ui]\nusername = alice\n"]) {
    expect(redactOutput(kept, "dotfile")).toEqual({ text: kept, count: 0 });
  }
});

test("a chap-secrets file without its header, shown by cat or the Read tool: the command or the path names it (found by the red team)", () => {
  const { redactOutput } = createRedactor();
  expect(commandPrints("sudo cat /etc/ppp/chap-secrets")).toBe("ppp-secrets");
  expect(commandPrints("grep alice /etc/ppp/chap-secrets")).toBe("ppp-secrets");
  expect(commandPrints("man pppd | grep chap-secrets-file")).toBeUndefined();
  expect(filePrints("/etc/ppp/pap-secrets")).toBe("ppp-secrets");
  expect(commandPrints("cat ~/.config/app/token")).toBe("any");
  expect(redactOutput("alice * Zx8Cv7Bn6Mq5 *\nbob pptpd hunter22 *\n", "ppp-secrets").text).toBe("alice * [REDACTED:password] *\nbob pptpd [REDACTED:password] *\n");
  expect(redactOutput("     1\u2192alice * Zx8Cv7Bn6Mq5 *\n", "ppp-secrets").text).toBe("     1\u2192alice * [REDACTED:password] *\n");
  const prose = "# client server secret IP addresses\nsee the pppd man page\n";
  expect(redactOutput(prose, "ppp-secrets")).toEqual({ text: prose, count: 0 });
});

test("a chap-secrets file known by its header alone loses its secrets (found by the red team's sync sweep)", () => {
  expect(redact("# Secrets for authentication using CHAP\n# client server secret IP addresses\nalice * Xk9mQ2pL7v *\n").text).toBe(
    "# Secrets for authentication using CHAP\n# client server secret IP addresses\nalice * [REDACTED:password] *\n",
  );
});

describe("Cerebras' and NVIDIA's API keys, bare (found by the red team)", () => {
  exactAndKept(
    [["use csk-ujzde8gxd6ncf10epf91dhodzdoc9is0j8ht9lgmxg9edn58 and 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", "use [REDACTED:cerebras-api-key] and [REDACTED:nvidia-api-key]"]],
    [["the prefixes in docs", "CEREBRAS_API_KEY=csk-...\nNVIDIA_API_KEY=nvapi-your-key-here\nNVIDIA_API_KEY=nvapi-xxxxxxxxxxxxxxxxxxxxxxxx\n"]],
  );
});

describe("a secret given to a CLI with no flag naming it: fly secrets set, wandb login, npm config set …:_authToken (found by the red team)", () => {
  exactAndKept(
    [
      ["fly secrets set STRIPE=aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z SESSION=Xk9mQ2pL7vR3", "fly secrets set STRIPE=[REDACTED:secret] SESSION=[REDACTED:secret]"],
      ["wandb login 0123456789abcdef0123456789abcdef01234567", "wandb login [REDACTED:secret]"],
      ["wandb login --host https://wandb.acme.io 0123456789abcdef0123456789abcdef01234567", "wandb login --host https://wandb.acme.io [REDACTED:secret]"],
      ["npm config set //registry.npmjs.org/:_authToken aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z", "npm config set //registry.npmjs.org/:_authToken [REDACTED:secret]"],
    ],
    [["references, listings, other settings", "fly secrets set --app web KEY=$KEY\nfly secrets list\nwandb login --relogin\nnpm config set registry https://r.example.com\nnpm config get //registry.npmjs.org/:_authToken"]],
  );
});

describe("a key written into Claude Code's apiKeyHelper setting (found by the red team)", () => {
  exactAndKept(
    [
      ['{"apiKeyHelper": "echo aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY"}', '{"apiKeyHelper": "echo [REDACTED:secret]"}'],
      ['{\\"apiKeyHelper\\": \\"echo aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY\\"}', '{\\"apiKeyHelper\\": \\"echo [REDACTED:secret]\\"}'],
    ],
    [["a script or a variable", '{"apiKeyHelper": "~/bin/get-key.sh"}\n{"apiKeyHelper": "echo $ANTHROPIC_KEY"}']],
  );
});

describe("/etc/shadow's accounts without a password and IPv6 wildcards are no .pgpass lines (false positives found by the red team's scan)", () => {
  exactAndKept(
    [["db.internal:*:app:app:Xk9mQ2pL7v", "db.internal:*:app:app:[REDACTED:password]"]],
    [["shadow's locked accounts, a wildcard address", "root:*:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\nAddress6.fromWildcard('*:*:*:*:*:*:*:*').subnet"]],
  );
});

describe("code and file names after a key-ish name are no key (gitleaks' generic rule; false positives found by the red team's scan)", () => {
  exactAndKept(
    [["var accessKey = 'aB3dE5fG7hJ9kL1mN3pQ5rS7'", "var accessKey = '[REDACTED:secret]'"]],
    [["member paths and files", "var obj1KeysLength = obj1Keys.length;\nRegEnumKey = win32api.RegEnumKey\n./encrypt1 encrypt1-tmpl.xml deskey.bin > encrypt1-res.xml"]],
  );
});

describe("the values of a map named credentials, creds, passwords, tokens or api_keys, as of one named secrets (found by the red team)", () => {
  exactAndKept(
    [
      ["credentials:\n  stripe: Xk9mQ2pL7vR3zT8wN1bY4cF6\n  user: alice\n", "credentials:\n  stripe: [REDACTED:secret]\n  user: alice\n"],
      ['{"api_keys": {"openai": "Xk9mQ2pL7vR3zT8wN1bY4cF6", "region": "eu"}}', '{"api_keys": {"openai": "[REDACTED:secret]", "region": "eu"}}'],
    ],
    [["design tokens and key bindings", 'tokens:\n  primary: "#3b82f6"\n  spacing: 4px\n  shadow: 0 4px 6px rgba(0,0,0,0.1)\nkeys:\n  up: ArrowUp\n  down: ArrowDown\n']],
  );
});

describe("roff's \\& after a word is no password's symbol (false positives of man pages' sources, found by the red team's scan)", () => {
  exactAndKept(
    [["the password is hunter2\\&.", "the password is [REDACTED:password]\\&."]],
    [["a man page's source", "between password changes and the date of the last password change\\&.\nthe number of days during which a password is valid\\&.\nfrom the shadow password file\\&."]],
  );
});

describe("a digest under a secrets or tokens map is no key (false positive found by the red team)", () => {
  exactAndKept(
    [["secrets:\n  build_sha: 8f14e45fceea167a5a36dedd4bea2543\n  hook: 5f0a8c3e9b1d4f6a7b8c9d0e1f2a3b4c\n", "secrets:\n  build_sha: 8f14e45fceea167a5a36dedd4bea2543\n  hook: [REDACTED:secret]\n"]],
    [["a token list's digests and ids", 'tokens:\n  - id: 1\n    name: ci\n    sha: 8f14e45fceea167a5a36dedd4bea2543f0b8f8b3\n{"secrets": {"checksum": "8f14e45fceea167a5a36dedd4bea2543", "key_id": "0123456789abcdef0123456789abcdef"}}']],
  );
});

test("2FA backup codes listed in a JSON field go, whatever their shape (found by the red team)", () => {
  const value = { user: "alice", recovery_codes: ["8f3k2-9dj4x", "4hq7p-2mz8w"], backupCodes: [12345678, "$CODES"], codes_count: 2 };
  expect(redactValue(value)).toEqual({
    value: { user: "alice", recovery_codes: ["[REDACTED:recovery-code]", "[REDACTED:recovery-code]"], backupCodes: ["[REDACTED:recovery-code]", "$CODES"], codes_count: 2 },
    count: 3,
  });
});

describe("a security question's answer under its name (found by the red team)", () => {
  exactAndKept(
    [["SECURITY_ANSWER=Fluffy1987\n{\"securityAnswer2\": \"Fluffy1987x\"}", "SECURITY_ANSWER=[REDACTED:secret]\n{\"securityAnswer2\": \"[REDACTED:secret]\"}"]],
    [["code and other answers", "securityAnswer: string;\nconst securityAnswer = form.securityAnswer;\nanswer = 42\nthe answer: yes"]],
  );
});

describe("a lone secret echoed into a home dotfile, whatever its name (found by the red team)", () => {
  exactAndKept(
    [
      ["echo 'Zx8Cv7Bn6Mq5' > ~/.vp", "echo '[REDACTED:secret]' > ~/.vp"],
      ['printf \'%s\' "k9!mQ2pL7vR3" >> $HOME/.dbpw && chmod 600 $HOME/.dbpw', 'printf \'%s\' "[REDACTED:secret]" >> $HOME/.dbpw && chmod 600 $HOME/.dbpw'],
    ],
    [["versions and config lines written into dotfiles", 'echo "v18.17.0" > ~/.nvmrc\necho \'lts/Hydrogen\' > ~/.nvmrc\necho "HISTSIZE=10000" >> ~/.bashrc\necho "source ~/.Venv3" >> ~/.zshrc\necho "Python311" > ~/.python-version\necho "Zx8Cv7Bn6Mq5" > notes.txt']],
  );
});

describe("a secret told by its sentence with no label: a rotation's new value, a key pasted after asking to put it in .env (found by the red team)", () => {
  exactAndKept(
    [
      ["I just rotated it, the new value is Xk9mQ2pL7vR3zT8w", "I just rotated it, the new value is [REDACTED:secret]"],
      ["Rotated the DB password. New value: Tr0ub4dor&3x!", "Rotated the DB password. New value: [REDACTED:secret]"],
      ["Can you add this to my .env? Xk9mQ2pL7vR3zT8wN1bY4cF6", "Can you add this to my .env? [REDACTED:secret]"],
      ["please put this in .env.local\nXk9mQ2pL7vR3zT8wN1bY4cF6", "please put this in .env.local\n[REDACTED:secret]"],
    ],
    [
      ["prose about rotations and .env", "I reset the timeout, the new value is 30s\nI replaced the import, the new one is UserService2\nI rotated the logs, the new one is app-2026-12-06.log\nI reset the branch, it's now at a1b2c3d4e5f6a7b8c9d0"],
      ["asking to add a setting to .env", "add this to .env: NODE_ENV=production\nAdd this to your .env file: DATABASE_URL\nadd it to the .env? yes\nwrite the new value to .env.production. Then restart."],
    ],
  );
});

describe("OpenVPN's auth-user-pass file: its password line (found by the red team)", () => {
  exactAndKept(
    [
      ["$ cat /etc/openvpn/auth.txt\nalice\nZx8Cv7Bn6Mq5Lp", "$ cat /etc/openvpn/auth.txt\nalice\n[REDACTED:password]"],
      ["$ sudo cat /etc/openvpn/client/credentials.txt\nvpn@example.com\nk9!mQ2pL7vR3\n$ sudo systemctl restart openvpn-client@work", "$ sudo cat /etc/openvpn/client/credentials.txt\nvpn@example.com\n[REDACTED:password]\n$ sudo systemctl restart openvpn-client@work"],
      ["client\n<auth-user-pass>\nalice\nZx8Cv7Bn6Mq5Lp\n</auth-user-pass>", "client\n<auth-user-pass>\nalice\n[REDACTED:password]\n</auth-user-pass>"],
    ],
    [
      ["a listing and a profile's directives", "$ ls /etc/openvpn/\nclient\nserver\n\n$ cat /etc/openvpn/client.conf\nclient\nnobind\npersist-key\n\nauth-user-pass /etc/openvpn/auth.txt\nclient\nnobind\n"],
    ],
  );

  test("as a tool's result: the command or the Read tool names the file, the password goes whatever its shape", () => {
    const { redactOutput } = createRedactor();
    expect(commandPrints("sudo cat /etc/openvpn/auth.txt")).toBe("user-pass");
    expect(filePrints("/home/dev/.openvpn/work-creds")).toBe("user-pass");
    expect(filePrints("/etc/openvpn/client.conf")).toBeUndefined();
    expect(redactOutput("alice\nhunter22\n", "user-pass").text).toBe("alice\n[REDACTED:password]\n");
    expect(redactOutput("     1\u2192alice\n     2\u2192hunter22\n", "user-pass").text).toBe("     1\u2192alice\n     2\u2192[REDACTED:password]\n");
    const listing = "alice\nbob\ncarol\n";
    expect(redactOutput(listing, "user-pass")).toEqual({ text: listing, count: 0 });
  });
});

describe("a key told as someone's clé, a secret's 'value', and French's c'est (found by the red team)", () => {
  exactAndKept(
    [
      ["Voici ma clé : Xk9mQ2pL7vR3zT8wN1bY4cF6", "Voici ma clé : [REDACTED:secret]"],
      ["votre clé est Xk9mQ2pL7vR3zT8wN1bY4cF6", "votre clé est [REDACTED:secret]"],
      ["The client secret value is Zx8Q~Cv7Bn6Mq5Lp9Kj8Hg7Fd6Sa5Qw4Er3Ty2U", "The client secret value is [REDACTED:secret]"],
      ["mon mot de passe c'est Zx8Cv7Bn6Mq5", "mon mot de passe c'est [REDACTED:password]"],
    ],
    [["keys that open nothing and prose about values", "la clé primaire est user_id_12345678\nla clé de cache est build_v2_20261206x\nma clé USB est branchée\nThe password value is hashed with bcrypt\nthe secret value is stored in Key Vault\nle mot de passe c'est important"]],
  );
});

describe("a platform's config vars set from the command line: an opaque token whatever its name (found by the red team)", () => {
  exactAndKept(
    [
      ["heroku config:set STRIPE=Xk9mQ2pL7vR3zT8wN1bY4cF6 -a shop", "heroku config:set STRIPE=[REDACTED:secret] -a shop"],
      ['railway variables --set "STRIPE=Xk9mQ2pL7vR3zT8wN1bY4cF6"', 'railway variables --set "STRIPE=[REDACTED:secret]"'],
      ["dokku config:set myapp OPENAI=Xk9mQ2pL7vR3zT8wN1bY4cF6 NODE_ENV=production", "dokku config:set myapp OPENAI=[REDACTED:secret] NODE_ENV=production"],
    ],
    [["settings", 'heroku config:set NODE_ENV=production WEB_CONCURRENCY=2 BUILD_ID=20261206120000123 -a shop\nrailway variables --set "APP_NAME=ShopFrontend2024"']],
  );
});

describe("Terraform's state: a sensitive output's value before its mark, a random_password's result (found by the red team)", () => {
  exactAndKept(
    [
      [
        '"outputs": {\n  "endpoint": { "value": "db.internal", "type": "string" },\n  "admin_password": {\n    "value": "Zx8Cv7Bn6Mq5",\n    "type": "string",\n    "sensitive": true\n  }\n}',
        '"outputs": {\n  "endpoint": { "value": "db.internal", "type": "string" },\n  "admin_password": {\n    "value": "[REDACTED:secret]",\n    "type": "string",\n    "sensitive": true\n  }\n}',
      ],
      [
        '{"type": "random_password", "instances": [{"attributes": {"id": "none", "length": 16, "result": "k9!mQ2pL7vR3zT8w", "special": true}}]}',
        '{"type": "random_password", "instances": [{"attributes": {"id": "none", "length": 16, "result": "[REDACTED:password]", "special": true}}]}',
      ],
    ],
    [
      ["an unmarked output before a marked number, and the resource in HCL", '{"outputs": {"endpoint": {"value": "db.internal", "type": "string"}, "count": {"value": 3, "type": "number", "sensitive": true}}}\nresource "random_password" "db" {\n  length = 20\n}\noutput "pw" { value = random_password.db.result }'],
    ],
  );
});

describe("a key told in Spanish or French as clave API or jeton, a password that got reset to a value (found by the red team)", () => {
  exactAndKept(
    [
      ["mi clave API es Xk9mQ2pL7vR3zT8wN1bY4cF6", "mi clave API es [REDACTED:secret]"],
      ["le jeton est Xk9mQ2pL7vR3zT8wN1bY4cF6", "le jeton est [REDACTED:secret]"],
      ["the admin password got reset to Zx8Cv7Bn6Mq5", "the admin password got reset to [REDACTED:password]"],
      ["the password was reset to Zx8Cv7Bn6Mq5", "the password was reset to [REDACTED:password]"],
    ],
    [["prose about keys and resets", "la clave API es obligatoria\nle jeton est expiré\nthe password got reset to default\nle jeton CSRF est régénéré à chaque requête"]],
  );
});

test("a process's environment printed: a variable's opaque token goes whatever its name (found by the red team)", () => {
  const { redactOutput } = createRedactor();
  const dump = "HOME=/root\nSTRIPE=Xk9mQ2pL7vR3zT8wN1bY4cF6\nNODE_ENV=production\nGIT_SHA=8f14e45fceea167a5a36dedd4bea2543\n";
  const prints = commandPrints("docker exec app env");
  expect(prints).toBe("env");
  expect(redactOutput(dump, prints ?? "any").text).toBe("HOME=/root\nSTRIPE=[REDACTED:secret]\nNODE_ENV=production\nGIT_SHA=8f14e45fceea167a5a36dedd4bea2543\n");
});

test("vault kv get and vault read print a stored secret: its JSON data and its table's Data rows go, whatever their keys (found by the red team)", () => {
  const { redactOutput } = createRedactor();
  const json = '{"request_id": "2f6a614c-1b2d", "data": {"data": {"stripe": "Xk9mQ2pL7vR3zT8wN1bY4cF6", "db": "Zx8Cv7Bn6Mq5"}, "metadata": {"version": 3}}}';
  const table = "======= Metadata =======\nKey                Value\n---                -----\ncreated_time       2026-12-01T00:00:00Z\nversion            3\n\n===== Data =====\nKey       Value\n---       -----\ndb        Zx8Cv7Bn6Mq5\nstripe    Xk9mQ2pL7vR3zT8wN1bY4cF6\n\ndone\n";
  expect(commandPrints("vault kv get -format=json secret/app")).toBe("any");
  expect(commandPrints("vault read database/creds/ro")).toBe("any");
  expect(redactOutput(json, "any").text).toBe('{"request_id": "2f6a614c-1b2d", "data": {"data": {"stripe": "[REDACTED:secret]", "db": "[REDACTED:secret]"}, "metadata": {"version": 3}}}');
  expect(redactOutput(table, "any").text).toBe(table.replace("Zx8Cv7Bn6Mq5", "[REDACTED:secret]").replace("Xk9mQ2pL7vR3zT8wN1bY4cF6", "[REDACTED:secret]"));
});

describe("a password given to passwd through a pipe, az acr login -p and mc admin user add (found by the red team)", () => {
  exactAndKept(
    [
      ["printf 'Zx8Cv7Bn6Mq5\\nZx8Cv7Bn6Mq5\\n' | passwd alice", "printf '[REDACTED:secret]' | passwd alice"],
      ["az acr login -n acme -u acme -p Zx8Cv7Bn6Mq5Lp9Kj8Hg7Fd6", "az acr login -n acme -u acme -p [REDACTED:password]"],
      ["mc admin user add myminio alice Zx8Cv7Bn6Mq5Lp", "mc admin user add myminio alice [REDACTED:secret]"],
    ],
    [["references, listings and other commands", 'mc admin user list myminio\necho "$PW" | passwd alice\necho done | passwd-check\naz acr login -n acme\nmc admin user add myminio alice']],
  );
});

describe("a rotation's value after 'here it is', a key after 'for the .env file:' or an arrow (found by the red team)", () => {
  exactAndKept(
    [
      ["I regenerated the token; here it is: Xk9mQ2pL7vR3zT8wN1bY4cF6", "I regenerated the token; here it is: [REDACTED:secret]"],
      ["for the .env file: Xk9mQ2pL7vR3zT8wN1bY4cF6", "for the .env file: [REDACTED:secret]"],
      ["paste into .env → Xk9mQ2pL7vR3zT8wN1bY4cF6", "paste into .env → [REDACTED:secret]"],
    ],
    [["prose about .env and resets", "for the .env file I used dotenv\nfor .env: see the README\nI reset the form, here it is: UserForm2\nfor the .env.example we keep placeholders: your-api-key-here\nfor credentials.json use the service account"]],
  );
});

test("pass show's entry: the password on its first line, then its fields (found by the red team)", () => {
  const { redactOutput } = createRedactor();
  expect(commandPrints("pass show email/gmail")).toBe("first-line");
  expect(redactOutput("Zx8Cv7Bn6Mq5\nlogin: alice@gmail.com\nurl: https://mail.google.com\n", "any").text).toBe("[REDACTED:secret]\nlogin: alice@gmail.com\nurl: https://mail.google.com\n");
  for (const kept of ["Password Store\n└── email\n    └── gmail\n", "Error: email/gmail is not in the password store.\n", "hunter2x\nsome notes here\n"]) expect(redactOutput(kept, "any").count).toBe(0);
  for (const kept of ["Password Store\n└── email\n    └── gmail\n", "Error: email/gmail is not in the password store.\n"]) expect(redactOutput(kept, "first-line").count).toBe(0);
});

describe("Yarn's npmAuthIdent, a user and a password (found by the red team)", () => {
  exactAndKept(
    [
      ['npmRegistries:\n  "https://npm.acme.dev":\n    npmAuthIdent: "alice:Zx8Cv7Bn6Mq5"\n    npmAlwaysAuth: true', 'npmRegistries:\n  "https://npm.acme.dev":\n    npmAuthIdent: "[REDACTED:secret]"\n    npmAlwaysAuth: true'],
      ['{"npmAuthIdent": "YWxpY2U6WnA4Q3Y3Qm42TXE1"}', '{"npmAuthIdent": "[REDACTED:secret]"}'],
    ],
    [["a reference and prose", 'npmAuthIdent: "${NPM_AUTH_IDENT}"\nThe npmAuthIdent setting takes user:password.']],
  );
});

describe("a password passed to a login after a user in a variable (found by the red team)", () => {
  exactAndKept(
    [
      ['server.login(user, "Zx8Cv7Bn6Mq5")', 'server.login(user, "[REDACTED:password]")'],
      ['smtp.login(os.environ["SMTP_USER"], "Zx8Cv7Bn6Mq5")', 'smtp.login(os.environ["SMTP_USER"], "[REDACTED:password]")'],
      ['requests.get(u, auth=(user, "Xk9mQ2pL7vR3zT8wN1bY4cF6"))', 'requests.get(u, auth=(user, "[REDACTED:password]"))'],
    ],
    [["variables, words and paths", 'server.login(user, password)\nauth.login(ctx, "dashboard")\nlogin(user, "/home")\nBasicAuth(username, "changeme")']],
  );
});

describe("a key in code font or quotes after asking to put it into .env (found by the red team)", () => {
  exactAndKept(
    [
      ["add this to my .env: `Xk9mQ2pL7vR3zT8wN1bY4cF6`", "add this to my .env: `[REDACTED:secret]`"],
      ['put this in .env.local "Xk9mQ2pL7vR3zT8wN1bY4cF6"', 'put this in .env.local "[REDACTED:secret]"'],
    ],
    [["a setting and a name in code font", "add this to your .env file: `DATABASE_URL=postgres://localhost/app`\nadd this to .env: `NODE_ENV`"]],
  );
});

describe("a C constant whose text is its name's own word is no secret (false positive found in /usr/include)", () => {
  exactAndKept(
    [
      ['# define WIFI_PSK "Xk9mQ2pL7v"', '# define WIFI_PSK "[REDACTED:secret]"'],
      ['SSL_PSK = "Xk9mQ2pL7v"', 'SSL_PSK = "[REDACTED:secret]"'],
    ],
    [["openssl's cipher strings", '# define SSL_TXT_PSK "PSK"\nSSL_TXT_PSK = "PSK"\nkeyPassword "password"']],
  );
});

describe("C++'s scope operator after a password's word is no label (false positive found in /usr/include)", () => {
  exactAndKept(
    [
      ["db_pass:Xk9mQ2pL7v", "db_pass:[REDACTED:secret]"],
      ["password: hunter2x", "password: [REDACTED:secret]"],
    ],
    [["a using-declaration and a qualified call", "using llvm::Pass::doInitialization;\nusing llvm::Pass::doFinalization;\nPass::run(M);"]],
  );
});

describe("a member access under a token's name is code (false positive found in /usr/include)", () => {
  exactAndKept(
    [
      ['_M_token = "Xk9mQ2pL7vR3zT8wN1bY4cF6";', '_M_token = "[REDACTED:secret]";'],
      ["API_TOKEN=Xk9mQ2pL7v-R3zT8wN1bY4cF6", "API_TOKEN=[REDACTED:secret]"],
    ],
    [
      ["libstdc++'s locale code, a chained access", "_M_token = __it->second;\nsession_token = conn.state->session;"],
      ["a password copied from a struct's member, C's and C++'s", "  password = user->password;\nchar *password = pw->pw_passwd;\nauto password = Config::instance::password;"],
    ],
  );
});

describe("a C enum's entries are no CSV under a secret's column (false positive found in /usr/include)", () => {
  exactAndKept(
    [["username,password,role\nalice,Xk9mQ2pL7v,admin", "username,password,role\nalice,[REDACTED:secret],admin"]],
    [["linux/ipv6.h's DEVCONF entries", "\tDEVCONF_STABLE_SECRET,\n\tDEVCONF_USE_OIF_ADDRS_ONLY,\n\tDEVCONF_DROP_UNICAST_IN_L2_MULTICAST,\n\tDEVCONF_SEG6_ENABLED,\n\tDEVCONF_IOAM6_ID_WIDE,\n\tDEVCONF_MAX\n};"]],
  );
});

describe("a C enum's hex constant under a token's name is no token (false positive found in /usr/include)", () => {
  exactAndKept(
    [
      ["DB_PASSWORD=0xDEADBEEF", "DB_PASSWORD=[REDACTED:secret]"],
      ["PRIVATE_KEY=0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318", "PRIVATE_KEY=[REDACTED:secret]"],
    ],
    [["COFF's and ICU's relocation and error codes", "  IMAGE_REL_I386_TOKEN = 0x000C,\n  IMAGE_REL_AMD64_TOKEN = 0x000D,\n    U_UNEXPECTED_TOKEN=0x10100,       /**< Syntax error */"]],
  );
});

describe("a docstring's field starting with a capitalised word and its period is no token (false positive found in Google Cloud SDK's Python)", () => {
  exactAndKept(
    [
      ["accessToken: Xk9mQ2pL7vR3zT8wN1bY4cF6 more", "accessToken: [REDACTED:secret] more"],
      ["password: Welcome. then log in", "password: [REDACTED:secret] then log in"],
    ],
    [["generated API messages' Fields", "  Fields:\n    pageToken: Optional. A token identifying a page of results the server\n      should return.\n    privateKey: Required. Private key text in SSH format."]],
  );
});

describe("OpenSSH's security-key algorithm names are no sk- keys (false positive found in man pages)", () => {
  exactAndKept(
    [
      ["OPENAI_API_KEY=sk-proj-Xk9mQ2pL7vR3zT8wN1bY4cF6", "OPENAI_API_KEY=[REDACTED:openai-key]"],
      ["use sk-or-v1-0123456789abcdef0123456789abcdef01234567 then", "use [REDACTED:openai-key] then"],
    ],
    [["ssh_config's and ssh -Q's algorithm lists", "PubkeyAcceptedAlgorithms sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com\nsk-ecdsa-sha2-nistp256@openssh.com\nsk-ssh-ed25519@openssh.com"]],
  );
});

describe("C's pointer to a pointer after passwd's struct is no password told (false positive found in /usr/include)", () => {
  exactAndKept(
    [
      ["the password is **Xk9mQ2pL7v", "the password is [REDACTED:password]"],
      ["password: hunter2x", "password: [REDACTED:secret]"],
    ],
    [["glibc's pwd.h", "extern int getpwnam_r (const char *__restrict __name,\n\t\t       struct passwd *__restrict __resultbuf,\n\t\t       struct passwd **__restrict __result);"]],
  );
});

describe("a constant's text that is its name's last words, spaced or dashed, is no secret (false positive found in /usr/include)", () => {
  exactAndKept(
    [
      ['#define PEM_PRIVATEKEY_PASSWORD "SM2 Xk9mQ2pL7v"', '#define PEM_PRIVATEKEY_PASSWORD "[REDACTED:secret]"'],
      ["GNUTLS_PSK: Xk9-mQ2pL7v more", "GNUTLS_PSK: [REDACTED:secret] more"],
    ],
    [["openssl's PEM strings, gnutls' key exchanges", '#define PEM_STRING_SM2PRIVATEKEY "SM2 PRIVATE KEY"\n * @GNUTLS_KX_DHE_PSK: DHE-PSK key-exchange algorithm.\n * @GNUTLS_KX_ECDHE_PSK: ECDHE-PSK key-exchange algorithm.']],
  );
});

describe("a Google API field's behaviour alone on its docstring line is no token (false positive found in Google Cloud SDK's Python)", () => {
  exactAndKept(
    [
      ["subjectToken: Xk9mQ2pL7vR3zT8wN1bY4cF6\n", "subjectToken: [REDACTED:secret]\n"],
      ["API_TOKEN=Optional2024.\n", "API_TOKEN=[REDACTED:secret]\n"],
    ],
    [["STS's token exchange fields", "  Fields:\n    scope: Optional.\n    subjectToken: Optional.\n    subjectTokenType: Required.\n    clientSecret: Deprecated.\n"]],
  );
});

describe("Maven's encrypted master password in settings-security.xml (found by the red team)", () => {
  exactAndKept(
    [
      ["<settingsSecurity>\n  <master>{jSMOWnoPFgsHVpMvz5VrIt5kRbzGpI8u+9EF1iFQyJQ=}</master>\n</settingsSecurity>", "<settingsSecurity>\n  <master>[REDACTED:password]</master>\n</settingsSecurity>"],
    ],
    [["a branch, a placeholder and prose", "<branch><master>main</master></branch>\n<master>{...}</master>\n<master>{MASTER_PASSWORD}</master>\nthe <master> element holds the encrypted master password"]],
  );
});

describe("a Google app password written with dashes (found by the red team)", () => {
  exactAndKept(
    [["my app password abcd-efgh-ijkl-mnop\nSMTP_PASSWORD=qwer-tyui-opas-dfgh", "my app password [REDACTED:password]\nSMTP_PASSWORD=[REDACTED:password]"]],
    [["dashed words, five groups", "app password must-have-more-than\napp password make-sure-your-mail\napp password abcd-efgh-ijkl-mnop-qrst"]],
  );
});

describe("paramiko's connect with its arguments by position (found by the red team)", () => {
  exactAndKept(
    [
      ["client.connect(host, 22, 'root', 'Zx8Cv7Bn6Mq5!')", "client.connect(host, 22, 'root', '[REDACTED:password]')"],
      ['ssh.connect("h", 22, "user", "Tr0ub4dor3")', 'ssh.connect("h", 22, "user", "[REDACTED:password]")'],
    ],
    [["a socket, variables, a stand-in", 'sock.connect(host, 80)\nclient.connect(host, 22, user, password)\nclient.connect(host, 22, "root", "<password>")\nclient.connect("h", 22, "root", os.environ["PW"])']],
  );
});

describe("a quoted query after an expanded variable named for a token is no token (a false positive)", () => {
  exactAndKept(
    [['proxy_set_header X-Api-Key "Zx8Cv7Bn6Mq5Lp4K"', 'proxy_set_header X-Api-Key "[REDACTED:secret]"']],
    [["a Flux query and a SQL query", 'influx-query $INFLUX_TOKEN "from(bucket)"\nrun $API_KEY "select * from t"']],
  );
});

describe("a Solana keypair file, 64 bytes in a JSON array (found by the red team)", () => {
  const bytes = "174,47,154,16,202,193,206,113,199,190,53,133,169,175,31,56,222,53,138,189,224,216,117,173,10,149,53,45,73,251,237,246,15,185,186,82,177,240,148,69,241,227,167,80,141,89,240,121,121,35,172,247,68,251,226,218,87,207,167,236,82,152,56,109";
  const table = Array.from({ length: 64 }, (_, i) => i).join(",");
  exactAndKept(
    [
      [`$ cat ~/.config/solana/id.json\n[${bytes}]`, "$ cat ~/.config/solana/id.json\n[[REDACTED:private-key]]"],
      [`     1→[${bytes.replaceAll(",", ", ")}]`, "     1→[[REDACTED:private-key]]"],
    ],
    [["a table, zeros, 63 and 65 bytes", `[${table}]\n[${Array(64).fill(0).join(",")}]\n[${bytes.split(",").slice(1).join(",")}]\n[${bytes},7]`]],
  );
});

describe("a key handed over with no name of what it is (found by the red team)", () => {
  exactAndKept(
    [
      ["ok here: Zx8Cv7Bn6Mq5Lp4Ks3Jd2\nthe creds are Xk9mQ2pL7vR3zT8wN1bY4cF6.", "ok here: [REDACTED:secret]\nthe creds are [REDACTED:secret]."],
    ],
    [
      [
        "a hash, words, base64 of text, a URL, more on the line",
        "here: 3f2a9c1e8b7d6f5a4c3b2a1908f7e6d5c4b3a291\nhere: UserAuthenticationService2Handler\nhere: SGVsbG8gd29ybGQgdGhpcyBpcyB0ZXh0\nHere: https://example.com/aB3dE5fG7hJ9kL1mN3pQ\nthe creds are stored in vault\nwhere: Zx8Cv7Bn6Mq5Lp4Ks3Jd2\nhere: Zx8Cv7Bn6Mq5Lp4Ks3Jd2 is the commit",
      ],
    ],
  );
});

describe("a random value under a name that says nothing in docker inspect's Env (found by the red team)", () => {
  exactAndKept(
    [['"Env": [\n  "STRIPE=Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8C",\n  "PATH=/usr/bin"\n]', '"Env": [\n  "STRIPE=[REDACTED:secret]",\n  "PATH=/usr/bin"\n]']],
    [
      [
        "paths, versions, URLs, hashes, UUIDs, names, base64 of text, outside Env",
        '"Env": [\n  "PATH=/usr/local/sbin:/usr/bin",\n  "PYTHON_VERSION=3.12.4",\n  "SITE=https://example.com/aB3dE5fG7hJ9kL1mN3pQ",\n  "PYTHON_SHA256=3f2a9c1e8b7d6f5a4c3b2a1908f7e6d5c4b3a291",\n  "ID=123e4567-e89b-12d3-a456-426614174000",\n  "NAME=UserAuthenticationService2Handler",\n  "B64=SGVsbG8gd29ybGQgdGhpcyBpcyB0ZXh0"\n]\n"Cmd": ["STRIPE=Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8C"]',
      ],
    ],
  );
});

describe("a passphrase of words after \"pass phrase:\" (found by the red team)", () => {
  exactAndKept(
    [
      ["pass phrase: correct horse battery staple.\nPassphrase: mosaic saddle mosaic velvet", "pass phrase: [REDACTED:password].\nPassphrase: [REDACTED:password]"],
      ["my passphrase is: mosaic saddle mosaic velvet\nthe password was: Zx8Cv7Bn6Mq5", "my passphrase is: [REDACTED:password]\nthe password was: [REDACTED:password]"],
    ],
    [["sentences", "Password: please enter your password\nThe passphrase is generated randomly during setup\npassphrase: never shown to anyone\nthe password is: required"]],
  );
});

describe("a quoted password of a strong word and a plain one (found by the red team)", () => {
  exactAndKept(
    [['password "Blue42 horse"\nthe password is "Tr0ub4dor3 staple"', 'password "[REDACTED:password]"\nthe password is "[REDACTED:password]"']],
    [["a rule, a sentence", 'password "at least 8 chars"\nthe password "Admin123 must change"\npassword "hunter horse"']],
  );
});

describe("a random value under a name that says nothing in doppler secrets' table (found by the red team)", () => {
  const table = (rows: string) => `┌────────┬───────────────────────────┬──────┐\n│ NAME   │ VALUE                     │ NOTE │\n├────────┼───────────────────────────┼──────┤\n${rows}└────────┴───────────────────────────┴──────┘\n│ X │ Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8C │`;
  exactAndKept(
    [[table("│ STRIPE │ Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8C │      │\n├────────┼───────────────────────────┼──────┤\n│ ENV    │ dev                       │      │\n"), table("│ STRIPE │ [REDACTED:secret] │      │\n├────────┼───────────────────────────┼──────┤\n│ ENV    │ dev                       │      │\n")]],
    [["a hash, a version, a name, a table with no NAME column", `${table("│ SHA    │ 3f2a9c1e8b7d6f5a4c3b2a1908f7e6d5c4b3a291 │ │\n│ VER    │ 1.2.3 │ │\n│ SVC    │ UserAuthenticationService2Handler │ │\n")}\n│ KEY │ VALUE │\n│ a │ Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8C │`]],
  );
});

describe("a random value under a name that says nothing in pm2 env's listing (found by the red team)", () => {
  exactAndKept(
    [["$ pm2 env 0\nSTRIPE: Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8C\nNODE_ENV: production\npm_exec_path: /app/index.js", "$ pm2 env 0\nSTRIPE: [REDACTED:secret]\nNODE_ENV: production\npm_exec_path: /app/index.js"]],
    [
      [
        "paths, UUIDs, hashes and names in a pm2 listing",
        "PM2_HOME: /root/.pm2\nunique_id: 2c6b1e8a-3f2a-4c1e-8b7d-6f5a4c3b2a19\nSHA: 3f2a9c1e8b7d6f5a4c3b2a1908f7e6d5c4b3a291\nSVC: UserAuthenticationService2Handler\npm_exec_path: /app/index.js",
      ],
      ["such a line with no pm2 listing", "commit: Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8C"],
    ],
  );
});
