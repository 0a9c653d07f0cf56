/**
 * The day's price refresh runs beside a sync's read: when its new prices come
 * before the read ends, they are used at once, also by the first sync of a
 * state (a new install), which has no recorded prices to compare with.
 */
import { expect, setSystemTime, test } from "bun:test";
import { join } from "node:path";
import { defaultConfig } from "../src/config/schema.ts";
import { createClient } from "../src/opensync/client.ts";
import { priceBookOf } from "../src/pricing/index.ts";
import { StateStore } from "../src/state/store.ts";
import { scanSettings } from "../src/sync/context.ts";
import { runSync } from "../src/sync/run-sync.ts";
import { tempHome } from "./helpers/cli.ts";
import { serverForFile } from "./helpers/in-process-sync.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const served = serverForFile();

test("a refresh that prices a model during a new state's first sync: its sessions go with the new cost, not $0 for good", async () => {
  const claude = tempClaudeDir();
  const usage = { input: 0, output: 1_000_000, cacheCreation: 0, cacheRead: 0 };
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("price me"), assistant("msg_1", text("ok"), { model: "claude-opus-6", usage })]));
  const settings = scanSettings(defaultConfig());
  expect(settings.prices.knows("claude-opus-6")).toBe(false);
  // What the refresh brings: $30 per million output tokens, settled before the read ends.
  const refreshed = priceBookOf(undefined, { "claude-opus-6": { input: 6, output: 30 } });
  const store = StateStore.open(join(tempHome(), "state.db"));
  const client = createClient({ url: served.server.url, apiKey: served.server.apiKey, retries: 0 });
  try {
    const request = { ...settings, roots: [claude.projects], full: false, apiKey: served.server.apiKey };
    await runSync(store, client, { ...request, refreshedPrices: Promise.resolve(refreshed) });
    expect(served.server.session(SESSION)?.cost).toBeCloseTo(30, 6);
    // The next sync, with those prices, has nothing more to send.
    const next = await runSync(store, client, { ...request, prices: refreshed });
    expect(next.sessionsSent + next.messagesSent).toBe(0);
  } finally {
    store.close();
  }
  expect(served.server.violations()).toEqual([]);
});

test("a price added for a model that only advised (an iteration's model): the sessions it advised in go again with its cost", async () => {
  const claude = tempClaudeDir();
  const id = "22222222-2222-4222-8222-222222222222";
  const line = assistant("msg_a", text("advised"), { sessionId: id, model: "claude-sonnet-5", usage: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 } });
  const advisor = { type: "advisor_message", model: "claude-opus-6", input_tokens: 0, output_tokens: 1_000_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  Object.assign(line.message.usage, { iterations: [{ type: "message", input_tokens: 0, output_tokens: 0 }, advisor] });
  claude.write(`p/${id}.jsonl`, jsonl([user("ask the advisor", { sessionId: id }), line]));
  const settings = scanSettings(defaultConfig());
  const store = StateStore.open(join(tempHome(), "state.db"));
  const client = createClient({ url: served.server.url, apiKey: served.server.apiKey, retries: 0 });
  try {
    const request = { ...settings, roots: [claude.projects], full: false, apiKey: served.server.apiKey };
    await runSync(store, client, request);
    expect(served.server.session(id)?.completionTokens).toBe(1_000_000);
    setSystemTime(new Date(Date.now() + 11_000)); // past OpenSync's 10 s window, which drops a change of cost alone
    // The next day's prices know the advisor's model: $30 per million output tokens.
    await runSync(store, client, { ...request, prices: priceBookOf(undefined, { "claude-opus-6": { input: 6, output: 30 } }) });
    expect(served.server.session(id)?.cost).toBeCloseTo(30, 6);
  } finally {
    setSystemTime();
    store.close();
  }
  expect(served.server.violations()).toEqual([]);
});
