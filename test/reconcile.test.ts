/**
 * The server is the truth about what it holds. After it loses data (a
 * session deleted in the dashboard, OpenSync's "delete all data", a new
 * deployment), `verify` fails and `status` says so, a normal `sync` stays
 * cheap, and `sync --full` puts back exactly what was there.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { type DumpSession, type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { assistant, jsonl, resetClock, tempClaudeDir, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

const A = "aaaaaaaa-1111-4111-8111-111111111111";
const B = "bbbbbbbb-2222-4222-8222-222222222222";
const C = "cccccccc-3333-4333-8333-333333333333";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** Three sessions of a few turns each, and the environment of a user logged in to the test server. */
function history() {
  resetClock();
  const claude = tempClaudeDir();
  for (const [i, id] of [A, B, C].entries()) {
    const s = { sessionId: id };
    claude.write(
      `p/${id}.jsonl`,
      jsonl([
        user(`question ${i}`, s),
        assistant(`msg_${i}_1`, toolUse(`toolu_${i}`, "Read", { file_path: `/f${i}` }), s),
        toolResult(`toolu_${i}`, `body ${i}`, s),
        assistant(`msg_${i}_2`, text(`answer ${i}`), s),
      ]),
    );
  }
  return { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
}

/**
 * What the dashboard shows, without the server's own ids and write times, nor
 * message ids (lost messages come back under new ones: see forgetSentSession).
 */
function content(dump: DumpSession[]) {
  return dump
    .map((s) => ({
      externalId: s.externalId,
      title: s.title,
      createdAt: s.createdAt,
      promptTokens: s.promptTokens,
      completionTokens: s.completionTokens,
      cost: s.cost,
      messages: s.messages.map((m) => ({ role: m.role, textContent: m.textContent, createdAt: m.createdAt, parts: m.parts })),
    }))
    .sort((a, b) => (a.externalId < b.externalId ? -1 : 1));
}

const verifyCopy = async (env: Record<string, string>) => {
  const r = await runCli(["verify", "--json"], { env });
  return { code: r.code, check: (JSON.parse(r.stdout) as { checks: Array<{ id: string; status: string; detail: string; fix?: string }> }).checks.find((c) => c.id === "serverCopy") };
};

describe("after the server lost data", () => {
  test.each([
    ["a session deleted in the dashboard", (s: TestServer) => s.deleteSession(B)],
    ["OpenSync's delete all data (messages left orphaned)", (s: TestServer) => s.deleteAllData()],
    ["a new, empty deployment", (s: TestServer) => s.newDeployment()],
  ] as const)("%s: verify fails, status says so, sync --full restores exactly what was there", async (_name, lose) => {
    server.reset();
    const env = history();
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const before = content(server.dump());
    expect(before.length).toBe(3);
    expect((await verifyCopy(env)).check?.status).toBe("ok");

    lose(server);
    const v = await verifyCopy(env);
    expect(v.code).toBe(1);
    expect(v.check).toMatchObject({ status: "fail", fix: expect.stringContaining("sync --full") });
    const status = await runCli(["status", "--json"], { env });
    expect((JSON.parse(status.stdout) as { missingOnServer: number }).missingOnServer).toBeGreaterThan(0);
    // Work left, as verify says: exit 1 (found by an exploratory user).
    expect(status.code).toBe(1);

    // A normal sync stays cheap: it does not ask the server what it holds, only hears it answer (its newest session).
    const requestsBefore = server.requests().length;
    const plain = await runCli(["sync", "--json"], { env });
    expect(JSON.parse(plain.stdout)).toMatchObject({ sessionsSent: 0, messagesSent: 0 });
    expect(server.requests().slice(requestsBefore).map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/sessions"]);

    const full = await runCli(["sync", "--full", "--json"], { env });
    expect(full.code).toBe(0);
    expect(content(server.dump())).toEqual(before);
    expect((await verifyCopy(env)).check?.status).toBe("ok");
    expect(server.violations()).toEqual([]);
  });

  test.each([
    ["a session deleted in the dashboard", (s: TestServer) => s.deleteSession(B)],
    ["OpenSync's delete all data (messages left orphaned)", (s: TestServer) => s.deleteAllData()],
  ] as const)("%s, then written again by its next turn: the plain sync that writes it sends its earlier messages again too", async (_name, lose) => {
    server.reset();
    const env = history();
    expect((await runCli(["sync"], { env })).code).toBe(0);
    lose(server);
    // B's next turn, as the hooks' sync would meet it.
    const s = { sessionId: B };
    appendFileSync(join(env.CLAUDE_CONFIG_DIR, "projects", "p", `${B}.jsonl`), jsonl([user("question again", s), assistant("msg_1_3", text("answer again"), s)]));
    const plain = await runCli(["sync", "--json"], { env });
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ recreated: [B] });
    const restored = content(server.dump()).find((x) => x.externalId === B);

    // What a first sync of the same history puts on an empty server.
    server.reset();
    expect((await runCli(["sync"], { env: { ...env, HOME: tempHome() } })).code).toBe(0);
    expect(restored).toEqual(content(server.dump()).find((x) => x.externalId === B));
    expect(restored?.messages.length).toBe(6);
    expect(server.violations()).toEqual([]);
  });

  test("when the server cannot show its copy at that moment, the session keeps its old id and its next write repairs it", async () => {
    server.reset();
    const env = history();
    expect((await runCli(["sync"], { env })).code).toBe(0);
    server.deleteSession(B);
    const file = join(env.CLAUDE_CONFIG_DIR, "projects", "p", `${B}.jsonl`);
    const s = { sessionId: B };
    appendFileSync(file, jsonl([user("question again", s), assistant("msg_1_3", text("answer again"), s)]));
    server.setFaults({ rules: [{ kind: 503, method: "GET", path: "/api/sessions/get", times: 1 }] });
    const failed = await runCli(["sync", "--json"], { env });
    expect(failed.code).toBe(0);
    expect(server.session(B)?.messages.length).toBe(2);
    server.setFaults({ rules: [] });
    appendFileSync(file, jsonl([user("once more", s), assistant("msg_1_4", text("and again"), s)]));
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const restored = content(server.dump()).find((x) => x.externalId === B);
    server.reset();
    expect((await runCli(["sync"], { env: { ...env, HOME: tempHome() } })).code).toBe(0);
    expect(restored).toEqual(content(server.dump()).find((x) => x.externalId === B));
    expect(restored?.messages.length).toBe(8);
  });

  test("a session the server holds only in part gets its missing messages back", async () => {
    server.reset();
    const env = history();
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const before = content(server.dump());
    // The server lost two of A's messages (their rows, as a failed migration would).
    const lost = server.session(A)?.messages.slice(1, 3).map((m) => m.externalId) ?? [];
    expect(lost.length).toBe(2);
    for (const id of lost) server.deleteMessage(id);
    expect(server.session(A)?.messages.length).toBe(2);

    // verify sees it: the session is there, its messages are not all (it said all was well: found by an exploratory tester).
    const v = await verifyCopy(env);
    expect(v.code).toBe(1);
    expect(v.check).toMatchObject({ status: "fail", detail: expect.stringContaining("holds 1 session with fewer messages"), fix: expect.stringContaining("sync --full") });

    const full = await runCli(["sync", "--full", "--json"], { env });
    expect(full.code).toBe(0);
    expect(content(server.dump())).toEqual(before);
    expect((await verifyCopy(env)).check).toMatchObject({ status: "ok", detail: expect.stringContaining("each with every message") });
  });

  test("a session the server holds with fewer messages than were sent: verify says so, sync --full puts them back (found by an exploratory tester)", async () => {
    server.reset();
    const env = history();
    expect((await runCli(["sync"], { env })).code).toBe(0);
    const messagesOf = () => content(server.dump()).find((s) => s.externalId === A)?.messages ?? [];
    const before = messagesOf();
    // Two of A's rows lost there (a failed migration): the session is listed, with fewer messages.
    for (const m of server.session(A)?.messages.slice(1, 3) ?? []) server.deleteMessage(m.externalId);
    expect(messagesOf().length).toBe(2);

    const v = await verifyCopy(env);
    expect(v.code).toBe(1);
    expect(v.check).toMatchObject({ status: "fail", detail: expect.stringContaining("holds 1 session with fewer messages"), fix: expect.stringContaining("sync --full") });
    expect((await runCli(["sync", "--full"], { env })).code).toBe(0);
    expect(messagesOf()).toEqual(before);
    expect((await verifyCopy(env)).check?.status).toBe("ok");
    expect(server.violations()).toEqual([]);
  });
});
