/**
 * The hooks claude-code-sync registers with Claude Code, one handler per event
 * (Claude Code's hooks reference, code.claude.com/docs/en/hooks, as of 2.1.239).
 * Our hook only records a sync request and returns (a few ms), so it never needs
 * Claude Code to wait for it, except where Claude Code may be about to exit.
 */
export const HOOK_EVENTS = [
  "SessionStart",
  "UserPromptSubmit",
  "Stop",
  // Fires instead of Stop when a turn ends on an API error: without it, that turn's messages wait for the next event.
  "StopFailure",
  "SubagentStop",
  // The summary is appended to the transcript; PreCompact adds nothing, as compaction never rewrites the file.
  "PostCompact",
  "SessionEnd",
] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Events setup registers since 0.3: hooks written by an earlier setup sync without them, only later. */
export const NEWER_EVENTS: ReadonlySet<HookEvent> = new Set(["StopFailure", "PostCompact"]);

/**
 * Events with a matcher (session source, error type, agent type, compaction
 * trigger, end reason): "*" takes them all. UserPromptSubmit and Stop have none.
 */
const MATCHER_EVENTS: ReadonlySet<HookEvent> = new Set(["SessionStart", "StopFailure", "SubagentStop", "PostCompact", "SessionEnd"]);

/**
 * SessionEnd runs as Claude Code exits, and async hooks still running then may
 * be killed (documented for `claude -p`) before the request is recorded: there
 * Claude Code waits for ours, which takes milliseconds. Everywhere else it need not.
 */
const SYNCHRONOUS_EVENTS: ReadonlySet<HookEvent> = new Set(["SessionEnd"]);

/**
 * An upper bound only. SessionEnd's is smaller: all SessionEnd hooks share a
 * budget (1.5 s by default) that Claude Code raises to the largest timeout
 * configured, and ours should not make other tools' hooks hold an exit longer.
 */
const HOOK_TIMEOUT_SECONDS = 10;
const SESSION_END_TIMEOUT_SECONDS = 5;

/** Exec form: the argv of our CLI, spawned with no shell. Shell form: a command line for the shell. */
type Launcher = { argv: string[] } | { shell: string };

/**
 * The plugin's hooks (hooks/hooks.json) run `claude-code-sync` from PATH in
 * shell form: exec form cannot start the .cmd shim npm installs on Windows, and
 * a bare name needs no quoting.
 */
export const PLUGIN_LAUNCHER: Launcher = { shell: "claude-code-sync" };

export interface HookHandler {
  type: "command";
  command: string;
  args?: string[];
  async?: true;
  timeout: number;
}
interface HookGroup {
  matcher?: string;
  hooks: HookHandler[];
}

export function ourHandler(launcher: Launcher, event: HookEvent): HookHandler {
  const form =
    "argv" in launcher
      ? { command: launcher.argv[0]!, args: [...launcher.argv.slice(1), "hook", event] }
      : { command: `${launcher.shell} hook ${event}` };
  const timeout = event === "SessionEnd" ? SESSION_END_TIMEOUT_SECONDS : HOOK_TIMEOUT_SECONDS;
  return { type: "command", ...form, ...(SYNCHRONOUS_EVENTS.has(event) ? {} : { async: true as const }), timeout };
}

export function ourGroup(launcher: Launcher, event: HookEvent): HookGroup {
  const hooks = [ourHandler(launcher, event)];
  return MATCHER_EVENTS.has(event) ? { matcher: "*", hooks } : { hooks };
}

/** Our whole `hooks` section as setup writes it into a new file (and the shape of the plugin's hooks/hooks.json). */
export function hooksSection(launcher: Launcher): Record<HookEvent, HookGroup[]> {
  return Object.fromEntries(HOOK_EVENTS.map((event) => [event, [ourGroup(launcher, event)]])) as Record<HookEvent, HookGroup[]>;
}

export const isOurEvent = (event: string): event is HookEvent => (HOOK_EVENTS as readonly string[]).includes(event);
