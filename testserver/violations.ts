/**
 * Contract violations: requests a good client never sends. The real server
 * answers most of them (some with 200); the test server records every one with
 * a reason so tests can assert that a run produced none.
 */
export type ViolationReason =
  // transport and auth
  | "missing-auth"
  | "bad-key-format"
  | "missing-content-type"
  | "bad-user-agent"
  | "invalid-json"
  | "unknown-path"
  // argument validation (the server answers 500, or 400 for a missing session id)
  | "missing-required"
  | "null-field"
  | "invalid-type"
  | "invalid-role"
  | "iso-created-at"
  | "unknown-field"
  | "part-extra-key"
  // accepted but a sign of a confused client
  | "ignored-field"
  | "missing-source"
  | "future-created-at"
  // storage limits
  | "dollar-key"
  | "oversized"
  // ordering and re-sends
  | "message-before-session"
  | "message-other-session"
  // a message id of a session "delete all data" removed: the row is updated, invisible
  | "message-orphaned"
  | "identical-resend"
  | "resend-in-window"
  | "resend-without-parts"
  | "session-change-dropped"
  // a total lowered to 0: the server applies only values > 0
  | "total-not-lowered"
  | "batch-resend"
  | "batch-duplicate"
  | "batch-session-insert";

export interface Violation {
  /** Sequence number of the request that caused it (see TestServer.requests()). */
  request: number;
  /** The request's User-Agent header, null without one (0.1.x sent none: Node's fetch says "node"). */
  userAgent: string | null;
  method: string;
  path: string;
  reason: ViolationReason;
  detail: string;
  externalId?: string;
}

/** How code below the HTTP layer reports a violation of the request it serves. */
export type Report = (reason: ViolationReason, detail: string, externalId?: string) => void;
