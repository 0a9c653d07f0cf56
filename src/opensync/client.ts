import { z } from "zod";
import { USER_AGENT } from "../version.ts";
import { AuthError, NotFoundError, ProtocolError, redact, TlsError, TransientError, ValidationError } from "./errors.ts";
import {
  type BatchPayload,
  BatchPayloadSchema,
  type MessagePayload,
  MessagePayloadSchema,
  type SessionPayload,
  SessionPayloadSchema,
} from "./payload.ts";
import { normalizeUrl } from "./url.ts";

export { isLoopback, normalizeUrl } from "./url.ts";

/**
 * HTTP client for OpenSync's sync API (../shared/opensync-contract.md).
 * Every call either returns the server's validated answer or throws one of
 * the typed errors in ./errors.ts; transient failures are retried here with
 * exponential backoff and jitter.
 */

export interface ClientOptions {
  /** Server URL; normalized here (.convex.cloud becomes .convex.site). */
  url: string;
  apiKey: string;
  /** Per attempt, default 15 s. */
  timeoutMs?: number;
  /** Extra attempts after a transient failure, default 3. */
  retries?: number;
  fetch?: typeof fetch;
  /** Waits between attempts; tests pass a recorder instead of really waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1), default Math.random. */
  random?: () => number;
  /** First backoff delay before jitter, default 500 ms; doubles per attempt up to 8 s. */
  baseDelayMs?: number;
}

const HealthSchema = z.object({ status: z.literal("ok"), timestamp: z.number() });
const SessionListSchema = z.object({ sessionIds: z.array(z.string()) });
const SessionAnswerSchema = z.object({ ok: z.literal(true), sessionId: z.string() });
const MessageAnswerSchema = z.object({ ok: z.literal(true), messageId: z.string() });
const BatchAnswerSchema = z.object({ ok: z.boolean(), sessions: z.number(), messages: z.number(), errors: z.array(z.string()) });
const ErrorBodySchema = z.object({ error: z.string() });

export interface BatchResult {
  /** Rows written, as the server counts them. */
  sessions: number;
  messages: number;
  /** Every error text as the server sent it; success means this is empty. */
  errors: string[];
  /** The whole sessions array was refused (one bad item refuses all). */
  sessionsError?: string;
  /** The whole messages array was refused. */
  messagesError?: string;
  /** Messages the server could not store (the others were). */
  failedMessages: { externalId: string; error: string }[];
  ok: boolean;
}

export interface OpenSyncClient {
  readonly url: string;
  health(): Promise<z.infer<typeof HealthSchema>>;
  /** External ids of all the user's sessions; also the cheap way to check the key. */
  listSessions(): Promise<string[]>;
  upsertSession(payload: SessionPayload): Promise<{ sessionId: string }>;
  upsertMessage(payload: MessagePayload): Promise<{ messageId: string }>;
  /**
   * Only for messages never sent before: the server drops the parts of a message
   * it already has when it comes through here. Retried only when the batch
   * surely was not applied; otherwise a TransientError with maybeApplied = true
   * says to re-send its messages one by one with upsertMessage.
   */
  batch(payload: BatchPayload): Promise<BatchResult>;
}

/** Transient failures the request surely did not get past: safe to replay even when not idempotent. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ConnectionRefused", "FailedToOpenSocket"]);
const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME_MISMATCH|ALTNAME/i;
/** First lines of 500 texts that mean "try again" rather than "this payload is wrong". */
const TRANSIENT_500 = /changed while this mutation was being run|OptimisticConcurrency|Server Error$|timed out|temporarily|try again|overloaded|too many concurrent/i;

/** A failure worth another attempt; `sent` when the server may have received (and applied) the request. */
interface Retry {
  retry: true;
  reason: string;
  sent: boolean;
}

type Attempt<T> = { retry: false; value: T } | Retry;

const MAX_DELAY_MS = 8_000;

export function createClient(options: ClientOptions): OpenSyncClient {
  const base = normalizeUrl(options.url);
  const host = new URL(base).host;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retries = options.retries ?? 3;
  const sleep = options.sleep ?? ((ms: number) => Bun.sleep(ms));
  const random = options.random ?? Math.random;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const hide = (text: string) => redact(options.apiKey ? text.split(options.apiKey).join("[redacted]") : text);

  function networkFailure(error: unknown): Retry {
    const e = error as { name?: string; code?: string; message?: string };
    if (e?.name === "TimeoutError" || e?.name === "AbortError") {
      return { retry: true, reason: `no answer within ${timeoutMs / 1000} s`, sent: true };
    }
    const code = typeof e?.code === "string" ? e.code : "";
    if (TLS_CODE.test(code)) throw new TlsError(host, `${hide(e.message ?? "TLS error")} (${code})`);
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
      return { retry: true, reason: `cannot resolve ${host} (offline, or a wrong URL?)`, sent: false };
    }
    if (NOT_SENT_CODES.has(code)) return { retry: true, reason: `cannot connect to ${host} (${code})`, sent: false };
    if (code === "ECONNRESET") return { retry: true, reason: "the connection closed before an answer", sent: true };
    return { retry: true, reason: hide(e?.message ?? String(error)), sent: true };
  }

  async function attempt<T>(method: string, path: string, schema: z.ZodType<T>, body: string | undefined, auth: boolean): Promise<Attempt<T>> {
    const url = `${base}${path}`;
    const headers: Record<string, string> = { "User-Agent": USER_AGENT, Accept: "application/json" };
    if (auth) headers.Authorization = `Bearer ${options.apiKey}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let status: number;
    let text: string;
    try {
      const response = await doFetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (error) {
      return networkFailure(error);
    }

    const parsed = parseJson(text);
    if (status >= 200 && status < 300) {
      const answer = schema.safeParse(parsed);
      if (!answer.success) throw new ProtocolError(url, status, text || "empty body");
      return { retry: false, value: answer.data };
    }
    const errorText = ErrorBodySchema.safeParse(parsed).data?.error;
    const route = `${method} ${path}`;
    if (status === 401) throw new AuthError(errorText ?? text);
    if (status === 404) throw new NotFoundError(url, errorText ?? text);
    if (status === 408 || status === 429) return { retry: true, reason: `HTTP ${status}`, sent: false };
    if (status === 400 || status === 413) throw new ValidationError(route, status, errorText ?? (text || `HTTP ${status}`));
    if (status === 500 && errorText !== undefined) {
      const firstLine = errorText.split("\n", 1)[0]!;
      // A failed mutation is rolled back, so replaying it is safe.
      if (TRANSIENT_500.test(firstLine)) return { retry: true, reason: `server error: ${hide(firstLine)}`, sent: false };
      throw new ValidationError(route, status, errorText);
    }
    // 502/503: the gateway could not reach the backend. 504 and other 5xx: it may have run.
    if (status >= 500) return { retry: true, reason: `HTTP ${status}`, sent: status !== 502 && status !== 503 };
    throw new ProtocolError(url, status, text || "empty body");
  }

  /** Runs `attempt` until it succeeds, fails for good, or the retries are used up. */
  async function call<T>(method: string, path: string, schema: z.ZodType<T>, payload?: unknown, replaySent = true): Promise<T> {
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    const auth = path !== "/health";
    let maybeApplied = false;
    for (let n = 0; ; n++) {
      const result = await attempt(method, path, schema, body, auth);
      if (!result.retry) return result.value;
      const attempts = n + 1;
      maybeApplied ||= result.sent;
      if (result.sent && !replaySent) {
        throw new TransientError(
          `${method} ${path} to ${host} failed (${result.reason}) and may have been stored; ` +
            "will retry on next sync, one message at a time.",
          attempts,
          true,
        );
      }
      if (n >= retries) {
        throw new TransientError(
          `OpenSync at ${host} is not reachable (${result.reason}) after ${attempts} attempt${attempts === 1 ? "" : "s"}; will retry on next sync.`,
          attempts,
          maybeApplied,
        );
      }
      const delay = Math.min(MAX_DELAY_MS, baseDelayMs * 2 ** n);
      await sleep(Math.round(delay * (0.5 + random() / 2)));
    }
  }

  /** Refuses locally what the server would refuse (or mangle), before anything is sent. */
  function checked<T>(schema: z.ZodType<T>, payload: T, route: string): T {
    const result = schema.safeParse(payload);
    if (!result.success) throw new ValidationError(route, null, z.prettifyError(result.error).replaceAll("\n", " "));
    return payload;
  }

  return {
    url: base,
    health: () => call("GET", "/health", HealthSchema),
    listSessions: async () => (await call("GET", "/sync/sessions/list", SessionListSchema)).sessionIds,
    upsertSession: async (payload) => {
      const answer = await call("POST", "/sync/session", SessionAnswerSchema, checked(SessionPayloadSchema, payload, "POST /sync/session"));
      return { sessionId: answer.sessionId };
    },
    upsertMessage: async (payload) => {
      const answer = await call("POST", "/sync/message", MessageAnswerSchema, checked(MessagePayloadSchema, payload, "POST /sync/message"));
      return { messageId: answer.messageId };
    },
    batch: async (payload) => {
      const answer = await call("POST", "/sync/batch", BatchAnswerSchema, checked(BatchPayloadSchema, payload, "POST /sync/batch"), false);
      return batchResult(answer, payload);
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sorts the server's error strings: whole-array refusals, and `<externalId>: ...` per message. */
function batchResult(answer: z.infer<typeof BatchAnswerSchema>, payload: BatchPayload): BatchResult {
  const result: BatchResult = { sessions: answer.sessions, messages: answer.messages, errors: answer.errors, failedMessages: [], ok: answer.errors.length === 0 };
  // Ids may contain ": " themselves, so match against the ids we sent, longest first.
  const ids = (payload.messages ?? []).map((m) => m.externalId).sort((a, b) => b.length - a.length);
  for (const error of answer.errors) {
    if (error.startsWith("Sessions batch error: ")) result.sessionsError = error.slice("Sessions batch error: ".length);
    else if (error.startsWith("Messages batch error: ")) result.messagesError = error.slice("Messages batch error: ".length);
    else {
      const id = ids.find((candidate) => error.startsWith(`${candidate}: `));
      if (id !== undefined) result.failedMessages.push({ externalId: id, error: error.slice(id.length + 2) });
    }
  }
  return result;
}
