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
 * The top-level usage covers the serving model's `message` turns (in a real
 * Opus 5.5 line the top-level counts are exactly the sum of its two
 * `message` turns); an advisor's tokens are not in it. A response counts as
 * ccusage 20.0.24 counts it (its totals are the reference a user compares
 * with): the top-level usage at the line's model, plus each advisor turn
 * that names its model, at that model's price (no speed or region multiplier:
 * those are the serving request's). A fallback's declined attempt and a
 * compaction turn are not counted, by ccusage either. (The API types
 * `cache_creation` as nullable here, unlike the top-level usage: a reader's
 * schema must accept null.)
 */
export interface Iteration {
  /** `message`, `advisor_message`, `fallback_message`, `compaction`... */
  kind: string;
  model?: string | null;
  tokens: Tokens;
}

/** One counted part of a response: its model's tokens, and whether the response's multipliers (speed, region) apply. */
export interface CountedPart {
  model: string;
  tokens: Tokens;
  serving: boolean;
}

/** The parts of one response that count, as ccusage counts them (see above). */
export function countedParts(r: { model: string; tokens: Tokens; iterations?: readonly Iteration[] | null }): CountedPart[] {
  const advisors = (r.iterations ?? []).filter((it): it is Iteration & { model: string } => it.kind === "advisor_message" && Boolean(it.model));
  return [{ model: r.model, tokens: r.tokens, serving: true }, ...advisors.map((it) => ({ model: it.model, tokens: it.tokens, serving: false }))];
}
