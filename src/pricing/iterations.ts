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
 * The top-level usage covers only part of that: the serving model's `message`
 * turns (an advisor's tokens are not in it: in a real Opus 5.5 line the
 * top-level counts are exactly the sum of its two `message` turns), only the
 * serving attempt after a fallback, and never a compaction. So a response with
 * iterations costs the sum of its iterations, each at its own model's price.
 * Unknown future types are priced the same way: by `model`, else the line's.
 * (The API types `cache_creation` as nullable here, unlike the top-level
 * usage: a reader's schema must accept null.)
 */
export interface Iteration {
  model?: string | null;
  tokens: Tokens;
}
