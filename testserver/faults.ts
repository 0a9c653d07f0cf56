import { z } from "zod";
import { seededRandom } from "./random.ts";

/**
 * Fault injection: what the hosted service, or something between it and the
 * client, does on a bad day. Decisions are deterministic for a given seed and
 * request sequence. How each kind answers: responses.ts.
 */

/**
 * 403; 404 as Convex answers a path no HttpAction serves (a deployment that no longer
 * has the sync API); 429 with Retry-After; 500 with a body text; 502/503/504 a gateway page;
 * "proxy": a proxy's HTML error page with any `status` (400, 413, 502...);
 * "html": 200 with the web app's HTML page; "empty": 200 with an empty body;
 * "redirect": 301/302/307/308 to `location`; "huge-body": 200 with a body of
 * `megabytes` MB; "drop": socket closed without a response; "hang": no answer
 * until the client gives up; "occ": 500 with Convex's write-conflict text
 * (transient, worth retrying); "late": held until releaseLate(), then applied
 * and answered (a write the client gave up on that lands after newer ones).
 */
export const FaultKindSchema = z.union([
  z.literal(403),
  z.literal(404),
  z.literal(429),
  z.literal(500),
  z.literal(502),
  z.literal(503),
  z.literal(504),
  z.enum(["drop", "hang", "late", "occ", "proxy", "html", "empty", "redirect", "huge-body"]),
]);
export type FaultKind = z.infer<typeof FaultKindSchema>;

const REDIRECT_STATUSES = [301, 302, 307, 308];

/** What a fault answers beyond its kind; every one has a default (responses.ts). */
export const FaultParamsSchema = z.strictObject({
  /** "proxy": the page's status (default 502); "redirect": 301, 302, 307 or 308 (default 307). */
  status: z.number().int().min(100).max(599).optional(),
  /** 403, 429, 500, "proxy", "html": the body sent instead of the default. */
  body: z.string().optional(),
  /** 429: the Retry-After header, in seconds (default 1). */
  retryAfter: z.number().int().min(0).optional(),
  /** "redirect": the Location header (default http://127.0.0.1:9<path>: another origin, plain http, refused). */
  location: z.string().optional(),
  /** "huge-body": size of the body (default 1). */
  megabytes: z.number().positive().max(1024).optional(),
});
export type FaultParams = z.infer<typeof FaultParamsSchema>;

export const FaultRuleSchema = FaultParamsSchema.extend({
  method: z.string().optional(),
  path: z.string().optional(),
  /** Matches when the raw request body contains this text (e.g. a message id). */
  bodyIncludes: z.string().optional(),
  /** Let this many matching requests through first. */
  skip: z.number().int().min(0).default(0),
  /** Then fail this many of them. */
  times: z.number().int().min(1).default(1),
  kind: FaultKindSchema,
  /** Apply the request, then fail the reply (the server committed; the client cannot know). */
  afterApply: z.boolean().default(false),
}).refine((rule) => rule.kind !== "redirect" || rule.status === undefined || REDIRECT_STATUSES.includes(rule.status), {
  message: "a redirect's status is 301, 302, 307 or 308",
  path: ["status"],
});
export type FaultRule = z.input<typeof FaultRuleSchema>;

export const FaultsSchema = z.strictObject({
  /** Added before every routed API request is handled. */
  latencyMs: z.number().min(0).default(0),
  /** Share of API requests (0..1) failed with one of `failureKinds`, drawn from the seeded generator. */
  failureRate: z.number().min(0).max(1).default(0),
  failureKinds: z.array(FaultKindSchema).min(1).default([502, 503, 504, "drop"]),
  /** Random failures happen after the request was applied. */
  afterApply: z.boolean().default(false),
  /** Answer 401 "Invalid API key" to every authenticated request after this many (a key regenerated meanwhile). */
  unauthorizedAfter: z.number().int().min(0).optional(),
  rules: z.array(FaultRuleSchema).default([]),
  seed: z.number().int().default(1),
});
export type Faults = z.input<typeof FaultsSchema>;

export type Decision = { kind: FaultKind; afterApply: boolean; params: FaultParams } | { kind: 401; afterApply: false; params: FaultParams };

export interface RequestFacts {
  method: string;
  path: string;
  body: string;
  authenticated: boolean;
}

function paramsOf(rule: z.infer<typeof FaultRuleSchema>): FaultParams {
  const { status, body, retryAfter, location, megabytes } = rule;
  return FaultParamsSchema.parse({ status, body, retryAfter, location, megabytes });
}

export class FaultInjector {
  private config = FaultsSchema.parse({});
  private random = seededRandom(1);
  private matched: number[] = [];
  private authenticatedSeen = 0;

  /** Replaces the whole configuration and restarts its counters. Throws a ZodError on bad input. */
  set(faults: Faults): void {
    this.config = FaultsSchema.parse(faults);
    this.random = seededRandom(this.config.seed);
    this.matched = this.config.rules.map(() => 0);
    this.authenticatedSeen = 0;
  }

  current(): z.infer<typeof FaultsSchema> {
    return structuredClone(this.config);
  }

  get latencyMs(): number {
    return this.config.latencyMs;
  }

  decide(req: RequestFacts): Decision | null {
    // Every rule counts every request it matches, so `skip` means the same whatever other rules do.
    let fired: Decision | null = null;
    for (const [i, rule] of this.config.rules.entries()) {
      if (rule.method && rule.method !== req.method) continue;
      if (rule.path && rule.path !== req.path) continue;
      if (rule.bodyIncludes !== undefined && !req.body.includes(rule.bodyIncludes)) continue;
      const n = this.matched[i]!;
      this.matched[i] = n + 1;
      if (!fired && n >= rule.skip && n < rule.skip + rule.times) fired = { kind: rule.kind, afterApply: rule.afterApply, params: paramsOf(rule) };
    }
    if (fired) return fired;
    if (req.authenticated && this.config.unauthorizedAfter !== undefined) {
      this.authenticatedSeen++;
      if (this.authenticatedSeen > this.config.unauthorizedAfter) return { kind: 401, afterApply: false, params: {} };
    }
    if (this.config.failureRate > 0 && this.random() < this.config.failureRate) {
      const kinds = this.config.failureKinds;
      const kind = kinds[Math.floor(this.random() * kinds.length)]!;
      return { kind, afterApply: this.config.afterApply, params: {} };
    }
    return null;
  }
}
