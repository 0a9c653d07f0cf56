import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { HookHandler } from "./hook-spec.ts";
import { sameProgram, shellWord, shellWords } from "./self-command.ts";
import { runnerCommandOf } from "./temporary-copy.ts";

/** A hook handler that runs `claude-code-sync hook <Event>`, and whether it runs this very executable. */
interface OurHandler {
  /** The event named in the handler (setup files it under the same one). */
  event: string;
  form: "exec" | "shell";
  runsSelf: boolean;
  /** The exec form's command and the args before `hook`. */
  launcher?: string[];
  /** The shell form's command line before `hook`. */
  commandLine?: string;
  /** The package runner it runs us through at every event (`npx claude-code-sync hook Stop`, written by hand). */
  runner?: string;
}

const EVENT = /^[A-Za-z]+$/;
const PACKAGE_NAME = "claude-code-sync";
const SHELL_HOOK = /^(.*?)\s+hook\s+([A-Za-z]+)\s*$/;
// The executable (or a folder of ours, e.g. a checkout or node_modules/claude-code-sync) by name.
const OUR_NAME = /(?:^|[\s"'/\\])claude-code-sync(?:\.(?:exe|cmd|js))?(?:[\s"'/\\]|$)/;

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === "string");

/**
 * Recognises our handlers in every form setup ever wrote: exec form
 * (`command` + `args`), the shell command line of 0.2 (`<self> hook <Event>`),
 * and 0.1.x's `claude-code-sync hook <Event>`; and those a user wrote to run us
 * through a package runner (`npx -y claude-code-sync hook Stop`). Matching our name, not only
 * `self` (this executable's argv), lets a moved binary's entries be updated in place.
 */
export function recognise(handler: unknown, self: string[]): OurHandler | undefined {
  if (!isRecord(handler) || handler.type !== "command" || typeof handler.command !== "string") return undefined;
  if (handler.args !== undefined) {
    if (!isStrings(handler.args)) return undefined;
    const argv = [handler.command, ...handler.args];
    const [word, event] = argv.slice(-2);
    const launcher = argv.slice(0, -2);
    if (word !== "hook" || !EVENT.test(event ?? "")) return undefined;
    const runner = runnerCommandOf(launcher);
    if (runner) return { event: event!, form: "exec", runsSelf: false, launcher, runner };
    // A launcher is the executable, or a runtime and our script.
    if (launcher.length < 1 || launcher.length > 2) return undefined;
    const runsSelf = sameProgram(launcher, self);
    const ours = runsSelf || launcher.some((arg) => OUR_NAME.test(arg)) || (launcher.length === 2 && isOurCheckout(launcher[1]!));
    return ours ? { event: event!, form: "exec", runsSelf, launcher } : undefined;
  }
  const match = SHELL_HOOK.exec(handler.command.trim());
  const prefix = match?.[1]?.trim();
  if (!match || !prefix) return undefined;
  const runner = runnerCommandOf(shellWords(prefix));
  if (runner) return { event: match[2]!, form: "shell", runsSelf: false, commandLine: prefix, runner };
  const runsSelf = prefix === shellCommand(self);
  return runsSelf || OUR_NAME.test(prefix) ? { event: match[2]!, form: "shell", runsSelf, commandLine: prefix } : undefined;
}

/**
 * A source checkout's entry script (`bun <checkout>/src/cli.ts`), whatever the checkout's folder is
 * called: its package.json names us. Otherwise a setup run from a built executable after one run
 * from source would add a second set of hooks.
 */
function isOurCheckout(script: string): boolean {
  if (!/[/\\]src[/\\]cli\.ts$/.test(script)) return false;
  try {
    return JSON.parse(readFileSync(join(script, "..", "..", "package.json"), "utf8")).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The command line 0.2 wrote for `self`, quoted for the shell Claude Code runs hooks with. */
function shellCommand(self: string[]): string {
  return self.map(shellWord).join(" ");
}

/** The handler's own fields are ours to set; anything else a user added to it stays. */
const OWNED = new Set(["type", "command", "args", "async", "timeout", "shell"]);

/** Our handler brought up to date (others' fields kept), or undefined when it already is. */
export function upToDate(handler: unknown, ours: HookHandler): Record<string, unknown> | undefined {
  const others = Object.entries(isRecord(handler) ? handler : {}).filter(([key]) => !OWNED.has(key));
  const wanted = { ...ours, ...Object.fromEntries(others) };
  return sameJson(handler, wanted) ? undefined : wanted;
}

/** Equal as JSON values, whatever the order of keys. */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && sameJson((a as never)[k], (b as never)[k]));
}
