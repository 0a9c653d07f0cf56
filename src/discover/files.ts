import { closeSync, openSync, readSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";

type FileKind = "session" | "subagent";

/** One transcript file and the session it belongs to. */
export interface TranscriptFile {
  path: string;
  sessionId: string;
  kind: FileKind;
  size: number;
  mtimeMs: number;
  /** Device and inode: tells a replaced file from an appended one. */
  identity: string;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

const UNREADABLE = "unreadable: ";

/** A file or folder that could not be read (no permission, deleted meanwhile): the next read tries it again. */
export function unreadable(path: string, error: unknown): SkippedFile {
  return { path, reason: UNREADABLE + (error as Error).message };
}

/** Why reading a skipped file failed, or undefined for one skipped for what it holds (empty...). */
export function readError(file: SkippedFile): string | undefined {
  return file.reason.startsWith(UNREADABLE) ? file.reason.slice(UNREADABLE.length) : undefined;
}

interface Discovery {
  files: TranscriptFile[];
  skipped: SkippedFile[];
}

const AGENT_FILE = /^agent-.+\.jsonl$/;

type Entry = { name: string; path: string; dir: boolean; file: boolean };

/**
 * Every transcript under the given `projects/` roots. Subagent transcripts in
 * all three layouts are tied to their parent session:
 *   1.0.x inline `isSidechain` lines (nothing to do here),
 *   2.0.x flat `<project>/agent-<id>.jsonl` (parent named by the lines' sessionId),
 *   2.1.x `<project>/<sessionId>/subagents/agent-<id>.jsonl`.
 * Symbolic links to project folders and transcripts are followed (a folder
 * reached twice, through a loop or two links, is read once). `known` (what an
 * earlier read recorded) saves reading the first line of a flat agent file
 * again to learn its session. With `only` (a hook's pass, `sync --session`),
 * the files of other sessions are not looked at: a pass costs a folder
 * listing per project, not a stat per transcript of the whole history.
 */
export function discoverFiles(
  roots: string[],
  known?: ReadonlyMap<string, { sessionId: string; identity: string }>,
  only?: ReadonlySet<string>,
): Discovery {
  const files: TranscriptFile[] = [];
  const skipped: SkippedFile[] = [];
  const seenDirs = new Set<string>();
  const wanted = (sessionId: string) => !only || only.has(sessionId);
  const add = (path: string, kind: FileKind, sessionId: string | undefined) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(path);
    } catch (error) {
      skipped.push(unreadable(path, error));
      return;
    }
    if (st.size === 0) {
      skipped.push({ path, reason: "empty file" });
      return;
    }
    const identity = `${st.dev}:${st.ino}`;
    const cached = known?.get(path);
    const id = sessionId ?? (cached?.identity === identity ? cached.sessionId : sessionIdInside(path));
    if (!id) {
      skipped.push({ path, reason: "no session id in its first lines" });
      return;
    }
    if (!wanted(id)) return;
    files.push({ path, sessionId: id, kind, size: st.size, mtimeMs: st.mtimeMs, identity });
  };
  /** A folder's entries, links resolved; undefined for a folder already listed (a link loop). */
  const list = (dir: string): Entry[] => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (error) {
      skipped.push(unreadable(dir, error));
      return [];
    }
    if (seenDirs.has(real)) return [];
    seenDirs.add(real);
    try {
      return readdirSync(dir, { withFileTypes: true }).map((e) => entry(dir, e.name, e.isSymbolicLink() ? undefined : e));
    } catch (error) {
      skipped.push(unreadable(dir, error));
      return [];
    }
  };

  for (const root of roots) {
    for (const project of list(root)) {
      if (!project.dir) continue;
      for (const e of list(project.path)) {
        if (e.file && e.name.endsWith(".jsonl")) {
          // A flat agent file names its session only inside: it is looked at whatever `only` holds.
          const sessionId = basename(e.name, ".jsonl");
          if (AGENT_FILE.test(e.name)) add(e.path, "subagent", undefined);
          else if (wanted(sessionId)) add(e.path, "session", sessionId);
        } else if (e.dir && wanted(e.name)) {
          // `<sessionId>/subagents/*.jsonl` (and any other nesting under a session folder).
          for (const nested of walkJsonl(e.path, list)) add(nested, "subagent", e.name);
        }
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

/** A folder entry; a symbolic link is resolved (a dangling one is neither file nor folder). */
function entry(dir: string, name: string, dirent: { isDirectory(): boolean; isFile(): boolean } | undefined): Entry {
  const path = join(dir, name);
  if (dirent) return { name, path, dir: dirent.isDirectory(), file: dirent.isFile() };
  try {
    const st = statSync(path);
    return { name, path, dir: st.isDirectory(), file: st.isFile() };
  } catch {
    return { name, path, dir: false, file: false };
  }
}

function walkJsonl(dir: string, list: (dir: string) => Entry[]): string[] {
  const out: string[] = [];
  for (const e of list(dir)) {
    if (e.dir) out.push(...walkJsonl(e.path, list));
    else if (e.file && e.name.endsWith(".jsonl")) out.push(e.path);
  }
  return out;
}

const SESSION_ID = /"sessionId":"([^"]+)"/;
const HEAD = new Uint8Array(16 * 1024);
const headDecoder = new TextDecoder();

/** The parent session id of a flat agent file, from its first line (read into one shared buffer). */
function sessionIdInside(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const n = readSync(fd, HEAD, 0, HEAD.length, 0);
    return SESSION_ID.exec(headDecoder.decode(HEAD.subarray(0, n)))?.[1];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
