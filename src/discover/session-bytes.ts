import { type Stats, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { AGENT_FILE, head, lister, sessionIdInside, walkJsonl } from "./files.ts";

/**
 * A flat agent file written this long before a hook may still be the session's: its mtime comes from the
 * file's host, whose clock may lag this one's (a network home folder).
 */
const MTIME_SLACK_MS = 60_000;

/**
 * The bytes a session's files hold now: its transcript, its agents' under `<sessionId>/` (2.1.x), and the flat
 * `agent-*.jsonl` beside it (2.0.x) that name it inside. Files only grow: a hook's runner compares this with what
 * its last pass read, and a line added to any of them needs a pass.
 *
 * A flat agent file names its session only in its first line, and a project may hold thousands of other
 * sessions' agent files: only those written since `since` (the hook) are opened. Which those are can only grow
 * while `since` stays, and an agent file of the session that grows joins them: any growth changes the sum.
 */
export function sessionBytes(transcriptPath: string, sessionId: string, since: number): number {
  const agents = walkJsonl(transcriptPath.replace(/\.jsonl$/, ""), lister([]));
  let bytes = 0;
  for (const path of [transcriptPath, ...agents]) bytes += look(path)?.size ?? 0;
  return writesFlatAgents(transcriptPath) ? bytes + flatAgentBytes(dirname(transcriptPath), sessionId, since - MTIME_SLACK_MS) : bytes;
}

/** The first version a transcript's lines name. */
const VERSION = /"version"\s*:\s*"(\d+)\.(\d+)\./;

/**
 * Whether the session may have flat agent files: Claude Code 2.1 writes them under `<session>/subagents/`, so a
 * transcript begun by 2.1 or later has none, and its looks stat none of the older sessions' beside it. Without
 * a version (no transcript yet, only agents' files), it may.
 */
function writesFlatAgents(transcriptPath: string): boolean {
  const version = VERSION.exec(head(transcriptPath) ?? "");
  if (!version) return true;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return major < 2 || (major === 2 && minor < 1);
}

/** The bytes of the session's flat agent files in `folder` written since `since`. */
function flatAgentBytes(folder: string, sessionId: string, since: number): number {
  let bytes = 0;
  for (const name of agentNames(folder)) {
    const path = join(folder, name);
    const st = look(path);
    if (st && st.mtimeMs >= since && sessionIdInside(path) === sessionId) bytes += st.size;
  }
  return bytes;
}

/**
 * Listings of project folders, kept by the runner between its looks: a folder of 5,000 sessions took 2.4 ms to
 * list, its stat 0.01 ms; since 2.1.x most hold no flat agent file at all.
 */
const listings = new Map<string, { mtimeMs: number; listedAt: number; agents: string[] }>();
/** A folder changed this soon before its listing may change again with the same mtime (file systems that keep whole seconds). */
const MTIME_GRAIN_MS = 2_000;

/** The names of the flat agent files in `folder`: listed again only when it changed since. */
function agentNames(folder: string): string[] {
  const mtimeMs = look(folder)?.mtimeMs;
  if (mtimeMs === undefined) return [];
  const known = listings.get(folder);
  if (known?.mtimeMs === mtimeMs && known.listedAt - mtimeMs > MTIME_GRAIN_MS) return known.agents;
  const listedAt = Date.now();
  let agents: string[];
  try {
    agents = readdirSync(folder).filter((name) => AGENT_FILE.test(name));
  } catch {
    return [];
  }
  listings.set(folder, { mtimeMs, listedAt, agents });
  return agents;
}

/** A file's stat; undefined when it is not written yet, or gone. */
function look(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
