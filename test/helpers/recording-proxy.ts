/**
 * A pass-through HTTP proxy on 127.0.0.1 that records every request body, so
 * a test can inspect exactly what left the machine (the test server keeps
 * only what it stored).
 */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface RecordingProxy {
  url: string;
  requests(): RecordedRequest[];
  stop(): Promise<void>;
}

export function startRecordingProxy(upstream: string): RecordingProxy {
  const log: RecordedRequest[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
      log.push({ method: request.method, path: url.pathname, headers: Object.fromEntries(request.headers), body });
      const headers = new Headers(request.headers);
      headers.delete("host");
      const answer = await fetch(`${upstream}${url.pathname}${url.search}`, { method: request.method, headers, ...(body ? { body } : {}) });
      const type = answer.headers.get("content-type") ?? "text/plain";
      return new Response(await answer.arrayBuffer(), { status: answer.status, headers: { "Content-Type": type } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests: () => [...log],
    stop: () => server.stop(true),
  };
}
