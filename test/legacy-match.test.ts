import { describe, expect, test } from "bun:test";
import { type OwnMessage, matchLegacy, matchable } from "../src/send/legacy.ts";

const S = "s1";
const ours = (id: string, role: OwnMessage["payload"]["role"], text?: string, toolCallIds: string[] = []): OwnMessage => ({
  externalId: `${S}:${id}`,
  payload: {
    role,
    ...(text ? { textContent: text } : {}),
    parts: [...(text ? [{ type: "text", content: text }] : []), ...toolCallIds.map((id) => ({ type: "tool-call", content: { toolName: "Bash", args: {}, toolCallId: id } }))],
  },
});
const theirs = (externalId: string, role: "user" | "assistant", textContent?: string) => ({ externalId, role, createdAt: 5, ...(textContent ? { textContent } : {}) });

describe("matching 0.1.x's messages with ours", () => {
  test.each([
    ["an answer by the uuid of its first line", [ours("u-1", "assistant", "Done.")], [theirs("u-1", "assistant", "Done.")], { "s1:u-1": "u-1" }],
    ["a prompt by role and text (0.1.x named it by the time it was sent)", [ours("u-2", "user", "Fix  it\n")], [theirs("s1-user-1761000000000", "user", "Fix it")], { "s1:u-2": "s1-user-1761000000000" }],
    ["text before a tool call: the text message gets ours", [ours("u-3", "assistant", "Let me run it.", ["toolu_1"])], [theirs("toolu_1", "assistant"), theirs("u-4", "assistant", "Let me run it.")], { "s1:u-3": "u-4" }],
    ["a tool call alone, by its tool_use id", [ours("u-5", "assistant", undefined, ["toolu_2"])], [theirs("toolu_2", "assistant")], { "s1:u-5": "toolu_2" }],
    ["each side used once: two equal texts, two of ours", [ours("a", "user", "yes"), ours("b", "user", "yes")], [theirs("s1-user-1", "user", "yes"), theirs("s1-user-2", "user", "yes")], { "s1:a": "s1-user-1", "s1:b": "s1-user-2" }],
    ["a role that differs is no match", [ours("u-6", "user", "ok")], [theirs("u-7", "assistant", "ok")], {}],
    ["messages already under our ids are left alone", [ours("u-8", "user", "hi")], [theirs("s1:u-8", "user", "hi")], {}],
  ] as const)("%s", (_name, own, server, expected) => {
    const got = matchLegacy(S, own, server);
    expect(Object.fromEntries([...got].map(([our, t]) => [our, t.externalId]))).toEqual(expected);
    // What an adoption keeps of ours to match (not what tools returned) matches the same.
    expect(matchLegacy(S, own.map(matchable), server)).toEqual(got);
  });
});
