import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { defaultConfig } from "../src/config/index.ts";
import { UserError } from "../src/errors.ts";
import { checkServer } from "../src/login/check.ts";
import { knownCredentials, requireGiven } from "../src/login/inputs.ts";
import { API_KEY_PATTERN, keyFormatProblem } from "../src/login/key-format.ts";
import { loggedInConfig } from "../src/login/saved-config.ts";
import { NotFoundError, ProtocolError } from "../src/opensync/errors.ts";
import { assertTransportAllowed, insecureAllowed, needsInsecure } from "../src/opensync/transport.ts";
import { randomApiKey, startTestServer, type TestServer } from "../testserver/server.ts";

const KEY = "osk_abcdefghijklmnopqrstuvwxyz012345";

describe("keyFormatProblem", () => {
  test("a well-formed key passes, whatever its characters", () => {
    for (const key of [KEY, `osk_${"_-".repeat(16)}`, randomApiKey()]) expect(keyFormatProblem(key)).toBeUndefined();
  });

  test.each([
    ["", "empty"],
    [`Bearer ${KEY}`, '"Bearer "'],
    [`"${KEY}"`, "quotes"],
    ["https://x.convex.site", "swapped"],
    [`sk_${"a".repeat(32)}`, 'start with "osk_"'],
    [`osk_${"a".repeat(31)}`, "31 characters"],
    [`osk_${"a".repeat(64)}`, "64 characters"],
    [`osk_${"a".repeat(16)} ${"a".repeat(15)}`, "a space or line break"],
    [`osk_${"a".repeat(31)}.`, '"."'],
  ])("%p is refused, saying why", (key, why) => {
    const problem = keyFormatProblem(key);
    expect(problem).toContain(why);
    expect(API_KEY_PATTERN.test(key)).toBe(false);
    // Never echoes what was pasted.
    if (key.length > 8) expect(problem).not.toContain(key.replace(/^Bearer |"/g, ""));
  });
});

describe("transport policy", () => {
  test.each(["https://x.convex.site", "http://127.0.0.1:3211", "http://127.9.8.7", "http://localhost:1", "http://[::1]:8080"])(
    "%p is allowed without --insecure",
    (url) => {
      expect(needsInsecure(url)).toBe(false);
      expect(() => assertTransportAllowed(url, false)).not.toThrow();
    },
  );

  test.each(["http://example.invalid", "http://192.168.1.10:3211", "http://localhost.example.com", "http://128.0.0.1"])(
    "%p is refused without --insecure (exit 2, naming --insecure), allowed with it",
    (url) => {
      expect(needsInsecure(url)).toBe(true);
      let error: unknown;
      try {
        assertTransportAllowed(url, false);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(2);
      expect((error as UserError).message).toContain("--insecure");
      expect((error as UserError).message).toContain("unencrypted");
      expect(() => assertTransportAllowed(url, true)).not.toThrow();
    },
  );

  test("a malformed URL is refused with the URL's own message", () => {
    expect(() => assertTransportAllowed("example.com", true)).toThrow("https://");
  });

  test("the saved opt-in covers only the saved URL", () => {
    const cfg = { convexUrl: "http://10.0.0.5:3211", allowInsecure: true };
    expect(insecureAllowed("http://10.0.0.5:3211/", false, cfg)).toBe(true);
    expect(insecureAllowed("http://10.0.0.6:3211", false, cfg)).toBe(false);
    expect(insecureAllowed("http://10.0.0.5:3211", false, { convexUrl: cfg.convexUrl })).toBe(false);
    expect(insecureAllowed("http://10.0.0.6:3211", true, {})).toBe(true);
  });
});

describe("loggedInConfig", () => {
  test("stores the opt-in only for plain http to another machine, and keeps the options", () => {
    const cfg = { ...defaultConfig(), allowInsecure: true, future: "kept" };
    cfg.options.thinking = true;
    const https = loggedInConfig(cfg, "https://x.convex.site", KEY);
    expect(https).toMatchObject({ convexUrl: "https://x.convex.site", apiKey: KEY, future: "kept", options: { thinking: true } });
    expect("allowInsecure" in https).toBe(false);
    expect("allowInsecure" in loggedInConfig(cfg, "http://127.0.0.1:1", KEY)).toBe(false);
    expect(loggedInConfig(defaultConfig(), "http://10.0.0.5:3211", KEY).allowInsecure).toBe(true);
  });
});

describe("knownCredentials and requireGiven", () => {
  const saved = { ...defaultConfig(), convexUrl: "https://saved.convex.site", apiKey: KEY };

  test("flags win over the environment, which wins over the config", () => {
    const env = { CLAUDE_CODE_SYNC_URL: "https://env.convex.site", CLAUDE_SYNC_API_KEY: `osk_${"e".repeat(32)}` };
    expect(knownCredentials({ url: " https://flag.convex.site " }, env, saved)).toEqual({
      url: { value: "https://flag.convex.site", source: "--url" },
      apiKey: { value: `osk_${"e".repeat(32)}`, source: "CLAUDE_SYNC_API_KEY" },
    });
    expect(knownCredentials({}, {}, saved).url).toEqual({ value: "https://saved.convex.site", source: "config" });
  });

  test("a flag given twice is a usage error", () => {
    expect(() => knownCredentials({ url: ["a", "b"] }, {}, saved)).toThrow("more than once");
  });

  test("without a terminal, the saved key does not count and the message names what is missing", () => {
    expect(() => requireGiven(knownCredentials({}, {}, saved))).toThrow("Missing --url and --api-key");
    expect(() => requireGiven(knownCredentials({ url: "https://x.convex.site" }, {}, saved))).toThrow("Missing --api-key.");
    expect(requireGiven(knownCredentials({ apiKey: KEY }, { CLAUDE_CODE_SYNC_URL: "https://e.convex.site" }, saved)).url.source).toBe(
      "CLAUDE_CODE_SYNC_URL",
    );
    // A new key for the saved server (`… | login --api-key-stdin` after a key was rotated).
    expect(requireGiven(knownCredentials({ apiKey: KEY }, {}, saved)).url).toEqual({ value: "https://saved.convex.site", source: "config" });
  });
});

describe("checkServer", () => {
  let server: TestServer;
  // A server with /health but no sync API, and one that answers an HTML page.
  let healthOnly: ReturnType<typeof Bun.serve>;
  let htmlPage: ReturnType<typeof Bun.serve>;

  beforeAll(async () => {
    server = await startTestServer();
    healthOnly = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) =>
        new URL(req.url).pathname === "/health"
          ? Response.json({ status: "ok", timestamp: Date.now() })
          : new Response("Not found", { status: 404 }),
    });
    htmlPage = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("<html>Sign in</html>", { headers: { "Content-Type": "text/html" } }) });
  });
  afterAll(async () => {
    await server.stop();
    healthOnly.stop(true);
    htmlPage.stop(true);
  });

  const failure = async (url: string, key: string, source = "--api-key") => {
    try {
      await checkServer(url, { value: key, source });
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).not.toContain(key);
      return error as UserError;
    }
    throw new Error("checkServer did not fail");
  };

  test("counts the sessions on the server", async () => {
    expect(await checkServer(server.url, { value: server.apiKey, source: "--api-key" })).toBe(0);
  });

  test("a refused key is explained with the masked key, where to get a new one, and its variable", async () => {
    const other = randomApiKey();
    const error = await failure(server.url, other, "CLAUDE_CODE_SYNC_API_KEY");
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`${other.slice(0, 6)}…${other.slice(-4)}`);
    expect(error.message).toContain("Settings → API key");
    expect(error.message).toContain("regenerated");
    expect(error.message).toContain("$CLAUDE_CODE_SYNC_API_KEY");
  });

  test("a 404 on /health is a wrong URL, showing what was tried", async () => {
    const error = await failure(`${server.url}/nope`, server.apiKey);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`tried ${server.url}/nope/health`);
    expect(error.message).toContain("has a path (/nope)");
    expect(error.message).toContain(".convex.site");
  });

  test("login and sync say the same of a .convex.cloud address, as the contract does: it is taken (rewritten to .convex.site), never 'not .convex.cloud'", async () => {
    const addresses =
      "https://api.opensync.dev for hosted OpenSync, or your own deployment's https://<name>.convex.site " +
      "(its https://<name>.convex.cloud address is taken too, and turned into that)";
    const atLogin = await failure(`${server.url}/nope`, server.apiKey);
    const atSync = new NotFoundError(`${server.url}/nope/sync/session`, "Not found");
    const atPage = new ProtocolError(server.url, 200, "<html>", "page");
    for (const message of [atLogin.message, atSync.message, atPage.message]) {
      expect(message).toContain(addresses);
      expect(message).not.toContain("not .convex.cloud");
    }
  });

  test("a server with /health but no sync API is not OpenSync", async () => {
    const url = `http://127.0.0.1:${healthOnly.port}`;
    const error = await failure(url, KEY);
    expect(error.message).toContain(`answers /health but not ${url}/sync/sessions/list`);
  });

  test("an HTML page instead of OpenSync is a web app or a proxy, with the sync API's address", async () => {
    const error = await failure(`http://127.0.0.1:${htmlPage.port}`, KEY);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('a web page ("Sign in") instead of OpenSync\'s reply');
    expect(error.message).toContain("https://api.opensync.dev");
  });

  /** A server whose /health is fine and whose key check answers `list`, for the duration of `use`. */
  async function healthyBut(list: () => Response, use: (url: string) => Promise<void>): Promise<void> {
    const s = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => (new URL(req.url).pathname === "/health" ? Response.json({ status: "ok", version: "1" }) : list()),
    });
    try {
      await use(`http://127.0.0.1:${s.port}`);
    } finally {
      s.stop(true);
    }
  }

  test("a redirect is named as one, not as a refused key", () =>
    healthyBut(
      () => new Response(null, { status: 308, headers: { Location: "https://elsewhere.example.com/sync/sessions/list" } }),
      async (url) => {
        const error = await failure(url, KEY);
        expect(error.exitCode).toBe(2);
        expect(error.message).toContain("redirected GET /sync/sessions/list to https://elsewhere.example.com/sync/sessions/list");
        expect(error.message).toContain("login --url https://elsewhere.example.com");
        expect(error.message).not.toContain("refused");
      },
    ));

  test("a server with too many sessions to list still proves the key", () =>
    healthyBut(
      () => Response.json({ error: "Error: Too many bytes read in a single function execution (limit: 16777216 bytes)." }, { status: 500 }),
      async (url) => expect(await checkServer(url, { value: KEY, source: "--api-key" })).toBeUndefined(),
    ));

  test("an unreachable server is a network failure naming the URL, without sync's retry advice", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const url = `http://127.0.0.1:${closed.port}`;
    closed.stop(true);
    const error = await failure(url, KEY);
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain(url);
    expect(error.message).toContain("not reachable");
    expect(error.message).not.toContain("next sync");
  });
});
