import { type CANCEL_SYMBOL, isCancel, log, password, text } from "@clack/prompts";
import { maskKey } from "../config/index.ts";
import { UserError, withoutRetryNote } from "../errors.ts";
import { KEY_REFUSED, URL_WRONG } from "./check.ts";
import type { Given, Known } from "./inputs.ts";
import { keyFormatProblem } from "./key-format.ts";
import { loginUrl } from "./url-input.ts";
import { HOSTED_SYNC_API } from "../opensync/hosted-addresses.ts";

/**
 * Asks at the terminal for what the flags did not give, prefilled from the
 * environment or the saved config. The key is typed masked, and Enter keeps a
 * known one (a masked prompt cannot show it). Undefined when the user cancels.
 */
export async function promptCredentials(known: Known, insecure: boolean): Promise<{ url: Given; apiKey: Given } | undefined> {
  const url = known.url?.source === "--url" ? known.url : await askUrl(known.url?.value, insecure);
  if (url === undefined) return undefined;

  const keep = known.apiKey;
  const apiKey =
    keep?.source === "--api-key"
      ? keep
      : await askKey(keep === undefined ? "API key (OpenSync dashboard: Settings → API key)" : `API key (press Enter to keep ${maskKey(keep.value)})`, keep);
  if (apiKey === undefined) return undefined;
  return { url, apiKey };
}

/**
 * At a terminal, a key the server refuses (copied wrong, or regenerated since) or a URL where no OpenSync
 * answers (a typo in the deployment's name, the web app's page) is said and asked for again, as a
 * malformed one is; the other stays. Only what was typed here or kept from the saved login: a value from a
 * flag or the environment is the user's to change there. The URL, the key and what `check` returned with
 * them; undefined when the user cancels.
 */
export async function checkAskingAgain<T>(
  given: { url: string; urlSource: string; apiKey: Given },
  insecure: boolean,
  check: (url: string, apiKey: Given) => Promise<T>,
): Promise<{ url: string; apiKey: Given; checked: T } | undefined> {
  let { url, apiKey } = given;
  for (;;) {
    try {
      return { url, apiKey, checked: await check(url, apiKey) };
    } catch (error) {
      const refused = error instanceof UserError && error.code === KEY_REFUSED && askedHere(apiKey.source);
      const wrongUrl = error instanceof UserError && error.code === URL_WRONG && askedHere(given.urlSource);
      if (!refused && !wrongUrl) throw error;
      log.error(`${withoutRetryNote(error as UserError)}.`);
      if (refused) {
        const key = await askKey("API key, as the OpenSync dashboard shows it now (Settings → API key)");
        if (key === undefined) return undefined;
        apiKey = key;
        continue;
      }
      const typed = await askUrl(url, insecure);
      if (typed === undefined) return undefined;
      const resolved = loginUrl(typed.value, insecure);
      if (resolved.note !== undefined) log.info(resolved.note);
      url = resolved.url;
      log.info(`Checking ${url} ...`);
    }
  }
}

/** Typed at the prompt, or kept from the saved login by Enter. */
const askedHere = (source: string) => source === "prompt" || source === "config";

/** The URL, typed, prefilled with `initial`; undefined on cancel. */
const askUrl = (initial: string | undefined, insecure: boolean) =>
  ask(text({ message: "OpenSync URL", placeholder: `${HOSTED_SYNC_API} (hosted), or https://<name>.convex.site`, initialValue: initial, validate: (value) => urlProblem(value ?? "", insecure) }));

/** The key, typed masked; Enter keeps `keep` (a masked prompt cannot show it); undefined on cancel. */
const askKey = (message: string, keep?: Given) =>
  ask(password({ message, validate: (value) => (!value && keep !== undefined ? undefined : keyFormatProblem((value ?? "").trim())) }), keep);

/** The answer as a prompted value; `fallback` for an empty one; undefined on cancel (Ctrl-C, Escape). */
async function ask(answer: Promise<string | typeof CANCEL_SYMBOL>, fallback?: Given): Promise<Given | undefined> {
  const value = await answer;
  if (isCancel(value)) return undefined;
  // An empty answer may come back as undefined.
  const typed = (value ?? "").trim();
  return typed === "" && fallback !== undefined ? fallback : { value: typed, source: "prompt" };
}

function urlProblem(value: string, insecure: boolean): string | undefined {
  try {
    loginUrl(value, insecure);
    return undefined;
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
}
