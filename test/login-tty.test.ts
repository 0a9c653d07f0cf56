import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { terminal } from "./helpers/terminal.ts";

/** `login` at a real pseudo-terminal, driven like a person would: wait for a prompt, type, press Enter. */

const configFile = (home: string) => join(home, ".claude-code-sync", "config.json");

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const login = (home: string, args: string[] = []) => terminal(["login", ...args], { HOME: home });

// Bun gives a subprocess a pseudo-terminal only on POSIX systems.
describe.skipIf(process.platform === "win32")("login at a terminal", () => {
  test("asks for the URL and the masked key, checks them, and saves", async () => {
    const home = tempHome();
    const tty = login(home);
    await tty.waitFor("OpenSync URL");
    tty.type(`${server.url}\r`);
    await tty.waitFor("API key");
    tty.type(`${server.apiKey}\r`);
    expect(await tty.exited()).toBe(0);
    expect(tty.screen()).toContain(`Logged in to ${server.url}`);
    expect(tty.screen()).not.toContain(server.apiKey);
    expect(JSON.parse(readFileSync(configFile(home), "utf8"))).toMatchObject({ convexUrl: server.url, apiKey: server.apiKey });
  });

  test("prefills the saved URL, and Enter keeps the saved key", async () => {
    const home = tempHome();
    expect((await runCli(["login", "--url", server.url, "--api-key", server.apiKey], { env: { HOME: home } })).code).toBe(0);
    const tty = login(home);
    await tty.waitFor(server.url);
    tty.type("\r");
    await tty.waitFor(`press Enter to keep ${server.apiKey.slice(0, 6)}…${server.apiKey.slice(-4)}`);
    tty.type("\r");
    expect(await tty.exited()).toBe(0);
    expect(tty.screen()).toContain(`Logged in to ${server.url}`);
  });

  test("re-asks for a malformed key instead of failing", async () => {
    const tty = login(tempHome(), ["--url", server.url]);
    await tty.waitFor("API key");
    tty.type("osk_short\r");
    await tty.waitFor('characters after "osk_"');
    tty.type(`${"\x7f".repeat(9)}${server.apiKey}\r`);
    expect(await tty.exited()).toBe(0);
    expect(tty.screen()).not.toContain(server.apiKey);
  });

  // It exited 2 at a refused key: the URL and the key typed again from the start.
  test("a refused key is said and asked for again, the URL kept; Esc there cancels with nothing saved", async () => {
    const wrong = `osk_${"z".repeat(32)}`;
    const home = tempHome();
    const tty = login(home, ["--url", server.url]);
    await tty.waitFor("API key");
    tty.type(`${wrong}\r`);
    await tty.waitFor("as the OpenSync dashboard shows it now");
    expect(tty.screen()).toContain(`refused the API key ${wrong.slice(0, 6)}…${wrong.slice(-4)}`);
    expect(tty.screen()).not.toContain("run claude-code-sync login again");
    tty.type(`${server.apiKey}\r`);
    expect(await tty.exited()).toBe(0);
    expect(tty.screen()).toContain(`Logged in to ${server.url}`);
    expect(JSON.parse(readFileSync(configFile(home), "utf8"))).toMatchObject({ convexUrl: server.url, apiKey: server.apiKey });

    const other = tempHome();
    const cancelled = login(other, ["--url", server.url]);
    await cancelled.waitFor("API key");
    cancelled.type(`${wrong}\r`);
    await cancelled.waitFor("as the OpenSync dashboard shows it now");
    cancelled.type("\x1b");
    expect(await cancelled.exited()).toBe(130);
    expect(existsSync(configFile(other))).toBe(false);
  });

  // It exited 2 at a URL where no OpenSync answers: the key, pasted once, had to be pasted again.
  test("a URL where no OpenSync answers is said and asked for again, prefilled, the key kept", async () => {
    const home = tempHome();
    const tty = login(home);
    await tty.waitFor("OpenSync URL");
    tty.type(`${server.url}/nope\r`);
    await tty.waitFor("API key");
    tty.type(`${server.apiKey}\r`);
    await tty.waitFor(`tried ${server.url}/nope/health: 404`);
    // The question again, the URL given before in it.
    await tty.waitFor(`◆  OpenSync URL\r\n│  ${server.url}/nope█`);
    expect(tty.screen()).not.toContain("run claude-code-sync login again");
    tty.type(`${"\x7f".repeat(5)}\r`);
    expect(await tty.exited()).toBe(0);
    expect(tty.screen()).toContain(`Logged in to ${server.url} `);
    expect(JSON.parse(readFileSync(configFile(home), "utf8"))).toMatchObject({ convexUrl: server.url, apiKey: server.apiKey });
  });

  test("Ctrl-C cancels: exit 130 as Ctrl-C anywhere (it was 1, 'pending, retried by the next run'), 'Login cancelled', nothing saved", async () => {
    const home = tempHome();
    const tty = login(home);
    await tty.waitFor("OpenSync URL");
    tty.type(`${server.url}\r`);
    await tty.waitFor("API key");
    tty.type("\x03");
    expect(await tty.exited()).toBe(130);
    expect(tty.screen()).toContain("Login cancelled");
    expect(existsSync(configFile(home))).toBe(false);
  });
});
