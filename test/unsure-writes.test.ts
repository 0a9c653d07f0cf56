/**
 * Writes given up on with their outcome unknown (src/sync/unsure.ts): the
 * server applies one after a newer write of the same item (a "late" fault
 * holds it until the test releases it). What the server ends with is still
 * what a clean one-shot sync of the final files sends, and the item goes
 * again once, not on every run.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { StateStore } from "../src/state/store.ts";
import type { OpenSyncClient, Outcome } from "../src/opensync/client.ts";
import { TransientError } from "../src/opensync/errors.ts";
import type { MessagePayload, SessionPayload } from "../src/opensync/payload.ts";
import { payloadHash } from "../src/plan/hash.ts";
import { Sender } from "../src/send/sender.ts";
import { SESSION_WINDOW_MS } from "../src/send/windows.ts";
import type { SendTransport } from "../src/send/transport.ts";
import { Store } from "../testserver/store.ts";
import { recheckAt, settleDue } from "../src/sync/unsure.ts";
import type { FaultRule, TestServer } from "../testserver/server.ts";
import { baseEnv, runCli, tempHome } from "./helpers/cli.ts";
import { CLI, comparable, referenceData, removeTempDirs, syncEnv, tempDir } from "./helpers/hardening.ts";
import { hookUser, stopRunner, within } from "./helpers/hooks.ts";
import { withServer } from "./helpers/with-server.ts";
import { killWatches, spawnWatch } from "./helpers/watch.ts";
import { SESSION, assistant, jsonl, tempClaudeDir, text, toolUse, user } from "./helpers/transcript.ts";

/** A given-up write may land until two timeouts after it was given up on: time for the next sync to run meanwhile. */
const TIMEOUT_MS = 5_000;

afterAll(async () => {
  killWatches();
  removeTempDirs();
});

/** A session of one turn on a fresh server, synced cleanly, with the short request timeout these tests give up after. */
async function syncedSession(server: TestServer) {
  const claude = tempClaudeDir();
  const path = claude.write(`-home-dev-project-x/${SESSION}.jsonl`, jsonl([user("Fix the parser"), assistant("msg_1", text("Looking."), { usage: { output: 100 } })]));
  const env = syncEnv(server, claude.root, tempHome(), { CLAUDE_CODE_SYNC_TIMEOUT_MS: String(TIMEOUT_MS) });
  const sync = () => runCli(["sync", "--json"], { env, timeoutMs: 90_000 });
  expect((await sync()).code).toBe(0);
  return { claude, path, env, sync };
}

/**
 * A session synced cleanly, then its next turn synced with the record's first write given up on (`kind`:
 * held, or hung) and the retry's 404 stopping that sync; the server well again.
 */
async function recordGivenUp(server: TestServer, kind: "late" | "hang") {
  const synced = await syncedSession(server);
  appendFileSync(synced.path, jsonl([user("Now the tests"), assistant("msg_2", text("Running them."), { usage: { output: 200 } })]));
  server.setFaults({ rules: [{ path: "/sync/session", kind }, { path: "/sync/session", skip: 1, kind: 404 }] });
  expect(JSON.parse((await synced.sync()).stdout)).toMatchObject({ ok: false, code: "url-not-found" });
  server.setFaults({});
  return synced;
}

/**
 * A session synced cleanly; then `grow` appended and synced with the first
 * write matching `rule` held (given up on after the timeout) and its retry
 * answered 404 (a wrong URL: that sync stops at once, leaving the write to
 * the next); then `last` appended and synced, and the held write released
 * once that sync's newer one has landed, while it may still land.
 */
async function lateAfterNewer(server: TestServer, rule: Omit<FaultRule, "kind">, grow: unknown[], last: unknown[]) {
  const { claude, path, sync } = await syncedSession(server);

  appendFileSync(path, jsonl(grow));
  server.setFaults({ rules: [{ ...rule, kind: "late" }, { ...rule, skip: 1, kind: 404 }] });
  const given = await sync();
  expect(JSON.parse(given.stdout)).toMatchObject({ ok: false, code: "url-not-found" });

  server.setFaults({});
  appendFileSync(path, jsonl(last));
  const reference = await referenceData(claude.root);
  const newer = sync();
  // The newer write landed: the one given up on lands after it.
  await within(60_000, () => Bun.deepEquals(comparable(server.dump()), reference));
  expect(await server.releaseLate()).toBe(1);
  return { r: await newer, reference, sync };
}

describe.concurrent("a write given up on that the server applies after a newer one", () => {
  test("a session's record: its older totals are replaced again by the latest", () =>
    withServer(async (server) => {
      const { reference, sync } = await lateAfterNewer(
        server,
        { path: "/sync/session" },
        [user("Now the tests"), assistant("msg_2", text("Running them."), { usage: { output: 200 } })],
        [user("And the docs"), assistant("msg_3", text("Updated."), { usage: { output: 400 } })],
      );
      // The sync that gave up stopped with the record pending: what any of its writes carried is not known, so the
      // record also waits out the 10 s window a late one may have opened, which may leave it to the next sync.
      expect((await sync()).code).toBe(0);
      expect(comparable(server.dump())).toEqual(reference);
      // Sent again once: the next run has nothing to send.
      expect(JSON.parse((await sync()).stdout)).toMatchObject({ ok: true, sessionsSent: 0, messagesSent: 0 });
      expect(comparable(server.dump())).toEqual(reference);
    }), 120_000);

  test("a message: its older content is replaced again by the latest", () =>
    withServer(async (server) => {
      const { r, reference, sync } = await lateAfterNewer(
        server,
        { path: "/sync/message", bodyIncludes: "toolu_1" },
        // The response grows a block: its message changes (and its id holds).
        [assistant("msg_1", toolUse("toolu_1", "Bash", { command: "ls" }), { usage: { output: 150 } })],
        [assistant("msg_1", text("Found it."), { usage: { output: 300 } })],
      );
      expect(r.code).toBe(0);
      expect(comparable(server.dump())).toEqual(reference);
      expect(JSON.parse((await sync()).stdout)).toMatchObject({ ok: true, sessionsSent: 0, messagesSent: 0 });
      expect(comparable(server.dump())).toEqual(reference);
    }), 120_000);
});

describe.concurrent("a write given up on that the server applies after it was taken as over", () => {
  test("a session's record: a later sync finds its older totals and sends the latest again", () =>
    withServer(async (server) => {
      const { claude, path, sync } = await recordGivenUp(server, "late");
      appendFileSync(path, jsonl([user("And the docs"), assistant("msg_3", text("Updated."), { usage: { output: 400 } })]));
      const reference = await referenceData(claude.root);
      // This sends the latest, and once the held write is taken as over, the record again, past the 10 s window
      // its own first copy opened.
      expect((await sync()).code).toBe(0);
      expect(comparable(server.dump())).toEqual(reference);
      // Then the held write lands, later than it was taken to: the dashboard shows its older totals.
      expect(await server.releaseLate()).toBe(1);
      expect(comparable(server.dump())).not.toEqual(reference);
      // A sync once the next check is due (two timeouts after the last was over) finds them and sends the latest.
      await Bun.sleep(2 * TIMEOUT_MS);
      expect((await sync()).code).toBe(0);
      expect(comparable(server.dump())).toEqual(reference);
      expect(JSON.parse((await sync()).stdout)).toMatchObject({ ok: true, sessionsSent: 0, messagesSent: 0 });
    }), 180_000);

  test("a message: a later sync finds its older content and sends the latest again", () =>
    withServer(async (server) => {
      const { claude, path, sync } = await syncedSession(server);

      appendFileSync(path, jsonl([assistant("msg_1", toolUse("toolu_1", "Bash", { command: "ls" }), { usage: { output: 150 } })]));
      const rule = { path: "/sync/message", bodyIncludes: "toolu_1" };
      server.setFaults({ rules: [{ ...rule, kind: "late" }, { ...rule, skip: 1, kind: 404 }] });
      expect(JSON.parse((await sync()).stdout)).toMatchObject({ ok: false, code: "url-not-found" });

      server.setFaults({});
      appendFileSync(path, jsonl([assistant("msg_1", text("Found it."), { usage: { output: 300 } })]));
      const reference = await referenceData(claude.root);
      expect((await sync()).code).toBe(0);
      expect(comparable(server.dump())).toEqual(reference);
      expect(await server.releaseLate()).toBe(1);
      expect(comparable(server.dump())).not.toEqual(reference);
      await Bun.sleep(2 * TIMEOUT_MS);
      expect((await sync()).code).toBe(0);
      expect(comparable(server.dump())).toEqual(reference);
      // Sent again once: the late landing excused, no copy was written over one the server held.
      expect(server.violations().filter((v) => v.reason === "identical-resend")).toEqual([]);
    }), 180_000);
});

describe.concurrent("a write given up on that lands after it was taken as over, while `watch` runs", () => {
  test("a session nothing writes to any more is checked again on time, and its latest totals go again", () =>
    withServer(async (server) => {
      const { claude, path, env } = await syncedSession(server);
      // Shorter than this file's timeout: the checks are due two timeouts apart, then twice as far.
      const quick = { ...env, CLAUDE_CODE_SYNC_TIMEOUT_MS: "1000" };
      const sync = () => runCli(["sync", "--json"], { env: quick, timeoutMs: 90_000 });

      appendFileSync(path, jsonl([user("Now the tests"), assistant("msg_2", text("Running them."), { usage: { output: 200 } })]));
      server.setFaults({ rules: [{ path: "/sync/session", kind: "late" }, { path: "/sync/session", skip: 1, kind: 404 }] });
      expect(JSON.parse((await sync()).stdout)).toMatchObject({ ok: false, code: "url-not-found" });
      server.setFaults({});
      appendFileSync(path, jsonl([user("And the docs"), assistant("msg_3", text("Updated."), { usage: { output: 400 } })]));
      const reference = await referenceData(claude.root);
      expect((await sync()).code).toBe(0);

      // The watch's catch-up pass checks the session (its first check is due), and finds it right.
      const before = server.requests().length;
      const watch = spawnWatch(quick);
      await within(30_000, () => server.requests().slice(before).some((q) => q.path === "/api/sessions/get"));
      // Then the held write lands: the dashboard shows its older totals, and nothing writes to the session any more.
      expect(await server.releaseLate()).toBe(1);
      expect(comparable(server.dump())).not.toEqual(reference);
      // The next check is due four seconds on; the latest goes past the 10 s window the late write opened.
      await within(40_000, () => Bun.deepEquals(comparable(server.dump()), reference));
      watch.proc.kill("SIGTERM");
      expect((await watch.exited()).code).toBe(0);
    }), 180_000);
});

describe.concurrent("a write given up on that lands after it was taken as over, through the hooks", () => {
  test("the runner, waiting for hooks, checks the session again on time, and its latest totals go again", () =>
    withServer(async (server) => {
      // The runner waits 20 s for hooks: the checks due within that (2 s, 4 s, 8 s apart) are its own to make.
      const { claude, path, hook, app } = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "20000", CLAUDE_CODE_SYNC_TIMEOUT_MS: "1000" });
      try {
        claude.write(`p/${SESSION}.jsonl`, jsonl([user("Fix the parser"), assistant("msg_1", text("Looking."), { usage: { output: 100 } })]));
        await hook("Stop", { stop_hook_active: false });
        await within(30_000, () => server.dump()[0]?.messages.length === 2);

        // The next turn's record write is held (given up on after 1 s, its retry goes through), then the session ends.
        server.setFaults({ rules: [{ path: "/sync/session", kind: "late" }] });
        appendFileSync(path, jsonl([user("Now the tests"), assistant("msg_2", text("Running them."), { usage: { output: 200 } })]));
        await hook("Stop", { stop_hook_active: false });
        await within(30_000, () => server.requests().some((q) => q.fault === "late"));
        server.setFaults({});
        appendFileSync(path, jsonl([user("And the docs"), assistant("msg_3", text("Updated."), { usage: { output: 400 } })]));
        await hook("SessionEnd", { reason: "prompt_input_exit" });
        const reference = await referenceData(claude.root);
        await within(60_000, () => Bun.deepEquals(comparable(server.dump()), reference));
        // The write given up on is over: the runner checks the session's copy, and finds it right.
        const before = server.requests().length;
        await within(30_000, () => server.requests().slice(before).some((q) => q.path === "/api/sessions/get"));

        // Then the held write lands, once the session's hooks are over: the dashboard shows its older totals, and no hook comes.
        expect(await server.releaseLate()).toBe(1);
        expect(comparable(server.dump())).not.toEqual(reference);
        // It used to keep them until the user's next sync (found by a helper's probe of the hooks' path).
        await within(45_000, () => Bun.deepEquals(comparable(server.dump()), reference));
      } finally {
        stopRunner(app("runner.pid"));
      }
    }), 180_000);
});

describe.concurrent("a write given up on that never reached the server", () => {
  test("a message: its latest copy, which the server holds, is not written again (its text would be searchable twice)", () =>
    withServer(async (server) => {
      const { claude, path, env, sync } = await syncedSession(server);

      // The response grows a block: its write hangs (never applied), and the retry's 404 stops that sync.
      appendFileSync(path, jsonl([assistant("msg_1", toolUse("toolu_1", "Bash", { command: "ls" }), { usage: { output: 150 } })]));
      const rule = { path: "/sync/message", bodyIncludes: "toolu_1" };
      server.setFaults({ rules: [{ ...rule, kind: "hang" }, { ...rule, skip: 1, kind: 404 }] });
      expect(JSON.parse((await sync()).stdout)).toMatchObject({ ok: false, code: "url-not-found" });
      // status says the session goes again, and from when.
      const waiting = JSON.parse((await runCli(["status", "--json"], { env })).stdout);
      expect(waiting.unconfirmed).toEqual({ sessions: 1, sendAgainAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), checkedAgain: 0 });
      expect((await runCli(["status"], { env })).stdout).toContain(
        "Not confirmed: 1 session had writes given up on before an answer, which the server may still apply; nothing is lost: the next sync (a hook's, or `claude-code-sync sync`) sends it again from ",
      );

      // The next sync sends the newer copy, then, once the hung write is over, checks it: the server holds that copy.
      server.setFaults({});
      appendFileSync(path, jsonl([assistant("msg_1", text("Found it."), { usage: { output: 300 } })]));
      const reference = await referenceData(claude.root);
      expect((await sync()).code).toBe(0);
      expect(await sync()).toMatchObject({ code: 0 });
      expect(comparable(server.dump())).toEqual(reference);
      expect(server.violations().map((v) => v.reason)).toEqual([]);
      // Sent again: only the checks for a late landing are left.
      expect(JSON.parse((await runCli(["status", "--json"], { env })).stdout).unconfirmed).toEqual({ sessions: 0, sendAgainAt: null, checkedAgain: 1 });
      expect((await runCli(["status"], { env })).stdout).toContain("Checked again: 1 session had writes given up on that may land late");
    }), 120_000);
});

describe.concurrent("a write OpenSync answered with a 500 of its own", () => {
  // Its handler caught an exception and answered: the write was rolled back, or (a session's) applied before a later
  // step failed. Either way the request is over: nothing of it can land after a newer write, so none is unconfirmed.
  test("is retried as any failure, and leaves nothing to confirm or check again", () =>
    withServer(async (server) => {
      const { claude, path, env, sync } = await syncedSession(server);
      appendFileSync(path, jsonl([user("Now the tests"), assistant("msg_2", text("Running them."), { usage: { output: 200 } })]));
      const internal = { kind: 500 as const, body: JSON.stringify({ error: "Error: Internal error" }) };
      server.setFaults({ rules: [{ path: "/sync/session", ...internal, afterApply: true }, { path: "/sync/message", ...internal }] });
      const reference = await referenceData(claude.root);
      expect(JSON.parse((await sync()).stdout)).toMatchObject({ ok: true, pending: { sessions: 0, messages: 0 } });
      expect(server.requests().filter((r) => r.fault === 500).length).toBe(2);
      expect(comparable(server.dump())).toEqual(reference);
      expect(JSON.parse((await runCli(["status", "--json"], { env })).stdout).unconfirmed).toEqual({ sessions: 0, sendAgainAt: null, checkedAgain: 0 });
      expect((await runCli(["status"], { env })).stdout).not.toContain("Not confirmed");
    }), 120_000);
});

describe.concurrent("the sync after one stopped with a write given up on", () => {
  test("sends the record again once that write is over, waits out the window its own copy opened, and leaves nothing pending", () =>
    withServer(async (server) => {
      const { claude, sync } = await recordGivenUp(server, "hang");
      // The server is well again: one sync finishes the job (it used to stop with the record held back by the
      // 10 s window of its own first copy, "Pending: 1 session", found by the 30%-failures replay in CI).
      const reference = await referenceData(claude.root);
      const r = await sync();
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, deferred: 0, pending: { sessions: 0, messages: 0 } });
      expect(r.code).toBe(0);
      expect(comparable(server.dump())).toEqual(reference);
    }), 120_000);
});

describe.concurrent("a write on its way when the sync was killed (SIGKILL)", () => {
  test("lands after the next sync's newer one: the session's totals are replaced again by the latest", () =>
    withServer(async (server) => {
      const { claude, path, env, sync } = await syncedSession(server);

      appendFileSync(path, jsonl([user("Now the tests"), assistant("msg_2", text("Running them."), { usage: { output: 200 } })]));
      server.setFaults({ rules: [{ path: "/sync/session", kind: "late" }] });
      const killed = Bun.spawn([process.execPath, CLI, "sync"], { env: { ...baseEnv(), ...env }, stdout: "ignore", stderr: "ignore" });
      await within(30_000, () => server.requests().some((q) => q.fault === "late"));
      killed.kill("SIGKILL");
      await killed.exited;

      server.setFaults({});
      appendFileSync(path, jsonl([user("And the docs"), assistant("msg_3", text("Updated."), { usage: { output: 400 } })]));
      const reference = await referenceData(claude.root);
      const newer = sync();
      await within(60_000, () => Bun.deepEquals(comparable(server.dump()), reference));
      expect(await server.releaseLate()).toBe(1);
      await newer;
      // Its record goes again once the killed run's writes are over, and once the 10 s window the late one may have opened has passed.
      const again = await sync();
      expect(again.code).toBe(0);
      expect(comparable(server.dump())).toEqual(reference);
      expect(JSON.parse((await sync()).stdout)).toMatchObject({ ok: true, sessionsSent: 0, messagesSent: 0 });
    }), 120_000);
});

/**
 * One item given up on as `given`, acknowledged as `acked` later (null: never), now `current`: whether the
 * settled item goes again (for a message: once its session is read again, which settleUnsure asks).
 */
describe("settling a write given up on, once it is over", () => {
  const fresh = () => {
    const store = StateStore.open(join(tempDir("ccs-settle-"), "state.db"));
    const key = store.write(() => store.sessionKey(SESSION));
    return { store, key };
  };

  test.each([
    ["the latest was acknowledged after it: sent again", "h1", "h2", "h2", true],
    ["only a retry of the same was acknowledged: a late landing changes nothing", "h1", "h1", "h1", false],
    ["a newer copy is pending anyway: it goes as it would", "h1", "h1", "h2", true],
    ["never acknowledged: pending anyway", "h1", null, "h1", true],
  ] as const)("the session's record: %s", (_name, given, acked, current, due) => {
    const { store, key } = fresh();
    try {
      store.write(() => {
        store.putSessionPayload(SESSION, "{}", current, { excluded: false });
        if (acked) store.markSessionSent(key, { hash: acked, windowKey: `key-${acked}`, at: 1_000 });
        store.markUnsure(key, { item: "", hash: given, windowKey: `key-${given}`, until: 5_000 });
      });
      expect(store.write(() => store.settleUnsure(SESSION, 10_000))).toBe(false);
      const work = store.sessionsWithWork({ retryFailedBefore: 0 }).at(0);
      expect(work !== undefined).toBe(due);
      // On the server: its 10 s window runs from the latest the late write could land, against what it carried.
      if (acked) expect(work?.writtenAt ?? 5_000).toBe(5_000);
      // It holds the copy acknowledged or the one the late write carried: an update with either's window key waits.
      if (acked && acked !== given) expect(work?.sentKey).toBe(`key-${acked} key-${given}`);
      expect(store.unsureSessions()).toEqual([]);
    } finally {
      store.close();
    }
  });

  test.each([
    ["the latest was acknowledged after it: read again and sent", "h1", "h2", "h2", true],
    ["only a retry of the same was acknowledged", "h1", "h1", "h1", false],
    ["a newer copy is pending anyway", "h1", "h1", "h2", false],
    ["never acknowledged: pending anyway", "h1", null, "h1", false],
  ] as const)("a message: %s", (_name, given, acked, current, reread) => {
    const { store, key } = fresh();
    const id = `${SESSION}:u-1`;
    const message = (hash: string) => ({ externalId: id, sessionId: SESSION, createdAt: 1_000, ord: 0, hash, payload: `{"v":"${hash}"}` });
    try {
      store.write(() => {
        store.putSessionPayload(SESSION, "{}", "s", { excluded: false });
        store.markSessionSent(key, { hash: "s", windowKey: "k", at: 1_000 });
        if (acked) {
          store.putMessage(message(acked));
          store.markMessageSent(id, acked, 1_000);
        }
        store.putMessage(message(current));
        store.markUnsure(key, { item: id, hash: given, until: 5_000 });
      });
      expect(store.write(() => store.settleUnsure(SESSION, 10_000))).toBe(reread);
      // What the read puts back: the message is in the outbox unless the server surely has it.
      store.write(() => store.putMessage(message(current)));
      const outbox = [...store.outbox(key, 0)].map((m) => m.payload);
      expect(outbox).toEqual(acked === current && !reread ? [] : [`{"v":"${current}"}`]);
    } finally {
      store.close();
    }
  });
});

/** How long after it was given up on a write may still land, in the tests on a moved clock. */
const UNSURE_MS = 4_000;

/**
 * A server that keeps its rows as OpenSync does (testserver/store.ts) on a clock the test moves, behind the
 * sender: with `giveUp`, the record's or the messages' writes get no answer (the sender gives up on them), each
 * applied later, when the test says.
 */
function windowedServer() {
  const clock = { now: 1_800_000_000_000 };
  const server = new Store(":memory:", () => clock.now, () => false);
  const reports: string[] = [];
  const report = (reason: string) => void reports.push(reason);
  /** The writes given up on, each applied when the test calls it. */
  const held: Array<() => unknown> = [];
  const answered = <T>(value: T): Outcome<T> => ({ ok: true, value, latencyMs: 1, status: 200 });
  const noAnswer: Outcome<never> = { ok: false, kind: "server-down", error: new TransientError("no answer in time", 1, true), latencyMs: 1 };
  let giveUp: "record" | "message" | undefined;
  const transport: SendTransport = {
    upsertSession: async (body: SessionPayload) => {
      if (giveUp !== "record") return answered({ sessionId: server.upsertSession(body, report).id });
      held.push(() => server.upsertSession(body, () => {}));
      return noAnswer;
    },
    upsertMessage: async (body: MessagePayload) => {
      if (giveUp !== "message") return answered({ messageId: server.upsertMessage(body, report) });
      held.push(() => server.upsertMessage(body, () => {}));
      return noAnswer;
    },
  };
  const store = StateStore.open(join(tempDir("ccs-windowed-"), "state.db"));
  const record = (fields: { tokens: number; cost: number }) => {
    const json = JSON.stringify({ externalId: SESSION, source: "claude-code", title: "Fix the parser", promptTokens: fields.tokens, completionTokens: 1, cost: fields.cost });
    store.write(() => {
      store.sessionKey(SESSION);
      store.putSessionPayload(SESSION, json, payloadHash(json), { excluded: false, createdAt: clock.now - 60_000, lastAt: clock.now });
    });
  };
  const message = (n: number) => {
    const json = JSON.stringify({ sessionExternalId: SESSION, externalId: `${SESSION}:${n}`, role: "user", source: "claude-code", textContent: `m${n}`, parts: [{ type: "text", content: `m${n}` }] });
    store.write(() => store.putMessage({ externalId: `${SESSION}:${n}`, sessionId: SESSION, createdAt: clock.now, ord: n, hash: payloadHash(json), payload: json }));
  };
  const send = (options: { giveUp?: "record" | "message" } = {}) => {
    giveUp = options.giveUp;
    const sender = new Sender(store, transport, { now: () => clock.now, unsureForMs: UNSURE_MS });
    sender.loadPending();
    sender.close();
    return sender.run();
  };
  return { clock, server, reports, held, store, record, message, send, close: () => (store.close(), server.close()) };
}

describe("writes given up on, then the record's update of fields the window drops", () => {
  test("the record's write given up on, newer ones acknowledged: the update, due when that write is over, waits out the window of the session's last write, and the server takes it", async () => {
    const s = windowedServer();
    const at = (ms: number) => (s.clock.now += ms);
    try {
      s.record({ tokens: 40, cost: 0.1 });
      await s.send();
      at(20_000);
      s.record({ tokens: 50, cost: 0.2 });
      expect((await s.send({ giveUp: "record" })).maybeApplied).toBe(true);
      // Applied before the next write, which replaces it.
      at(2_000);
      s.held[0]?.();
      at(3_000);
      s.record({ tokens: 60, cost: 0.3 });
      await s.send();
      // Only its cost changed, and a new message: the record waits, the message goes.
      at(5_000);
      s.record({ tokens: 60, cost: 0.4 });
      s.message(1);
      expect((await s.send()).deferredSessions).toHaveLength(1);
      // The write given up on is over: settled as a sync does before it sends, the message's write 8 s old.
      at(8_000);
      await settleDue(s.store, {} as OpenSyncClient, undefined, s.clock.now, UNSURE_MS);
      await s.send();
      at(3_000);
      await s.send();
      expect(s.reports).toEqual([]);
      expect(s.server.dump()[0]).toMatchObject({ promptTokens: 60, cost: 0.4 });
      expect(s.store.sessionsWithWork({ retryFailedBefore: 0 })).toEqual([]);
    } finally {
      s.close();
    }
  });

  test("a message's write given up on, applied 1 s later: the update waits out the window that landing may have opened, and the server takes it", async () => {
    const s = windowedServer();
    const at = (ms: number) => (s.clock.now += ms);
    try {
      s.record({ tokens: 40, cost: 0.1 });
      s.message(1);
      await s.send();
      at(20_000);
      s.message(2);
      expect((await s.send({ giveUp: "message" })).maybeApplied).toBe(true);
      at(1_000);
      s.held[0]?.();
      // Before that write is over (4 s after it was given up on), only the cost changed: its record is due.
      at(1_000);
      s.record({ tokens: 40, cost: 0.2 });
      const landsBy = s.clock.now - 2_000 + UNSURE_MS;
      // Judged on times no later than now (windows.ts): held back a window from now, then from its latest landing.
      expect((await s.send()).deferredSessions.map((d) => d.readyAt)).toEqual([s.clock.now + SESSION_WINDOW_MS]);
      at(SESSION_WINDOW_MS);
      // Over: settled, as a sync does before it sends.
      await settleDue(s.store, {} as OpenSyncClient, undefined, s.clock.now, UNSURE_MS);
      expect((await s.send()).deferredSessions.map((d) => d.readyAt)).toEqual([landsBy + SESSION_WINDOW_MS]);
      s.clock.now = landsBy + SESSION_WINDOW_MS;
      await s.send();
      expect(s.reports).not.toContain("session-change-dropped");
      expect(s.server.dump()[0]).toMatchObject({ cost: 0.2, messageCount: 2 });
      expect(s.store.sessionsWithWork({ retryFailedBefore: 0 })).toEqual([]);
    } finally {
      s.close();
    }
  });
});

describe("checking again, once over, a write given up on", () => {
  test.each([
    ["the first check after the one at settling: two of those times later", 1, 1_000 + 2 * 30_000],
    ["the eleventh: 2048 of them later (about 17 hours)", 11, 1_000 + 2048 * 30_000],
  ] as const)("%s", (_name, done, at) => {
    expect(recheckAt(1_000, 30_000, done)).toBe(at);
  });

  test.each([
    ["the record it carried is not the one acknowledged, and the server shows another: due again", "h1", 7_000, true],
    ["the record it carried is not the one acknowledged, the server shows that one: not due", "h1", undefined, false],
  ] as const)("%s", (_name, given, landedAt, due) => {
    const store = StateStore.open(join(tempDir("ccs-recheck-"), "state.db"));
    try {
      const key = store.write(() => store.sessionKey(SESSION));
      store.write(() => {
        store.putSessionPayload(SESSION, '{"externalId":"s"}', "h2", { excluded: false });
        store.markSessionSent(key, { hash: "h2", windowKey: "k2", at: 1_000, serverId: "srv1" });
        store.markUnsure(key, { item: "", hash: given, windowKey: "k1", until: 2_000 });
        store.settleUnsure(SESSION, 3_000);
        // What settling made due went, and was acknowledged.
        store.markSessionSent(key, { hash: "h2", windowKey: "k2", at: 2_500 });
      });
      expect(store.rechecked()).toEqual([{ sessionId: SESSION, nextAt: 3_000 }]);
      expect(store.recheckedRecord(SESSION)).toEqual({ serverId: "srv1", payload: '{"externalId":"s"}' });
      store.write(() => store.recheckUnsure(SESSION, landedAt, () => 9_000));
      const work = store.sessionsWithWork({ retryFailedBefore: 0 }).at(0);
      expect(work !== undefined).toBe(due);
      if (due) expect(work?.writtenAt).toBe(landedAt as number);
      expect(store.rechecked()).toEqual([{ sessionId: SESSION, nextAt: 9_000 }]);
      // Settled, then checked twice (3): forgotten once past the count (by a later run, not the one that checked).
      store.write(() => store.recheckUnsure(SESSION, undefined, () => 20_000));
      store.write(() => store.dropRechecked(3));
      expect(store.rechecked()).toEqual([{ sessionId: SESSION, nextAt: 20_000 }]);
      store.write(() => store.dropRechecked(2));
      expect(store.rechecked()).toEqual([]);
    } finally {
      store.close();
    }
  });

  test("a server that cannot show its copy: that check and the others due wait one more such time, not asked again at once", async () => {
    const store = StateStore.open(join(tempDir("ccs-recheck-"), "state.db"));
    const OTHER = "22222222-2222-4222-8222-222222222222";
    try {
      for (const id of [SESSION, OTHER]) {
        const key = store.write(() => store.sessionKey(id));
        store.write(() => {
          store.putSessionPayload(id, '{"externalId":"s"}', "h2", { excluded: false });
          store.markSessionSent(key, { hash: "h2", windowKey: "k2", at: 1_000, serverId: `srv-${id}` });
          store.markUnsure(key, { item: "", hash: "h1", windowKey: "k1", until: 2_000 });
          store.settleUnsure(id, 3_000);
          store.markSessionSent(key, { hash: "h2", windowKey: "k2", at: 2_500 });
        });
      }
      let asked = 0;
      const down = {
        once: {
          getServerSession: async () => {
            asked++;
            return { ok: false };
          },
        },
        serverClock: { offset: () => 0 },
      } as unknown as OpenSyncClient;
      // A pass scheduled for a check due (watch, the hooks' runner) would otherwise ask again in a loop.
      expect(await settleDue(store, down, undefined, 5_000, 30_000)).toEqual([]);
      expect(asked).toBe(1);
      expect(store.rechecked().map((r) => r.nextAt)).toEqual([35_000, 35_000]);
      expect(await settleDue(store, down, undefined, 6_000, 30_000)).toEqual([]);
      expect(asked).toBe(1);
    } finally {
      store.close();
    }
  });

  test("a record it carried that is the one acknowledged: a late landing changes nothing, the server is not asked", () => {
    const store = StateStore.open(join(tempDir("ccs-recheck-"), "state.db"));
    try {
      const key = store.write(() => store.sessionKey(SESSION));
      store.write(() => {
        store.putSessionPayload(SESSION, "{}", "h2", { excluded: false });
        store.markSessionSent(key, { hash: "h2", windowKey: "k2", at: 1_000, serverId: "srv1" });
        store.markUnsure(key, { item: "", hash: "h2", windowKey: "k2", until: 2_000 });
        store.settleUnsure(SESSION, 3_000);
      });
      expect(store.recheckedRecord(SESSION)).toBeUndefined();
    } finally {
      store.close();
    }
  });
});

describe("after a run that did not end cleanly", () => {
  test("what was pending counts as given up on: the record goes again once, a message only if it changed", () => {
    const store = StateStore.open(join(tempDir("ccs-pending-"), "state.db"));
    const id = `${SESSION}:u-1`;
    try {
      const key = store.write(() => store.sessionKey(SESSION));
      store.write(() => {
        store.putSessionPayload(SESSION, "{}", "s2", { excluded: false });
        store.markSessionSent(key, { hash: "s1", windowKey: "k", at: 1_000 });
        store.putMessage({ externalId: id, sessionId: SESSION, createdAt: 1_000, ord: 0, hash: "m1", payload: "{}" });
        store.markPendingUnsure(5_000);
      });
      expect(store.unsureSessions()).toEqual([{ sessionId: SESSION, readyAt: 5_000 }]);
      // This run sends both as they were pending; the killed run's copies may land after.
      store.write(() => {
        store.markSessionSent(key, { hash: "s2", windowKey: "k", at: 2_000 });
        store.markMessageSent(id, "m1", 1_000);
      });
      expect(store.write(() => store.settleUnsure(SESSION, 10_000))).toBe(false);
      expect(store.sessionsWithWork({ retryFailedBefore: 0 }).map((w) => w.sessionId)).toEqual([SESSION]);
      expect([...store.outbox(key, 0)]).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe("a schema 5 state", () => {
  test("gets the count of checks of each write given up on, keeping those it had (not yet over: none checked)", () => {
    const path = join(tempDir("ccs-rechecks-"), "state.db");
    const store = StateStore.open(path);
    const key = store.write(() => store.sessionKey(SESSION));
    store.write(() => store.markUnsure(key, { item: "", hash: "h1", until: 5 }));
    store.close();
    // Back to schema 5: no rechecks column.
    const db = new Database(path);
    db.run("ALTER TABLE unsure_writes DROP COLUMN rechecks");
    db.run("PRAGMA user_version = 5");
    db.close();

    const reopened = StateStore.open(path);
    try {
      expect(reopened.db.query("PRAGMA user_version").get()).toEqual({ user_version: 7 });
      expect(reopened.unsureSessions()).toEqual([{ sessionId: SESSION, readyAt: 5 }]);
      reopened.write(() => reopened.settleUnsure(SESSION, 50));
      expect(reopened.unsureSessions()).toEqual([]);
      expect(reopened.rechecked()).toEqual([{ sessionId: SESSION, nextAt: 50 }]);
    } finally {
      reopened.close();
    }
  });
});

describe("a schema 4 state", () => {
  test("gets the table of writes given up on, keeping what it had", () => {
    const dir = tempDir("ccs-unsure-");
    mkdirSync(dir, { recursive: true });
    const path = join(dir, "state.db");
    const store = StateStore.open(path);
    store.write(() => store.setMeta("account", "acc0123456789abc"));
    store.close();
    // Back to schema 4: no unsure_writes table.
    const db = new Database(path);
    db.run("DROP TABLE unsure_writes");
    db.run("PRAGMA user_version = 4");
    db.close();

    const reopened = StateStore.open(path);
    try {
      expect(reopened.db.query("PRAGMA user_version").get()).toEqual({ user_version: 7 });
      expect(reopened.getMeta("account")).toBe("acc0123456789abc");
      const key = reopened.write(() => reopened.sessionKey(SESSION));
      reopened.write(() => reopened.markUnsure(key, { item: "", hash: "h1", until: 5 }));
      expect(reopened.unsureSessions()).toEqual([{ sessionId: SESSION, readyAt: 5 }]);
    } finally {
      reopened.close();
    }
  });
});
