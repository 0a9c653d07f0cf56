import { discoverFiles } from "../discover/files.ts";
import type { StateStore } from "../state/store.ts";
import { QUIET_MS, isQuiet } from "../scan/quiet.ts";
import { resumeFrom } from "../scan/scan.ts";
import { statePast } from "../sync/state-sink.ts";

interface Rescan {
  /**
   * Sessions with a file that is new or changed since the state database last
   * read it, and sessions held back (a response still open, or only subagents
   * written so far) whose files have gone quiet since: a read sends those now,
   * though no file changed.
   */
  changed: Set<string>;
  /** Each subagent file's session, by absolute path (flat agent files name theirs only inside). */
  subagents: Map<string, string>;
  /** When the first held session whose files are still being written goes quiet: nothing else would read it again. */
  quietAt: number | undefined;
}

/**
 * Lists the transcripts under `roots` and compares them with what the state
 * database has read: the database is the snapshot, so nothing is kept in memory
 * between two rescans and nothing read by another process (a hook's sync) counts
 * as changed.
 */
export function rescan(roots: string[], store: StateStore, now = Date.now()): Rescan {
  const changed = new Set<string>();
  const subagents = new Map<string, string>();
  const lastWrite = new Map<string, number>();
  // Every folder is listed (no digest): the subagent files of unchanged folders are wanted too.
  const read = { ...statePast(store), digest: () => undefined };
  for (const file of discoverFiles(roots, read).files) {
    if (file.kind === "subagent") subagents.set(file.path, file.sessionId);
    if (resumeFrom(file, read.files(file.folder).get(file.path), false) !== undefined) changed.add(file.sessionId);
    lastWrite.set(file.sessionId, Math.max(lastWrite.get(file.sessionId) ?? 0, file.mtimeMs));
  }
  let quietAt: number | undefined;
  for (const id of read.held) {
    const at = lastWrite.get(id);
    if (at === undefined) continue;
    if (isQuiet(at, now)) changed.add(id);
    else quietAt = Math.min(quietAt ?? Number.POSITIVE_INFINITY, at + QUIET_MS);
  }
  return { changed, subagents, quietAt };
}
