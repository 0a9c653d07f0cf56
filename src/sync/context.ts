import { type Config, isProjectExcluded, loadConfig, requireCredentials } from "../config/index.ts";
import { projectRoots } from "../discover/roots.ts";
import { UserError } from "../errors.ts";
import type { FoldOptions } from "../fold/session-fold.ts";
import { type OpenSyncClient, createClient } from "../opensync/client.ts";
import { allowedServerUrl } from "../opensync/transport.ts";
import { createRedactor } from "../safety/redact.ts";
import { StateStore } from "../state/store.ts";
import { type Scrubber, scrubberFrom } from "./payloads.ts";

/** What the user's options make of a scan: what to include, what to hide. */
export interface ScanSettings {
  fold: FoldOptions;
  scrub: Scrubber;
  isExcluded(projectPath: string | undefined): boolean;
}

export function scanSettings(config: Config): ScanSettings {
  const o = config.options;
  return {
    fold: { toolCalls: o.toolCalls, thinking: o.thinking, subagentMessages: o.subagentMessages },
    scrub: scrubberFrom(o.redact ? createRedactor({ extraPatterns: o.redactPatterns }) : undefined),
    isExcluded: (path) => path !== undefined && o.excludeProjects.length > 0 && isProjectExcluded(path, o.excludeProjects),
  };
}

export function requireRoots(): string[] {
  const roots = projectRoots();
  if (roots.length === 0) {
    throw new UserError(
      "No Claude Code sessions folder found (looked for ~/.claude/projects and ~/.config/claude/projects). Set CLAUDE_CONFIG_DIR if Claude Code keeps its data elsewhere.",
      1,
      "no-transcripts",
    );
  }
  return roots;
}

export interface Connection {
  config: Config;
  url: string;
  apiKey: string;
  client: OpenSyncClient;
  store: StateStore;
}

/** CLAUDE_CODE_SYNC_TIMEOUT_MS: a shorter per-request timeout (tests of a hanging server), when set to a positive number. */
function timeoutFromEnv(): number | undefined {
  const ms = Number(process.env.CLAUDE_CODE_SYNC_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The saved (or environment) credentials, the client and this server's state; a clear error when not logged in. */
export function connect(options: { insecure?: boolean; config?: Config; timeoutMs?: number; retries?: number } = {}): Connection {
  const config = options.config ?? loadConfig();
  const creds = requireCredentials(config);
  const url = allowedServerUrl(creds.convexUrl, options.insecure === true, config);
  const timeoutMs = options.timeoutMs ?? timeoutFromEnv();
  return {
    config,
    url,
    apiKey: creds.apiKey,
    client: createClient({
      url,
      apiKey: creds.apiKey,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    }),
    store: StateStore.forServer(url),
  };
}
