import { syncReport } from "./helpers/report.ts";
import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { shownUrl } from "../src/config/index.ts";
import { UserError } from "../src/errors.ts";
import { AuthError, BlockedItemError, NotFoundError, ProtocolError, TlsError, TransientError, ValidationError } from "../src/opensync/errors.ts";
import { shortModel } from "../src/report/dry-run.ts";
import { failureOf, withFix } from "../src/report/failure.ts";
import { fit, formatInt, formatUsd, plural, table } from "../src/report/format.ts";
import { wrap } from "../src/report/help.ts";
import { resolveSessionId, shortId } from "../src/report/session-id.ts";
import { didYouMean, editDistance } from "../src/report/suggest.ts";
import { terminalProgress } from "../src/report/progress.ts";
import { INTERRUPTED, renderSyncSummary, syncReportJson } from "../src/report/sync-summary.ts";
import type { SyncReport } from "../src/sync/run-sync.ts";

/** The sync API's addresses as the contract gives them (hosted, self-hosted). */
const ADDRESSES =
  "https://api.opensync.dev for hosted OpenSync, or your own deployment's https://<name>.convex.site (its https://<name>.convex.cloud address is taken too, and turned into that)";

test("formatInt groups digits as en-US does, rounding first", () => {
  for (const n of [0, 7, 999, 1000, 1880, 12345.6, 999_999.5, 1_234_567, -1234, -999, 2 ** 53 - 1]) {
    expect(formatInt(n)).toBe(Math.round(n).toLocaleString("en-US"));
  }
});

test("formatUsd rounds the decimal cost half up to the cent, as a person would", () => {
  // 1.005 and 2.675 are stored just under their decimal value: toFixed(2) alone shows $1.00 and $2.67.
  const cases: [number, string][] = [[0, "$0.00"], [0.004999, "$0.00"], [0.005, "$0.01"], [1.005, "$1.01"], [2.675, "$2.68"], [1.0049999, "$1.00"], [24.56909385, "$24.57"], [1234.5, "$1234.50"]];
  for (const [usd, shown] of cases) expect([usd, formatUsd(usd)]).toEqual([usd, shown]);
});

describe("plural", () => {
  test.each([
    [0, "session", undefined, "0 sessions"],
    [1, "session", undefined, "1 session"],
    [2, "session update", undefined, "2 session updates"],
    [1880, "message", undefined, "1,880 messages"],
    [3, "entry", "entries", "3 entries"],
  ] as const)("%p %s", (n, one, many, expected) => {
    expect(plural(n, one, many)).toBe(expected);
  });
});

describe("fit", () => {
  test.each([
    ["short", 10, "short"],
    ["exactly10!", 10, "exactly10!"],
    ["a longer title", 8, "a longe…"],
    ["日本語のタイトル", 7, "日本語…"], // two columns each: 3 of them and the ellipsis
    ["fix 🐛 now", 7, "fix 🐛…"],
    ["fix 🐛 now", 6, "fix …"], // the emoji does not fit beside the ellipsis
    ["👨‍👩‍👧 family", 3, "👨‍👩‍👧…"], // one grapheme, never split
  ])("%p in %p columns", (text, width, expected) => {
    expect(fit(text, width)).toBe(expected);
    expect(Bun.stringWidth(fit(text, width))).toBeLessThanOrEqual(width);
  });
});

describe("table", () => {
  const columns = [{ header: "Id" }, { header: "Title", min: 5 }, { header: "Project", min: 4 }, { header: "N", numeric: true }];
  const rows = [
    ["aaaa", "A title much too long for the room", "project-alpha", "1,234"],
    ["bbbb", "日本語のタイトルです", "p", "7"],
  ];
  test.each([24, 30, 40, 80])("fits %p columns when the shrinkable columns allow it", (width) => {
    const lines = table(columns, rows, width).split("\n");
    expect(Math.max(...lines.map((l) => Bun.stringWidth(l)))).toBeLessThanOrEqual(width);
    expect(lines.map((l) => l.slice(0, 4))).toEqual(["Id  ", "aaaa", "bbbb"]); // the id column never shrinks
    expect(lines[1]).toEndWith("1,234");
    expect(lines[2]).toEndWith("    7");
  });
  test("the widest column gives up room first; none goes below its minimum", () => {
    // 62 columns wide: Title (34) shrinks to Project's 13, then the two take turns.
    expect(table(columns, rows, 30)).toBe(["Id    Title    Project       N", "aaaa  A titl…  project…  1,234", "bbbb  日本語…  p             7"].join("\n"));
    expect(table(columns, rows, 10).split("\n")[0]).toBe("Id    Title  Pro…      N");
  });
  test("too wide with every column at its minimum: droppable columns go, lowest first", () => {
    const droppable = [{ header: "Id" }, { header: "Title", min: 5 }, { header: "Project", min: 4, drop: 1 }, { header: "N", numeric: true, drop: 2 }];
    // At their minimum: 4 + 5 + 4 + 5 and three gaps, 24.
    expect(table(droppable, rows, 24).split("\n")[0]).toBe("Id    Title  Pro…      N");
    // One less: Project goes, and Title has 23 - 4 - 5 - 4 = 10 again.
    expect(table(droppable, rows, 23)).toBe(["Id    Title           N", "aaaa  A title m…  1,234", "bbbb  日本語の…       7"].join("\n"));
    // 4 + 5 + 5 and two gaps is 18: N goes too, and Title has 13 - 4 - 2 = 7.
    expect(table(droppable, rows, 13)).toBe(["Id    Title", "aaaa  A titl…", "bbbb  日本語…"].join("\n"));
    // Nothing left to drop: as narrow as it goes.
    expect(table(droppable, rows, 5)).toBe(["Id    Title", "aaaa  A ti…", "bbbb  日本…"].join("\n"));
  });

  test("line breaks and tabs in a cell do not break the row", () => {
    expect(table([{ header: "T" }], [["two\nlines\there"]], 80)).toBe("T\ntwo lines here");
  });
});

describe("editDistance and didYouMean", () => {
  test.each([
    ["status", "status", 0],
    ["stauts", "status", 1],
    ["dryrun", "dry-run", 1],
    ["sync", "setup", 4],
  ])("%p to %p: %p", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
  const commands = ["login", "logout", "status", "sync", "setup", "verify", "synctest", "config", "set", "watch"];
  const flags = ["--dry-run", "--redactions", "--full", "--session", "--json", "--insecure", "--verbose", "--version", "--help"];
  test.each([
    ["stauts", commands, ["status"]],
    ["snyc", commands, ["sync"]],
    ["logni", commands, ["login"]],
    ["frobnicate", commands, []],
    ["--dryrun", flags, ["--dry-run"]],
    ["--Json", flags, ["--json"]],
    ["-V", flags, ["--verbose", "--version"]],
    ["-x", flags, []],
    ["--sesion", flags, ["--session"]],
    ["--key", ["--url", "--api-key", "--api-key-stdin", "--insecure"], ["--api-key", "--api-key-stdin"]],
    ["--run", flags, ["--dry-run"]],
    ["--on", flags, []],
  ] as const)("%p", (typed, known, expected) => {
    expect(didYouMean(typed, known)).toEqual([...expected]);
  });
});

describe("session ids", () => {
  const A = "3f2a9c1d-1111-4111-8111-111111111111";
  const B = "3f2a9c1d-2222-4222-8222-222222222222";
  const C = "77aa0000-3333-4333-8333-333333333333";
  test.each([
    [A, "3f2a9c1d"],
    [`${A}:u-0001-aaaa-bbbb`, "3f2a9c1d:u-0001-a"],
    ["short", "short"],
  ])("shortId(%p) = %p", (id, short) => {
    expect(shortId(id)).toBe(short);
  });
  test.each([
    ["77", C],
    ["77AA", C],
    ["3f2a9c1d-1", A],
    [A, A],
  ])("%p names one session", (given, id) => {
    expect(resolveSessionId(given, [A, B, C, A], "here")).toBe(id);
  });
  test("no match and an ambiguous start are usage errors that say what to do", () => {
    const attempt = (given: string) => {
      try {
        resolveSessionId(given, [A, B, C], "~/.claude/projects");
      } catch (error) {
        return error as UserError;
      }
      throw new Error("no error");
    };
    expect(attempt("9")).toMatchObject({ exitCode: 2, code: "session-not-found", message: expect.stringContaining("No session 9 in ~/.claude/projects") });
    expect(attempt("3f2a")).toMatchObject({ exitCode: 2, code: "session-ambiguous", message: `"3f2a" is the start of 2 session ids; give more of it:\n  ${A}\n  ${B}` });
    expect(attempt(" ")).toMatchObject({ exitCode: 2, code: "usage" });
  });
  test("an id that is also the start of another is that one", () => {
    expect(resolveSessionId("abc", ["abc", "abcd"], "here")).toBe("abc");
  });
});

describe("shownUrl", () => {
  test.each([
    ["https://x.convex.site", "https://x.convex.site"],
    ["https://alice:pw@x.convex.site/", "https://…@x.convex.site/"],
    ["https://alice:p@ss/w0rd@x.convex.site", "https://…@x.convex.site"],
    ["alice:pw@x.convex.site", "…@x.convex.site"],
    ["https://x.convex.site/?key=osk_abcdefghijklmnopqrstuvwxyz012345", "https://x.convex.site/?key=osk_ab…2345"],
  ])("%p is shown as %p", (url, shown) => {
    expect(shownUrl(url)).toBe(shown);
  });
});

describe("failureOf", () => {
  const origin = { url: "https://x.convex.site", source: { convexUrl: "CLAUDE_CODE_SYNC_URL", apiKey: "config" } };
  test.each([
    [new AuthError("Invalid API key"), "auth-refused", 2],
    [new NotFoundError("https://x.convex.site/health", "No route"), "url-not-found", 2],
    [new ProtocolError("https://x.convex.site/health", 200, "<html>"), "not-opensync", 2],
    [new ProtocolError("https://x.convex.site/sync/message", 413, "413 Request Entity Too Large", "too-large"), "not-opensync", 1],
    [new BlockedItemError(new ProtocolError("https://x.convex.site/sync/message", 403, "Attention Required!", "page"), "s1:u1"), "item-blocked", 1],
    [new TlsError("x.convex.site", "certificate has expired"), "tls-failed", 1],
    [new TransientError("OpenSync at x is not reachable (ECONNREFUSED) after 4 attempts.", 4, false, { retryNote: "Will retry on next sync." }), "server-unreachable", 1],
    [new ValidationError("POST /sync/message", 413, "too big"), "payload-refused", 1],
    [new UserError("Not logged in.", 2, "not-logged-in"), "not-logged-in", 2],
    [new UserError("Config broken."), "config-error", 2],
    [new UserError("Disk full.", 1), "failed", 1],
  ] as const)("%p", (error, code, exitCode) => {
    expect(failureOf(error)).toMatchObject({ code, exitCode, message: error.message });
    expect(failureOf(error, origin)).toMatchObject({ code, exitCode });
  });
  test("a proxy's size limit and a blocked item say so, and send no one to log in again", () => {
    const tooLarge = failureOf(new ProtocolError("https://x.convex.site/sync/message", 413, "413 Request Entity Too Large", "too-large"), origin).message;
    expect(tooLarge).toContain("refused a request as too large");
    expect(tooLarge).toContain("raise that proxy's limit");
    const blocked = failureOf(new BlockedItemError(new ProtocolError("https://x.convex.site/sync/message", 403, "Attention Required!", "page"), "s1:u1"), origin).message;
    expect(blocked).toContain("Sending s1:u1, x.convex.site answered HTTP 403 with a web page (Attention Required!), while other requests went through");
    expect(blocked).toContain("it stays pending");
    for (const message of [tooLarge, blocked]) expect(message).not.toContain("login");
  });

  test("with where the credentials came from, the fix names it", () => {
    expect(failureOf(new AuthError("Invalid API key"), origin).message).toBe(
      "The server refused the API key (Invalid API key). Fix: claude-code-sync login (with the current key from the OpenSync dashboard: Settings → API key).",
    );
    expect(failureOf(new NotFoundError("https://x.convex.site/health", "No route"), origin).message).toEndWith(
      `Fix: set $CLAUDE_CODE_SYNC_URL to the sync API's address, or unset it and run claude-code-sync login; the address is ${ADDRESSES}.`,
    );
    const fromEnv = { ...origin, source: { convexUrl: "config", apiKey: "CLAUDE_CODE_SYNC_API_KEY" } };
    expect(withFix(new AuthError("Invalid API key"), fromEnv)).toMatchObject({ code: "auth-refused", exitCode: 2, message: expect.stringContaining("set $CLAUDE_CODE_SYNC_API_KEY") });
  });
  // A slow link was sent to check the network and the URL only, though more time per request would do.
  test("a request given up on for its timeout names the setting that gives it more time; a refused connection does not", () => {
    const timedOut = new TransientError("POST /sync/message to x.convex.site failed (no answer within 15 s)", 4, true, { reason: "no answer within 15 s" });
    expect(failureOf(timedOut, origin).message).toEndWith(
      "Fix: check your network, that the server is running, and the URL (https://x.convex.site); on a slow network or server, give each request longer with CLAUDE_CODE_SYNC_TIMEOUT_MS (milliseconds).",
    );
    const refused = new TransientError("GET /health to x.convex.site failed (cannot connect to x.convex.site (ECONNREFUSED))", 1, false, { reason: "cannot connect to x.convex.site (ECONNREFUSED)", kind: "server-down" });
    expect(failureOf(refused, origin).message).not.toContain("CLAUDE_CODE_SYNC_TIMEOUT_MS");
  });

  test("bugs are not turned into messages", () => {
    expect(() => failureOf(new TypeError("x is undefined"))).toThrow("x is undefined");
    const bug = new RangeError("bad");
    expect(withFix(bug, origin)).toBe(bug);
  });
});

describe("sync summary", () => {
  const report = (over: Partial<SyncReport> = {}) => syncReport({ sessionsRead: 1, bytesRead: 10, sessionsSent: 1, messagesSent: 1, ...over });
  test("real plurals, short ids unless verbose", () => {
    const r = report({ failed: [{ id: "3f2a9c1d-1111-4111-8111-111111111111:u-0001-abcdef", error: "too big" }], pendingSessions: 1, pendingMessages: 2 });
    expect(renderSyncSummary(r, false)).toBe(
      [
        "Synced 1 session update and 1 message (read 1 changed session).",
        "Pending: 1 session, 2 messages; the next `claude-code-sync sync` sends them.",
        "Failed: 3f2a9c1d:u-0001-a: too big",
      ].join("\n"),
    );
    expect(renderSyncSummary(r, true)).toContain("Failed: 3f2a9c1d-1111-4111-8111-111111111111:u-0001-abcdef: too big");
  });
  test("sessions a stopped run did not read are said apart from what is pending, and are work left", () => {
    const r = report({ pendingSessions: 3, pendingMessages: 61, sessionsUnread: 42 });
    expect(renderSyncSummary(r, false)).toBe(
      [
        "Synced 1 session update and 1 message (read 1 changed session).",
        "Pending: 3 sessions, 61 messages; the next `claude-code-sync sync` sends them.",
        "Not read yet: 42 sessions with new lines; the next `claude-code-sync sync` reads and sends them.",
      ].join("\n"),
    );
    const onlyUnread = report({ sessionsUnread: 1 });
    expect(renderSyncSummary(onlyUnread, false)).toContain("Not read yet: 1 session with new lines; the next `claude-code-sync sync` reads and sends it.");
    expect(syncReportJson(onlyUnread, undefined)).toMatchObject({ ok: false, code: "pending", sessionsUnread: 1 });
  });
  test("writes given up on before an answer: the line says nothing is lost, when they go again and by what, and is no work left", () => {
    const r = report({ unsureWrites: [{ sessionId: "3f2a9c1d-1111-4111-8111-111111111111", readyAt: 0 }] });
    expect(renderSyncSummary(r, false)).toBe(
      [
        "Synced 1 session update and 1 message (read 1 changed session).",
        "Not confirmed: 1 session had writes given up on before an answer, which the server may still apply; nothing is lost: once they are over (two request timeouts: 30 s by default) the next sync sends it again (a hook's or `watch`'s, or run `claude-code-sync sync` then).",
      ].join("\n"),
    );
    expect(syncReportJson(r, undefined)).toMatchObject({ ok: true, unconfirmed: 1 });
  });
  test("an item a firewall blocks: the pending line does not promise the next sync sends it (found by an exploratory user)", () => {
    const blocked = new BlockedItemError(new ProtocolError("https://x.convex.site/sync/message", 403, "Attention Required!", "page"), "s1:u1");
    expect(renderSyncSummary(report({ pendingSessions: 1, pendingMessages: 1, unsent: 1, unsentError: blocked }), false)).toContain(
      "Pending: 1 session, 1 message; the next sync tries them again, and sends the blocked item once it is let through.",
    );
    expect(renderSyncSummary(report({ pendingSessions: 1, pendingMessages: 1 }), false)).toContain("Pending: 1 session, 1 message; the next `claude-code-sync sync` sends them.");
  });
  test("a run stopped by what only the user can fix: the pending line does not promise the next sync sends them (found by an exploratory tester)", () => {
    const line = (stoppedBy: SyncReport["stoppedBy"]) => renderSyncSummary(report({ pendingSessions: 7, pendingMessages: 301, stoppedBy }), false).split("\n")[1];
    expect(line(new AuthError("Invalid API key"))).toBe("Pending: 7 sessions, 301 messages; the next `claude-code-sync sync` sends them once the problem below is fixed.");
    expect(line(new TransientError("OpenSync at x is not reachable", 4, false))).toBe("Pending: 7 sessions, 301 messages; the next `claude-code-sync sync` sends them.");
  });

  test("sessions still being written are said, and are no failure", () => {
    const r = report({ beingWritten: 2 });
    expect(renderSyncSummary(r, false)).toBe(
      [
        "Synced 1 session update and 1 message (read 1 changed session).",
        "2 sessions are still being written: the last response goes once it is complete (the next sync, or the Stop hook), and a session only its subagents have written to so far once its own transcript appears or its files have been quiet for a minute.",
      ].join("\n"),
    );
    expect(renderSyncSummary(report({ beingWritten: 1 }), false)).toContain("1 session is still being written");
    expect(syncReportJson(r, undefined)).toMatchObject({ ok: true, beingWritten: 2 });
    expect(renderSyncSummary(report(), false)).not.toContain("being written");
  });
  test("items refused before this run are said, with what sends them; this run's refusals are listed, not counted twice", () => {
    const quiet = report({ sessionsSent: 0, messagesSent: 0, refused: 2 });
    expect(renderSyncSummary(quiet, false)).toBe(
      [
        "Synced 0 session updates and 0 messages (read 1 changed session).",
        "2 items the server refused earlier wait for a change, or `claude-code-sync sync --retry-failed` (`claude-code-sync status` lists them).",
      ].join("\n"),
    );
    expect(syncReportJson(quiet, undefined)).toMatchObject({ ok: true, refused: 2 });
    const now = report({ failed: [{ id: "m", error: "too big" }], refused: 2 });
    expect(renderSyncSummary(now, false)).toContain("1 item the server refused earlier waits for a change");
    expect(renderSyncSummary(report({ failed: [{ id: "m", error: "too big" }], refused: 1 }), false)).not.toContain("earlier");
  });
  test.each([
    [report(), undefined, { ok: true }],
    [report({ pendingMessages: 3, pendingSessions: 1 }), INTERRUPTED, { ok: false, code: "interrupted" }],
    [report({ failed: [{ id: "m", error: "too big" }] }), undefined, { ok: false, code: "items-refused" }],
    [report({ pendingMessages: 1, pendingSessions: 1 }), undefined, { ok: false, code: "pending" }],
  ] as const)("JSON: %#", (r, stop, expected) => {
    const json = syncReportJson(r, stop);
    expect(json).toMatchObject(expected);
    expect("code" in json).toBe(!json.ok);
  });
});

describe("help", () => {
  test.each([
    ["", 10, []],
    ["one two three", 7, ["one two", "three"]],
    ["a-very-long-word here", 5, ["a-very-long-word", "here"]],
  ] as const)("wrap(%p, %p)", (text, width, lines) => {
    expect(wrap(text, width)).toEqual([...lines]);
  });
  test.each([
    ["claude-sonnet-4-5-20250929", "sonnet-4-5"],
    ["claude-opus-4-1", "opus-4-1"],
    ["gpt-5", "gpt-5"],
  ])("shortModel(%p) = %p", (model, short) => {
    expect(shortModel(model)).toBe(short);
  });
});

describe("sync's progress bar", () => {
  test.each([0, undefined])("on a terminal that reports %p columns, the bar is drawn whole (stty cols 0 drew it one character per line)", async (columns) => {
    let out = "";
    const terminal = Object.assign(new Writable({ write: (chunk, _, done) => ((out += String(chunk)), done()) }), { isTTY: true, columns, rows: 24 });
    const progress = await terminalProgress(terminal as unknown as NodeJS.WriteStream);
    progress.reading(1024 * 1024, 4 * 1024 * 1024);
    // clack draws its frames on a timer: the first one is awaited, whenever it comes.
    while (!/[◒◐◓◑]/.test(out)) await Bun.sleep(10);
    progress.stop();
    expect(out).toContain(`◒  ${"━".repeat(40)} Reading transcripts`);
  });
});
