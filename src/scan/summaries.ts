import type { SessionMeta } from "../fold/session-fold.ts";
import { type SessionSummary, emptySessionUsage, summarize, usageBySession } from "../fold/summarize.ts";
import { UsageLedger } from "../fold/usage-ledger.ts";
import type { PriceBook } from "../pricing/index.ts";
import { NO_PAST, scan } from "./scan.ts";
import type { ReadSettings, ReadStats, SessionChunk } from "./work.ts";

/**
 * The dry run's end of the read path: chunks folded into session summaries in
 * memory, with usage deduplicated across sessions by the same rules as the
 * state's ledger (so a dry run and a sync give the same figures).
 */
export class SessionSummaries {
  constructor(private readonly prices: PriceBook) {}

  private readonly ledger = new UsageLedger();
  private readonly metas = new Map<string, SessionMeta>();
  private readonly messages = new Map<string, number>();
  private readonly excluded = new Set<string>();
  readonly redactions = new Map<string, number>();

  accept(chunk: SessionChunk): void {
    const id = chunk.sessionId;
    // Read again from its start: its counts so far are counted again (usage is deduplicated by key).
    if (chunk.startsOver) {
      this.messages.delete(id);
      this.redactions.delete(id);
    }
    this.ledger.addBatch(chunk.usage);
    this.metas.set(id, chunk.meta);
    this.messages.set(id, (this.messages.get(id) ?? 0) + chunk.messageCount);
    this.redactions.set(id, (this.redactions.get(id) ?? 0) + chunk.redactions);
    if (chunk.excluded) this.excluded.add(id);
    else this.excluded.delete(id);
  }

  isExcluded(sessionId: string): boolean {
    return this.excluded.has(sessionId);
  }

  /** Sessions with messages or tokens, oldest first. */
  sessions(): SessionSummary[] {
    const usage = usageBySession(this.ledger.records(), this.prices);
    return [...this.metas.values()]
      .map((meta) => summarize(meta, usage.get(meta.sessionId) ?? emptySessionUsage(), this.messages.get(meta.sessionId) ?? 0))
      .filter((s) => s.messageCount > 0 || s.promptTokens + s.completionTokens > 0)
      .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || (a.externalId < b.externalId ? -1 : 1));
  }
}

/** A full read of every transcript under `roots` into session summaries, sent nowhere (the dry run). */
export async function summarizeAll(
  roots: string[],
  settings: Omit<ReadSettings, "mode">,
  prices: PriceBook,
  options: { mode?: "count" | "redactions"; only?: ReadonlySet<string>; workers?: number; parallelMinBytes?: number } = {},
): Promise<{ sessions: SessionSummary[]; stats: ReadStats; redactions: ReadonlyMap<string, number> }> {
  const summaries = new SessionSummaries(prices);
  const { stats } = await scan(
    {
      roots,
      settings: { ...settings, mode: options.mode ?? "count" },
      full: true,
      finalize: "all",
      ...(options.only ? { only: options.only } : {}),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.parallelMinBytes !== undefined ? { parallelMinBytes: options.parallelMinBytes } : {}),
    },
    NO_PAST,
    summaries,
  );
  return { sessions: summaries.sessions(), stats, redactions: summaries.redactions };
}
