import type { Config, Credentials } from "../config/index.ts";
import { UserError, withoutRetryNote } from "../errors.ts";
import { type OpenSyncClient, checkingClient } from "../opensync/client.ts";
import {
  AuthError,
  BlockedItemError,
  NotFoundError,
  ProtocolError,
  TlsError,
  TransientError,
  ValidationError,
  isServerFailure,
  isTimeout,
  MORE_TIME,
  maskCredentials,
  notOpenSyncText,
} from "../opensync/errors.ts";
import { proxyFor } from "../opensync/proxy.ts";
import { allowedServerUrl } from "../opensync/transport.ts";
import { SYNC_API_URLS } from "../opensync/hosted-addresses.ts";

/**
 * A client for the saved (or environment) credentials, for a one-off check
 * (checkingClient), and no state database opened. Throws a UserError for a
 * malformed URL or plain http:// that was not allowed.
 */
export function checkClient(
  config: Config,
  creds: { convexUrl: string; apiKey: string; source?: { convexUrl: string | undefined } },
  insecure: boolean,
): { url: string; client: OpenSyncClient } {
  const url = allowedServerUrl(creds.convexUrl, insecure, config, creds.source?.convexUrl);
  return { url, client: checkingClient(url, creds.apiKey) };
}

/** A failed call to the server, as a check or a test run reports it: what is wrong, and the command or step that fixes it. */
interface Explained {
  problem: string;
  fix: string;
  exitCode: 1 | 2;
}

/** What fixes a refused key: login, unless the key comes from an environment variable, which login would not change. */
export function keyFix(source: Credentials["source"]["apiKey"]): string {
  return source === undefined || source === "config"
    ? "claude-code-sync login (with the current key from the OpenSync dashboard: Settings → API key)"
    : `set $${source} to the current key from the OpenSync dashboard, or unset it and run claude-code-sync login`;
}

/** What fixes a wrong URL: login with the right one, unless the URL comes from an environment variable, which login would not change. */
function urlFix(source: Credentials["source"]["convexUrl"]): string {
  return source === undefined || source === "config"
    ? `claude-code-sync login with the sync API's address: ${SYNC_API_URLS}`
    : `set $${source} to the sync API's address, or unset it and run claude-code-sync login; the address is ${SYNC_API_URLS}`;
}

const firstLine = (text: string) => maskCredentials(text).split("\n", 1)[0]!.trim().slice(0, 200);

export function explainServerError(
  error: unknown,
  url: string,
  keySource: Credentials["source"]["apiKey"],
  urlSource: Credentials["source"]["convexUrl"] = "config",
): Explained {
  const login = urlFix(urlSource);
  if (error instanceof AuthError) {
    return { problem: `the server refused the API key (${firstLine(error.serverMessage)})`, fix: keyFix(keySource), exitCode: 2 };
  }
  if (error instanceof NotFoundError) {
    return { problem: `${error.url} answered 404: ${url} is not an OpenSync server (or has no sync API)`, fix: login, exitCode: 2 };
  }
  if (error instanceof ProtocolError && error.stranger === "too-large") {
    return { problem: `${error.url} answered HTTP 413: something in front of OpenSync (a proxy) refused a request as too large`, fix: "raise that proxy's limit on the size of a request", exitCode: error.commandExitCode };
  }
  if (error instanceof ProtocolError) {
    // Said at the address the user gave (not the request's path, such as /api/sessions?limit=1).
    return { problem: notOpenSyncText(url, error.status, error.detail, error.stranger), fix: login, exitCode: error.commandExitCode };
  }
  if (error instanceof TlsError) {
    return {
      problem: error.happened.split(". Check")[0]!,
      fix: "check the URL and the system clock; behind a proxy that inspects HTTPS, set NODE_EXTRA_CA_CERTS to its CA certificate",
      exitCode: 1,
    };
  }
  if (error instanceof BlockedItemError) {
    return { problem: error.message, fix: "have the firewall or proxy in front of OpenSync let it through; it stays pending, and each sync tries it again", exitCode: 1 };
  }
  if (error instanceof TransientError && error.kind === "rate-limited") {
    const minutes = Math.ceil((error.retryAfterMs ?? 0) / 60_000);
    const when = minutes > 1 ? `in ${minutes} minutes, as OpenSync asked` : "in a few minutes";
    return { problem: withoutRetryNote(error), fix: `try again ${when} (a sync loses nothing meanwhile; hooks and watch retry by themselves)`, exitCode: 1 };
  }
  // The server answered, with an error of its own: the network and the URL are fine.
  if (error instanceof TransientError && isServerFailure(error)) {
    return {
      problem: withoutRetryNote(error),
      fix: "the server is up but failing: try again later (a sync loses nothing meanwhile; hooks and watch retry by themselves). If it keeps failing, look at the server's logs (self-hosted: npx convex logs)",
      exitCode: 1,
    };
  }
  if (error instanceof TransientError) {
    const proxy = error.kind === "server-down" ? proxyFor(new URL(url)) : undefined;
    // The proxy refused or could not be found: the server and its URL were never reached, so they are not what to check.
    const fix = proxy
      ? `check the proxy ${proxy.host} set in $${proxy.variable} (is it running, is the address right?), or unset $${proxy.variable} to go without it`
      : `check your network, that the server is running, and the URL (${url})${isTimeout(error) ? `; ${MORE_TIME}` : ""}`;
    return { problem: withoutRetryNote(error), fix, exitCode: 1 };
  }
  if (error instanceof ValidationError) {
    return { problem: error.message, fix: "update claude-code-sync; if that does not help, report this message as a bug", exitCode: 1 };
  }
  if (error instanceof UserError) return { problem: error.message, fix: "claude-code-sync login", exitCode: error.exitCode };
  throw error;
}
