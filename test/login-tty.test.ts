import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";

/** `login` at a real pseudo-terminal, driven like a person would: wait for a prompt, type, press Enter. */

const CLI = join(import.meta.dir, "..", "src", "cli.ts");
const configFile = (home: string) => join(home, ".claude-code-sync", "config.json");

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

function terminal(home: string, args: string[] = []) {
  let screen = "";
  let waiting: { text: string; resolve: () => void } | undefined;
  const proc = Bun.spawn([process.execPath, CLI, "login", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" },
    terminal: {
      cols: 200,
      rows: 50,
      data: (_term, data) => {
        screen += new TextDecoder().decode(data);
        if (waiting && screen.includes(waiting.text)) waiting.resolve();
      },
    },
  });
  // Stops by itself if the CLI never gets there.
  const guard = setTimeout(() => proc.kill(), 30_000);
  return {
    screen: () => screen,
    /** Resolves once `text` has been shown; rejects if the CLI exits first. */
    waitFor: (text: string) =>
      Promise.race([
        new Promise<void>((resolve) => {
          waiting = { text, resolve };
          if (screen.includes(text)) resolve();
        }),
        proc.exited.then(() => {
          if (!screen.includes(text)) throw new Error(`exited before showing ${JSON.stringify(text)}:\n${screen}`);
        }),
      ]),
    type: (keys: string) => proc.terminal!.write(keys),
    exited: async () => {
      const code = await proc.exited;
      clearTimeout(guard);
      proc.terminal!.close();
      return code;
    },
  };
}

// Bun gives a subprocess a pseudo-terminal only on POSIX systems.
describe.skipIf(process.platform === "win32")("login at a terminal", () => {
  test("asks for the URL and the masked key, checks them, and saves", async () => {
    const home = tempHome();
    const tty = terminal(home);
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
    const tty = terminal(home);
    await tty.waitFor(server.url);
    tty.type("\r");
    await tty.waitFor(`press Enter to keep ${server.apiKey.slice(0, 6)}…${server.apiKey.slice(-4)}`);
    tty.type("\r");
    expect(await tty.exited()).toBe(0);
    expect(tty.screen()).toContain(`Logged in to ${server.url}`);
  });

  test("re-asks for a malformed key instead of failing", async () => {
    const tty = terminal(tempHome(), ["--url", server.url]);
    await tty.waitFor("API key");
    tty.type("osk_short\r");
    await tty.waitFor('characters after "osk_"');
    tty.type(`${"\x7f".repeat(9)}${server.apiKey}\r`);
    expect(await tty.exited()).toBe(0);
    expect(tty.screen()).not.toContain(server.apiKey);
  });

  test("Ctrl-C cancels: exit 1, 'Login cancelled', nothing saved", async () => {
    const home = tempHome();
    const tty = terminal(home);
    await tty.waitFor("OpenSync URL");
    tty.type(`${server.url}\r`);
    await tty.waitFor("API key");
    tty.type("\x03");
    expect(await tty.exited()).toBe(1);
    expect(tty.screen()).toContain("Login cancelled");
    expect(existsSync(configFile(home))).toBe(false);
  });
});
