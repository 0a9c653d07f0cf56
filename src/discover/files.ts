import { closeSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";

export type FileKind = "session" | "subagent";

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

export interface Discovery {
  files: TranscriptFile[];
  skipped: SkippedFile[];
}

const AGENT_FILE = /^agent-.+\.jsonl$/;

/**
 * Every transcript under the given `projects/` roots. Subagent transcripts in
 * all three layouts are tied to their parent session:
 *   1.0.x inline `isSidechain` lines (nothing to do here),
 *   2.0.x flat `<project>/agent-<id>.jsonl` (parent named by the lines' sessionId),
 *   2.1.x `<project>/<sessionId>/subagents/agent-<id>.jsonl`.
 */
export function discoverFiles(roots: string[]): Discovery {
  const files: TranscriptFile[] = [];
  const skipped: SkippedFile[] = [];
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
    const id = sessionId ?? sessionIdInside(path);
    if (!id) {
      skipped.push({ path, reason: "no session id in its first lines" });
      return;
    }
    files.push({ path, sessionId: id, kind, size: st.size, mtimeMs: st.mtimeMs, identity: `${st.dev}:${st.ino}` });
  };

  for (const root of roots) {
    for (const project of list(root, skipped)) {
      if (!project.isDirectory()) continue;
      const projectDir = join(root, project.name);
      for (const entry of list(projectDir, skipped)) {
        const path = join(projectDir, entry.name);
        if (entry.isFile() && entry.name.endsWith(".jsonl")) {
          if (AGENT_FILE.test(entry.name)) add(path, "subagent", undefined);
          else add(path, "session", basename(entry.name, ".jsonl"));
        } else if (entry.isDirectory()) {
          // `<sessionId>/subagents/*.jsonl` (and any other nesting under a session folder).
          for (const nested of walkJsonl(path, skipped)) add(nested, "subagent", entry.name);
        }
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

function list(dir: string, skipped: SkippedFile[]) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    skipped.push(unreadable(dir, error));
    return [];
  }
}

function walkJsonl(dir: string, skipped: SkippedFile[]): string[] {
  const out: string[] = [];
  for (const entry of list(dir, skipped)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walkJsonl(path, skipped));
    else if (entry.isFile() && entry.name.endsWith(".jsonl")) out.push(path);
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
