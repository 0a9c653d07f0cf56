import { compiledAfter, z } from "../runtime/zod.ts";
import { USER_AGENT } from "../version.ts";
import { readCapped } from "./capped-body.ts";
import { classify, classifyFailure } from "./classify.ts";
import { type FailureKind, NotFoundError, type OpenSyncError, ProtocolError, isServerFailure, maskCredentials, RETRY_ON_NEXT_SYNC, TlsError, TransientError, ValidationError } from "./errors.ts";
import { type MessagePayload, MessagePayloadSchema, type SessionPayload, SessionPayloadSchema } from "./payload.ts";
import {
  MAX_LIST_LIMIT,
  SESSION_NOT_FOUND,
  type ServerSession,
  type ServerSessionDetail,
  ServerSessionDetailSchema,
  ServerSessionListSchema,
} from "./read-api.ts";
import { offsetSample, ServerClock } from "./server-clock.ts";
import { collectAfter } from "../runtime/gc-pacer.ts";
import { normalizeUrl } from "./url.ts";

export { isLoopback, normalizeUrl } from "./url.ts";

/**
 * HTTP client for OpenSync's sync API (../shared/opensync-contract.md).
 * Two ways to call it:
 * - `client.once.<method>`: one attempt, never retried, never throws for a
 *   server's answer: the classified Outcome and the attempt's latency, for a
 *   sender that owns retries and pacing;
 * - `client.<method>`: retried here with backoff and jitter, throwing the
 *   typed errors of ./errors.ts; for one-off calls (login, verify, status).
 * Redirects are never followed; answers are read up to a cap.
 */

export interface ClientOptions {
  /** Server URL; normalized here (see ./url.ts). */
  url: string;
  apiKey: string;
  /** Per attempt, body included; default 15 s. */
  timeoutMs?: number;
  /** Extra attempts after a transient failure, default 3 (retrying methods only). */
  retries?: number;
  /**
   * A call that someone waits for: no retry that could end later than this
   * long after the call began (a server that never answers costs one timeout).
   */
  budgetMs?: number;
  fetch?: typeof fetch;
  /** Waits between attempts; tests pass a recorder instead of really waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1), default Math.random. */
  random?: () => number;
  /** First backoff delay before jitter, default 500 ms; doubles per attempt up to 8 s. */
  baseDelayMs?: number;
  /** Milliseconds for latencies, default performance.now. */
  clock?: () => number;
  /** Most bytes read of an answer: writes and /health (default 1 MiB), reads that grow with the user's data (default 64 MiB). */
  capBytes?: { answer?: number; read?: number };
  /** Gives up the requests on their way, and retries no more (the person stopped the run). */
  stop?: AbortSignal;
  /** Where the server's clock is noted from its answers; default a new one (copies made by withRetries share it). */
  serverClock?: ServerClock;
}

/** One attempt's result, with how long it took (request sent to body read). */
export type Outcome<T> =
  | { ok: true; value: T; latencyMs: number; status: number }
  | { ok: false; kind: FailureKind; error: OpenSyncError; latencyMs: number; status?: number; retryAfterMs?: number };

// The answers a sync with nothing to send never reads (lazy: built at their first parse), and those it does.
const HealthSchema = z.lazy(() =>
  z
    .object({ status: z.literal("ok"), timestamp: z.optional(z.number()), version: z.optional(z.union([z.string(), z.number()])) })
    .check(z.refine((h) => h.timestamp !== undefined || h.version !== undefined, "neither timestamp nor version")),
);
type Health = z.infer<typeof HealthSchema>;

const SessionIdsSchema = z.pipe(z.object({ sessionIds: z.array(z.string()) }), z.transform((a) => a.sessionIds));
const SessionAnswerSchema = z.lazy(() => z.pipe(z.object({ ok: z.literal(true), sessionId: z.string() }), z.transform((a) => ({ sessionId: a.sessionId }))));
const MessageAnswerSchema = z.lazy(() => z.pipe(z.object({ ok: z.literal(true), messageId: z.string() }), z.transform((a) => ({ messageId: a.messageId }))));
const ServerSessionsSchema = z.pipe(ServerSessionListSchema, z.transform((a) => a.sessions));

/**
 * A first sync checks thousands of payloads before they go and reads as many answers: their parsers are
 * generated after this many (the message's about 9 µs interpreted, 2.4 µs generated; 2.9 s of CPU went
 * to them in a 256 MiB first sync).
 */
const WRITES_INTERPRETED = 100;
const checkedSession = compiledAfter(SessionPayloadSchema, WRITES_INTERPRETED);
const checkedMessage = compiledAfter(MessagePayloadSchema, WRITES_INTERPRETED);
const sessionAnswer = compiledAfter(SessionAnswerSchema, WRITES_INTERPRETED);
const messageAnswer = compiledAfter(MessageAnswerSchema, WRITES_INTERPRETED);

interface Calls {
  health(): Promise<Health>;
  /** External ids of all the user's sessions (unpaginated); also the cheap way to check the key. */
  listSessions(): Promise<string[]>;
  upsertSession(payload: SessionPayload): Promise<{ sessionId: string }>;
  upsertMessage(payload: MessagePayload): Promise<{ messageId: string }>;
  /** GET /api/sessions: the `limit` (1..MAX_LIST_LIMIT) most recently updated sessions, with the server's ids. */
  listServerSessions(options: { limit: number }): Promise<ServerSession[]>;
  /** GET /api/sessions/get: a session and its messages by the server's id; null when the server has no such session. */
  getServerSession(serverId: string): Promise<ServerSessionDetail | null>;
}

type Once<C> = { [K in keyof C]: C[K] extends (...args: infer A) => Promise<infer T> ? (...args: A) => Promise<Outcome<T>> : never };

export interface OpenSyncClient extends Calls {
  readonly url: string;
  /** How long an attempt waits for its answer. */
  readonly timeoutMs: number;
  /** The same calls, one attempt each, as Outcomes. */
  readonly once: Once<Calls>;
  /** This client, with `retries` extra attempts for its retrying calls (a client made for a sender has none). */
  withRetries(retries: number): OpenSyncClient;
  /** The server's clock as its answers showed it (server-clock.ts). */
  readonly serverClock: ServerClock;
  /** Makes sure the server's clock has been read: one GET /health unless an answer already showed it; never fails. */
  readServerClock(): Promise<void>;
}

/** What one call sends, and how its answer is read. */
interface Spec<T> {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string>;
  schema: z.ZodMiniType<T>;
  body?: string;
  /** An answer that grows with the user's data: the larger cap, and too large is a refusal. */
  largeRead?: boolean;
  /** OpenSync's "Session not found" 404 is an answer (null), not a wrong URL. */
  absentIsNull?: boolean;
}

const MAX_DELAY_MS = 8_000;
/** A one-off call waits this long at most for a 429's Retry-After; longer, it gives up (someone is waiting). */
const MAX_ONE_OFF_WAIT_MS = 30_000;
const ANSWER_CAP = 1024 * 1024;
const READ_CAP = 64 * 1024 * 1024;

/** CLAUDE_CODE_SYNC_TIMEOUT_MS: the per-request timeout instead of the default, when set to a positive number. */
export function timeoutFromEnv(): number | undefined {
  const ms = Number(process.env.CLAUDE_CODE_SYNC_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * A client for a check someone waits for at the terminal (login, verify): a
 * quick failure is tried once more, a server that never answers costs one
 * timeout (10 s, or CLAUDE_CODE_SYNC_TIMEOUT_MS).
 */
export function checkingClient(url: string, apiKey: string): OpenSyncClient {
  const timeoutMs = timeoutFromEnv() ?? 10_000;
  return createClient({ url, apiKey, retries: 1, timeoutMs, budgetMs: timeoutMs * 1.5 });
}

export function createClient(options: ClientOptions): OpenSyncClient {
  const base = normalizeUrl(options.url);
  const host = new URL(base).host;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retries = options.retries ?? 3;
  const sleep = options.sleep ?? ((ms: number) => Bun.sleep(ms));
  const random = options.random ?? Math.random;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const clock = options.clock ?? (() => performance.now());
  const caps = { answer: options.capBytes?.answer ?? ANSWER_CAP, read: options.capBytes?.read ?? READ_CAP };
  const serverClock = options.serverClock ?? new ServerClock();
  const hide = (text: string) => maskCredentials(options.apiKey ? text.split(options.apiKey).join("[redacted]") : text);

  async function attempt<T>(spec: Spec<T>): Promise<Outcome<T>> {
    const route = `${spec.method} ${spec.path}`;
    const url = `${base}${spec.path}${spec.query ? `?${new URLSearchParams(spec.query)}` : ""}`;
    const headers: Record<string, string> = { "User-Agent": USER_AGENT, Accept: "application/json" };
    if (spec.path !== "/health") headers.Authorization = `Bearer ${options.apiKey}`;
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";
    const capBytes = spec.largeRead ? caps.read : caps.answer;
    const abort = new AbortController();
    const started = clock();
    const latency = () => Math.max(0, clock() - started);
    let answer: Parameters<typeof classify>[0];
    try {
      const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs), ...(options.stop ? [options.stop] : [])]);
      // Never followed: a 307/308 would forward the sessions wherever it points, plain http:// included.
      const sentAt = Date.now();
      const response = await doFetch(url, { method: spec.method, headers, body: spec.body, signal, redirect: "manual" });
      serverClock.note(offsetSample(response.headers.get("date"), sentAt, Date.now()));
      const { text, truncated } = await readCapped(response, capBytes, abort);
      // A server's copy of a session is read whole (up to the read cap), then parsed: garbage to pace like a transcript's.
      collectAfter(text.length);
      answer = {
        method: spec.method,
        path: spec.path,
        url,
        status: response.status,
        contentType: response.headers.get("content-type")?.toLowerCase() ?? "",
        // A server may echo what it was sent: the key is masked in anything but an answer's data.
        body: response.ok ? text : hide(text),
        truncated,
        capBytes,
        largeRead: spec.largeRead === true,
        location: response.headers.get("location"),
        retryAfter: response.headers.get("retry-after"),
      };
    } catch (error) {
      return failed(classifyFailure(error, { route, host, url: new URL(url), timeoutMs, hide }), latency());
    }
    const verdict = classify(answer, spec.schema, Date.now());
    const latencyMs = latency();
    if (verdict.ok) return { ok: true, value: verdict.value, latencyMs, status: answer.status };
    if (spec.absentIsNull && verdict.error instanceof NotFoundError && verdict.error.serverMessage === SESSION_NOT_FOUND) {
      return { ok: true, value: null as T, latencyMs, status: answer.status };
    }
    return failed(verdict.error, latencyMs, answer.status);
  }

  /** Runs `attempt` until it succeeds, fails for good, or the retries are used up. */
  async function call<T>(spec: Spec<T>): Promise<T> {
    const started = clock();
    let maybeApplied = false;
    for (let n = 0; ; n++) {
      const outcome = await attempt(spec);
      if (outcome.ok) return outcome.value;
      const error = outcome.error;
      // TLS is not retried at once: a wrong certificate stays wrong for the next seconds.
      if (!(error instanceof TransientError) || error instanceof TlsError) throw error;
      maybeApplied ||= error.maybeApplied;
      const attempts = n + 1;
      const wait = error.retryAfterMs ?? Math.round(Math.min(MAX_DELAY_MS, baseDelayMs * 2 ** n) * (0.5 + random() / 2));
      const overBudget = options.budgetMs !== undefined && clock() - started + wait + timeoutMs > options.budgetMs;
      if (n >= retries || wait > MAX_ONE_OFF_WAIT_MS || overBudget || options.stop?.aborted) throw givenUp(error, attempts, maybeApplied);
      await sleep(wait);
    }
  }

  function givenUp(last: TransientError, attempts: number, maybeApplied: boolean): TransientError {
    if (last instanceof ProtocolError) return new ProtocolError(last.url, last.status, last.detail, last.stranger, attempts);
    const tries = `${attempts} attempt${attempts === 1 ? "" : "s"}`;
    const what =
      last.kind === "rate-limited"
        ? `asks to slow down (${last.reason})`
        : isServerFailure(last)
          ? `answers with an error (${last.reason})`
          : `is not reachable (${last.reason})`;
    return new TransientError(`OpenSync at ${host} ${what} after ${tries}.`, attempts, maybeApplied, {
      retryNote: RETRY_ON_NEXT_SYNC,
      kind: last.kind,
      reason: last.reason,
      ...(last.retryAfterMs !== undefined ? { retryAfterMs: last.retryAfterMs } : {}),
    });
  }

  /** Refuses locally what the server would refuse (or mangle), before anything is sent. */
  function post<P, T>(path: string, payloadSchema: z.ZodMiniType<P>, payload: P, schema: z.ZodMiniType<T>): Spec<T> {
    const checked = payloadSchema.safeParse(payload);
    if (!checked.success) throw new ValidationError(`POST ${path}`, null, z.prettifyError(checked.error).replaceAll("\n", " "));
    return { method: "POST", path, schema, body: JSON.stringify(payload) };
  }

  const specs = {
    health: (): Spec<Health> => ({ method: "GET", path: "/health", schema: HealthSchema }),
    listSessions: (): Spec<string[]> => ({ method: "GET", path: "/sync/sessions/list", schema: SessionIdsSchema, largeRead: true }),
    upsertSession: (payload: SessionPayload) => post("/sync/session", checkedSession(), payload, sessionAnswer()),
    upsertMessage: (payload: MessagePayload) => post("/sync/message", checkedMessage(), payload, messageAnswer()),
    listServerSessions: ({ limit }: { limit: number }): Spec<ServerSession[]> => {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        throw new ValidationError("GET /api/sessions", null, `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
      }
      return { method: "GET", path: "/api/sessions", query: { limit: String(limit) }, schema: ServerSessionsSchema, largeRead: true };
    },
    getServerSession: (serverId: string): Spec<ServerSessionDetail | null> => {
      if (!serverId) throw new ValidationError("GET /api/sessions/get", null, "the session's server id is empty");
      const schema = ServerSessionDetailSchema as z.ZodMiniType<ServerSessionDetail | null>;
      return { method: "GET", path: "/api/sessions/get", query: { id: serverId }, schema, largeRead: true, absentIsNull: true };
    },
  } satisfies { [K in keyof Calls]: (...args: Parameters<Calls[K]>) => Spec<Awaited<ReturnType<Calls[K]>>> };

  /** One attempt; a payload refused before sending is an Outcome too. */
  async function single<T>(make: () => Spec<T>): Promise<Outcome<T>> {
    let spec: Spec<T>;
    try {
      spec = make();
    } catch (error) {
      if (error instanceof ValidationError) return failed(error, 0);
      throw error;
    }
    return attempt(spec);
  }

  return {
    url: base,
    timeoutMs,
    // async, so that a payload refused before sending rejects rather than throws.
    health: async () => call(specs.health()),
    listSessions: async () => call(specs.listSessions()),
    upsertSession: async (payload) => call(specs.upsertSession(payload)),
    upsertMessage: async (payload) => call(specs.upsertMessage(payload)),
    listServerSessions: async (o) => call(specs.listServerSessions(o)),
    getServerSession: async (id) => call(specs.getServerSession(id)),
    once: {
      health: () => single(specs.health),
      listSessions: () => single(specs.listSessions),
      upsertSession: (payload) => single(() => specs.upsertSession(payload)),
      upsertMessage: (payload) => single(() => specs.upsertMessage(payload)),
      listServerSessions: (o) => single(() => specs.listServerSessions(o)),
      getServerSession: (id) => single(() => specs.getServerSession(id)),
    },
    withRetries: (n) => createClient({ ...options, retries: n, serverClock }),
    serverClock,
    readServerClock: async () => {
      if (!serverClock.read) await single(specs.health);
    },
  };
}

function failed<T>(error: OpenSyncError, latencyMs: number, status?: number): Outcome<T> {
  return {
    ok: false,
    kind: error.kind,
    error,
    latencyMs,
    ...(status !== undefined ? { status } : {}),
    ...(error instanceof TransientError && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  };
}
