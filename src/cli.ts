import { UserError } from "./errors.ts";
import { VERSION } from "./version.ts";

/**
 * The command table. Each command's code is imported only when it runs, so the
 * `hook` path (run by Claude Code on every event) never pays for prompts,
 * spinners or the uploader.
 */
type Run = (args: string[], options: Record<string, unknown>) => Promise<number>;
const load =
  (importer: () => Promise<{ run: Run }>) =>
  async (...params: unknown[]): Promise<number> => {
    const options = params.pop() as Record<string, unknown>;
    const args = params.flat().filter((a): a is string => typeof a === "string");
    return (await importer()).run(args, options);
  };

export async function buildCli() {
  const { cac } = await import("cac");
  const cli = cac("claude-code-sync");

  cli
    .command("login", "Connect to your OpenSync server (URL + API key) and check both")
    .option("--url <url>", "OpenSync or Convex URL (https://<name>.convex.cloud or .convex.site)")
    .option("--api-key <key>", "API key from the OpenSync dashboard (osk_...)")
    .option("--insecure", "Allow plain http:// to a host other than localhost")
    .action(load(() => import("./commands/login.ts")));

  cli
    .command("logout", "Remove the saved credentials")
    .action(load(() => import("./commands/logout.ts")));

  cli
    .command("status", "Show the connection, what was synced, and what is pending or failed")
    .option("--json", "Machine-readable output")
    .action(load(() => import("./commands/status.ts")));

  cli
    .command("sync", "Send new sessions and messages to OpenSync (incremental)")
    .option("--dry-run", "Scan and show what would be sent; send nothing")
    .option("--redactions", "With --dry-run: count the secrets that would be redacted per session")
    .option("--full", "Re-read every transcript from the start")
    .option("--session <id>", "Only this session")
    .option("--json", "Machine-readable output")
    .option("--insecure", "Allow plain http:// to a host other than localhost")
    .action(load(() => import("./commands/sync.ts")));

  cli
    .command("setup", "Register the Claude Code hooks that sync sessions as you work")
    .option("--dry-run", "Show the change to settings.json without writing it")
    .option("--uninstall", "Remove only claude-code-sync's hooks")
    .action(load(() => import("./commands/setup.ts")));

  cli
    .command("verify", "Check credentials, server, API key, hooks and local state")
    .option("--json", "Machine-readable output")
    .action(load(() => import("./commands/verify.ts")));

  cli
    .command("synctest", "Create a clearly named test session on the server to prove the round trip")
    .option("--insecure", "Allow plain http:// to a host other than localhost")
    .action(load(() => import("./commands/synctest.ts")));

  cli
    .command("config", "Show the current options")
    .option("--json", "Machine-readable output")
    .action(load(() => import("./commands/config.ts")));

  cli
    .command("set <key> [value]", "Change an option (see `config` for the keys)")
    .action(load(() => import("./commands/set.ts")));

  cli
    .command("hook <event>", "Run by Claude Code hooks: reads the event from stdin, returns at once")
    .allowUnknownOptions()
    .action(load(() => import("./commands/hook.ts")));

  cli
    .command("watch", "Watch transcripts and sync changed sessions (when hooks do not fire)")
    .option("--poll", "Check for changes every 2 s instead of using file-system events (e.g. network drives)")
    .option("--quiet", "Print only problems, not a line per sync")
    .option("--insecure", "Allow plain http:// to a host other than localhost")
    .action(load(() => import("./commands/watch.ts")));

  cli.option("-v, --version", "Print the version");
  cli.help();
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  const [command, event] = argv.slice(2);
  // Claude Code waits for every hook: the hook path skips the command table (and never fails).
  if (command === "hook" && event && !event.startsWith("-") && argv.length === 4) {
    return (await import("./commands/hook.ts")).run([event]);
  }
  const cli = await buildCli();
  const isHook = command === "hook";
  try {
    cli.parse(argv, { run: false });
    if (cli.options.help) return 0;
    if (cli.options.version && !cli.matchedCommand) {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (!cli.matchedCommand) {
      const [first] = cli.args;
      if (first === undefined) {
        cli.outputHelp();
        return 0;
      }
      throw new UserError(`Unknown command "${first}". Run "claude-code-sync --help" to see the commands.`);
    }
    return (await cli.runMatchedCommand()) ?? 0;
  } catch (error) {
    // A hook must never fail Claude Code's action (exit 2 blocks it): errors go to the log only.
    if (isHook) {
      const { log } = await import("./hooks/log.ts");
      log(`hook: ${(error as Error).message}`);
      return 0;
    }
    if (error instanceof UserError) {
      process.stderr.write(`claude-code-sync: ${error.message}\n`);
      return error.exitCode;
    }
    // cac reports unknown flags and missing arguments as CACError.
    if (error instanceof Error && error.name === "CACError") {
      process.stderr.write(`claude-code-sync: ${error.message}. Run "claude-code-sync --help".\n`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv);
}
