import { HEALTH_VERSION, type Profile } from "./profile.ts";
import { json } from "./responses.ts";
import { HandlerError, ID_PATTERN, type MessageArgs, type SessionArgs, type Store } from "./store.ts";
import { BATCH_MESSAGE, BATCH_SESSION, checkArray, checkObject, type Fields, type Issue, MESSAGE_ARGS, SESSION_ARGS } from "./validate.ts";
import type { Report } from "./violations.ts";
import type { WriteQueue } from "./write-queue.ts";

/**
 * OpenSync's HTTP actions (release bdb6ad0): argument handling, answers and
 * error texts. Writes go through the user's write queue; reads do not.
 */

export interface Context {
  url: URL;
  body: unknown;
  report: Report;
}

export type Route = { auth: "none" | "any" | "apiKey"; handle: (ctx: Context) => Response | Promise<Response> };

export interface RouteDeps {
  store: Store;
  writes: WriteQueue;
  now: () => number;
  profile: () => Profile;
}

/** /sync/batch hands its items to the database in chunks of this many, one transaction each. */
export const BATCH_CHUNK = 50;

const fail = (issue: Issue) => json({ error: issue.text }, 500);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The HTTP action reads these keys from the body; everything else is silently ignored. */
function pick(body: Record<string, unknown>, fields: Fields): Record<string, unknown> {
  return Object.fromEntries(Object.keys(fields).filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
}

function reportIssues(issues: Issue[], report: Report, externalId?: unknown): void {
  for (const issue of issues) report(issue.reason, `${issue.path}: ${issue.text.split("\n")[0]}`, typeof externalId === "string" ? externalId : undefined);
}

function reportIgnored(body: Record<string, unknown>, fields: Fields, report: Report, also: string[] = []): void {
  const ignored = Object.keys(body).filter((k) => !(k in fields) && !also.includes(k));
  if (ignored.length > 0) report("ignored-field", `the server ignores ${ignored.join(", ")}`);
}

const reportMissingSource = (sessions: SessionArgs[], report: Report) => {
  for (const s of sessions) if (s.source === undefined) report("missing-source", 'no source: stored as "opencode"', s.externalId);
};

/** `body.sessions` or `body.messages` as the handler slices it: absent or empty means nothing to do. */
function chunksOf(items: unknown): unknown[] {
  if (!Array.isArray(items)) return typeof items === "string" && items.length > 0 ? [items] : [];
  const chunks: unknown[][] = [];
  for (let offset = 0; offset < items.length; offset += BATCH_CHUNK) chunks.push(items.slice(offset, offset + BATCH_CHUNK));
  return chunks;
}

/** A chunk whose arguments fail validation is refused whole, as one error (no transaction runs). */
function refused(chunk: unknown, fields: Fields, kind: "Sessions" | "Messages", errors: string[], report: Report): boolean {
  const issues = checkArray(chunk, fields, `.${kind.toLowerCase()}`);
  if (issues.length === 0) return false;
  reportIssues(issues, report);
  errors.push(`${kind} batch error: ${issues[0]!.text}`);
  return true;
}

export function syncRoutes({ store, writes, now, profile }: RouteDeps): Record<string, Route> {
  function checkCreatedAt(createdAt: unknown, report: Report, externalId: string): void {
    if (typeof createdAt === "number" && createdAt > now()) {
      report("future-created-at", `createdAt is ${createdAt - now()} ms in the future`, externalId);
    }
  }

  async function postSession({ body, report }: Context): Promise<Response> {
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
    reportMissingSource([session], report);
    checkCreatedAt(session.createdAt, report, session.externalId);
    const { id } = await writes.run(() => store.upsertSession(session, report));
    return json({ ok: true, sessionId: id });
  }

  async function postMessage({ body, report }: Context): Promise<Response> {
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
      return json({ ok: true, messageId: await writes.run(() => store.upsertMessage(message, report)) });
    } catch (e) {
      if (!(e instanceof HandlerError)) throw e;
      report(e.issue.reason, `${e.issue.path}: ${e.issue.text}`, message.externalId);
      return fail(e.issue);
    }
  }

  /** Each chunk is validated and written on its own: one bad item loses its chunk only. */
  async function postBatch({ body, report }: Context): Promise<Response> {
    if (!isRecord(body)) return json({ error: `TypeError: ${JSON.stringify(body)} is not an object` }, 500);
    const errors: string[] = [];
    let sessions = 0;
    let messages = 0;

    for (const chunk of chunksOf(body.sessions)) {
      if (refused(chunk, BATCH_SESSION, "Sessions", errors, report)) continue;
      const list = chunk as SessionArgs[];
      reportMissingSource(list, report);
      sessions += await writes.run(() => store.batchSessions(list, report));
    }

    for (const chunk of chunksOf(body.messages)) {
      if (refused(chunk, BATCH_MESSAGE, "Messages", errors, report)) continue;
      try {
        const result = await writes.run(() => store.batchMessages(chunk as MessageArgs[], report));
        messages += result.written;
        errors.push(...result.errors);
      } catch (e) {
        if (!(e instanceof HandlerError)) throw e;
        report(e.issue.reason, e.issue.text);
        errors.push(`Messages batch error: ${e.issue.text}`);
      }
    }
    return json({ ok: true, sessions, messages, errors });
  }

  function health(): Response {
    const mode = profile().health;
    return json({
      status: "ok",
      ...(mode === "version" ? {} : { timestamp: now() }),
      ...(mode === "timestamp" ? {} : { version: HEALTH_VERSION }),
    });
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

  return {
    "GET /health": { auth: "none", handle: health },
    "POST /sync/session": { auth: "any", handle: postSession },
    "POST /sync/message": { auth: "any", handle: postMessage },
    "POST /sync/batch": { auth: "any", handle: postBatch },
    "GET /sync/sessions/list": { auth: "apiKey", handle: () => json({ sessionIds: store.listExternalIds() }) },
    "GET /api/sessions": { auth: "any", handle: apiSessions },
    "GET /api/sessions/get": { auth: "any", handle: apiSessionGet },
    "GET /api/stats": { auth: "any", handle: () => json(store.stats()) },
  };
}
