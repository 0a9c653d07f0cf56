/** A model name reduced to the id the price table knows it by. */
interface ModelKey {
  /** e.g. `claude-sonnet-4-5` for `us.anthropic.claude-sonnet-4-5-20250929-v1:0`. */
  key: string;
  /** What stood before `claude-`, e.g. `us.anthropic.` (empty when nothing did). */
  prefix: string;
}

/**
 * One rule for every vendor's spelling; which family an id belongs to is the
 * price table's business (its ids and aliases), not this function's:
 * `claude-opus-5-5[1m]`, `claude-sonnet-4-5@20250929` (Vertex),
 * `bedrock/us.anthropic.claude-opus-4-1-20250805-v1:0`, `claude-opus-4.5`,
 * `claude-opus-4-5-20251101-thinking`, `claude-opus-5-high` and
 * `claude-sonnet-4-5-20250929` all lose what is not the model's name.
 */
export function modelKey(model: string): ModelKey {
  let id = model.trim().toLowerCase();
  id = id.replace(/\[[^\]]*\]$/, ""); // context-window tag: [1m]
  id = id.replace(/@.*$/, ""); // Vertex version: @20250929
  id = id.slice(id.lastIndexOf("/") + 1); // provider path: vertex_ai/, bedrock/
  const start = id.indexOf("claude-");
  const prefix = start > 0 ? id.slice(0, start) : "";
  id = id.slice(prefix.length);
  id = id.replace(/-v\d+(?::\d+)?$/, ""); // Bedrock version: -v1:0
  // Gateways' words for how the model is run, which bill its tokens at its own price, as ccusage prices them: thinking on
  // (claude-fable-5-1-thinking), an effort level (claude-opus-5-high, -xhigh, -max: effort changes how many tokens, not their
  // rate) and -latest (claude-sonnet-5-latest). Other words ccusage reads past by prefix are kept: the name is then no family's.
  id = id.replace(/(?:-(?:thinking|latest|low|medium|high|xhigh|max))+$/, "");
  id = id.replace(/\./g, "-"); // claude-opus-4.5
  id = id.replace(/-\d{8}$/, ""); // release date: -20250929
  return { key: id, prefix };
}
