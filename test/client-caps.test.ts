import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createClient } from "../src/opensync/client.ts";
import { AnswerTooLargeError, ProtocolError, TransientError } from "../src/opensync/errors.ts";
import { errorOf } from "./helpers/outcome.ts";

/**
 * Answers are read up to a cap, then the connection is dropped: a server
 * streaming 100 MB is cut off after about the cap. The server counts what it
 * handed to the socket; the rest it never produces, because the client stops
 * pulling. Bounded by the cap plus socket buffers, far below the 100 MB.
 */

const KEY = "osk_abcdefghijklmnopqrstuvwxyz012345";
const MiB = 1024 * 1024;
const TOTAL = 100 * MiB;
const CHUNK = new Uint8Array(64 * 1024).fill("a".charCodeAt(0));
/** 5 MiB of text in about 5 kB: its Content-Length is far within the cap, what it holds is not. */
const GZIP_BOMB = Bun.gzipSync(Buffer.from("x".repeat(5 * MiB)));

let server: ReturnType<typeof Bun.serve>;
/** Per request path: bytes handed to the response stream, and whether the client cancelled it. */
const streams = new Map<string, { sent: number; cancelled: boolean }>();

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/fixed/health") return new Response("x".repeat(5 * MiB), { headers: { "Content-Type": "application/json" } });
      if (path === "/gzip/health") return new Response(GZIP_BOMB, { headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" } });
      const status = path.startsWith("/error") ? 500 : 200;
      const record = { sent: 0, cancelled: false };
      streams.set(path.replace(/^\/(error|ok)/, ""), record);
      // A JSON array that never ends within the cap.
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (record.sent >= TOTAL) return controller.close();
          record.sent += CHUNK.byteLength;
          controller.enqueue(CHUNK);
        },
        cancel() {
          record.cancelled = true;
        },
      });
      return new Response(stream, { status, headers: { "Content-Type": "application/json" } });
    },
  });
});
afterAll(() => server.stop(true));

const base = (prefix: string) => `http://127.0.0.1:${server.port}${prefix}`;

/** Waits (bounded) until the server saw the client cancel the stream. */
async function cancelled(path: string): Promise<{ sent: number; cancelled: boolean }> {
  for (let i = 0; i < 200 && !streams.get(path)?.cancelled; i++) await Bun.sleep(10);
  return streams.get(path)!;
}

describe("a 100 MB answer", () => {
  test("to /health (1 MiB cap): not OpenSync's answer, and the stream is cut off near the cap", async () => {
    const outcome = await createClient({ url: base("/ok"), apiKey: KEY }).once.health();
    expect(outcome).toMatchObject({ ok: false, kind: "not-opensync" });
    expect(errorOf<ProtocolError>(outcome).message).toContain(`more than ${MiB} bytes`);
    const s = await cancelled("/health");
    expect(s.cancelled).toBe(true);
    expect(s.sent).toBeLessThan(32 * MiB);
  });

  test("to a read (cap lowered to 2 MiB here): refused for good, not a wrong server", async () => {
    const c = createClient({ url: base("/ok"), apiKey: KEY, capBytes: { read: 2 * MiB } });
    const outcome = await c.once.listServerSessions({ limit: 10 });
    expect(outcome).toMatchObject({ ok: false, kind: "refused" });
    const error = errorOf<AnswerTooLargeError>(outcome);
    expect(error).toBeInstanceOf(AnswerTooLargeError);
    expect(error.message).toBe("The answer to GET /api/sessions is larger than 2 MiB; it was not read.");
    const s = await cancelled("/api/sessions");
    expect(s.cancelled).toBe(true);
    expect(s.sent).toBeLessThan(32 * MiB);
  });

  test("with an error status: classified from what was read, the rest dropped", async () => {
    const outcome = await createClient({ url: base("/error"), apiKey: KEY }).once.upsertSession({ externalId: "s1" });
    expect(outcome).toMatchObject({ ok: false, kind: "transient-maybe-applied", status: 500 });
    expect(errorOf<TransientError>(outcome).message.length).toBeLessThan(1000);
    const s = await cancelled("/sync/session");
    expect(s.cancelled).toBe(true);
    expect(s.sent).toBeLessThan(32 * MiB);
  });
});

test("a declared Content-Length over the cap is not read at all", async () => {
  const outcome = await createClient({ url: base("/fixed"), apiKey: KEY }).once.health();
  expect(outcome).toMatchObject({ ok: false, kind: "not-opensync" });
  expect(errorOf<ProtocolError>(outcome).detail).toBe(`more than ${MiB} bytes`);
});

test("a compressed answer whose Content-Length is within the cap is still cut at the cap, counted decompressed", async () => {
  const outcome = await createClient({ url: base("/gzip"), apiKey: KEY }).once.health();
  expect(outcome).toMatchObject({ ok: false, kind: "not-opensync" });
  expect(errorOf<ProtocolError>(outcome).detail).toBe(`more than ${MiB} bytes`);
});
