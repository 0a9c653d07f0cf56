import { describe, expect, test } from "bun:test";
import type { TranscriptFile } from "../src/discover/files.ts";
import { discoverWithForkParents } from "../src/discover/fork-parents.ts";
import { assistant, jsonl, resetClock, tempClaudeDir, text, user } from "./helpers/transcript.ts";

// A read limited to a fork (a hook's pass, sync --session) takes in its parent, where the fork's
// copied responses count; unless nothing of the fork is read, when its head is not read either.
const PARENT = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
const FORK = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";

function forkedHistory() {
  resetClock(Date.parse("2026-11-20T10:00:00.000Z"));
  const cwd = "/home/dev/shop";
  const parentLines = [
    user("Draft the release notes", { sessionId: PARENT, cwd, uuid: "p-u1" }),
    assistant("msg_p1", text("Release notes: faster sync."), { sessionId: PARENT, cwd, uuid: "p-a1", model: "claude-opus-5" }),
  ];
  const copied = parentLines.map((l) => ({ ...l, sessionId: FORK, forkedFrom: { sessionId: PARENT, messageUuid: l.uuid } }));
  const claude = tempClaudeDir();
  claude.write(`-home-dev-shop/${PARENT}.jsonl`, jsonl(parentLines));
  claude.write(`-home-dev-shop/${FORK}.jsonl`, jsonl([...copied, user("make them shorter", { sessionId: FORK, cwd })]));
  claude.write(`-home-dev-shop/${FORK}/subagents/agent-a1.jsonl`, jsonl([user("look it up", { sessionId: FORK, cwd, isSidechain: true })]));
  return claude;
}

const sessionsOf = (files: TranscriptFile[]) => [...new Set(files.map((f) => f.sessionId))].sort();

describe("discoverWithForkParents", () => {
  const claude = forkedHistory();
  const discover = (unread: (f: TranscriptFile) => boolean) => discoverWithForkParents([claude.projects], undefined, new Set([FORK]), unread);

  test("a fork with something to read brings its parent", () => {
    expect(sessionsOf(discover(() => false).files)).toEqual([PARENT, FORK].sort());
  });

  test("a fork none of whose files will be read does not (its head is not read)", () => {
    expect(sessionsOf(discover(() => true).files)).toEqual([FORK]);
  });

  test("a fork whose own file is unchanged but a subagent's is not still does: the session may be read from its start", () => {
    expect(sessionsOf(discover((f) => f.kind === "session").files)).toEqual([PARENT, FORK].sort());
  });
});
