import { log } from "../hooks/log.ts";
import { observe, type PriceCache, readPriceCache, writePriceCache } from "./cache.ts";
import { embeddedCanonicalId, priceBookOf } from "./load.ts";

/** Overrides the price list's address (tests serve one on 127.0.0.1). */
export const PRICES_URL_ENV = "CLAUDE_CODE_SYNC_PRICES_URL";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Long enough for the list (1.6 MB late 2026) on a slow link, short enough not to hold up a hook. */
const DEFAULT_TIMEOUT_MS = 3_000;
/** The list is about 1.6 MB; a body ten times that is not a price list. */
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

export interface RefreshOptions {
  now?: number;
  /** `--offline`, or the config's `priceUpdates: false`: nothing is fetched. */
  offline?: boolean;
  url?: string;
  timeoutMs?: number;
  maxBytes?: number;
  /** The cache as the caller read it (one read serves the run's price book and this refresh); read here when not given. */
  before?: { cache: PriceCache | undefined };
}

export interface RefreshResult {
  /** Some model's price differs from before the refresh. */
  changed: boolean;
  /** Why the list could not be had; the sync goes on with the prices it has. */
  error?: string;
}

/**
 * Fetches LiteLLM's price list at most once a day (an attempt that failed
 * counts too: no retry on every hook while the network is down) and records
 * what it says in the price cache. Never rejects: a failure is returned and
 * written to the sync log, and pricing goes on with the embedded table and
 * the cache as they were.
 */
export async function refreshPrices(options: RefreshOptions = {}): Promise<RefreshResult> {
  if (options.offline) return { changed: false };
  const now = options.now ?? Date.now();
  try {
    const before = options.before ? options.before.cache : readPriceCache();
    if (before && now >= before.checkedAt && now - before.checkedAt < DAY_MS) return { changed: false };
    // The list's reader (its schemas) is loaded by the day's one refresh, not by every run.
    const { LITELLM_PRICES_URL, observedPrices } = await import("./litellm.ts");
    const url = options.url ?? process.env[PRICES_URL_ENV] ?? LITELLM_PRICES_URL;
    let after: PriceCache;
    let error: string | undefined;
    try {
      const text = await fetchText(url, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.maxBytes ?? DEFAULT_MAX_BYTES);
      after = observe(before, observedPrices(text, embeddedCanonicalId), now, url);
    } catch (e) {
      error = `could not refresh model prices from ${url}: ${(e as Error).message}`;
      after = { version: 1, models: {}, ...before, checkedAt: now };
    }
    writePriceCache(after);
    if (error) {
      log(`prices: ${error}`);
      return { changed: false, error };
    }
    return { changed: pricesDiffer(before, after) };
  } catch (e) {
    const error = `could not refresh model prices: ${(e as Error).message}`;
    log(`prices: ${error}`);
    return { changed: false, error };
  }
}

function pricesDiffer(before: PriceCache | undefined, after: PriceCache): boolean {
  const old = priceBookOf(before);
  const next = priceBookOf(after);
  const ids = new Set([...Object.keys(before?.models ?? {}), ...Object.keys(after.models)]);
  return [...ids].some((id) => old.fingerprint(id) !== next.fingerprint(id));
}

/** The body as text, or a rejection after `timeoutMs` or past `maxBytes`. */
async function fetchText(url: string, timeoutMs: number, maxBytes: number): Promise<string> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([readBody(url, abort.signal, maxBytes), deadline]);
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

async function readBody(url: string, signal: AbortSignal, maxBytes: number): Promise<string> {
  const response = await fetch(url, { signal, headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const tooBig = new Error(`the price list is larger than ${maxBytes} bytes`);
  if (Number(response.headers.get("content-length")) > maxBytes) throw tooBig;
  if (!response.body) throw new Error("the price list is empty");
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooBig;
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
