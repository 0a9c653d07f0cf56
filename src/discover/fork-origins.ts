import { constants, lstatSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { mayAccess } from "../runtime/access.ts";
import { type CopySource, readForkCopies } from "./fork-copies.ts";

/**
 * The session a fork's copied line was made in. A fork of a fork (`/branch` of a `/branch`) copies
 * its parent's lines, those the parent copied from its own parent among them, and marks each copy
 * `forkedFrom` the parent only: the uuid stays the same down the chain, so a grandparent's line
 * reads as the parent's own unless the copies are followed back, file to file. A response without
 * a request id is one response only within the session that made it (usage-ledger.ts dedupKey):
 * its copies must name that session, or each fork down the chain counts it again. Asked only of
 * such copies, so a history without them reads nothing more; each parent's copies are read once.
 */
export class ForkOrigins {
  /** Per session looked up: its copied lines' sources by uuid; null when its transcript was not found. */
  private readonly copies = new Map<string, Map<string, CopySource> | null>();

  /** `roots`: every `projects/` folder read, where a transcript is looked for past the fork's own root. */
  constructor(private readonly roots: readonly string[]) {}

  /**
   * The session the line `source` names was made in, its transcript looked for in `folder` (a fork is
   * written in its parent's project folder), then in the other project folders beside it, then in the
   * other roots (two accounts' folders in CLAUDE_CONFIG_DIR, a history copied between them). Where a
   * transcript down the chain is not found, the last session known: `missing` names it.
   */
  originOf(source: CopySource, folder: string): { sessionId: string; missing?: string } {
    let at = source;
    const seen = new Set<string>();
    for (;;) {
      seen.add(at.sessionId);
      const copies = this.copiesOf(at.sessionId, folder);
      if (copies === null) return { sessionId: at.sessionId, missing: at.sessionId };
      const up = at.messageUuid === undefined ? undefined : copies.get(at.messageUuid);
      // A line of its own there, or a loop that no real chain makes.
      if (up === undefined || seen.has(up.sessionId)) return { sessionId: at.sessionId };
      at = up;
    }
  }

  private copiesOf(sessionId: string, folder: string): Map<string, CopySource> | null {
    let copies = this.copies.get(sessionId);
    if (copies !== undefined) return copies;
    const path = transcriptOf(sessionId, folder, this.roots);
    const found = new Map<string, CopySource>();
    const note = (uuid: string | undefined, source: CopySource) => {
      if (uuid !== undefined) found.set(uuid, source);
      return true;
    };
    copies = path !== undefined && readForkCopies(path, sessionId, note) ? found : null;
    this.copies.set(sessionId, copies);
    return copies;
  }
}

/**
 * A session read while the transcript of a session its copies name was not found (`sources`, from its
 * project folder `folder`): those copies' keys name the last session known. When one is there, the
 * session is read again from its start, and its figures corrected (scan.ts).
 */
export interface ForkWait {
  folder: string;
  sources: string[];
}

/** Whether a transcript one of a wait's sources names is there now (in `roots`, as ForkOrigins looks), and the waiting session's own still is. */
export function waitOver(sessionId: string, wait: ForkWait, roots: readonly string[]): boolean {
  return mayAccess(join(wait.folder, `${sessionId}.jsonl`), constants.R_OK) && wait.sources.some((s) => transcriptOf(s, wait.folder, roots) !== undefined);
}

/**
 * Whether a wait is over for good: the waiting session's own transcript is gone (Claude Code's cleanup after
 * cleanupPeriodDays, or the user), so nothing can read it again. A parent that never comes leaves the wait
 * until then. Only a transcript surely not there ends it: one the system will not show now (its folder's
 * permissions, a drive not mounted, an I/O error) keeps it.
 */
export function waitEnded(sessionId: string, wait: ForkWait): boolean {
  try {
    lstatSync(join(wait.folder, `${sessionId}.jsonl`));
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR";
  }
}

/** The session's own transcript, readable: in `folder`, else in another project folder of its root, else of another root. */
function transcriptOf(sessionId: string, folder: string, roots: readonly string[]): string | undefined {
  const name = `${sessionId}.jsonl`;
  const near = join(folder, name);
  if (mayAccess(near, constants.R_OK)) return near;
  const own = dirname(folder);
  for (const root of [own, ...roots.filter((r) => resolve(r) !== own)]) {
    try {
      for (const project of readdirSync(root)) {
        const path = join(root, project, name);
        if (mayAccess(path, constants.R_OK)) return path;
      }
    } catch {
      // The root cannot be listed: the transcript is not found there.
    }
  }
  return undefined;
}
