import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ForkOrigins, waitEnded, waitOver } from "../src/discover/fork-origins.ts";
import { scratchDir } from "./helpers/scratch.ts";

/**
 * Project folders under one root: in `p`, G (no copies), C (a fork of G), GC (of C), R (a fork whose
 * copies were given new uuids, naming the lines they copy by messageUuid); in `q`, a fork of C kept
 * in another project folder. X is named by copies and has no transcript. In another root (a second
 * folder of CLAUDE_CONFIG_DIR), Y: a fork of G.
 */
function history() {
  const root = scratchDir("ccs-origins-");
  const other = scratchDir("ccs-origins-other-");
  const write = (project: string, session: string, lines: object[], under = root) => {
    mkdirSync(join(under, project), { recursive: true });
    writeFileSync(join(under, project, `${session}.jsonl`), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  };
  const line = (uuid: string, from?: string, messageUuid = uuid) => ({ type: "assistant", uuid, ...(from ? { forkedFrom: { sessionId: from, messageUuid } } : {}) });
  write("p", "G", [{ type: "summary", summary: "before the conversation" }, line("g1")]);
  write("p", "C", [line("g1", "G"), line("c1")]);
  write("p", "GC", [line("g1", "C"), line("c1", "C"), line("x1", "X"), line("gc1")]);
  write("p", "R", [line("r-new", "GC", "g1"), line("r-own")]);
  write("q", "CC", [line("g1", "C"), line("cc1")]);
  write("z", "Y", [line("g1", "G"), line("y1")], other);
  return { p: join(root, "p"), q: join(root, "q"), roots: [root, other] };
}

describe("the session a fork's copied line was made in", () => {
  const { p, q, roots } = history();
  const origins = new ForkOrigins(roots);
  test.each([
    ["a line of the parent's own", { sessionId: "C", messageUuid: "c1" }, p, { sessionId: "C" }],
    ["a line the parent copied from its own parent", { sessionId: "C", messageUuid: "g1" }, p, { sessionId: "G" }],
    ["three forks down: followed to the first", { sessionId: "GC", messageUuid: "g1" }, p, { sessionId: "G" }],
    ["a copy of the parent's own line, its id reused up the chain (each copy names its own source)", { sessionId: "GC", messageUuid: "c1" }, p, { sessionId: "C" }],
    ["copies that name the line by messageUuid, not their own uuid", { sessionId: "R", messageUuid: "r-new" }, p, { sessionId: "G" }],
    ["the parent's transcript in another project folder of the root", { sessionId: "CC", messageUuid: "g1" }, p, { sessionId: "G" }],
    ["from that folder, the parent in the first", { sessionId: "C", messageUuid: "g1" }, q, { sessionId: "G" }],
    ["the parent's transcript in another root", { sessionId: "Y", messageUuid: "g1" }, p, { sessionId: "G" }],
    ["a parent without a transcript: it, and noted missing", { sessionId: "X", messageUuid: "x1" }, p, { sessionId: "X", missing: "X" }],
    ["a source without a transcript further up: the last session known, noted missing", { sessionId: "GC", messageUuid: "x1" }, p, { sessionId: "X", missing: "X" }],
    ["no uuid to follow: the parent", { sessionId: "C", messageUuid: undefined }, p, { sessionId: "C" }],
  ] as const)("%s", (_name, source, folder, expected) => {
    expect(origins.originOf(source, folder)).toEqual(expected);
  });

  test.each([
    ["its source's transcript is there now", "GC", { folder: p, sources: ["C"] }, true],
    ["its source's transcript is in another project folder", "GC", { folder: p, sources: ["CC"] }, true],
    ["its source's transcript is in another root", "GC", { folder: p, sources: ["Y"] }, true],
    ["none of its sources is there", "GC", { folder: p, sources: ["X"] }, false],
    ["the waiting session's own transcript is gone", "GONE", { folder: p, sources: ["C"] }, false],
  ] as const)("a wait, %s: over is %p", (_name, session, wait, over) => {
    expect(waitOver(session, { folder: wait.folder, sources: [...wait.sources] }, roots)).toBe(over);
  });

  test.each([
    ["its own transcript is there", "GC", false],
    ["its own transcript is gone", "GONE", true],
  ] as const)("a wait ends for good when %s: %p", (_name, session, ended) => {
    expect(waitEnded(session, { folder: p, sources: ["X"] })).toBe(ended);
  });

  test("a wait whose folder the system will not show now (here a link to itself: ELOOP; a folder's permissions, a drive not mounted) is kept; one whose folder is a file is over", () => {
    const dir = scratchDir("ccs-wait-");
    symlinkSync(join(dir, "loop"), join(dir, "loop"));
    writeFileSync(join(dir, "file"), "");
    expect(waitEnded("GC", { folder: join(dir, "loop"), sources: ["X"] })).toBe(false);
    expect(waitEnded("GC", { folder: join(dir, "file"), sources: ["X"] })).toBe(true);
  });
});
