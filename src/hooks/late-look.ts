import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sessionBytes } from "../discover/session-bytes.ts";
import { readJsonFile } from "../runtime/json-file.ts";
import { z } from "../runtime/zod.ts";
import { REQUEST, fileName, offer, queueDir, writeQueued } from "./enqueue.ts";
import type { SyncRequest } from "./queue.ts";

/**
 * A session's files are looked at again after its latest hook, while the runner is still waiting for more work
 * then: its looks end a few seconds after the hook (schedule.ts), and lines written later (a background agent's,
 * a long tool's, with nothing written between; a session whose SessionEnd never came; a turn whose terminal was
 * closed before its Stop, after the prompt's hook: setup registers no tool hooks) would wait for the next hook.
 * A newer hook of the session ends them, so a session in use costs nothing more. The looks come LATE_LOOK_MS
 * after the hook, then each gap twice the last: 30 s, 1, 2, 4 and 8 min; then every 4 min while each finds the
 * files grown (a long turn), within the runner's wait for more work (10 min by default, from its last pass).
 * Each costs a stat of the session's files; a pass only when they grew. Lines written after a look that found
 * none wait for the next hook, sync or watch.
 */
export const LATE_LOOK_MS = 30_000;
const LATE_LOOKS = 5;
/** The request a late look leaves when the files grew: served as a hook's, with one look after (pass.ts: what it closes). */
export const LATE_EVENT = "late-look";

const ChainSchema = z.object({
  sessionId: z.string(),
  transcriptPath: z.string(),
  /** The hook the looks follow, and when it fired. */
  event: z.string(),
  at: z.number(),
  /** The bytes of the session's files when last read or looked at. */
  readSize: z.number(),
  /** Late looks done. */
  looks: z.number(),
  /** Its late-look request is being served: the next look waits for it. */
  queued: z.boolean(),
});
type Chain = z.infer<typeof ChainSchema>;

/*
 * Each chain is kept in the queue folder too (a dot file, which no claim takes): a runner killed (SIGKILL, out of
 * memory) took its chains with it, and a session whose terminal was closed mid-turn, its prompt's request already
 * done, got no look and no hook again: its last turn never went. The next runner takes them up (a look past due
 * comes at once); one that leaves when its wait is over drops them, as it drops the looks due later.
 */
const CHAIN = ".late-";
const chainName = (sessionId: string) => `${CHAIN}${fileName(sessionId)}`;
const chainPath = (sessionId: string) => join(queueDir(), `${chainName(sessionId)}${REQUEST}`);

function save(c: Chain): void {
  try {
    writeQueued(chainName(c.sessionId), c);
  } catch {
    // A full disk...: the looks go on in this runner alone.
  }
}

const drop = (sessionId: string) => rmSync(chainPath(sessionId), { force: true });

function chainNames(): string[] {
  try {
    return readdirSync(queueDir()).filter((n) => n.startsWith(CHAIN) && n.endsWith(REQUEST));
  } catch {
    return [];
  }
}

/** The sessions whose looks ended, each with the bytes its files held then. */
export class LateLooks {
  private due = new Map<string, Chain>();

  /** With the chains a runner before this one left (killed before its looks were over). */
  constructor() {
    for (const name of chainNames()) {
      const c = readJsonFile(join(queueDir(), name), ChainSchema);
      if (c) this.due.set(c.sessionId, { ...c, queued: false });
      else rmSync(join(queueDir(), name), { force: true });
    }
  }

  /** The runner leaves: the looks not yet due are given up, by it and by the next runner. */
  abandon(): void {
    for (const sessionId of this.due.keys()) drop(sessionId);
    this.due.clear();
  }

  /**
   * A request done after a pass or a look, its files holding `readSize` bytes then: a hook's begins the late looks;
   * the request a late look left goes on with them (after the last look, it begins none).
   */
  remember(r: SyncRequest): void {
    const { readSize } = r;
    if (r.transcriptPath === undefined || readSize === undefined) return;
    const chain = this.due.get(r.sessionId);
    if (r.event === LATE_EVENT && chain) save(Object.assign(chain, { readSize, queued: false }));
    else if (r.event !== LATE_EVENT) {
      const begun = { sessionId: r.sessionId, transcriptPath: r.transcriptPath, event: r.event, at: r.at, readSize, looks: 0, queued: false };
      this.due.set(r.sessionId, begun);
      save(begun);
    }
  }

  /** A newer request of the session is being served: its own looks follow. Not its late look's own request. */
  forget(r: SyncRequest): void {
    if (r.event !== LATE_EVENT && this.due.delete(r.sessionId)) drop(r.sessionId);
  }

  /** When the next late look is due, if any. */
  nextAt(): number | undefined {
    const times = [...this.due.values()].flatMap((c) => (c.queued ? [] : [lookAt(c)]));
    return times.length ? Math.min(...times) : undefined;
  }

  /** Looks at the sessions due: those whose files grew are queued again. Returns how many. */
  look(now: number): number {
    let grown = 0;
    for (const c of [...this.due.values()]) {
      if (c.queued || lookAt(c) > now) continue;
      c.looks++;
      const size = sessionBytes(c.transcriptPath, c.sessionId);
      // A request of the session waiting (a hook's, the runner about to take it up) reads the grown files itself.
      if (size !== c.readSize && offer({ sessionId: c.sessionId, event: LATE_EVENT, after: c.event, at: now, transcriptPath: c.transcriptPath })) {
        c.queued = true;
        grown++;
      }
      // Past the doubling ones, the looks go on while each finds the files grown (a long turn with no hook, setup
      // registers no tool hooks; its terminal perhaps closed); the first that finds them as they were ends them.
      if (c.looks >= LATE_LOOKS && !c.queued) {
        this.due.delete(c.sessionId);
        drop(c.sessionId);
      } else save(c);
    }
    return grown;
  }
}

/** The doubling looks' last gap: the looks that go on past them (while the files grow) come as far apart. */
const LAST_GAP_MS = LATE_LOOK_MS * 2 ** (LATE_LOOKS - 2);

const lookAt = (c: Chain) =>
  c.looks < LATE_LOOKS ? c.at + LATE_LOOK_MS * 2 ** c.looks : c.at + LATE_LOOK_MS * 2 ** (LATE_LOOKS - 1) + LAST_GAP_MS * (c.looks - LATE_LOOKS + 1);
