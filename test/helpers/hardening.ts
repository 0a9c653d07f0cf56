/**
 * Shared pieces of the hardening tests (test/hardening-*.test.ts): a generated
 * Claude config folder, the environment that points a spawned `sync` at a test
 * server, the server's data in a comparable form, and a look into the state
 * database a run left behind.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll } from "bun:test";
import { chmodSync, chownSync, copyFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCorpus } from "../../bench/generate.ts";
import { type DumpSession, type TestServer, startTestServer } from "../../testserver/server.ts";
import { type CliResult, runCli, tempHome, baseEnv } from "./cli.ts";

export const CLI = join(import.meta.dir, "..", "..", "src", "cli.ts");

import { removeScratchDir, scratchDir } from "./scratch.ts";

const made: string[] = [];

/** A temporary folder, removed by removeTempDirs (some hold hundreds of MB). */
export function tempDir(prefix: string): string {
  const dir = scratchDir(prefix);
  made.push(dir);
  return dir;
}

/** Removes every folder tempDir made; for afterAll. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) removeScratchDir(dir);
}

/** A Claude config folder holding a synthetic history of about `bytes` (bench/generate.ts), deterministic per seed. */
export function generatedClaudeDir(bytes: number, seed: number): string {
  const root = tempDir("ccs-hardening-");
  generateCorpus({ out: root, bytes, seed });
  return root;
}

/** What a spawned CLI needs to sync `claudeDir` to `server` from its own HOME. */
export function syncEnv(
  server: Pick<TestServer, "url" | "apiKey">,
  claudeDir: string,
  home: string = tempHome(),
  extra: Record<string, string> = {},
): Record<string, string> {
  return { HOME: home, CLAUDE_CONFIG_DIR: claudeDir, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey, ...extra };
}

/**
 * Sessions holding copies of the same lines (a resumed session and its original: the same line
 * uuids under another session id), by the messages the server has; each session's family, by the
 * first member's id.
 */
function copyFamilies(dump: DumpSession[]): Map<string, string> {
  const familyOf = new Map<string, string>();
  const find = (id: string): string => {
    const up = familyOf.get(id) ?? id;
    return up === id ? id : find(up);
  };
  const byLine = new Map<string, string>();
  for (const session of dump) {
    for (const m of session.messages) {
      const line = m.externalId.slice(m.externalId.indexOf(":") + 1);
      const other = byLine.get(line);
      if (other === undefined) byLine.set(line, session.externalId);
      else if (find(other) !== find(session.externalId)) familyOf.set(find(session.externalId), find(other));
    }
  }
  return new Map(dump.map((session) => [session.externalId, find(session.externalId)]));
}

const round9 = (x: number) => Math.round(x * 1e9) / 1e9;

/**
 * The server's data without what differs between two servers holding the same
 * sessions: document ids, write times, and the search text (which grows with
 * every re-send, see the contract). Sorted by external id. A response copied
 * into a resumed session counts in one of the two: in the one the server held
 * first when the copy turned up in a later run (src/state/ledger.ts), which a
 * run killed midway can change. So such sessions are compared by their
 * family's totals, not by which of them holds the shared responses (nor the
 * model those decide).
 */
export function comparable(dump: DumpSession[]) {
  const families = copyFamilies(dump);
  const members = new Map<string, DumpSession[]>();
  for (const session of dump) members.set(families.get(session.externalId) as string, [...(members.get(families.get(session.externalId) as string) ?? []), session]);
  return dump
    .map(({ id: _id, updatedAt: _u, searchableText: _t, messages, ...session }) => {
      const family = members.get(families.get(session.externalId) as string) ?? [];
      const { model: _m, ...rest } = session;
      const totals =
        family.length > 1
          ? {
              ...rest,
              promptTokens: family.reduce((n, f) => n + (f.promptTokens ?? 0), 0),
              completionTokens: family.reduce((n, f) => n + (f.completionTokens ?? 0), 0),
              totalTokens: family.reduce((n, f) => n + (f.totalTokens ?? 0), 0),
              cost: round9(family.reduce((n, f) => n + (f.cost ?? 0), 0)),
            }
          : session;
      return { ...totals, messages: messages.map(({ id: _mid, ...m }) => m).sort((a, b) => a.externalId.localeCompare(b.externalId)) };
    })
    .sort((a, b) => a.externalId.localeCompare(b.externalId));
}

/** Sessions whose message counter disagrees with the messages stored: a message inserted twice would show here. */
export function countMismatches(dump: DumpSession[]): string[] {
  return dump.filter((s) => s.messageCount !== s.messages.length).map((s) => `${s.externalId}: ${s.messageCount} counted, ${s.messages.length} stored`);
}

/** Syncs `claudeDir` once to a fresh fault-free server: the data every faulty run must end up with. */
export async function referenceData(claudeDir: string, extraEnv: Record<string, string> = {}) {
  const { startTestServer } = await import("../../testserver/server.ts");
  const server = await startTestServer();
  try {
    const r = await runCli(["sync", "--json"], { env: syncEnv(server, claudeDir, tempHome(), extraEnv), timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`reference sync failed (${r.code}): ${r.stderr}${r.stdout}`);
    if (server.violations().length > 0) throw new Error(`reference sync broke the contract: ${JSON.stringify(server.violations())}`);
    return comparable(server.dump());
  } finally {
    await server.stop();
  }
}

/** The one state database under HOME (there is one per server URL). */
export function stateDbPath(home: string): string {
  const dir = join(home, ".claude-code-sync", "state");
  const dbs = readdirSync(dir).filter((f) => f.endsWith(".db"));
  if (dbs.length !== 1) throw new Error(`expected one state database in ${dir}, found ${dbs.join(", ") || "none"}`);
  return join(dir, dbs[0] as string);
}

export interface StateCheck {
  integrity: string;
  /** Messages the state says the server acknowledged, that the server does not have. */
  sentButMissing: string[];
  /** Sessions the state says were sent, that the server does not have. */
  sessionsSentButMissing: string[];
  messagesSent: number;
}

/** Checks a state database against what the server holds. */
export function checkState(home: string, dump: DumpSession[]): StateCheck {
  const db = new Database(stateDbPath(home), { readonly: true });
  try {
    const integrity = (db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
    const onServer = new Set(dump.flatMap((s) => s.messages.map((m) => m.externalId)));
    const sessions = new Set(dump.map((s) => s.externalId));
    const sent = (db.query("SELECT external_id FROM messages WHERE sent_hash IS NOT NULL").all() as Array<{ external_id: string }>).map((r) => r.external_id);
    const sentSessions = (db.query("SELECT session_id FROM sessions WHERE sent_hash IS NOT NULL").all() as Array<{ session_id: string }>).map(
      (r) => r.session_id,
    );
    return {
      integrity,
      sentButMissing: sent.filter((id) => !onServer.has(id)),
      sessionsSentButMissing: sentSessions.filter((id) => !sessions.has(id)),
      messagesSent: sent.length,
    };
  } finally {
    db.close();
  }
}

/** Writes (not reads) the server received, per route. */
export function writes(server: TestServer) {
  const c = server.counts();
  return { sessions: c["POST /sync/session"] ?? 0, messages: c["POST /sync/message"] ?? 0, batch: c["POST /sync/batch"] ?? 0 };
}

/** Fault kinds of the requests the server failed on purpose, counted: `{ 503: 4, drop: 2, ... }`. */
export function faultCounts(server: TestServer): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of server.requests()) if (r.fault !== undefined) out[String(r.fault)] = (out[String(r.fault)] ?? 0) + 1;
  return out;
}

/** A crash rather than a handled failure: a stack trace or Bun's report of an uncaught error. */
export function looksLikeCrash(stderr: string): boolean {
  return /^\s+at .+[:(]\d+/m.test(stderr) || /\berror: .*\n\s+at\b/i.test(stderr) || stderr.includes("Bun v1.") || /Segmentation fault|panic/i.test(stderr);
}

/** Root ignores file permissions, so permission tests run the CLI as this user (nobody) through setpriv. */
export const UNPRIVILEGED_UID = 65534;
const isRoot = process.getuid?.() === 0;

/** The prefix that runs a command as nobody, or why it cannot be had here. */
function dropRoot(): string[] | { skip: string } {
  const setpriv = Bun.which("setpriv");
  if (!setpriv) return { skip: "no setpriv here to run the CLI as nobody, and root ignores file permissions" };
  const prefix = [setpriv, `--reuid=${UNPRIVILEGED_UID}`, `--regid=${UNPRIVILEGED_UID}`, "--clear-groups"];
  return Bun.spawnSync([...prefix, "true"]).exitCode === 0 ? prefix : { skip: "setpriv cannot switch to nobody here, and root ignores file permissions" };
}

/** Whether nobody can start `argv` (it must read the executable, and the source for a checkout's CLI). */
const runsAs = (prefix: string[], argv: string[]) =>
  Bun.spawnSync([...prefix, ...argv, "--version"], { cwd: tmpdir(), stdout: "ignore", stderr: "ignore" }).exitCode === 0;

export type Unprivileged = { run(args: string[], env: Record<string, string>, timeoutMs?: number): Promise<CliResult> } | { skip: string };

/**
 * How permission tests run the CLI without root's powers (root ignores file
 * permissions): as it is when this process is not root, as nobody through
 * setpriv when it is. In a checkout that nobody cannot read (a clone in a
 * private folder, mode 0700 like a home folder), nobody runs a compiled copy
 * of the CLI from a world-readable temporary folder instead. `skip` says why
 * neither can be done here: then the tests cannot be honest and skip.
 */
export async function unprivilegedRunner(): Promise<Unprivileged> {
  const prefix = isRoot ? dropRoot() : [];
  if (!Array.isArray(prefix)) return prefix;
  let argv = [process.execPath, CLI];
  if (!runsAs(prefix, argv)) {
    const dir = tempDir("ccs-cli-for-nobody-");
    chmodSync(dir, 0o755);
    const executable = join(dir, process.platform === "win32" ? "claude-code-sync.exe" : "claude-code-sync");
    try {
      const { compiledCli } = await import("./compiled.ts");
      copyFileSync(await compiledCli(), executable);
    } catch (error) {
      return { skip: `nobody cannot read this checkout (in a private folder?) and compiling a copy failed: ${(error as Error).message}` };
    }
    argv = [executable];
    if (!runsAs(prefix, argv)) return { skip: `neither this checkout's CLI (in a private folder?) nor a compiled copy in ${dir} runs as nobody` };
  }
  return { run: (args, env, timeoutMs = 60_000) => spawnCli([...prefix, ...argv, ...args], env, timeoutMs) };
}

async function spawnCli(cmd: string[], env: Record<string, string>, timeoutMs: number): Promise<CliResult> {
  // In a folder nobody may enter: the checkout's may be private.
  const proc = Bun.spawn(cmd, { cwd: tmpdir(), env: { ...baseEnv(), ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill(), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Gives a folder tree to the user the unprivileged CLI runs as (nothing to do when this process is not root). */
export function giveToUnprivileged(path: string): void {
  if (!isRoot) return;
  chownSync(path, UNPRIVILEGED_UID, UNPRIVILEGED_UID);
  for (const name of readdirSync(path, { recursive: true, encoding: "utf8" })) chownSync(join(path, name), UNPRIVILEGED_UID, UNPRIVILEGED_UID);
}

/**
 * The shared set-up of the hardening files: a generated history, what a
 * fault-free sync of it leaves on a server, and a test server; torn down
 * after the file. Fields are filled in by beforeAll.
 */
export function useGeneratedHistory(bytes = 400_000, seed = 7) {
  const fx = {} as { claudeDir: string; reference: Awaited<ReturnType<typeof referenceData>>; server: TestServer };
  beforeAll(async () => {
    fx.claudeDir = generatedClaudeDir(bytes, seed);
    fx.reference = await referenceData(fx.claudeDir);
    fx.server = await startTestServer();
  });
  afterAll(async () => {
    await fx.server.stop();
    removeTempDirs();
  });
  return fx;
}
