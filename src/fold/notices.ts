import type { AgentMeta } from "../discover/agent-meta.ts";
import type { Origin, SystemLine } from "../transcript/schema.ts";

/**
 * Readable texts for what the fold sends as `system` messages: lines that
 * belong in the conversation a person reads but are not the person's words
 * (background task reports, command output, interruptions, compaction...).
 * Each says what it is, since the dashboard shows them beside the prompts.
 */

/** The text inside `<name>...</name>`, trimmed. */
export const tag = (text: string, name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text)?.[1]?.trim();

/** Terminal colour and style codes, which local command output keeps (`/model`, `/cost`...). */
export const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * A `<task-notification>` (a background command or agent finished, 2.1.x):
 * its `<summary>` (`Background command "Build" completed (exit code 0)`),
 * and an agent's `<result>` when it has one, rather than the raw tags.
 */
export function taskNotificationText(text: string): string {
  const summary = tag(text, "summary") ?? (tag(text, "status") ? `Task ${tag(text, "status")}` : undefined);
  const result = tag(text, "result");
  const body = [summary, result].filter(Boolean).join("\n\n") || text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
  return `Background task notification: ${body}`;
}

/** Who wrote a user line that is not the person's, in a few words. */
function authorOf(origin: Origin | undefined, promptSource: string | undefined): string {
  switch (origin?.kind) {
    case "peer":
      return origin.name ? `Message from another Claude session (${origin.name})` : "Message from another Claude session";
    case "hook":
      return "Message from a hook";
    case undefined:
    case "human":
      return promptSource === "sdk" ? "Prompt sent by a program (SDK)" : "Message added by Claude Code";
    default:
      return `Message from Claude Code (${origin?.kind})`;
  }
}

/** Another session's message arrives wrapped: `Another Claude session sent a message: <cross-session-message from=...>body</cross-session-message>`. */
const CROSS_SESSION = /<cross-session-message[^>]*>([\s\S]*?)<\/cross-session-message>/;

/** A user line written by the harness, another session or a program, labelled as such. */
export function injectedText(origin: Origin | undefined, promptSource: string | undefined, text: string): string {
  if (origin?.kind === "task-notification" || text.trimStart().startsWith("<task-notification>")) return taskNotificationText(text);
  return `${authorOf(origin, promptSource)}: ${CROSS_SESSION.exec(text)?.[1]?.trim() || text}`;
}

const OUTPUTS: Array<{ tag: string; label: string }> = [
  { tag: "local-command-stdout", label: "Command output" },
  { tag: "local-command-stderr", label: "Command error output" },
  { tag: "bash-stdout", label: "Shell output" },
  { tag: "bash-stderr", label: "Shell error output" },
];

/** Whether the text is the output of a local command or of a `!` shell command. */
export function isCommandOutput(text: string): boolean {
  const t = text.trimStart();
  return OUTPUTS.some((o) => t.startsWith(`<${o.tag}>`));
}

/** What Claude Code writes for a local command that printed nothing. */
const NO_CONTENT = "(no content)";

/** The output of a local command (`/model`, `/cost`...) or of a `!` shell command, undefined when it printed nothing. */
export function commandOutputText(text: string): string | undefined {
  const parts = OUTPUTS.map((o) => ({ label: o.label, body: tag(text, o.tag)?.replace(ANSI, "").trim() })).filter(
    (p) => p.body && p.body !== NO_CONTENT,
  );
  if (parts.length === 0) return undefined;
  return parts.map((p) => `${p.label}:\n${p.body}`).join("\n\n");
}

/** `[Request interrupted by user for tool use]` as a sentence. */
export function interruptionText(text: string): string {
  return text.trim().replace(/^\[(.*)\]$/s, "$1");
}

export function compactSummaryText(text: string): string {
  return `Summary of the conversation so far (written when it was compacted):\n\n${text.trim()}`;
}

/** A `compact_boundary` line: `Conversation compacted (auto, 155,025 tokens before)`. */
export function compactBoundaryText(line: SystemLine): string {
  const m = line.compactMetadata;
  const details = [m?.trigger, m?.preTokens !== undefined ? `${m.preTokens.toLocaleString("en-US")} tokens before` : undefined].filter(Boolean);
  return `Conversation compacted${details.length ? ` (${details.join(", ")})` : ""}`;
}

/** What the main agent (or, for a nested agent, the subagent that started it) asked a subagent to do: its type and task from the agent's meta file, then the prompt. */
export function subagentTaskText(text: string, meta: AgentMeta | undefined): string {
  const who = meta?.agentType ? `Subagent ${meta.agentType}` : "Subagent";
  const what = meta?.description ? `${who}: ${meta.description}` : who;
  const from = meta?.parentAgentId ? "the subagent that started it" : "the main agent";
  return `${what}\n\nTask from ${from}:\n${text}`;
}
