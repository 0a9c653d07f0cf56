import { existsSync } from "node:fs";
import { basename } from "node:path";
import { readJsonFile } from "../runtime/json-file.ts";
import { z } from "../runtime/zod.ts";

/**
 * `<session>/subagents/agent-<id>.meta.json`, written beside a subagent's
 * transcript since 2.1.x: `{"agentType":"Explore","description":"Find the
 * config loader","toolUseId":...,"spawnDepth":1}`. Workflow agents have only
 * `agentType`; side-question and compaction agents have no file at all.
 */
const AgentMetaSchema = z.object({
  agentType: z.catch(z.optional(z.string()), undefined),
  description: z.catch(z.optional(z.string()), undefined),
  /** A fork (2.1.2xx, `agentType: "fork"`): it starts from the conversation so far, which its transcript may replay. */
  isFork: z.catch(z.optional(z.boolean()), undefined),
  /** The tool call that started the agent: a fork's own work starts at its placeholder result for it. */
  toolUseId: z.catch(z.optional(z.string()), undefined),
  /** A nested agent's (2.1.2xx): the subagent that started it, which gave it its task. */
  parentAgentId: z.catch(z.optional(z.string()), undefined),
});
export type AgentMeta = z.infer<typeof AgentMetaSchema>;

const AGENT_FILE = /^agent-(.+)\.jsonl$/;

/** The agent id in a subagent transcript's name (`agent-<id>.jsonl`), as its lines' `agentId` says it. */
export function agentIdOf(transcriptPath: string): string | undefined {
  return AGENT_FILE.exec(basename(transcriptPath))?.[1];
}

/**
 * The meta file beside a subagent transcript, or undefined when there is none
 * or it cannot be read: it only describes the agent, so the transcript reads
 * the same without it.
 */
export function agentMeta(transcriptPath: string): AgentMeta | undefined {
  const path = transcriptPath.replace(/\.jsonl$/, ".meta.json");
  // Most agent files have none (2.0.x, side questions): a stat is a third of the cost of a read that throws.
  if (!existsSync(path)) return undefined;
  return readJsonFile(path, AgentMetaSchema);
}
