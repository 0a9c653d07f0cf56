import { discoverFiles } from "../discover/files.ts";
import { projectRoots } from "../discover/roots.ts";
import type { SyncRequest } from "./queue.ts";

/**
 * A request whose event named no `transcript_path` (an event or a version of Claude Code that leaves it out)
 * gets the session's transcript from the runner's own projects folders, once: it is kept in the request when
 * put back. Without it each look at the session's files would be a pass, and no late look would follow. Costs a
 * listing of the projects folders, once per such request.
 */
export function withTranscript<R extends SyncRequest>(r: R): R {
  if (r.transcriptPath !== undefined) return r;
  try {
    const found = discoverFiles(projectRoots(process.env), undefined, new Set([r.sessionId])).files.find((f) => f.kind === "session");
    return found ? { ...r, transcriptPath: found.path } : r;
  } catch {
    return r; // the pass says what is wrong with the folders
  }
}
