/**
 * A sync someone asked for sends its one read of the server (connect's ask) before it opens the state and
 * takes the lock: what that read says must not be taken for what the server holds under the lock when
 * another sync may have written in between.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultConfig } from "../src/config/schema.ts";
import { createClient } from "../src/opensync/client.ts";
import { TransientError } from "../src/opensync/errors.ts";
import { SyncLock } from "../src/state/lock.ts";
import { StateStore } from "../src/state/store.ts";
import { scanSettings } from "../src/sync/context.ts";
import { runSync } from "../src/sync/run-sync.ts";
import { type ServerAnswer, askServer } from "../src/sync/server-answer.ts";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { tempHome } from "./helpers/cli.ts";
import { scratchDir } from "./helpers/scratch.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

let server: TestServer;
const savedHome = process.env.HOME;
beforeAll(async () => {
  server = await startTestServer();
  process.env.HOME = tempHome(); // the price cache lives under this HOME, never the real one
});
afterAll(() => {
  process.env.HOME = savedHome;
  server.stop();
});

const stores: StateStore[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

/** A state that has sent one session to the server, and the request of a sync with nothing new. */
async function syncedOnce() {
  server.reset();
  const claude = tempClaudeDir();
  claude.write(`p/${SESSION}.jsonl`, jsonl([user("Fix the flaky test"), assistant("msg_1", text("Fixed."), { usage: { input: 100, output: 50, cacheCreation: 0, cacheRead: 0 } })]));
  const path = join(scratchDir("ccs-sync-confirm-"), "state.db");
  const store = StateStore.open(path);
  stores.push(store);
  const client = createClient({ url: server.url, apiKey: server.apiKey, retries: 0 });
  const request = { ...scanSettings(defaultConfig()), roots: [claude.projects], full: false, apiKey: server.apiKey };
  await runSync(store, client, request);
  expect(server.session(SESSION)).toBeDefined();
  return { path, store, client, request };
}

const answered = (answer: ServerAnswer) => Promise.resolve(answer);

test("a read from before the lock that found no session is made again under it: the sessions a sync sent meanwhile are not said lost", async () => {
  const { store, client, request } = await syncedOnce();
  // As a read that reached the server just before another sync's first writes.
  const report = await runSync(store, client, { ...request, confirmWithServer: answered({ ok: true, sessions: [] }) });
  expect(report.missingOnServer).toBeUndefined();

  server.deleteAllData();
  const lost = await runSync(store, client, { ...request, confirmWithServer: askServer(client) });
  expect(lost.missingOnServer).toBe(1);
});

test("a read sent before waiting for another sync's lock is made again once the lock is had: a failure from before is not said", async () => {
  const { path, store, client, request } = await syncedOnce();
  const other = StateStore.open(path);
  stores.push(other);
  const holder = new SyncLock(other);
  expect(holder.tryAcquire()).toBe(true);
  const released = Bun.sleep(300).then(() => holder.release());
  const down: ServerAnswer = { ok: false, error: new TransientError("The server did not answer", 1, false) };
  const report = await runSync(store, client, { ...request, waitForLockMs: 30_000, confirmWithServer: answered(down) });
  await released;
  expect(report.stoppedBy).toBeUndefined();
  expect(report.messagesSent).toBe(0);
});
