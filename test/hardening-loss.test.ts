/**
 * Issue 12's "data lost" cases, end to end through the CLI against the test
 * server: a 500 with a text we do not know, a refused item, a transcript
 * rewritten in place, timestamps from a clock a day ahead, a project taken
 * out of `excludeProjects`, and project folders and transcripts reached
 * through symbolic links (loops included). Each time the server must end up
 * with what a clean sync of the same transcripts gives.
 */
import { describe, expect, test } from "bun:test";
import { appendFileSync, copyFileSync, mkdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runCli, tempHome } from "./helpers/cli.ts";
import { comparable, countMismatches, faultCounts, looksLikeCrash, referenceData, syncEnv, tempDir, useGeneratedHistory } from "./helpers/hardening.ts";
import { assistant, jsonl, tempClaudeDir, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

const fx = useGeneratedHistory();

const A = "aaaaaaaa-1111-4111-8111-111111111111";
const B = "bbbbbbbb-2222-4222-8222-222222222222";
const C = "cccccccc-3333-4333-8333-333333333333";

const sync = (env: Record<string, string>, ...flags: string[]) => runCli(["sync", "--json", ...flags], { env, timeoutMs: 60_000 });
const statusJson = async (env: Record<string, string>) => JSON.parse((await runCli(["status", "--json"], { env })).stdout);

/** A conversation of `turns` prompts and answers in `cwd`, each answer one response. */
function conversation(sessionId: string, turns: number, cwd: string, label = "turn"): string {
  const lines: unknown[] = [];
  for (let i = 0; i < turns; i++) {
    lines.push(user(`${label} ${i}: question`, { sessionId, cwd }));
    lines.push(assistant(`msg_${sessionId.slice(0, 4)}_${label}_${i}`, text(`${label} ${i}: answer`), { sessionId, cwd }));
  }
  return jsonl(lines);
}

/** Every message of `reference` is on the server with the same content (the server may hold more: nothing is deleted remotely). */
function expectMessagesOf(reference: ReturnType<typeof comparable>) {
  const onServer = new Map(comparable(fx.server.dump()).flatMap((s) => s.messages.map((m) => [m.externalId, m] as const)));
  const missing = reference.flatMap((s) => s.messages).filter((m) => JSON.stringify(onServer.get(m.externalId)) !== JSON.stringify(m));
  expect(missing.map((m) => m.externalId)).toEqual([]);
}

describe("500s with a text the client does not know are transient (issue 12, item 1)", () => {
  test("under 40 consecutive 500s, then a healthy server, one more sync delivers everything; nothing is marked failed", async () => {
    fx.server.reset();
    // The server's generic failures: its database away for the first session writes, an unexplained error for every message write.
    fx.server.setFaults({
      rules: [
        { path: "/sync/session", kind: 500, body: JSON.stringify({ error: "Database unavailable" }), times: 10 },
        { path: "/sync/message", kind: 500, body: JSON.stringify({ error: "Internal error" }), times: 100_000 },
      ],
    });
    const home = tempHome();
    const env = syncEnv(fx.server, fx.claudeDir, home);
    const during: Array<{ code: number }> = [];
    // The user (or the hooks) keeps syncing while the server fails; bounded.
    for (let i = 0; i < 15 && (faultCounts(fx.server)["500"] ?? 0) < 40; i++) {
      const r = await sync(env);
      expect(looksLikeCrash(r.stderr)).toBe(false);
      // Never refused for good: the run gives up for now (exit 1), and reports no refusal.
      expect(JSON.parse(r.stdout).failed).toEqual([]);
      during.push({ code: r.code });
    }
    const failures = faultCounts(fx.server)["500"] ?? 0;
    expect(failures).toBeGreaterThanOrEqual(40);
    expect(fx.server.dump().flatMap((s) => s.messages)).toEqual([]);
    expect(during.map((r) => r.code)).toEqual(during.map(() => 1));
    expect((await statusJson(env)).failed).toEqual([]);

    fx.server.setFaults({});
    const after = await sync(env);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, failed: [], pending: { sessions: 0, messages: 0 } });
    const dump = fx.server.dump();
    expect(comparable(dump)).toEqual(fx.reference);
    expect(countMismatches(dump)).toEqual([]);
    expect(fx.server.violations()).toEqual([]);
    console.log(`[hardening] ${failures} consecutive 500s over ${during.length} syncs (each exit 1, nothing marked failed); one more sync delivered everything`);
  }, 120_000);

  test.each([413, 400])("a proxy's %d page on one message write is retried in the same run, never marked failed", async (status) => {
    fx.server.reset();
    fx.server.setFaults({ rules: [{ path: "/sync/message", kind: "proxy", status, skip: 3, times: 1 }] });
    const r = await sync(syncEnv(fx.server, fx.claudeDir));
    expect(faultCounts(fx.server)).toEqual({ proxy: 1 });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, failed: [] });
    expect(comparable(fx.server.dump())).toEqual(fx.reference);
    expect(fx.server.violations()).toEqual([]);
  }, 60_000);
});

test("a proxy's page for every write once some went through (a maintenance page put up mid-run): exit 1, not a wrong URL to log in again with; the next sync sends the rest, once each", async () => {
  fx.server.reset();
  fx.server.setFaults({ rules: [{ path: "/sync/message", kind: "html", skip: 5, times: 100_000 }] });
  const env = syncEnv(fx.server, fx.claudeDir);
  const r = await sync(env);
  expect(r.code).toBe(1);
  const report = JSON.parse(r.stdout);
  expect(report.ok).toBe(false);
  expect(report.error).toContain("while other requests went through");
  expect(report.error).not.toContain("login");
  fx.server.setFaults({});
  expect((await sync(env)).code).toBe(0);
  expect(comparable(fx.server.dump())).toEqual(fx.reference);
  expect(fx.server.violations()).toEqual([]);
}, 120_000);

test("a firewall's 403 page for one message, every time: the rest is sent, the run goes on, and the message says the item is blocked, not that the URL is wrong", async () => {
  fx.server.reset();
  const session = fx.reference.find((s) => s.messages.length > 2) as (typeof fx.reference)[number];
  const blocked = session.messages[1]?.externalId as string;
  fx.server.setFaults({
    rules: [{ path: "/sync/message", bodyIncludes: blocked.slice(session.externalId.length + 1), kind: "proxy", status: 403, body: "<html><title>Attention Required!</title></html>", times: 1_000 }],
  });
  const env = syncEnv(fx.server, fx.claudeDir);
  const r = await sync(env);
  expect(r.code).toBe(1);
  const report = JSON.parse(r.stdout);
  expect(report).toMatchObject({ ok: false, code: "item-blocked", failed: [], pending: { messages: 1 } });
  expect(report.error).toContain(`Sending ${blocked}`);
  expect(report.error).toContain("HTTP 403 with a web page (Attention Required!), while other requests went through");
  expect(report.error).not.toContain("login");
  // Everything else arrived; the blocked message alone is missing.
  const others = fx.reference.map((s) => ({ ...s, messages: s.messages.filter((m) => m.externalId !== blocked) }));
  expectMessagesOf(others);
  expect(fx.server.dump().flatMap((s) => s.messages.map((m) => m.externalId))).not.toContain(blocked);

  // The next sync has that message alone to send: the server answered its read, so it is still this item that is blocked.
  const again = await sync(env);
  expect(again.code).toBe(1);
  expect(JSON.parse(again.stdout)).toMatchObject({ ok: false, code: "item-blocked", pending: { messages: 1 } });
  expect(again.stderr).not.toContain("login");
  // Said so while it retries too, at a terminal or in a log: not taken for a wrong URL.
  const shown = await runCli(["sync"], { env, timeoutMs: 60_000 });
  expect(shown.stderr).toContain("blocks this item; retrying");
  expect(shown.stderr).not.toContain("login");
  // status says why the message is still pending, not only that it is (found by an exploratory user).
  const status = await runCli(["status", "--json"], { env });
  const pendingReason = JSON.parse(status.stdout).pendingReason;
  expect(pendingReason.reason).toContain(`Sending ${blocked}`);
  expect(pendingReason.reason).toContain("something in front of OpenSync (a firewall or proxy) blocks this item");
  expect((await runCli(["status"], { env })).stdout).toMatch(/Pending: \d+ sessions?, 1 message \(run `claude-code-sync sync`\)\n {2}Left by a sync \d+ seconds? ago: Sending /);

  // Let through, it goes with the next sync.
  fx.server.setFaults({});
  const after = await sync(env);
  expect(after.code).toBe(0);
  expectMessagesOf(fx.reference);
  expect(fx.server.violations()).toEqual([]);
  expect(JSON.parse((await runCli(["status", "--json"], { env })).stdout).pendingReason).toBeNull();
}, 60_000);

describe("items the server refused for good (issue 12, item 1)", () => {
  test("status names them; they wait for a change, or for `sync --retry-failed`, which sends them and what they held back", async () => {
    fx.server.reset();
    const claude = tempClaudeDir();
    // Session A is refused itself (its messages wait for it); in session B one prompt and one answer are refused.
    claude.write(`p/${A}.jsonl`, jsonl([user("refused session: prompt", { sessionId: A }), assistant("msg_a1", text("answer"), { sessionId: A })]));
    const badPrompt = user("refused prompt", { sessionId: B });
    const badAnswer = assistant("msg_b1", text("refused answer"), { sessionId: B }); // the last response: still open, it can grow
    const bPath = claude.write(`p/${B}.jsonl`, jsonl([user("fine prompt", { sessionId: B }), assistant("msg_b0", text("fine answer"), { sessionId: B }), badPrompt, badAnswer]));
    const reference = await referenceData(claude.root);
    const refusal = (bodyIncludes: string, path: string) => ({
      path,
      bodyIncludes,
      kind: 500 as const,
      body: JSON.stringify({ error: "ArgumentValidationError: Object contains extra field `bogus` that is not in the validator." }),
      times: 1000,
    });
    fx.server.setFaults({
      rules: [refusal(`"externalId":"${A}"`, "/sync/session"), refusal(badPrompt.uuid, "/sync/message"), refusal(badAnswer.uuid, "/sync/message")],
    });
    const home = tempHome();
    const env = syncEnv(fx.server, claude.root, home);

    const first = await sync(env);
    expect(first.code).toBe(1);
    const refusedIds = [A, `${B}:${badPrompt.uuid}`, `${B}:${badAnswer.uuid}`].sort();
    expect(JSON.parse(first.stdout).failed.map((f: { id: string }) => f.id).sort()).toEqual(refusedIds);
    const status = await statusJson(env);
    expect(status.failed.map((f: { id: string }) => f.id).sort()).toEqual(refusedIds);
    expect(status.failed[0].error).toContain("ArgumentValidationError");
    const statusRun = await runCli(["status", "--verbose"], { env });
    // Connected, but work is left: exit 1, as the help's exit codes say.
    expect(statusRun.code).toBe(1);
    const statusText = statusRun.stdout;
    expect(statusText).toContain("Connected: true");
    expect(statusText).toContain("Failed: 3 items the server refused:");
    for (const id of refusedIds) expect(statusText).toContain(id);

    // The server takes them now; an ordinary sync does not try them again (no change, less than a day)...
    fx.server.setFaults({});
    const before = fx.server.requests().length;
    const quiet = await sync(env);
    expect(quiet.code).toBe(0);
    // Held back by a refusal is not "pending for the next sync".
    expect(JSON.parse(quiet.stdout)).toMatchObject({ ok: true, pending: { sessions: 0, messages: 0 }, refused: 3 });
    expect(fx.server.requests().slice(before).map((q) => `${q.method} ${q.path}`)).toEqual(["GET /api/sessions"]);
    // ...unless they change: the refused answer gets its next block, so it goes.
    appendFileSync(bPath, jsonl([assistant("msg_b1", toolUse("toolu_b1", "Bash", { command: "ls" }), { sessionId: B, usage: { output: 500 } })]));
    const changed = await sync(env);
    expect(changed.code).toBe(0);
    expect(fx.server.message(`${B}:${badAnswer.uuid}`)?.parts.length).toBe(2);
    expect(fx.server.message(`${B}:${badPrompt.uuid}`)).toBeUndefined();
    expect(fx.server.session(A)).toBeUndefined();

    // --retry-failed: now, the refused session with the messages it held back, and the refused prompt.
    const retried = await sync(env, "--retry-failed");
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({ ok: true, failed: [] });
    expect(fx.server.session(A)?.messages.length).toBe(2);
    expect(fx.server.message(`${B}:${badPrompt.uuid}`)?.textContent).toBe("refused prompt");
    expect((await statusJson(env)).failed).toEqual([]);
    const a = comparable(fx.server.dump()).find((s) => s.externalId === A);
    expect(a).toEqual(reference.find((s) => s.externalId === A));
    expect(fx.server.violations()).toEqual([]);
  }, 90_000);
});

test("a transcript rewritten in place (same inode, truncated, grown past the old offset) is read again from the start (issue 12, item 3)", async () => {
  fx.server.reset();
  const claude = tempClaudeDir();
  const path = claude.write(`p/${A}.jsonl`, conversation(A, 3, "/home/dev/p", "before"));
  const env = syncEnv(fx.server, claude.root);
  expect((await sync(env)).code).toBe(0);
  const inode = statSync(path).ino;
  const oldSize = statSync(path).size;

  // Rewritten through the same file (truncated, then written), with other lines, and longer than before.
  writeFileSync(path, conversation(A, 12, "/home/dev/p", "rewritten"));
  expect(statSync(path).ino).toBe(inode);
  expect(statSync(path).size).toBeGreaterThan(oldSize);
  const reference = await referenceData(claude.root);

  const r = await sync(env);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).skipped.badLines).toBe(0);
  expectMessagesOf(reference);
  expect(fx.server.session(A)?.messages.length).toBe(6 + 24); // the lines cut off stay on the server
  expect(countMismatches(fx.server.dump())).toEqual([]);
  expect(fx.server.violations()).toEqual([]);
}, 60_000);

test("a clock a day ahead: an updated message is sent in the next sync, not held back until the clock catches up (issue 12, item 5)", async () => {
  fx.server.reset();
  const claude = tempClaudeDir();
  const day = 24 * 60 * 60 * 1000;
  const at = (ms: number) => new Date(Date.now() + day + ms).toISOString();
  const prompt = user("from tomorrow", { sessionId: A, timestamp: at(0) });
  const answer = assistant("msg_future", text("Looking."), { sessionId: A, timestamp: at(1000) });
  const path = claude.write(`p/${A}.jsonl`, jsonl([prompt, answer]));
  const env = syncEnv(fx.server, claude.root);
  expect((await sync(env)).code).toBe(0);
  const id = `${A}:${answer.uuid}`;
  expect(fx.server.message(id)?.parts.length).toBe(1);
  expect(fx.server.message(id)?.createdAt).toBeLessThanOrEqual(Date.now());

  // The same response gets its next block (and its final usage): the message on the server must be updated.
  appendFileSync(path, jsonl([assistant("msg_future", toolUse("toolu_f", "Bash", { command: "ls" }), { sessionId: A, timestamp: at(2000), usage: { output: 500 } })]));
  const r = await sync(env);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, pending: { sessions: 0, messages: 0 } });
  expect(fx.server.message(id)?.parts.length).toBe(2);
  expect(fx.server.violations()).toEqual([]);
}, 60_000);

test("a server clock 10 minutes behind the user's: a response updated after the first sync reaches the server whole, with no future createdAt", async () => {
  fx.server.reset();
  fx.server.advanceTime(-600_000);
  try {
    const claude = tempClaudeDir();
    const at = (ms: number) => new Date(Date.now() - 120_000 + ms).toISOString();
    const answer = assistant("msg_skew", text("Looking."), { sessionId: A, timestamp: at(1000) });
    const path = claude.write(`p/${A}.jsonl`, jsonl([user("what is here?", { sessionId: A, timestamp: at(0) }), answer]));
    const env = syncEnv(fx.server, claude.root);
    expect((await sync(env)).code).toBe(0);

    // The same response gets its tool call (and its final usage), then the tool's result.
    appendFileSync(
      path,
      jsonl([
        assistant("msg_skew", toolUse("toolu_s", "Bash", { command: "ls" }), { sessionId: A, timestamp: at(2000), usage: { output: 500 } }),
        toolResult("toolu_s", "a.txt", { sessionId: A, timestamp: at(3000) }),
      ]),
    );
    const r = await sync(env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, pending: { sessions: 0, messages: 0 } });
    expect(fx.server.violations()).toEqual([]);
    expect(fx.server.message(`${A}:${answer.uuid}`)?.parts.length).toBe(2);

    // As a clean sync without skew has it, but for the times, which are the server's: none in its future, in the same order.
    const dump = fx.server.dump();
    const times = dump.flatMap((s) => [s.createdAt, ...s.messages.map((m) => m.createdAt)]);
    expect(times.filter((t) => t > fx.server.now())).toEqual([]);
    const timeless = (sessions: ReturnType<typeof comparable>) =>
      sessions.map(({ createdAt: _c, messages, ...s }) => ({ ...s, messages: messages.map(({ createdAt: _m, ...m }) => m) }));
    const reference = await referenceData(claude.root);
    expect(timeless(comparable(dump))).toEqual(timeless(reference));
    const order = dump.flatMap((s) => s.messages.map((m) => m.externalId));
    const expected = reference.flatMap((s) => s.messages).sort((a, b) => a.createdAt - b.createdAt).map((m) => m.externalId);
    expect(order).toEqual(expected);
  } finally {
    fx.server.advanceTime(600_000);
  }
}, 90_000);

describe("projects (issue 12, item 6)", () => {
  test("a project taken out of excludeProjects has its whole history sent by the next sync", async () => {
    fx.server.reset();
    const claude = tempClaudeDir();
    claude.write(`-home-dev-open/${A}.jsonl`, conversation(A, 3, "/home/dev/open"));
    claude.write(`-home-dev-secret/${B}.jsonl`, conversation(B, 4, "/home/dev/secret"));
    const reference = await referenceData(claude.root);
    const env = syncEnv(fx.server, claude.root);

    expect((await runCli(["set", "excludeProjects", "secret"], { env })).code).toBe(0);
    expect((await sync(env)).code).toBe(0);
    expect(fx.server.dump().map((s) => s.externalId)).toEqual([A]);

    expect((await runCli(["set", "excludeProjects", "--", "-secret"], { env })).code).toBe(0);
    const r = await sync(env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, pending: { sessions: 0, messages: 0 } });
    expect(comparable(fx.server.dump())).toEqual(reference);
    expect(fx.server.violations()).toEqual([]);
  }, 60_000);

  test("project folders and transcripts reached through symbolic links are synced; link loops are read once", async () => {
    fx.server.reset();
    const subagent = (sessionId: string) =>
      jsonl([user("look around", { sessionId, isSidechain: true, agentId: "a1b2", cwd: "/home/dev/a" }), assistant("msg_sub", text("done"), { sessionId, isSidechain: true, agentId: "a1b2", cwd: "/home/dev/a" })]);
    const files: Record<string, string> = {
      [`-home-dev-a/${A}.jsonl`]: conversation(A, 2, "/home/dev/a"),
      [`-home-dev-a/${A}/subagents/agent-a1b2.jsonl`]: subagent(A),
      [`-home-dev-a/${C}.jsonl`]: conversation(C, 2, "/home/dev/a"),
      [`-home-dev-b/${B}.jsonl`]: conversation(B, 3, "/home/dev/b"),
    };
    // The reference: the same files in plain folders.
    const plain = tempDir("ccs-plain-");
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(dirname(join(plain, "projects", rel)), { recursive: true });
      writeFileSync(join(plain, "projects", rel), content);
    }
    const reference = await referenceData(plain);

    // The same through links: a project folder kept elsewhere (linked twice), a transcript kept elsewhere, and two loops.
    const linked = tempDir("ccs-linked-");
    const projects = join(linked, "projects");
    const elsewhere = join(linked, "elsewhere");
    mkdirSync(join(projects, "-home-dev-a", A, "subagents"), { recursive: true });
    mkdirSync(join(elsewhere, "b"), { recursive: true });
    copyFileSync(join(plain, "projects", `-home-dev-a/${A}.jsonl`), join(projects, `-home-dev-a/${A}.jsonl`));
    copyFileSync(join(plain, "projects", `-home-dev-a/${A}/subagents/agent-a1b2.jsonl`), join(projects, `-home-dev-a/${A}/subagents/agent-a1b2.jsonl`));
    copyFileSync(join(plain, "projects", `-home-dev-a/${C}.jsonl`), join(elsewhere, "c.jsonl"));
    symlinkSync(join(elsewhere, "c.jsonl"), join(projects, "-home-dev-a", `${C}.jsonl`));
    copyFileSync(join(plain, "projects", `-home-dev-b/${B}.jsonl`), join(elsewhere, "b", `${B}.jsonl`));
    symlinkSync(join(elsewhere, "b"), join(projects, "-home-dev-b"));
    symlinkSync(join(elsewhere, "b"), join(projects, "-home-dev-b-again"));
    symlinkSync(projects, join(projects, "loop")); // the projects folder inside itself
    symlinkSync(join(projects, "-home-dev-a", A), join(projects, "-home-dev-a", A, "subagents", "up")); // a session folder inside itself

    const r = await sync(syncEnv(fx.server, linked), "--verbose");
    expect(looksLikeCrash(r.stderr)).toBe(false);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, skipped: { files: 0 } });
    expect(comparable(fx.server.dump())).toEqual(reference);
    expect(fx.server.violations()).toEqual([]);
  }, 60_000);
});
