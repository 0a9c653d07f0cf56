import { describe, expect, test } from "bun:test";
import type { FoldSnapshot } from "../src/fold/session-fold.ts";
import { scrubberFrom, snapshotAtRest } from "../src/plan/payloads.ts";
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
