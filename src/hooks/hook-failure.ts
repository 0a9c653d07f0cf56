import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile } from "../runtime/json-file.ts";
import { z } from "../runtime/zod.ts";
import { maskCredentials } from "../opensync/errors.ts";
import { appDir } from "../paths.ts";
import { timeAgo } from "../report/format.ts";

/**
 * The last hook that could not leave its request (an unwritable or full
 * queue folder...): Claude Code ignores what a hook says, so `status` is where
 * the user learns of it. Written only when a hook fails, so a working hook
 * pays nothing for it.
 */
const HookFailureSchema = z.object({ at: z.number(), event: z.string(), error: z.string() });
export type HookFailure = z.infer<typeof HookFailureSchema>;

const hookFailurePath = () => join(appDir(), "hook-failure.json");

/** Never throws: the hook must exit 0 whatever happens. */
export function recordHookFailure(event: string, error: unknown, at = Date.now()): void {
  const failure: HookFailure = { at, event, error: maskCredentials((error as Error).message ?? String(error)) };
  try {
    writeFileSync(hookFailurePath(), JSON.stringify(failure), { mode: 0o600 });
  } catch {
    // A full disk: no empty file left (status then finds the disk full by itself).
    try {
      rmSync(hookFailurePath(), { force: true });
    } catch {}
  }
}

export function readHookFailure(): HookFailure | null {
  return readJsonFile(hookFailurePath(), HookFailureSchema) ?? null;
}

/**
 * Still news: neither a sync (`lastSyncAt`) nor a background round (`backgroundAt`: hooks queued fine again) went
 * through since. One that did read what that hook asked for, or `Not read yet` counts what it did not.
 */
export function hookFailureCurrent(f: HookFailure, lastSyncAt: number | undefined, backgroundAt: number | undefined): boolean {
  return Math.max(lastSyncAt ?? 0, backgroundAt ?? 0) < f.at;
}

/** The `Hooks:` line of `status`. */
export function hookFailureLine(f: HookFailure, now = Date.now()): string {
  return (
    `Hooks: the ${f.event} hook ${timeAgo(f.at, now)} could not hand its sync to the background: ${f.error}. ` +
    "Make sure ~/.claude-code-sync and its queue folder are folders you can write to, on a disk with room, then run `claude-code-sync sync` (nothing is lost: the transcripts are read again)."
  );
}
