import { UserError } from "../errors.ts";
import type { OpenSyncClient } from "../opensync/client.ts";
import { AuthError, NotFoundError, ProtocolError, TlsError, TransientError, ValidationError } from "../opensync/errors.ts";
import type { MessagePayload, SessionPayload } from "../opensync/payload.ts";

/**
 * What the sender needs to know of one request's outcome to act on it:
 * - auth, url: stop the run (the user must log in again, or fix the URL);
 * - refused: this item, for good (until it changes, a day passes, or --retry-failed);
 * - transient: try this item again later; the run goes on;
 * - down: the server cannot be reached at all: stop the run;
 * - rate-limited: everybody waits `retryAfterMs`, then this item is tried again.
 */
export type FailureKind = "auth" | "url" | "refused" | "transient" | "down" | "rate-limited";

export type Outcome<T> =
  | { ok: true; value: T; latencyMs: number }
  | { ok: false; kind: FailureKind; error: UserError; retryAfterMs?: number; latencyMs: number };

/** The writes the sender makes, each one attempt (the sender owns retries and pacing). */
export interface SendTransport {
  upsertSession(payload: SessionPayload): Promise<Outcome<{ sessionId: string }>>;
  upsertMessage(payload: MessagePayload): Promise<Outcome<{ messageId: string }>>;
}

export function classify(error: unknown): { kind: FailureKind; error: UserError } {
  if (error instanceof AuthError) return { kind: "auth", error };
  if (error instanceof NotFoundError || error instanceof ProtocolError) return { kind: "url", error };
  if (error instanceof ValidationError) return { kind: "refused", error };
  if (error instanceof TlsError) return { kind: "down", error };
  if (error instanceof TransientError) return { kind: /cannot connect|cannot resolve/.test(error.message) ? "down" : "transient", error };
  if (error instanceof UserError) return { kind: "transient", error };
  throw error;
}

async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  const started = performance.now();
  try {
    const value = await call();
    return { ok: true, value, latencyMs: performance.now() - started };
  } catch (error) {
    return { ok: false, ...classify(error), latencyMs: performance.now() - started };
  }
}

/** The transport over a client made with `retries: 0`. */
export function clientTransport(client: OpenSyncClient): SendTransport {
  return {
    upsertSession: (payload) => attempt(() => client.upsertSession(payload)),
    upsertMessage: (payload) => attempt(() => client.upsertMessage(payload)),
  };
}
