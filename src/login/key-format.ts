/** What OpenSync itself accepts: `osk_` and 32 characters of A-Za-z0-9_-. */
export const API_KEY_PATTERN = /^osk_[A-Za-z0-9_-]{32}$/;

const WHERE = "Copy it again from the OpenSync dashboard: Settings → API key.";

/**
 * Why `key` cannot be an OpenSync API key, or undefined when it looks like one
 * (the server still has the last word). Never repeats the key: what was pasted
 * may be some other secret.
 */
export function keyFormatProblem(key: string): string | undefined {
  if (API_KEY_PATTERN.test(key)) return undefined;
  if (key === "") return `The API key is empty. ${WHERE}`;
  if (/^bearer\s/i.test(key)) return 'Give only the API key, without "Bearer " in front of it.';
  if (/^(["']).*\1$/.test(key)) return "Remove the quotes around the API key.";
  if (/^https?:\/\//i.test(key)) return `The API key looks like a URL: are the URL and the key swapped? ${WHERE}`;
  if (!key.startsWith("osk_")) {
    return `OpenSync API keys start with "osk_" and this one does not (a Convex deploy key or another service's key?). ${WHERE}`;
  }
  const rest = key.slice("osk_".length);
  const odd = rest.match(/[^A-Za-z0-9_-]/)?.[0];
  if (odd !== undefined) {
    const shown = /\s/.test(odd) ? "a space or line break" : `"${odd}"`;
    return `The API key contains ${shown}, which OpenSync keys never do. ${WHERE}`;
  }
  return `The API key has ${rest.length} characters after "osk_" where OpenSync keys have 32 (cut off, or pasted twice?). ${WHERE}`;
}
