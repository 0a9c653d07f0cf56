import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { proxyFor } from "../src/opensync/proxy.ts";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { closedPort as closedPortOf } from "./helpers/closed-port.ts";
import { SESSION, jsonl, tempClaudeDir, user } from "./helpers/transcript.ts";

describe("proxyFor: the proxy Bun's fetch goes through", () => {
  test.each<[string, string, Record<string, string>, string | undefined]>([
    ["none set", "https://api.opensync.dev", {}, undefined],
    ["https:// takes HTTPS_PROXY", "https://api.opensync.dev", { HTTPS_PROXY: "http://proxy.corp:3128" }, "HTTPS_PROXY proxy.corp:3128"],
    ["the lower-case name wins", "https://api.opensync.dev", { HTTPS_PROXY: "http://a:1", https_proxy: "http://b:2" }, "https_proxy b:2"],
    ["https:// does not take HTTP_PROXY", "https://api.opensync.dev", { HTTP_PROXY: "http://a:1" }, undefined],
    ["http:// takes HTTP_PROXY, loopback too", "http://127.0.0.1:8787", { HTTP_PROXY: "http://a:1" }, "HTTP_PROXY a:1"],
    ["a value without a scheme", "https://api.opensync.dev", { HTTPS_PROXY: "proxy.corp:3128" }, "HTTPS_PROXY proxy.corp:3128"],
    ["no user:password shown", "https://api.opensync.dev", { HTTPS_PROXY: "http://me:pw@proxy.corp:3128" }, "HTTPS_PROXY proxy.corp:3128"],
    ["NO_PROXY names the host", "https://api.opensync.dev", { HTTPS_PROXY: "http://a:1", NO_PROXY: "api.opensync.dev" }, undefined],
    ["no_proxy names its domain", "https://api.opensync.dev", { HTTPS_PROXY: "http://a:1", no_proxy: "localhost, .opensync.dev" }, undefined],
    ["NO_PROXY=*", "https://api.opensync.dev", { HTTPS_PROXY: "http://a:1", NO_PROXY: "*" }, undefined],
    ["NO_PROXY naming another host", "https://api.opensync.dev", { HTTPS_PROXY: "http://a:1", NO_PROXY: "sync.dev,other.com" }, "HTTPS_PROXY a:1"],
  ])("%s", (_, url, env, expected) => {
    const proxy = proxyFor(new URL(url), env);
    expect(proxy && `${proxy.variable} ${proxy.host}`).toBe(expected);
  });
});

let server: TestServer;
let closedPort: number;
beforeAll(async () => {
  server = await startTestServer();
  closedPort = await closedPortOf();
});
afterAll(() => server.stop());

test("a proxy that cannot be reached is named, not the server behind it (it said 'cannot connect to 127.0.0.1:<server's port>')", async () => {
  const claude = tempClaudeDir();
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("hello")]));
  const env = {
    HOME: tempHome(),
    CLAUDE_CONFIG_DIR: claude.root,
    CLAUDE_CODE_SYNC_URL: server.url,
    CLAUDE_CODE_SYNC_API_KEY: server.apiKey,
    HTTP_PROXY: `http://127.0.0.1:${closedPort}`,
  };
  const says = `cannot connect to the proxy 127.0.0.1:${closedPort} set in $HTTP_PROXY (ECONNREFUSED)`;
  const sync = await runCli(["sync"], { env });
  expect(sync.code).toBe(1);
  expect(sync.stderr).toContain(says);
  expect(sync.stderr).toContain(`Fix: check the proxy 127.0.0.1:${closedPort} set in $HTTP_PROXY (is it running, is the address right?), or unset $HTTP_PROXY to go without it.`);
  const status = await runCli(["status", "--json"], { env });
  expect(JSON.parse(status.stdout).error).toContain(says);

  // Nothing was lost: without the proxy, the next sync sends the session.
  const { HTTP_PROXY: _, ...direct } = env;
  expect((await runCli(["sync"], { env: direct })).code).toBe(0);
  expect(server.session(SESSION)).toBeDefined();
});
