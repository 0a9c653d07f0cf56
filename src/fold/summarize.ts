import type { Tokens } from "../pricing/cost.ts";
import { type PriceBook, countedParts, roundUsd } from "../pricing/index.ts";
import type { SessionMeta } from "./session-fold.ts";
import type { UsageRecord } from "./usage-ledger.ts";

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}

/** A session's figures, as sent to OpenSync and shown by `sync --dry-run`. */
export interface SessionSummary {
  externalId: string;
  title?: string;
  projectPath?: string;
  projectName?: string;
  model?: string;
  provider: "anthropic";
  source: "claude-code";
  createdAt?: number;
  durationMs?: number;
  messageCount: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  usage: UsageTotals;
  /** Models missing from the price table (counted at cost 0). */
  unknownModels: string[];
}

function emptyUsage(): UsageTotals {
  return { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 };
}

/** Adds tokens into running totals. */
function addUsage(into: UsageTotals, t: Tokens): void {
  into.inputTokens += t.input;
  into.outputTokens += t.output;
  into.cacheCreationTokens += t.cacheWrite5m + t.cacheWrite1h;
  into.cacheReadTokens += t.cacheRead;
}

interface ModelOutput {
  output: number;
  /** Its earliest response's time (epoch ms), when any had one. */
  firstAt?: number;
}

/** Usage, cost and main model of one session's deduplicated responses. */
interface SessionUsage {
  usage: UsageTotals;
  cost: number;
  /** Output tokens by model, and its first response's time: of the main thread's responses, and of subagents' (and other sidechains'). */
  outputByModel: { main: Map<string, ModelOutput>; side: Map<string, ModelOutput> };
  unknownModels: Set<string>;
}

export function emptySessionUsage(): SessionUsage {
  return { usage: emptyUsage(), cost: 0, outputByModel: { main: new Map(), side: new Map() }, unknownModels: new Set() };
}

/**
 * Adds one response: its counted parts (its own tokens, and the turns billed
 * outside them, an advisor's, a compaction's, a fallback's declined attempt, at
 * their model: pricing/iterations.ts), each priced at the price in force on the
 * response's date (today's when the line had no time).
 */
function addRecord(into: SessionUsage, r: UsageRecord, prices: PriceBook): void {
  for (const part of countedParts(r)) {
    addUsage(into.usage, part.tokens);
    const { usd, unknown } = prices.costOf({
      model: part.model,
      at: r.at ?? Date.now(),
      tokens: part.tokens,
      ...(part.serving ? { speed: r.speed ?? null, inferenceGeo: r.inferenceGeo ?? null } : {}),
    });
    into.cost += usd;
    for (const model of unknown) into.unknownModels.add(model);
  }
  if (prices.isStandIn(r.model)) return;
  const byModel = r.sidechain ? into.outputByModel.side : into.outputByModel.main;
  const seen = byModel.get(r.model);
  const firstAt = seen?.firstAt === undefined || (r.at !== undefined && r.at < seen.firstAt) ? r.at : seen.firstAt;
  byModel.set(r.model, { output: (seen?.output ?? 0) + r.tokens.output, ...(firstAt === undefined ? {} : { firstAt }) });
}

/** Groups deduplicated usage records by session. */
export function usageBySession(records: Iterable<UsageRecord>, prices: PriceBook): Map<string, SessionUsage> {
  const out = new Map<string, SessionUsage>();
  for (const r of records) {
    let s = out.get(r.sessionId);
    if (!s) out.set(r.sessionId, (s = emptySessionUsage()));
    addRecord(s, r, prices);
  }
  return out;
}

/**
 * The session's model: the one that wrote most in its main thread, the
 * conversation the user had (subagents often run a smaller model, and may
 * write more); a subagent's only for a session with no response of its own.
 * Of two that wrote as much, the one that answered first, then by name: never
 * the order the responses come in, which differs between the dry run (read
 * order) and the sync (the state's, by key), so both send one model.
 */
function mainModel(outputByModel: SessionUsage["outputByModel"]): string | undefined {
  let best: [string, ModelOutput] | undefined;
  for (const entry of outputByModel.main.size > 0 ? outputByModel.main : outputByModel.side) {
    if (!best || outranks(entry, best)) best = entry;
  }
  return best?.[0];
}

/** Whether the first model is the session's rather than the second: more output, else the first to answer, else the name. */
function outranks([model, a]: [string, ModelOutput], [bestModel, b]: [string, ModelOutput]): boolean {
  if (a.output !== b.output) return a.output > b.output;
  const [at, bt] = [a.firstAt ?? Infinity, b.firstAt ?? Infinity];
  return at !== bt ? at < bt : model < bestModel;
}

/**
 * When the session started: its own first line's time or its subagents' earliest, whichever came first. A start
 * from one kind alone depended on which files a read found: 2.0's Warmup agent is written when Claude Code starts,
 * the session's own file only at the first prompt, and a session sent in between (its files quiet a minute: a user
 * thinking at the prompt) kept the Warmup's time on the server (createdAt is written once), where a read of all
 * its files gave the prompt's.
 */
export function startOf(meta: SessionMeta): number | undefined {
  if (meta.firstAt === undefined || meta.firstSideAt === undefined) return meta.firstAt ?? meta.firstSideAt;
  return Math.min(meta.firstAt, meta.firstSideAt);
}

/** A project's name: its folder's. */
export function projectNameOf(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/**
 * The name the user gave the session, else Claude Code's own title for it,
 * else its first typed prompt, else its first command, summary line or
 * subagent task (for sessions with no prompt, or whose own file is gone).
 */
export function titleOf(meta: SessionMeta): string | undefined {
  return meta.customTitle ?? meta.aiTitle ?? meta.title ?? meta.command ?? meta.summary ?? meta.subagentPrompt;
}

/** A session's token totals as OpenSync shows them: everything read as prompt, and the output. */
export interface ShownTokens {
  promptTokens: number;
  completionTokens: number;
}

export function shownTokens(u: UsageTotals): ShownTokens {
  return { promptTokens: u.inputTokens + u.cacheCreationTokens + u.cacheReadTokens, completionTokens: u.outputTokens };
}

export const NO_TOKENS_SHOWN: ShownTokens = { promptTokens: 0, completionTokens: 0 };

export function plusShown(a: ShownTokens, b: ShownTokens): ShownTokens {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens };
}

export function minusShown(a: ShownTokens, b: ShownTokens): ShownTokens {
  return { promptTokens: a.promptTokens - b.promptTokens, completionTokens: a.completionTokens - b.completionTokens };
}

/** The tokens OpenSync would show for these responses, counted as a session's are. */
export function tokensShownFor(records: Iterable<UsageRecord>): ShownTokens {
  const u = emptyUsage();
  for (const r of records) for (const part of countedParts(r)) addUsage(u, part.tokens);
  return shownTokens(u);
}

export function summarize(meta: SessionMeta, usage: SessionUsage, messageCount: number): SessionSummary {
  const u = usage.usage;
  const title = titleOf(meta);
  const cwd = meta.cwd ?? meta.anyCwd;
  const model = mainModel(usage.outputByModel);
  const startedAt = startOf(meta);
  return {
    externalId: meta.sessionId,
    ...(title ? { title } : {}),
    ...(cwd ? { projectPath: cwd, projectName: projectNameOf(cwd) } : {}),
    ...(model ? { model } : {}),
    provider: "anthropic",
    source: "claude-code",
    ...(startedAt !== undefined ? { createdAt: startedAt } : {}),
    ...(startedAt !== undefined && meta.lastAt !== undefined ? { durationMs: meta.lastAt - startedAt } : {}),
    messageCount,
    ...shownTokens(u),
    cost: roundUsd(usage.cost),
    usage: { ...u },
    unknownModels: [...usage.unknownModels].sort(),
  };
}
