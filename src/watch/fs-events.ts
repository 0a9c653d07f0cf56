import { type FSWatcher, existsSync, readdirSync, statfsSync, watch } from "node:fs";
import { join } from "node:path";

/**
 * Linux file systems whose change events miss writes made elsewhere (another
 * machine, the Windows side of WSL, a FUSE mount): NFS, SMB/CIFS, 9p, FUSE.
 * They are polled instead. Elsewhere events are trusted.
 */
const UNRELIABLE_LINUX_FS = new Set([0x6969, 0x517b, 0xff534d42, 0xfe534d42, 0x01021997, 0x65735546]);

export function eventsReliable(path: string): boolean {
  if (process.platform !== "linux") return true;
  try {
    return !UNRELIABLE_LINUX_FS.has(Number(statfsSync(path).type));
  } catch {
    return true;
  }
}

/**
 * Whether a root holds a symbolic link to a project folder, or one in a project
 * folder (a transcript, a session's folder): the sync follows them, but
 * recursive events stop at a link, so writes behind it are never reported.
 */
export function holdsLinks(root: string): boolean {
  const entries = (dir: string) => {
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch {
      return [];
    }
  };
  return entries(root).some((p) => p.isSymbolicLink() || (p.isDirectory() && entries(join(root, p.name)).some((e) => e.isSymbolicLink())));
}

/**
 * Watches a folder tree for changes: `onChange` gets each changed path relative
 * to `root`; `onLost` is called once if the watch stops working (the root was
 * removed, or the system refused more watches), after which nothing more is
 * reported. Returns a function that stops watching.
 */
export function watchTree(root: string, onChange: (relative: string) => void, onLost: (reason: string) => void): () => void {
  let watcher: FSWatcher | undefined;
  let closed = false;
  const lose = (reason: string) => {
    if (closed) return;
    closed = true;
    watcher?.close();
    onLost(reason);
  };
  try {
    watcher = watch(root, { recursive: true, persistent: true }, (_event, filename) => {
      // No name: the root itself changed (typically removed).
      if (filename) onChange(String(filename));
      else if (!existsSync(root)) lose(`${root} was removed`);
    });
  } catch (error) {
    queueMicrotask(() => lose((error as Error).message));
    return () => {};
  }
  watcher.on("error", (error) => lose(error.message));
  watcher.on("close", () => lose(`stopped watching ${root}`));
  return () => {
    closed = true;
    watcher?.close();
  };
}
