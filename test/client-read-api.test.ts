import { afterAll, beforeAll, expect, test } from "bun:test";
import { createClient } from "../src/opensync/client.ts";
import { ValidationError } from "../src/opensync/errors.ts";
import { MAX_LIST_LIMIT } from "../src/opensync/read-api.ts";
import { startTestServer, type TestServer } from "../testserver/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const client = () => createClient({ url: server.url, apiKey: server.apiKey, sleep: async () => {} });
const t0 = Date.now() - 600_000;

test("listServerSessions and getServerSession read back what was sent, with the server's ids", async () => {
  server.reset();
  const c = client();
  const { sessionId } = await c.upsertSession({ externalId: "s1", source: "claude-code", promptTokens: 10, completionTokens: 5, cost: 0.5, createdAt: t0 });
  await c.upsertMessage({ sessionExternalId: "s1", externalId: "s1:u1", role: "user", textContent: "hi", parts: [{ type: "text", content: "hi" }], createdAt: t0 + 1 });
  await c.upsertMessage({ sessionExternalId: "s1", externalId: "s1:a1", role: "assistant", parts: [], createdAt: t0 + 2 });

  const list = await c.listServerSessions({ limit: 10 });
  expect(list).toEqual([
    expect.objectContaining({ id: sessionId, externalId: "s1", messageCount: 2, promptTokens: 10, completionTokens: 5, cost: 0.5, createdAt: t0 }),
  ]);
  expect(list[0]!.updatedAt).toBeNumber();
  expect(server.requests().at(-1)).toMatchObject({ method: "GET", path: "/api/sessions" });

  const detail = await c.getServerSession(sessionId);
  expect(detail?.session).toMatchObject({ id: sessionId, externalId: "s1" });
  expect(detail?.messages.map((m) => [m.externalId, m.role, m.textContent, m.createdAt, m.parts])).toEqual([
    ["s1:u1", "user", "hi", t0 + 1, [{ type: "text", content: "hi" }]],
    ["s1:a1", "assistant", undefined, t0 + 2, []],
  ]);
  expect(server.violations()).toEqual([]);
});

test("a session the server does not have is null; an id that is not the server's is refused", async () => {
  const c = client();
  expect(await c.getServerSession("a".repeat(32))).toBeNull();
  const e = await c.getServerSession("s1").catch((x) => x);
  expect(e).toBeInstanceOf(ValidationError);
  expect(e.message).toContain("Value does not match validator");
});

test.each([0, -1, 1.5, MAX_LIST_LIMIT + 1, Number.NaN])("limit %p is refused before anything is sent", async (limit) => {
  server.reset();
  const outcome = await client().once.listServerSessions({ limit });
  expect(outcome).toMatchObject({ ok: false, kind: "refused", latencyMs: 0 });
  expect(server.requests()).toEqual([]);
});

test("fields the server adds later are ignored, not refused", async () => {
  const session = { id: "k1", externalId: "s1", promptTokens: 0, completionTokens: 0, cost: 0, messageCount: 0, createdAt: 1, updatedAt: 2 };
  const fake = (async () => Response.json({ sessions: [{ ...session, evalStatus: "golden", newThing: { x: 1 } }], cursor: null })) as unknown as typeof fetch;
  const sessions = await createClient({ url: "https://sync.example.com", apiKey: server.apiKey, fetch: fake }).listServerSessions({ limit: 1 });
  expect(sessions).toEqual([session]);
});
