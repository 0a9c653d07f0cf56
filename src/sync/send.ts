import { AuthError, TransientError, ValidationError } from "../opensync/errors.ts";
import type { OpenSyncClient } from "../opensync/client.ts";
import type { MessagePayload, SessionPayload } from "../opensync/payload.ts";
import { clampTimestamp } from "../safety/sanitize.ts";
import type { SessionRow, StateStore } from "../state/store.ts";

/** OpenSync ignores a message re-send until 5 s after its createdAt; wait a little longer (clock skew). */
export const MESSAGE_WINDOW_MS = 6_000;
/** A session update that changes neither title, model, path nor tokens is dropped within 10 s of the last write. */
export const SESSION_WINDOW_MS = 11_000;
/** Sessions sent at once; one session's writes stay in order, one at a time (the contract's concurrency rule). */
export const SESSION_CONCURRENCY = 4;

export interface SendOptions {
  only?: ReadonlySet<string>;
  now?: () => number;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SendOutcome {
  sessionsSent: number;
  messagesSent: number;
  /** Held back by the server's re-send windows: they go on the next pass. */
  deferred: number;
  /** The sessions held back, and when their window ends (a pass then sends them). */
  deferredSessions: Array<{ sessionId: string; readyAt: number }>;
  failed: Array<{ id: string; error: string }>;
  /** Why sending stopped early: a 401, or the server out of reach. */
  stoppedBy?: AuthError | TransientError;
}

type SessionFields = Omit<SessionPayload, "createdAt">;

/** An update the server would drop as a no-op inside its 10 s window (see the contract). */
export function onlyWindowedFields(previous: SessionFields, next: SessionFields): boolean {
  return (
    previous.title === next.title &&
    previous.model === next.model &&
    previous.projectPath === next.projectPath &&
    (next.promptTokens ?? 0) === (previous.promptTokens ?? 0) &&
    (next.completionTokens ?? 0) === (previous.completionTokens ?? 0)
  );
}

/**
 * Sends the outbox: per session, the session first (so the server keeps its
 * real start time), then its new or changed messages in order. Each
 * acknowledgement is recorded at once; nothing is marked sent before that.
 * A 401 or an unreachable server stops the run and leaves the rest pending.
 */
export async function sendPending(store: StateStore, client: OpenSyncClient, options: SendOptions = {}): Promise<SendOutcome> {
  const now = options.now ?? Date.now;
  const queue = store.sessionsWithWork(options.only);
  const outcome: SendOutcome = { sessionsSent: 0, messagesSent: 0, deferred: 0, deferredSessions: [], failed: [] };
  const defer = (sessionId: string, readyAt: number) => {
    outcome.deferred++;
    outcome.deferredSessions.push({ sessionId, readyAt });
  };
  const total = queue.length;
  let done = 0;

  const sendSession = async (row: SessionRow): Promise<void> => {
    const id = row.session_id;
    const payload = row.payload as string;
    let onServer = row.sent_payload !== null;
    if (row.error === null && row.sent_payload !== payload) {
      const next = JSON.parse(payload) as SessionFields;
      const previous = row.sent_payload ? (JSON.parse(row.sent_payload) as SessionFields) : undefined;
      if (previous && onlyWindowedFields(previous, next) && now() - (row.written_at ?? 0) < SESSION_WINDOW_MS) {
        defer(id, (row.written_at ?? 0) + SESSION_WINDOW_MS);
      } else {
        const body: SessionPayload = { ...next, ...(row.created_at !== null ? { createdAt: clampTimestamp(row.created_at, now()) } : {}) };
        try {
          await client.upsertSession(body);
          store.markSessionSent(id, payload, now());
          outcome.sessionsSent++;
          onServer = true;
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          store.markSessionFailed(id, error.message);
          outcome.failed.push({ id, error: error.message });
          return; // its messages would create the session with the wrong start time
        }
      }
    }
    // Messages before their session would make the server create it with the wrong start time.
    if (!onServer) return;
    for (const m of store.pendingMessages(id)) {
      if (m.sent_hash !== null && now() - m.created_at < MESSAGE_WINDOW_MS) {
        defer(id, m.created_at + MESSAGE_WINDOW_MS);
        continue;
      }
      const body = { ...(JSON.parse(m.payload) as Omit<MessagePayload, "createdAt">), createdAt: clampTimestamp(m.created_at, now()) };
      try {
        await client.upsertMessage(body);
        store.markMessageSent(m.external_id, m.hash);
        store.markWritten(id, now());
        outcome.messagesSent++;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        store.markMessageFailed(m.external_id, error.message);
        outcome.failed.push({ id: m.external_id, error: error.message });
      }
    }
  };

  const worker = async () => {
    for (let row = queue.shift(); row && !outcome.stoppedBy; row = queue.shift()) {
      try {
        await sendSession(row);
      } catch (error) {
        if (error instanceof AuthError || error instanceof TransientError) outcome.stoppedBy ??= error;
        else throw error;
      }
      options.onProgress?.(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? SESSION_CONCURRENCY, Math.max(total, 1)) }, worker));
  return outcome;
}
