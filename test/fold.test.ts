import { beforeEach, describe, expect, test } from "bun:test";
import { DEFAULT_FOLD_OPTIONS, type FoldedMessage, SessionFold } from "../src/fold/session-fold.ts";
import { parseLine } from "../src/transcript/parse-line.ts";
import type { Entry } from "../src/transcript/schema.ts";
import { readAll as scanAll } from "./helpers/read.ts";
import {
  SESSION,
  assistant,
  jsonl,
  resetClock,
  tempClaudeDir,
  text,
  toolResult,
  toolUse,
  usage,
  user,
} from "./helpers/transcript.ts";

beforeEach(resetClock);

async function scan(dir: ReturnType<typeof tempClaudeDir>, options = DEFAULT_FOLD_OPTIONS) {
  const messages: FoldedMessage[] = [];
  const result = await scanAll([dir.projects], options, { onMessage: (m) => messages.push(m) });
  return { ...result, messages, one: result.sessions.find((s) => s.externalId === SESSION) };
}

describe("usage dedup", () => {
  test("one response written as several lines counts once", async () => {
    const dir = tempClaudeDir();
    dir.write(
      `p/${SESSION}.jsonl`,
      jsonl([
        user("hello"),
        assistant("msg_1", text("Let me look."), { usage: { input: 5, output: 20, cacheCreation: 300, cacheRead: 4000 } }),
        assistant("msg_1", toolUse("toolu_1", "Read", { file_path: "/a" }), {
          usage: { input: 5, output: 20, cacheCreation: 300, cacheRead: 4000 },
        }),
        toolResult("toolu_1", "file body"),
      ]),
    );
    const { one, messages } = await scan(dir);
    expect(one?.usage).toEqual({ inputTokens: 5, outputTokens: 20, cacheCreationTokens: 300, cacheReadTokens: 4000 });
    expect(one?.promptTokens).toBe(4305);
    expect(one?.completionTokens).toBe(20);
    // prompt, one merged assistant response, one tool result
    expect(messages.map((m) => m.role).sort()).toEqual(["assistant", "tool", "user"]);
  });

  test("a streaming partial copy is replaced by the complete one", async () => {
    const dir = tempClaudeDir();
    dir.write(
      `p/${SESSION}.jsonl`,
      jsonl([
        user("write a poem"),
        assistant("msg_1", text("Roses"), { usage: { input: 3, output: 1, cacheCreation: 0, cacheRead: 0 } }),
        assistant("msg_1", text("Roses are red"), { usage: { input: 3, output: 40, cacheCreation: 0, cacheRead: 0 } }),
      ]),
    );
    const { one, messages } = await scan(dir);
    expect(one?.usage.outputTokens).toBe(40);
    const reply = messages.find((m) => m.role === "assistant");
    expect(reply?.parts).toEqual([{ type: "text", content: "Roses are red" }]);
    expect(reply?.completionTokens).toBe(40);
  });

  test("history copied into a resumed session's file is not counted twice", async () => {
    const dir = tempClaudeDir();
    const first = assistant("msg_1", text("done"), { usage: { input: 7, output: 9, cacheCreation: 0, cacheRead: 0 } });
    dir.write(`p/${SESSION}.jsonl`, jsonl([user("go"), first]));
    const resumed = "22222222-2222-4222-8222-222222222222";
    dir.write(
      `p/${resumed}.jsonl`,
      jsonl([
        first,
        user("more", { sessionId: resumed }),
        assistant("msg_2", text("ok"), { sessionId: resumed, usage: { input: 1, output: 2, cacheCreation: 0, cacheRead: 0 } }),
      ]),
    );
    const { sessions } = await scan(dir);
    const total = sessions.reduce((n, s) => n + s.usage.inputTokens + s.usage.outputTokens, 0);
    expect(total).toBe(7 + 9 + 1 + 2);
  });

  test("a sidechain copy loses to the main-thread copy of the same response", async () => {
    const dir = tempClaudeDir();
    const main = assistant("msg_9", text("x"), { usage: { input: 1, output: 1, cacheCreation: 0, cacheRead: 0 } });
    const side = { ...main, isSidechain: true, uuid: "side-1", message: { ...main.message, usage: { ...main.message.usage, output_tokens: 500 } } };
    dir.write(`p/${SESSION}.jsonl`, jsonl([user("q"), side, main]));
    expect((await scan(dir)).one?.usage.outputTokens).toBe(1);
  });
});

describe("subagents", () => {
  const agentLines = (agentId: string) => [
    user("Explore the repo", { isSidechain: true, agentId }),
    assistant(`msg_${agentId}`, text("Found it"), {
      isSidechain: true,
      agentId,
      usage: { input: 2, output: 30, cacheCreation: 0, cacheRead: 0 },
    }),
  ];

  test.each([
    ["inline sidechain lines", (d: ReturnType<typeof tempClaudeDir>) => d.write(`p/${SESSION}.jsonl`, jsonl([user("main prompt"), ...agentLines("a1")]))],
    [
      "flat agent-<id>.jsonl beside the session",
      (d: ReturnType<typeof tempClaudeDir>) => {
        d.write(`p/${SESSION}.jsonl`, jsonl([user("main prompt")]));
        d.write("p/agent-a1.jsonl", jsonl(agentLines("a1")));
      },
    ],
    [
      "<session>/subagents/agent-<id>.jsonl",
      (d: ReturnType<typeof tempClaudeDir>) => {
        d.write(`p/${SESSION}.jsonl`, jsonl([user("main prompt")]));
        d.write(`p/${SESSION}/subagents/agent-a1.jsonl`, jsonl(agentLines("a1")));
      },
    ],
  ])("%s fold into the parent session", async (_name, layout) => {
    const dir = tempClaudeDir();
    layout(dir);
    const { sessions, one, messages } = await scan(dir);
    expect(sessions.length).toBe(1);
    expect(one?.usage.outputTokens).toBe(30);
    expect(one?.title).toBe("main prompt");
    expect(messages.map((m) => m.textContent)).toContain("Found it");
    expect(new Set(messages.map((m) => m.sessionId))).toEqual(new Set([SESSION]));
  });

  test("subagent messages can be left out while their tokens still count", async () => {
    const dir = tempClaudeDir();
    dir.write(`p/${SESSION}.jsonl`, jsonl([user("main prompt"), ...agentLines("a1")]));
    const { one, messages } = await scan(dir, { ...DEFAULT_FOLD_OPTIONS, subagentMessages: false });
    expect(messages.map((m) => m.textContent)).toEqual(["main prompt"]);
    expect(one?.usage.outputTokens).toBe(30);
  });
});

describe("bad input", () => {
  test("garbage and truncated lines are counted and skipped; the rest is read", async () => {
    const dir = tempClaudeDir();
    dir.write(
      `p/${SESSION}.jsonl`,
      `not json\n{"type":"user"}\n[1,2]\n${jsonl([user("real"), assistant("msg_1", text("hi"))])}{"type":"assistant","trunc`,
    );
    const { one, stats } = await scan(dir);
    expect(stats.badLines).toBe(3);
    expect(one?.messageCount).toBe(2);
  });

  test("an empty file is skipped with a note", async () => {
    const dir = tempClaudeDir();
    dir.write(`p/${SESSION}.jsonl`, "");
    const { sessions, stats } = await scan(dir);
    expect(sessions).toEqual([]);
    expect(stats.files.map((f) => f.reason)).toEqual(["empty file"]);
  });

  test("the line types of 2.1.2xx that carry no message are known: not counted as unknown, nor as bad", async () => {
    const dir = tempClaudeDir();
    const lines = [
      { type: "continued-in", sessionId: SESSION, continuedInSessionId: "11111111-0000-4000-8000-000000000000" },
      { type: "relocated", sessionId: SESSION, relocatedCwd: "/home/dev/app-wt" },
      { type: "fork-context-ref", agentId: "a1", parentSessionId: SESSION, parentLastUuid: "u-1", contextLength: 12 },
      { type: "atis-latch", atis: "", sessionId: SESSION },
      { type: "file-history-delta", trackingPath: "src/a.ts", sessionId: SESSION },
      { type: "agent-color", agentColor: "blue", sessionId: SESSION },
      { type: "dev-mods", sessionId: SESSION },
      // Claude Code's own list of metadata types (2.1.145), as public readers quote it.
      { type: "content-replacement", sessionId: SESSION, replacements: [{ kind: "tool-result", toolUseId: "toolu_1", replacement: "[elided]" }] },
      { type: "attribution-snapshot", messageId: "u-1", surface: "cli", fileStates: {} },
      { type: "tag", sessionId: SESSION, tag: "release" },
      { type: "isolation-latch", sessionId: SESSION },
      { type: "speculation-accept", sessionId: SESSION },
      { type: "marble-origami-commit", sessionId: SESSION },
      { type: "marble-origami-snapshot", sessionId: SESSION },
    ];
    dir.write(`p/${SESSION}.jsonl`, jsonl([user("x"), ...lines, assistant("msg_1", text("hi"))]));
    const { stats, one } = await scan(dir);
    expect(stats.unknownTypes).toBe(0);
    expect(stats.badLines).toBe(0);
    expect(one?.messageCount).toBe(2);
  });

  test("unknown line types are counted, not fatal", async () => {
    const dir = tempClaudeDir();
    dir.write(`p/${SESSION}.jsonl`, jsonl([{ type: "brand-new-kind", timestamp: "2025-10-01T09:00:00Z" }, user("x")]));
    const { stats, one } = await scan(dir);
    expect(stats.unknownTypes).toBe(1);
    expect(stats.badLines).toBe(0);
    expect(one?.createdAt).toBe(Date.parse("2025-10-01T09:00:00Z"));
  });

  test("a response's usage on a line of a type not known yet, or on an assistant line without a uuid or content, is counted as ccusage counts it; nothing of it is shown", async () => {
    const dir = tempClaudeDir();
    const known = assistant("msg_1", text("hello"), { usage: { input: 10, output: 5, cacheCreation: 0, cacheRead: 0 }, requestId: "req_1" });
    const { type: _, ...fields } = known;
    const fresh = assistant("msg_2", text("a response in a new kind of line"), { usage: { input: 100, output: 50, cacheCreation: 7, cacheRead: 9 }, requestId: "req_2" });
    dir.write(
      `p/${SESSION}.jsonl`,
      jsonl([
        user("x"),
        known,
        // The same response again under another type: still counted once.
        { ...fields, type: "assistant-replay" },
        { ...fresh, type: "assistant-v2" },
        { ...assistant("msg_3", text("no uuid"), { usage: { input: 1000, output: 500, cacheCreation: 0, cacheRead: 0 } }), uuid: undefined },
        { ...assistant("msg_4", text(""), { usage: { input: 10000, output: 5000, cacheCreation: 0, cacheRead: 0 } }), message: { id: "msg_4", model: "claude-sonnet-5", usage: usage({ input: 10000, output: 5000, cacheCreation: 0, cacheRead: 0 }) } },
      ]),
    );
    const { stats, one, messages } = await scan(dir);
    expect(stats.unknownTypes).toBe(2);
    expect(stats.badLines).toBe(0);
    expect(one?.usage).toEqual({ inputTokens: 11110, outputTokens: 5555, cacheCreationTokens: 7, cacheReadTokens: 9 });
    expect(messages.map((m) => m.textContent)).toEqual(["x", "hello"]);
  });
});

describe("titles and messages", () => {
  test("the title skips meta lines, command output and tool results", async () => {
    const dir = tempClaudeDir();
    dir.write(
      `p/${SESSION}.jsonl`,
      jsonl([
        user("Caveat: The messages below were generated by the user while running local commands. DO NOT respond.", { isMeta: true }),
        user("<local-command-stdout>Set model to opus</local-command-stdout>"),
        user([{ type: "text", text: "<ide_opened_file>The user opened src/a.ts</ide_opened_file>" }, { type: "text", text: "  Fix   the\nlogin bug  " }]),
      ]),
    );
    expect((await scan(dir)).one?.title).toBe("Fix the login bug");
  });

  test("a prompt's message is what was typed: the context an IDE or Claude Code attached to it is no part of it (found by an exploratory tester)", async () => {
    const dir = tempClaudeDir();
    const context = [
      { type: "text", text: "<ide_opened_file>The user opened src/a.ts</ide_opened_file>" },
      { type: "text", text: "<system-reminder>The date is 2026-12-05.</system-reminder>" },
    ];
    dir.write(`p/${SESSION}.jsonl`, jsonl([user([...context, { type: "text", text: "Fix the login bug" }]), user([context[0], { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }])]));
    const { messages } = await scan(dir);
    expect(messages.map((m) => m.parts)).toEqual([[{ type: "text", content: "Fix the login bug" }], [{ type: "text", content: "[image: image/png]" }]]);
    expect(messages.map((m) => m.textContent)).toEqual(["Fix the login bug", "[image: image/png]"]);
  });

  test("a slash command is the title only when no prompt was typed", async () => {
    const dir = tempClaudeDir();
    dir.write(`p/${SESSION}.jsonl`, jsonl([user("<command-name>/review</command-name>\n<command-args>42</command-args>")]));
    expect((await scan(dir)).one?.title).toBe("/review 42");
  });

  test("long titles are cut to 80 characters at a word boundary", async () => {
    const dir = tempClaudeDir();
    dir.write(`p/${SESSION}.jsonl`, jsonl([user("word ".repeat(40))]));
    const title = (await scan(dir)).one?.title ?? "";
    expect(Array.from(title).length).toBeLessThanOrEqual(80);
    expect(title.endsWith("word…")).toBe(true);
  });

  test("a title shows no terminal colour codes nor control characters of a prompt pasted from a terminal; the message keeps them", async () => {
    const dir = tempClaudeDir();
    const prompt = "Why does \u001b[31mError:\u001b[0m\u0000 TS2345 show\u0007 here?";
    dir.write(`p/${SESSION}.jsonl`, jsonl([user(prompt)]));
    const { one, messages } = await scan(dir);
    expect(one?.title).toBe("Why does Error: TS2345 show here?");
    expect(messages[0]?.textContent).toBe(prompt);
  });

  test("messages carry parts, stable ids, timestamps and per-message tokens", async () => {
    const dir = tempClaudeDir();
    const prompt = user("list files", { uuid: "p-1", timestamp: "2025-10-01T10:00:00.000Z" });
    dir.write(
      `p/${SESSION}.jsonl`,
      jsonl([
        prompt,
        assistant("msg_1", { type: "thinking", thinking: "hmm", signature: "s" }, { uuid: "a-1" }),
        assistant("msg_1", toolUse("toolu_1", "Bash", { command: "ls" }), { uuid: "a-2" }),
        toolResult("toolu_1", "a.txt\nb.txt", { uuid: "t-1" }),
      ]),
    );
    const { messages, one } = await scan(dir);
    const byId = Object.fromEntries(messages.map((m) => [m.externalId, m]));
    expect(byId[`${SESSION}:p-1`]).toMatchObject({ role: "user", textContent: "list files", createdAt: Date.parse("2025-10-01T10:00:00.000Z") });
    expect(byId[`${SESSION}:a-1`]).toMatchObject({
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      promptTokens: 1110,
      completionTokens: 50,
      parts: [{ type: "tool-call", content: { toolName: "Bash", args: { command: "ls" }, toolCallId: "toolu_1" } }],
    });
    expect(byId[`${SESSION}:t-1`]).toMatchObject({
      role: "tool",
      parts: [{ type: "tool-result", content: { result: "a.txt\nb.txt", toolCallId: "toolu_1", isError: false } }],
    });
    expect(one?.messageCount).toBe(3);
  });

  test("a PDF is named as an image is, never shown as its base64: read by a tool, or attached to a prompt", async () => {
    const dir = tempClaudeDir();
    const data = Buffer.alloc(3000, 7).toString("base64");
    const pdf = { type: "document", source: { type: "base64", media_type: "application/pdf", data } };
    dir.write(
      `p/${SESSION}.jsonl`,
      jsonl([
        user("summarize spec.pdf", { uuid: "p-1" }),
        assistant("msg_1", toolUse("toolu_1", "Read", { file_path: "/home/dev/spec.pdf" }), { uuid: "a-1" }),
        user([{ type: "tool_result", tool_use_id: "toolu_1", content: [pdf] }], { uuid: "t-1" }),
        user([{ type: "text", text: "and this one?" }, pdf], { uuid: "p-2" }),
        user([pdf], { uuid: "p-3" }),
      ]),
    );
    const { messages, one } = await scan(dir);
    expect(JSON.stringify(messages)).not.toContain(data.slice(0, 40));
    const byId = Object.fromEntries(messages.map((m) => [m.externalId.split(":")[1], m]));
    expect(byId["t-1"]?.parts).toEqual([{ type: "tool-result", content: { result: "[document: application/pdf]", toolCallId: "toolu_1", isError: false } }]);
    expect(byId["p-2"]?.textContent).toBe("and this one?\n\n[document: application/pdf]");
    expect(byId["p-3"]?.textContent).toBe("[document: application/pdf]");
    expect(one?.messageCount).toBe(5);
  });

  test("thinking is sent only when enabled", async () => {
    const dir = tempClaudeDir();
    dir.write(`p/${SESSION}.jsonl`, jsonl([user("q"), assistant("msg_1", { type: "thinking", thinking: "deep thought" })]));
    expect((await scan(dir)).messages.some((m) => JSON.stringify(m.parts).includes("deep thought"))).toBe(false);
    const on = await scan(dir, { ...DEFAULT_FOLD_OPTIONS, thinking: true });
    expect(on.messages.some((m) => JSON.stringify(m.parts).includes("deep thought"))).toBe(true);
  });
});

describe("a search's result is noted with what it prints (environment files' lines among its lines)", () => {
  test("the Grep tool's lines: of one environment file, of a folder; a list of files prints no line", () => {
    const messages: FoldedMessage[] = [];
    const fold = new SessionFold(SESSION, DEFAULT_FOLD_OPTIONS, { add: () => {} }, (m) => messages.push(m));
    const lines = [
      user("where is the stripe key set?"),
      assistant("msg_1", toolUse("toolu_1", "Grep", { pattern: "STRIPE", path: "/app/.env.local", output_mode: "content", "-n": true })),
      toolResult("toolu_1", "3:STRIPE=x"),
      assistant("msg_2", toolUse("toolu_2", "Grep", { pattern: "STRIPE", path: "/app", output_mode: "content" })),
      toolResult("toolu_2", "/app/.env:STRIPE=x"),
      assistant("msg_3", toolUse("toolu_3", "Grep", { pattern: "STRIPE", path: "/app", output_mode: "files_with_matches" })),
      toolResult("toolu_3", "Found 1 file\n/app/.env"),
    ];
    lines.forEach((line, i) => fold.add(parseLine(Buffer.from(JSON.stringify(line))).entry as Entry, false, i));
    fold.flush({ final: true });
    expect(messages.flatMap((m) => (m.printed ? [m.printed] : []))).toEqual([{ toolu_1: "env-search" }, { toolu_2: "search" }]);
  });
});
