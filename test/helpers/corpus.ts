/**
 * The transcripts the corpus tests read. On the project's own machines
 * ../shared/corpus (real transcripts, laid out like ~/.claude) sits beside
 * the repository; a contributor's clone and GitHub CI do not have it. Then
 * the tests that only need many realistic transcripts read a small history
 * made by the repository's own generator (bench/generate.ts), and the tests
 * that compare with figures recorded on the real corpus skip, saying why.
 */
import { cpSync, existsSync, readdirSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { generateCorpus } from "../../bench/generate.ts";
import { scratchDir } from "./scratch.ts";

/** Real transcripts, never copied into the repository. */
export const SHARED_CORPUS = join(import.meta.dir, "..", "..", "..", "shared", "corpus");
export const hasSharedCorpus = existsSync(join(SHARED_CORPUS, "projects"));

/** Said in the name of every test that skips without the shared corpus. */
export const WITHOUT_SHARED = "skipped: no ../shared/corpus beside this checkout, the real transcripts these figures were recorded on";

/** A name that says why the test skips when it does. */
export const needsShared = (name: string) => (hasSharedCorpus ? name : `${name} (${WITHOUT_SHARED})`);

/** Size and seed of the generated history: every layout bench/generate.ts knows, about ten sessions, read in well under a second. */
const GENERATED_BYTES = 2_000_000;
const GENERATED_SEED = 7;

let generated: string | undefined;
let rested: string | undefined;

/**
 * A temporary folder (removed at the process's exit) whose files all look last
 * written yesterday: a history, not sessions being written (a sync holds back
 * the last response of a file written in the last minute, and a fresh copy of
 * ../shared, as CI makes, is exactly that).
 */
function historyAtRest(fill: (dir: string) => void): string {
  const dir = scratchDir("ccs-corpus-");
  fill(dir);
  const yesterday = new Date(Date.now() - 24 * 60 * 60_000);
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) utimesSync(join(dir, name), yesterday, yesterday);
  return dir;
}

/** A Claude config folder (with `projects/`) holding the generated history, made once per test process. */
function generatedCorpus(): string {
  generated ??= historyAtRest((dir) => generateCorpus({ out: dir, bytes: GENERATED_BYTES, seed: GENERATED_SEED }));
  return generated;
}

/** The shared corpus copied to a temporary folder (never into the repository) once per test process, at rest. */
function restedSharedCorpus(): string {
  rested ??= historyAtRest((dir) => cpSync(join(SHARED_CORPUS, "projects"), join(dir, "projects"), { recursive: true }));
  return rested;
}

export interface TestCorpus {
  /** A Claude config folder: transcripts under `<root>/projects`. */
  root: string;
  shared: boolean;
  /** For test names: which corpus was read. */
  label: string;
  /** Sessions there are at least (the real corpus has more than 30, the generated one about ten). */
  minSessions: number;
}

/**
 * The shared corpus when it is there, else the generated history. A test that
 * syncs for real asks for it `atRest`: what it compares with the dry run must
 * not depend on when ../shared was last copied.
 */
export function testCorpus(options: { atRest?: boolean } = {}): TestCorpus {
  return hasSharedCorpus
    ? { root: options.atRest ? restedSharedCorpus() : SHARED_CORPUS, shared: true, label: "../shared/corpus", minSessions: 30 }
    : { root: generatedCorpus(), shared: false, label: "a generated history (../shared/corpus is absent)", minSessions: 5 };
}
