/**
 * A new state (created, or reset for another account) asks the server's totals until it has
 * read everything with them at hand; a server that holds nothing, or whose read API can never
 * answer, settles it at once, so later syncs cost no request more.
 */
import { expect, test } from "bun:test";
import type { OpenSyncClient, Outcome } from "../src/opensync/client.ts";
import { NotFoundError, TransientError } from "../src/opensync/errors.ts";
import type { ServerSession } from "../src/opensync/read-api.ts";
import { serverTotalsForNewState } from "../src/send/reconcile.ts";
import { defaultConfig } from "../src/config/schema.ts";
import { createClient } from "../src/opensync/client.ts";
import { scanSettings } from "../src/sync/context.ts";
import { runSync } from "../src/sync/run-sync.ts";
import { scratchStores, serverForFile } from "./helpers/in-process-sync.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const served = serverForFile();
const newStore = scratchStores("ccs-new-state-");

/** A client whose one list of sessions answers `outcome`, counting the requests. */
function answering(outcome: Outcome<ServerSession[]>) {
  const asked = { count: 0 };
  const client = { once: { listServerSessions: async () => (asked.count++, outcome) } } as unknown as OpenSyncClient;
  return { client, asked };
}

const ok = (sessions: ServerSession[]): Outcome<ServerSession[]> => ({ ok: true, value: sessions, latencyMs: 1, status: 200 });
const held = (externalId: string, promptTokens: number, completionTokens: number): ServerSession =>
  ({ id: `srv-${externalId}`, externalId, promptTokens, completionTokens, cost: 0, messageCount: 1, createdAt: 1, updatedAt: 2 }) as ServerSession;

test("a created state is new; the server's totals and ids come back by session, and it stays new until a read settles it", async () => {
  const store = newStore();
  expect(store.isNew()).toBe(true);
  const { client } = answering(ok([held("s1", 300, 120), held("s2", 3, 4)]));
  expect(await serverTotalsForNewState(store, client)).toEqual(
    new Map([
      ["s1", { promptTokens: 300, completionTokens: 120, serverId: "srv-s1" }],
      ["s2", { promptTokens: 3, completionTokens: 4, serverId: "srv-s2" }],
    ]),
  );
  expect(store.isNew()).toBe(true);
});

test.each<[string, Outcome<ServerSession[]>, boolean]>([
  ["a server that holds nothing: settled (all it will hold, we send)", ok([]), false],
  ["a server out of reach: asked again next time", { ok: false, kind: "server-down", error: new TransientError("down", 1, false), latencyMs: 1 }, true],
  ["a read API that is not there: settled, never asked again", { ok: false, kind: "final-url", error: new NotFoundError("http://127.0.0.1:1/api/sessions", "Not found"), latencyMs: 1, status: 404 }, false],
])("%s", async (_name, outcome, stillNew) => {
  const store = newStore();
  const { client, asked } = answering(outcome);
  expect(await serverTotalsForNewState(store, client)).toBeUndefined();
  expect(asked.count).toBe(1);
  expect(store.isNew()).toBe(stillNew);
});

test("a reset (another account) makes the state new again", () => {
  const store = newStore();
  store.markSettled();
  expect(store.isNew()).toBe(false);
  store.reset();
  expect(store.isNew()).toBe(true);
});

test("a first sync stopped by Ctrl-C keeps the state new (what it read is read again, with the server's totals); one that went through settles it", async () => {
  served.server.reset();
  const claude = tempClaudeDir();
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("Fix the flaky test"), assistant("msg_1", text("Fixed."), { usage: { input: 100, output: 50, cacheCreation: 0, cacheRead: 0 } })]));
  const client = createClient({ url: served.server.url, apiKey: served.server.apiKey, retries: 0 });
  const request = { ...scanSettings(defaultConfig()), roots: [claude.projects], full: false, apiKey: served.server.apiKey };
  // Another state (an earlier HOME) put the session on the server.
  await runSync(newStore(), client, request);
  expect(served.server.session(SESSION)).toBeDefined();

  const store = newStore();
  await runSync(store, client, { ...request, signal: AbortSignal.abort() });
  expect(store.isNew()).toBe(true);
  await runSync(store, client, request);
  expect(store.isNew()).toBe(false);
});
