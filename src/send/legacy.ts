import type { MessagePayload } from "../opensync/payload.ts";
import type { ServerMessage } from "../opensync/read-api.ts";

/**
 * Upgrading from claude-code-sync 0.1.x (the same npm name, so every existing
 * user): its hooks sent messages under ids of their own (assistant text by
 * the transcript line's uuid, prompts as `<session>-user-<Date.now()>`, tool
 * calls by their `tool_use_id`). For a session the server already has, each
 * of our messages that matches one of those reuses its id, so our sync
 * updates it in place instead of adding a second copy. What cannot be matched
 * is sent as new.
 */

/** Ours: the id we would send it under, and what it says. */
export interface OwnMessage {
  externalId: string;
  payload: Pick<MessagePayload, "role" | "textContent" | "parts">;
}

const flat = (text: string | undefined) => (text ?? "").replace(/\s+/g, " ").trim();

/** The tool call ids in our message's parts (tool calls, and the results that answer them). */
function toolCallIds(m: OwnMessage): string[] {
  return (m.payload.parts ?? []).flatMap((p) => {
    const id = (p.content as { toolCallId?: unknown } | null)?.toolCallId;
    return typeof id === "string" ? [id] : [];
  });
}

/** What matchLegacy reads of one of ours: its role, its text and its tool call ids, not what its tools returned. */
export function matchable(m: OwnMessage): OwnMessage {
  const { role, textContent } = m.payload;
  return { externalId: m.externalId, payload: { role, textContent, parts: toolCallIds(m).map((toolCallId) => ({ type: "tool-call", content: { toolCallId } })) } };
}

/** Whether the server has a message under an id 0.1.x gave it (ours are `<session>:<uuid>`). */
export const sentByLegacy = (sessionId: string) => (t: Pick<ServerMessage, "externalId">) => !t.externalId.startsWith(`${sessionId}:`);

/** The uuid of the first transcript line of our message (our ids are `<session>:<uuid>`). */
const lineUuid = (m: OwnMessage) => m.externalId.slice(m.externalId.indexOf(":") + 1);

/**
 * Pairs the server's messages sent by 0.1.x with ours: by id (a line uuid or
 * tool_use id we know), then by role and text. Each message on either side is
 * used once; messages already under our own ids are left alone. Returns our
 * id -> the id the server has it under.
 */
export function matchLegacy(
  sessionId: string,
  ours: readonly OwnMessage[],
  theirs: readonly Pick<ServerMessage, "externalId" | "role" | "textContent" | "createdAt">[],
): Map<string, Pick<ServerMessage, "externalId" | "createdAt">> {
  const aliases = new Map<string, Pick<ServerMessage, "externalId" | "createdAt">>();
  const legacy = theirs.filter(sentByLegacy(sessionId));
  const free = new Set(ours);
  const take = (m: OwnMessage, t: Pick<ServerMessage, "externalId" | "createdAt">) => {
    aliases.set(m.externalId, { externalId: t.externalId, createdAt: t.createdAt });
    free.delete(m);
  };
  // 0.1.x sent one message per text line and one per tool call; ours is one per response. What shows twice
  // on the dashboard is text, so ids of lines come first, then texts, then tool calls.
  const byLine = new Map(ours.map((m) => [lineUuid(m), m]));
  const byTool = new Map(ours.filter((m) => m.payload.role === "assistant").flatMap((m) => toolCallIds(m).map((id) => [id, m] as const)));
  const passes: Array<(t: (typeof legacy)[number]) => OwnMessage | undefined> = [
    (t) => byLine.get(t.externalId),
    (t) => {
      const text = flat(t.textContent);
      return text ? [...free].find((o) => o.payload.role === t.role && flat(o.payload.textContent) === text) : undefined;
    },
    (t) => byTool.get(t.externalId),
  ];
  let left = legacy;
  for (const pass of passes) {
    left = left.filter((t) => {
      const m = pass(t);
      if (!m || !free.has(m)) return true;
      take(m, t);
      return false;
    });
  }
  return aliases;
}
