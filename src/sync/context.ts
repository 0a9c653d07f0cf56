import { type Config, loadConfig, projectExclusion, requireCredentials } from "../config/index.ts";
import { noRootsFound, noSessionsYet, projectRoots } from "../discover/roots.ts";
import { UserError } from "../errors.ts";
import { type OpenSyncClient, createClient, timeoutFromEnv } from "../opensync/client.ts";
import { allowedServerUrl } from "../opensync/transport.ts";
import { loadPriceBook, type PriceBook, priceBookOf, refreshPrices } from "../pricing/index.ts";
import { type PriceCache, priceCacheStamp, readPriceCache } from "../pricing/cache.ts";
import { StateStore } from "../state/store.ts";
import { type Scrubber, scrubberFrom } from "../plan/payloads.ts";
import type { ReadSettings } from "../scan/work.ts";

/** What the user's options make of a read: what to include, what to hide. */
export interface ScanSettings {
  /** For the readers (plain data: they may run in worker threads). */
  read: Omit<ReadSettings, "mode">;
  /**
   * Titles are redacted in the main thread, by rules loaded on first need: a
   * sync with nothing new never loads them (a few ms of every hook's pass).
   */
  loadScrub(): Promise<Scrubber>;
  isExcluded(projectPath: string | undefined): boolean;
  /** Embedded prices, the daily refresh's cache, the user's overrides. */
  prices: PriceBook;
}

export function scanSettings(config: Config, prices?: PriceBook): ScanSettings {
  const o = config.options;
  let scrub: Promise<Scrubber> | undefined;
  const redactor = async () => (o.redact ? (await import("../safety/redact.ts")).createRedactor({ extraPatterns: o.redactPatterns }) : undefined);
  return {
    read: {
      fold: { toolCalls: o.toolCalls, thinking: o.thinking, subagentMessages: o.subagentMessages },
      redact: o.redact,
      redactPatterns: o.redactPatterns,
      excludeProjects: o.excludeProjects,
    },
    loadScrub: () => (scrub ??= redactor().then((r) => scrubberFrom(r))),
    isExcluded: projectExclusion(o.excludeProjects),
    prices: prices ?? loadPriceBook({ prices: o.prices, priceUpdates: o.priceUpdates }),
  };
}

/**
 * The settings of the options saved now (`config`, as loaded now), for a long-running `watch`: what
 * `set` changes while it runs (a project excluded, redaction on) holds from
 * its next pass, and so do prices a refresh (its own, or a hook's sync's)
 * wrote to the cache. Built again only when one of them changed.
 */
export function liveScanSettings(): (config: Config) => LiveSettings {
  let saved: (LiveSettings & { stamp: string }) | undefined;
  return (config) => {
    const stamp = JSON.stringify([config.options, priceCacheStamp()]);
    if (saved?.stamp !== stamp) {
      const o = config.options;
      const priceCache = o.priceUpdates ? readPriceCache() : undefined;
      saved = { stamp, settings: scanSettings(config, priceBookOf(priceCache, o.prices)), priceCache };
    }
    return saved;
  };
}

/** A watch's settings, and the price cache they were built from: a pass's refresh checks its age without reading it again. */
export interface LiveSettings {
  settings: ScanSettings;
  priceCache: PriceCache | undefined;
}

/**
 * The day's refresh of model prices, in the background: the new prices when
 * they changed, undefined otherwise (refreshed less than a day ago, off with
 * --offline or `priceUpdates`, or the list out of reach: never an error).
 * `cache`: the price cache as the caller read it for its book (its age decides).
 */
export async function startPriceRefresh(config: Config, offline: boolean, cache: PriceCache | undefined): Promise<PriceBook | undefined> {
  const o = config.options;
  const { changed } = await refreshPrices({ offline: offline || !o.priceUpdates, before: { cache } });
  return changed ? loadPriceBook({ prices: o.prices, priceUpdates: o.priceUpdates }) : undefined;
}

/**
 * A run's prices: the book its read starts with, and the day's refresh
 * (startPriceRefresh). The price cache is read and checked once for both:
 * with hundreds of models, a read is some milliseconds of every hook's pass.
 */
export function runPrices(config: Config, offline: boolean): { book: PriceBook; refreshed: Promise<PriceBook | undefined> } {
  const o = config.options;
  // priceUpdates off: neither the refresh nor the book uses the cache.
  const cache = o.priceUpdates ? readPriceCache() : undefined;
  return { book: priceBookOf(cache, o.prices), refreshed: startPriceRefresh(config, offline, cache) };
}

/** The `projects/` folders to read (`also`: more, such as those a hook's transcripts lie in); an error when there is none. */
export function requireRoots(also: string[] = []): string[] {
  const roots = rootsOrNoneYet(also);
  if (roots.length === 0) throw noRootsError();
  return roots;
}

/**
 * The `projects/` folders to read, none when Claude Code has written no
 * session yet (a new install: nothing to sync yet is no error); an error
 * when CLAUDE_CONFIG_DIR names a folder that does not exist.
 */
export function rootsOrNoneYet(also: string[] = []): string[] {
  const roots = projectRoots(process.env, also);
  if (roots.length === 0 && !noSessionsYet()) throw noRootsError();
  return roots;
}

function noRootsError(): UserError {
  const { looked, fix } = noRootsFound();
  return new UserError(`No Claude Code sessions to sync: ${looked}. To fix, ${fix}.`, 2, "no-transcripts");
}

/** What a sync or watch says when Claude Code has written no session yet. */
export function noSessionsYetLine(): string {
  const { looked } = noRootsFound();
  return `No Claude Code sessions yet (${looked}): Claude Code creates that folder with its first session.`;
}

export interface Connection {
  config: Config;
  url: string;
  apiKey: string;
  client: OpenSyncClient;
  store: StateStore;
}

/** The saved (or environment) credentials, the client and this server's state; a clear error when not logged in. */
export function connect(options: { insecure?: boolean; config?: Config; timeoutMs?: number; retries?: number; stop?: AbortSignal } = {}): Connection {
  const config = options.config ?? loadConfig();
  const creds = requireCredentials(config);
  const url = allowedServerUrl(creds.convexUrl, options.insecure === true, config, creds.source.convexUrl);
  const timeoutMs = options.timeoutMs ?? timeoutFromEnv();
  return {
    config,
    url,
    apiKey: creds.apiKey,
    client: createClient({
      url,
      apiKey: creds.apiKey,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      // The sender owns retries and pacing: one attempt per call.
      retries: options.retries ?? 0,
      ...(options.stop ? { stop: options.stop } : {}),
    }),
    store: StateStore.forServer(url),
  };
}
