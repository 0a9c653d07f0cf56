/**
 * What the fold makes of recent Claude Code (2.1.100 to 2.1.290) transcripts:
 * hand-written fixtures in test/fixtures/recent/ (their sources in its
 * README), each with expectations worked out by hand from the lines.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { agentIdOf, agentMeta } from "../src/discover/agent-meta.ts";
import { DEFAULT_FOLD_OPTIONS, type FoldSnapshot, type FoldedMessage, SessionFold } from "../src/fold/session-fold.ts";
import { startOf, titleOf } from "../src/fold/summarize.ts";
import { type UsageRecord, UsageLedger } from "../src/fold/usage-ledger.ts";
import { readAll as scanAll } from "./helpers/read.ts";
import { parseLine } from "../src/transcript/parse-line.ts";
import { hasSharedCorpus, needsShared, SHARED_CORPUS } from "./helpers/corpus.ts";
import { assistant, jsonl, resetClock, tempClaudeDir, text, toolUse, user } from "./helpers/transcript.ts";
import { scratchDir } from "./helpers/scratch.ts";

const DIR = join(import.meta.dir, "fixtures", "recent");
const S = "7c2d9e41-3b5a-4f08-9e6d-2a1b0c9d8e7f";
const PARENT = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
const FORK = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
const AGENT = "subagents/agent-a4c1e9f27b3d5086.jsonl";
const ASIDE = "subagents/agent-aside_question-5ce17f65a0b1c2d3.jsonl";

/** A fixture's lines with their byte offsets, which the fold takes as their order. */
function linesOf(file: string): Array<{ bytes: Buffer; start: number }> {
  const buf = readFileSync(join(DIR, file));
  const out: Array<{ bytes: Buffer; start: number }> = [];
  for (let start = 0; start < buf.length; ) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl < 0 ? buf.length : nl;
    if (end > start) out.push({ bytes: buf.subarray(start, end), start });
    start = end + 1;
  }
  return out;
}

/** The byte offset of the line holding `"uuid":"<uuid>"`, found in the text, not by the code under test. */
function offsetOf(file: string, uuid: string): number {
  const text = readFileSync(join(DIR, file), "latin1");
  const at = text.indexOf(`"uuid":"${uuid}"`);
  if (at < 0) throw new Error(`${uuid} not in ${file}`);
  return text.lastIndexOf("\n", at) + 1;
}

function newFold(sessionId = S, snapshot?: FoldSnapshot) {
  const messages: FoldedMessage[] = [];
  const records: UsageRecord[] = [];
  const fold = new SessionFold(sessionId, DEFAULT_FOLD_OPTIONS, { add: (r) => records.push(r) }, (m) => messages.push(m), snapshot);
  return { fold, messages, records };
}

/** Feeds lines [from, to) of a fixture; a subagent file is described by its meta file, as foldFile does. */
function feed(fold: SessionFold, file: string, from = 0, to = Number.POSITIVE_INFINITY): void {
  const subagent = file.startsWith("subagents/");
  const id = agentIdOf(file);
  const meta = subagent ? agentMeta(join(DIR, file)) : undefined;
  if (id && meta) fold.describeAgent(id, meta);
  for (const { bytes, start } of linesOf(file).slice(from, to)) {
    const { entry } = parseLine(bytes);
    if (!entry) throw new Error(`bad line at ${start} of ${file}`);
    fold.add(entry, subagent, start);
  }
}

/** One message in a line: role, the uuid of its first line, and its text (or its tool calls and results). */
function show(m: FoldedMessage): string {
  const uuid = m.externalId.slice(m.externalId.indexOf(":") + 1);
  const body =
    m.textContent ??
    m.parts
      .map((p) => {
        const c = p.content as { toolName?: string; result?: unknown };
        return p.type === "tool-call" ? `call ${c.toolName}` : p.type === "tool-result" ? `result ${c.result}` : p.type;
      })
      .join(", ");
  return `${m.role} ${uuid}: ${body}`;
}

/** Messages as the server orders them: by time, then by the order within their file. */
const inServerOrder = (messages: FoldedMessage[]) => [...messages].sort((a, b) => a.createdAt - b.createdAt || a.order - b.order);

/** A title that is one of Claude Code's tags, not words a person would read as a name. */
const isTag = (title: string) => /^\s*</.test(title) || /<\/?(?:task-notification|command-|local-command-|bash-|cross-session-message|system-reminder)/.test(title);

const at = (iso: string) => Date.parse(iso);

interface Case {
  files: string[];
  messages: string[];
  title: string | undefined;
  firstAt: string;
}

const CASES: Record<string, Case> = {
  "a prompt queued while Claude works is a user message and the title; the slash command before it is not the title": {
    files: ["queued-command.jsonl"],
    messages: [
      "user q-u1: /review 42",
      "assistant q-a1: call Bash",
      "tool q-t1: result diff --git a/src/parse.ts b/src/parse.ts",
      "user q-q1: focus on the parser",
      "assistant q-a2: The parser change drops the trailing comma case; the rest is fine.",
    ],
    title: "focus on the parser",
    // The first queue-operation line's time.
    firstAt: "2026-09-20T09:00:00.000Z",
  },
  "a user line repeating a queued prompt in the same turn is not sent twice; typed again after the turn, it is": {
    files: ["queued-repeat.jsonl"],
    messages: [
      "user r-u1: Run the tests",
      "assistant r-a1: call Bash",
      "tool r-t1: result 42 passing",
      "user r-q1: and lint too",
      "assistant r-a2: Tests pass and lint is clean.",
      "user r-u3: and lint too",
      "assistant r-a3: Still clean.",
    ],
    title: "Run the tests",
    firstAt: "2026-09-21T10:00:00.000Z",
  },
  "task notifications and another session's message are labelled system messages": {
    files: ["task-notification.jsonl"],
    messages: [
      "user n-u1: Build the crate in the background and tell me when it is done",
      "assistant n-a1: call Bash",
      "tool n-t1: result Command running in background with ID: b7x2k9q4m",
      "assistant n-a2: Started the build in the background.",
      'system n-u2: Background task notification: Background command "Build the crate" completed (exit code 0)',
      "assistant n-a3: The build finished cleanly.",
      "system n-u3: Message from another Claude session (reviewer): Please rebase on main",
      "assistant n-a4: Rebasing now.",
      'system n-q1: Background task notification: Background command "Watch the logs" failed with exit code 1',
    ],
    title: "Build the crate in the background and tell me when it is done",
    firstAt: "2026-09-22T14:00:00.000Z",
  },
  "a session with no words of the user's has no title from its notifications or a program's prompt": {
    files: ["notification-only.jsonl"],
    messages: [
      'system o-u1: Background task notification: Agent "Audit dependencies" finished\n\nTwo packages are out of date: zod and cac.',
      "assistant o-a1: The audit found two outdated packages.",
      'system o-u2: Background task notification: Background command "Nightly backup" completed (exit code 0)',
      "system o-u3: Prompt sent by a program (SDK): Summarise the diff of the last commit",
    ],
    title: undefined,
    firstAt: "2026-09-23T08:00:00.000Z",
  },
  "the user's custom title wins over Claude Code's later ai-title and the first prompt": {
    files: ["titles.jsonl"],
    messages: [
      "user t-u1: fix the flaky upload test",
      "assistant t-a1: The test waited on a fixed sleep; it now waits for the upload event.",
      "user t-u2: also the download one",
      "assistant t-a2: Same fix for the download test.",
    ],
    title: "upload-tests",
    firstAt: "2026-09-24T09:00:00.000Z",
  },
  "a compaction shows as its boundary and its summary, both system messages": {
    files: ["compaction.jsonl"],
    messages: [
      "user c-u1: Port the exporter to the new API",
      "assistant c-a1: The exporter now uses the v2 client.",
      "system c-s1: Conversation compacted (auto, 155,025 tokens before)",
      "system c-u2: Summary of the conversation so far (written when it was compacted):\n\nThis session is being continued from a previous conversation that ran out of context. The summary below covers the earlier portion of the conversation.\n\nSummary:\n1. The user asked to port the exporter to the new API; it now uses the v2 client.",
      "user c-u3: now the importer",
      "assistant c-a2: The importer is ported too.",
    ],
    title: "Port the exporter to the new API",
    firstAt: "2026-09-25T11:00:00.000Z",
  },
  "local commands in both forms, their output, shell mode and an interruption; caveats and empty output are skipped": {
    files: ["local-commands.jsonl"],
    messages: [
      "user l-u2: /model opus",
      "system l-u3: Command output:\nSet model to opus (claude-opus-5)",
      "user l-s1: /cost",
      "system l-s2: Command output:\nTotal cost: $0.42",
      "user l-u4: ! git status",
      "system l-u5: Shell output:\nOn branch main",
      "user l-u6: Explain the diff",
      "assistant l-a1: call Bash",
      "system l-u7: Request interrupted by user for tool use",
    ],
    title: "Explain the diff",
    firstAt: "2026-09-26T16:00:00.000Z",
  },
  "a subagent's prompt carries its type and task from its meta file, never as the user's words": {
    files: [AGENT],
    messages: [
      "system g-u1: Subagent Explore: Find the config loader\n\nTask from the main agent:\nFind where the config is loaded and report the file and function.",
      "assistant g-a1: call Grep",
      "tool g-t1: result src/config/load.ts:12:export function loadConfig()",
      "assistant g-a2: It is loaded in src/config/load.ts, loadConfig().",
    ],
    title: "[subagent] Find the config loader",
    firstAt: "2026-09-27T13:00:00.000Z",
  },
  "a /btw side question's replay of the session is not shown again": {
    files: ["btw-parent.jsonl", ASIDE],
    messages: ["user b-u1: Why is the cache cold after deploys?", "assistant b-a1: Each deploy changes the cache key prefix."],
    title: "Why is the cache cold after deploys?",
    firstAt: "2026-09-30T15:00:00.000Z",
  },
  "an advisor's response keeps its text; thinking stays hidden": {
    files: ["usage-extras.jsonl"],
    messages: [
      "user x-u1: Plan the migration",
      "assistant x-a1: First, the schema.",
      "user x-u2: ask the advisor",
      "assistant x-a2: The advisor agrees with the plan.",
      "user x-u3: thanks",
      "assistant x-a3: You are welcome.",
    ],
    title: "Plan the migration",
    firstAt: "2026-10-01T12:00:00.000Z",
  },
  "messages written in one millisecond keep transcript order": {
    files: ["same-millisecond.jsonl"],
    messages: [
      "user m-u1: List the routes",
      "assistant m-a1: call Glob",
      "tool m-t1: result src/routes/a.ts\nsrc/routes/b.ts",
      "assistant m-a2: Two routes: a and b.",
    ],
    title: "List the routes",
    firstAt: "2026-10-03T07:00:00.000Z",
  },
  "an empty tool result reads (no output)": {
    files: ["empty-tool-result.jsonl"],
    messages: [
      "user e-u1: Clear the build folder",
      "assistant e-a1: call Bash, call Bash",
      "tool e-t1: result (no output)",
      "tool e-t2: result (no output)",
      "assistant e-a3: The build folder is empty.",
    ],
    title: "Clear the build folder",
    firstAt: "2026-10-04T08:00:00.000Z",
  },
  "an old transcript without stop reasons is sent whole on a final flush": {
    files: ["incomplete-old.jsonl"],
    messages: [
      "user i-u1: Why does the build fail?",
      "assistant i-a1: Let me look.",
      "tool i-t1: result error: lockfile out of date",
      "assistant i-a3: The build fails because the lockfile is stale: run npm install.",
      "user i-u2: thanks",
    ],
    title: "Why does the build fail?",
    firstAt: "2026-01-15T09:00:00.000Z",
  },
};

describe("recent transcripts fold into what a person reads", () => {
  test.each(Object.entries(CASES))("%s", (_name, c) => {
    const { fold, messages } = newFold();
    for (const file of c.files) feed(fold, file);
    fold.flush({ final: true });
    expect(inServerOrder(messages).map(show)).toEqual(c.messages);
    expect(titleOf(fold.meta)).toBe(c.title);
    expect(startOf(fold.meta)).toBe(at(c.firstAt));
  });

  test("no fixture's title is a tag", () => {
    for (const c of Object.values(CASES)) if (c.title !== undefined) expect(isTag(c.title)).toBe(false);
  });

  test("each message's order is the byte offset of its first line", () => {
    const { fold, messages } = newFold();
    feed(fold, "same-millisecond.jsonl");
    fold.flush({ final: true });
    // The response closed by the next line is emitted after the tool result, though written before it.
    expect(messages.map((m) => m.externalId.split(":")[1])).toEqual(["m-u1", "m-t1", "m-a1", "m-a2"]);
    for (const m of messages) expect(m.order).toBe(offsetOf("same-millisecond.jsonl", m.externalId.split(":")[1] as string));
  });

  test("a response's order is its first line's, however many lines it has", () => {
    const { fold, messages } = newFold();
    feed(fold, "empty-tool-result.jsonl");
    fold.flush({ final: true });
    expect(messages.find((m) => m.externalId === `${S}:e-a1`)?.order).toBe(offsetOf("empty-tool-result.jsonl", "e-a1"));
  });
});

describe("titles across incremental reads", () => {
  const titleAfter = (cuts: number[]) => {
    let snapshot: FoldSnapshot | undefined;
    let from = 0;
    for (const to of cuts) {
      const { fold } = newFold(S, snapshot);
      feed(fold, "titles.jsonl", from, to);
      snapshot = fold.snapshot();
      from = to;
    }
    return titleOf(snapshot?.meta as FoldSnapshot["meta"]);
  };

  test.each([
    ["the first prompt, before any ai-title", [2], "fix the flaky upload test"],
    ["Claude Code's ai-title once it is written", [3], "Fix flaky upload test"],
    ["the custom title, read in a later pass", [3, 7], "upload-tests"],
    ["the custom title, read in one pass", [7], "upload-tests"],
  ])("%s", (_name, cuts, title) => {
    expect(titleAfter(cuts as number[])).toBe(title as string);
  });

  test("the latest ai-title is kept under the custom title", () => {
    const { fold } = newFold();
    feed(fold, "titles.jsonl");
    expect(fold.meta.aiTitle).toBe("Fix flaky upload and download tests");
  });

  test("a queued prompt read in one pass is still recognised when its repeat comes in the next", () => {
    const first = newFold();
    feed(first.fold, "queued-repeat.jsonl", 0, 4);
    // The carry-over keeps a digest of the queued prompt, not its text (the state keeps no prompt).
    expect(JSON.stringify(first.fold.snapshot().queued)).not.toContain("lint");
    const second = newFold(S, JSON.parse(JSON.stringify(first.fold.snapshot())));
    feed(second.fold, "queued-repeat.jsonl", 4);
    second.fold.flush({ final: true });
    expect([...first.messages, ...second.messages].filter((m) => m.role === "user").map(show)).toEqual([
      "user r-u1: Run the tests",
      "user r-q1: and lint too",
      "user r-u3: and lint too",
    ]);
  });
});

test("a prompt typed anew is no repeat of one queued before it, even with no turn_duration line between them", () => {
  const { fold, messages } = newFold();
  // queued-repeat.jsonl without the queued prompt's own user line (4) and the turn_duration line (6): only its
  // promptSource "typed" tells r-u3 from the queued r-q1 written again.
  feed(fold, "queued-repeat.jsonl", 0, 4);
  feed(fold, "queued-repeat.jsonl", 5, 6);
  feed(fold, "queued-repeat.jsonl", 7);
  fold.flush({ final: true });
  expect(messages.filter((m) => m.role === "user").map(show)).toEqual(["user r-u1: Run the tests", "user r-q1: and lint too", "user r-u3: and lint too"]);
});

describe("complete responses only", () => {
  test("a response whose lines carry a stop reason is sent by a non-final flush", () => {
    const { fold, messages } = newFold();
    feed(fold, "complete-new.jsonl");
    fold.flush({ final: false });
    expect(messages.map(show)).toEqual(["user k-u1: Refactor the retry loop", "assistant k-a1: call Edit"]);
  });

  test("without stop reasons (before about 2.1.100) the last response waits for a later line or a final flush", () => {
    const { fold, messages } = newFold();
    feed(fold, "incomplete-old.jsonl", 0, 5);
    fold.flush({ final: false });
    expect(inServerOrder(messages).map(show)).toEqual([
      "user i-u1: Why does the build fail?",
      "assistant i-a1: Let me look.",
      "tool i-t1: result error: lockfile out of date",
    ]);
    fold.flush({ final: true });
    expect(show(messages.at(-1) as FoldedMessage)).toBe("assistant i-a3: The build fails because");
  });

  test("a response held back is sent whole once its remaining lines arrive, never half", () => {
    const first = newFold();
    feed(first.fold, "incomplete-old.jsonl", 0, 5);
    first.fold.flush({ final: false });
    const second = newFold(S, JSON.parse(JSON.stringify(first.fold.snapshot())));
    feed(second.fold, "incomplete-old.jsonl", 5);
    second.fold.flush({ final: false });
    const sent = [...first.messages, ...second.messages];
    expect(sent.filter((m) => m.externalId === `${S}:i-a3`).map(show)).toEqual([
      "assistant i-a3: The build fails because the lockfile is stale: run npm install.",
    ]);
    expect(inServerOrder(sent).map(show)).toEqual(CASES["an old transcript without stop reasons is sent whole on a final flush"]?.messages as string[]);
  });
});

/** A record as the tests compare it: what pricing and dedup read. */
const brief = (r: UsageRecord) => ({
  session: r.sessionId,
  model: r.model,
  tokens: r.tokens,
  sidechain: r.sidechain,
  speed: r.speed,
  inferenceGeo: r.inferenceGeo,
  at: r.at,
  iterations: r.iterations,
});

/**
 * Folds files (each into its own session's fold) through one ledger, as a run
 * does, and returns its deduplicated records. Each file is read as it would be
 * found, at `<project>/<sessionId>.jsonl` (ties between copies go to the path
 * first, as in ccusage).
 */
function usageOf(files: Array<[string, string]>) {
  const ledger = new UsageLedger();
  for (const [sessionId, file] of files) {
    const stamped = { add: (r: UsageRecord) => ledger.add({ ...r, file: `/projects/-p/${sessionId}/${file}` }) };
    const fold = new SessionFold(sessionId, DEFAULT_FOLD_OPTIONS, stamped, undefined);
    feed(fold, file);
  }
  return [...ledger.records()].map(brief);
}

const tokens = (input: number, output: number, cacheWrite5m: number, cacheWrite1h: number, cacheRead: number) => ({
  input,
  output,
  cacheWrite5m,
  cacheWrite1h,
  cacheRead,
});

describe("usage records", () => {
  const parentResponse = {
    session: PARENT,
    model: "claude-opus-5",
    tokens: tokens(3, 500, 2000, 0, 0),
    sidechain: false,
    speed: "standard",
    inferenceGeo: undefined,
    at: at("2026-09-29T10:00:20.000Z"),
    iterations: undefined,
  };
  const forkResponse = { ...parentResponse, session: FORK, tokens: tokens(1, 120, 100, 0, 2000), at: at("2026-09-29T11:00:05.000Z") };

  test.each([
    ["the fork read first", [[FORK, "fork-child.jsonl"], [PARENT, "fork-parent.jsonl"]]],
    ["the parent read first", [[PARENT, "fork-parent.jsonl"], [FORK, "fork-child.jsonl"]]],
  ])("a forked session's copied response counts once, in the parent, whichever file is read first (%s)", (_name, files) => {
    const records = usageOf(files as Array<[string, string]>);
    expect(records).toContainEqual(parentResponse);
    expect(records).toContainEqual(forkResponse);
    expect(records.length).toBe(2);
  });

  test("in the parent also when its lines carry no request id (through a gateway), where ccusage counts it in both (found by an exploratory tester)", () => {
    const ledger = new UsageLedger();
    for (const [sessionId, file] of [[FORK, "fork-child.jsonl"], [PARENT, "fork-parent.jsonl"]] as const) {
      const fold = new SessionFold(sessionId, DEFAULT_FOLD_OPTIONS, ledger, undefined);
      for (const { bytes, start } of linesOf(file)) {
        const { requestId: _, ...line } = JSON.parse(bytes.toString("utf8"));
        const { entry } = parseLine(Buffer.from(JSON.stringify(line)));
        if (entry) fold.add(entry, false, start);
      }
    }
    expect([...ledger.records()].map(brief)).toEqual([parentResponse, forkResponse]);
  });

  test("in the parent also when the fork's file comes first by path (where ccusage counts it in the fork)", () => {
    const early = "00000000-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
    const records = usageOf([
      [early, "fork-child.jsonl"],
      [PARENT, "fork-parent.jsonl"],
    ]);
    expect(records).toEqual([{ ...parentResponse }, { ...forkResponse, session: early }].sort((a, b) => a.at - b.at));
  });

  const original = {
    session: S,
    model: "claude-opus-5",
    tokens: tokens(5, 250, 3000, 0, 1000),
    sidechain: false,
    speed: "standard",
    inferenceGeo: undefined,
    at: at("2026-09-30T15:00:30.000Z"),
    iterations: undefined,
  };
  const answer = { ...original, tokens: tokens(2, 60, 0, 0, 4250), sidechain: true, at: at("2026-09-30T15:01:04.000Z") };

  test.each([
    ["the session's file first", ["btw-parent.jsonl", ASIDE]],
    ["the side question's file first", [ASIDE, "btw-parent.jsonl"]],
  ])("a /btw side question's replay counts once, as the original; its own answer counts (%s)", (_name, files) => {
    expect(usageOf((files as string[]).map((f) => [S, f]))).toEqual([original, answer]);
  });

  test("speed, inference geo, the time and advisor iterations are carried for pricing", () => {
    expect(usageOf([[S, "usage-extras.jsonl"]])).toEqual([
      {
        session: S,
        model: "claude-opus-4-7",
        tokens: tokens(6, 410, 0, 2500, 40000),
        sidechain: false,
        speed: "fast",
        inferenceGeo: "us",
        at: at("2026-10-01T12:00:10.000Z"),
        // One plain `message` iteration repeats the totals: not kept.
        iterations: undefined,
      },
      {
        session: S,
        model: "claude-sonnet-5",
        tokens: tokens(4, 683, 0, 0, 0),
        sidechain: false,
        speed: "standard",
        inferenceGeo: "not_available",
        at: at("2026-10-01T12:01:40.000Z"),
        iterations: [
          { kind: "message", tokens: tokens(2, 85, 0, 0, 0) },
          { kind: "advisor_message", model: "claude-opus-4-8", tokens: tokens(91627, 18716, 50, 0, 100) },
          { kind: "message", tokens: tokens(2, 598, 0, 0, 0) },
        ],
      },
      {
        // Nulls where a value could be: read as absent, the line is not lost.
        session: S,
        model: "claude-haiku-4-5-20251001",
        tokens: tokens(7, 9, 0, 0, 300),
        sidechain: false,
        speed: undefined,
        inferenceGeo: undefined,
        at: at("2026-10-01T12:02:01.000Z"),
        iterations: undefined,
      },
    ]);
  });
});

describe("subagent meta files", () => {
  test.each([
    ["x/subagents/agent-a4c1e9f27b3d5086.jsonl", "a4c1e9f27b3d5086"],
    ["x/subagents/agent-aside_question-5ce17f65.jsonl", "aside_question-5ce17f65"],
    ["x/7c2d9e41.jsonl", undefined],
  ])("the agent id of %s is %p", (path, id) => {
    expect(agentIdOf(path)).toBe(id);
  });

  test("a meta file gives the agent's type and task; none or a broken one gives nothing", () => {
    expect(agentMeta(join(DIR, AGENT))).toEqual({ agentType: "Explore", description: "Find the config loader", toolUseId: "toolu_01Xk2" });
    expect(agentMeta(join(DIR, ASIDE))).toBeUndefined();
    const dir = scratchDir("ccs-meta-");
    writeFileSync(join(dir, "agent-a1.meta.json"), "{not json");
    writeFileSync(join(dir, "agent-a2.meta.json"), '{"agentType":7,"description":"only this"}');
    expect(agentMeta(join(dir, "agent-a1.jsonl"))).toBeUndefined();
    expect(agentMeta(join(dir, "agent-a2.jsonl"))).toEqual({ description: "only this" });
  });

  test("a full read finds the meta file beside a subagent's transcript and passes lines' byte offsets", async () => {
    const dir = tempClaudeDir();
    dir.write(`p/${S}.jsonl`, readFileSync(join(DIR, "btw-parent.jsonl"), "utf8"));
    dir.write(`p/${S}/${AGENT}`, readFileSync(join(DIR, AGENT), "utf8"));
    dir.write(`p/${S}/${AGENT.replace(".jsonl", ".meta.json")}`, readFileSync(join(DIR, AGENT.replace(".jsonl", ".meta.json")), "utf8"));
    const messages: FoldedMessage[] = [];
    const { sessions } = await scanAll([dir.projects], DEFAULT_FOLD_OPTIONS, { onMessage: (m) => messages.push(m) });
    const task = messages.find((m) => m.externalId === `${S}:g-u1`);
    expect(task?.role).toBe("system");
    expect(task?.textContent?.startsWith("Subagent Explore: Find the config loader")).toBe(true);
    expect(messages.find((m) => m.externalId === `${S}:g-a2`)?.order).toBe(offsetOf(AGENT, "g-a2"));
    expect(sessions.map((s) => s.title)).toEqual(["Why is the cache cold after deploys?"]);
  });

  test("a nested agent's task is said to come from the subagent that started it (its meta file's parentAgentId), not from the main agent", async () => {
    const dir = tempClaudeDir();
    const line = (type: string, uuid: string, agentId: string, content: unknown) =>
      JSON.stringify({ type, uuid, agentId, isSidechain: true, sessionId: S, cwd: "/home/dev/shop", timestamp: "2026-11-25T09:00:00.000Z", message: { role: type, content } });
    for (const [id, task, meta] of [
      ["a1", "Audit the repo", { agentType: "Explore", description: "Audit", spawnDepth: 1 }],
      ["a2", "Look deeper at src/", { agentType: "general-purpose", description: "Deep look", spawnDepth: 2, parentAgentId: "a1" }],
    ] as const) {
      dir.write(`p/${S}/subagents/agent-${id}.jsonl`, `${line("user", `${id}-u`, id, task)}\n`);
      dir.write(`p/${S}/subagents/agent-${id}.meta.json`, JSON.stringify(meta));
    }
    const messages: FoldedMessage[] = [];
    await scanAll([dir.projects], DEFAULT_FOLD_OPTIONS, { onMessage: (m) => messages.push(m) });
    expect(messages.map(show)).toEqual([
      "system a1-u: Subagent Explore: Audit\n\nTask from the main agent:\nAudit the repo",
      "system a2-u: Subagent general-purpose: Deep look\n\nTask from the subagent that started it:\nLook deeper at src/",
    ]);
  });
});

/**
 * A fork agent (2.1.2xx: `subagent_type: "fork"`, its meta file `"agentType":"fork","isFork":true`) starts from the
 * conversation so far. Its transcript may replay it first (the session's lines with their uuids, as a sidechain's:
 * seen in public readers' code, which skip them), then the task: placeholder results for the calls that started it
 * and Claude Code's rules for forks in <fork-boilerplate>, then "Your directive: …". Newer ones write a
 * fork-context-ref line instead of the replay.
 */
describe("fork agents", () => {
  const FA = "af0000000000000001";
  const inFork = { sessionId: S, isSidechain: true, agentId: FA };
  const directive = (task: string) => [
    { type: "tool_result", tool_use_id: "toolu_f", content: [text("Fork started — processing in background")] },
    text(`<fork-boilerplate>\nSTOP. READ THIS FIRST.\nYou are a forked worker process.\nRULES (non-negotiable):\n1. Do not spawn forks.\n</fork-boilerplate>\n\nYour directive: ${task}`),
  ];
  function history() {
    resetClock();
    const main = [
      user("Investigate the flaky test", { sessionId: S }),
      assistant("msg_f1", text("Looking."), { sessionId: S }),
      user("Fork off a check of the CI logs", { sessionId: S }),
      assistant("msg_f2", toolUse("toolu_f", "Agent", { description: "CI logs", prompt: "Check the CI logs" }), { sessionId: S }),
    ];
    const own = [user(directive("Check the CI logs"), inFork), assistant("msg_f3", text("The CI logs show a timeout."), inFork)];
    const later = [assistant("msg_f4", text("And a retry."), inFork)];
    // The replay: the session's lines as the fork's, the same uuids.
    return { main, replay: main.map((l) => ({ ...l, ...inFork })), own, later };
  }
  const META = JSON.stringify({ agentType: "fork", isFork: true, description: "CI logs", toolUseId: "toolu_f", spawnDepth: 1, model: "inherit" });

  test("its replay of the conversation is not shown again (the person's prompts stay theirs) and counts once; its task is its directive", async () => {
    const { main, replay, own } = history();
    const dir = tempClaudeDir();
    dir.write(`p/${S}.jsonl`, jsonl(main));
    dir.write(`p/${S}/subagents/agent-${FA}.jsonl`, jsonl([...replay, ...own]));
    dir.write(`p/${S}/subagents/agent-${FA}.meta.json`, META);
    const messages: FoldedMessage[] = [];
    const { sessions } = await scanAll([dir.projects], DEFAULT_FOLD_OPTIONS, { onMessage: (m) => messages.push(m) });
    expect(messages.sort((a, b) => a.createdAt - b.createdAt).map(show)).toEqual([
      "user u-0001: Investigate the flaky test",
      "assistant u-0002: Looking.",
      "user u-0003: Fork off a check of the CI logs",
      "assistant u-0004: call Agent",
      "system u-0005: Subagent fork: CI logs\n\nTask from the main agent:\nCheck the CI logs",
      "assistant u-0006: The CI logs show a timeout.",
    ]);
    // Three responses of 10 in, 50 out, 100 cache writes, 1,000 reads (helpers/transcript.ts), the replayed two once.
    expect(sessions[0]?.usage).toEqual({ inputTokens: 30, outputTokens: 150, cacheCreationTokens: 300, cacheReadTokens: 3000 });
  });

  test("without the rules for forks, its own work starts at its placeholder result for the call that started it (toolUseId)", async () => {
    const { main, replay } = history();
    const bare = [
      user([{ type: "tool_result", tool_use_id: "toolu_f", content: [text("Fork started — processing in background")] }, text("Check the CI logs")], inFork),
      assistant("msg_f3", text("The CI logs show a timeout."), inFork),
    ];
    const dir = tempClaudeDir();
    dir.write(`p/${S}.jsonl`, jsonl(main));
    dir.write(`p/${S}/subagents/agent-${FA}.jsonl`, jsonl([...replay, ...bare]));
    dir.write(`p/${S}/subagents/agent-${FA}.meta.json`, META);
    const messages: FoldedMessage[] = [];
    const { sessions } = await scanAll([dir.projects], DEFAULT_FOLD_OPTIONS, { onMessage: (m) => messages.push(m) });
    expect(messages.sort((a, b) => a.createdAt - b.createdAt).map(show).slice(4)).toEqual([
      "system u-0008: Subagent fork: CI logs\n\nTask from the main agent:\nCheck the CI logs",
      "assistant u-0009: The CI logs show a timeout.",
    ]);
    expect(sessions[0]?.usage).toEqual({ inputTokens: 30, outputTokens: 150, cacheCreationTokens: 300, cacheReadTokens: 3000 });
  });

  test("a result for another call, in its replay, is no start of its own work", async () => {
    const { main, replay, own } = history();
    const other = [assistant("msg_f0", toolUse("toolu_x", "Read", { file_path: "a" }), { sessionId: S }), user([{ type: "tool_result", tool_use_id: "toolu_x", content: "a" }], { sessionId: S })];
    const dir = tempClaudeDir();
    dir.write(`p/${S}.jsonl`, jsonl([...other, ...main]));
    dir.write(`p/${S}/subagents/agent-${FA}.jsonl`, jsonl([...other.map((l) => ({ ...l, ...inFork })), ...replay, ...own]));
    dir.write(`p/${S}/subagents/agent-${FA}.meta.json`, META);
    const messages: FoldedMessage[] = [];
    await scanAll([dir.projects], DEFAULT_FOLD_OPTIONS, { onMessage: (m) => messages.push(m) });
    expect(messages.filter((m) => m.role === "system").map(show)).toEqual(["system u-0005: Subagent fork: CI logs\n\nTask from the main agent:\nCheck the CI logs"]);
  });

  test("without a replay (a fork-context-ref line first), its task is its directive, without the rules for forks", async () => {
    const { main, own } = history();
    const dir = tempClaudeDir();
    dir.write(`p/${S}.jsonl`, jsonl(main));
    dir.write(`p/${S}/subagents/agent-${FA}.jsonl`, jsonl([{ type: "fork-context-ref", agentId: FA, parentSessionId: S, parentLastUuid: "u-0004", contextLength: 4 }, ...own]));
    dir.write(`p/${S}/subagents/agent-${FA}.meta.json`, META);
    const messages: FoldedMessage[] = [];
    await scanAll([dir.projects], DEFAULT_FOLD_OPTIONS, { onMessage: (m) => messages.push(m) });
    expect(messages.filter((m) => m.role === "system").map(show)).toEqual(["system u-0005: Subagent fork: CI logs\n\nTask from the main agent:\nCheck the CI logs"]);
  });

  test("after a fork-context-ref line (no replay), its lines are its own though its task has no rules for forks nor placeholder (/fork)", async () => {
    const { main } = history();
    const own = [user("Check the CI logs", inFork), assistant("msg_f3", text("The CI logs show a timeout."), inFork)];
    const dir = tempClaudeDir();
    dir.write(`p/${S}.jsonl`, jsonl(main));
    dir.write(`p/${S}/subagents/agent-${FA}.jsonl`, jsonl([{ type: "fork-context-ref", agentId: FA, parentSessionId: S, parentLastUuid: "u-0004", contextLength: 4 }, ...own]));
    dir.write(`p/${S}/subagents/agent-${FA}.meta.json`, JSON.stringify({ agentType: "fork", isFork: true, description: "CI logs", spawnDepth: 1 }));
    const messages: FoldedMessage[] = [];
    await scanAll([dir.projects], DEFAULT_FOLD_OPTIONS, { onMessage: (m) => messages.push(m) });
    expect(messages.sort((a, b) => a.createdAt - b.createdAt).map(show).slice(4)).toEqual([
      "system u-0008: Subagent fork: CI logs\n\nTask from the main agent:\nCheck the CI logs",
      "assistant u-0009: The CI logs show a timeout.",
    ]);
  });

  test("read in steps, its lines after its task are still shown: the read task is carried over", () => {
    const { main, replay, own, later } = history();
    const parse = (l: object) => {
      const { entry } = parseLine(Buffer.from(JSON.stringify(l)));
      if (!entry) throw new Error("bad line");
      return entry;
    };
    const first = newFold();
    first.fold.describeAgent(FA, JSON.parse(META));
    main.forEach((l, i) => first.fold.add(parse(l), false, i));
    [...replay, ...own].forEach((l, i) => first.fold.add(parse(l), true, i));
    first.fold.flush({ final: true });
    const second = newFold(S, first.fold.snapshot());
    second.fold.describeAgent(FA, JSON.parse(META));
    second.fold.add(parse(later[0] as object), true, 100);
    second.fold.flush({ final: true });
    // (Responses still open when the first read ended are shown again with it: the same messages.)
    expect(second.messages.map(show)).toContain("assistant u-0007: And a retry.");
  });
});

const CORPUS = join(SHARED_CORPUS, "projects");

// Real transcripts of recent Claude Code: the generated history has no tags or system lines to get wrong.
describe.skipIf(!hasSharedCorpus)(needsShared("on ../shared/corpus"), () => {
  test("no session's title is a tag, and every system message says what it is", async () => {
    const messages: FoldedMessage[] = [];
    const { sessions } = await scanAll([CORPUS], DEFAULT_FOLD_OPTIONS, { onMessage: (m) => messages.push(m) });
    const titles = sessions.map((s) => s.title).filter((t): t is string => t !== undefined);
    expect(titles.length).toBeGreaterThan(30);
    expect(titles.filter(isTag)).toEqual([]);
    const labels = /^(Background task notification|Message from|Prompt sent by|Command output|Command error output|Shell output|Shell error output|Request interrupted|Conversation compacted|Summary of the conversation|Subagent)/;
    expect(messages.filter((m) => m.role === "system" && !labels.test(m.textContent ?? "")).map(show)).toEqual([]);
  });
});
