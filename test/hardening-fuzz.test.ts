/**
 * The reader and the fold against hostile transcripts (seeded): random bytes,
 * truncated and absurdly nested JSON, a 50 MB line, invalid UTF-8, BOMs, CRLF,
 * and a wrong type in every field the schemas read. Nothing may crash, every
 * bad line is counted exactly once, and the lines around a bad one are read
 * as if it were not there.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_FOLD_OPTIONS } from "../src/fold/session-fold.ts";
import { readAll as scanAll, readIntoState as readState } from "./helpers/read.ts";
import { StateStore } from "../src/state/store.ts";
import { readLines } from "../src/transcript/read-lines.ts";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli } from "./helpers/cli.ts";
import {
  type FuzzLine,
  anchor,
  bomLine,
  deepLines,
  fileBytes,
  hugeLine,
  invalidUtf8Lines,
  oddBlockLines,
  randomByteLines,
  truncatedLines,
  wrongTypeLines,
} from "./helpers/fuzz-lines.ts";
import { looksLikeCrash, removeTempDirs, syncEnv, tempDir } from "./helpers/hardening.ts";

const FOLD = { ...DEFAULT_FOLD_OPTIONS, thinking: true };

interface SessionFile {
  /** The fuzz lines; each is written between two valid prompts (after a first line of its own when there is one). */
  fuzz: FuzzLine[];
  first?: FuzzLine;
  eol?: string;
}

/** Fuzz transcripts by session id; the two 50 MB lines are read by a spawned `sync` only (a reader stuck on them would block the test process). */
const sessions: Record<string, SessionFile> = {
  "00000000-0000-4000-8000-000000000001": { fuzz: wrongTypeLines() },
  "00000000-0000-4000-8000-000000000002": { fuzz: oddBlockLines() },
  "00000000-0000-4000-8000-000000000003": { fuzz: randomByteLines(0xf00d, 400) },
  "00000000-0000-4000-8000-000000000004": { fuzz: truncatedLines(0xbeef, 200) },
  "00000000-0000-4000-8000-000000000005": { fuzz: deepLines() },
  "00000000-0000-4000-8000-000000000006": { fuzz: invalidUtf8Lines() },
  "00000000-0000-4000-8000-000000000008": { first: bomLine(true), fuzz: [bomLine(false)] },
  "00000000-0000-4000-8000-000000000009": { fuzz: wrongTypeLines().slice(0, 40), eol: "\r\n" },
};
const HUGE_SESSION = "00000000-0000-4000-8000-000000000007";
const huge: SessionFile = { fuzz: [hugeLine(50e6, true), hugeLine(50e6, false)] };

const fuzzLines = (files: SessionFile[]) => files.flatMap((f) => (f.first ? [f.first, ...f.fuzz] : f.fuzz));
const countBad = (files: SessionFile[]) => fuzzLines(files).filter((l) => l.bad).length;
const expectedBad = countBad(Object.values(sessions));

const written = new Map<SessionFile, FuzzLine[]>();

/** The file's lines: each fuzz line between two valid prompts, the same lines each time it is written. */
function linesOf(f: SessionFile): FuzzLine[] {
  let lines = written.get(f);
  if (!lines) written.set(f, (lines = [...(f.first ? [f.first] : []), ...f.fuzz.flatMap((line, i) => [anchor(i), line]), anchor(f.fuzz.length)]));
  return lines;
}

/** A Claude config folder with one transcript per session; `keep` chooses the lines written. */
function claudeDir(files: Record<string, SessionFile>, keep: (line: FuzzLine) => boolean): string {
  const root = tempDir("ccs-fuzz-");
  const project = join(root, "projects", "-tmp-fuzz");
  mkdirSync(project, { recursive: true });
  for (const [id, f] of Object.entries(files)) writeFileSync(join(project, `${id}.jsonl`), fileBytes(linesOf(f).filter(keep), f.eol));
  return root;
}

/** The sync's read step, in process: the state it leaves and what it counted. */
async function readIntoState(root: string) {
  const store = StateStore.open(join(tempDir("ccs-fuzz-state-"), "state.db"));
  try {
    const outcome = await readState(store, [join(root, "projects")], { fold: FOLD, redact: true });
    const messages = store.db.query("SELECT external_id, hash FROM messages ORDER BY external_id").all();
    return { stats: outcome.stats, messages };
  } finally {
    store.close();
  }
}

let fuzzed: string;
let control: string;
let server: TestServer;

beforeAll(async () => {
  fuzzed = claudeDir(sessions, () => true);
  control = claudeDir(sessions, (l) => !l.bad);
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
  removeTempDirs();
});

test("the sync's reader counts exactly the bad lines and reads the rest as if they were not there", async () => {
  const got = await readIntoState(fuzzed);
  const clean = await readIntoState(control);
  expect(clean.stats.badLines).toBe(0);
  expect(got.stats.badLines).toBe(expectedBad);
  expect(got.stats.files).toEqual([]);
  expect(got.messages).toEqual(clean.messages);
  expect(got.messages.length).toBeGreaterThan(500);
}, 60_000);

test("the dry run's reader counts the same", async () => {
  const { stats, sessions: read } = await scanAll([join(fuzzed, "projects")], FOLD);
  expect(stats.badLines).toBe(expectedBad);
  expect(read.length).toBe(Object.keys(sessions).length);
}, 60_000);

test("a line longer than one read's budget is read whole, so the sync's next read starts after it", () => {
  const path = join(tempDir("ccs-fuzz-long-"), "t.jsonl");
  writeFileSync(path, fileBytes([hugeLine(3e6, true), anchor(1)]));
  const starts: number[] = [];
  const r = readLines(path, 0, { line: (_text, start) => starts.push(start) }, 1e6);
  expect(starts[0]).toBe(0);
  expect(r.offset).toBeGreaterThan(3e6);
});

test("a real sync of the fuzzed transcripts and two 50 MB lines: no crash, every bad line reported, the server accepts everything sent", async () => {
  const all = { ...sessions, [HUGE_SESSION]: huge };
  const root = claudeDir(all, () => true);
  const r = await runCli(["sync", "--json"], { env: { ...syncEnv(server, root), CLAUDE_CODE_SYNC_TIMEOUT_MS: "30000" }, timeoutMs: 120_000 });
  expect(looksLikeCrash(r.stderr)).toBe(false);
  expect(r.stderr).toBe("");
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, failed: [], skipped: { badLines: countBad(Object.values(all)), files: 0 } });
  expect(r.code).toBe(0);
  const dump = server.dump();
  expect(dump.length).toBe(Object.keys(all).length);
  // The 50 MB prompt arrives, cut to the server's limits with a visible marker.
  const hugePrompt = server.session(HUGE_SESSION)?.messages.find((m) => m.textContent?.startsWith("huge "));
  expect(hugePrompt?.textContent).toContain("[truncated");
  expect(server.violations()).toEqual([]);
  console.log(
    `[hardening] fuzz: ${fuzzLines(Object.values(all)).length} fuzz lines (${countBad(Object.values(all))} made bad) in ${Object.keys(all).length} files, ` +
      `${dump.reduce((n, s) => n + s.messages.length, 0)} messages synced around them`,
  );
}, 120_000);
