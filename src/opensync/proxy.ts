/**
 * The proxy Bun's fetch goes through for `url`, as Bun picks it from the
 * environment (measured with Bun 1.4: https_proxy then HTTPS_PROXY for https://,
 * http_proxy then HTTP_PROXY for http://, loopback included; none for a host
 * that no_proxy or NO_PROXY names, itself or as a domain). A connection that
 * fails there is the proxy's failure, not the server's, and is said so.
 */
export function proxyFor(url: URL, env: Record<string, string | undefined> = process.env): { variable: string; host: string } | undefined {
  const names = url.protocol === "https:" ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"];
  const variable = names.find((name) => env[name]);
  if (variable === undefined || bypassed(url.hostname, env.no_proxy || env.NO_PROXY || "")) return undefined;
  const value = env[variable] as string;
  try {
    return { variable, host: new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`).host };
  } catch {
    return { variable, host: value };
  }
}

function bypassed(host: string, noProxy: string): boolean {
  return noProxy
    .split(",")
    .map((entry) => entry.trim().replace(/^\*?\./, "").replace(/:\d+$/, ""))
    .some((entry) => entry === "*" || (entry !== "" && (host === entry || host.endsWith(`.${entry}`))));
}
