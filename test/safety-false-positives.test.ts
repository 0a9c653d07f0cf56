/**
 * Ordinary code and text that the redactor took for secrets, found by scans over real source trees,
 * man pages and documentation (each case a short excerpt of what was masked); beside each, the
 * secret of that shape that must still go.
 */
import { describe, expect, test } from "bun:test";
import { createRedactor } from "../src/safety/redact.ts";
import { commandPrints } from "../src/safety/generic/printed-secret.ts";

const { redact } = createRedactor();

function maskedAndKept(masked: [input: string, output: string][], kept: [why: string, text: string][]): void {
  for (const [input, output] of masked) test(input, () => expect(redact(input).text).toBe(output));
  for (const [why, text] of kept) test(`kept: ${why}`, () => expect(redact(text)).toEqual({ text, count: 0 }));
}

describe("C's member access is no key's assignment (gitleaks' generic rule read `->` as an operator)", () => {
  maskedAndKept(
    [["api->Xk9mQ2pL7vR3zT8wN1bY", "api->[REDACTED:generic-api-key]"]],
    [["sqlite3ext.h", "#define sqlite3_column_bytes16         sqlite3_api->column_bytes16\n#define sqlite3_soft_heap_limit64      sqlite3_api->soft_heap_limit64\n"]],
  );
});

describe("a field's description in a doc comment is no secret's value", () => {
  maskedAndKept(
    [
      ["MASTER_SECRET: Xk9mQ2pLvRzTwNbY for the dev box", "MASTER_SECRET: [REDACTED:secret] for the dev box"],
      ["ADMIN_PASSWORD: Dragon for the dev box", "ADMIN_PASSWORD: [REDACTED:secret] for the dev box"],
      ["JWT_SECRET: Dragon for the dev box", "JWT_SECRET: [REDACTED:secret] for the dev box"],
      ["# ADMIN_PASSWORD: Dragon for the dev box", "# ADMIN_PASSWORD: [REDACTED:secret] for the dev box"],
    ],
    [
      ["gnutls.h", " * @GNUTLS_SFLAGS_EXT_MASTER_SECRET: The extended master secret (RFC7627) was used\n * @GNUTLS_BAG_SECRET: PKCS-12 bag with secret PKCS-9 keys.\n"],
    ],
  );
});

describe("perl's Configure symbols are no passwords", () => {
  maskedAndKept(
    [["d_pwpasswd='Xk9mQ2pL'\ndb_passwd='define'", "d_pwpasswd='[REDACTED:secret]'\ndb_passwd='[REDACTED:secret]'"]],
    [["Config_heavy.pl", "d_pwgecos='define'\nd_pwpasswd='define'\nd_pwquota='undef'\ni_pwd='define'\n"]],
  );
});

describe("an IAM principal after a service's name is no user and password", () => {
  maskedAndKept(
    [["db root:Tr0ub4dor@3x\nmysql root:Tr0ub4dor@3x.", "db root:[REDACTED:password]\nmysql root:[REDACTED:password]."]],
    [
      ["gcloud's man pages", "    \\-\\-database=database\\-id \\-\\-member='user:test\\-user@gmail.com' \\e\n"],
      ["gcloud's help", "gcloud spanner databases add-iam-policy-binding db --member='user:test-user@mail.example.com' --role='roles/editor'\n"],
    ],
  );
});

describe("a keyword argument after a key's is no key (gitleaks' generic rule ran on over the next name and its `=`)", () => {
  maskedAndKept(
    [
      ["create_key = Xk9mQ2pL7vR3zT8wN1bY=\n", "create_key = [REDACTED:secret]\n"],
      ["api_key, token=Xk9mQ2pL7vR3zT8wN1bY4\n", "api_key, token=[REDACTED:secret]\n"],
    ],
    [["protobuf's generated descriptors", "  create_key=_descriptor._internal_create_key,\n  serialized_pb=b'\\n&google/iam/v1/logging/audit_data.proto'\n"]],
  );
});

describe("a constant's name as a bare value is code", () => {
  maskedAndKept(
    [["DB_PASSWORD=ADMIN_PASS_2\nexport API_TOKEN=XK9MQ2PL7VR3ZT8WN1BY", "DB_PASSWORD=[REDACTED:secret]\nexport API_TOKEN=[REDACTED:secret]"]],
    [
      ["kube_config_test.py", '        "user": {\n            "token": TEST_DATA_BASE64,\n            "client-key-data": TEST_CLIENT_KEY_BASE64,\n        }\n    class cred_old:\n      token = TEST_ANOTHER_DATA_BASE64\n'],
      ["linux/wireguard.h", " *    WGDEVICE_A_PRIVATE_KEY: NLA_EXACT_LEN, len WG_KEY_LEN, all zeros to remove\n"],
    ],
  );
});

describe("a record's format, its fields' names joined by colons, is no password", () => {
  maskedAndKept(
    [["alice:password:Xk9mQ2pL7v\nPASSWORD:letmein:now", "alice:password:[REDACTED:secret]\nPASSWORD:[REDACTED:secret]"]],
    [
      ["passwd(5) and group(5)", ".B name:passwd:uid:gid:gecos:dir:shell\npw_name:pw_passwd:pw_uid:pw_gid:pw_gecos:pw_dir:pw_shell\naccount:password:UID:GID:GECOS:directory:shell\ngroup_name:password:GID:user_list\n"],
      ["a tool's accounts file", "\\fBhostname:port:username:password:base_dn:flags\\fR\n"],
    ],
  );
});

describe("a colour under a token's name is no token", () => {
  maskedAndKept(
    [["Token: 'Xk9mQ2pL7vR3zT8w'\npassword: '#ffffff'", "Token: '[REDACTED:secret]'\npassword: '[REDACTED:secret]'"]],
    [["pygments' styles", "    styles = {\n        Token:                     \"#f8f8f2\", # class:  ''\n        Token:              '#dddddd',\n        Whitespace:         '#888888',\n"]],
  );
});

describe("a secret's name in Google's Secret Manager is no secret", () => {
  maskedAndKept(
    [["--sasl-password=Xk9mQ2pL7vR3\nsecret: projects/Xk9mQ2pL7vR3zT8w", "--sasl-password=[REDACTED:password]\nsecret: [REDACTED:secret]"]],
    [["gcloud's help", "  --sasl-mechanism=PLAIN --sasl-username=kafka-username --sasl-password=projects/12345/secrets/my-sasl-secret/versions/1\n  --tls-client-key=projects/12345/secrets/my-tls-key/versions/1\n"]],
  );
});

describe("a list of cookies in code: each quoted element is one cookie, the code around them stays", () => {
  maskedAndKept(
    [["headers: {'set-cookie': ['sid=Xk9mQ2pL7vR3; Path=/', 'theme=dark']}", "headers: {'set-cookie': ['sid=[REDACTED:cookie]; Path=/', 'theme=[REDACTED:cookie]']}"]],
    [["node's http docs", "// headers === { foo: 'bar', 'set-cookie': ['foo=bar', 'bar=baz'] }\n// headers === { foo: 'bar', 'cookie': ['foo=bar', 'bar=baz'] }\n"]],
  );
});

describe("a member path of words, bare, is code under a key's or a token's name", () => {
  maskedAndKept(
    [["nid_key = Xk9mQ2pL.v7R3zT8wN1bY\ndb_password: Summer2024.Winter", "nid_key = [REDACTED:secret]\ndb_password: [REDACTED:secret]"]],
    [
      ["cryptography's openssl backend", "                nid_key = self._lib.NID_aes_256_cbc\n"],
      ["boto and the Cloud SDK", "        aws_secret_access_key=layer1.aws_secret_access_key,\n    self.crypt_gen_key = advapi32.CryptGenKey\n          client_secret=self.oauth2_parameters.client_secret,\n"],
    ],
  );
});

describe("a constant naming a token or a key by the value's own words is a label", () => {
  maskedAndKept(
    [["ADMIN_PASSWORD = \"admin\"\nAPP_SECRET = 'app'\nSEND_TOKEN = \"Xk9mQ2pL7vR3\"", "ADMIN_PASSWORD = \"[REDACTED:secret]\"\nAPP_SECRET = '[REDACTED:secret]'\nSEND_TOKEN = \"[REDACTED:secret]\""]],
    [["grpc's _server.py", '_RECEIVE_MESSAGE_TOKEN = "receive_message"\n_SEND_MESSAGE_TOKEN = "send_message"\n_SEND_INITIAL_METADATA_TOKEN = "send_initial_metadata"\n  CONFIGAPI_KEY = \'configapi\'\n']],
  );
});

describe("a scope's `::` after a service's name is no user and password", () => {
  maskedAndKept(
    [["db admin:Tr0ub4dor@3x", "db admin:[REDACTED:password]"]],
    [
      ["perl's DB.pm", '  local(*DB::dbline) = "::_<$fname";\n    *DB::dbline = "::_<$file";\n'],
      ["perl's pod", "no arguments are given then the C<Net::FTP> uses the C<Net::Netrc>\npackage to lookup the login information. C<TAP::Parser::Source>s encapsulate these\n  die \"Template database \\\"\".Debconf::Config->templates.\n"],
    ],
  );
});

describe("a docstring's reST field list: roles and OAuth's REQUIRED are markup", () => {
  maskedAndKept(
    [["passphrase: :Xk9mQ2pL7v:\npassword: REQUIRED.", "passphrase: [REDACTED:secret]\npassword: [REDACTED:secret]"]],
    [
      ["oauthlib", "        :param token: REQUIRED.  The token that the client wants to get revoked.\n"],
      ["pyOpenSSL, prompt_toolkit, more_itertools", "        :type passphrase: :py:data:`bytes`\n    :param attrs_for_token: :class:`._TokenToAttrsCache` instance.\n        Pass :meth:`peek` a default value to return\n"],
    ],
  );
});

describe("a constant's name after a key's label is no key (gitleaks' generic rule)", () => {
  maskedAndKept(
    [["Input key type:  XK9MQ2PL7VR3ZT8WN1BY\n", "Input key type:  [REDACTED:generic-api-key]\n"]],
    [["nss' pkcs11n.h", " * Input key type:  CKK_NSS_JPAKE_ROUND1\n * Output key type: CKK_NSS_JPAKE_ROUND2\n"]],
  );
});

describe("a Secret Manager reference in a man page, roff writing `-` as `\\-`, is no secret", () => {
  maskedAndKept(
    [["    \\-\\-secret=Xk9mQ2pL7vR3zT8w \\e\n", "    \\-\\-secret=[REDACTED:secret] \\e\n"]],
    [["gcloud's man pages", "$ gcloud builds triggers update webhook my\\-webhook\\-trigger \\e\n    \\-\\-secret=projects/my\\-project/secrets/my\\-secret/versions/2\n.RE\n"]],
  );
});

describe("a public key's pin (its SHA-256, published) is no key (gitleaks' generic rule)", () => {
  maskedAndKept(
    [["  Public key: pL1+qb9HTMRZJmuC/bB/ZI9d302BYrrqiVuRyW+DGrU=\n", "  Public key: [REDACTED:generic-api-key]\n"]],
    [["node's https docs", "     *   Certificate SHA256 fingerprint: 25:FE:39:32:D9:63:8C:8A:FC:A1:9A:29:87:D8:3E:4C:1D:98:DB:71:E4:1A:48:03:98:EA:22:6A:BD:8B:93:16\n     *   Public key ping-sha256: pL1+qb9HTMRZJmuC/bB/ZI9d302BYrrqiVuRyW+DGrU=\n     * Subject Common Name: DigiCert SHA2 Extended Validation Server CA\n"]],
  );
});

describe("a field's description in a docstring's section of fields (`Fields:`, `Values:`) is no secret's value", () => {
  maskedAndKept(
    [
      ["  Fields:\n    privateKey: Xk9mQ2pL7vR3zT8w for the dev box\n", "  Fields:\n    privateKey: [REDACTED:secret] for the dev box\n"],
      ["  Fields:\n    PASSWORD: Dragon for the dev box\n", "  Fields:\n    PASSWORD: [REDACTED:secret] for the dev box\n"],
      ["  Notes:\n    JWT_SECRET: Dragon for the dev box\n", "  Notes:\n    JWT_SECRET: [REDACTED:secret] for the dev box\n"],
    ],
    [
      ["apitools' oslogin messages", '  r"""The credential information for a Google registered security key.\n\n  Fields:\n    deviceNickname: The security key nickname explicitly set by the user.\n    privateKey: Hardware-backed private key text in SSH format.\n'],
      ["apitools' ondemandscanning messages", "    Values:\n      NOTE_KIND_UNSPECIFIED: Default value. This value is unused.\n      VULNERABILITY: The note and occurrence represent a package\n        vulnerability.\n      SBOM_REFERENCE: This represents an SBOM Reference.\n      SECRET: This represents a secret.\n    \"\"\"\n"],
    ],
  );
});

describe("a command that lists the users (`getent passwd`, `cat /etc/passwd`) is no password, and prints none", () => {
  maskedAndKept(
    [
      ["cat_passwd='Tr0ub4dor&3'\n", "cat_passwd='[REDACTED:secret]'\n"],
      ["$ cat ~/.config/app/passwd\nXk9mQ2pL7vR3zT8w\n", "$ cat ~/.config/app/passwd\n[REDACTED:secret]\n"],
    ],
    [
      ["gnupg's addgnupghome", "if getent --help </dev/null >/dev/null 2>&1 ; then\n    cat_passwd='getent passwd'\nelse\n    cat_passwd='cat /etc/passwd'\n"],
      ["perl's Config_heavy.pl", "pager='/usr/bin/sensible-pager'\npasscat='cat /etc/passwd'\npatchlevel='36'\npath_sep=':'\n"],
    ],
  );
});

describe("C's constants of words (a reserved `__` or Google's `k` before them) are no keys (gitleaks' generic rule)", () => {
  maskedAndKept(
    [["const int kApiTaggedSize = kXm9QpL7vR3zT8w;\nKEY: __Xk9mQ2pL7vR3zT8w\n", "const int kApiTaggedSize = [REDACTED:generic-api-key];\nKEY: [REDACTED:generic-api-key]\n"]],
    [
      ["v8-internal.h", "    \"Pointer compression can be enabled only for 64-bit architectures\");\nconst int kApiTaggedSize = kApiInt32Size;\n#else\n"],
      ["linux's nf_tables.h", "\tNFTA_TUNNEL_KEY_IP6_DST,\n\tNFTA_TUNNEL_KEY_IP6_FLOWLABEL,\n\t__NFTA_TUNNEL_KEY_IP6_MAX\n};\n"],
    ],
  );
});

describe("HTML's markup is no password: `type=password` is an attribute, and no user's name holds `<`", () => {
  maskedAndKept(
    [["the password Tr0ub4dor&3\ndatabase forms:Tr0ub4dor&3\n", "the password [REDACTED:password]\ndatabase forms:[REDACTED:password]\n"]],
    [
      ["debconf's Web/Password.pm", '\t$_.="<b>".$this->question->description."</b><input type=password name=\\"$id\\" value=\\"$default\\">\\n";\n'],
      ["ninja's manual.html", "database.</p><p>Ninja supports this processing in two forms.</p><div class=\"orderedlist\"><ol class=\"orderedlist\" type=\"1\">\n"],
    ],
  );
});

describe("a package's version under its name is no password (lockfiles and package.json name `parse-passwd`)", () => {
  maskedAndKept(
    [
      ['    parse-passwd "Xk9mQ2pL7vR3"\n', '    parse-passwd "[REDACTED:secret]"\n'],
      ['"db-password": "Xk9mQ2pL7vR3",\n', '"db-password": "[REDACTED:secret]",\n'],
      ["DB_PASSWORD=1.0.0\n", "DB_PASSWORD=[REDACTED:secret]\n"],
    ],
    [
      [
        "a yarn.lock",
        'homedir-polyfill@^1.0.0:\n  version "1.0.1"\n  resolved "https://registry.yarnpkg.com/homedir-polyfill/-/homedir-polyfill-1.0.1.tgz#4c2bbc8a758998feebf5ed68580f76d46768b4bc"\n  dependencies:\n    parse-passwd "^1.0.0"\n',
      ],
      ["package.json's dependencies", '  "dependencies": {\n    "parse-passwd": "^1.0.0",\n    "passwd-user": "~3.0.0"\n  }\n'],
      ["a pnpm-lock.yaml", "  /homedir-polyfill@1.0.3:\n    dependencies:\n      parse-passwd: 1.0.0\n    dev: true\n"],
    ],
  );
});

describe("a GitHub Actions permission is no token (`id-token: 'write'`)", () => {
  maskedAndKept(
    [
      ["      id-token: 'Xk9mQ2pL7vR3zT8w'\n", "      id-token: '[REDACTED:secret]'\n"],
      ["      db-password: 'write'\n", "      db-password: '[REDACTED:secret]'\n"],
    ],
    [["starter-workflows' deployments/google.yml", "    permissions:\n      contents: 'read'\n      id-token: 'write'\n\n    steps:\n      - name: 'Checkout'\n"]],
  );
});

describe("a GitHub action's name and version after its owner is no user and password (`docker/login-action@v3`)", () => {
  maskedAndKept(
    [
      ["login with admin/Spring@2024\n", "login with admin/[REDACTED:password]\n"],
      ["login with admin/Hunter@v2x9\n", "login with admin/[REDACTED:password]\n"],
    ],
    [
      [
        "starter-workflows' deployments/google.yml",
        "      - name: 'Docker Auth'\n        uses: 'docker/login-action@9780b0c442fbb1117ed29e0efdff1e18412f7567' # docker/login-action@v3\n        with:\n          username: 'oauth2accesstoken'\n          password: '${{ steps.auth.outputs.auth_token }}'\n",
      ],
      [
        "starter-workflows' deployments/google.yml, get-gke-credentials",
        "      # Get the GKE credentials so we can deploy to the cluster\n      - name: 'Set up GKE credentials'\n        uses: 'google-github-actions/get-gke-credentials@6051de21ad50fbb1767bc93c11357a49082ad116' # google-github-actions/get-gke-credentials@v2\n        with:\n          cluster_name: '${{ env.GKE_CLUSTER }}'\n",
      ],
    ],
  );
});

describe("a package's version under an unhyphenated name, or an artifact's under its group, is no key (`jsonwebtoken`, `io.jsonwebtoken:jjwt-api:0.11.5`)", () => {
  maskedAndKept(
    [
      ['    "jsonwebtoken": "Xk9mQ2pL7vR3",\n', '    "jsonwebtoken": "[REDACTED:secret]",\n'],
      ["spring.datasource.password: secret-pass\n", "spring.datasource.password: [REDACTED:secret]\n"],
      ["JWT_TOKEN=jjwt-api:0.11.5\n", "JWT_TOKEN=[REDACTED:secret]\n"],
    ],
    [
      ["a package.json", '    "cors": "^2.8.5",\n    "bcrypt": "^5.1.1",\n    "jsonwebtoken": "^9.0.2",\n    "morgan": "^1.10.0"\n  },\n'],
      [
        "a build.gradle",
        "    implementation 'org.springframework.boot:spring-boot-starter-security'\n    implementation 'io.jsonwebtoken:jjwt-api:0.11.5'\n    runtimeOnly 'io.jsonwebtoken:jjwt-impl:0.11.5'\n    runtimeOnly 'io.jsonwebtoken:jjwt-jackson:0.11.5'\n}\n",
      ],
    ],
  );
});

describe("a value named fake is a stand-in, as dummy and example are (`trace_token='fake_trace_token'`)", () => {
  maskedAndKept(
    [
      ["            trace_token='fake9Xk2mQ7pLvR3',\n", "            trace_token='[REDACTED:secret]',\n"],
      ["ENCRYPTION_KEY=FakeP4ss2024\n", "ENCRYPTION_KEY=[REDACTED:secret]\n"],
    ],
    [
      [
        "gsutil's test_shim_util.py",
        "            debug=3,  # -D option\n            trace_token='fake_trace_token',\n            user_project='fake_user_project',\n",
      ],
      ["gsutil's test_shim_util.py, a boto config", "    with _mock_boto_config({'GSUtil': {'encryption_key': 'fake_key'}}):\n      flags, _ = self._fake_command._translate_boto_config()\n"],
    ],
  );
});

describe("a constant plus a number in C's enum is no password (`SEC_ERROR_BAD_PASSWORD = SEC_ERROR_BASE + 15,`)", () => {
  maskedAndKept(
    [
      ["DB_PASSWORD=ADMIN_PASS_2\n", "DB_PASSWORD=[REDACTED:secret]\n"],
      ["PASSWORD=Xk9mQ2pL + 2\n", "PASSWORD=[REDACTED:secret] + 2\n"],
    ],
    [["nss' secerr.h", "    SEC_ERROR_BAD_KEY = SEC_ERROR_BASE + 14,\n    SEC_ERROR_BAD_PASSWORD = SEC_ERROR_BASE + 15,\n    SEC_ERROR_RETRY_PASSWORD = SEC_ERROR_BASE + 16,\n"]],
  );
});

describe("jwt.encode's payload written in the call: its commas are the object's, the key is the next argument", () => {
  maskedAndKept(
    [
      ['    >>> token = jwt.encode({"sub": "1234567890", "iat": 1371720939}, "Xk9mQ2pL7vR3zT8w")\n', '    >>> token = jwt.encode({"sub": "1234567890", "iat": 1371720939}, "[REDACTED:secret]")\n'],
      ["var token = jwt.sign({ foo: 'bar', user: { id: 1, role: 'x' } }, 'Xk9mQ2pL7vR3zT8w');\n", "var token = jwt.sign({ foo: 'bar', user: { id: 1, role: 'x' } }, '[REDACTED:secret]');\n"],
    ],
    [["pyjwt's docs/usage.rst", '.. code-block:: pycon\n\n    >>> token = jwt.encode({"sub": "1234567890", "iat": 1371720939}, "secret")\n    >>> try:\n    ...     jwt.decode(\n    ...         token,\n    ...         "secret",\n']],
  );
});

describe("a docstring's field under a password's name is no password (`password: Required. Input only. The password for…`)", () => {
  maskedAndKept(
    [
      ["# ADMIN_PASSWORD: Dragon for the dev box", "# ADMIN_PASSWORD: [REDACTED:secret] for the dev box"],
      ["    password: Dragon. Then log in\n", "    password: [REDACTED:secret] Then log in\n"],
    ],
    [
      [
        "apitools' metastore messages",
        '  Fields:\n    bucket: Optional. The bucket to write the intermediate stream event data\n      in. The bucket name must be without any prefix like "gs://". See the\n      bucket naming requirements\n      (https://cloud.google.com/storage/docs/buckets#naming). This field is\n      optional. If not set, the Artifacts Cloud Storage bucket will be used.\n    password: Required. Input only. The password for the user that Datastream\n',
      ],
      ["oauth2client's crypt.py", '    """Convert the contents of a PKCS12 key to PEM using OpenSSL.\n\n    Args:\n      private_key_text: String. Private key.\n      private_key_password: String. Password for PKCS12.\n'],
    ],
  );
});

describe("env templates' stand-ins are no secrets: a scheme before a reference, YOUR…HERE, `value`", () => {
  maskedAndKept(
    [
      ['        GEM_HOST_API_KEY: "Bearer Xk9mQ2pL7vR3zT8w"\n', '        GEM_HOST_API_KEY: "Bearer [REDACTED:bearer-token]"\n'],
      ['SECRET_KEY="YOURSECRETKEY9GOESHERE"\n', 'SECRET_KEY="[REDACTED:secret]"\n'],
      ["$ heroku config:set DOTENV_PRIVATE_KEY_PRODUCTION=Xk9mQ2pL7vR3zT8w\n", "$ heroku config:set DOTENV_PRIVATE_KEY_PRODUCTION=[REDACTED:secret]\n"],
    ],
    [
      ["starter-workflows' ci/gem-push.yml", '        gem push --KEY github --host https://rubygems.pkg.github.com/${OWNER} *.gem\n      env:\n        GEM_HOST_API_KEY: "Bearer ${{secrets.GITHUB_TOKEN}}"\n        OWNER: ${{ github.repository_owner }}\n'],
      ["dotenv's README, a template", '```ini\n# app/backend/.env\nS3_BUCKET="YOURS3BUCKET"\nSECRET_KEY="YOURSECRETKEYGOESHERE"\n```\n'],
      ["dotenv's README, heroku", "Set `DOTENV_PRIVATE_KEY_PRODUCTION` (found in `.env.keys`) on your server.\n\n```\n$ heroku config:set DOTENV_PRIVATE_KEY_PRODUCTION=value\n```\n"],
    ],
  );
});

describe("a number with its unit beside a password's label is a setting, no password", () => {
  maskedAndKept(
    [["use Xk9mQ2pL7vR3 as the password", "use [REDACTED:password] as the password"]],
    [
      ["a timeout", "use 300s as the password timeout"],
      ["a timeout, set", "set it to 300s as the password timeout"],
      ["a size", "the password is 2kb long at most? no, use 10m as the password expiry"],
      ["a length", "use 12chars as the password minimum"],
    ],
  );
});

describe("a Wi-Fi network's security mode beside its PSK label is no key", () => {
  maskedAndKept(
    [["PSK: Xk9mQ2pL7vR3", "PSK: [REDACTED:secret]"]],
    [
      ["the mode after the label", "PSK: WPA2-PSK mode"],
      ["an assignment", "psk=WPA3-SAE"],
    ],
  );
});

describe("a token that is a URL path's segment: the mask ends where the token ends, the rest of the path stays", () => {
  const pat = "ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bD1fH3jK5";
  maskedAndKept(
    [
      [`/v1/${pat}/run`, "/v1/[REDACTED:github-token]/run"],
      [`GET https://api.example.test/hooks/${pat}/run?x=1`, "GET https://api.example.test/hooks/[REDACTED:github-token]/run?x=1"],
    ],
    [],
  );
});

describe("a Podfile.lock's spec checksums are no keys (a pod named AppAuth reads as a key's name before 40 hex)", () => {
  maskedAndKept(
    [
      ["app:\n  FirebaseAuth: 4a2aed737c84114a9d9b33d11ae1b147d6b94889\n", "app:\n  FirebaseAuth: [REDACTED:generic-api-key]\n"],
      [
        "SPEC CHECKSUMS:\n  nanopb: fad817b59e0457d11a5dfbde799381cd727c1275\n\n  FirebaseAuth: 4a2aed737c84114a9d9b33d11ae1b147d6b94889\n",
        "SPEC CHECKSUMS:\n  nanopb: fad817b59e0457d11a5dfbde799381cd727c1275\n\n  FirebaseAuth: [REDACTED:generic-api-key]\n",
      ],
    ],
    [
      [
        "a Kotlin Multiplatform app's ios/Podfile.lock",
        "SPEC CHECKSUMS:  \n  AppAuth: 1c1a8afa7e12f2ec3a294d9882dfa5ab7d3cb063  \n  AppCheckCore: cc8fd0a3a230ddd401f326489c99990b013f0c4f  \n  composeApp: 566a3098fb261e357240ba9987ddeeda065a21e3  \n  Firebase: f07b15ae5a6ec0f93713e30b923d9970d144af3e  \n  FirebaseAnalytics: 0fc2b20091f0ddd21bf73397cf8f0eb5346dc24f  \n  FirebaseAppCheckInterop: f734c802f21fe1da0837708f0f9a27218c8a4ed0  \n  FirebaseAuth: 4a2aed737c84114a9d9b33d11ae1b147d6b94889  \n  FirebaseAuthInterop: 858e6b754966e70740a4370dd1503dfffe6dbb49  \n  FirebaseCore: bb595f3114953664e3c1dc032f008a244147cfd3  \n  GoogleSignIn: c7f09cfbc85a1abf69187be091997c317cc33b77  \n  GTMAppAuth: 217a876b249c3c585a54fd6f73e6b58c4f5c4238  \n  GTMSessionFetcher: 5aea5ba6bd522a239e236100971f10cb71b96ab6  \n  \nPODFILE CHECKSUM: e279ae19668c627d3df392e9c72bff7f62fa7279  \n",
      ],
      [
        "a diff of a Flutter app's Podfile.lock",
        " SPEC CHECKSUMS:\n   FlutterMacOS: 8f6f14fa908a6fb3fba0cd85dbd81ec4b251fb24\n-  google_sign_in_ios: 1bfaf6607b44cd1b24c4d4bc39719870440f9ce1\n+  google_sign_in_ios: 989eea5abe94af62050782714daf920be883d4a2\n   GoogleSignIn: b232380cf495a429b8095d3178a8d5855b42e842\n   GTMAppAuth: 99fb010047ba3973b7026e45393f51f27ab965ae\n",
      ],
    ],
  );
});

describe("a credential's field name as a constant's value is where a key is read from, no key", () => {
  maskedAndKept(
    [
      ["SECRET_KEY = 'my_secret_key'", "SECRET_KEY = '[REDACTED:secret]'"],
      ["SECRET_KEY = 'MySecretKey'", "SECRET_KEY = '[REDACTED:secret]'"],
      ["JWT_SECRET=SuperSecret", "JWT_SECRET=[REDACTED:secret]"],
    ],
    [
      ["botocore's SharedCredentialProvider", "    CANONICAL_NAME = 'SharedCredentials'\n\n    ACCESS_KEY = 'aws_access_key_id'\n    SECRET_KEY = 'aws_secret_access_key'\n    # Same deal as the EnvProvider above.  Botocore originally supported\n"],
      ["botocore's OriginalEC2Provider", "    CRED_FILE_ENV = 'AWS_CREDENTIAL_FILE'\n    ACCESS_KEY = 'AWSAccessKeyId'\n    SECRET_KEY = 'AWSSecretKey'\n"],
    ],
  );
});

describe("a name of words joined by underscores, or a sum of names, after a key's name is code (gitleaks' generic rule)", () => {
  maskedAndKept(
    [
      ["def int_sm4ekey : Xk9m_Q2pL7_vR3zT8wN1bY;", "def int_sm4ekey : [REDACTED:generic-api-key];"],
      [" * @return the sort key, abcD3fGhx+Yk9mQ2pL7vR3;", " * @return the sort key, [REDACTED:generic-api-key];"],
    ],
    [
      ["LLVM's IntrinsicsAArch64.td", "def int_aarch64_crypto_sm4ekey   : Crypto_SM4_2Vector_Intrinsic;\n"],
      ["ICU's ucol.h", " * @param destCapacity the number of bytes in the dest buffer\n * @return the length of the merged sort key, src1Length+src2Length;\n *         can be larger than destCapacity, or 0 if an error occurs (only for illegal arguments),\n"],
    ],
  );
});

describe("a cookie's attribute in a Cookie header is no cookie (Python's SimpleCookie writes them so)", () => {
  maskedAndKept(
    [
      ["   Cookie: rocky=road; Path=/cookie", "   Cookie: rocky=[REDACTED:cookie]; Path=/cookie"],
      ["Cookie: sid=Xk9mQ2pL7vR3; Domain=.example.com; Max-Age=3600; SameSite=Lax", "Cookie: sid=[REDACTED:cookie]; Domain=.example.com; Max-Age=3600; SameSite=Lax"],
      ["Cookie: a=Xk9mQ2; path=Xk9mQ2pL7vR3zT8w", "Cookie: a=[REDACTED:cookie]; path=[REDACTED:cookie]"],
      ["Cookie: Path=/x", "Cookie: Path=[REDACTED:cookie]"],
    ],
    [],
  );
});

describe("a service's port and protocol beside its name is no password (/etc/services)", () => {
  maskedAndKept(
    [["kpasswd\t\tXk9mQ2/tcp", "kpasswd\t\t[REDACTED:secret]"]],
    [["/etc/services", "microsoft-ds\t445/tcp\t\t\t\t# Microsoft Naked CIFS\nkpasswd\t\t464/tcp\nkpasswd\t\t464/udp\nsubmissions\t465/tcp\t\tssmtp smtps urd # Submission over TLS [RFC8314]\n"]],
  );
});

describe("a value that is its option's name after 'my' is the docs' stand-in (gcloud's TDE import)", () => {
  maskedAndKept(
    [
      ["--pvk-password=my-dog-password", "--pvk-password=[REDACTED:password]"],
      ["    \\-\\-pvk\\-password=my\\-dog\\-password\n", "    \\-\\-pvk\\-password=[REDACTED:secret]\n"],
    ],
    [
      ["gcloud's sql/import/tde.py", "            $ {command} my-instance --certificate=foo --cert-path=gs://my-bucket/my-cert.cert --pvk-path=gs://my-bucket/my-key.pvk --pvk-password=my-pvk-password\n"],
      ["gcloud_sql_import_tde.1", "$ gcloud sql import tde my\\-instance \\-\\-certificate=foo \\e\n    \\-\\-cert\\-path=gs://my\\-bucket/my\\-cert.cert \\e\n    \\-\\-pvk\\-path=gs://my\\-bucket/my\\-key.pvk \\e\n    \\-\\-pvk\\-password=my\\-pvk\\-password\n.RE\n"],
    ],
  );
});

describe("a page's token and a request's idempotency token open nothing (every paginated API's output)", () => {
  maskedAndKept(
    [
      ['"accessToken": "Xk9mQ2pL7vR3zT8wN1bYxAbCdEfGh"', '"accessToken": "[REDACTED:secret]"'],
      ["aws cognito-idp get-user --access-token Xk9mQ2pL7vR3zT8wN1bYxAbCdEfGh", "aws cognito-idp get-user --access-token [REDACTED:secret]"],
    ],
    [
      ["aws fms list-policies", '            }\n        ],\n        "NextToken": "eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ=="\n    }\n'],
      ["aws dynamodb list-backups", "    aws dynamodb list-backups \\\n        --starting-token abCDeFGhiJKlmnOPqrSTuvwxYZ1aBCdEFghijK7LM51nOpqRSTuv3WxY3ZabC5dEFGhI2Jk3LmnoPQ6RST9\n"],
      ["aws codecommit's pull request", '            "pullRequestId": "42",\n            "clientRequestToken": "123Example",\n'],
    ],
  );
});

describe("an AWS resource's name (ARN) and id are no key (aws … describe output)", () => {
  maskedAndKept(
    [
      ['"encryptionKey": "Xk9mQ2pL7vR3zT8wN1bYxAbC"', '"encryptionKey": "[REDACTED:secret]"'],
      ["--role-arn=arn:aws:iam::1:role/x,secret=Xk9mQ2pL7vR3zT8wN1bY", "--role-arn=arn:aws:iam::1:role/x,secret=[REDACTED:secret]"],
      [' "accessKey": "abcd-0bb32de759a3e19e7f"', ' "accessKey": "[REDACTED:secret]"'],
    ],
    [
      ["aws secretsmanager list-secrets", '            {\n                "ARN": "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-a1b2c3",\n                "Name": "MyTestSecret",\n'],
      ["aws codebuild batch-get-build-batches", '                "initiator": "Strohm",\n                "encryptionKey": "arn:aws:kms:us-west-2:123456789012:alias/aws/s3",\n'],
      ["aws ec2 describe-verified-access-trust-providers", '        "VerifiedAccessTrustProviders": [\n            {\n                "VerifiedAccessTrustProviderId": "vatp-0bb32de759a3e19e7",\n                "Description": "Testing Verified Access",\n'],
    ],
  );
});

describe("a sudoers rule's NOPASSWD tag and the commands it grants are no password", () => {
  maskedAndKept(
    [["NOPASSWD: Xk9mQ2pL7vR3", "NOPASSWD: [REDACTED:secret]"]],
    [["a cloud-init user's sudo line", "    primary_group: bot\n    sudo: ALL=(ALL) NOPASSWD:ALL\n    groups: users, admin, docker\n    lock_passwd: false\n"]],
  );
});

describe("a token's lifetime's unit is no token (Cognito's TokenValidityUnits)", () => {
  maskedAndKept(
    [['"AccessToken": "minutesXk9mQ2pL"', '"AccessToken": "[REDACTED:secret]"']],
    [["aws cognito-idp update-user-pool-client", '            "IdTokenValidity": 60,\n            "TokenValidityUnits": {\n                "AccessToken": "minutes",\n                "IdToken": "minutes",\n                "RefreshToken": "days"\n']],
  );
});

describe("an idempotency token and an Auto Scaling hook's action token open nothing", () => {
  maskedAndKept(
    [['"IdToken": "527c5358-2a1a-4b9e-b1b9-7293b0ddff42"', '"IdToken": "[REDACTED:secret]"']],
    [
      ["aws servicecatalog scan-provisioned-products", '                "Type": "CFN_STACK",\n                "IdempotencyToken": "527c5358-2a1a-4b9e-b1b9-7293b0ddff42",\n                "CreatedTime": 1577222793.358,\n'],
      ["aws autoscaling complete-lifecycle-action", "        --lifecycle-action-result CONTINUE \\\n        --lifecycle-action-token bcd2f1b8-9a78-44d3-8a7a-4dd07d7cf635\n"],
    ],
  );
});

describe("an option's name in capitals as its value is the AWS CLI examples' placeholder", () => {
  maskedAndKept(
    [["aws cognito-idp delete-user --access-token PASSWORD_TOKEN", "aws cognito-idp delete-user --access-token [REDACTED:secret]"]],
    [["aws cognito-idp delete-user", "\n  aws cognito-idp delete-user --access-token ACCESS_TOKEN\n  \n"]],
  );
});

describe("a key's id, named so, is no key (gitleaks' generic rule reads the Key in KeyMaterialId)", () => {
  maskedAndKept(
    [
      [' "apiKey": "0b7fd7ddbac6eef27907413567cad8c810e2883dc8a7534067a82ee1142fc1e6"', ' "apiKey": "[REDACTED:secret]"'],
      ['"private_key_id": "0b7fd7ddbac6eef27907413567cad8c810e2883d"', '"private_key_id": "[REDACTED:secret]"'],
    ],
    [["aws kms import-key-material", '    {\n        "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",\n        "KeyMaterialId": "0b7fd7ddbac6eef27907413567cad8c810e2883dc8a7534067a82ee1142fc1e6"\n    }\n']],
  );
});

describe("a line's end written as an escape ends a value told in prose (a file inside kubectl's YAML string)", () => {
  maskedAndKept(
    [["my password is Xk9mQ2pL7vR3\\nnext line", "my password is [REDACTED:password]\\nnext line"]],
    [
      ["kubectl create configmap --from-file=/etc/services -o yaml", "    UNIX specific services\\n#\\nexec\\t\\t512/tcp\\nbiff\\t\\t512/udp\\t\\tcomsat\\nlogin\\t\\t513/tcp\\nwho\\t\\t513/udp\\t\\twhod\\nshell\\t\\t514/tcp\\t\\tcmd\n    syslog\\t# no passwords used\\nsyslog\\t\\t514/udp\\nprinter\\t\\t515/tcp\\t\\tspooler\\t\\t#\n    line printer spooler\\ntalk\\t\\t517/udp\\nntalk\\t\\t518/udp\\nroute\\t\\t520/udp\\t\\trouter\n"],
      ["the same, a service told beside its port", "    Connection\\ncfengine\\t5308/tcp\\nmdns\\t\\t5353/udp\\t\\t\\t# Multicast DNS\\npostgresql\\t5432/tcp\\tpostgres\\t#\n    PostgreSQL Database\\nfreeciv\\t\\t5556/tcp\\trptp\\t\\t# Freeciv gameplay\\namqps\\t\\t5671/tcp\\t\\t\\t#\n    AMQP protocol over TLS/SSL\\namqp\\t\\t5672/tcp\\namqp\\t\\t5672/sctp\\nx11\\t\\t6000/tcp\\tx11-0\\t\\t#\n"]],
  );
});

describe("markdown's bold closing a heading is no part of a value told in prose", () => {
  maskedAndKept(
    [
      ["my password is Passw0rd**", "my password is [REDACTED:password]"],
      ["**My password is Passw0rd!x**", "**My password is [REDACTED:password]**"],
    ],
    [
      ["aws iam delete-account-password-policy", "**To delete the current account password policy**\n\nThe following ``delete-account-password-policy`` command removes the password policy for the current account. ::\n"],
      ["aws secretsmanager delete-secret", "**Example 2: To delete a secret immediately**\r\n"],
    ],
  );
});

describe("a prompt's label inside a string (getpass(\"Password: \")) opens no quoted value with the quote closing it", () => {
  maskedAndKept(
    [
      ["echo \"password: 'Xk9pQ2vL7mRw'\"", "echo \"password: '[REDACTED:secret]'\""],
      ['{"password": "Xk9pQ2vL7mRw"}', '{"password": "[REDACTED:secret]"}'],
      ["password: 'Xk9pQ2vL7mRw", "password: '[REDACTED:secret]"],
    ],
    [
      ["a prompt read, the text ending after it", 'password = getpass.getpass("Password: ").strip()'],
      ["getpass's other arguments", "password = getpass.getpass(prompt='Password: ', stream=None)"],
      ["Pod/Simple/PullParserToken.pm", '    $DEBUG and print STDERR "Token: ", $token->dump, "\\n";'],
    ],
  );
});

describe("AWS's fields holding a UUID that opens nothing (EC2's ClientToken, Cloud Control's RequestToken, an S3 object's Key)", () => {
  const uuid = "3f1c9a2e-8b7d-4c1e-9f5a-2a1908f7e6d5";
  maskedAndKept(
    [
      // Vault's client_token is a credential, in old versions a UUID; a key under any other spelling stays one.
      [`"client_token": "${uuid}"`, '"client_token": "[REDACTED:secret]"'],
      [`"clientToken": "Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8C"`, '"clientToken": "[REDACTED:secret]"'],
      [`request_token=${uuid}`, "request_token=[REDACTED:secret]"],
      [`"key": "${uuid}"`, '"key": "[REDACTED:generic-api-key]"'],
      [`"ApiKey": "${uuid}"`, '"ApiKey": "[REDACTED:secret]"'],
    ],
    [
      ["aws ec2 run-instances' answer", `{"Groups": [], "Instances": [], "OwnerId": "123456789012", "ReservationId": "r-0abc", "ClientToken": "${uuid}"}`],
      ["an SDK's JSON", `{"clientToken": "${uuid}", "maxResults": 10}`],
      ["aws cloudcontrol create-resource", `"ProgressEvent": {"TypeName": "AWS::S3::Bucket", "RequestToken": "${uuid}", "Operation": "CREATE"}`],
      ["aws s3api list-objects-v2", `{"Contents": [{"Key": "${uuid}", "Size": 1024, "StorageClass": "STANDARD"}]}`],
      ["boto3", `s3.put_object(Bucket="uploads", Key="${uuid}", Body=data)`],
    ],
  );
  test("kept: the same as a tool's input", () => {
    const input = { Bucket: "uploads", Key: uuid, ClientToken: uuid, RequestToken: uuid };
    expect(createRedactor().redactValue(input)).toEqual({ value: input, count: 0 });
  });
});

describe("a function that reads what is typed, named bare after a password's name (Ruby's `password = getpass`, a call without brackets)", () => {
  maskedAndKept(
    [
      ["[client]\npassword = letmein\n", "[client]\npassword = [REDACTED:secret]\n"],
      ["password = getpassword\n", "password = [REDACTED:secret]\n"],
    ],
    [
      ["a Thor CLI's login", '    print "Password: "\n    password = getpass\n\n    user = User.find_for_authentication(email: email)\n'],
      ["fabric's env", 'from getpass import getpass\n\ndef remote_server():\n    env.password = getpass\n    "Enter password: "\n'],
      ["the module's function and the builtins", "password = getpass.getpass\npwd = input\npasswd = raw_input\n"],
    ],
  );
});

describe("gopass's header above an entry (`Secret: <entry's name>`) is no secret's value: the entry below it is", () => {
  maskedAndKept(
    [
      ["Secret: Xk9/mQ2pL+7vR3zT8w\n", "Secret: [REDACTED:secret]\n"],
      ["secret: my/db/pass and more", "secret: [REDACTED:secret] and more"],
    ],
    [
      ["gopass show's header", "Secret: websites/github.com/me@example.com\n"],
      ["a header indented, an entry's path of words", "  Secret: path/to/entry\n  Secret: prod/db-password\n"],
    ],
  );
});

describe("a sed substitution that cuts a secret's name off (s/^psk=//p) has no value after the name", () => {
  maskedAndKept(
    [
      ["DB_PASSWORD=//hunter2x", "DB_PASSWORD=[REDACTED:secret]"],
      ["password=/gp4ss", "password=[REDACTED:secret]"],
    ],
    [
      ["wpa_passphrase's psk cut out", "wpa_passphrase \"$SSID\" \"$PASS\" | sed -n 's/^\\s*psk=//p'\n"],
      ["a .env's password cut out", "sed -i 's/^DB_PASSWORD=//g' .env\n"],
    ],
  );
});

describe("a pattern anchored at a line's start (grep '^DB_PASSWORD=' .env): its closing quote opens no value", () => {
  maskedAndKept(
    [
      ["export API_SECRET='^Xk9mQ2pL7vR3'", "export API_SECRET='[REDACTED:secret]'"],
      ["DB_PASSWORD=\"hunter2x\"", "DB_PASSWORD=\"[REDACTED:secret]\""],
    ],
    [
      // Each alone, as a Bash call's command is: the quote's end is then the text's.
      ["grep of an environment file", "grep '^API_SECRET=' .env | cut -d= -f2"],
      ["grep in double quotes", 'grep "^DB_PASSWORD=" .env'],
      ["grep -E", "grep -E '^DB_PASSWORD=' .env.production"],
    ],
  );
});

describe("a backup or recovery code's label run into its sentence (the recovery code 404 page) lists no codes", () => {
  maskedAndKept(
    [
      ["recovery codes:\n8372-1946\n4821-0034", "recovery codes:\n[REDACTED:recovery-code]\n[REDACTED:recovery-code]"],
      ["use backup code 8372-1946 if the app is gone", "use backup code [REDACTED:recovery-code] if the app is gone"],
      ["my recovery code is 8f3k2-9dj4x", "my recovery code is [REDACTED:recovery-code]"],
      ["backup codes 8f3k2-9dj4x 4hq7p-2mz8w", "backup codes [REDACTED:recovery-code] [REDACTED:recovery-code]"],
      ["Recovery codes\n12345678\n87654321", "Recovery codes\n[REDACTED:recovery-code]\n[REDACTED:recovery-code]"],
    ],
    [
      ["a status code after the label", "it redirects to the recovery code 404 page\nthe backup code 500 error is back\nthe emergency code 911 call"],
      ["a feature's name after the label", "the recovery code 2fa setup\nrecovery code 2 of 10"],
    ],
  );
});

describe("a figure's % before a store's command is no zsh prompt: the line below stays (a prompt's % is at the line's start or after user@host)", () => {
  maskedAndKept(
    [
      ["% pass show work/db\nhunter2\n", "% pass show work/db\n[REDACTED:secret]\n"],
      ["alice@mbp ~ % pass show work/db\nhunter2\n", "alice@mbp ~ % pass show work/db\n[REDACTED:secret]\n"],
      ["alice@mbp % pass otp github\n493021\n", "alice@mbp % pass otp github\n[REDACTED:secret]\n"],
      ["[alice@mbp ~]% gopass show -o x\ncorrect horse\n", "[alice@mbp ~]% gopass show -o x\n[REDACTED:secret]\n"],
    ],
    [
      ["a percentage, then the next line", "about 50% pass show x\nthen the next line here\n"],
      ["a percentage before otp and gopass", "I'd say 50% pass otp github\n493021\nand 90 % gopass show x\ncorrect horse\n"],
      ["an address and a percentage", "ask bob@example.com 50% pass show x\nthe rest of it\n"],
    ],
  );
});

describe("a MySQL authentication plugin's name after --default-auth is a mode, not a credential", () => {
  maskedAndKept(
    [["mysql --default-auth=Hx9kQ2pLz_8wTq", "mysql --default-auth=[REDACTED:secret]"]],
    [["a plugin's name", "command: --default-auth=mysql_native_password\nmysql --default-auth=caching_sha2_password -h db\nmysqldump --default-auth sha256_password"]],
  );
});

describe("kubectl config view's stand-in for a key's data is no key (DATA+OMITTED: --raw prints the data)", () => {
  maskedAndKept(
    [["users:\n- name: admin@prod\n  user:\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFcEFJQkFBS0NBUUVBdGVzdGtleWRhdGE=\n", "users:\n- name: admin@prod\n  user:\n    client-key-data: [REDACTED:private-key]\n"]],
    [["kubectl config view", "clusters:\n- cluster:\n    certificate-authority-data: DATA+OMITTED\n    server: https://10.0.0.1:6443\n  name: prod\nusers:\n- name: admin@prod\n  user:\n    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED\n"]],
  );
});

describe("a test's wrong value, named so, is no password (login('alice@example.com', 'wrong-password'))", () => {
  maskedAndKept(
    [["await login('alice@example.com', 'Wr0ngPassw0rd!');", "await login('alice@example.com', '[REDACTED:password]');"]],
    [
      ["a test of a rejected login", "it('rejects a wrong password', async () => {\n  await login('alice@example.com', 'wrong-password');\n  await login('alice@example.com', 'incorrect_password');\n  expect(page).toHaveText('Invalid credentials');\n});\n"],
      ["a rejected token", "const res = await request(app).get('/me').set('Authorization', 'Bearer invalid-token');\nexpect(verify('bad_secret')).toBe(false);\n"],
    ],
  );
});

describe("a long option's or a CSS custom property's name after a secret's label is no value (theme token: --color-primary-500)", () => {
  maskedAndKept(
    [["const t = { token: '--Xk9-mQ2pLz', password: --Hx9kQ2pLz7w }", "const t = { token: '[REDACTED:secret]', password: [REDACTED:secret] }"]],
    [
      ["a design token's custom property", ".btn { color: var(--color-primary-500); } /* theme token: --color-primary-500 */\nconst tokens = { token: '--spacing-4', secret: '--surface-muted' };\n"],
      ["a flag told as the password's source", "password: --password-stdin\ntoken: --with-token\n"],
    ],
  );
});

describe("digits alone are no key drawn at random (a build's number in an image's environment, an id under /keys/)", () => {
  maskedAndKept(
    [['"Env": ["BUILD_NUMBER=20261207120000123456", "STRIPE=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE"]', '"Env": ["BUILD_NUMBER=20261207120000123456", "STRIPE=[REDACTED:secret]"]']],
    [
      ["a build's number and a timestamp in an environment array", '"Env": ["BUILD_NUMBER=20261207120000123456", "CREATED_AT_NS=1733566272123456789"]'],
      ["a numeric id under /keys/, a number handed over", "GET https://api.example.com/keys/12345678901234567890123/usage\nhere: 12345678901234567890123\n"],
    ],
  );
});

describe("a commit's hash or a build's UUID set as a platform's variable is no token (heroku config:set GIT_SHA=8f14e45f…)", () => {
  maskedAndKept(
    [["heroku config:set GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 STRIPE=Xk9mQ2pL7vR3zT8wN1bY4cF6 -a shop", "heroku config:set GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 STRIPE=[REDACTED:secret] -a shop"]],
    [["hashes and UUIDs set as variables", "heroku config:set GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 -a shop\ngh variable set BUILD_ID --body 3f9a1c7e-2b4d-4e8f-9a6c-1d2e3f4a5b6c\nnetlify env:set RELEASE 8F14E45FCEEA167A5A36DEDD4BEA2543\n"]],
  );
});

describe("an app settings table's plain values are no secrets (az functionapp config appsettings list -o table)", () => {
  maskedAndKept(
    [["$ az functionapp config appsettings list -g rg -n fn -o table\nName  Value  SlotSetting\n--  --  --\nSTRIPE  Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE  False\n", "$ az functionapp config appsettings list -g rg -n fn -o table\nName  Value  SlotSetting\n--  --  --\nSTRIPE  [REDACTED:secret]  False\n"]],
    [["a runtime, a version, a host, a flag", "$ az functionapp config appsettings list -g rg -n fn -o table\nName                         Value                        SlotSetting\n---------------------------  ---------------------------  -----------\nFUNCTIONS_WORKER_RUNTIME     node                         False\nWEBSITE_NODE_DEFAULT_VERSION ~18                          False\nAPI_HOST                     api.example.com              False\nENABLE_ORYX_BUILD            true                         True\n"]],
  );
});

describe("a pulled .env file's public and plain values are no secrets (vercel env pull /dev/stdout)", () => {
  maskedAndKept(
    [['$ vercel env pull --yes /dev/stdout\nSTRIPE="Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE"\n', '$ vercel env pull --yes /dev/stdout\nSTRIPE="[REDACTED:secret]"\n']],
    [["a public key's name, a URL, a commit, a flag", '$ vercel env pull --yes /dev/stdout\n# Created by Vercel CLI\nNEXT_PUBLIC_SUPABASE_ANON=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\nVERCEL_URL="shop-git-main-acme.vercel.app"\nVERCEL_GIT_COMMIT_SHA="8f14e45fceea167a5a36dedd4bea2543a1b2c3d4"\nVERCEL_ENV="production"\n']],
  );
});

describe("a search of environment files with no file's names prints their lines, not code's secrets (grep -rh NODE_ENV .env*)", () => {
  const { redactOutput } = createRedactor();
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key");
  test("masked: an opaque token", () => expect(read("grep -rh STRIPE .env*", "STRIPE=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\n").text).toBe("STRIPE=[REDACTED:secret]\n"));
  test("kept: a mode, a URL, a commit's hash, a public key's name", () => {
    const lines = "NODE_ENV=production\nAPI_URL=https://api.example.com/v1\nGIT_SHA=8f14e45fceea167a5a36dedd4bea2543\nNEXT_PUBLIC_STRIPE=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\n";
    expect(read("grep -rhv '^#' .env*", lines)).toEqual({ text: lines, count: 0 });
  });
});

describe("the user's words after a pasted vault kv get and a blank line are no record's values", () => {
  maskedAndKept(
    [["$ vault kv get secret/app\n====== Data ======\nKey       Value\n---       -----\nstripe    live-shop-west-42\n", "$ vault kv get secret/app\n====== Data ======\nKey       Value\n---       -----\nstripe    [REDACTED:secret]\n"]],
    [
      [
        "prose and a table of the user's after the command's error and a blank line",
        "$ vault kv get secret/app\nError reading secret/app: permission denied\n\n== Steps ==\nKey       Value\n---       -----\npolicy    read-only-app\n\nstripe    live-shop-west-42 is the name I expected\n",
      ],
    ],
  );
});

describe("an authorization scheme's name before the credential under a secret's name is no part of it (deploy token: FlyV1 fm2_…)", () => {
  const fly = `fm2_lJPECAAAAAAAAMkNxBDCvFyOq8kVxYg2zq5rE4mWwrVodHRwczovL2FwaS5mbHkuaW8vdjGWAJLOAAx3Xx8Lk7lodHRwczovL2FwaS5mbHkuaW8vYWFhL3YxxDyn1nQWoZ8b6Ho6c2ZHQ3Rf9TkNuP4sWl4TOJ2BzJvR0Gf`;
  maskedAndKept(
    [
      [`deploy token: FlyV1 ${fly}`, "deploy token: FlyV1 [REDACTED:flyio-access-token]"],
      [`deploy_token=FlyV1 ${fly}`, "deploy_token=FlyV1 [REDACTED:flyio-access-token]"],
      ["password: Basic hunter2x", "password: Basic [REDACTED:secret]"],
    ],
    [
      ["a scheme's name in prose after a secret's label", "password: basic auth is used here\ntoken: bearer tokens are sent in headers\nsecret: token rotation happens weekly\n"],
    ],
  );
});

describe("a pasted search's lines of code are no environment file's (only an environment file's lines below $ grep are read so)", () => {
  maskedAndKept(
    [["$ grep -rn STRIPE .\n./.env:1:STRIPE=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\n", "$ grep -rn STRIPE .\n./.env:1:STRIPE=[REDACTED:secret]\n"]],
    [
      ["code's and a lockfile's lines, a search of no environment file", '$ grep -rn BUILD .\n./src/build.ts:7:BUILD_TAG=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\n./yarn.lock:9:integrity: sha512-Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\n$ grep BUILD_TAG src/build.ts\nBUILD_TAG=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\n'],
    ],
  );
});

describe("a provider's variable in an environment's listing that holds no credential (VERCEL=1, STRIPE_PUBLISHABLE_KEY, a reference)", () => {
  const { redactOutput } = createRedactor();
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key");
  test("kept: a flag, a number, a version, a host, a path, a URL, a mode's short word, a reference, a placeholder, a name that says more", () => {
    const lines = [
      "VERCEL=1", "NETLIFY=true", "GITHUB=false", "STRIPE=v2.1.0", "GITLAB=gitlab.example.com", "HEROKU=/usr/local/bin/heroku",
      "SENTRY=https://sentry.example.com/1", "SLACK=test", "STRIPE=$STRIPE_SECRET_KEY", "OPENAI=${OPENAI_API_KEY}", "ANTHROPIC=<your-key>",
      "TWILIO=changeme", "OPENAI=your_openai_api_key_here", "STRIPE=''", "STRIPE_PUBLISHABLE_KEY=pk_live_shopdemo", "STRIPE_URL=https://api.stripe.com",
      "STRIPE_REGION=eu-west", "STRIPE_MODE=production", "STRIPE_ENV=production", "STRIPES=production", "MY_STRIPE=production",
    ].join("\n");
    for (const command of ["env", "cat .env", "heroku config -s", "netlify env:list --plain"]) expect(read(command, `${lines}\n`)).toEqual({ text: `${lines}\n`, count: 0 });
    const json = '{"VERCEL": "1", "GITHUB": "acme/shop.git", "STRIPE_MODE": "production"}\n';
    expect(read("netlify env:list --json", json)).toEqual({ text: json, count: 0 });
  });
  test("kept: a provider's name outside a listing, and echo printing its words", () => {
    const text = "STRIPE: production\n\"stripe\": \"checkout-button\"\n";
    expect(redact(text)).toEqual({ text, count: 0 });
    expect(commandPrints("echo STRIPE")).toBeUndefined();
  });
});

describe("upstash redis list's other fields are no passwords", () => {
  const { redactOutput } = createRedactor();
  test("kept: a database's id, name, region, port, endpoint and tls", () => {
    const fields = "mydb\n\ndatabase_id     96ad0856-03b1-4ee7-9666-e81abd0349e1\ndatabase_name   mydb\nregion          eu-west-1\nport            6379\nendpoint        eu1-able-cat-1234.upstash.io\ntls             true\n";
    expect(redactOutput(fields, commandPrints("upstash redis list") ?? "key")).toEqual({ text: fields, count: 0 });
  });
});

describe("a decoded environment file's settings are no secrets (base64 -d .env.b64 prints NODE_ENV=production): its tokens go, as in the file", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const env = (foo: string, password: string) => `NODE_ENV=production\nPORT=3000\nDEBUG=true\nFOO=${foo}\nDB_PASSWORD=${password}\n`;
  const decoders = ["base64 -d .env.b64", "base64 -w0 -i -d .env.b64", "base64 --decode < .env.b64", "echo $ENV_B64 | base64 -d", "kubectl get secret app -o jsonpath='{.data.env}' | base64 -d", "openssl base64 -d -in .env.b64"];
  for (const command of decoders) {
    test(`as its result: ${command}`, () => expect(redactOutput(env(token, "hunter2x9"), commandPrints(command) ?? "key").text).toBe(env("[REDACTED:secret]", "[REDACTED:secret]")));
    test(`pasted: ${command}`, () => expect(redact(`$ ${command}\n${env(token, "hunter2x9")}$ ls`).text).toBe(`$ ${command}\n${env("[REDACTED:secret]", "[REDACTED:secret]")}$ ls`));
  }
  maskedAndKept(
    [
      [`$ base64 -d key.b64\n${token}\n$ ls`, "$ base64 -d key.b64\n[REDACTED:secret]\n$ ls"],
      [`$ base64 -d .env.b64\n# generated\n\nNODE_ENV=production\nFOO=${token}\n$ ls`, "$ base64 -d .env.b64\n# generated\n\nNODE_ENV=production\nFOO=[REDACTED:secret]\n$ ls"],
    ],
    [["a decoded file of settings alone", `$ base64 -d .env.b64\nNODE_ENV=production\nPORT=3000\nLOG_LEVEL=info\n\n$ ls`]],
  );
});

describe("a platform's or a store's settings set from the command line are no secrets (eb setenv, vault kv put, cf set-env, sst secret set, dvc remote modify)", () => {
  maskedAndKept(
    [["eb setenv GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 UPSTREAM=Xk9mQ2pL7rT4vW6yZ8aB", "eb setenv GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 UPSTREAM=[REDACTED:secret]"]],
    [
      ["a commit's hash, a UUID, a URL, a host", "eb setenv GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 BUILD_ID=1f2e3d4c-5b6a-4987-8765-43210fedcba9\nvault kv put secret/app url=https://api.example.com host=db.internal\ncf set-env api API_URL https://api.example.com"],
      ["a variable, a placeholder, a remote's settings", "npx sst secret set Upstream \"$UPSTREAM\"\nclever env set UPSTREAM <your-token>\ndvc remote modify storage endpointurl https://minio.internal:9000\ndvc remote modify --local storage profile myprofile"],
    ],
  );
});

describe("names sharing the new prefixes are no keys (e2b_, bb_live_, apify_api_, AstraCS:, ctx7sk, K10, New value:)", () => {
  maskedAndKept(
    [["E2B_API_KEY=e2b_9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c", "E2B_API_KEY=[REDACTED:e2b-api-key]"]],
    [
      ["packages and identifiers", "from e2b_code_interpreter import Sandbox\nconst bb_live_sessions = new Map();\nimport { apify_api_base_url } from './config';\nK10_REV=1 and the Kia K10 engine"],
      ["placeholders, documentation's cut-short examples", "ASTRA_DB_APPLICATION_TOKEN=AstraCS:xxxxxxxx\nCONTEXT7_API_KEY=ctx7sk-your-key-here\nbb_live_xxxxxxxxxxxxxxxxxxxxxxxxxxx\napify_api_<your-token>"],
      ["a setting reset by another tool", "Timeout successfully reset.\nNew value: 30s\nThe user successfully reset their MFA.\nNew value: enabled"],
    ],
  );
});

describe("kebab-case names and words after the new prefixes are no keys (pa-, secret-test-, m0-, BSA, A21AA, tr_dev_)", () => {
  maskedAndKept(
    [["VOYAGE=pa-Xk9mQ2pL7rT4vW6yZ8aB1cD3eF5gH7jK9lM1nO3pQ5r", "VOYAGE=[REDACTED:voyage-api-key]"]],
    [
      ["kebab-case with digits", "pa-ssword-reset-form-v2-with-a-long-hyphenated-name-3\nsecret-test-fixtures-v2-directory-for-the-login-flow-01\nm0-to-m1-transition-2024"],
      ["capitals, identifiers, a unit", "BSA_RESULTS_2024_FINAL_REPORT_TABLE\nA21AA_SERIES\ntr_dev_mode_enabled_2 = true"],
    ],
  );
});

describe("a deploy's parameters, act's flags and Kustomize's literals that are settings are no secrets", () => {
  maskedAndKept(
    [["sam deploy --parameter-overrides Stage=prod Upstream=Xk9mQ2pL7rT4vW6yZ8aB", "sam deploy --parameter-overrides Stage=prod Upstream=[REDACTED:secret]"]],
    [
      ["settings, a commit's hash, a UUID, a URL", "sam deploy --parameter-overrides Env=prod Sha=8f14e45fceea167a5a36dedd4bea2543 Id=1f2e3d4c-5b6a-4987-8765-43210fedcba9 Url=https://api.example.com\naz deployment group create -g rg --parameters location=westeurope sku=Standard_LRS"],
      ["act's other flags, a word after act", "act -j build -P ubuntu-latest=catthehacker/ubuntu:act-latest --env NODE_ENV=production\nwe act -s fast on it"],
      ["literals of settings, a list at the key's indentation ending at a sibling", "secretGenerator:\n- name: app\n  literals:\n  - mode=prod\n  - LOG_LEVEL=debug\n  type: Opaque\nenvironment:\n- NODE_ENV=production\nimage: node:20"],
    ],
  );
});

describe("lists under plural names that are not of credentials stay (token counts, sort_keys, ssh_keys, an API's keys' names)", () => {
  maskedAndKept(
    [["API_KEYS=Xk9mQ2pL7rT4vW6yZ8aB,Zq3Wx8Nv5Bm2Lk7Jh4Gf", "API_KEYS=[REDACTED:secret],[REDACTED:secret]"]],
    [
      ["usage records and model settings", '{"usage": {"input_tokens": 1234, "output_tokens": 56, "cache_read_input_tokens": 9}}\nmax_tokens=4096\njson.dumps(x, sort_keys=True)'],
      ["public keys and key names", 'ssh_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx9k2mQ7pL3vR8tW me@box"]\nauthorized_keys: /home/me/.ssh/authorized_keys\napiKeys: ["stripe", "openai", "anthropic"]\nAPI_KEYS=STRIPE_KEY,OPENAI_KEY'],
    ],
  );
});

describe("tables aligned by spaces with a token's or a key's header, their values not drawn at random, stay", () => {
  maskedAndKept(
    [["NAME  TOKEN  CREATED\nci    Xk9mQ2pL7rT4vW6yZ8aBXk9m  today", "NAME  TOKEN  CREATED\nci    [REDACTED:secret]  today"]],
    [
      ["a grammar's tokens, a doc's options", "Token        Meaning          Example\nKW_RETURN2   keyword          return\nT_STRING64   string literal   \"x\"\n\nOption    Secret    Default\n--store   vault     none"],
      ["kubectl's and docker's listings", "NAME                  TYPE                                  DATA   AGE\ndefault-token-x7k2p   kubernetes.io/service-account-token   3      12d\n\nNAME      SECRETS   AGE\ndefault   1         12d"],
      ["prose with double spaces", "The token  is passed  to the server.\nIt is rotated2024 daily  and  stored."],
    ],
  );
});

describe("an infrastructure tool's other flags are no passwords (ipmitool's -p port, snmp's -c public, -a SHA, -x AES)", () => {
  maskedAndKept(
    [["ipmitool -H bmc -p 623 -U admin -P Tr0ub4dor power on", "ipmitool -H bmc -p 623 -U admin -P [REDACTED:password] power on"]],
    [
      ["ports, protocols and the default community", "ipmitool -I lanplus -H bmc -p 623 -U admin sdr list\nsnmpwalk -v3 -l authPriv -a SHA -x AES -u me host\nsnmpget -v2c -c public 10.0.0.1 sysDescr.0"],
      ["racadm's and rdesktop's options without a password", "racadm -r 10.0.0.9 -u root getsysinfo\nrdesktop -g 1280x800 -u admin host"],
    ],
  );
});

describe("sbt's credentials read from a file or the environment are no password", () => {
  maskedAndKept(
    [['Credentials("Realm", "nexus.example.com", "deploy", "Tr0ub4dor9")', 'Credentials("Realm", "nexus.example.com", "deploy", "[REDACTED:password]")']],
    [["a file, the environment, a variable", 'credentials += Credentials(Path.userHome / ".sbt" / ".credentials")\ncredentials += Credentials("Realm", "nexus.example.com", sys.env("NEXUS_USER"), sys.env("NEXUS_PASS"))\nCredentials("Realm", "nexus.example.com", user, pass)']],
  );
});

describe("Terraform's other maps and blocks, and code's objects named variables, are no environment", () => {
  maskedAndKept(
    [['variables = {\n  UPSTREAM = "Xk9mQ2pL7rT4vW6yZ8aB"\n}', 'variables = {\n  UPSTREAM = "[REDACTED:secret]"\n}']],
    [
      ["tags, a GraphQL query's variables", 'tags = {\n  Name = "Xk9mQ2pL7rT4vW6yZ8aB"\n}\nvariables = {\n    "id": "Xk9mQ2pL7rT4vW6yZ8aB"\n}'],
      ["an env block's name and a hash", 'env {\n  name  = "BUILD_ID"\n  value = "1f2e3d4c-5b6a-4987-8765-43210fedcba9"\n}'],
    ],
  );
});

describe("an MCP server's settings given with -e are no secrets, nor another command's -e", () => {
  maskedAndKept(
    [["claude mcp add x -e UPSTREAM=Xk9mQ2pL7rT4vW6yZ8aB -- npx x", "claude mcp add x -e UPSTREAM=[REDACTED:secret] -- npx x"]],
    [
      ["settings, a path, a URL", "claude mcp add fs -e ROOT=/home/me/projects -e API_URL=https://api.example.com -e DEBUG=1 -- npx -y fs-mcp"],
      ["sed's and perl's -e", "sed -e 's/FOO=Xk9mQ2pL7rT4vW6yZ8aB/x/' a.txt\nperl -e 'print 1'"],
    ],
  );
});

describe("a CLI's other flags and operands beside a token's are no secrets (Smithery, snyk, Codecov, Mosquitto)", () => {
  maskedAndKept(
    [["snyk auth 3f2a1b4c-5d6e-4f70-8192-a3b4c5d6e7f8", "snyk auth [REDACTED:secret]"]],
    [
      ["Smithery's server, client and config", 'npx -y @smithery/cli@latest install @smithery-ai/github --client claude --config "{}"\nnpx @smithery/cli list servers --key\nnpx @smithery/cli inspect @foo/bar'],
      ["snyk's and codecov's words", "snyk auth --help\nsnyk test --all-projects\ncodecov -t\ncodecov -f coverage.xml -F unit\ncodecovcli upload-process -t $CODECOV_TOKEN"],
      ["mosquitto's port, topic and a password file", "mosquitto_sub -h localhost -p 1883 -t sensors/# -v\nmosquitto_passwd -c passwd alice\nmosquitto_pub -P $MQTT_PASSWORD -t t"],
    ],
  );
});

describe("an FTP script's other lines, and another command's here-document, hold no password", () => {
  maskedAndKept(
    [["ftp -n host <<EOF\nuser me Hunt3r!x9q\nEOF", "ftp -n host <<EOF\nuser me [REDACTED:password]\nEOF"]],
    [
      ["an FTP script's commands", "ftp -n ftp.example.com <<EOF\nuser ftp guest@example.com\nbinary\npassive\ncd /pub\nget README\nbye\nEOF"],
      ["user lines outside an FTP script", "tftp host <<EOF\nuser a b\nEOF\npsql <<SQL\nuser alice Hunt3r!x9q\nSQL\nthe ftp server's user table lists user alice admin"],
    ],
  );
});

describe("a CI log's lines after their time hold no secret unless they would without it", () => {
  maskedAndKept(
    [["2026-12-07T10:00:00.1234567Z UPSTREAM=Xk9mQ2pL7rT4vW6yZ8aB\n2026-12-07T10:00:00.1234567Z CI=true", "2026-12-07T10:00:00.1234567Z UPSTREAM=[REDACTED:secret]\n2026-12-07T10:00:00.1234567Z CI=true"]],
    [
      ["a job's steps", "2026-12-07T10:00:00.1234567Z ##[group]Run actions/checkout@v4\n2026-12-07T10:00:00.1234567Z with:\n2026-12-07T10:00:00.1234567Z   repository: acme/api\n2026-12-07T10:00:00.1234567Z   token: ***\n2026-12-07T10:00:00.1234567Z   ref: 8f14e45fceea167a5a36dedd4bea2543\n2026-12-07T10:00:00.1234567Z ##[endgroup]"],
      ["a build's and a server's lines", "#8 0.512 added 1423 packages in 12s\n#8 DONE 14.2s\n[10:00:01] Starting 'build'...\n2026-12-07 10:00:00,123 INFO worker.py:42 request_id=4bf92f3577b34da6a3ce929d0e0e4736 done"],
    ],
  );
});

describe("an OTP's other mentions, and prose naming Vault's and Consul's commands, are no secrets", () => {
  maskedAndKept(
    [["OTP           dTEOTcAyfkaZ3pDLpXGzO5QiK5H6\nOTP Length    28", "OTP           [REDACTED:secret]\nOTP Length    28"]],
    [
      ["OTP in prose and settings", "OTP codes are six digits.\nOTP Length    28\nOTP_LENGTH=6\n\"otp_length\": 28, \"otp\": true\nOTP           sent by SMS to the user's phone number"],
      ["commands named in prose", "Run consul keygen once and share the key with every agent.\nThen vault operator unseal three times with different shares.\nvault operator generate-root -status"],
    ],
  );
});

describe("Anaconda's public channels and other paths are no tokens", () => {
  maskedAndKept(
    [["https://conda.anaconda.org/t/Xk9mQ2pL7rT4vW6yZ8aB3nC5/acme", "https://conda.anaconda.org/t/[REDACTED:secret]/acme"]],
    [["public channels, a package's page", "https://conda.anaconda.org/conda-forge/noarch/repodata.json\nhttps://anaconda.org/conda-forge/numpy/files\nhttps://repo.anaconda.com/pkgs/main/linux-64/\nhttps://example.com/t/Xk9mQ2pL7rT4vW6yZ8aB3nC5/x"]],
  );
});

describe("TOML's inline tables and JSON's environment objects of settings are no secrets", () => {
  maskedAndKept(
    [['env = { UPSTREAM = "Xk9mQ2pL7rT4vW6yZ8aB3nC5" }', 'env = { UPSTREAM = "[REDACTED:secret]" }']],
    [
      ["Cargo's and pyproject's tables", '[dependencies]\nserde = { version = "1.0.219", features = ["derive"] }\n[tool.pytest.ini_options]\nenv = { DJANGO_SETTINGS_MODULE = "config.settings.test" }\nheaders = { Accept = "application/vnd.github+json" }'],
      ["a deployment's and Postman's environment", '{"environment": {"id": "5f0c8a8e-2f4b-4c8f-9d1a-2b3c4d5e6f70", "name": "staging", "url": "https://staging.example.com"}}\n"environment": {"NODE_ENV": "production", "GIT_SHA": "8f14e45fceea167a5a36dedd4bea2543"}'],
    ],
  );
});

describe("a password command that reads the password from elsewhere holds none", () => {
  maskedAndKept(
    [["BORG_PASSCOMMAND='echo Hunt3r!x9qZ'", "BORG_PASSCOMMAND='echo [REDACTED:password]'"]],
    [["stores, files, keychains", "export BORG_PASSCOMMAND=\"security find-generic-password -a $USER -s borg-passphrase -w\"\nrestic --password-command \"op read op://vault/restic/password\" check\nexport RESTIC_PASSWORD_COMMAND='secret-tool lookup restic repo'\nthe password-command option runs a program"]],
  );
});

describe("a server's variable as a header's value (Apache's %{API_KEY}e, the environment's) is no secret", () => {
  maskedAndKept(
    [['RequestHeader set X-Api-Key "q8Zk3mP2xL7rT9wN4sB6yC1dF5gH0jKa"', 'RequestHeader set X-Api-Key "[REDACTED:secret]"']],
    [["Apache's variables, Ruby's format", 'RequestHeader set X-Api-Key "%{API_KEY}e"\nRequestHeader set X-Token %{UPSTREAM_TOKEN}e\nX-Api-Key "%{HTTP:X-Api-Key}"\napi_key: "%{api_key}"']],
  );
});

describe("a model pinned to a version, alone, is no password (Vertex AI's claude-opus-4-5@20251101, claude-sonnet-4-6@default)", () => {
  maskedAndKept(
    [
      ["Summer2024@123!", "[REDACTED:secret]"],
      ["Zq8w-Lm3x@20251101", "[REDACTED:secret]"],
    ],
    [
      ["Vertex AI's model id as the whole answer", "claude-opus-4-5@20251101"],
      ["another model's, quoted", '"claude-sonnet-4-5@20250929"'],
      ["a model pinned to Vertex AI's default version", "claude-sonnet-4-6@default"],
    ],
  );
});
