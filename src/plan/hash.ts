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
