import { z } from "zod";

/**
 * Which OpenSync the test server plays and how far away it is
 * (../shared/opensync-contract.md, "Today's hosted OpenSync"). Unlike faults,
 * these describe a deployment, not a bad day: every switch is off by default,
 * which is the sync API as it runs today without the web app in front.
 */
export const ProfileSchema = z.strictObject({
  /** Network round trip added to every request, reads included: half before it is handled, half after. */
  rttMs: z.number().min(0).default(0),
  /**
   * Server time of each write transaction (a session or message call, or one
   * chunk of a batch). Writes of one user run one after another, because each
   * updates the same per-user usage rows, so this time queues up.
   */
  writeServiceMs: z.number().min(0).default(0),
  /** Every unknown GET answers 200 with the web app's HTML page, as the hosted site does. */
  webApp: z.boolean().default(false),
  /** What GET /health carries besides status: the server time, the release's version, or both. */
  health: z.enum(["timestamp", "version", "both"]).default("timestamp"),
  /**
   * The pending change (an open pull request, not deployed): message ids
   * unique per session; a re-send without parts keeps them; a batch re-send
   * replaces them; session changes inside the 10 s window are kept; a changed
   * message is applied inside the 5 s window and an identical one is a no-op
   * (so a batch's repeated id keeps its latest copy).
   */
  perSessionMessageIds: z.boolean().default(false),
});
export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;

/** The release the "version" health answer names. */
export const HEALTH_VERSION = "bdb6ad0";
