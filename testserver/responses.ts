import type { Decision } from "./faults.ts";

/** The bodies the test server answers with: OpenSync's JSON, the web app's page, and every fault's. */

export const json = (data: unknown, status = 200) =>
  new Response(JSON.stringify(data), {
    status,
    headers: { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*" },
  });

/** A response whose body errors at once: Bun closes the socket before sending anything. */
export const dropped = () => new Response(new ReadableStream({ start: (controller) => controller.error() }));

/** Convex's answer for a path no HttpAction serves. */
export const notRouted = (path: string) =>
  new Response(`No HttpAction routed for ${path}`, { status: 404, headers: { "Content-Type": "text/plain" } });

/** The single-page app the hosted site serves for every GET it has no route for. */
const WEB_APP_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>OpenSync</title>
    <script type="module" crossorigin src="/assets/index-3f9c2a1b.js"></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`;

export const webAppPage = (status = 200, body = WEB_APP_PAGE) =>
  new Response(body, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff" },
  });

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  413: "Request Entity Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** What nginx-like proxies send for their own errors. */
const proxyPage = (status: number, body?: string) =>
  new Response(
    body ??
      `<html>\r\n<head><title>${status} ${STATUS_TEXT[status] ?? "Error"}</title></head>\r\n<body>\r\n<center><h1>${status} ${STATUS_TEXT[status] ?? "Error"}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    { status, headers: { "Content-Type": "text/html" } },
  );

/** A body text sent as is, typed by its first character. */
function textResponse(body: string, status: number, headers: Record<string, string> = {}): Response {
  const first = body.trimStart()[0];
  const type = first === "{" || first === "[" ? "application/json" : first === "<" ? "text/html" : "text/plain";
  return new Response(body, { status, headers: { "Content-Type": type, ...headers } });
}

const OCC_TEXT =
  'Error: Documents read from or written to the "sessions" table changed while this mutation was being run and on every subsequent retry. Another call to this mutation changed the document.';

const MB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** A valid JSON body of `megabytes` MB, streamed so that the server never holds it whole. */
function hugeBody(megabytes: number): Response {
  const head = '{"ok":true,"padding":"';
  const tail = '"}';
  let left = Math.max(0, Math.round(megabytes * MB) - head.length - tail.length);
  const filler = new TextEncoder().encode("x".repeat(CHUNK));
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(encoder.encode(head)),
    pull: (controller) => {
      if (left === 0) {
        controller.enqueue(encoder.encode(tail));
        controller.close();
        return;
      }
      const n = Math.min(CHUNK, left);
      controller.enqueue(n === CHUNK ? filler : filler.subarray(0, n));
      left -= n;
    },
  });
  return new Response(stream, { headers: { "Content-Type": "application/json" } });
}

/** The answer of a fault (everything but "hang", which waits for the client, and "late", answered once applied). */
export function faultResponse(decision: Decision, path: string): Response {
  const { body, status, retryAfter, location, megabytes } = decision.params;
  switch (decision.kind) {
    case 401:
      return json({ error: "Invalid API key" }, 401);
    case 403:
      return textResponse(body ?? JSON.stringify({ error: "Forbidden" }), 403);
    case 404:
      return notRouted(path);
    case 429:
      return textResponse(body ?? JSON.stringify({ error: "Too many requests" }), 429, { "Retry-After": String(retryAfter ?? 1) });
    case 500:
      return textResponse(body ?? JSON.stringify({ error: "Internal error" }), 500);
    case "occ":
      return json({ error: OCC_TEXT }, 500);
    case 502:
    case 503:
    case 504:
      return proxyPage(decision.kind, body);
    case "proxy":
      return proxyPage(status ?? 502, body);
    case "html":
      return webAppPage(200, body);
    case "empty":
      return new Response(null, { status: 200, headers: { "Content-Type": "application/json", "Content-Length": "0" } });
    case "redirect":
      return new Response(null, { status: status ?? 307, headers: { Location: location ?? `http://127.0.0.1:9${path}` } });
    case "huge-body":
      return hugeBody(megabytes ?? 1);
    case "drop":
    case "hang":
    case "late":
      return dropped();
  }
}
