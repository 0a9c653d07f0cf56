import { describe, expect, test } from "bun:test";
import { createRedactor, redactionMarker } from "../src/safety/redact.ts";
import { CANARIES, leakedCanaries } from "./helpers/canaries.ts";

const { redact, redactValue } = createRedactor();

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
    ["token := \"abc123def\"", 'token := "[REDACTED:secret]"'],
    ['"password": "... it is Xy7pQ2vL9"', '"password": "[REDACTED:secret]"'], // an ellipsis does not make it a placeholder
    // the JWT rule and the assignment rule both find it; the more specific names it
    ['"token": "Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl"', '"token": "[REDACTED:jwt]"'],
    ["-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\nnext line", "[REDACTED:private-key]\nnext line"],
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

describe("ordinary text and code stay as they are", () => {
  const negatives: [why: string, text: string][] = [
    ["function call", "const token = getToken()"],
    ["await", "const token = await auth.getToken();"],
    ["type annotation", "password: string"],
    ["optional type", "token?: string;"],
    ["type name", "function login(user: User, password: Password) {}"],
    ["python type hint", "def connect(password: str = None):"],
    ["variable reference", "TOKEN=$TOKEN"],
    ["braced reference", 'API_KEY="${API_KEY}"'],
    ["command substitution", "TOKEN=$(cat ~/.token)"],
    ["template", 'token: "{{ secrets.DEPLOY_TOKEN }}"'],
    ["windows variable", "set PASSWORD=%PASSWORD%"],
    ["placeholder", "OPENAI_API_KEY=your-api-key-here"],
    ["angle placeholder", "ANTHROPIC_API_KEY=<your key>"],
    ["xxx placeholder", 'api_key = "xxxxxxxxxxxxxxxx"'],
    ["changeme", "SECRET=changeme"],
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
  ];
  for (const [why, text] of negatives) {
    test(why, () => expect(redact(text)).toEqual({ text, count: 0 }));
  }
});

describe("redactValue", () => {
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

  test("values of secret-named keys go whole, code-like ones stay", () => {
    const out = redactValue({
      env: { DB_PASSWORD: "postgres", PATH: "/usr/bin", GITHUB_TOKEN: "t0k3n-abc" },
      headers: { Authorization: "Basic dXNlcjpwYXNz", "x-api-key": "k-123-abc", Cookie: "sid=12345" },
      schema: { password: "string", token: "$TOKEN" },
      max_tokens: 1000,
    });
    expect(out.value).toEqual({
      env: { DB_PASSWORD: "[REDACTED:secret]", PATH: "/usr/bin", GITHUB_TOKEN: "[REDACTED:secret]" },
      headers: { Authorization: "[REDACTED:secret]", "x-api-key": "[REDACTED:secret]", Cookie: "[REDACTED:secret]" },
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

  test("invalid ones are skipped and patterns matching nothing insert nothing", () => {
    const r = createRedactor({ extraPatterns: ["(unclosed", "x*"] });
    expect(r.redact("abc PASSWORD=abc123")).toEqual({ text: "abc PASSWORD=[REDACTED:secret]", count: 1 });
  });

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
