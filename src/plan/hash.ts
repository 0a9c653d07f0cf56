import type { SessionPayload } from "../opensync/payload.ts";

/** A content hash of a payload's JSON: what tells whether the server already has it. */
export function payloadHash(json: string): string {
  return Bun.hash(json).toString(36);
}

/**
 * The fields OpenSync's 10 s session window compares (title, model, project
 * path, token counts): two payloads with the same key differ only in fields
 * the window would drop (cost, duration...).
 */
export function windowKey(p: Pick<SessionPayload, "title" | "model" | "projectPath" | "promptTokens" | "completionTokens">): string {
  return payloadHash(JSON.stringify([p.title ?? null, p.model ?? null, p.projectPath ?? null, p.promptTokens ?? 0, p.completionTokens ?? 0]));
}

/** A copy of the record whose window key is not known (a killed run's write: StateStore.markPendingUnsure). */
const ANY_KEY = "*";

/**
 * The window keys of the copies of a session's record the server may hold, as the state keeps them (`sent_key`):
 * one, the acknowledged copy's, until a write of it given up on is over; then also those such writes carried, as
 * any of them may have landed last (StateStore.settleUnsure), space-separated.
 */
export function withKeys(held: string | null, added: Array<string | null>): string | null {
  const keys = new Set([...(held === null ? [] : held.split(" ")), ...added.map((k) => k ?? ANY_KEY)]);
  return keys.size === 0 ? null : [...keys].join(" ");
}

/** Whether a copy the server may hold (`held`: withKeys) has this window key, or may have. */
export function mayHoldKey(held: string | null, key: string): boolean {
  return held !== null && held.split(" ").some((k) => k === key || k === ANY_KEY);
}
