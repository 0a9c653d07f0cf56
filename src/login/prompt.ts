import { type CANCEL_SYMBOL, isCancel, log, password, text } from "@clack/prompts";
import { maskKey } from "../config/index.ts";
import { UserError, withoutRetryNote } from "../errors.ts";
import { KEY_REFUSED } from "./check.ts";
import type { Given, Known } from "./inputs.ts";
import { keyFormatProblem } from "./key-format.ts";
import { loginUrl } from "./url-input.ts";

/**
 * Asks at the terminal for what the flags did not give, prefilled from the
 * environment or the saved config. The key is typed masked, and Enter keeps a
 * known one (a masked prompt cannot show it). Undefined when the user cancels.
 */
export async function promptCredentials(known: Known, insecure: boolean): Promise<{ url: Given; apiKey: Given } | undefined> {
  const url =
    known.url?.source === "--url"
      ? known.url
      : await ask(
          text({
            message: "OpenSync URL",
            placeholder: "https://<name>.convex.site",
            initialValue: known.url?.value,
            validate: (value) => urlProblem(value ?? "", insecure),
          }),
        );
  if (url === undefined) return undefined;

  const keep = known.apiKey;
  const apiKey =
    keep?.source === "--api-key"
      ? keep
      : await ask(
          password({
            message:
              keep === undefined
                ? "API key (OpenSync dashboard: Settings → API key)"
                : `API key (press Enter to keep ${maskKey(keep.value)})`,
            validate: (value) => (!value && keep !== undefined ? undefined : keyFormatProblem((value ?? "").trim())),
          }),
          keep,
        );
  if (apiKey === undefined) return undefined;
  return { url, apiKey };
}

/**
 * At a terminal, a key the server refuses (copied wrong, or regenerated since) is said and asked for
 * again, as a malformed one is; the URL stays. Only a key typed here or kept from the saved login: one
 * from a flag or the environment is the user's to change there. The key it took and what `check`
 * returned with it; undefined when the user cancels.
 */
export async function checkAskingAgain<T>(apiKey: Given, check: (apiKey: Given) => Promise<T>): Promise<{ apiKey: Given; checked: T } | undefined> {
  for (let key: Given | undefined = apiKey; ; ) {
    try {
      return { apiKey: key, checked: await check(key) };
    } catch (error) {
      if (!(error instanceof UserError) || error.code !== KEY_REFUSED || (key.source !== "prompt" && key.source !== "config")) throw error;
      log.error(`${withoutRetryNote(error)}.`);
      key = await ask(
        password({
          message: "API key, as the OpenSync dashboard shows it now (Settings → API key)",
          validate: (value) => keyFormatProblem((value ?? "").trim()),
        }),
      );
      if (key === undefined) return undefined;
    }
  }
}

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
