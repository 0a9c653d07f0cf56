import { syncReport } from "./helpers/report.ts";
import { describe, expect, test } from "bun:test";
import { useTempHome } from "./helpers/cli.ts";
import { UserError } from "../src/errors.ts";
import { backgroundLine, type BackgroundStatus } from "../src/hooks/background-status.ts";
import { EventFields, requestFromEvent } from "../src/hooks/input.ts";
import { reported } from "../src/hooks/pass.ts";
import { unusableInput } from "../src/hooks/unusable-input.ts";
import type { SyncRequest } from "../src/hooks/queue.ts";
import { idleMs } from "../src/hooks/runner.ts";
import {
  BUSY_RETRY_MS,
  MAX_FOLLOWS,
  MAX_RETRY_MS,
  RETRY_FOR_MS,
  SETTLE_FOR_MS,
  SETTLE_MS,
  type PassOutcome,
  type Retry,
  afterLook,
  afterPass,
  failureText,
  isDue,
  needsPass,
  retryDelay,
  retryKind,
} from "../src/hooks/schedule.ts";
import { AuthError, TransientError } from "../src/opensync/errors.ts";
import type { SyncReport } from "../src/sync/run-sync.ts";
import { stateError } from "../src/state/db.ts";

const T = 1_700_000_000_000;
const hookRequest: SyncRequest = { sessionId: "s1", event: "Stop", at: T, transcriptPath: "/t/s1.jsonl" };
const down: PassOutcome = { kind: "failed", error: "OpenSync at x is not reachable (refused)", retry: "backoff" };

describe("retryDelay: 5 s doubling, at most 30 min", () => {
  test.each([
    [1, 5_000],
    [2, 10_000],
    [3, 20_000],
    [6, 160_000],
    [9, 1_280_000],
    [10, MAX_RETRY_MS],
    [50, MAX_RETRY_MS],
  ])("attempt %i waits %i ms", (attempts, ms) => {
    expect(retryDelay(attempts)).toBe(ms);
  });
});

describe("afterPass: a request leaves the queue only when nothing is pending", () => {
  test.each<[string, SyncRequest, PassOutcome, number, number | undefined, SyncRequest | undefined]>([
    [
      "a Stop's pass that ends past its looks: one more a second after it (it could not see what came while it sent)",
      hookRequest,
      { kind: "sent" },
      T + SETTLE_FOR_MS + 3_000,
      100,
      { ...hookRequest, since: T, attempts: 0, nextAt: T + SETTLE_FOR_MS + 3_000 + SETTLE_MS, readSize: 100, follows: 1 },
    ],
    [
      "such a look found the files grown, and its pass sent them: the next look twice as far",
      { ...hookRequest, readSize: 90, follows: 1 },
      { kind: "sent" },
      T + 8_000,
      100,
      { ...hookRequest, since: T, attempts: 0, nextAt: T + 8_000 + 2 * SETTLE_MS, readSize: 100, follows: 2 },
    ],
    ["the files grew at each of MAX_FOLLOWS looks: done", { ...hookRequest, readSize: 90, follows: MAX_FOLLOWS }, { kind: "sent" }, T + 40_000, 100, undefined],
    [
      "a tool's pass that ends late: one look a second after it (the terminal may close before the Stop)",
      { ...hookRequest, event: "PostToolUse" },
      { kind: "sent" },
      T + 3_000,
      100,
      { ...hookRequest, event: "PostToolUse", since: T, attempts: 0, nextAt: T + 3_000 + SETTLE_MS, readSize: 100, follows: 1 },
    ],
    ["a prompt's look after its late pass found the files grown: done after that pass (the turn's end follows)", { ...hookRequest, event: "UserPromptSubmit", readSize: 90, follows: 1 }, { kind: "sent" }, T + 5_000, 100, undefined],
    ["no size known (no transcript path): done", hookRequest, { kind: "sent" }, T + SETTLE_FOR_MS, undefined, undefined],
    [
      "a prompt's request (the turn's end follows): one look SETTLE_MS after the hook, not one a second",
      { ...hookRequest, event: "UserPromptSubmit" },
      { kind: "sent" },
      T + 200,
      100,
      { ...hookRequest, event: "UserPromptSubmit", since: T, attempts: 0, nextAt: T + SETTLE_MS, readSize: 100 },
    ],
    [
      "a prompt's pass at its one look: one look after it, for what was written while it sent",
      { ...hookRequest, event: "UserPromptSubmit", readSize: 90 },
      { kind: "sent" },
      T + SETTLE_MS,
      100,
      { ...hookRequest, event: "UserPromptSubmit", since: T, attempts: 0, nextAt: T + 2 * SETTLE_MS, readSize: 100, follows: 1 },
    ],
    [
      "sent before the transcript settled: another look SETTLE_MS later, with the size read",
      hookRequest,
      { kind: "sent" },
      T + 200,
      100,
      { ...hookRequest, since: T, attempts: 0, nextAt: T + 200 + SETTLE_MS, readSize: 100 },
    ],
    [
      "sent just before the transcript settled: the last look when it settles",
      hookRequest,
      { kind: "sent" },
      T + SETTLE_FOR_MS - 300,
      100,
      { ...hookRequest, since: T, attempts: 0, nextAt: T + SETTLE_FOR_MS, readSize: 100 },
    ],
    [
      "held back by the server's window: on its own timer, looked at meanwhile until the files settle",
      hookRequest,
      { kind: "deferred", readyAt: T + 11_000 },
      T + 200,
      100,
      { ...hookRequest, since: T, attempts: 0, nextAt: T + 200 + SETTLE_MS, readSize: 100, readyAt: T + 11_000 },
    ],
    [
      "held back by a pass that ends past the looks: one more a second after it, due at its time whatever the files do",
      hookRequest,
      { kind: "deferred", readyAt: T + 60_000 },
      T + SETTLE_FOR_MS,
      100,
      { ...hookRequest, since: T, attempts: 0, nextAt: T + SETTLE_FOR_MS + SETTLE_MS, readSize: 100, readyAt: T + 60_000, follows: 1 },
    ],
    [
      "held back until before the next look: a pass then",
      hookRequest,
      { kind: "deferred", readyAt: T + 900 },
      T + 200,
      100,
      { ...hookRequest, since: T, attempts: 0, nextAt: T + 900 },
    ],
    [
      "server down: first retry in 5 s, error kept",
      hookRequest,
      down,
      T + 300,
      100,
      { ...hookRequest, since: T, attempts: 1, nextAt: T + 300 + 5_000, lastError: down.error },
    ],
    [
      "down again: the delay doubles, since stays",
      { ...hookRequest, since: T - 50, attempts: 3, nextAt: T, lastError: "x" },
      down,
      T + 10,
      undefined,
      { ...hookRequest, since: T - 50, attempts: 4, nextAt: T + 10 + 40_000, lastError: down.error },
    ],
    [
      "the state is busy: soon, and it is no failed attempt",
      { ...hookRequest, attempts: 2 },
      { kind: "failed", error: "database is locked", retry: "soon" },
      T + 10,
      undefined,
      { ...hookRequest, since: T, attempts: 2, nextAt: T + 10 + BUSY_RETRY_MS, lastError: "database is locked" },
    ],
    [
      "a refused key: waits for the next hook",
      hookRequest,
      { kind: "failed", error: "OpenSync refused the API key", retry: "user" },
      T + 10,
      undefined,
      { ...hookRequest, since: T, attempts: 1, nextAt: null, lastError: "OpenSync refused the API key" },
    ],
    [
      "older than RETRY_FOR_MS: kept, no longer retried on its own",
      { ...hookRequest, attempts: 30 },
      down,
      T + RETRY_FOR_MS + 1,
      undefined,
      { ...hookRequest, since: T, attempts: 31, nextAt: null, lastError: down.error },
    ],
    [
      "served after a failure: the error and schedule go",
      { ...hookRequest, attempts: 5, nextAt: T, lastError: "x", since: T - 99 },
      { kind: "sent" },
      T + SETTLE_FOR_MS + 1,
      undefined,
      undefined,
    ],
  ])("%s", (_name, request, outcome, now, readSize, expected) => {
    expect(afterPass(request, outcome, now, readSize)).toEqual(expected);
  });
});

describe("afterLook: a look that found the files as the last pass left them", () => {
  test.each<[string, SyncRequest, number, SyncRequest | undefined]>([
    ["before the looks end: the next one", { ...hookRequest, readSize: 100 }, T + 2_000, { ...hookRequest, since: T, attempts: 0, nextAt: T + 3_000, readSize: 100 }],
    ["at the looks' end: done", { ...hookRequest, readSize: 100 }, T + SETTLE_FOR_MS, undefined],
    ["the look after a late pass: done", { ...hookRequest, readSize: 100, follows: 2 }, T + 9_000, undefined],
    ["a tool's look after its late pass: done", { ...hookRequest, event: "PostToolUse", readSize: 100, follows: 1 }, T + 4_000, undefined],
    [
      "held back, the files settled: on its own timer",
      { ...hookRequest, readSize: 100, readyAt: T + 60_000, follows: 1 },
      T + 7_000,
      { ...hookRequest, since: T, attempts: 0, nextAt: T + 60_000 },
    ],
  ])("%s", (_name, request, now, expected) => {
    expect(afterLook(request, now)).toEqual(expected);
  });
});

describe("idleMs: the runner's wait for more work", () => {
  test.each<[string | undefined, number]>([
    [undefined, 600_000],
    ["", 600_000],
    ["1500", 1_500],
    ["0", 0],
    ["-5", 0],
    ["ten minutes", 600_000],
    ["1e12", 86_400_000],
    ["Infinity", 86_400_000],
  ])("%p: %i ms", (value, ms) => {
    expect(idleMs(value)).toBe(ms);
  });
});

describe("isDue", () => {
  test.each<[string, SyncRequest, number, boolean, boolean]>([
    ["a hook's request: at once", hookRequest, T, false, true],
    ["a retry before its time", { ...hookRequest, nextAt: T + 5_000 }, T + 4_999, false, false],
    ["a retry at its time", { ...hookRequest, nextAt: T + 5_000 }, T + 5_000, false, true],
    ["waiting for a hook", { ...hookRequest, nextAt: null }, T, false, false],
    ["waiting for a hook, when a hook came or a runner starts", { ...hookRequest, nextAt: null }, T, true, true],
  ])("%s", (_name, request, now, wakeParked, due) => {
    expect(isDue(request, now, wakeParked)).toBe(due);
  });
});

describe("needsPass: the look after the transcript settled", () => {
  test.each<[string, SyncRequest, number | undefined, boolean]>([
    ["a hook's request always", hookRequest, 100, true],
    ["the transcript did not grow", { ...hookRequest, readSize: 100 }, 100, false],
    ["it grew", { ...hookRequest, readSize: 100 }, 180, true],
    ["it is gone", { ...hookRequest, readSize: 100 }, undefined, true],
  ])("%s", (_name, request, size, expected) => {
    expect(needsPass(request, size)).toBe(expected);
  });
});

describe("retryKind", () => {
  const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
  test.each<[string, unknown, Retry]>([
    ["SQLite busy", busy, "soon"],
    ["another sync holds the state", new UserError("Another sync (pid 42) is still running. Try again when it has finished.", 1, "sync-running"), "soon"],
    ["a watch holds the state", new UserError("`claude-code-sync watch` (pid 42) is still running. Try again when it has finished.", 1, "sync-running"), "soon"],
    ["SQLite's lock outlasted its wait (state/db.ts stateError)", stateError(busy, "/x/state.db"), "soon"],
    ["server out of reach", new TransientError("OpenSync at x is not reachable", 2, false), "backoff"],
    ["refused key", new AuthError("Invalid API key"), "user"],
    ["not logged in", new UserError("Not logged in. Run `claude-code-sync login`.", 2), "user"],
    ["disk full", new UserError("The disk holding x is full.", 1), "backoff"],
    ["a bug", new TypeError("x is undefined"), "backoff"],
  ])("%s", (_name, error, kind) => {
    expect(retryKind(error)).toBe(kind);
  });
});

describe("failureText: what the queue, status and log keep of a failure", () => {
  test.each<[string, unknown, string]>([
    ["the client's advice for `sync` goes", new TransientError("OpenSync at x is not reachable (refused) after 2 attempts.", 2, false, { retryNote: "Will retry on next sync." }), "OpenSync at x is not reachable (refused) after 2 attempts"],
    ["a key in an unexpected error is masked", new Error("fetch failed for osk_abcdefghijklmnopqrstuvwxyz012345"), "unexpected error: fetch failed for osk_[redacted]"],
  ])("%s", (_name, error, text) => {
    expect(failureText(error)).toBe(text);
  });
});

describe("EventFields: the hook returns once stdin holds the fields it passes on", () => {
  const id = "0f8e2b1c-7d3a-4c5e-9b6f-2a1d3c4e5f60";
  const head = `{"session_id":"${id}","transcript_path":"/p/d\\u00e9 x/s.jsonl"`;
  test.each<[string, string[], { fields: Record<string, string>; done: boolean; invalid?: boolean }]>([
    ["a whole object", [`{"session_id":"${id}"}`], { fields: { session_id: id }, done: true }],
    ["both fields, the rest still coming", [`${head},"last_assistant_message":"yyy`], { fields: { session_id: id, transcript_path: "/p/d\u00e9 x/s.jsonl" }, done: true }],
    ["a field cut between chunks", [`{"session_id":"${id.slice(0, 10)}`, `${id.slice(10)}","transcript_path":"/p/`, 's.jsonl"'], { fields: { session_id: id, transcript_path: "/p/s.jsonl" }, done: true }],
    ["an escaped quote cut between chunks", ['{"a":"x\\', '"y\\\\","session_id":"S"}'], { fields: { session_id: "S" }, done: true }],
    ["cut in the middle", ['{"session_id":"s", "tool_response": {"a": 1}'], { fields: { session_id: "s" }, done: false }],
    ["a nested key of the same name is not the event's", ['{"tool_input":{"session_id":"x","transcript_path":"/x"},"cwd":"/w"'], { fields: {}, done: false }],
    ["a value naming a key is not a key", ['{"prompt":"session_id","x":"\\"session_id\\":\\"y\\""'], { fields: {}, done: false }],
    ["non-ASCII and escapes decoded", ['{"transcript_path":"/h/\\u00fc/\u00e9 \\"q\\".jsonl"}'], { fields: { transcript_path: '/h/\u00fc/\u00e9 "q".jsonl' }, done: true }],
    ["a whole event in one chunk, as Claude Code writes it", [`${head},"hook_event_name":"Stop","stop_hook_active":false}\n`], { fields: { session_id: id, transcript_path: "/p/d\u00e9 x/s.jsonl" }, done: true }],
    ["a whole event in one chunk: nested keys of the same name are not the event's", [`{"tool_input":{"session_id":"x","transcript_path":"/x"},"session_id":"${id}"}`], { fields: { session_id: id }, done: true }],
    ["a whole event in one chunk: a field that is no string is left out", [`{"session_id":"${id}","transcript_path":7}`], { fields: { session_id: id }, done: true }],
    ["an array in one chunk is no object", [`[{"session_id":"${id}"}]`], { fields: {}, done: true, invalid: true }],
    ["no object", ["not json"], { fields: {}, done: true, invalid: true }],
    ["nothing yet", [""], { fields: {}, done: false }],
  ])("%s", (_name, chunks, expected) => {
    const event = new EventFields();
    for (const c of chunks) event.feed(new TextEncoder().encode(c));
    expect({ fields: event.fields, done: event.done, ...(event.invalid ? { invalid: true } : {}) }).toEqual(expected);
  });
});

describe("EventFields read on to the object's end (the hook drains its stdin)", () => {
  test.each<[string, string[], boolean]>([
    ["backslash runs before quotes, even and odd, one cut between chunks", ['{"session_id":"S","m":"a\\\\\\"b\\', '\\","n":{"k":"}"}}'], true],
    ["a backslash ending a chunk escapes the next chunk's quote", ['{"session_id":"S","m":"a\\', '"}', '"}'], true],
    ["a brace inside a string is no end", ['{"session_id":"S","m":"}}}"'], false],
  ])("%s", (_name, chunks, closed) => {
    const event = new EventFields();
    for (const c of chunks) event.feed(new TextEncoder().encode(c));
    expect(JSON.stringify({ fields: event.fields, closed: event.closed })).toBe(JSON.stringify({ fields: { session_id: "S" }, closed }));
  });
});

describe("unusableInput: what the hook log says of stdin that gave no request", () => {
  // It reads the user's own patterns from config.json: a temp HOME's, never the real one's (none there: the built-in rules).
  useTempHome();
  const token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
  const bytes = (text: string) => new TextEncoder().encode(text);
  // head: the first bytes the hook kept (stdin.ts keeps 1,024), length: all it read, broken: its reader found no object or no end.
  test.each<[string, string, number | undefined, boolean, string]>([
    ["an object cut short", "{not json", undefined, true, 'stdin is not JSON (9 characters, starting "{not json")'],
    ["an object whose end the reader found, but no JSON", "{not json}", undefined, false, 'stdin is not JSON (10 characters, starting "{not json}")'],
    ["no object", "not json", undefined, true, 'stdin is not JSON (8 characters, starting "not json")'],
    ["nothing", "", undefined, true, "stdin is not JSON (0 characters)"],
    ["control characters escaped, the rest cut", `{\u0000\n${"x".repeat(60)}`, undefined, true, `stdin is not JSON (63 characters, starting "{\\u0000\\n${"x".repeat(37)}"…)`],
    ["JSON without a session id", '{"session_id":"abc"}', undefined, false, "no Claude Code session id (a UUID) in the event"],
    ["more than was kept, its end found: JSON as far as can be told", '{"prompt":"', 5_000, false, "no Claude Code session id (a UUID) in the event"],
  ])("%s", (_name, text, length, broken, expected) => {
    expect(unusableInput({ head: bytes(text), length: length ?? bytes(text).length, broken })).toBe(expected);
  });

  test("a secret in it is not shown", () => {
    const said = unusableInput({ head: bytes(`{"token": "${token}"`), length: 53, broken: true });
    expect(said).toStartWith("stdin is not JSON (53 characters, starting ");
    expect(said).not.toContain(token.slice(4, 16));
  });
});

describe("requestFromEvent: what a hook passes on from Claude Code's event", () => {
  const id = "0f8e2b1c-7d3a-4c5e-9b6f-2a1d3c4e5f60";
  test.each<[string, unknown, unknown]>([
    ["a Stop event", { session_id: id, transcript_path: "/p/s1.jsonl", hook_event_name: "Stop", stop_hook_active: false }, { sessionId: id, transcriptPath: "/p/s1.jsonl" }],
    ["no transcript path", { session_id: id, cwd: "/w" }, { sessionId: id }],
    ["a transcript path that is no string is left out", { session_id: id, transcript_path: 7 }, { sessionId: id }],
    ["upper-case hex", { session_id: id.toUpperCase() }, { sessionId: id.toUpperCase() }],
    ["no session id", { transcript_path: "/p/s1.jsonl" }, undefined],
    ["an empty session id", { session_id: "" }, undefined],
    ["a session id that is no UUID (it would be written to the log)", { session_id: "ghp_token pasted by a script" }, undefined],
    ["a UUID with more around it", { session_id: `${id}x` }, undefined],
    ["a session id that is no string", { session_id: 12 }, undefined],
    ["not an object", id, undefined],
    ["null", null, undefined],
  ])("%s", (_name, event, expected) => {
    expect(requestFromEvent(event) as unknown).toEqual(expected);
  });
});

describe("backgroundLine: status says what is pending and why", () => {
  const at = (h: number, m: number, s = 0) => new Date(2025, 0, 1, h, m, s).getTime();
  const now = at(14, 5);
  const ok: BackgroundStatus = { at: at(14, 4), ok: true, message: "s1: 3 message(s)", pending: [] };
  const failing = { sessionId: "s1", since: at(14, 3), attempts: 2, nextAt: at(14, 10), lastError: "OpenSync at x is not reachable (refused)" };
  test.each<[string, BackgroundStatus, string]>([
    ["all sent", ok, "Background sync: ok, 1 minute ago"],
    ["waiting only for the server's window: ok", { ...ok, pending: [{ sessionId: "s1", since: at(14, 4), attempts: 0, nextAt: at(14, 5, 10) }] }, "Background sync: ok, 1 minute ago"],
    [
      "a session pending after a failure",
      { ...ok, ok: false, message: failing.lastError, pending: [failing] },
      "Background sync: 1 session pending since 14:03, retrying at 14:10: OpenSync at x is not reachable (refused) (log: ~/.claude-code-sync/sync.log)",
    ],
    [
      "two sessions: the earliest since and the next retry",
      { ...ok, ok: false, message: "x", pending: [failing, { ...failing, sessionId: "s2", since: at(13, 58), nextAt: at(14, 7) }] },
      "Background sync: 2 sessions pending since 13:58, retrying at 14:07: OpenSync at x is not reachable (refused) (log: ~/.claude-code-sync/sync.log)",
    ],
    [
      "waiting for the user",
      { ...ok, ok: false, message: "x", pending: [{ ...failing, nextAt: null, lastError: "OpenSync refused the API key" }] },
      "Background sync: 1 session pending since 14:03, retried with the next hook: OpenSync refused the API key (log: ~/.claude-code-sync/sync.log)",
    ],
    [
      "since another day",
      { ...ok, ok: false, message: "x", pending: [{ ...failing, since: new Date(2024, 11, 30, 9, 0).getTime() }] },
      "Background sync: 1 session pending since Dec 30 09:00, retrying at 14:10: OpenSync at x is not reachable (refused) (log: ~/.claude-code-sync/sync.log)",
    ],
    ["a server refusal, nothing pending", { ...ok, ok: false, message: "m1: too large" }, "Background sync failed 1 minute ago: m1: too large (log: ~/.claude-code-sync/sync.log)"],
  ])("%s", (_name, status, line) => {
    expect(backgroundLine(status, now)).toBe(line);
  });

  test("a failure before the last sync that went through is said as past, with the sync that followed", () => {
    const refused = { ...ok, at: at(14, 3), ok: false, message: "x", pending: [{ ...failing, nextAt: null, lastError: "OpenSync refused the API key" }] };
    expect(backgroundLine(refused, now, at(14, 4))).toBe("Background sync: failed 2 minutes ago (OpenSync refused the API key); the sync at 14:04 since went through");
    expect(backgroundLine({ ...ok, at: at(14, 3), ok: false, message: "m1: too large" }, now, at(14, 4))).toBe(
      "Background sync: failed 2 minutes ago (m1: too large); the sync at 14:04 since went through",
    );
    // A sync before the failure changes nothing; nor does one after a background run that was ok.
    expect(backgroundLine(refused, now, at(14, 2))).toContain("pending since 14:03, retried with the next hook");
    expect(backgroundLine(ok, now, at(14, 4, 30))).toBe("Background sync: ok, 1 minute ago");
  });

  test("a failure before a new login is said as past (found by an exploratory user)", () => {
    const refused = { ...ok, at: at(14, 3), ok: false, message: "x", pending: [{ ...failing, nextAt: null, lastError: "OpenSync refused the API key" }] };
    expect(backgroundLine({ ...refused, loginAt: at(14, 4) }, now)).toBe(
      "Background sync: failed 2 minutes ago (OpenSync refused the API key), before the login at 14:04; the next hook or sync uses the new login",
    );
    expect(backgroundLine({ ...ok, loginAt: at(14, 4, 30) }, now)).toBe("Background sync: ok, 1 minute ago");
  });
});

describe("reported: what a pass did for each session", () => {
  const report = (over: Partial<SyncReport> = {}) => syncReport({ sessionsRead: 1, bytesRead: 10, sessionsSent: 1, messagesSent: 2, ...over });
  const unreachable = new TransientError("OpenSync at x is not reachable (refused) after 2 attempts.", 2, false, { retryNote: "Will retry on next sync." });
  test.each<[string, SyncReport, string[], PassOutcome]>([
    ["nothing left: sent", report(), [], { kind: "sent" }],
    ["left, the server out of reach: retried with backoff", report({ stoppedBy: unreachable }), ["s1"], { kind: "failed", error: "OpenSync at x is not reachable (refused) after 2 attempts", retry: "backoff" }],
    ["left, the key refused: waits for the user", report({ stoppedBy: new AuthError("Invalid API key") }), ["s1"], {
        kind: "failed",
        error: "OpenSync refused the API key (Invalid API key). Generate a new key in the OpenSync dashboard (Settings) and run `claude-code-sync login`",
        retry: "user",
      }],
    [
      "held back by two windows: the first end",
      report({ deferred: 2, deferredSessions: [{ sessionId: "s1", readyAt: T + 11_000 }, { sessionId: "s2", readyAt: T + 1 }, { sessionId: "s1", readyAt: T + 6_000 }] }),
      ["s1", "s2"],
      { kind: "deferred", readyAt: T + 6_000 },
    ],
    ["the session refused for good (its messages stay back): nothing a retry fixes", report({ failed: [{ id: "s1", error: "HTTP 400" }] }), ["s1"], { kind: "sent" }],
    ["left for no reason given: retried", report(), ["s1"], { kind: "failed", error: "part of the session could not be sent yet", retry: "backoff" }],
  ])("%s", (_name, r, left, outcome) => {
    expect(reported("s1 (Stop)", r, new Set(left)).outcome("s1")).toEqual(outcome);
  });

  test("a session held back (only subagents' files, a response left open) is looked at again once its files are quiet", () => {
    expect(reported("s1 (SubagentStop)", report({ messagesSent: 0, sessionsSent: 0 }), new Set(), new Map([["s1", T + 60_000]])).outcome("s1")).toEqual({ kind: "deferred", readyAt: T + 60_000 });
    expect(reported("s1 (SubagentStop)", report(), new Set(), new Map([["s2", T + 60_000]])).outcome("s1")).toEqual({ kind: "sent" });
  });

  test("the log line and the status message", () => {
    const held = reported("s1 (Stop)", report({ deferredSessions: [{ sessionId: "s1", readyAt: new Date(2025, 0, 1, 14, 3, 7).getTime() }] }), new Set(["s1"]));
    expect(held).toMatchObject({ ok: true, message: "s1 (Stop): 2 message(s), 1 session update(s) sent" });
    expect(held.logLine).toBe("s1 (Stop): 2 message(s), 1 session update(s) sent; held back by the server's window until 14:03:07");
    const down = reported("s1 (Stop)", report({ messagesSent: 0, sessionsSent: 0, stoppedBy: unreachable }), new Set(["s1"]));
    expect(down).toMatchObject({ ok: false, message: "OpenSync at x is not reachable (refused) after 2 attempts" });
    expect(down.logLine).toBe("s1 (Stop): 0 message(s), 0 session update(s) sent; not everything went: OpenSync at x is not reachable (refused) after 2 attempts");
  });
});
