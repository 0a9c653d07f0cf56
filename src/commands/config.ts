import { type Config, type Credentials, configPath, loadConfig, maskKey, resolveCredentials, shownUrl, unusedKeys, unusedKeysText } from "../config/index.ts";
import { OPTION_INFO, OPTION_KEYS } from "../config/option-info.ts";
import { writeOut } from "../runtime/stdio.ts";
import { type ResolvedUrl, resolveUrl } from "../opensync/url.ts";

/** `config`: the options and the connection (URL without any password, API key masked), as text or `--json`. */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const cfg = loadConfig();
  const credentials = resolveCredentials(cfg, process.env);
  writeOut(options.json ? `${JSON.stringify(toJson(cfg, credentials), null, 2)}\n` : toText(cfg, credentials));
  return 0;
}

function knownOptions(cfg: Config) {
  return Object.fromEntries(OPTION_KEYS.map((key) => [key, cfg.options[key]]));
}

/**
 * The URL every other command talks to, and why when it is not the one given (hosted OpenSync's
 * web app or legacy address, a `.convex.cloud` host): `config` showed the legacy address while
 * `status` and `verify` named https://api.opensync.dev. A URL that cannot be used is shown as given
 * (the commands that use it say what is wrong).
 */
function urlInUse(given: string): ResolvedUrl {
  try {
    return resolveUrl(given);
  } catch {
    return { url: given };
  }
}

/** `opensyncUrl` is the URL in use; `convexUrl`, the name earlier versions gave the setting, the URL as given. */
function toJson(cfg: Config, credentials: Credentials) {
  const given = credentials.convexUrl === undefined ? null : shownUrl(credentials.convexUrl);
  const urlSource = credentials.source.convexUrl ?? null;
  return {
    configPath: configPath(),
    connection: {
      opensyncUrl: given === null ? null : shownUrl(urlInUse(credentials.convexUrl!).url),
      convexUrl: given,
      apiKey: credentials.apiKey === undefined ? null : maskKey(credentials.apiKey),
      source: { opensyncUrl: urlSource, convexUrl: urlSource, apiKey: credentials.source.apiKey ?? null },
    },
    options: knownOptions(cfg),
    prices: cfg.options.prices,
    unusedKeys: unusedKeys(cfg),
  };
}

function toText(cfg: Config, credentials: Credentials): string {
  const from = (source: string | undefined) => (source && source !== "config" ? `  (from $${source})` : "");
  const width = Math.max(...OPTION_KEYS.map((key) => key.length));
  const inUse = credentials.convexUrl === undefined ? undefined : urlInUse(credentials.convexUrl);
  const lines = [
    "Connection",
    `  OpenSync URL  ${inUse === undefined ? "(not set)" : shownUrl(inUse.url)}${from(credentials.source.convexUrl)}`,
    ...(inUse?.note ? [`                ${inUse.note}`] : []),
    `  API key       ${credentials.apiKey === undefined ? "(not set)" : maskKey(credentials.apiKey)}${from(credentials.source.apiKey)}`,
  ];
  if (credentials.convexUrl === undefined || credentials.apiKey === undefined) {
    lines.push('  Run "claude-code-sync login" to connect.');
  }
  lines.push("", "Options");
  for (const key of OPTION_KEYS) {
    const value = cfg.options[key];
    const shown = Array.isArray(value) ? (value.length === 0 ? "(none)" : value.join(", ")) : String(value);
    lines.push(`  ${key.padEnd(width)}  ${shown.padEnd(6)}  ${OPTION_INFO[key].help}`);
  }
  lines.push("", "Prices (USD per million tokens, for model names the built-in prices lack or that you price yourself)");
  const prices = Object.entries(cfg.options.prices);
  if (prices.length === 0) lines.push('  (none) Add them to the config file as "options": { "prices": { "my-model": { "input": 3, "output": 15 } } }');
  for (const [model, price] of prices) {
    lines.push(`  ${model}  ${Object.entries(price).map(([field, usd]) => `${field} ${usd}`).join(", ")}`);
  }
  const unused = unusedKeys(cfg);
  if (unused.length > 0) lines.push("", `Not used by this version (kept in the file): ${unusedKeysText(unused)}`);
  lines.push("", `Config file: ${configPath()}`, "Change an option: claude-code-sync set <option> <value>", "");
  return lines.join("\n");
}
