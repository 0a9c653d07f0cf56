import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { StateStore } from "../src/state/store.ts";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { assistant, jsonl, resetClock, tempClaudeDir, text, user } from "./helpers/transcript.ts";

/**
 * A fork of a fork (`/branch` of a `/branch`): each fork copies its parent's lines, those the parent
 * copied from its own parent too, marking each copy `forkedFrom` the parent only (uuids stay the same
 * down the chain). Every response counts once, in the session that made it, however deep the chain.
 * Through a gateway whose replies carry no request id, message ids alone say nothing across sessions:
 * here every session's replies are msg_1 and msg_2, as such a gateway numbers them.
 */
const IDS = ["30000000-0000-4000-8000-000000000001", "20000000-0000-4000-8000-000000000002", "10000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000004"];
/** G, C (a /branch of G), GC (of C), GGC (of GC): their files sort newest fork first, or (reversed) oldest first. */
const ORDERS = { "newest fork's file first": IDS, "oldest's file first": [...IDS].reverse() };
const GGC = IDS[3] as string;
/** Each session's own reply: prompt tokens 1000 * (i + 1), output 10 * (i + 1). */
const own = (i: number) => ({ promptTokens: 1000 * (i + 1), completionTokens: 10 * (i + 1) });
/** An unrelated session of the same gateway, its replies' ids the same as the chain's. */
const OTHER = "40000000-0000-4000-8000-000000000005";

type Line = ReturnType<typeof user> | ReturnType<typeof assistant>;

function chain(requestIds: boolean, ids = IDS) {
  resetClock(Date.parse("2026-11-20T10:00:00.000Z"));
  const cwd = "/home/dev/shop";
  const strip = (l: Line) => {
    if (requestIds || !("requestId" in l)) return l;
    const { requestId: _, ...rest } = l;
    return rest;
  };
  const turn = (sessionId: string, i: number, prompt: string): Line[] => [
    user(prompt, { sessionId, cwd, uuid: `${sessionId}-u` }),
    assistant(i === 0 ? "msg_1" : "msg_2", text(`Reply ${i}`), {
      sessionId,
      cwd,
      uuid: `${sessionId}-a`,
      requestId: `req_${sessionId}`,
      model: "claude-opus-5",
      usage: { input: 1000 * (i + 1), output: 10 * (i + 1), cacheCreation: 0, cacheRead: 0 },
    }),
  ];
  const files = new Map<string, Line[]>();
  let parent: Line[] = [];
  ids.forEach((id, i) => {
    const copied = parent.map((l) => ({ ...l, sessionId: id, forkedFrom: { sessionId: ids[i - 1] as string, messageUuid: l.uuid } }));
    const lines = [...copied, ...turn(id, i, `Step ${i}`)].map(strip);
    files.set(id, lines);
    parent = lines;
  });
  files.set(OTHER, turn(OTHER, 0, "Unrelated").map(strip));
  const claude = tempClaudeDir();
  const paths = new Map([...files].map(([id, lines]) => [id, claude.write(`-home-dev-shop/${id}.jsonl`, jsonl(lines))]));
  return { ...claude, paths };
}

type Totals = { promptTokens: number; completionTokens: number };
const totals = (s: Totals | undefined) => (s ? { promptTokens: s.promptTokens, completionTokens: s.completionTokens } : undefined);
const expected = () => [...IDS.map((_, i) => own(i)), own(0)];

async function dryRun(env: Record<string, string>, args: string[] = []) {
  const r = await runCli(["sync", "--dry-run", "--json", ...args], { env });
  expect(r.code).toBe(0);
  const sessions = JSON.parse(r.stdout).sessions as Array<Totals & { externalId: string }>;
  return (ids: string[]) => ids.map((id) => totals(sessions.find((s) => s.externalId === id)));
}

describe("a fork of a fork counts each response once, in the session that made it", () => {
  for (const requestIds of [true, false]) {
    for (const [order, ids] of Object.entries(ORDERS)) {
      test(`dry run, ${requestIds ? "with" : "without"} request ids, ${order}`, async () => {
        const claude = chain(requestIds, ids);
        const of = await dryRun({ HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root });
        expect(of([...ids, OTHER])).toEqual(expected());
      });
    }

    test(`dry run of the newest fork alone, ${requestIds ? "with" : "without"} request ids`, async () => {
      const claude = chain(requestIds);
      const of = await dryRun({ HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root }, ["--session", GGC]);
      expect(of([GGC])).toEqual([own(3)]);
    });
  }
});

describe("a fork of a fork synced, in one go or newest fork first", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(() => server.reset());
  afterAll(() => server.stop());

  for (const requestIds of [true, false]) {
    for (const first of [[], ["--session", GGC]]) {
      test(`${requestIds ? "with" : "without"} request ids, ${first.length ? "sync --session <newest fork> then sync" : "one sync"}: the server holds what the dry run says`, async () => {
        const claude = chain(requestIds);
        const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
        if (first.length) expect((await runCli(["sync", ...first], { env })).code).toBe(0);
        expect((await runCli(["sync"], { env })).code).toBe(0);
        expect([...IDS, OTHER].map((id) => totals(server.session(id)))).toEqual(expected());
        expect(server.violations()).toEqual([]);
      });
    }
  }
});

describe("a fork of a fork whose parent's transcript is in another root of CLAUDE_CONFIG_DIR", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  // G and C in one account's folder, GC (C's fork) in the other's: GC's copies of G's reply name C, whose
  // transcript tells they were made in G. Read as if C were not there, G's reply counts in G and again in GC.
  test("the dry run and a sync count each reply once, in the session that made it", async () => {
    const claude = chain(false, IDS.slice(0, 3));
    const second = tempClaudeDir();
    const gc = claude.paths.get(IDS[2] as string) as string;
    mkdirSync(join(second.projects, "-home-dev-shop"));
    renameSync(gc, join(second.projects, "-home-dev-shop", basename(gc)));
    const roots = `${claude.root},${second.root}`;
    const of = await dryRun({ HOME: tempHome(), CLAUDE_CONFIG_DIR: roots });
    expect(of(IDS.slice(0, 3))).toEqual([own(0), own(1), own(2)]);
    const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: roots, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
    expect((await runCli(["sync"], { env })).code).toBe(0);
    expect(IDS.slice(0, 3).map((id) => totals(server.session(id)))).toEqual([own(0), own(1), own(2)]);
    expect(server.violations()).toEqual([]);
  });
});

describe("a fork of a fork whose parent's transcript is not there yet", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(() => server.reset());
  afterAll(() => server.stop());

  // G and GC are there, C (GC's parent, G's fork) is not: GC's copies name C alone, so G's reply counts in G and
  // in GC until C's transcript tells where it was made. Once it is there, GC's figures are corrected and sent.
  // Beside the fork, or in another project folder: the fork's own folder is then unchanged, and left out of discovery.
  const cases = [["sync"], ["sync", "--session", IDS[1] as string]].flatMap((then) => [true, false].map((beside) => [then, beside] as const));
  for (const [then, beside] of cases) {
    test(`synced without it, then with it ${beside ? "beside the fork" : "in another project folder"} (${then.join(" ")}): the server holds what a sync of all of them gives`, async () => {
      const claude = chain(false, IDS.slice(0, 3));
      const env = { HOME: tempHome(), CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
      const parent = claude.paths.get(IDS[1] as string) as string;
      const away = join(claude.root, "away.jsonl");
      renameSync(parent, away);
      expect((await runCli(["sync"], { env })).code).toBe(0);
      const [g, c, gc] = IDS.slice(0, 3).map((id) => totals(server.session(id)));
      expect([g, c, gc]).toEqual([own(0), undefined, { promptTokens: 6000, completionTokens: 60 }]);
      if (beside) renameSync(away, parent);
      else {
        mkdirSync(join(claude.projects, "-home-dev-elsewhere"));
        renameSync(away, join(claude.projects, "-home-dev-elsewhere", basename(parent)));
      }
      expect((await runCli(then, { env })).code).toBe(0);
      expect(IDS.slice(0, 3).map((id) => totals(server.session(id)))).toEqual([own(0), own(1), own(2)]);
      expect(server.violations()).toEqual([]);
    });
  }

  // C deleted (Claude Code's cleanup, or never on this machine): GC waits for it. Once GC's own transcript is
  // gone too, nothing can read it again, and its wait ends; what the server holds stays.
  test("the parent never comes, then the fork's transcript is deleted: its wait ends, the server keeps its figures", async () => {
    const claude = chain(false, IDS.slice(0, 3));
    const home = tempHome();
    const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey };
    const waits = () => {
      const folder = join(home, ".claude-code-sync", "state");
      const store = StateStore.open(join(folder, readdirSync(folder).find((n) => n.endsWith(".db")) as string));
      try {
        return [...store.forkWaits().keys()];
      } finally {
        store.close();
      }
    };
    rmSync(claude.paths.get(IDS[1] as string) as string);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    expect(waits()).toEqual([IDS[2] as string]);
    rmSync(claude.paths.get(IDS[2] as string) as string);
    expect((await runCli(["sync"], { env })).code).toBe(0);
    expect(waits()).toEqual([]);
    expect(totals(server.session(IDS[2] as string))).toEqual({ promptTokens: 6000, completionTokens: 60 });
  });
});
