/**
 * A sync with nothing new, and a hook's pass for a session with nothing new,
 * must stay cheap at any history size: none of their statements may scan a
 * table that grows with the history (messages, outbox, usage, folds,
 * sessions). Checked on SQLite's own plan of every statement they run, and on
 * what they write (nothing but the sync's time and the lock).
 */
import { expect, test } from "bun:test";
import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { defaultConfig } from "../src/config/schema.ts";
import { createClient } from "../src/opensync/client.ts";
import { StateStore } from "../src/state/store.ts";
import { scanSettings } from "../src/sync/context.ts";
import { runSync } from "../src/sync/run-sync.ts";
import { serverForFile } from "./helpers/in-process-sync.ts";
import { testCorpus } from "./helpers/corpus.ts";

const corpus = testCorpus({ atRest: true });
const served = serverForFile(); // the price cache and the state live under its HOME, never the real one

/** Records the SQL of every statement the store prepares or runs while `fn` runs. */
async function recording(db: Database, fn: () => Promise<unknown>): Promise<string[]> {
  const seen = new Set<string>();
  const { query, run, prepare } = db;
  db.query = ((sql: string) => (seen.add(sql), query.call(db, sql))) as typeof db.query;
  db.prepare = ((sql: string, ...rest: unknown[]) => (seen.add(sql), (prepare as (...a: unknown[]) => unknown).call(db, sql, ...rest))) as typeof db.prepare;
  db.run = ((sql: string, ...rest: unknown[]) => (seen.add(sql), (run as (...a: unknown[]) => unknown).call(db, sql, ...rest))) as typeof db.run;
  try {
    await fn();
  } finally {
    Object.assign(db, { query, run, prepare });
  }
  return [...seen];
}

/** Tables whose size grows with the history. */
const GROWING = /^SCAN (messages|outbox|usage|folds|sessions)(?! USING (COVERING )?INDEX)/;

function fullScans(db: Database, statements: string[]): string[] {
  const scans: string[] = [];
  for (const sql of statements) {
    if (!/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql)) continue;
    const plan = db.query(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>;
    for (const { detail } of plan) if (GROWING.test(detail)) scans.push(`${detail}  <-  ${sql.replace(/\s+/g, " ").slice(0, 160)}`);
  }
  return scans;
}

test(`a sync with nothing new and a hook pass with nothing new scan no growing table (${corpus.label})`, async () => {
  const path = join(served.home(), "state.db");
  const client = createClient({ url: served.server.url, apiKey: served.server.apiKey, retries: 0 });
  const request = { ...scanSettings(defaultConfig()), roots: [join(corpus.root, "projects")], full: false, apiKey: served.server.apiKey };
  /** Runs one sync on a store of its own, so that every statement it needs is prepared (and recorded) anew. */
  const syncRecorded = async (extra: Partial<Parameters<typeof runSync>[2]> = {}) => {
    const store = StateStore.open(path);
    try {
      let report: Awaited<ReturnType<typeof runSync>> | undefined;
      const statements = await recording(store.db, async () => {
        report = await runSync(store, client, { ...request, ...extra });
      });
      return { report: report as Awaited<ReturnType<typeof runSync>>, statements, scans: fullScans(store.db, statements) };
    } finally {
      store.close();
    }
  };
  const first = await syncRecorded();
  expect(first.report.messagesSent).toBeGreaterThan(corpus.minSessions);

  const noop = await syncRecorded();
  expect(noop.report.messagesSent + noop.report.sessionsSent + noop.report.bytesRead).toBe(0);
  const sessionId = (await client.listSessions())[0] as string;
  const hook = await syncRecorded({ only: new Set([sessionId]), finalize: new Map([[sessionId, "main" as const]]) });
  expect(hook.report.messagesSent + hook.report.sessionsSent + hook.report.bytesRead).toBe(0);

  expect(noop.statements.length).toBeGreaterThan(5);
  expect([...noop.scans, ...hook.scans]).toEqual([]);
  // Nothing new: no session's payload is rewritten.
  expect(noop.statements.filter((sql) => /UPDATE sessions SET payload/i.test(sql)).length).toBe(0);
  expect([...noop.statements, ...hook.statements].filter((sql) => /UPDATE sessions SET payload|INSERT INTO sessions/i.test(sql))).toEqual([]);
});
