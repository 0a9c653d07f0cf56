import { join } from "node:path";
import { appDir } from "../paths.ts";
import { HEARTBEAT_MS, livePid, removePidFile, touchPidFile, writePidFile } from "../runtime/pid-file.ts";

/**
 * `watch.pid` names a running `watch`, so that `status` can say the work it
 * shows pending is in hand rather than advise a sync. Only a hint: a watch
 * that cannot write it watches all the same.
 */
const watchFile = () => join(appDir(), "watch.pid");

/** Marks this process as a running watch until the returned function is called. */
export function markWatching(pid = process.pid): () => void {
  try {
    writePidFile(watchFile(), pid);
  } catch {
    return () => {};
  }
  const beat = setInterval(() => {
    // Named again if the file went (another watch that had replaced it ended), not while another live watch holds it.
    if (touchPidFile(watchFile(), pid) || runningWatchPid() !== undefined) return;
    try {
      writePidFile(watchFile(), pid);
    } catch {}
  }, HEARTBEAT_MS);
  beat.unref();
  return () => {
    clearInterval(beat);
    removePidFile(watchFile(), pid);
  };
}

/** The pid of a `watch` running now, if one is. */
export function runningWatchPid(now = Date.now()): number | undefined {
  return livePid(watchFile(), now);
}
