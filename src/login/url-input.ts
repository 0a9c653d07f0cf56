import { type ResolvedUrl, resolveUrl } from "../opensync/url.ts";
import { assertTransportAllowed } from "../opensync/transport.ts";

/**
 * The server URL as given, resolved (with a note when it was mapped to
 * another address) and allowed by the transport policy. A key pasted as the
 * URL is refused before any message could repeat it.
 */
export function loginUrl(input: string, insecure: boolean): ResolvedUrl {
  const resolved = resolveUrl(input);
  assertTransportAllowed(resolved.url, insecure);
  return resolved;
}
