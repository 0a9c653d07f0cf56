import type { OpenSyncClient } from "../opensync/client.ts";
import type { MessagePayload, SessionPayload } from "../opensync/payload.ts";

export const TEST_TITLE = "claude-code-sync test session (safe to delete)";
const SOURCE = "claude-code";

export const testExternalId = (now: number) => `claude-code-sync-test-${now}`;

/** A session no transcript could produce, named so that nobody mistakes it for real work. */
export function testSession(now: number): { session: SessionPayload; messages: MessagePayload[] } {
  const externalId = testExternalId(now);
  // In the past, so the server's re-send window (measured from createdAt) is never in the way.
  const start = now - 2_000;
  const message = (role: "user" | "assistant", text: string, createdAt: number): MessagePayload => ({
    sessionExternalId: externalId,
    externalId: `${externalId}:${role}`,
    role,
    source: SOURCE,
    textContent: text,
    parts: [{ type: "text", content: text }],
    createdAt,
  });
  return {
    session: { externalId, source: SOURCE, title: TEST_TITLE, projectName: "claude-code-sync", createdAt: start },
    messages: [
      message("user", "claude-code-sync test: can you read this?", start),
      message("assistant", "Yes: the round trip from claude-code-sync to OpenSync works. This session is safe to delete.", start + 1_000),
    ],
  };
}

export interface RoundTrip {
  externalId: string;
  /** The server's own id of the session. */
  sessionId: string;
  messages: number;
  /** Whether /sync/sessions/list then names the session. */
  found: boolean;
  /** Sessions the server lists for this key. */
  listed: number;
}

/** Writes the test session (session first, then its messages), then reads the session list back and finds it there. */
export async function roundTrip(client: OpenSyncClient, now: number): Promise<RoundTrip> {
  const { session, messages } = testSession(now);
  const { sessionId } = await client.upsertSession(session);
  for (const m of messages) await client.upsertMessage(m);
  const ids = await client.listSessions();
  return { externalId: session.externalId, sessionId, messages: messages.length, found: ids.includes(session.externalId), listed: ids.length };
}
