import { z } from "zod";
import { type Decision, FaultInjector, type Faults, FaultsSchema } from "./faults.ts";
import { type DumpSession, HandlerError, ID_PATTERN, type MessageArgs, type SessionArgs, Store, type StoredMessage } from "./store.ts";
import { BATCH_MESSAGE, BATCH_SESSION, checkArray, checkObject, type Fields, type Issue, MESSAGE_ARGS, SESSION_ARGS } from "./validate.ts";
import type { Report, Violation, ViolationReason } from "./violations.ts";

export type { Faults, FaultKind, FaultRule } from "./faults.ts";
export type { DumpSession, StoredMessage, StoredSession } from "./store.ts";
export type { Violation, ViolationReason } from "./violations.ts";

/**
 * An OpenSync look-alike for tests (../shared/opensync-contract.md, quirks
 * included) that also records every request a good client should never send,
 * and can misbehave on purpose (latency, 5xx, dropped or hung connections,
 * 401 after N requests). Control over HTTP under /__test/ lets a CLI process
 * be tested against a server started by hand (testserver/main.ts).
 */

export interface TestServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** The one valid key; default a random one. */
  apiKey?: string;
  /** SQLite file; default in memory. */
  dbPath?: string;
  /** Time source (epoch ms) for the 5 s and 10 s windows and for createdAt; default Date.now. */
  now?: () => number;
  faults?: Faults;
  /** Called after each API request is answered (main.ts logs them). */
  onRequest?: (record: RequestRecord) => void;
}

export interface RequestRecord {
  seq: number;
  method: string;
  path: string;
  /** HTTP status sent, or what happened instead. */
  status: number | "dropped" | "hung";
  fault?: Decision["kind"];
  /** Server time when the request arrived. */
  at: number;
  bytes: number;
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  stop(): Promise<void>;
  violations(): Violation[];
  clearViolations(): void;
  /** Every API request in arrival order (control requests under /__test/ excluded). */
  requests(): RequestRecord[];
  /** Requests per route, e.g. { "POST /sync/message": 12 }. */
  counts(): Record<string, number>;
  dump(): DumpSession[];
  session(externalId: string): DumpSession | undefined;
  message(externalId: string): StoredMessage | undefined;
  setFaults(faults: Faults): void;
  faults(): Faults;
  now(): number;
  /** Moves the server clock forward (tests of the windows need no sleeping). */
  advanceTime(ms: number): void;
  /** What regenerating the key in the dashboard does: the old key stops working at once. */
  rotateKey(): string;
  /** Drops data, violations, request log and faults. */
  reset(): void;
}

const KEY_PATTERN = /^osk_[A-Za-z0-9_-]{32}$/;
const MAX_REQUEST_BYTES = 20 * 1024 * 1024;
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

export function randomApiKey(): string {
  const chars = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => KEY_ALPHABET[b % KEY_ALPHABET.length]);
  return `osk_${chars.join("")}`;
}

const json = (data: unknown, status = 200) =>
  new Response(JSON.stringify(data), {
    status,
    headers: { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*" },
  });
const fail = (issue: Issue) => json({ error: issue.text }, 500);

/** A response whose body errors at once: Bun closes the socket before sending anything. */
const dropped = () => new Response(new ReadableStream({ start: (controller) => controller.error() }));

const GATEWAY_TEXT = { 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" } as const;
const OCC_TEXT =
  'Error: Documents read from or written to the "sessions" table changed while this mutation was being run and on every subsequent retry. Another call to this mutation changed the document.';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The HTTP action reads these keys from the body; everything else is silently ignored. */
function pick(body: Record<string, unknown>, fields: Fields): Record<string, unknown> {
  return Object.fromEntries(Object.keys(fields).filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
}

/** Violations that a retry of a request whose reply was lost causes unavoidably. */
const RETRY_REASONS = new Set<ViolationReason>(["resend-in-window", "identical-resend"]);

/** Message and session ids a write request carries. */
function writtenIds(text: string): string[] {
  try {
    const body: unknown = JSON.parse(text);
    if (!isRecord(body)) return [];
    const items = [body, ...(Array.isArray(body.messages) ? body.messages : []), ...(Array.isArray(body.sessions) ? body.sessions : [])];
    return items.flatMap((item) => (isRecord(item) && typeof item.externalId === "string" ? [item.externalId] : []));
  } catch {
    return [];
  }
}

interface Context {
  url: URL;
  body: unknown;
  report: Report;
}

const ClockSchema = z.strictObject({ advanceMs: z.number() });

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  let apiKey = options.apiKey ?? randomApiKey();
  if (!KEY_PATTERN.test(apiKey)) throw new Error(`API key must look like osk_ followed by 32 of [A-Za-z0-9_-], got ${apiKey.length} characters`);
  let offset = 0;
  const now = () => (options.now ?? Date.now)() + offset;
  const store = new Store(options.dbPath ?? ":memory:", now);
  const injector = new FaultInjector();
  injector.set(options.faults ?? {});
  let violations: Violation[] = [];
  let log: RequestRecord[] = [];
  const hanging = new Set<() => void>();
  /** Ids written by requests whose reply was then lost: the client cannot know, so its retry is no violation. */
  const unacknowledged = new Set<string>();

  // --- auth -----------------------------------------------------------------

  /** OpenSync's two auth paths: API key (osk_) or a dashboard JWT. Returns the 401 text, or null. */
  function authenticate(header: string | null, apiKeyOnly: boolean, report: Report): string | null {
    if (!header) {
      report("missing-auth", "no Authorization header");
      return apiKeyOnly ? "Invalid API key format" : "Missing Authorization header";
    }
    if (header.startsWith("Bearer osk_")) {
      const key = header.slice("Bearer ".length);
      if (KEY_PATTERN.test(key)) return key === apiKey ? null : "Invalid API key";
      report("bad-key-format", "the key is not osk_ followed by 32 of [A-Za-z0-9_-]");
      return "Invalid API key format";
    }
    report("bad-key-format", "Authorization is not Bearer osk_...");
    if (apiKeyOnly) return "Invalid API key format";
    return header.startsWith("Bearer ") ? "Invalid or expired token" : "Missing Authorization header";
  }

  // --- routes ---------------------------------------------------------------

  function reportIssues(issues: Issue[], report: Report, externalId?: unknown): void {
    for (const issue of issues) report(issue.reason, `${issue.path}: ${issue.text.split("\n")[0]}`, typeof externalId === "string" ? externalId : undefined);
  }

  function reportIgnored(body: Record<string, unknown>, fields: Fields, report: Report, also: string[] = []): void {
    const ignored = Object.keys(body).filter((k) => !(k in fields) && !also.includes(k));
    if (ignored.length > 0) report("ignored-field", `the server ignores ${ignored.join(", ")}`);
  }

  function checkCreatedAt(createdAt: unknown, report: Report, externalId: string): void {
    if (typeof createdAt === "number" && createdAt > now()) {
      report("future-created-at", `createdAt is ${createdAt - now()} ms in the future`, externalId);
    }
  }

  function postSession({ body, report }: Context): Response {
    if (body === null) return json({ error: "TypeError: null is not an object (evaluating 'body.externalId')" }, 500);
    const record = isRecord(body) ? body : {};
    const externalId = record.externalId || record.sessionId;
    if (!externalId) {
      report("missing-required", "no externalId (or sessionId)");
      return json({ error: "Missing externalId or sessionId" }, 400);
    }
    const args = { ...pick(record, SESSION_ARGS), externalId };
    reportIgnored(record, SESSION_ARGS, report, ["sessionId"]);
    const issues = checkObject(args, SESSION_ARGS, "");
    if (issues.length > 0) {
      reportIssues(issues, report, externalId);
      return fail(issues[0]!);
    }
    const session = args as SessionArgs;
    if (session.source === undefined) report("missing-source", 'no source: stored as "opencode"', session.externalId);
    checkCreatedAt(session.createdAt, report, session.externalId);
    return json({ ok: true, sessionId: store.upsertSession(session, report).id });
  }

  function postMessage({ body, report }: Context): Response {
    if (!isRecord(body)) return json({ error: `TypeError: ${JSON.stringify(body)} is not an object` }, 500);
    const args = pick(body, MESSAGE_ARGS);
    reportIgnored(body, MESSAGE_ARGS, report);
    const issues = checkObject(args, MESSAGE_ARGS, "");
    if (issues.length > 0) {
      reportIssues(issues, report, args.externalId);
      return fail(issues[0]!);
    }
    const message = args as unknown as MessageArgs;
    checkCreatedAt(message.createdAt, report, message.externalId);
    try {
      return json({ ok: true, messageId: store.upsertMessage(message, report) });
    } catch (e) {
      if (!(e instanceof HandlerError)) throw e;
      report(e.issue.reason, `${e.issue.path}: ${e.issue.text}`, message.externalId);
      return fail(e.issue);
    }
  }

  function postBatch({ body, report }: Context): Response {
    if (!isRecord(body)) return json({ error: `TypeError: ${JSON.stringify(body)} is not an object` }, 500);
    const errors: string[] = [];
    let sessions = 0;
    let messages = 0;
    const items = (key: "sessions" | "messages") => body[key] as { length?: number } | undefined;

    const sessionItems = items("sessions");
    if (sessionItems && (sessionItems.length ?? 0) > 0) {
      const issues = checkArray(sessionItems, BATCH_SESSION, ".sessions");
      if (issues.length > 0) {
        reportIssues(issues, report);
        errors.push(`Sessions batch error: ${issues[0]!.text}`);
      } else {
        const list = sessionItems as SessionArgs[];
        for (const s of list) if (s.source === undefined) report("missing-source", 'no source: stored as "opencode"', s.externalId);
        sessions = store.batchSessions(list, report);
      }
    }

    const messageItems = items("messages");
    if (messageItems && (messageItems.length ?? 0) > 0) {
      const issues = checkArray(messageItems, BATCH_MESSAGE, ".messages");
      if (issues.length > 0) {
        reportIssues(issues, report);
        errors.push(`Messages batch error: ${issues[0]!.text}`);
      } else {
        try {
          const result = store.batchMessages(messageItems as MessageArgs[], report);
          messages = result.written;
          errors.push(...result.errors);
        } catch (e) {
          if (!(e instanceof HandlerError)) throw e;
          report(e.issue.reason, e.issue.text);
          errors.push(`Messages batch error: ${e.issue.text}`);
        }
      }
    }
    return json({ ok: true, sessions, messages, errors });
  }

  function apiSessions({ url }: Context): Response {
    const limit = Number.parseInt(url.searchParams.get("limit") || "50", 10);
    if (Number.isNaN(limit)) {
      return json({ error: "ArgumentValidationError: Value does not match validator.\nPath: .limit\nValue: NaN\nValidator: v.float64()" }, 500);
    }
    return json({ sessions: store.apiSessions(limit) });
  }

  function apiSessionGet({ url }: Context): Response {
    const id = url.searchParams.get("id");
    if (!id) return json({ error: "Missing session ID" }, 400);
    if (!ID_PATTERN.test(id)) {
      return json({ error: `ArgumentValidationError: Value does not match validator.\nPath: .sessionId\nValue: ${JSON.stringify(id)}\nValidator: v.id("sessions")` }, 500);
    }
    const result = store.apiSession(id);
    return result ? json(result) : json({ error: "Session not found" }, 404);
  }

  type Route = { auth: "none" | "any" | "apiKey"; handle: (ctx: Context) => Response };
  const routes: Record<string, Route> = {
    "GET /health": { auth: "none", handle: () => json({ status: "ok", timestamp: now() }) },
    "POST /sync/session": { auth: "any", handle: postSession },
    "POST /sync/message": { auth: "any", handle: postMessage },
    "POST /sync/batch": { auth: "any", handle: postBatch },
    "GET /sync/sessions/list": { auth: "apiKey", handle: () => json({ sessionIds: store.listExternalIds() }) },
    "GET /api/sessions": { auth: "any", handle: apiSessions },
    "GET /api/sessions/get": { auth: "any", handle: apiSessionGet },
    "GET /api/stats": { auth: "any", handle: () => json(store.stats()) },
  };

  // --- request pipeline -----------------------------------------------------

  function hang(request: Request): Promise<Response> {
    return new Promise((resolve) => {
      const release = () => {
        hanging.delete(release);
        resolve(dropped());
      };
      hanging.add(release);
      request.signal.addEventListener("abort", release, { once: true });
    });
  }

  async function faultResponse(decision: Decision, request: Request): Promise<Response> {
    switch (decision.kind) {
      case 401:
        return json({ error: "Invalid API key" }, 401);
      case "occ":
        return json({ error: OCC_TEXT }, 500);
      case "drop":
        return dropped();
      case "hang":
        return hang(request);
      default:
        return new Response(`<html><body><h1>${decision.kind} ${GATEWAY_TEXT[decision.kind]}</h1></body></html>`, {
          status: decision.kind,
          headers: { "Content-Type": "text/html" },
        });
    }
  }

  function checkHeaders(request: Request, report: Report): void {
    if (request.method === "POST" && !request.headers.get("content-type")?.includes("application/json")) {
      report("missing-content-type", `Content-Type is ${JSON.stringify(request.headers.get("content-type"))}`);
    }
    if (!request.headers.get("user-agent")?.startsWith("claude-code-sync/")) {
      report("bad-user-agent", `User-Agent is ${JSON.stringify(request.headers.get("user-agent"))}`);
    }
  }

  async function handleApi(request: Request, url: URL): Promise<Response> {
    const record: RequestRecord = { seq: log.length + 1, method: request.method, path: url.pathname, status: 0, at: now(), bytes: 0 };
    log.push(record);
    const response = await answer(request, url, record);
    record.status = record.fault === "drop" ? "dropped" : record.fault === "hang" ? "hung" : response.status;
    options.onRequest?.(record);
    return response;
  }

  async function answer(request: Request, url: URL, record: RequestRecord): Promise<Response> {
    const report: Report = (reason, detail, externalId) => {
      if (externalId !== undefined && unacknowledged.has(externalId) && RETRY_REASONS.has(reason)) return;
      violations.push({ request: record.seq, method: record.method, path: record.path, reason, detail, ...(externalId === undefined ? {} : { externalId }) });
    };
    const text = request.method === "POST" ? await request.text() : "";
    record.bytes = Buffer.byteLength(text);

    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: { "Access-Control-Allow-Origin": "*" } });
    const route = routes[`${request.method} ${url.pathname}`];
    if (!route) {
      report("unknown-path", `${request.method} ${url.pathname}`);
      return new Response(`No HttpAction routed for ${url.pathname}`, { status: 404, headers: { "Content-Type": "text/plain" } });
    }
    checkHeaders(request, report);
    if (injector.latencyMs > 0) await Bun.sleep(injector.latencyMs);
    const decision = injector.decide({ method: request.method, path: url.pathname, body: text, authenticated: route.auth !== "none" });
    const ids = () => writtenIds(text);
    if (!decision) {
      const response = applyRoute(route, request, url, text, report);
      if (unacknowledged.size > 0) for (const id of ids()) unacknowledged.delete(id);
      return response;
    }
    record.fault = decision.kind;
    if (decision.afterApply) {
      applyRoute(route, request, url, text, report);
      for (const id of ids()) unacknowledged.add(id);
    }
    return faultResponse(decision, request);
  }

  function applyRoute(route: Route, request: Request, url: URL, text: string, report: Report): Response {
    if (route.auth !== "none") {
      const denied = authenticate(request.headers.get("authorization"), route.auth === "apiKey", report);
      if (denied) return json({ error: denied }, 401);
    }
    let body: unknown;
    if (request.method === "POST") {
      try {
        body = JSON.parse(text);
      } catch (e) {
        report("invalid-json", String(e));
        return json({ error: String(e) }, 500);
      }
    }
    return route.handle({ url, body, report });
  }

  async function control(request: Request, path: string): Promise<Response> {
    const key = `${request.method} ${path}`;
    try {
      switch (key) {
        case "GET /__test/violations":
          return json({ violations });
        case "GET /__test/requests":
          return json({ counts: counts(), requests: log });
        case "GET /__test/dump":
          return json({ sessions: store.dump() });
        case "GET /__test/faults":
          return json({ faults: injector.current() });
        case "POST /__test/faults":
          injector.set(FaultsSchema.parse(await request.json()));
          return json({ faults: injector.current() });
        case "POST /__test/clock":
          offset += ClockSchema.parse(await request.json()).advanceMs;
          return json({ now: now() });
        case "POST /__test/rotate-key":
          return json({ apiKey: rotateKey() });
        case "POST /__test/reset":
          reset();
          return json({ ok: true });
        default:
          return new Response(`No test control at ${key}`, { status: 404 });
      }
    } catch (e) {
      return json({ error: String(e) }, 400);
    }
  }

  function counts(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const r of log) result[`${r.method} ${r.path}`] = (result[`${r.method} ${r.path}`] ?? 0) + 1;
    return result;
  }

  function rotateKey(): string {
    apiKey = randomApiKey();
    return apiKey;
  }

  function reset(): void {
    store.reset();
    violations = [];
    log = [];
    injector.set({});
    unacknowledged.clear();
  }

  const server = Bun.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    // Hung requests wait for the client to give up, however long it waits.
    idleTimeout: 0,
    maxRequestBodySize: MAX_REQUEST_BYTES,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname.startsWith("/__test/")) return control(request, url.pathname);
      return handleApi(request, url);
    },
  });

  return {
    url: `http://${server.hostname}:${server.port}`,
    port: server.port!,
    get apiKey() {
      return apiKey;
    },
    async stop() {
      for (const release of [...hanging]) release();
      await server.stop(true);
      store.close();
    },
    violations: () => [...violations],
    clearViolations: () => {
      violations = [];
    },
    requests: () => [...log],
    counts,
    dump: () => store.dump(),
    session: (externalId) => store.dump().find((s) => s.externalId === externalId),
    message: (externalId) => store.dump().flatMap((s) => s.messages).find((m) => m.externalId === externalId),
    setFaults: (faults) => injector.set(faults),
    faults: () => injector.current(),
    now,
    advanceTime: (ms) => {
      offset += ms;
    },
    rotateKey,
    reset,
  };
}
