/**
 * The transcripts the corpus tests read. On the project's own machines
 * ../shared/corpus (real transcripts, laid out like ~/.claude) sits beside
 * the repository; a contributor's clone and GitHub CI do not have it. Then
 * the tests that only need many realistic transcripts read a small history
 * made by the repository's own generator (bench/generate.ts), and the tests
 * that compare with figures recorded on the real corpus skip, saying why.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCorpus } from "../../bench/generate.ts";

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

/** A Claude config folder (with `projects/`) holding the generated history, made once per test process and removed at its exit. */
function generatedCorpus(): string {
  if (generated === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "ccs-corpus-"));
    generateCorpus({ out: dir, bytes: GENERATED_BYTES, seed: GENERATED_SEED });
    // A history, not sessions being written: a sync holds back the last response of a file written in the last minute.
    const yesterday = new Date(Date.now() - 24 * 60 * 60_000);
    for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) utimesSync(join(dir, name), yesterday, yesterday);
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    generated = dir;
  }
  return generated;
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

/** The shared corpus when it is there, else the generated history. */
export function testCorpus(): TestCorpus {
  return hasSharedCorpus
    ? { root: SHARED_CORPUS, shared: true, label: "../shared/corpus", minSessions: 30 }
    : { root: generatedCorpus(), shared: false, label: "a generated history (../shared/corpus is absent)", minSessions: 5 };
}
