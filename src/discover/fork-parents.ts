import { readForkCopies } from "./fork-copies.ts";
import { type KnownFolders, type TranscriptFile, discoverFiles } from "./files.ts";

/**
 * A forked session (2.1.x `--fork-session`, `/branch`) starts with copies of its
 * parent's lines, each with `forkedFrom: {sessionId, messageUuid}`; their
 * responses count in the parent (fold/session-fold.ts). A read limited to some
 * sessions (a hook's pass, `sync --session`) that left the parent out would
 * count them in the fork, and the parent's read would later take them away:
 * per-session figures that depend on how the session was chosen, and on the
 * server a fork left holding them, for OpenSync never lowers a total to 0.
 * So such a read takes in the parents the chosen sessions were forked from.
 */

/** The copied lines come first: the first line of the conversation is one when the session is a fork. */
const HEAD_BYTES = 4 << 20;

/** The session a transcript was forked from, read from its first conversation line; undefined for one not forked (or unreadable). */
function forkParent(file: TranscriptFile): string | undefined {
  let parent: string | undefined;
  readForkCopies(
    file.path,
    file.sessionId,
    (_uuid, source) => {
      parent = source.sessionId;
      return false;
    },
    HEAD_BYTES,
  );
  return parent;
}

/**
 * discoverFiles for `only` and the sessions it was forked from (and theirs), when those are on disk.
 * `unread(file)` says that nothing of the file will be read (unchanged since the last read): a session
 * all of whose files are so counts no copy in this read, so its head is not read for a parent (a hook's
 * pass with nothing new then reads none of the transcript).
 */
export function discoverWithForkParents(
  roots: string[],
  known: KnownFolders | undefined,
  only: ReadonlySet<string>,
  unread: (file: TranscriptFile) => boolean,
): ReturnType<typeof discoverFiles> {
  const wanted = new Set(only);
  let discovery = discoverFiles(roots, known, wanted);
  const looked = new Set<string>();
  for (;;) {
    const parents = new Set<string>();
    // A session is read from its start when any of its files changed (a subagent's rewritten): its copies then count again.
    const reading = new Set(discovery.files.filter((f) => !unread(f)).map((f) => f.sessionId));
    for (const file of discovery.files) {
      if (file.kind !== "session" || looked.has(file.path) || !reading.has(file.sessionId)) continue;
      looked.add(file.path);
      const id = forkParent(file);
      if (id !== undefined && !wanted.has(id)) parents.add(id);
    }
    if (parents.size === 0) return discovery;
    for (const id of parents) wanted.add(id);
    discovery = discoverFiles(roots, known, wanted);
  }
}
