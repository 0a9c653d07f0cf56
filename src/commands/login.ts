import { cancel, intro, log, outro } from "@clack/prompts";
import { EXIT_INTERRUPTED } from "../report/interrupt.ts";
import { installedHooks } from "../claude-settings/installed.ts";
import { type Config, configPath, loadConfigForLogin, maskKey, resolveCredentials, saveConfig, setBrokenConfigAside } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { normalizeUrl, shownInput } from "../opensync/url.ts";
import { needsInsecure } from "../opensync/transport.ts";
import { checkServer } from "../login/check.ts";
import { noteLogin } from "../hooks/background-status.ts";
import { resumeParked } from "../hooks/resume.ts";
import { knownCredentials, requireGiven } from "../login/inputs.ts";
import { forgetPendingReason } from "../login/stale-reason.ts";
import { keyFormatProblem } from "../login/key-format.ts";
import { checkAskingAgain, promptCredentials } from "../login/prompt.ts";
import { loggedInConfig } from "../login/saved-config.ts";
import { loginUrl } from "../login/url-input.ts";
import { plural } from "../report/format.ts";
import { isTerminal, writeErr, writeOut } from "../runtime/stdio.ts";

/**
 * `login`: take the URL and API key (asked at a terminal, from flags or the
 * environment otherwise), prove both against the server, and only then save them.
 */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const insecure = options.insecure === true;
  // A config that cannot be used does not stop a login: the new one replaces it, and it is kept aside.
  const { config: cfg, broken } = loadConfigForLogin();
  const fromStdin = options.apiKeyStdin === true;
  if (fromStdin && options.apiKey !== undefined) throw new UserError("Give the API key once: --api-key or --api-key-stdin, not both.", 2, "usage");
  const keyOnCommandLine = options.apiKey !== undefined;
  const known = knownCredentials(fromStdin ? { ...options, apiKey: await keyFromStdin() } : options, process.env, cfg);
  const interactive = Boolean(isTerminal(0) && isTerminal(1));
  const say = interactive ? (line: string) => log.info(line) : (line: string) => writeOut(`${line}\n`);

  if (interactive) intro("claude-code-sync login");
  if (keyOnCommandLine) {
    const warning =
      "Warning: a key given with --api-key can be seen by other users of this machine (ps) and stays in your shell history. " +
      "Pipe it instead (… | claude-code-sync login --url <url> --api-key-stdin), or set CLAUDE_CODE_SYNC_API_KEY.";
    if (interactive) log.warn(warning);
    else writeErr(`${warning}\n`);
  }
  const asked = interactive ? await promptCredentials(known, insecure) : requireGiven(known);
  if (asked === undefined) return cancelled();

  const first = loginUrl(asked.url.value, insecure);
  if (first.note !== undefined) say(first.note);
  const problem = keyFormatProblem(asked.apiKey.value);
  if (problem !== undefined) throw new UserError(`Login failed: ${problem}`, 2);
  if (needsInsecure(first.url)) say(`Warning: plain http:// to ${new URL(first.url).host}; the API key and your sessions travel unencrypted.`);

  say(`Checking ${first.url} ...`);
  const checked = interactive
    ? await checkAskingAgain({ url: first.url, urlSource: asked.url.source, apiKey: asked.apiKey }, insecure, (url, key) => checkServer(url, key))
    : { url: first.url, apiKey: asked.apiKey, checked: await checkServer(first.url, asked.apiKey) };
  if (checked === undefined) return cancelled();
  const { url } = checked;
  const apiKey = checked.apiKey.value;
  const sessions = checked.checked;
  const plainHttp = needsInsecure(url);
  const asideAt = broken === undefined ? undefined : setBrokenConfigAside();
  saveConfig(loggedInConfig(cfg, url, apiKey));
  const overridden = overrideNotes(cfg, url, apiKey);
  // What the background sync met is history only if the other commands use this login.
  let resumed = 0;
  if (overridden.length === 0) {
    noteLogin();
    forgetPendingReason(url);
    resumed = resumeParked();
  }

  const count = sessions === undefined ? "too many sessions on the server to count" : `${plural(sessions, "session")} on the server`;
  const summary = [
    `Logged in to ${url} as key ${maskKey(apiKey)} (${count}).`,
    `Saved to ${configPath()}${plainHttp ? " (with --insecure, for this URL only)" : ""}.`,
    ...(asideAt === undefined ? [] : [`The config that was there could not be used; it is kept as ${asideAt} (your other settings were in it: set them again).`]),
    ...overridden,
    ...(resumed === 0 ? [] : [`The background sync resumes ${plural(resumed, "session")} that waited for a login.`]),
  ];
  // A new login after a key rotation: hooks set up already need no second setup.
  const next = [
    "Next steps:",
    "  claude-code-sync sync    send the sessions you already have",
    installedHooks() === "all"
      ? "  (the Claude Code hooks are set up: new sessions sync as you work)"
      : "  claude-code-sync setup   sync new sessions automatically as you work (Claude Code hooks)",
  ].join("\n");
  if (interactive) {
    for (const line of summary) log.success(line);
    outro(next);
  } else {
    writeOut(`${summary.join("\n")}\n${next}\n`);
  }
  return 0;
}

/** Ctrl-C or Esc at a question: nothing saved, and Ctrl-C's code, as every command gives it (1 would say something is pending for a later run). */
function cancelled(): number {
  cancel("Login cancelled");
  return EXIT_INTERRUPTED;
}

/** Other commands read the environment before the config: say so when it holds something else. */
function overrideNotes(cfg: Config, url: string, apiKey: string): string[] {
  const used = resolveCredentials({ ...cfg, convexUrl: url, apiKey }, process.env);
  const notes: string[] = [];
  if (used.source.convexUrl !== "config" && !sameUrl(used.convexUrl, url)) {
    notes.push(`Note: $${used.source.convexUrl} is set to ${shownInput(used.convexUrl ?? "")} and overrides this URL for the other commands; unset it.`);
  }
  if (used.source.apiKey !== "config" && used.apiKey !== apiKey) {
    notes.push(`Note: $${used.source.apiKey} holds a different key and overrides this one for the other commands; unset it.`);
  }
  return notes;
}

function sameUrl(candidate: string | undefined, url: string): boolean {
  try {
    return candidate !== undefined && normalizeUrl(candidate) === url;
  } catch {
    return false;
  }
}

/** The key piped on stdin (its first line); a terminal on stdin is not a pipe, and asking there is login's own job. */
async function keyFromStdin(): Promise<string> {
  if (isTerminal(0)) {
    throw new UserError(
      "--api-key-stdin reads the key from a pipe, and stdin is a terminal: pipe it (… | claude-code-sync login --url <url> --api-key-stdin), or run login without it to type the key masked.",
      2,
      "usage",
    );
  }
  const key = (await Bun.stdin.text()).split(/\r?\n/).find((line) => line.trim() !== "")?.trim();
  if (key === undefined) throw new UserError("--api-key-stdin found nothing on stdin: pipe the key from the OpenSync dashboard (Settings → API key).", 2, "usage");
  return key;
}
