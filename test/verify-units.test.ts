import { describe, expect, test } from "bun:test";
import { AuthError, NotFoundError, TransientError } from "../src/opensync/errors.ts";
import { MessagePayloadSchema, SessionPayloadSchema } from "../src/opensync/payload.ts";
import type { Check, CheckStatus } from "../src/verify/checks.ts";
import { isExecutable } from "../src/verify/executable.ts";
import { checksJson, renderChecks, verifyExitCode } from "../src/verify/render.ts";
import { TEST_TITLE, testSession } from "../src/verify/round-trip.ts";
import { explainServerError } from "../src/verify/server.ts";

/** The sync API's addresses as the contract gives them (hosted, self-hosted). */
const ADDRESSES =
  "https://api.opensync.dev for hosted OpenSync, or your own deployment's https://<name>.convex.site (its https://<name>.convex.cloud address is taken too, and turned into that)";

test("isExecutable: this runtime is, a folder and a missing path are not", () => {
  expect(isExecutable(process.execPath)).toBe(true);
  expect(isExecutable(import.meta.dir)).toBe(false);
  expect(isExecutable("/no/such/program")).toBe(false);
});

describe("explainServerError", () => {
  const url = "https://x.convex.site";
  test("a refused key: login, or the variable it came from", () => {
    expect(explainServerError(new AuthError("Invalid API key"), url, "config")).toMatchObject({ exitCode: 2, fix: expect.stringMatching(/^claude-code-sync login/) });
    expect(explainServerError(new AuthError("Invalid API key"), url, "CLAUDE_SYNC_API_KEY").fix).toContain("$CLAUDE_SYNC_API_KEY");
  });
  test("a wrong URL: login, or the variable it came from", () => {
    const notFound = new NotFoundError(`${url}/health`, "No HttpAction routed");
    // Hosted OpenSync's address as well as a self-hosted one's, as the contract gives them.
    expect(explainServerError(notFound, url, "config")).toMatchObject({ exitCode: 2, fix: `claude-code-sync login with the sync API's address: ${ADDRESSES}` });
    expect(explainServerError(notFound, url, "config", "CLAUDE_SYNC_CONVEX_URL").fix).toBe(`set $CLAUDE_SYNC_CONVEX_URL to the sync API's address, or unset it and run claude-code-sync login; the address is ${ADDRESSES}`);
  });
  test("an unreachable server", () => {
    const down = explainServerError(new TransientError("OpenSync at x is not reachable (ECONNREFUSED) after 2 attempts.", 2, false, { retryNote: "Will retry on next sync." }), url, "config");
    expect(down).toMatchObject({ exitCode: 1, problem: "OpenSync at x is not reachable (ECONNREFUSED) after 2 attempts" });
  });
  test("a server that asks to slow down: run again later, not a network problem", () => {
    const limited = new TransientError("OpenSync at x asks to slow down (HTTP 429, retry after 600 s) after 1 attempt.", 1, false, { kind: "rate-limited", retryNote: "Will retry on next sync." });
    expect(explainServerError(limited, url, "config")).toMatchObject({ exitCode: 1, fix: expect.stringContaining("try again in a few minutes") });
    // When the server said how long, the fix says that, not "a few minutes".
    const asked = new TransientError("HTTP 429, retry after 600 s", 1, false, { kind: "rate-limited", retryAfterMs: 600_000 });
    expect(explainServerError(asked, url, "config").fix).toStartWith("try again in 10 minutes, as OpenSync asked");
  });
  test("a server that answers with an error of its own: not the network or the URL", () => {
    for (const reason of ["HTTP 500", "server error: Function execution timed out"]) {
      const failing = explainServerError(new TransientError(`POST /sync/message to x failed (${reason})`, 1, true), url, "config");
      expect(failing.exitCode).toBe(1);
      expect(failing.fix).toContain("the server is up but failing");
      expect(failing.fix).not.toContain("network");
    }
  });
  test("anything else is not explained away", () => {
    expect(() => explainServerError(new TypeError("bug"), url, "config")).toThrow("bug");
  });
});

describe("renderChecks", () => {
  const checks: Check[] = [
    { id: "config", name: "Config file", status: "ok", detail: "fine" },
    { id: "hooks", name: "Claude Code hooks", status: "fail", detail: "none registered", fix: "claude-code-sync setup" },
    { id: "state", name: "Sync state", status: "skip", detail: "needs credentials" },
  ];
  test("a mark per check, the fix under each failure, the verdict last", () => {
    expect(renderChecks(checks)).toBe(
      [
        "✓ Config file        fine",
        "✗ Claude Code hooks  none registered",
        "                     fix: claude-code-sync setup",
        "- Sync state         needs credentials",
        "",
        "1 check failed; run the fix shown under each, then claude-code-sync verify again.",
      ].join("\n"),
    );
    expect(checksJson(checks).ok).toBe(false);
    expect(checksJson([checks[0]!, checks[2]!]).ok).toBe(true);
  });
});

describe("verifyExitCode: the worst failure's, as sync gives for the same problem; warnings fail nothing", () => {
  const check = (status: CheckStatus, exitCode?: 1 | 2): Check => ({ id: "hooks", name: "n", status, detail: "d", ...(exitCode ? { exitCode } : {}) });
  test.each([
    ["all ok", [check("ok"), check("skip")], 0],
    ["a warning only (a new install without hooks)", [check("ok"), check("warn")], 0],
    ["work left", [check("warn"), check("fail", 1)], 1],
    ["something to change wins over work left", [check("fail", 1), check("fail", 2)], 2],
  ] as const)("%s", (_name, checks, code) => {
    expect(verifyExitCode([...checks])).toBe(code);
  });
  test("JSON: a warning leaves ok true; the exit code is not part of a check", () => {
    const json = checksJson([check("warn"), check("fail", 2)]);
    expect(json.ok).toBe(false);
    expect(json.checks[1]).toEqual({ id: "hooks", name: "n", status: "fail", detail: "d" });
    expect(checksJson([check("warn")]).ok).toBe(true);
  });
});

describe("testSession", () => {
  test("payloads the server takes, named as a test, timestamps in the past", () => {
    const now = 1_767_225_600_000;
    const { session, messages } = testSession(now);
    expect(SessionPayloadSchema.parse(session)).toMatchObject({ externalId: `claude-code-sync-test-${now}`, title: TEST_TITLE, source: "claude-code" });
    expect(messages.map((m) => MessagePayloadSchema.parse(m).role)).toEqual(["user", "assistant"]);
    for (const m of [session, ...messages]) expect(m.createdAt!).toBeLessThan(now);
  });
});
