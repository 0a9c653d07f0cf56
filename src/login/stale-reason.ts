import { existsSync } from "node:fs";
import { StateStore, statePath } from "../state/store.ts";

/**
 * After a login: why the last sync left work pending (a refused key, most
 * often) was met with the credentials before it, and `status` would still tell
 * the user to log in. Forgotten; the next sync records its own. Never throws:
 * the login is done and saved.
 */
export function forgetPendingReason(url: string): void {
  try {
    if (!existsSync(statePath(url))) return;
    const store = StateStore.forServer(url);
    try {
      store.recordPendingReason(undefined);
    } finally {
      store.close();
    }
  } catch {
    // A damaged or unwritable state: the next sync says so.
  }
}
