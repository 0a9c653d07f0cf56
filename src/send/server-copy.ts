import type { OpenSyncClient } from "../opensync/client.ts";
import type { MessagePayload, SessionPayload } from "../opensync/payload.ts";
import type { ServerMessage, ServerSession } from "../opensync/read-api.ts";
import type { StateStore } from "../state/store.ts";
import { collectAfter } from "../runtime/gc-pacer.ts";
import { outboxBytes } from "./backlog.ts";

/** Whether the server's copy of a message is what `payload` would write (no field it keeps differs). */
function holdsExactly(held: ServerMessage, payload: MessagePayload): boolean {
  const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);
  return (
    held.role === payload.role &&
    (held.textContent ?? "") === (payload.textContent ?? "") &&
    same(held.model, payload.model) &&
    same(held.promptTokens, payload.promptTokens) &&
    same(held.completionTokens, payload.completionTokens) &&
    same(held.durationMs, payload.durationMs) &&
    Bun.deepEquals(held.parts, payload.parts)
  );
}

/** The server's copy of one session's messages, by the id it knows each by (ours, or 0.1.x's alias). */
export async function serverCopy(client: OpenSyncClient, serverId: string): Promise<Map<string, ServerMessage>> {
  return new Map((await client.getServerSession(serverId))?.messages.map((m) => [m.externalId, m]) ?? []);
}

/** One of our messages, as the server's copy is compared with it. */
interface Ours {
  externalId: string;
  /** The id 0.1.x sent it under, if it did. */
  alias: string | null;
  hash: string;
  payload: MessagePayload;
  /** What its payload takes in the outbox (backlog.ts). */
  bytes: number;
}

/**
 * Every message of a session's outbox (a refused one included), its payload parsed, one at a time: what the server's copy
 * is compared with. A long session's payloads, all parsed at once, were tens of MB beside the server's copy of them.
 */
export function* outboxToCompare(store: StateStore, sessionKey: number): Generator<Ours> {
  for (const m of store.outbox(sessionKey, Number.MAX_SAFE_INTEGER)) {
    collectAfter(m.payload.length);
    yield { ...m, payload: JSON.parse(m.payload) as MessagePayload, bytes: outboxBytes(m.payload) };
  }
}

/**
 * Of our messages, those the server holds exactly as we would send them (under our id or 0.1.x's): to be recorded as sent.
 * `other` is given each of the rest.
 */
export function heldExactly(
  ours: Iterable<Ours>,
  held: ReadonlyMap<string, ServerMessage>,
  other?: (m: Ours) => void,
): Array<{ externalId: string; hash: string; createdAt: number; bytes: number }> {
  const found: Array<{ externalId: string; hash: string; createdAt: number; bytes: number }> = [];
  for (const m of ours) {
    const copy = held.get(m.alias ?? m.externalId);
    if (copy && holdsExactly(copy, m.payload)) found.push({ externalId: m.externalId, hash: m.hash, createdAt: copy.createdAt, bytes: m.bytes });
    else other?.(m);
  }
  return found;
}

/** The session fields the server keeps from a record's write: those the read API shows. */
const RECORD_FIELDS = ["title", "projectPath", "projectName", "model", "provider", "promptTokens", "completionTokens", "cost", "durationMs"] as const;

/**
 * Whether the server's copy of a session shows what `payload` wrote. A number it was sent as 0 or less is
 * not compared: the server applies only values above 0 on an update, so another copy's value stays.
 */
export function holdsRecord(held: ServerSession, payload: Omit<SessionPayload, "createdAt">): boolean {
  return RECORD_FIELDS.every((field) => {
    const sent = payload[field];
    return sent === undefined || (typeof sent === "number" && sent <= 0) || held[field] === sent;
  });
}
