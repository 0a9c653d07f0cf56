/**
 * What a change reported under a `projects/` root means, from its path alone
 * (relative to the root, as fs.watch reports it), following the layouts that
 * discover/files.ts reads:
 *   `<project>/<sessionId>.jsonl`             that session;
 *   `<project>/<sessionId>/…/<name>.jsonl`   a subagent of that session;
 *   `<project>/agent-<id>.jsonl`               a subagent whose session is named inside the file;
 *   `<project>` or `<project>/<folder>`        a new or removed folder: look at the files again.
 * Anything else (other files Claude Code keeps there) is no change to a transcript.
 */
type ChangeTarget = { session: string } | { agentFile: string } | "rescan" | undefined;

export function changeTarget(relative: string): ChangeTarget {
  const parts = relative.split(/[\\/]/).filter(Boolean);
  const name = parts.at(-1);
  if (name === undefined) return "rescan";
  if (!name.endsWith(".jsonl")) return parts.length <= 2 ? "rescan" : undefined;
  if (parts.length === 2) return name.startsWith("agent-") ? { agentFile: relative } : { session: name.slice(0, -".jsonl".length) };
  return parts.length > 2 ? { session: parts[1]! } : undefined;
}
