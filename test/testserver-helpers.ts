import { USER_AGENT } from "../src/version.ts";
import type { TestServer } from "../testserver/server.ts";

/** A raw request to the test server, with a good client's headers unless overridden (undefined removes one); redirects are not followed. */
export async function send(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string | undefined> = {},
) {
  const all: Record<string, string | undefined> = {
    "User-Agent": USER_AGENT,
    Authorization: `Bearer ${server.apiKey}`,
    ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    ...headers,
  };
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined)),
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, contentType: response.headers.get("content-type"), headers: response.headers };
}

export const reasons = (server: TestServer) => server.violations().map((v) => v.reason);

/** A fixed, hand-moved clock for the server's time windows. */
export function manualClock(start = 1_750_000_000_000) {
  const clock = { now: start, advance: (ms: number) => (clock.now += ms) };
  return clock;
}

/** Polls until `check` holds, at most `ms`; returns whether it did. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(5)) if (await check()) return true;
  return check();
}
