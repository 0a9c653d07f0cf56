import type { Tokens } from "./cost.ts";

/**
 * One iteration as costOf takes it: `model` unset means the response's own
 * model. From `message.usage.iterations[]`, as the Messages API returns it
 * and Claude Code copies it into transcripts; the shape, from the Anthropic
 * SDKs' `BetaIterationsUsage` and real transcript lines:
 *
 *   { type, model?, input_tokens, output_tokens, cache_creation_input_tokens,
 *     cache_read_input_tokens, cache_creation?: { ephemeral_5m_input_tokens, ephemeral_1h_input_tokens } }
 *
 * - `message`: a sampling turn. `model` is null for the response's own model;
 *   with a model fallback it names the model whose attempt was declined.
 * - `fallback_message`: the attempt of the fallback model that produced the
 *   message (`model` set).
 * - `advisor_message`: the advisor tool's sub-inference (`model` set, e.g. an
 *   Opus 5.5 line with `claude-fable-5-1` advising).
 * - `compaction`: the server-side request that summarised the context.
 *
 * The top-level usage covers the serving model's turns only (in a real
 * Opus 5.5 line the top-level counts are exactly the sum of its two `message`
 * turns; with a fallback they mirror the `fallback_message`): an advisor's
 * turns, a compaction's and a fallback's declined attempts are not in it, and
 * Anthropic bills each (the compaction docs: sum the iterations to get what
 * is billed; the refusals docs: a declined request is a normal, billed
 * response). So a response counts its top-level usage at its own model, plus
 * each advisor turn that names its model, each compaction turn (at the model
 * it names, else the response's), and, when it fell back, each declined
 * `message` attempt at the model it names. ccusage 20.0.24 counts the
 * advisor's turns only: where the others appear our figures are Anthropic's,
 * not its. Speed and region are the request's: they apply to the inferences
 * the request itself made (top level, compaction, declined attempts), not to
 * an advisor's sub-inference. (The API types `cache_creation` as nullable
 * here, unlike the top-level usage: a reader's schema must accept null.)
 */
export interface Iteration {
  /** `message`, `advisor_message`, `fallback_message`, `compaction`... */
  kind: string;
  model?: string | null;
  tokens: Tokens;
}

/**
 * Raised whenever countedParts counts differently (2: compactions and a fallback's declined attempts), so a
 * state totalled by the earlier counting totals its sessions again once: it is part of every price fingerprint.
 */
export const COUNTING_VERSION = 2;

/** One counted part of a response: its model's tokens, and whether the request's multipliers (speed, region) apply. */
export interface CountedPart {
  model: string;
  tokens: Tokens;
  serving: boolean;
}

/** The parts of one response that are billed (see above): its top-level usage first. */
export function countedParts(r: { model: string; tokens: Tokens; iterations?: readonly Iteration[] | null }): CountedPart[] {
  return [{ model: r.model, tokens: r.tokens, serving: true }, ...billedOutside(r.iterations ?? [], r.model)];
}

/** The turns Anthropic bills outside a response's top-level usage (see above); `model`, the response's, prices a compaction naming none. */
export function billedOutside(iterations: readonly Iteration[], model: string): CountedPart[] {
  const fellBack = iterations.some((it) => it.kind === "fallback_message");
  return iterations.flatMap((it): CountedPart[] => {
    if (it.kind === "advisor_message" && it.model) return [{ model: it.model, tokens: it.tokens, serving: false }];
    if (it.kind === "compaction") return [{ model: it.model || model, tokens: it.tokens, serving: true }];
    if (fellBack && it.kind === "message" && it.model) return [{ model: it.model, tokens: it.tokens, serving: true }];
    return [];
  });
}
