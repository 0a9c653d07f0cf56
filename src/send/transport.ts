import type { OpenSyncClient } from "../opensync/client.ts";

/**
 * The writes the sender makes: one attempt each, as classified Outcomes (the
 * sender owns retries and pacing). A client's `once` calls are one.
 */
export type SendTransport = Pick<OpenSyncClient["once"], "upsertSession" | "upsertMessage">;
