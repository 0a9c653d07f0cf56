import { DEFAULT_FOLD_OPTIONS, type FoldOptions, type FoldedMessage } from "../../src/fold/session-fold.ts";
import type { MessagePayload } from "../../src/opensync/payload.ts";
import { NO_PAST, scan } from "../../src/scan/scan.ts";
import { SessionSummaries } from "../../src/scan/summaries.ts";
import { priceBookOf } from "../../src/pricing/index.ts";
import type { SessionChunk } from "../../src/scan/work.ts";
import { scrubberFrom, shownSession } from "../../src/plan/payloads.ts";
import { createRedactor } from "../../src/safety/redact.ts";
import type { StateStore } from "../../src/state/store.ts";
import { StateSink, recordFolders, statePast } from "../../src/sync/state-sink.ts";

/** The prices built into this version (tests never read a refreshed cache from a HOME). */
export const EMBEDDED_PRICES = priceBookOf(undefined);

export interface ReadOptions {
  /** Sees every message as it would be sent (built through the same read path as a sync, without redaction). */
  onMessage?: (m: FoldedMessage) => void;
  workers?: number;
  parallelMinBytes?: number;
}

/** The dry run's read of `roots` (no redaction, nothing excluded); with onMessage, messages are built as a sync builds them. */
export async function readAll(roots: string[], fold: FoldOptions = DEFAULT_FOLD_OPTIONS, options: ReadOptions = {}) {
  const summaries = new SessionSummaries(EMBEDDED_PRICES);
  const { stats } = await scan(
    {
      roots,
      settings: { fold, redact: false, redactPatterns: [], excludeProjects: [], mode: options.onMessage ? "payloads" : "count" },
      full: true,
      finalize: "all",
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.parallelMinBytes !== undefined ? { parallelMinBytes: options.parallelMinBytes } : {}),
    },
    NO_PAST,
    {
      accept: (chunk) => {
        summaries.accept(chunk);
        for (const m of chunk.messages) {
          const p = JSON.parse(m.payload) as MessagePayload;
          options.onMessage?.({
            externalId: m.externalId,
            sessionId: m.sessionId,
            role: p.role,
            createdAt: m.createdAt,
            order: m.ord,
            parts: p.parts ?? [],
            ...(p.textContent !== undefined ? { textContent: p.textContent } : {}),
            ...(p.model !== undefined ? { model: p.model } : {}),
            ...(p.promptTokens !== undefined ? { promptTokens: p.promptTokens } : {}),
            ...(p.completionTokens !== undefined ? { completionTokens: p.completionTokens } : {}),
          });
        }
      },
    },
  );
  // Titles as a dry run shows them: cut after redaction (none here).
  const sessions = summaries.sessions().map((s) => shownSession(s, scrubberFrom(undefined)));
  return { sessions, stats };
}

/** The sync's read step alone (no sender): what is new under `roots` into `store`. `onChunk` runs after each chunk is recorded. */
export async function readIntoState(
  store: StateStore,
  roots: string[],
  options: { fold?: FoldOptions; redact?: boolean; full?: boolean; onChunk?: (chunk: SessionChunk) => void; loaded?: Set<string> } = {},
) {
  const past = statePast(store);
  const loaded = options.loaded;
  const scrub = scrubberFrom(options.redact ? createRedactor() : undefined);
  const sink = new StateSink(store, { loadScrub: async () => scrub, isExcluded: () => false, prices: EMBEDDED_PRICES });
  const outcome = await scan(
    {
      roots,
      settings: { fold: options.fold ?? DEFAULT_FOLD_OPTIONS, redact: options.redact === true, redactPatterns: [], excludeProjects: [], mode: "payloads" },
      full: options.full === true,
    },
    // `loaded` collects the project folders whose files the scan asked the state for.
    loaded ? { ...past, files: (folder) => (loaded.add(folder), past.files(folder)) } : past,
    {
      prepare: () => sink.prepare(),
      accept: (chunk) => {
        sink.accept(chunk);
        options.onChunk?.(chunk);
      },
    },
  );
  recordFolders(store, outcome.folders);
  return outcome;
}
