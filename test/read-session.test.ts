/**
 * SessionReader across reads: a secret a rule finds only in a later read (the next turn's) makes
 * the session be read again from its start when, and only when, what was recorded before shows it.
 */
import { expect, test } from "bun:test";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_FOLD_OPTIONS, type FoldSnapshot } from "../src/fold/session-fold.ts";
import { SessionReader } from "../src/scan/read-session.ts";
import type { SessionChunk } from "../src/scan/work.ts";
import { scratchDir } from "./helpers/scratch.ts";
import { assistant, jsonl, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

const SESSION = "33333333-3333-4333-8333-333333333333";
const s = { sessionId: SESSION };
const PASSWORD = "Vb6-nM3#kT8y!";

/** The transcript as it stood at each read, each read resuming where the last stopped: every read's chunks. */
async function readInSteps(steps: string[]): Promise<SessionChunk[][]> {
  const dir = scratchDir("ccs-reader-");
  const path = join(dir, `${SESSION}.jsonl`);
  const reader = new SessionReader({ fold: DEFAULT_FOLD_OPTIONS, mode: "payloads", redact: true, redactPatterns: [], excludeProjects: [] }, []);
  let from = 0;
  let snapshot: FoldSnapshot | undefined;
  const reads: SessionChunk[][] = [];
  for (const step of steps) {
    writeFileSync(path, step);
    const st = statSync(path);
    const file = { path, folder: dir, sessionId: SESSION, kind: "session" as const, size: st.size, mtimeMs: st.mtimeMs, identity: `${st.dev}:${st.ino}` };
    const chunks: SessionChunk[] = [];
    await reader.read({ sessionId: SESSION, files: [{ file, from, fingerprint: null }], ...(snapshot ? { snapshot } : {}), final: true, quiet: true, now: Date.now() }, (c) => {
      chunks.push(c);
    });
    const last = chunks.at(-1) as SessionChunk;
    from = last.files.at(-1)?.offset ?? from;
    snapshot = last.snapshot;
    reads.push(chunks);
  }
  return reads;
}

const named = [assistant("msg_n", toolUse("toolu_n", "Bash", { command: `echo "DB_PASSWORD=${PASSWORD}" >> .env` }), s), toolResult("toolu_n", "", s)];

test("shown bare in an earlier read: the later read starts the session over, and every message it records is redacted", async () => {
  const shown = [user("Deploy it", s), assistant("msg_s", text(`Using ${PASSWORD} for the database.`), s)];
  const [, later] = await readInSteps([jsonl(shown), jsonl([...shown, ...named])]);
  const chunks = later as SessionChunk[];
  // The read that found it records nothing of its own: the one from the start replaces it.
  expect(chunks.map((c) => [c.startsOver, c.done])).toEqual([[true, true]]);
  const payloads = chunks.flatMap((c) => c.messages.map((m) => m.payload));
  expect(payloads.length).toBe(4);
  expect(payloads.some((p) => p.includes(PASSWORD))).toBe(false);
  expect(payloads.some((p) => p.includes("Using [REDACTED:secret] for the database."))).toBe(true);
});

test("never shown before: the later read goes on from where the last stopped", async () => {
  const before = [user("Deploy it", s), assistant("msg_s", text("Using the staging database."), s)];
  const [, later] = await readInSteps([jsonl(before), jsonl([...before, ...named])]);
  const chunks = later as SessionChunk[];
  expect(chunks.map((c) => [c.startsOver, c.done])).toEqual([[false, true]]);
  const payloads = chunks.flatMap((c) => c.messages.map((m) => m.payload));
  // Only what this read added to (the reply's turn) or made: not the prompt.
  expect(payloads.some((p) => p.includes("Deploy it"))).toBe(false);
  expect(payloads.some((p) => p.includes(PASSWORD))).toBe(false);
});
