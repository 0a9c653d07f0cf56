import { describe, expect, test } from "bun:test";
import { appendFileSync, readFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { type SkippedFile, discoverFiles, lister, walkJsonl } from "../src/discover/files.ts";
import { sessionBytes } from "../src/discover/session-bytes.ts";
import { jsonl, tempClaudeDir, user } from "./helpers/transcript.ts";

const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";

/** Two sessions in two layouts, each with a subagent, plus an empty subagent transcript of B (reported when looked at). */
function history() {
  const dir = tempClaudeDir();
  dir.write(`p1/${A}.jsonl`, jsonl([user("a", { sessionId: A })]));
  dir.write(`p1/${A}/subagents/agent-a1.jsonl`, jsonl([user("a1", { sessionId: A })]));
  dir.write(`p2/${B}.jsonl`, jsonl([user("b", { sessionId: B })]));
  dir.write("p2/agent-b1.jsonl", jsonl([user("b1", { sessionId: B })]));
  dir.write(`p2/${B}/subagents/agent-b2.jsonl`, jsonl([user("b2", { sessionId: B })]));
  dir.write(`p2/${B}/subagents/agent-b3.jsonl`, "");
  // A workflow's agent, and its journal, which is no transcript (2.1.2xx).
  dir.write(`p2/${B}/subagents/workflows/wf_1/agent-b4.jsonl`, jsonl([user("b4", { sessionId: B })]));
  dir.write(`p2/${B}/subagents/workflows/wf_1/journal.jsonl`, '{"type":"started","agentId":"b4"}\n');
  return dir;
}

const names = (d: ReturnType<typeof discoverFiles>) => d.files.map((f) => `${f.sessionId.slice(0, 1)} ${f.path.split("/projects/")[1]}`);

describe("discoverFiles", () => {
  test("every transcript of every session, subagents tied to their session; an empty one is reported", () => {
    const d = discoverFiles([history().projects]);
    expect(names(d)).toEqual([
      `a p1/${A}.jsonl`,
      `a p1/${A}/subagents/agent-a1.jsonl`,
      "b p2/agent-b1.jsonl",
      `b p2/${B}.jsonl`,
      `b p2/${B}/subagents/agent-b2.jsonl`,
      `b p2/${B}/subagents/workflows/wf_1/agent-b4.jsonl`,
    ]);
    expect(d.skipped.map((s) => s.path.split("/projects/")[1])).toEqual([`p2/${B}/subagents/agent-b3.jsonl`]);
  });

  test("a root given with a trailing slash or a `..` names each file by the same path as a plain one (the state's keys)", () => {
    const dir = history();
    const plain = discoverFiles([dir.projects]).files.map((f) => f.path);
    const parent = dir.projects.slice(0, dir.projects.lastIndexOf("/"));
    for (const root of [`${dir.projects}/`, `${parent}/../${parent.slice(parent.lastIndexOf("/") + 1)}/projects`, `${parent}/./projects//`]) {
      expect(discoverFiles([root]).files.map((f) => f.path)).toEqual(plain);
    }
    expect(plain[0]).toBe(`${dir.projects}/p1/${A}.jsonl`);
  });

  test("with only some sessions, the others' files are neither listed nor looked at", () => {
    const dir = history();
    const d = discoverFiles([dir.projects], undefined, new Set([A]));
    expect(names(d)).toEqual([`a p1/${A}.jsonl`, `a p1/${A}/subagents/agent-a1.jsonl`]);
    // B's empty transcript was never looked at.
    expect(d.skipped).toEqual([]);
    // A flat agent file names its session only inside: it is found for its session.
    expect(names(discoverFiles([dir.projects], undefined, new Set([B])))).toEqual([
      "b p2/agent-b1.jsonl",
      `b p2/${B}.jsonl`,
      `b p2/${B}/subagents/agent-b2.jsonl`,
      `b p2/${B}/subagents/workflows/wf_1/agent-b4.jsonl`,
    ]);
  });

  test("what earlier reads recorded of a folder is asked for only where a flat agent file's session must be known", () => {
    const dir = history();
    const asked: string[] = [];
    const known = { digest: () => undefined, files: (folder: string) => (asked.push(folder.split("/projects/")[1] as string), new Map()) };
    // A hook's pass for A: p2's flat agent file may be A's, p1 has none (a history of Claude Code 2.1 has none anywhere).
    expect(names(discoverFiles([dir.projects], known, new Set([A])))).toEqual([`a p1/${A}.jsonl`, `a p1/${A}/subagents/agent-a1.jsonl`]);
    expect(asked).toEqual(["p2"]);
  });
});

test("a flat agent file written with spaces in its JSON still names its session", () => {
  const dir = tempClaudeDir();
  dir.write(`p/${A}.jsonl`, jsonl([user("a", { sessionId: A })]));
  dir.write("p/agent-x1.jsonl", `${JSON.stringify(user("x1", { sessionId: A }), null, 1).replaceAll("\n", " ")}\n`);
  expect(names(discoverFiles([dir.projects]))).toEqual([`a p/${A}.jsonl`, "a p/agent-x1.jsonl"]);
});

describe("sessionBytes: what a hook's runner compares between its looks", () => {
  test("the transcript, the agents' under the session's folder (a workflow's too) and its flat agent files (2.0.x), not a journal nor another session's agent file", () => {
    const dir = history();
    dir.write("p2/agent-a9.jsonl", jsonl([user("a9", { sessionId: A })]));
    const size = (...parts: string[]) => statSync(join(dir.projects, ...parts)).size;
    const agents = size("p2", B, "subagents", "agent-b2.jsonl") + size("p2", B, "subagents", "workflows", "wf_1", "agent-b4.jsonl") + size("p2", "agent-b1.jsonl");
    expect(sessionBytes(join(dir.projects, "p2", `${B}.jsonl`), B)).toBe(size("p2", `${B}.jsonl`) + agents);
    // A session of which nothing is written yet.
    const C = "cccccccc-0000-4000-8000-000000000003";
    expect(sessionBytes(join(dir.projects, "p1", `${C}.jsonl`), C)).toBe(0);
  });

  test("a session Claude Code 2.1 or later began writes its agents under its folder: no flat agent file counts", () => {
    const dir = history();
    const C = "cccccccc-0000-4000-8000-000000000003";
    const path = dir.write(`p2/${C}.jsonl`, jsonl([{ ...user("c", { sessionId: C }), version: "2.1.17" }]));
    dir.write("p2/agent-c1.jsonl", jsonl([user("c1", { sessionId: C })]));
    expect(sessionBytes(path, C)).toBe(statSync(path).size);
  });

  test("a flat agent file of the session counts from the first look, however long ago it was last written, and each growth of it is seen", () => {
    const dir = history();
    const flat = join(dir.projects, "p2", "agent-b1.jsonl");
    const hour = new Date(Date.now() - 3_600_000);
    utimesSync(flat, hour, hour);
    const path = join(dir.projects, "p2", `${B}.jsonl`);
    const others = sessionBytes(path, B) - statSync(flat).size;
    for (const more of ["more", "and more"]) {
      appendFileSync(flat, jsonl([user(more, { sessionId: B })]));
      expect(sessionBytes(path, B)).toBe(others + statSync(flat).size);
    }
  });

  test("flat agent files written after a look count at the next, one whose first line comes later too; one last written before the session began is another's", () => {
    const dir = history();
    const path = join(dir.projects, "p2", `${B}.jsonl`);
    const before = sessionBytes(path, B);
    const empty = dir.write("p2/agent-b5.jsonl", "");
    const added = dir.write("p2/agent-b6.jsonl", jsonl([user("b6", { sessionId: B })]));
    expect(sessionBytes(path, B)).toBe(before + statSync(added).size);
    appendFileSync(empty, jsonl([user("b5", { sessionId: B })]));
    expect(sessionBytes(path, B)).toBe(before + statSync(added).size + statSync(empty).size);
    // Naming the session inside, but written a day before its first line: not opened.
    const stray = dir.write("p2/agent-b7.jsonl", jsonl([user("b7", { sessionId: B })]));
    const dayBefore = new Date(Date.parse(JSON.parse(readFileSync(path, "utf8").split("\n")[0] as string).timestamp) - 86_400_000);
    utimesSync(stray, dayBefore, dayBefore);
    expect(sessionBytes(path, B)).toBe(before + statSync(added).size + statSync(empty).size);
  });
});

test("a folder gone when it is listed is no failure (Claude Code's cleanup at start); one that cannot be listed for another reason is", () => {
  const dir = tempClaudeDir();
  const file = dir.write("p1/x.jsonl", jsonl([user("x", { sessionId: "x" })]));
  const skipped: SkippedFile[] = [];
  const list = lister(skipped);
  expect(list(join(dir.projects, "gone"))).toEqual([]);
  expect(walkJsonl(join(dir.projects, "p1", "gone-session"), list)).toEqual([]);
  expect(skipped).toEqual([]);
  expect(list(file)).toEqual([]); // a file in a folder's place: ENOTDIR
  expect(skipped).toEqual([{ path: file, reason: expect.stringContaining("ENOTDIR") }]);
});
