import { loadConfig, resolveCredentials } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { type BackgroundStatus, backgroundLine, readBackgroundStatus } from "../hooks/background-status.ts";
import { timeAgo } from "../report/format.ts";
import { StateStore, statePath } from "../state/store.ts";
import { checkClient } from "../verify/server.ts";

interface Status {
  connected: boolean;
  convexUrl: string | null;
  sessionsSynced: number;
  lastSync: string | null;
  pending: { sessions: number; messages: number };
  failed: Array<{ id: string; error: string }>;
  /** The last background (hook) sync, if any. */
  background: BackgroundStatus | null;
  error?: string;
}

/** What was synced, pending and failed, from this server's state database. */
function readCounts(url: string, status: Status): void {
  const store = StateStore.open(statePath(url));
  try {
    const counts = store.counts();
    status.sessionsSynced = counts.sessionsSynced;
    status.lastSync = counts.lastSync ? new Date(counts.lastSync).toISOString() : null;
    status.pending = { sessions: counts.sessionsPending, messages: counts.messagesPending };
    status.failed = counts.failed;
  } finally {
    store.close();
  }
}

/** Connection, what was synced, and what is pending or failed and why. */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const config = loadConfig();
  const creds = resolveCredentials(config);
  const status: Status = {
    connected: false,
    convexUrl: creds.convexUrl ?? null,
    sessionsSynced: 0,
    lastSync: null,
    pending: { sessions: 0, messages: 0 },
    failed: [],
    background: readBackgroundStatus(),
  };
  if (!creds.convexUrl || !creds.apiKey) {
    status.error = "Not logged in: run `claude-code-sync login`.";
  } else {
    // The server check and the local state are looked at separately: an unwritable state folder is not a lost connection.
    const problems: string[] = [];
    try {
      const { url, client } = checkClient(config, { convexUrl: creds.convexUrl, apiKey: creds.apiKey }, false);
      status.convexUrl = url;
      try {
        readCounts(url, status);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        problems.push(error.message);
      }
      await client.listSessions();
      status.connected = true;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      problems.push(error.message);
    }
    if (problems.length) status.error = problems.join("\n");
  }
  process.stdout.write(options.json ? `${JSON.stringify(status)}\n` : `${render(status)}\n`);
  return status.connected ? 0 : 1;
}

function render(s: Status): string {
  const lines = [
    `Connected: ${s.connected}`,
    `Convex URL: ${s.convexUrl ?? "(not set)"}`,
    `Sessions synced: ${s.sessionsSynced}`,
    `Last sync: ${s.lastSync ? timeAgo(Date.parse(s.lastSync)) : "never"}`,
  ];
  if (s.pending.sessions || s.pending.messages) {
    lines.push(`Pending: ${s.pending.sessions} session(s), ${s.pending.messages} message(s) (run \`claude-code-sync sync\`)`);
  }
  if (s.failed.length) {
    lines.push(`Failed: ${s.failed.length} item(s) the server refused:`);
    for (const f of s.failed.slice(0, 5)) lines.push(`  ${f.id}: ${f.error}`);
  }
  if (s.background) lines.push(backgroundLine(s.background));
  if (s.error) lines.push(s.error);
  return lines.join("\n");
}
