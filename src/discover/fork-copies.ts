import { readLines } from "../transcript/read-lines.ts";

/**
 * A forked session (2.1.x `--fork-session`, `/branch`) starts with copies of its parent's lines,
 * each with `forkedFrom: {sessionId, messageUuid}`; its own lines follow. This reads those copies.
 */

/** The line a copy was copied from: its session and its uuid there. */
export interface CopySource {
  sessionId: string;
  messageUuid: string | undefined;
}

/**
 * Bytes only a line that may answer holds (unescaped, so as a key of the line, not in a text): lines
 * before the conversation (snapshots, summaries, a title), often large, are passed over unparsed.
 */
const ANSWERS = ['"forkedFrom":', '"type":"user"', '"type":"assistant"'].map((b) => Buffer.from(b));
/** Thrown to stop reading: a read takes no more of a file than it needs. */
const DONE = new Error("fork copies read");

/**
 * Calls `visit` with each copied line of the transcript at `path` (its uuid and source; a line naming
 * its own session `sessionId` is no copy), in file order, until the first conversation line that is no
 * copy, or until `visit` returns false, or `maxBytes`. Returns false when the file cannot be read.
 */
export function readForkCopies(path: string, sessionId: string, visit: (uuid: string | undefined, source: CopySource) => boolean, maxBytes?: number): boolean {
  const line = (bytes: Buffer) => {
    if (!ANSWERS.some((b) => bytes.includes(b))) return;
    let entry: { type?: unknown; uuid?: unknown; forkedFrom?: { sessionId?: unknown; messageUuid?: unknown } } | undefined;
    try {
      entry = JSON.parse(bytes.toString("utf8"));
    } catch {
      return; // A bad line is the reader's to report.
    }
    const from = entry?.forkedFrom;
    if (typeof from?.sessionId === "string" && from.sessionId !== sessionId) {
      const source = { sessionId: from.sessionId, messageUuid: typeof from.messageUuid === "string" ? from.messageUuid : undefined };
      if (!visit(typeof entry?.uuid === "string" ? entry.uuid : undefined, source)) throw DONE;
    } else if (entry?.type === "user" || entry?.type === "assistant") throw DONE;
  };
  try {
    readLines(path, 0, { line }, maxBytes);
  } catch (error) {
    return error === DONE;
  }
  return true;
}
