import { sessionBytes } from "../discover/session-bytes.ts";
import { enqueue } from "./enqueue.ts";
import type { SyncRequest } from "./queue.ts";
import { mayBeLast } from "./schedule.ts";

/**
 * A session's files are looked at once more this long after a hook that may be its last, when the runner is
 * still waiting for more work then: its looks end 5 s after the hook (schedule.ts), and lines written later (a
 * background agent's, with nothing written between) would wait for the next hook. One stat of its files.
 */
export const LATE_LOOK_MS = 30_000;
/** The request a late look leaves when the files grew: served as a hook's, with one look after, and no late look of its own. */
export const LATE_EVENT = "late-look";

type Looked = Required<Pick<SyncRequest, "sessionId" | "at" | "transcriptPath" | "readSize">>;

/** The sessions whose looks ended, each with the bytes its files held then. */
export class LateLooks {
  private due = new Map<string, Looked>();

  /** A request done after a look that found its files as the last pass left them. */
  remember(r: SyncRequest): void {
    if (!mayBeLast(r.event) || r.transcriptPath === undefined || r.readSize === undefined) return;
    this.due.set(r.sessionId, { sessionId: r.sessionId, at: r.at, transcriptPath: r.transcriptPath, readSize: r.readSize });
  }

  /** A newer request of the session is being served: its own looks follow. */
  forget(sessionId: string): void {
    this.due.delete(sessionId);
  }

  /** When the next late look is due, if any. */
  nextAt(): number | undefined {
    const times = [...this.due.values()].map((l) => l.at + LATE_LOOK_MS);
    return times.length ? Math.min(...times) : undefined;
  }

  /** Looks at the sessions due: those whose files grew are queued again. Returns how many. */
  look(now: number): number {
    let grown = 0;
    for (const l of [...this.due.values()]) {
      if (l.at + LATE_LOOK_MS > now) continue;
      this.due.delete(l.sessionId);
      if (sessionBytes(l.transcriptPath, l.sessionId, l.at) === l.readSize) continue;
      enqueue({ sessionId: l.sessionId, event: LATE_EVENT, at: now, transcriptPath: l.transcriptPath });
      grown++;
    }
    return grown;
  }
}
