/**
 * What `--help` adds to cac's usage and options: what each command does, examples,
 * the environment variables it reads and the exit codes.
 */
import { OPTION_KEYS } from "../config/option-info.ts";
import { HOSTED_SYNC_API } from "../opensync/hosted-addresses.ts";

interface CommandHelp {
  about: string;
  examples: string[];
  env: Array<keyof typeof ENV>;
  /** Exit code 130 (interrupted) applies. */
  interruptible?: boolean;
  /** Exit codes other than the usual ones (a command that runs until stopped). */
  exitCodes?: Array<[string, string]>;
}

const ENV = {
  url: ["CLAUDE_CODE_SYNC_URL", "OpenSync URL, used instead of the saved one (older name: CLAUDE_SYNC_CONVEX_URL)"],
  key: ["CLAUDE_CODE_SYNC_API_KEY", "API key, used instead of the saved one (older name: CLAUDE_SYNC_API_KEY)"],
  claude: ["CLAUDE_CONFIG_DIR", "Claude Code's folder when not ~/.claude (a comma-separated list for several)"],
  ca: ["NODE_EXTRA_CA_CERTS", "CA certificate of a proxy that inspects HTTPS"],
  idle: ["CLAUDE_CODE_SYNC_RUNNER_IDLE_MS", "how long the hooks' background sync waits for more work, in ms (default 600000, at most a day)"],
} as const;

const EXIT_CODES: Array<[string, string]> = [
  ["0", "done"],
  ["1", "something is pending or failed (server out of reach, an item refused): the next run retries it"],
  ["2", "a usage, configuration or login problem: the message says what to fix"],
];
const INTERRUPTED: [string, string] = ["130", "interrupted (Ctrl-C); what was not sent stays pending for the next run"];
/** A check that only reads: Ctrl-C leaves nothing behind. */
const STOPPED: [string, string] = ["130", "stopped by Ctrl-C; nothing changed"];

/** Help fits this many columns. */
const WIDTH = 80;

const COMMAND_HELP: Record<string, CommandHelp> = {
  login: {
    about:
      `Asks for (or takes) the OpenSync URL and API key, checks both against the server, and saves them in ~/.claude-code-sync/config.json (owner-only). The URL is ${HOSTED_SYNC_API} for hosted OpenSync, a self-hosted one's https://<name>.convex.site. Without a terminal, give the URL with --url and the key on stdin (--api-key-stdin, or --api-key -) or in CLAUDE_CODE_SYNC_API_KEY: a key written on the command line is visible to other users of this machine (ps) and stays in your shell history.`,
    examples: [
      "$ claude-code-sync login",
      "$ pass show opensync | claude-code-sync login --url <url> --api-key-stdin",
      "$ CLAUDE_CODE_SYNC_API_KEY=osk_... claude-code-sync login --url <url>",
    ],
    env: ["url", "key", "ca"],
    exitCodes: [...EXIT_CODES, ["130", "cancelled (Ctrl-C or Esc at a question); nothing was saved"]],
  },
  logout: {
    about:
      "Removes the saved URL and API key (the options stay). The Claude Code hooks stay installed until `claude-code-sync setup --uninstall`. With --forget it also deletes the sync state of every server (on a terminal it asks first): the next sync then reads every transcript again and reads back every session the server holds, one request each, to send only what it lacks (slower than a usual sync, once).",
    examples: ["$ claude-code-sync logout", "$ claude-code-sync logout --forget"],
    env: ["url", "key"],
    exitCodes: [...EXIT_CODES, ["130", "cancelled at --forget's question (Ctrl-C or Esc); the sync state is kept"]],
  },
  status: {
    about:
      "Shows at once what this machine knows (sessions synced, the last sync, what is pending or failed, the last background sync), then asks the server, waiting a few seconds at most. --verbose adds whole ids and the state databases kept for each server URL.",
    examples: ["$ claude-code-sync status", "$ claude-code-sync status --json", "$ claude-code-sync status --verbose"],
    env: ["url", "key"],
    exitCodes: [...EXIT_CODES, STOPPED],
  },
  sync: {
    about:
      "Reads what is new in Claude Code's transcripts and sends the sessions and messages the server does not have yet. --session takes a whole session id or its first characters (as tables show them).",
    examples: [
      "$ claude-code-sync sync",
      "$ claude-code-sync sync --dry-run",
      "$ claude-code-sync sync --dry-run --redactions",
      "$ claude-code-sync sync --session 3f2a9c1d",
      "$ claude-code-sync sync --json",
    ],
    env: ["url", "key", "claude", "ca"],
    interruptible: true,
  },
  setup: {
    about:
      "Adds claude-code-sync's hooks to Claude Code's settings.json (merged: nothing else changes, the old file is kept as a backup), so each session is synced as you work. --uninstall removes only ours.",
    examples: ["$ claude-code-sync setup --dry-run", "$ claude-code-sync setup", "$ claude-code-sync setup --uninstall"],
    env: ["claude", "idle"],
  },
  verify: {
    about:
      "Checks the config file, the credentials, the server, the API key, the hooks, the sync state and the transcripts folder, and prints the fix under each failure or warning (!). Exits as sync would for the same problem; a warning (no hooks yet) exits 0.",
    examples: ["$ claude-code-sync verify", "$ claude-code-sync verify --json"],
    env: ["url", "key", "claude", "ca"],
    exitCodes: [...EXIT_CODES, STOPPED],
  },
  synctest: {
    about: 'Creates a session named "claude-code-sync test session (safe to delete)" on the server and reads it back.',
    examples: ["$ claude-code-sync synctest"],
    env: ["url", "key", "ca"],
    exitCodes: [...EXIT_CODES, ["130", "stopped by Ctrl-C; the test session it names may be on the server: delete it in the dashboard"]],
  },
  config: {
    about: "Shows the options, the OpenSync URL and the API key (masked) in use, and where each comes from.",
    examples: ["$ claude-code-sync config", "$ claude-code-sync config --json"],
    env: ["url", "key"],
  },
  set: {
    about: `Changes one option: ${OPTION_KEYS.join(", ")} (\`claude-code-sync config\` shows each with its value and meaning). Booleans take on or off; lists take a comma-separated list, +item to add one, or -item after -- to remove one.`,
    examples: [
      "$ claude-code-sync set thinking on",
      '$ claude-code-sync set excludeProjects "scratch,~/clients/*"',
      "$ claude-code-sync set excludeProjects -- -scratch",
    ],
    env: [],
  },
  hook: {
    about: "Run by Claude Code's hooks (see setup): reads the event on stdin, queues the session, returns at once.",
    examples: [],
    env: ["idle"],
    // Claude Code shows a hook's failure, and exit 2 blocks its action: the hook never fails.
    exitCodes: [["0", "always, also when something went wrong: that goes to ~/.claude-code-sync/sync.log, and status shows it"]],
  },
  watch: {
    about:
      "Syncs each session shortly after Claude Code writes it, until stopped: for setups where hooks do not run. A line per sync goes to stdout; problems go to stderr.",
    examples: ["$ claude-code-sync watch", "$ claude-code-sync watch --poll --quiet"],
    env: ["url", "key", "claude", "ca"],
    exitCodes: [
      ["0", "stopped by SIGTERM (how systemd and launchd stop a service)"],
      ["2", "a usage, configuration or login problem (not logged in at the start, a refused key from the environment): the message says what to fix; a saved key refused while watching waits for a login instead"],
      ["130", "stopped by Ctrl-C (SIGINT); what was not sent stays pending for the next run"],
    ],
  },
};

interface Section {
  title?: string;
  body: string;
}

/** cac's help sections with ours added: the command's description after its usage; examples, environment, exit codes last. */
export function withDetails(sections: Section[], command: string | undefined): Section[] {
  const help = command === undefined ? undefined : COMMAND_HELP[command];
  const env = help ? help.env : (["url", "key", "claude", "ca"] as const);
  // cac ends option lines with a space.
  const out = sections.map((s) => ({ ...s, body: s.body.replace(/ +$/gm, "") }));
  if (help) {
    const usage = out.findIndex((s) => s.title === "Usage");
    out.splice(usage + 1, 0, { body: wrap(help.about, WIDTH - 2).map((line) => `  ${line}`).join("\n") });
    if (help.examples.length > 0) out.push({ title: "Examples", body: help.examples.map((line) => `  ${line}`).join("\n") });
  }
  if (env.length > 0) out.push({ title: "Environment", body: definitions(env.map((name) => [...ENV[name]])) });
  const codes = help?.exitCodes ?? [...EXIT_CODES, ...(!help || help.interruptible ? [INTERRUPTED] : [])];
  out.push({ title: "Exit codes", body: definitions(codes) });
  return out;
}

/** Terms and their meaning in two columns, the meanings wrapped to fit. */
function definitions(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([term]) => term.length));
  return rows
    .flatMap(([term, text]) => wrap(text, WIDTH - width - 4).map((line, i) => `  ${(i === 0 ? term : "").padEnd(width)}  ${line}`))
    .join("\n");
}

/** Words in lines of at most `width` columns (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return line === "" ? lines : [...lines, line];
}
