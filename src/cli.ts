import { UserError } from "./errors.ts";
import { VERSION } from "./version.ts";
import { writeErr, writeOut } from "./runtime/stdio.ts";
import { HOSTED_SYNC_API } from "./opensync/hosted-addresses.ts";

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

const INSECURE = "Allow plain http:// to a host other than localhost";

type Parser = import("cac").CAC;

/** Each command's definition, by name. */
const COMMANDS: Record<string, (cli: Parser) => void> = {
  login: (cli) =>
    cli
      .command("login", "Save and check the OpenSync URL and API key")
      .usage("login [--url <url>] [--api-key-stdin]")
      .option("--url <url>", `OpenSync URL (hosted OpenSync: ${HOSTED_SYNC_API})`)
      .option("--api-key-stdin", "Read the API key from stdin (or: --api-key -)")
      .option("--api-key <key>", "API key (osk_...); visible in ps: prefer --api-key-stdin")
      .option("--insecure", INSECURE)
      .action(load(() => import("./commands/login.ts"))),

  logout: (cli) =>
    cli
      .command("logout", "Remove the saved credentials")
      .option("--forget", "Also delete the sync state of every server (see above)")
      .action(load(() => import("./commands/logout.ts"))),

  status: (cli) =>
    cli
      .command("status", "Synced, pending and failed work; whether the server answers")
      .option("--json", "Machine-readable output")
      .action(load(() => import("./commands/status.ts"))),

  sync: (cli) =>
    cli
      .command("sync", "Send new sessions and messages to OpenSync (incremental)")
      .option("--dry-run", "Show each session as the server would hold it; send nothing")
      .option("--redactions", "With --dry-run: count the secrets redacted per session")
      .option("--full", "Read everything again; send whatever the server lacks")
      .option("--retry-failed", "Try again now what the server refused")
      .option("--offline", "No price refresh from the network (see priceUpdates)")
      .option("--session <id>", "Only this session: its id, or the first characters of it")
      .option("--json", "Machine-readable output")
      .option("--insecure", INSECURE)
      .action(load(() => import("./commands/sync.ts"))),

  setup: (cli) =>
    cli
      .command("setup", "Add the Claude Code hooks that sync sessions as you work")
      .option("--dry-run", "Show the change to settings.json without writing it")
      .option("--uninstall", "Remove only claude-code-sync's hooks")
      .action(load(() => import("./commands/setup.ts"))),

  verify: (cli) =>
    cli
      .command("verify", "Check credentials, server, API key, hooks and local state")
      .option("--json", "Machine-readable output")
      .action(load(() => import("./commands/verify.ts"))),

  synctest: (cli) =>
    cli
      .command("synctest", "Send a test session and read it back (the round trip)")
      .option("--insecure", INSECURE)
      .action(load(() => import("./commands/synctest.ts"))),

  config: (cli) =>
    cli
      .command("config", "Show the current options")
      .option("--json", "Machine-readable output")
      .action(load(() => import("./commands/config.ts"))),

  set: (cli) =>
    cli
      .command("set [option] [value]", "Change an option (see `config` for the options)")
      .action(load(() => import("./commands/set.ts"))),

  hook: (cli) =>
    cli
      .command("hook <event>", "Run by Claude Code's hooks; returns at once")
      .allowUnknownOptions()
      .action(load(() => import("./commands/hook.ts"))),

  watch: (cli) =>
    cli
      .command("watch", "Sync sessions as they change (when hooks do not run)")
      .option("--poll", "Check every 2 s instead of using file events (network drives)")
      .option("--quiet", "Print only problems, not a line per sync")
      .option("--insecure", INSECURE)
      .action(load(() => import("./commands/watch.ts"))),
};

/**
 * The parser. A command named first (`sync --json`) is defined alone: what
 * the parser and the checks below do with it needs no other command, and
 * defining all eleven and parsing against them cost every command about 5 ms
 * of CPU (measured, `sync --json`: 13.5 -> 8.6 ms from main to the parsed
 * command). Anything else (the general help, a mistyped command, a flag
 * before the command) gets them all, for the help and the suggestions.
 */
async function buildCli(first: string | undefined) {
  const { cac } = await import("cac");
  const { withDetails } = await import("./report/help.ts");
  const cli = cac("claude-code-sync");
  const named = first !== undefined && Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  for (const define of named ? [named] : Object.values(COMMANDS)) define(cli);
  cli.option("--verbose", "Whole ids and more detail");
  cli.option("-v, --version", "Print the version");
  cli.help((sections) => withDetails(sections, cli.matchedCommand?.name));
  // The help is printed by main, after a mistyped command is refused (`help stauts` showed the general help, exit 0).
  cli.showHelpOnExit = false;
  return cli;
}

type Cli = Awaited<ReturnType<typeof buildCli>>;

export async function main(argv: string[]): Promise<number> {
  argv = helpAsFlag(argv);
  const [command, event] = argv.slice(2);
  // Claude Code waits for every hook: the hook path skips the command table (and never fails).
  if (command === "hook" && event && !event.startsWith("-") && argv.length === 4) {
    return (await import("./commands/hook.ts")).run([event]);
  }
  const cli = await buildCli(command);
  const isHook = command === "hook";
  const json = beforeDashes(argv.slice(2)).includes("--json");
  try {
    rejectDashedSetValue(argv);
    cli.parse(keyFromStdinFlag(argv), { run: false });
    if (cli.options.help) {
      await rejectUnknownCommand(cli);
      cli.outputHelp();
      return 0;
    }
    if (cli.options.version && !cli.matchedCommand) {
      writeOut(`${json ? JSON.stringify({ version: VERSION }) : VERSION}\n`);
      return 0;
    }
    await rejectUnknown(cli);
    if (!cli.matchedCommand) {
      cli.outputHelp();
      return 0;
    }
    keepRawValues(cli, argv);
    return (await cli.runMatchedCommand()) ?? 0;
  } catch (error) {
    // A hook must never fail Claude Code's action (exit 2 blocks it): errors go to the log only.
    if (isHook) {
      const { log } = await import("./hooks/log.ts");
      log(`hook: ${(error as Error).message}`);
      return 0;
    }
    return report(error, json, cli.matchedCommand?.name);
  }
}

/** The failure on stderr, and as JSON on stdout when --json was asked for, so a script always gets an answer. */
async function report(error: unknown, json: boolean, command: string | undefined): Promise<number> {
  const { failureJson, failureOf } = await import("./report/failure.ts");
  let failure: ReturnType<typeof failureOf>;
  try {
    failure = failureOf(error);
  } catch {
    if (json) writeOut(`${JSON.stringify(failureJson({ message: String((error as Error)?.message ?? error), code: "internal-error" }))}\n`);
    throw error;
  }
  // cac's own texts ("option `--session <id>` value is missing") say nothing of where to look.
  const cacError = (error as Error).name === "CACError";
  // Its "Unused args: `x`" is parser talk for an argument the command does not take.
  if (cacError) failure = { ...failure, message: failure.message.replace(/^Unused args: (.*)$/, (_, list: string) => `Unexpected argument${list.includes(",") ? "s" : ""} ${list}${command ? ` for ${command}` : ""}`) };
  const help = cacError ? `${/[.!?]$/.test(failure.message) ? "" : "."} Run "claude-code-sync${command ? ` ${command}` : ""} --help".` : "";
  writeErr(`claude-code-sync: ${failure.message}${help}\n`);
  if (json) writeOut(`${JSON.stringify(failureJson(failure))}\n`);
  return failure.exitCode;
}

/** `help [command]`, as other tools take it, is `[command] --help` (it said "Unknown command \"help\""); global flags may come first. */
function helpAsFlag(argv: string[]): string[] {
  const at = argv.findIndex((a, i) => i >= 2 && !a.startsWith("-"));
  if (at < 0 || argv[at] !== "help" || argv.slice(2, at).includes("--")) return argv;
  return [...argv.slice(0, at), ...argv.slice(at + 1), "--help"];
}

const beforeDashes = (args: string[]) => (args.includes("--") ? args.slice(0, args.indexOf("--")) : args);

/** `--api-key -` (the key on stdin) as the flag cac can parse: it would take the "-" for a flag. */
function keyFromStdinFlag(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return [...out, ...argv.slice(i)];
    if (arg === "--api-key" && argv[i + 1] === "-") {
      out.push("--api-key-stdin");
      i++;
    } else {
      out.push(arg === "--api-key=-" ? "--api-key-stdin" : arg);
    }
  }
  return out;
}

/** Every flag of an option, as typed: "-v, --version" gives both. */
const flagsOf = (rawName: string): string[] => rawName.match(/--?[A-Za-z][\w-]*/g) ?? [];

/** Unknown options and commands are usage errors that say what was probably meant. */
async function rejectUnknown(cli: Cli): Promise<void> {
  const { suggestion } = await import("./report/suggest.ts");
  const command = cli.matchedCommand;
  const help = `Run "claude-code-sync${command ? ` ${command.name}` : ""} --help" to see the options.`;
  // A mistyped command first: its flags are unknown only because it is (`stauts --json` said "Unknown option `--json`").
  await rejectUnknownCommand(cli);
  if (!command?.config.allowUnknownOptions) {
    const unknown = Object.keys(cli.options).find((name) => name !== "--" && !command?.hasOption(name) && !cli.globalCommand.hasOption(name));
    if (unknown !== undefined) {
      const typed = unknown.length === 1 ? `-${unknown}` : `--${unknown.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      // A command's flag with no command (`--json` said "Unknown option `--json`. Did you mean `--json`?").
      const owners: { name: string; usage: string }[] = command
        ? []
        : cli.commands.flatMap((c) => c.options.filter((o) => flagsOf(o.rawName).includes(typed)).map((o) => ({ name: c.name, usage: `${c.name} ${o.rawName}` })));
      if (owners.length > 0) {
        throw new UserError(`\`${typed}\` needs a command: it is an option of ${owners.map((o) => o.name).join(", ")} (e.g. claude-code-sync ${owners[0]!.usage}). Run "claude-code-sync --help" to see the commands.`, 2, "usage");
      }
      // Before the command, an unknown flag takes the command's name as its value: any command's flag may be meant.
      const options = command ? command.options : cli.commands.flatMap((c) => c.options);
      const known = [...new Set([...options, ...cli.globalCommand.options].map((o) => flagsOf(o.rawName).at(-1)!))];
      throw new UserError(`Unknown option \`${typed}\`${command ? ` for ${command.name}` : ""}.${suggestion(typed, known)} ${setHint(cli) ?? help}`, 2, "unknown-option");
    }
  }
}

/** A first word that is no command: "Did you mean", exit 2 (its help would be the general one). */
async function rejectUnknownCommand(cli: Cli): Promise<void> {
  const first = typedCommand(cli);
  if (cli.matchedCommand || first === undefined) return;
  const { suggestion } = await import("./report/suggest.ts");
  const names = cli.commands.map((c) => c.name);
  throw new UserError(`Unknown command "${first}".${suggestion(first, names)} Run "claude-code-sync --help" to see the commands.`, 2, "unknown-command");
}

/**
 * The word typed as the command. Before a command the parser knows only the global flags, so one
 * that only commands have takes the next word as its value: `help --json stauts` read "stauts" as
 * --json's and showed the general help. A flag that takes no value in any command cannot have one.
 */
function typedCommand(cli: Cli): string | undefined {
  if (cli.args[0] !== undefined) return cli.args[0];
  const switches = new Set(cli.commands.flatMap((c) => c.options).filter((o) => o.isBoolean).flatMap((o) => flagsOf(o.rawName)));
  const args = beforeDashes(cli.rawArgs.slice(2));
  return args.find((arg, i) => !arg.startsWith("-") && switches.has(args[i - 1] ?? ""));
}

/**
 * `set excludeProjects -old` reads -old as a flag: a value that starts with "-" goes after `--`.
 * A flag before the option's name (`set --json thinking on`) is no value: only the help is meant.
 */
function setHint(cli: Cli): string | undefined {
  if (cli.matchedCommand?.name !== "set") return undefined;
  const after = cli.rawArgs.slice(cli.rawArgs.indexOf("set") + 1);
  if (after[0]?.startsWith("-")) return undefined;
  return dashedSetValueHint(
    after.find((a) => a.startsWith("-") && a !== "--"),
    cli.args[0],
  );
}

const dashedSetValueHint = (typed: string | undefined, key: string | undefined) =>
  typed && `To remove an item from a list, put it after --: claude-code-sync set ${key ?? "<option>"} -- ${typed}`;

/**
 * `set` has no one-letter flag but -h, so `-hidden` or `-vendor` is an item to remove from a list,
 * not flags to parse (the parser would read `-h` in it and print the help). Refused before parsing.
 */
function rejectDashedSetValue(argv: string[]): void {
  const args = beforeDashes(argv.slice(2));
  if (args[0] !== "set") return;
  const typed = args.slice(1).find((a) => /^-[^-]/.test(a) && a !== "-h");
  const hint = dashedSetValueHint(typed, args[1]?.startsWith("-") ? undefined : args[1]);
  if (hint) throw new UserError(`Unknown option \`${typed}\` for set. ${hint}`, 2, "unknown-option");
}

/**
 * The values of options that take one, as typed: the parser turns "0012" into
 * 12 and "1e5" into 100000, which breaks session ids and keys made of digits.
 */
function keepRawValues(cli: Cli, argv: string[]): void {
  const args = beforeDashes(argv.slice(2));
  const options = [...(cli.matchedCommand?.options ?? []), ...cli.globalCommand.options].filter((o) => /[<[]/.test(o.rawName));
  for (const option of options) {
    for (const flag of flagsOf(option.rawName)) {
      const at = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
      if (at < 0) continue;
      const raw = args[at] === flag ? args[at + 1] : args[at]!.slice(flag.length + 1);
      if (raw !== undefined && typeof cli.options[option.name] === "number") cli.options[option.name] = raw;
    }
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv);
}
