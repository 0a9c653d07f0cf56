import { closeSync, openSync, readSync, readdirSync, realpathSync, statSync } from "node:fs";
import { normalize, sep } from "node:path";
import { type Listed, folderDigest } from "./folder-digest.ts";

type FileKind = "session" | "subagent";

/** One transcript file and the session it belongs to. */
export interface TranscriptFile {
  path: string;
  /** The project folder it was found in (under a root). */
  folder: string;
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

/**
 * A file or folder that could not be read (no permission, an I/O error): the next read tries it again. None
 * for one gone since it was listed (ENOENT): Claude Code deletes transcripts older than cleanupPeriodDays as
 * it starts, when the SessionStart hook syncs. Such a file is left as one no longer there is: its sessions
 * and what was sent stay.
 */
export function unreadable(path: string, error: unknown): SkippedFile[] {
  return (error as NodeJS.ErrnoException).code === "ENOENT" ? [] : [{ path, reason: UNREADABLE + (error as Error).message }];
}

/** Why reading a skipped file failed, or undefined for one skipped for what it holds (empty...). */
export function readError(file: SkippedFile): string | undefined {
  return file.reason.startsWith(UNREADABLE) ? file.reason.slice(UNREADABLE.length) : undefined;
}

/** A project folder listed in full, not found unchanged: its digest now and its transcripts. */
export interface ListedFolder {
  path: string;
  digest: string;
  files: TranscriptFile[];
}

interface Discovery {
  files: TranscriptFile[];
  skipped: SkippedFile[];
  /**
   * The project folders listed in full that were not found unchanged, and
   * had nothing in them that could not be read or named a session: once
   * their files are read, their digests can be recorded (none with `only`).
   */
  folders: ListedFolder[];
}

/** What earlier reads recorded, one project folder at a time. */
export interface KnownFolders {
  /** The folder's digest (folderDigest) when all of it had been read; undefined if not known. */
  digest(folder: string): string | undefined;
  /** Its transcripts as last read, by path. */
  files(folder: string): ReadonlyMap<string, { sessionId: string; identity: string }>;
}

export const AGENT_FILE = /^agent-.+\.jsonl$/;

type Entry = {
  name: string;
  path: string;
  dir: boolean;
  file: boolean;
  /** A folder's real path when no link leads to it (its folder's real path and its name), else undefined. */
  real: string | undefined;
};

/**
 * `join(dir, name)` for a normalized folder and a name from its listing, by
 * concatenation: a scan builds one per file of the history, and `join`
 * would normalize each again.
 */
const child = (dir: string, name: string) => (dir.endsWith(sep) ? dir + name : dir + sep + name);

/** A transcript found in a project folder, before its session is known for certain. */
interface Found extends Listed {
  kind: FileKind;
  /** From its name or folder; a flat agent file names its session only inside. */
  sessionId: string | undefined;
}

/**
 * Every transcript under the given `projects/` roots. Subagent transcripts in
 * all three layouts are tied to their parent session:
 *   1.0.x inline `isSidechain` lines (nothing to do here),
 *   2.0.x flat `<project>/agent-<id>.jsonl` (parent named by the lines' sessionId),
 *   2.1.x `<project>/<sessionId>/subagents/agent-<id>.jsonl`.
 * Symbolic links to project folders and transcripts are followed (a folder
 * reached twice, through a loop or two links, is read once). `known` (what
 * earlier reads recorded) leaves out a project folder whose digest is the
 * one recorded (nothing in it changed: a sync with nothing new loads nothing
 * of it from the state), and saves reading the first line of a flat agent
 * file again to learn its session. With `only` (a hook's pass, `sync
 * --session`), the files of other sessions are not looked at: a pass costs a
 * folder listing per project, not a stat per transcript of the whole history.
 */
export function discoverFiles(roots: string[], known?: KnownFolders, only?: ReadonlySet<string>): Discovery {
  const files: TranscriptFile[] = [];
  const skipped: SkippedFile[] = [];
  const folders: ListedFolder[] = [];
  const wanted = (sessionId: string) => !only || only.has(sessionId);
  /** Stats a transcript; an empty or unreadable one is noted as skipped (and is not read); one gone meanwhile is not found. */
  const look = (path: string, kind: FileKind, sessionId: string | undefined): Found[] => {
    try {
      const st = statSync(path);
      if (st.size === 0) skipped.push({ path, reason: "empty file" });
      return [{ path, kind, sessionId, size: st.size, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino }];
    } catch (error) {
      const why = unreadable(path, error);
      skipped.push(...why);
      return why.length > 0 ? [{ path, kind, sessionId }] : [];
    }
  };
  const list = lister(skipped);

  for (const root of roots) {
    for (const project of list(normalize(root))) {
      if (!project.dir) continue;
      const skippedBefore = skipped.length;
      const found: Found[] = [];
      for (const e of list(project)) {
        if (e.file && e.name.endsWith(".jsonl")) {
          // A flat agent file names its session only inside: it is looked at whatever `only` holds.
          const sessionId = e.name.slice(0, -".jsonl".length);
          if (AGENT_FILE.test(e.name)) found.push(...look(e.path, "subagent", undefined));
          else if (wanted(sessionId)) found.push(...look(e.path, "session", sessionId));
        } else if (e.dir && wanted(e.name)) {
          // `<sessionId>/subagents/agent-*.jsonl`, and a workflow's `subagents/workflows/<runId>/agent-*.jsonl`.
          for (const nested of walkJsonl(e, list)) found.push(...look(nested, "subagent", e.name));
        }
      }
      const digest = only ? undefined : folderDigest(found.filter((f) => f.size !== 0));
      if (digest !== undefined && known?.digest(project.path) === digest) continue;
      // Loaded only for a flat agent file (its session is named inside it): a hook's pass then reads none of the
      // state's rows for the folders it does not read, and their number grows with the history.
      let knownHere: ReturnType<KnownFolders["files"]> | undefined;
      const listed: TranscriptFile[] = [];
      for (const f of found) {
        if (f.size === undefined || f.size === 0) continue;
        // Made here, not at the stat: a folder found unchanged needs none.
        const identity = `${f.dev}:${f.ino}`;
        const cached = f.sessionId === undefined ? (knownHere ??= known?.files(project.path))?.get(f.path) : undefined;
        const id = f.sessionId ?? (cached !== undefined && cached.identity === identity ? cached.sessionId : sessionIdInside(f.path));
        if (!id) {
          skipped.push({ path: f.path, reason: "no session id in its first lines" });
          continue;
        }
        if (!wanted(id)) continue;
        listed.push({ path: f.path, folder: project.path, sessionId: id, kind: f.kind, size: f.size, mtimeMs: f.mtimeMs as number, identity });
      }
      files.push(...listed);
      // Empty files are left out of the digest and said again each time; anything else skipped keeps the folder listed.
      const clean = skipped.slice(skippedBefore).every((s) => s.reason === "empty file");
      if (digest !== undefined && clean) folders.push({ path: project.path, digest, files: listed });
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped, folders };
}

/** A folder's entries, links resolved; none for a folder already listed (a link loop, two links to one folder). What cannot be listed goes to `skipped`. */
export function lister(skipped: SkippedFile[]): (dir: string | Entry) => Entry[] {
  const seenDirs = new Set<string>();
  return (dir) => {
    const path = typeof dir === "string" ? dir : dir.path;
    let real = typeof dir === "string" ? undefined : dir.real;
    try {
      // Asked of the system only for a root or what a link led to.
      real ??= realpathSync(path);
    } catch (error) {
      skipped.push(...unreadable(path, error));
      return [];
    }
    if (seenDirs.has(real)) return [];
    seenDirs.add(real);
    try {
      return readdirSync(path, { withFileTypes: true }).map((e) => entry(path, real, e.name, e.isSymbolicLink() ? undefined : e));
    } catch (error) {
      skipped.push(...unreadable(path, error));
      return [];
    }
  };
}

/** A folder entry; a symbolic link is resolved (a dangling one is neither file nor folder). */
function entry(dir: string, realDir: string, name: string, dirent: { isDirectory(): boolean; isFile(): boolean } | undefined): Entry {
  const path = child(dir, name);
  if (dirent) {
    const isDir = dirent.isDirectory();
    return { name, path, dir: isDir, file: !isDir && dirent.isFile(), real: isDir ? child(realDir, name) : undefined };
  }
  try {
    const st = statSync(path);
    return { name, path, dir: st.isDirectory(), file: st.isFile(), real: undefined };
  } catch {
    return { name, path, dir: false, file: false, real: undefined };
  }
}

/**
 * The agents' transcripts under a session's folder, at any depth. Other JSONL files there are not
 * transcripts: a workflow's `journal.jsonl` (2.1.2xx) records its steps' results.
 */
export function walkJsonl(dir: string | Entry, list: (dir: string | Entry) => Entry[]): string[] {
  const out: string[] = [];
  for (const e of list(dir)) {
    if (e.dir) out.push(...walkJsonl(e, list));
    else if (e.file && AGENT_FILE.test(e.name)) out.push(e.path);
  }
  return out;
}

/** As Claude Code writes it (compact JSON), or written by another tool with spaces. */
const SESSION_ID = /"sessionId"\s*:\s*"([^"]+)"/;
const HEAD = new Uint8Array(16 * 1024);
const headDecoder = new TextDecoder();

/** The parent session id of a flat agent file, from its first line. */
export const sessionIdInside = (path: string): string | undefined => SESSION_ID.exec(head(path) ?? "")?.[1];

/** A transcript's first 16 KiB (its first lines), read into one shared buffer; undefined when it cannot be read. */
export function head(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const n = readSync(fd, HEAD, 0, HEAD.length, 0);
    return headDecoder.decode(HEAD.subarray(0, n));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
