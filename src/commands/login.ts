import { cancel, intro, log, outro } from "@clack/prompts";
import { type Config, configPath, loadConfig, maskKey, resolveCredentials, saveConfig } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { normalizeUrl, shownInput } from "../opensync/url.ts";
import { needsInsecure } from "../opensync/transport.ts";
import { checkServer } from "../login/check.ts";
import { knownCredentials, requireGiven } from "../login/inputs.ts";
import { keyFormatProblem } from "../login/key-format.ts";
import { promptCredentials } from "../login/prompt.ts";
import { loggedInConfig } from "../login/saved-config.ts";
import { loginUrl } from "../login/url-input.ts";

/**
 * `login`: take the URL and API key (asked at a terminal, from flags or the
 * environment otherwise), prove both against the server, and only then save them.
 */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const insecure = options.insecure === true;
  const cfg = loadConfig();
  const known = knownCredentials(options, process.env, cfg);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const say = interactive ? (line: string) => log.info(line) : (line: string) => process.stdout.write(`${line}\n`);

  if (interactive) intro("claude-code-sync login");
  const given = interactive ? await promptCredentials(known, insecure) : requireGiven(known);
  if (given === undefined) {
    cancel("Login cancelled");
    return 1;
  }

  const { url, note } = loginUrl(given.url.value, insecure);
  if (note !== undefined) say(note);
  const problem = keyFormatProblem(given.apiKey.value);
  if (problem !== undefined) throw new UserError(`Login failed: ${problem}`, 2);
  const plainHttp = needsInsecure(url);
  if (plainHttp) say(`Warning: plain http:// to ${new URL(url).host}; the API key and your sessions travel unencrypted.`);

  say(`Checking ${url} ...`);
  const sessions = await checkServer(url, given.apiKey);
  saveConfig(loggedInConfig(cfg, url, given.apiKey.value));

  const count = sessions === undefined ? "too many sessions on the server to count" : `${sessions} session${sessions === 1 ? "" : "s"} on the server`;
  const summary = [
    `Logged in to ${url} as key ${maskKey(given.apiKey.value)} (${count}).`,
    `Saved to ${configPath()}${plainHttp ? " (with --insecure, for this URL only)" : ""}.`,
    ...overrideNotes(cfg, url, given.apiKey.value),
  ];
  const next = [
    "Next steps:",
    "  claude-code-sync sync    send the sessions you already have",
    "  claude-code-sync setup   sync new sessions automatically as you work (Claude Code hooks)",
  ].join("\n");
  if (interactive) {
    for (const line of summary) log.success(line);
    outro(next);
  } else {
    process.stdout.write(`${summary.join("\n")}\n${next}\n`);
  }
  return 0;
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
