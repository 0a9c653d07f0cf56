import { type Stats, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { AGENT_FILE, head, lister, sessionIdInside, walkJsonl } from "./files.ts";

/**
 * A flat agent file last written this long before its session's first line cannot be the session's: its mtime
 * comes from the file's host, whose clock may lag this one's (a network home folder).
 */
const MTIME_SLACK_MS = 60_000;

/**
 * The bytes a session's files hold now: its transcript, its agents' under `<sessionId>/` (2.1.x), and the flat
 * `agent-*.jsonl` beside it (2.0.x) that name it inside. Files only grow: a hook's runner compares this with what
 * its last pass read, and a line added to any of them needs a pass.
 */
export function sessionBytes(transcriptPath: string, sessionId: string): number {
  const agents = walkJsonl(transcriptPath.replace(/\.jsonl$/, ""), lister([]));
  let bytes = 0;
  for (const path of [transcriptPath, ...agents]) bytes += look(path)?.size ?? 0;
  const flat = flatAgents(transcriptPath, sessionId);
  return flat ? bytes + flat.mine.reduce((sum, path) => sum + (look(path)?.size ?? 0), 0) : bytes;
}

/** The first version a transcript's lines name, and its first line's time. */
const VERSION = /"version"\s*:\s*"(\d+)\.(\d+)\./;
const TIMESTAMP = /"timestamp"\s*:\s*"([^"]+)"/;

/**
 * A session's flat agent files as the runner knows them between its looks. A project may hold thousands of
 * other sessions' (3,000: 17 ms of CPU a look to stat them all): each file is judged once, and a look stats
 * only the session's own. A file names its session only in its first line, which never changes; one last
 * written before the session began is another's without being opened.
 */
interface FlatAgents {
  /** The session's first line's time; 0 while unknown (every file is then opened once). */
  start: number;
  /** The listing last gone through: a new one (the folder changed) may hold new files. */
  listing: string[] | undefined;
  /** Names judged for good: the session's or another's. */
  judged: Set<string>;
  /** Files naming nothing yet (their first line not written): judged again at each look. */
  unsure: Set<string>;
  mine: string[];
}
const flats = new Map<string, FlatAgents>();

/**
 * The session's flat agent files; undefined when it has none: Claude Code 2.1 writes them under
 * `<session>/subagents/`, so a transcript begun by 2.1 or later has none, and its looks stat none of the older
 * sessions' beside it. Without a version (no transcript yet, only agents' files), it may.
 */
function flatAgents(transcriptPath: string, sessionId: string): FlatAgents | undefined {
  let flat = flats.get(transcriptPath);
  if (!flat || flat.start === 0) {
    const first = head(transcriptPath) ?? "";
    const version = VERSION.exec(first);
    if (version && !(Number(version[1]) < 2 || (Number(version[1]) === 2 && Number(version[2]) < 1))) return undefined;
    const start = Date.parse(TIMESTAMP.exec(first)?.[1] ?? "") || 0;
    // What was judged before the start was known stays judged: every file was opened then.
    if (flat) flat.start = start;
    else flats.set(transcriptPath, (flat = { start, listing: undefined, judged: new Set(), unsure: new Set(), mine: [] }));
  }
  const folder = dirname(transcriptPath);
  const names = agentNames(folder);
  if (names !== flat.listing) {
    for (const name of names) if (!flat.judged.has(name)) flat.unsure.add(name);
    flat.listing = names;
  }
  for (const name of flat.unsure) if (judge(flat, join(folder, name), name, sessionId)) flat.unsure.delete(name);
  return flat;
}

/** Whether the file's session is known now (a file gone is nobody's); the session's own joins `mine`. */
function judge(flat: FlatAgents, path: string, name: string, sessionId: string): boolean {
  const st = look(path);
  const owner = !st ? "" : st.mtimeMs < flat.start - MTIME_SLACK_MS ? "" : sessionIdInside(path);
  if (owner === undefined) return false;
  flat.judged.add(name);
  if (owner === sessionId) flat.mine.push(path);
  return true;
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
