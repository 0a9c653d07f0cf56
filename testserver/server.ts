import { z } from "zod";
import { type Decision, FaultInjector, type Faults, FaultsSchema } from "./faults.ts";
import { type Profile, type ProfileInput, ProfileSchema } from "./profile.ts";
import { dropped, faultResponse, json, notRouted, webAppPage } from "./responses.ts";
import { type Context, type Route, syncRoutes } from "./routes.ts";
import { type DumpSession, type OrphanMessage, Store, type StoredMessage } from "./store.ts";
import type { Report, Violation, ViolationReason } from "./violations.ts";
import { WriteQueue, type WriteStats } from "./write-queue.ts";

export type { Faults, FaultKind, FaultRule } from "./faults.ts";
export type { Profile, ProfileInput } from "./profile.ts";
export { BATCH_CHUNK } from "./routes.ts";
export type { DumpSession, OrphanMessage, StoredMessage, StoredSession } from "./store.ts";
export type { Violation, ViolationReason } from "./violations.ts";
export type { WriteStats } from "./write-queue.ts";

/**
 * An OpenSync look-alike for tests (../shared/opensync-contract.md, quirks
 * included) that also records every request a good client should never send,
 * and can misbehave on purpose. Start it in-process with startTestServer(), or
 * by hand with testserver/main.ts.
 *
 * The deployment it plays (profile.ts; options at start, configure() later,
 * all off by default):
 *   rttMs                 round trip added to every request, reads included
 *   writeServiceMs        server time of each write; one user's writes run one
 *                         at a time (a session or message call, or one chunk of
 *                         50 of a /sync/batch), see writeStats()
 *   webApp                unknown GETs answer 200 with the web app's HTML page
 *   health                "timestamp" | "version" | "both": what /health carries
 *   perSessionMessageIds  the pending change (message ids per session, parts
 *                         kept when omitted, no dropped session changes...)
 * Faults (faults.ts; setFaults): latency, random failures, 401 after N, and
 * rules that fail chosen requests with 403, 429 + Retry-After, 500 + a text,
 * gateway or proxy HTML pages, 200 with HTML or an empty body, redirects, huge
 * bodies, dropped or hung connections, Convex write conflicts, writes held
 * and applied late (releaseLate). Connection
 * refused: suspend(). What users do to their data: deleteSession(),
 * deleteAllData() (messages stay, orphaned), newDeployment().
 *
 * Control over HTTP under /__test/ (none of it logged or delayed):
 *   GET  violations[?userAgentPrefix=claude-code-sync/]   GET requests   GET dump   GET orphans
 *   GET|POST faults (a Faults object; POST replaces)      GET|POST profile (POST merges)
 *   GET  writes (WriteStats)     POST writes {paused}     POST clock {advanceMs} (answers' Date follows it)
 *   POST rotate-key   POST reset   POST delete-session {externalId}   POST delete-all-data
 *   POST new-deployment   POST suspend {ms} (refuses connections for ms, then listens again)   POST release-late
 */

export interface TestServerOptions extends ProfileInput {
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
  userAgent: string | null;
}

export interface ViolationFilter {
  /** Only violations of requests whose User-Agent starts with this, e.g. "claude-code-sync/" (not 0.1.x, which sent none). */
  userAgentPrefix?: string;
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  stop(): Promise<void>;
  violations(filter?: ViolationFilter): Violation[];
  clearViolations(): void;
  /** Every API request in arrival order (control requests under /__test/ excluded). */
  requests(): RequestRecord[];
  /** Requests per route, e.g. { "POST /sync/message": 12 }. */
  counts(): Record<string, number>;
  dump(): DumpSession[];
  session(externalId: string): DumpSession | undefined;
  /** The first stored message with this id (in this session, when given; ids may repeat across sessions with perSessionMessageIds). */
  message(externalId: string, sessionExternalId?: string): StoredMessage | undefined;
  setFaults(faults: Faults): void;
  faults(): Faults;
  /** Changes the deployment's profile; fields not given keep their value. Throws a ZodError on bad input. */
  configure(profile: ProfileInput): Profile;
  profile(): Profile;
  /** Counters of the user's write queue (peaks since start, reset or resetWriteStats). */
  writeStats(): WriteStats;
  resetWriteStats(): void;
  /** Applies the requests held by "late" faults, in arrival order; returns how many. */
  releaseLate(): Promise<number>;
  /** Writes wait in the queue until resumeWrites(). */
  pauseWrites(): void;
  resumeWrites(): void;
  /** What deleting a session in the dashboard does: it goes with its messages and parts. False if there was none. */
  deleteSession(externalId: string): boolean;
  /** One message (and its parts) gone from the database. False if there was none. */
  deleteMessage(externalId: string): boolean;
  /** OpenSync's "delete all data": every session goes, messages and parts stay behind, orphaned. Returns the sessions deleted. */
  deleteAllData(): number;
  /** Messages whose session is gone (left by deleteAllData). */
  orphans(): OrphanMessage[];
  /** The user points the client at a new, empty deployment: all data gone. The key stays valid (rotateKey() for that too). */
  newDeployment(): void;
  /** Stops listening: connections are refused until resume(). Data, logs and settings stay. */
  suspend(): Promise<void>;
  /** Listens again on the same port. */
  resume(): void;
  now(): number;
  /** Moves the server clock forward (tests of the windows need no sleeping). */
  advanceTime(ms: number): void;
  /** What regenerating the key in the dashboard does: the old key stops working at once. */
  rotateKey(): string;
  /** Drops data, violations, request log, faults and write counters; the profile returns to the start options. */
  reset(): void;
}

const KEY_PATTERN = /^osk_[A-Za-z0-9_-]{32}$/;
const MAX_REQUEST_BYTES = 20 * 1024 * 1024;
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

export function randomApiKey(): string {
  const chars = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => KEY_ALPHABET[b % KEY_ALPHABET.length]);
  return `osk_${chars.join("")}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Violations that a retry of a request whose reply was lost causes unavoidably. */
const RETRY_REASONS = new Set<ViolationReason>(["resend-in-window", "identical-resend"]);
/**
 * What a write held by a "late" fault meets when it lands: the state the client's later writes made (its retry of
 * the same copy, a newer record), which the client, having given up on the write, could not know of.
 */
const LANDED_LATE_REASONS = new Set<ViolationReason>([...RETRY_REASONS, "total-not-lowered", "session-change-dropped"]);

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

const ClockSchema = z.strictObject({ advanceMs: z.number() });
const PausedSchema = z.strictObject({ paused: z.boolean() });
const DeleteSessionSchema = z.strictObject({ externalId: z.string() });
const SuspendSchema = z.strictObject({ ms: z.number().int().min(1).max(600_000) });

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  let apiKey = options.apiKey ?? randomApiKey();
  if (!KEY_PATTERN.test(apiKey)) throw new Error(`API key must look like osk_ followed by 32 of [A-Za-z0-9_-], got ${apiKey.length} characters`);
  const { port: _port, hostname: _hostname, apiKey: _key, dbPath: _db, now: _now, faults: _faults, onRequest: _onRequest, ...startProfile } = options;
  let profile = ProfileSchema.parse(startProfile);
  let offset = 0;
  const now = () => (options.now ?? Date.now)() + offset;
  const store = new Store(options.dbPath ?? ":memory:", now, () => profile.perSessionMessageIds);
  const writes = new WriteQueue(() => profile.writeServiceMs);
  const injector = new FaultInjector();
  injector.set(options.faults ?? {});
  let violations: Violation[] = [];
  let log: RequestRecord[] = [];
  const hanging = new Set<() => void>();
  /** Requests held by "late" faults: each applies once released. */
  let late: Array<{ release: () => void; applied: Promise<unknown> }> = [];
  let stopped = false;
  /** Ids written by requests whose reply was then lost: the client cannot know, so its retry is no violation. */
  const unacknowledged = new Set<string>();
  const routes: Record<string, Route> = syncRoutes({ store, writes, now, profile: () => profile });

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

  function checkHeaders(request: Request, report: Report): void {
    if (request.method === "POST" && !request.headers.get("content-type")?.includes("application/json")) {
      report("missing-content-type", `Content-Type is ${JSON.stringify(request.headers.get("content-type"))}`);
    }
    if (!request.headers.get("user-agent")?.startsWith("claude-code-sync/")) {
      report("bad-user-agent", `User-Agent is ${JSON.stringify(request.headers.get("user-agent"))}`);
    }
  }

  /** Half the round trip on the way in, half on the way out. */
  const travel = () => (profile.rttMs > 0 ? Bun.sleep(profile.rttMs / 2) : undefined);

  async function handleApi(request: Request, url: URL): Promise<Response> {
    const userAgent = request.headers.get("user-agent");
    const record: RequestRecord = { seq: log.length + 1, method: request.method, path: url.pathname, status: 0, at: now(), bytes: 0, userAgent };
    log.push(record);
    await travel();
    const response = await answer(request, url, record);
    // A real server's Date reflects its own clock: the one /__test/clock moves.
    response.headers.set("Date", new Date(now()).toUTCString());
    await travel();
    record.status = record.fault === "drop" ? "dropped" : record.fault === "hang" ? "hung" : response.status;
    options.onRequest?.(record);
    return response;
  }

  async function answer(request: Request, url: URL, record: RequestRecord): Promise<Response> {
    const report: Report = (reason, detail, externalId) => {
      if (externalId !== undefined && unacknowledged.has(externalId) && RETRY_REASONS.has(reason)) return;
      if (record.fault === "late" && LANDED_LATE_REASONS.has(reason)) return;
      violations.push({
        request: record.seq,
        method: record.method,
        path: record.path,
        userAgent: record.userAgent,
        reason,
        detail,
        ...(externalId === undefined ? {} : { externalId }),
      });
    };
    const text = request.method === "POST" ? await request.text() : "";
    record.bytes = Buffer.byteLength(text);

    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: { "Access-Control-Allow-Origin": "*" } });
    const route = routes[`${request.method} ${url.pathname}`];
    if (!route) {
      report("unknown-path", `${request.method} ${url.pathname}`);
      return profile.webApp && request.method === "GET" ? webAppPage() : notRouted(url.pathname);
    }
    checkHeaders(request, report);
    if (injector.latencyMs > 0) await Bun.sleep(injector.latencyMs);
    const decision = injector.decide({ method: request.method, path: url.pathname, body: text, authenticated: route.auth !== "none" });
    const ids = () => writtenIds(text);
    if (!decision) {
      const response = await applyRoute(route, request, url, text, report);
      if (unacknowledged.size > 0) for (const id of ids()) unacknowledged.delete(id);
      return response;
    }
    record.fault = decision.kind;
    if (decision.kind === "late") {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const applied = released.then(() => applyRoute(route, request, url, text, report));
      late.push({ release, applied });
      const response = await applied;
      // The client gave up on it, as a rule: its re-send of what this wrote is no violation.
      for (const id of ids()) unacknowledged.add(id);
      return response;
    }
    if (decision.afterApply) {
      await applyRoute(route, request, url, text, report);
      for (const id of ids()) unacknowledged.add(id);
    }
    return decision.kind === "hang" ? hang(request) : faultResponse(decision, url.pathname);
  }

  async function applyRoute(route: Route, request: Request, url: URL, text: string, report: Report): Promise<Response> {
    // Still travelling when the server stopped: its store is closed.
    if (stopped) return dropped();
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
    const ctx: Context = { url, body, report };
    return route.handle(ctx);
  }

  // --- test control -----------------------------------------------------------

  async function control(request: Request, url: URL): Promise<Response> {
    const key = `${request.method} ${url.pathname}`;
    const input = async <T>(schema: z.ZodType<T>) => schema.parse(await request.json());
    try {
      switch (key) {
        case "GET /__test/violations":
          return json({ violations: api.violations({ userAgentPrefix: url.searchParams.get("userAgentPrefix") ?? undefined }) });
        case "GET /__test/requests":
          return json({ counts: counts(), requests: log });
        case "GET /__test/dump":
          return json({ sessions: store.dump() });
        case "GET /__test/orphans":
          return json({ messages: store.orphans() });
        case "GET /__test/faults":
          return json({ faults: injector.current() });
        case "POST /__test/faults":
          injector.set(await input(FaultsSchema));
          return json({ faults: injector.current() });
        case "GET /__test/profile":
          return json({ profile });
        case "POST /__test/profile":
          // Validated after merging: a partial schema would fill in defaults for the fields not given.
          return json({ profile: configure((await input(z.record(z.string(), z.unknown()))) as ProfileInput) });
        case "GET /__test/writes":
          return json(writes.current());
        case "POST /__test/writes":
          if ((await input(PausedSchema)).paused) writes.pause();
          else writes.resume();
          return json(writes.current());
        case "POST /__test/clock":
          offset += (await input(ClockSchema)).advanceMs;
          return json({ now: now() });
        case "POST /__test/rotate-key":
          return json({ apiKey: rotateKey() });
        case "POST /__test/reset":
          reset();
          return json({ ok: true });
        case "POST /__test/delete-session":
          return json({ deleted: store.deleteSession((await input(DeleteSessionSchema)).externalId) });
        case "POST /__test/delete-all-data":
          return json({ sessionsDeleted: store.deleteAllData() });
        case "POST /__test/release-late":
          return json({ released: await releaseLate() });
        case "POST /__test/new-deployment":
          store.reset();
          return json({ ok: true });
        case "POST /__test/suspend": {
          const { ms } = await input(SuspendSchema);
          // Once this answer has gone out: suspending closes every open connection.
          setTimeout(() => void suspendFor(ms), 20);
          return json({ suspendedForMs: ms });
        }
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

  function configure(change: ProfileInput): Profile {
    profile = ProfileSchema.parse({ ...profile, ...change });
    return { ...profile };
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
    profile = ProfileSchema.parse(startProfile);
    writes.resume();
    writes.resetStats();
  }

  // --- listening --------------------------------------------------------------

  const serve = (port: number) =>
    Bun.serve({
      hostname: options.hostname ?? "127.0.0.1",
      port,
      // Hung requests wait for the client to give up, however long it waits.
      idleTimeout: 0,
      maxRequestBodySize: MAX_REQUEST_BYTES,
      async fetch(request) {
        const url = new URL(request.url);
        if (url.pathname.startsWith("/__test/")) return control(request, url);
        return handleApi(request, url);
      },
    });

  let server: ReturnType<typeof serve> | null = serve(options.port ?? 0);
  const port = server.port!;
  const hostname = server.hostname;
  let resumeTimer: ReturnType<typeof setTimeout> | undefined;

  /** Like a crash: open connections close too, so keep-alive clients cannot slip through. */
  async function releaseLate(): Promise<number> {
    const held = late;
    late = [];
    for (const h of held) {
      h.release();
      await h.applied;
    }
    return held.length;
  }

  async function suspend(): Promise<void> {
    const listening = server;
    server = null;
    for (const release of [...hanging]) release();
    await listening?.stop(true);
  }

  function resume(): void {
    clearTimeout(resumeTimer);
    if (!stopped) server ??= serve(port);
  }

  async function suspendFor(ms: number): Promise<void> {
    await suspend();
    resumeTimer = setTimeout(resume, ms);
  }

  const api: TestServer = {
    url: `http://${hostname}:${port}`,
    port,
    get apiKey() {
      return apiKey;
    },
    async stop() {
      clearTimeout(resumeTimer);
      stopped = true;
      writes.close();
      for (const h of late.splice(0)) h.release();
      for (const release of [...hanging]) release();
      await server?.stop(true);
      server = null;
      store.close();
    },
    violations: (filter = {}) => {
      const prefix = filter.userAgentPrefix;
      return prefix === undefined ? [...violations] : violations.filter((v) => v.userAgent?.startsWith(prefix));
    },
    clearViolations: () => {
      violations = [];
    },
    requests: () => [...log],
    counts,
    dump: () => store.dump(),
    session: (externalId) => store.dump().find((s) => s.externalId === externalId),
    message: (externalId, sessionExternalId) =>
      store
        .dump()
        .filter((s) => sessionExternalId === undefined || s.externalId === sessionExternalId)
        .flatMap((s) => s.messages)
        .find((m) => m.externalId === externalId),
    setFaults: (faults) => injector.set(faults),
    faults: () => injector.current(),
    configure,
    profile: () => ({ ...profile }),
    writeStats: () => writes.current(),
    resetWriteStats: () => writes.resetStats(),
    releaseLate,
    pauseWrites: () => writes.pause(),
    resumeWrites: () => writes.resume(),
    deleteSession: (externalId) => store.deleteSession(externalId),
    deleteMessage: (externalId) => store.deleteMessage(externalId),
    deleteAllData: () => store.deleteAllData(),
    orphans: () => store.orphans(),
    newDeployment: () => store.reset(),
    suspend,
    resume,
    now,
    advanceTime: (ms) => {
      offset += ms;
    },
    rotateKey,
    reset,
  };
  return api;
}
