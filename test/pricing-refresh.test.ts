import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { defaultConfig } from "../src/config/schema.ts";
import { pricesCachePath, readPriceCache } from "../src/pricing/cache.ts";
import { loadPriceBook, PRICES_URL_ENV, refreshPrices } from "../src/pricing/index.ts";
import { runPrices } from "../src/sync/context.ts";
import { closedPort } from "./helpers/closed-port.ts";
import { scratchDir } from "./helpers/scratch.ts";

/**
 * refreshPrices against a price list served on 127.0.0.1, each test in its
 * own HOME (the cache and the sync log live under ~/.claude-code-sync).
 */
const DAY = 24 * 60 * 60 * 1000;
const DAY1 = Date.parse("2026-12-01T09:00:00Z");
const million = (kind: "input" | "output" | "cacheRead") => ({ input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, [kind]: 1_000_000 });

/** A LiteLLM-shaped list: Claude entries of Anthropic's own, plus the kinds of entries the refresh must ignore. */
function priceList(models: Record<string, { input: number; output: number; read?: number; w1h?: number; fast?: number }>): string {
  const entries: Record<string, unknown> = {
    sample_spec: { input_cost_per_token: 0, litellm_provider: "one of https://docs.litellm.ai/docs/providers" },
    "gpt-5": { litellm_provider: "openai", mode: "chat", input_cost_per_token: 1.25e-6, output_cost_per_token: 1e-5 },
    // A Bedrock profile of a known model, with its own premium: the table's multipliers price these.
    "us.anthropic.claude-opus-5": { litellm_provider: "bedrock_converse", mode: "chat", input_cost_per_token: 5.5e-6, output_cost_per_token: 2.75e-5 },
    "claude-broken": { litellm_provider: "anthropic", input_cost_per_token: "cheap" },
  };
  for (const [name, p] of Object.entries(models)) {
    entries[name] = {
      litellm_provider: "anthropic",
      mode: "chat",
      input_cost_per_token: p.input / 1e6,
      output_cost_per_token: p.output / 1e6,
      ...(p.read === undefined ? {} : { cache_read_input_token_cost: p.read / 1e6 }),
      ...(p.w1h === undefined ? {} : { cache_creation_input_token_cost_above_1hr: p.w1h / 1e6 }),
      ...(p.fast === undefined ? {} : { provider_specific_entry: { fast: p.fast } }),
    };
  }
  return JSON.stringify(entries);
}

let respond: (req: Request) => Response | Promise<Response> = () => new Response("{}");
let requests = 0;
let server: ReturnType<typeof Bun.serve>;
let url: string;
const savedHome = process.env.HOME;
const savedUrl = process.env[PRICES_URL_ENV];
let home: string;

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => {
      requests++;
      return respond(req);
    },
  });
  url = `http://127.0.0.1:${server.port}/prices.json`;
});
afterAll(async () => {
  await server.stop(true);
  process.env.HOME = savedHome;
  if (savedUrl === undefined) delete process.env[PRICES_URL_ENV];
  else process.env[PRICES_URL_ENV] = savedUrl;
});
beforeEach(() => {
  home = scratchDir("ccs-prices-");
  process.env.HOME = home;
  delete process.env[PRICES_URL_ENV];
  requests = 0;
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const syncLog = () => {
  const path = join(home, ".claude-code-sync", "sync.log");
  return existsSync(path) ? readFileSync(path, "utf8") : "";
};
const serve = (body: string, init?: ResponseInit) => {
  respond = () => new Response(body, init);
};

describe("refreshPrices", () => {
  test("a model the table does not know becomes priced", async () => {
    expect(loadPriceBook().knows("claude-opus-6")).toBe(false);
    serve(priceList({ "claude-opus-6": { input: 6, output: 30, read: 0.3 } }));
    expect(await refreshPrices({ now: DAY1, url })).toEqual({ changed: true });
    const book = loadPriceBook();
    expect(book.costOf({ model: "claude-opus-6-20270101", at: 0, tokens: million("output") })).toEqual({ usd: expect.closeTo(30, 9), unknown: [] });
    expect(loadPriceBook({ priceUpdates: false }).knows("claude-opus-6")).toBe(false);
    expect(loadPriceBook({ prices: { "claude-opus-6": { input: 1, output: 2 } } }).costOf({ model: "claude-opus-6", at: 0, tokens: million("output") }).usd).toBeCloseTo(2, 9);
  });

  test("the table's own prices change nothing; a changed price holds from the day it was first seen", async () => {
    serve(priceList({ "claude-opus-5": { input: 5, output: 25, read: 0.5, fast: 2 }, "claude-opus-5-20260724": { input: 5, output: 25 } }));
    expect(await refreshPrices({ now: DAY1, url })).toEqual({ changed: false });

    serve(priceList({ "claude-opus-5": { input: 3, output: 25, read: 0.5, fast: 2 } }));
    const day2 = DAY1 + DAY + 60_000;
    expect(await refreshPrices({ now: day2, url })).toEqual({ changed: true });
    expect(readPriceCache()?.models["claude-opus-5"]?.map((o) => [o.since, o.price.input])).toEqual([
      ["2026-12-01", 5],
      ["2026-12-02", 3],
    ]);

    const book = loadPriceBook();
    const input = (at: string) => book.costOf({ model: "claude-opus-5", at: Date.parse(at), tokens: million("input") }).usd;
    expect(input("2026-08-01T00:00:00Z")).toBeCloseTo(5, 9);
    expect(input("2026-12-01T23:59:59Z")).toBeCloseTo(5, 9);
    expect(input("2026-12-02T00:00:00Z")).toBeCloseTo(3, 9);
    expect(book.costOf({ model: "claude-opus-5", at: day2, tokens: million("cacheRead") }).usd).toBeCloseTo(0.5, 9);
  });

  test("the list's errors about a known model at first sight do not replace the checked table", async () => {
    // LiteLLM gives Claude 3 Haiku a $6 one-hour cache write; Anthropic's price is $0.50.
    serve(priceList({ "claude-3-haiku-20240307": { input: 0.25, output: 1.25, w1h: 6 } }));
    expect(await refreshPrices({ now: DAY1, url })).toEqual({ changed: false });
    const w1h = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 1_000_000, cacheRead: 0 };
    expect(loadPriceBook().costOf({ model: "claude-3-haiku-20240307", at: DAY1 + DAY, tokens: w1h }).usd).toBeCloseTo(0.5, 9);
  });

  test("at most once a day: a second call within the day does not fetch", async () => {
    serve(priceList({ "claude-opus-5": { input: 5, output: 25 } }));
    await refreshPrices({ now: DAY1, url });
    await refreshPrices({ now: DAY1 + DAY - 1, url });
    expect(requests).toBe(1);
    await refreshPrices({ now: DAY1 + DAY, url });
    expect(requests).toBe(2);
    const cache = readPriceCache();
    expect(cache?.checkedAt).toBe(DAY1 + DAY);
    expect(cache?.fetchedAt).toBe(DAY1 + DAY);
  });

  test("offline does not fetch, nor write anything", async () => {
    serve(priceList({ "claude-opus-6": { input: 6, output: 30 } }));
    expect(await refreshPrices({ now: DAY1, url, offline: true })).toEqual({ changed: false });
    expect(requests).toBe(0);
    expect(existsSync(pricesCachePath())).toBe(false);
  });

  test("the list's address comes from the environment when none is given", async () => {
    process.env[PRICES_URL_ENV] = url;
    serve(priceList({ "claude-opus-6": { input: 6, output: 30 } }));
    expect(await refreshPrices({ now: DAY1 })).toEqual({ changed: true });
    expect(requests).toBe(1);
  });

  test("the cache is written whole, owner-only, with no temp file left", async () => {
    serve(priceList({ "claude-opus-6": { input: 6, output: 30 } }));
    await refreshPrices({ now: DAY1, url });
    expect(statSync(pricesCachePath()).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(home, ".claude-code-sync")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  describe("failures are returned and logged, never thrown, and the prices stay as they were", () => {
    const fails = async (options: Parameters<typeof refreshPrices>[0], reason: RegExp) => {
      const before = loadPriceBook().fingerprints(["claude-opus-5", "claude-opus-6"]);
      const result = await refreshPrices({ now: DAY1, url, ...options });
      expect(result.changed).toBe(false);
      expect(result.error).toMatch(reason);
      expect(syncLog()).toContain("could not refresh model prices");
      expect(loadPriceBook().fingerprints(["claude-opus-5", "claude-opus-6"])).toEqual(before);
      // The failed attempt counts: no new attempt until tomorrow.
      expect(readPriceCache()?.checkedAt).toBe(DAY1);
      const asked = requests;
      await refreshPrices({ now: DAY1 + 1_000, url, ...options });
      expect(requests).toBe(asked);
    };

    test("server down", async () => {
      await fails({ url: `http://127.0.0.1:${await closedPort()}/prices.json` }, /could not refresh model prices from http:\/\/127\.0\.0\.1/);
    });

    test("an HTTP error", async () => {
      serve("nope", { status: 503 });
      await fails({}, /HTTP 503/);
    });

    test("a garbage body", async () => {
      serve("<html>rate limited</html>");
      await fails({}, /not JSON/);
    });

    test("JSON that is not a price list, or has no Claude prices", async () => {
      serve("[1, 2, 3]");
      await fails({}, /not an object of models/);
      rmSync(pricesCachePath());
      serve(JSON.stringify({ "gpt-5": { litellm_provider: "openai", input_cost_per_token: 1e-6, output_cost_per_token: 1e-5 } }));
      await fails({}, /no Claude prices/);
    });

    test("a huge body, announced or streamed", async () => {
      const big = priceList({ "claude-opus-6": { input: 6, output: 30 } }).padEnd(200_000, " ");
      serve(big);
      await fails({ maxBytes: 50_000 }, /larger than 50000 bytes/);
      rmSync(pricesCachePath());
      respond = () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              controller.enqueue(new TextEncoder().encode(" ".repeat(16_384)));
            },
          }),
        );
      await fails({ maxBytes: 50_000 }, /larger than 50000 bytes/);
    });

    test("a slow server: the refresh resolves with an error within its timeout", async () => {
      const { promise: never, resolve: release } = Promise.withResolvers<Response>();
      respond = () => never;
      try {
        await fails({ timeoutMs: 200 }, /no answer within 200 ms/);
      } finally {
        release(new Response("{}"));
      }
    });
  });

  test("a broken cache file is ignored, logged, and replaced by the next refresh", async () => {
    serve(priceList({ "claude-opus-6": { input: 6, output: 30 } }));
    await refreshPrices({ now: DAY1, url });
    await Bun.write(pricesCachePath(), "{ broken");
    expect(loadPriceBook().knows("claude-opus-6")).toBe(false);
    expect(syncLog()).toContain("not a valid price cache");
    expect(await refreshPrices({ now: DAY1 + 1, url })).toEqual({ changed: true });
    expect(loadPriceBook().knows("claude-opus-6")).toBe(true);
  });
});

describe("one read of the cache serves a run's price book and its refresh", () => {
  const opus6 = priceList({ "claude-opus-6": { input: 6, output: 30 } });

  test("the refresh takes the cache as the caller read it, and reads no other", async () => {
    serve(opus6);
    await refreshPrices({ now: DAY1, url });
    expect(requests).toBe(1);
    // On disk, a cache checked moments ago; as read before it was written, none: the refresh goes by the latter.
    expect(await refreshPrices({ now: DAY1 + 1_000, url, before: { cache: undefined } })).toEqual({ changed: true });
    expect(requests).toBe(2);
    // And the other way round: a cache read fresh, gone from disk since, is not fetched again.
    const fresh = readPriceCache();
    rmSync(pricesCachePath());
    await refreshPrices({ now: DAY1 + 2_000, url, before: { cache: fresh } });
    expect(requests).toBe(2);
  });

  test("a fresh cache: the book has its prices, nothing is fetched", async () => {
    serve(opus6);
    await refreshPrices({ now: Date.now(), url });
    process.env[PRICES_URL_ENV] = url;
    const prices = runPrices(defaultConfig(), false);
    expect(prices.book.knows("claude-opus-6")).toBe(true);
    expect(await prices.refreshed).toBeUndefined();
    expect(requests).toBe(1);
  });

  test("a stale cache: the refresh sees its age, and its new prices replace the book's", async () => {
    serve(priceList({ "claude-opus-5": { input: 5, output: 25 } }));
    await refreshPrices({ now: DAY1, url });
    serve(opus6);
    process.env[PRICES_URL_ENV] = url;
    const prices = runPrices(defaultConfig(), false);
    expect(prices.book.knows("claude-opus-6")).toBe(false);
    expect((await prices.refreshed)?.knows("claude-opus-6")).toBe(true);
    expect(requests).toBe(2);
  });

  test("an unreadable cache is read, and said in the log, once per run", async () => {
    mkdirSync(dirname(pricesCachePath()), { recursive: true });
    writeFileSync(pricesCachePath(), "{not json");
    process.env[PRICES_URL_ENV] = `http://127.0.0.1:${await closedPort()}/prices.json`;
    await runPrices(defaultConfig(), false).refreshed;
    expect(syncLog().match(/not a valid price cache/g)?.length).toBe(1);
  });

  test("--offline: the cache's prices, nothing fetched; priceUpdates off: the embedded table only, nothing fetched", async () => {
    serve(opus6);
    await refreshPrices({ now: DAY1, url });
    process.env[PRICES_URL_ENV] = url;
    const offline = runPrices(defaultConfig(), true);
    expect(offline.book.knows("claude-opus-6")).toBe(true);
    expect(await offline.refreshed).toBeUndefined();
    const config = defaultConfig();
    const off = runPrices({ ...config, options: { ...config.options, priceUpdates: false } }, false);
    expect(off.book.knows("claude-opus-6")).toBe(false);
    expect(await off.refreshed).toBeUndefined();
    expect(requests).toBe(1);
  });
});
