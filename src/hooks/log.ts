import { appendFileSync, mkdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { maskCredentials } from "../opensync/errors.ts";
import { appDir } from "../paths.ts";

const MAX_LOG_BYTES = 1024 * 1024;

function logPath(): string {
  return join(appDir(), "sync.log");
}

/**
 * Appends one line to ~/.claude-code-sync/sync.log (API keys masked), rotating
 * at 1 MiB to sync.log.1. Never throws: logging must not break a hook.
 */
export function log(message: string): void {
  try {
    mkdirSync(appDir(), { recursive: true, mode: 0o700 });
    const path = logPath();
    try {
      if (statSync(path).size > MAX_LOG_BYTES) renameSync(path, `${path}.1`);
    } catch {}
    appendFileSync(path, `${new Date().toISOString()} [${process.pid}] ${maskCredentials(message)}\n`, { mode: 0o600 });
  } catch {}
}
