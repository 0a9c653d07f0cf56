import { maskKey } from "../config/index.ts";
import { UserError, withoutRetryNote } from "../errors.ts";
import { type OpenSyncClient, checkingClient } from "../opensync/client.ts";
import {
  AnswerTooLargeError,
  AuthError,
  NotFoundError,
  ProtocolError,
  RedirectError,
  maskCredentials,
  TlsError,
  TransientError,
  ValidationError,
  isServerFailure,
  isTimeout,
  MORE_TIME,
} from "../opensync/errors.ts";
import { SYNC_API_URLS } from "../opensync/hosted-addresses.ts";
import type { Given } from "./inputs.ts";

/** The code of a key the server refused (as --json names it elsewhere). */
export const KEY_REFUSED = "auth-refused";
/** The code of a URL where no OpenSync answers (a 404, a web page, no sync API): the URL is what to give again. */
export const URL_WRONG = "url-not-found";

/**
 * Proves the URL and the key work: /health answers without a key, so a failure
 * there is about the URL; /sync/sessions/list checks the key. Returns how many
 * sessions the server holds, or undefined when it holds too many to list.
 * Every failure is a UserError that says which of the two is wrong and what
 * to do; the key appears only masked.
 */
export async function checkServer(url: string, apiKey: Given, client: OpenSyncClient = checkingClient(url, apiKey.value)): Promise<number | undefined> {
  try {
    await client.health();
  } catch (error) {
    throw explain(error, url, apiKey, "health");
  }
  try {
    return (await client.listSessions()).length;
  } catch (error) {
    // The server checks the key before reading the list: a list too long for it to read (Convex stops a
    // query after 16 MiB, some 1,400 sessions) or for us to take still proves the key.
    if (error instanceof ValidationError || error instanceof AnswerTooLargeError) return undefined;
    throw explain(error, url, apiKey, "list");
  }
}

function explain(error: unknown, url: string, apiKey: Given, step: "health" | "list"): unknown {
  const fail = (message: string, exitCode: 1 | 2 = 2) => new UserError(`Login failed: ${message}`, exitCode);
  if (error instanceof AuthError) {
    const fromEnv = apiKey.source !== "--api-key" && apiKey.source !== "prompt" && apiKey.source !== "config";
    // The advice to run login again is its retry note: at a terminal, login asks for the key again instead.
    return new UserError(
      `Login failed: ${url} refused the API key ${maskKey(apiKey.value)} (${firstLine(maskCredentials(error.serverMessage))}). ` +
        "The key is wrong, or it was regenerated (a new key replaces the old one at once).",
      2,
      KEY_REFUSED,
      "Get the current key in the OpenSync dashboard: Settings → API key, then run claude-code-sync login again." +
        (fromEnv ? ` This key came from $${apiKey.source}: update or unset that variable.` : ""),
    );
  }
  // At a terminal, login asks for the URL again instead of its retry note.
  if (error instanceof NotFoundError) {
    return step === "health"
      ? new UserError(`Login failed: ${notFoundAtHealth(url, error.url)}`, 2, URL_WRONG, "Then run claude-code-sync login again.")
      : new UserError(`Login failed: ${notFoundAtList(url)}`, 2, URL_WRONG);
  }
  if (error instanceof ProtocolError) {
    return new UserError(`Login failed: ${error.at(url)}`, 2, URL_WRONG);
  }
  if (error instanceof RedirectError) return fail(error.message);
  if (error instanceof TlsError) {
    return fail(`${withoutRetryNote(error)} (URL: ${url}).`, 1);
  }
  // An error of the server's own (5xx): it answered, so the URL and the network are not what to check.
  if (error instanceof TransientError && isServerFailure(error)) {
    return fail(`${withoutRetryNote(error)}. The server is up but failing: try again later; if it keeps failing, look at its logs (self-hosted: npx convex logs).`, 1);
  }
  if (error instanceof TransientError) {
    return fail(
      `${withoutRetryNote(error)}. Check the URL (${url}), your network or proxy, and that the server is running${isTimeout(error) ? `; ${MORE_TIME}` : ""}.`,
      1,
    );
  }
  return error;
}

function notFoundAtHealth(url: string, tried: string): string {
  const { hostname, pathname } = new URL(url);
  const hints = [
    pathname.length > 1 ? `the URL has a path (${pathname}) where the OpenSync URL is usually only the host` : undefined,
    hostname.endsWith(".convex.site")
      ? "a typo in the deployment name"
      : "an address that is not your OpenSync backend (the OpenSync web page's own address does not take syncs)",
  ].filter((hint): hint is string => hint !== undefined);
  return (
    `nothing OpenSync answers at ${url} (tried ${tried}: 404). Likely cause: ${hints.join("; or ")}. ` +
    `Use ${SYNC_API_URLS}.`
  );
}

function notFoundAtList(url: string): string {
  return (
    `${url} answers /health but not ${url}/sync/sessions/list (404): it is not an OpenSync server, ` +
    "or its OpenSync version has no sync API. Check the URL, or update OpenSync."
  );
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

