import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigSchema } from "../src/config/schema.ts";
import { runCli } from "./helpers/cli.ts";
import { scratchDir } from "./helpers/scratch.ts";

/** The config's `priceUpdates` switch and `prices` overrides, through the CLI with a temp HOME. */
let home: string;
beforeEach(() => {
  home = scratchDir("ccs-prices-config-");
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const configFile = () => join(home, ".claude-code-sync", "config.json");
const writeConfig = (value: unknown) => {
  mkdirSync(join(home, ".claude-code-sync"), { recursive: true, mode: 0o700 });
  writeFileSync(configFile(), JSON.stringify(value), { mode: 0o600 });
};
const cli = (args: string[]) => runCli(args, { env: { HOME: home } });

describe("priceUpdates", () => {
  test("is on by default, `set priceUpdates off` turns it off, and `config` shows it", async () => {
    expect((await cli(["config"])).stdout).toMatch(/priceUpdates\s+true/);
    const set = await cli(["set", "priceUpdates", "off"]);
    expect(set).toMatchObject({ code: 0, stdout: "priceUpdates = false\n" });
    expect(JSON.parse(readFileSync(configFile(), "utf8")).options.priceUpdates).toBe(false);
    expect((await cli(["config"])).stdout).toMatch(/priceUpdates\s+false\s+refresh model prices once a day/);
    expect(JSON.parse((await cli(["config", "--json"])).stdout).options.priceUpdates).toBe(false);
  });
});

describe("prices", () => {
  test("`config` shows the overrides, as text and --json", async () => {
    writeConfig({ options: { prices: { "my-llama": { input: 0.5, output: 1 }, "claude-opus-4-6": { input: 4, output: 20, cacheRead: 0.2 } } } });
    const text = await cli(["config"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("  my-llama  input 0.5, output 1");
    expect(text.stdout).toContain("  claude-opus-4-6  input 4, output 20, cacheRead 0.2");
    const json = JSON.parse((await cli(["config", "--json"])).stdout);
    expect(json.prices).toEqual({ "my-llama": { input: 0.5, output: 1 }, "claude-opus-4-6": { input: 4, output: 20, cacheRead: 0.2 } });
  });

  test("none: `config` says how to add one", async () => {
    expect((await cli(["config"])).stdout).toContain('"prices": { "my-model": { "input": 3, "output": 15 } }');
  });

  test.each([
    [{ "my-model": { input: "3", output: 15 } }, "options.prices.my-model.input: must be a number of US dollars per million tokens, e.g. 3"],
    [{ "my-model": { input: 3 } }, "options.prices.my-model.output: must be a number of US dollars per million tokens"],
    [{ "my-model": { input: -1, output: 15 } }, "options.prices.my-model.input: must be 0 or more"],
    [{ "my-model": { input: 3, output: 15, inputs: 3 } }, "options.prices.my-model: unknown field inputs (fields: input, output, cacheWrite5m, cacheWrite1h, cacheRead, fast)"],
    [{ "my-model": { input: 3, output: 15, fast: 0 } }, "options.prices.my-model.fast: must be more than 0"],
    [{ "my-model": 3 }, "options.prices.my-model"],
  ])("a bad override %j is a clear config error", async (prices, message) => {
    writeConfig({ options: { prices } });
    const out = await cli(["config"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(configFile());
    expect(out.stderr).toContain(message);
  });

  test("a bad override's advice is the file, not a `set prices` that set refuses; beside a bad option, set mends that one", async () => {
    writeConfig({ options: { prices: { "my-model": { input: "3", output: 15 } } } });
    const alone = await cli(["config"]);
    expect(alone.stderr).toContain("Fix options.prices in the file by hand.");
    expect(alone.stderr).not.toContain("set prices");

    writeConfig({ options: { thinking: "yes", prices: { "my-model": { input: "3", output: 15 } } } });
    const both = await cli(["config"]);
    expect(both.stderr).toContain("Set it again (claude-code-sync set thinking <value>), and fix options.prices in the file by hand.");
    const mended = await cli(["set", "thinking", "on"]);
    expect(mended.code).toBe(0);
    expect(mended.stderr).toContain("still has invalid settings: prices. Fix options.prices in the file by hand.");
    expect(mended.stderr).not.toContain("set prices");
  });

  test("the schema keeps a valid override as written", () => {
    const prices = { "us.anthropic.my-model-v1:0": { input: 1, output: 2, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1, fast: 2 } };
    expect(ConfigSchema.parse({ options: { prices } }).options.prices).toEqual(prices);
  });
});
