import { describe, expect, test } from "bun:test";
import type { FoldSnapshot, FoldedMessage } from "../src/fold/session-fold.ts";
import type { Part } from "../src/opensync/payload.ts";
import { messagePayload, snapshotAtRest } from "../src/plan/message-payload.ts";
import { scrubberFrom } from "../src/plan/payloads.ts";
import { createRedactor } from "../src/safety/redact.ts";

const KEY = "sk-ant-api03-" + "Zq7vK2mXw9RtY4bN8cLp3sHd6fJg1aQe5uVo0iTr".repeat(2) + "-AbCdEfAA";
const scrub = scrubberFrom(createRedactor());

describe("snapshotAtRest: the fold's carry-over as the state keeps it", () => {
  const snapshot: FoldSnapshot = {
    meta: { sessionId: "s1", cwd: "/home/dev/app", title: `deploy with ${KEY}`, summary: `Key ${KEY} rotated`, command: `/login ${KEY}`, subagentPrompt: `use ${KEY}`, lastAt: 5 },
    open: [
      {
        messageId: "msg_1",
        externalId: "s1:msg_1",
        thread: "main",
        createdAt: 1,
        order: 0,
        blocks: [
          { type: "text", text: `Your key is ${KEY}` },
          { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: `export ANTHROPIC_API_KEY=${KEY}` } },
        ],
      },
    ],
    closed: ["msg_0"],
    queued: ["1x2y3z"],
  };

  test("redacts the transcript's text in it and keeps everything else as it was", () => {
    const kept = snapshotAtRest(snapshot, scrub);
    expect(JSON.stringify(kept)).not.toContain(KEY.slice(14, 40));
    expect(kept.meta.title).toStartWith("deploy with [REDACTED:");
    expect(kept.open[0]?.blocks[1]).toMatchObject({ type: "tool_use", id: "toolu_1", name: "Bash" });
    const { title, summary, command, subagentPrompt, ...rest } = kept.meta;
    expect(rest).toEqual({ sessionId: "s1", cwd: "/home/dev/app", lastAt: 5 });
    expect({ ...kept, meta: undefined, open: undefined }).toEqual({ ...snapshot, meta: undefined, open: undefined });
  });

  test("kept again, it stays the same: what is built from it later is what one read builds", () => {
    const once = snapshotAtRest(snapshot, scrub);
    expect(snapshotAtRest(once, scrub)).toEqual(once);
  });

  test("with redaction turned off it is kept as it is", () => {
    expect(snapshotAtRest(snapshot, scrubberFrom(undefined))).toEqual(snapshot);
  });
});

/** One tool call as the fold hands it over, and its arguments as they would be sent. */
const call = (toolName: string, args: Record<string, unknown>): FoldedMessage => ({
  externalId: "s1:u1",
  sessionId: "s1",
  role: "assistant",
  createdAt: 1,
  order: 0,
  parts: [{ type: "tool-call", content: { toolName, args, toolCallId: "toolu_1" } }],
});
const argsOf = (m: FoldedMessage) => {
  const { payload, redactions } = messagePayload(m, scrub);
  return { args: ((payload.parts[0] as Part).content as { args: Record<string, unknown> }).args, redactions };
};

describe("messagePayload: a file tool writing a file named for a secret", () => {
  const password = "Zq7vW2pL9x";

  test("what Write, Edit and MultiEdit write there goes, whatever its shape; the rest of the call stays", () => {
    expect(argsOf(call("Write", { file_path: "/app/secrets/db_password.txt", content: `${password}\n` }))).toEqual({
      args: { file_path: "/app/secrets/db_password.txt", content: "[REDACTED:secret]\n" },
      redactions: 1,
    });
    expect(argsOf(call("Edit", { file_path: "/home/dev/.vault-pass", old_string: "changeme1", new_string: password, replace_all: false }))).toEqual({
      args: { file_path: "/home/dev/.vault-pass", old_string: "[REDACTED:secret]", new_string: "[REDACTED:secret]", replace_all: false },
      redactions: 2,
    });
    expect(argsOf(call("MultiEdit", { file_path: "/home/dev/.config/app/token", edits: [{ old_string: "x1y2z3w4", new_string: password }] }))).toEqual({
      args: { file_path: "/home/dev/.config/app/token", edits: [{ old_string: "[REDACTED:secret]", new_string: "[REDACTED:secret]" }] },
      redactions: 2,
    });
  });

  test("OpenVPN's auth-user-pass file written: its password line goes (found by the red team)", () => {
    expect(argsOf(call("Write", { file_path: "/etc/openvpn/auth.txt", content: `alice\n${password}\n` }))).toEqual({
      args: { file_path: "/etc/openvpn/auth.txt", content: "alice\n[REDACTED:password]\n" },
      redactions: 1,
    });
  });

  test("an environment file written or edited: a variable's opaque token goes whatever its name, an edit's two sides as before (found by the red team)", () => {
    const token = "Xk9mQ2pL7vR3zT8wN1bY4cF6";
    expect(argsOf(call("Edit", { file_path: "/app/.env", old_string: "OPENAI=", new_string: `OPENAI=${token}` }))).toEqual({
      args: { file_path: "/app/.env", old_string: "OPENAI=", new_string: "OPENAI=[REDACTED:secret]" },
      redactions: 1,
    });
    const content = `NODE_ENV=production\nPORT=3000\nSTRIPE=${token}\nGIT_SHA=8f14e45fceea167a5a36dedd4bea2543\n`;
    expect(argsOf(call("Write", { file_path: "/app/.env.local", content }))).toEqual({
      args: { file_path: "/app/.env.local", content: content.replace(token, "[REDACTED:secret]") },
      redactions: 1,
    });
    expect(argsOf(call("Edit", { file_path: "/app/.env", old_string: "API_KEY=abc", new_string: "API_KEY=9f8e7d6c5b4a" }))).toEqual({
      args: { file_path: "/app/.env", old_string: "API_KEY=[REDACTED:secret]", new_string: "API_KEY=[REDACTED:secret]" },
      redactions: 2,
    });
  });

  test("elsewhere, and lines of words there, stay as they are", () => {
    const plain = { file_path: "/app/src/version.txt", content: password };
    expect(argsOf(call("Write", plain))).toEqual({ args: plain, redactions: 0 });
    const notes = { file_path: "/app/secrets/db_password.txt", content: "ask the ops team for it\nthen paste it here" };
    expect(argsOf(call("Write", notes))).toEqual({ args: notes, redactions: 0 });
    const odd = { file_path: "/app/secrets/token", edits: "not a list" };
    expect(argsOf(call("MultiEdit", odd))).toEqual({ args: odd, redactions: 0 });
  });
});

describe("messagePayload: an MCP tool writing to a secret store (found by a secret-fixing helper)", () => {
  const R = "[REDACTED:secret]";

  test("what it writes goes, whatever its shape, as a read of the store's record does; what names and places it stays", () => {
    const cases: [toolName: string, args: Record<string, unknown>, redacted: Record<string, unknown>, count: number][] = [
      ["mcp__vault__write_secret", { path: "secret/data/stripe", data: { webhook: "whsec_Ab12Cd34", user: "admin" } }, { path: "secret/data/stripe", data: { webhook: R, user: R } }, 2],
      ["mcp__vault__write_secret", { path: "secret/data/app", value: "correct horse battery staple" }, { path: "secret/data/app", value: R }, 1],
      [
        "mcp__1password__create_item",
        { vault: "Private", title: "Stripe", category: "LOGIN", fields: [{ label: "password", value: "Sunshine Library 9" }] },
        { vault: "Private", title: "Stripe", category: "LOGIN", fields: [{ label: "password", value: R }] },
        1,
      ],
      ["mcp__aws__put_secret_value", { SecretId: "prod/db", SecretString: "hunter2horse" }, { SecretId: "prod/db", SecretString: R }, 1],
      ["mcp__doppler__set_secret", { project: "api", config: "prd", name: "STRIPE_KEY", value: "abcdefghij" }, { project: "api", config: "prd", name: "STRIPE_KEY", value: R }, 1],
      ["mcp__infisical__create-secret", { secretKey: "STRIPE_KEY", secretValue: "sunshine", environment: "prod" }, { secretKey: "STRIPE_KEY", secretValue: R, environment: "prod" }, 1],
      ["mcp__vault__write_secret", { path: "secret/data/pin", data: { pin: 4821, ttl: 3600 }, ttl: 3600 }, { path: "secret/data/pin", data: { pin: R, ttl: 3600 }, ttl: 3600 }, 1],
    ];
    for (const [toolName, args, redacted, count] of cases) expect({ toolName, ...argsOf(call(toolName, args)) }).toEqual({ toolName, args: redacted, redactions: count });
  });

  test("a read's input, a secret's name and another server's call stay", () => {
    for (const [toolName, args] of [
      ["mcp__vault__read", { path: "secret/data/stripe" }],
      ["mcp__doppler__get_secret", { project: "api", config: "prd", secret: "STRIPE_KEY" }],
      ["mcp__aws__secretsmanager_get_secret_value", { SecretId: "prod/db", VersionStage: "AWSCURRENT" }],
      ["mcp__github__create_issue", { title: "x", body: "the value is fine", value: "hello" }],
      ["mcp__obsidian__write_note", { path: "vault/today.md", data: { value: "hello there" } }],
    ] as const) {
      expect(argsOf(call(toolName, args))).toEqual({ args, redactions: 0 });
    }
  });
});
