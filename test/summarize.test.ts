/** A session's figures from its fold and its deduplicated responses (fold/summarize.ts). */
import { describe, expect, test } from "bun:test";
import { DEFAULT_FOLD_OPTIONS, SessionFold } from "../src/fold/session-fold.ts";
import { startOf, summarize, titleOf, usageBySession } from "../src/fold/summarize.ts";
import type { UsageRecord } from "../src/fold/usage-ledger.ts";
import { loadPriceBook } from "../src/pricing/index.ts";
import { parseLine } from "../src/transcript/parse-line.ts";
import { SESSION, assistant, text, user } from "./helpers/transcript.ts";

const S = "5d0c7a1e-2b3f-4c6d-8e9f-0a1b2c3d4e5f";
const book = loadPriceBook({ priceUpdates: false });

function response(model: string, output: number, sidechain: boolean): UsageRecord {
  return { key: null, sessionId: S, sidechain, model, tokens: { input: 10, output, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 } };
}

function summaryOf(records: UsageRecord[]) {
  const usage = usageBySession(records, book).get(S);
  if (!usage) throw new Error("no usage for the session");
  return summarize({ sessionId: S }, usage, 0);
}

const modelOf = (records: UsageRecord[]) => summaryOf(records).model;

describe("the session's model", () => {
  test("is the main thread's, even where a subagent wrote more", () => {
    const records = [response("claude-opus-5", 300, false), response("claude-haiku-4-5", 5000, true), response("claude-haiku-4-5", 4000, true)];
    expect(modelOf(records)).toBe("claude-opus-5");
  });

  test("is the main-thread model that wrote most, when the user switched models", () => {
    const records = [response("claude-opus-5", 300, false), response("claude-sonnet-5", 900, false), response("claude-opus-5", 200, false)];
    expect(modelOf(records)).toBe("claude-sonnet-5");
  });

  test("of two that wrote as much, is the one that answered first, in whatever order the responses come (the sync's state returns them by key)", () => {
    const at = (r: UsageRecord, time: string): UsageRecord => ({ ...r, at: Date.parse(time) });
    const sonnet = at(response("claude-sonnet-5-20260630", 111, false), "2026-12-01T09:00:02Z");
    const opus = at(response("claude-opus-5-20260724", 111, false), "2026-12-01T09:00:03Z");
    const later = at(response("claude-opus-5-5", 111, false), "2026-12-01T09:00:04Z");
    expect([modelOf([sonnet, opus, later]), modelOf([later, opus, sonnet]), modelOf([opus, sonnet, later])]).toEqual(Array(3).fill("claude-sonnet-5-20260630"));
    // Without times (a line with none), the name decides, in either order.
    const untimed = [response("claude-sonnet-5", 50, false), response("claude-opus-5", 50, false)];
    expect([modelOf(untimed), modelOf([...untimed].reverse())]).toEqual(["claude-opus-5", "claude-opus-5"]);
  });

  test("is a subagent's when the session has no response of its own", () => {
    expect(modelOf([response("claude-haiku-4-5", 50, true), response("claude-sonnet-5", 80, true)])).toBe("claude-sonnet-5");
  });

  test("is never the local notices' <synthetic>", () => {
    expect(modelOf([response("<synthetic>", 0, false), response("claude-haiku-4-5", 50, true)])).toBe("claude-haiku-4-5");
  });

  test("is the session's other model, never a stand-in for a response whose line names none (ccusage lists none for it)", () => {
    const records: UsageRecord[] = [];
    const fold = new SessionFold(S, DEFAULT_FOLD_OPTIONS, { add: (r) => records.push(r) }, undefined);
    const noModel = assistant("msg_n", text("From a gateway."), { sessionId: S, usage: { output: 5000 } });
    delete (noModel.message as { model?: string }).model;
    for (const line of [noModel, assistant("msg_o", text("Mine."), { sessionId: S, model: "claude-opus-5", usage: { output: 300 } })]) {
      fold.add(parseLine(Buffer.from(JSON.stringify(line))).entry!, false, 0);
    }
    expect(modelOf(records)).toBe("claude-opus-5");
    expect(modelOf(records.slice(0, 1))).toBeUndefined();
  });

  test("counts every response's tokens, whichever thread wrote it", () => {
    const s = summaryOf([response("claude-opus-5", 300, false), response("claude-haiku-4-5", 5000, true)]);
    expect(s.completionTokens).toBe(5300);
    expect(s.promptTokens).toBe(20);
  });
});

describe("a session with only subagents' files (its own is gone)", () => {
  const early = [
    user("Investigate the flaky deploy", { isSidechain: true, agentId: "a1", timestamp: "2025-10-01T10:00:00.000Z" }),
    assistant("msg_e", text("Looking."), { isSidechain: true, agentId: "a1", timestamp: "2025-10-01T10:00:05.000Z" }),
  ];
  const late = [
    user("Warmup", { isSidechain: true, agentId: "a2", timestamp: "2025-10-01T10:07:00.000Z" }),
    assistant("msg_l", text("Ready."), { isSidechain: true, agentId: "a2", timestamp: "2025-10-01T10:07:02.000Z" }),
  ];

  /** The session's title and start when its files are read in this order, each in one go. */
  function foldedInOrder(files: unknown[][]) {
    const fold = new SessionFold(SESSION, DEFAULT_FOLD_OPTIONS, { add: () => {} }, () => {});
    for (const lines of files) for (const [i, line] of lines.entries()) {
      const entry = parseLine(Buffer.from(JSON.stringify(line)), { skim: false }).entry;
      if (!entry) throw new Error("fixture line did not parse");
      fold.add(entry, true, i);
    }
    return { title: titleOf(fold.meta), start: startOf(fold.meta) };
  }

  test("gets the same title and start whichever file is read first: the earliest subagent's", () => {
    const expected = { title: "[subagent] Investigate the flaky deploy", start: Date.parse("2025-10-01T10:00:00.000Z") };
    expect(foldedInOrder([early, late])).toEqual(expected);
    expect(foldedInOrder([late, early])).toEqual(expected);
  });
});
