import { type ShownTokens, tokensShownFor } from "../fold/summarize.ts";
import { type UsageRecord, replaces } from "../fold/usage-ledger.ts";
import type { StateStore } from "./store.ts";

/** A response both sessions of a pair report, as each reports it (in the pair's order). */
type Copies = [UsageRecord, UsageRecord];

/** What placing a pair's shared responses decides between, per session: its totals without them, and theirs as its copies. */
export interface PairSide {
  own: ShownTokens;
  shared: ShownTokens;
}

const plus = (a: ShownTokens, b: ShownTokens): ShownTokens => ({ promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens });
const minus = (a: ShownTokens, b: ShownTokens): ShownTokens => ({ promptTokens: a.promptTokens - b.promptTokens, completionTokens: a.completionTokens - b.completionTokens });

/**
 * Which of two sessions the server counts their shared responses in: the one
 * whose placement gives totals nearest the server's (a session that grew since
 * only adds its new part to both placements). Undefined when both are as near.
 */
export function holderOf(sides: readonly [PairSide, PairSide], server: readonly [ShownTokens, ShownTokens]): 0 | 1 | undefined {
  const off = (holder: 0 | 1) =>
    sides.reduce((sum, side, i) => {
      const [shown, held] = [i === holder ? plus(side.own, side.shared) : side.own, server[i] as ShownTokens];
      return sum + Math.abs(shown.promptTokens - held.promptTokens) + Math.abs(shown.completionTokens - held.completionTokens);
    }, 0);
  const [first, second] = [off(0), off(1)];
  return first === second ? undefined : first < second ? 0 : 1;
}

/**
 * The usage ledger of an incremental sync: responses counted in an earlier
 * run live in the state database, so dedup spans every run, not only the
 * bytes read now. Ties go to the copy in the file first by path (see
 * `replaces`), so the outcome does not depend on the order files are read in;
 * except between sessions the server held before this run: one it held keeps
 * its responses against an equal copy in one it did not, and between two it
 * held a response stays where it is (`sync --full` included). OpenSync
 * never lowers a total to 0: a resumed session's copy of the history, turning
 * up later in a file that sorts first, would otherwise be counted on the server
 * twice, by the original that cannot give it up and by the copy. A dry run,
 * which knows no server, still counts such a copy where ccusage does.
 *
 * A state that has sent nothing (new, or lost) cannot say where the server
 * counts a response two sessions it holds share: given the server's totals
 * (`onServer`), the ledger notes each such pair, and `settle` places the
 * pair's shared responses where those totals say, once the read is done.
 */
export class StateLedger {
  private readonly pairs = new Map<string, { sessions: [string, string]; copies: Map<bigint, Copies> }>();

  /**
   * `heldBeforeRun`: whether the server held a session before this run wrote anything of it (the
   * sender's, for the sessions it has taken up). A session first written in this run is not held
   * by it: a response moving away from it in this run is never a total lowered on the server.
   */
  constructor(
    private readonly store: StateStore,
    private readonly heldBeforeRun: (sessionId: string) => boolean | undefined = () => undefined,
    private readonly onServer?: ReadonlyMap<string, ShownTokens>,
  ) {}

  private totalsOnServer(sessionId: string): boolean {
    return this.onServer?.has(sessionId) || (this.heldBeforeRun(sessionId) ?? this.store.sentToServer(sessionId));
  }

  /**
   * Adds records (keyed as batchRecords keys them) read from the files named
   * by `fileIds` (path -> files.id). Returns the other sessions that lost a
   * response to these (a better copy turned up here): their totals changed.
   */
  add(records: Iterable<{ key: bigint; record: UsageRecord }>, fileIds: ReadonlyMap<string, number>): Set<string> {
    const losers = new Set<string>();
    for (const { key, record } of records) {
      const kept = this.store.getUsage(key);
      const tie = (candidate: UsageRecord, other: UsageRecord) => {
        const [c, k] = [this.totalsOnServer(candidate.sessionId), this.totalsOnServer(other.sessionId)];
        if (c && k) {
          if (this.onServer?.has(candidate.sessionId) && this.onServer.has(other.sessionId)) this.notePair(key, candidate, other);
          return false;
        }
        return c === k ? undefined : c;
      };
      if (kept && !replaces(record, kept, tie)) continue;
      if (kept && kept.sessionId !== record.sessionId) losers.add(kept.sessionId);
      this.store.putUsage(key, record, record.file === undefined ? null : (fileIds.get(record.file) ?? null));
    }
    return losers;
  }

  private notePair(key: bigint, a: UsageRecord, b: UsageRecord): void {
    const copies: Copies = a.sessionId < b.sessionId ? [a, b] : [b, a];
    const id = `${copies[0].sessionId} ${copies[1].sessionId}`;
    let pair = this.pairs.get(id);
    if (!pair) this.pairs.set(id, (pair = { sessions: [copies[0].sessionId, copies[1].sessionId], copies: new Map() }));
    pair.copies.set(key, copies);
  }

  /**
   * Once the read is done: each noted pair's shared responses go to the
   * session the server's totals say counts them. Returns the sessions of the
   * pairs (their totals are now final).
   */
  settle(): Set<string> {
    const settled = new Set<string>();
    const onServer = this.onServer;
    if (!onServer) return settled;
    for (const { sessions, copies } of this.pairs.values()) {
      // Where each shared response is now: a better copy in a third session may have taken it since.
      const here = [...copies].flatMap(([key, pair]) => {
        const side = sessions.indexOf(this.store.getUsage(key)?.sessionId ?? "");
        return side < 0 ? [] : [{ key, pair, side }];
      });
      const sideOf = (i: 0 | 1): PairSide => ({
        own: minus(tokensShownFor(this.store.sessionUsage(sessions[i])), tokensShownFor(here.filter((h) => h.side === i).map((h) => h.pair[i]))),
        shared: tokensShownFor(here.map((h) => h.pair[i])),
      });
      const server = sessions.map((id) => onServer.get(id) as ShownTokens) as [ShownTokens, ShownTokens];
      const holder = holderOf([sideOf(0), sideOf(1)], server);
      for (const h of here) {
        if (holder === undefined || h.side === holder) continue;
        const record = h.pair[holder];
        this.store.putUsage(h.key, record, record.file === undefined ? null : this.store.fileId(record.file));
      }
      sessions.forEach((id) => settled.add(id));
    }
    this.pairs.clear();
    return settled;
  }
}
