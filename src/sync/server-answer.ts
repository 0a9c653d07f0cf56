import type { OpenSyncClient } from "../opensync/client.ts";
import type { ServerSession } from "../opensync/read-api.ts";
import type { OpenSyncError } from "../opensync/errors.ts";

/** What the server said to the read a sync someone asked for makes first: its latest session, or why it could not say. */
export type ServerAnswer = { ok: true; sessions: ServerSession[] } | { ok: false; error: OpenSyncError };

/**
 * The one small read that lets a sync with nothing to send still hear from
 * the server, so a key revoked or a URL gone is said, never "all synced". A
 * blip (one dropped connection, one 503) is tried once more: only a server
 * out of reach, or a refused key, is said. Never rejects.
 */
export function askServer(client: OpenSyncClient): Promise<ServerAnswer> {
  return client
    .withRetries(1)
    .listServerSessions({ limit: 1 })
    .then(
      (sessions): ServerAnswer => ({ ok: true, sessions }),
      (error: OpenSyncError): ServerAnswer => ({ ok: false, error }),
    );
}
