import { rootsOrNoneYet } from "../sync/context.ts";
import { POLL_MS } from "./watcher.ts";

/**
 * The `projects/` folders to watch, once there is one: a watch started before
 * Claude Code's first session (a new install) waits for the folder rather than
 * fail. `onWait` is called once if it waits; undefined when `stop` comes first.
 */
export async function rootsOnceThere(stop: AbortSignal, onWait: () => void): Promise<string[] | undefined> {
  let roots = rootsOrNoneYet();
  if (roots.length === 0) onWait();
  while (roots.length === 0) {
    const stopped = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), POLL_MS);
      stop.addEventListener("abort", () => (clearTimeout(timer), resolve(true)), { once: true });
    });
    if (stopped || stop.aborted) return undefined;
    roots = rootsOrNoneYet();
  }
  return roots;
}
