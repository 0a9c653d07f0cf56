import { describe, expect, test } from "bun:test";
import { appendFileSync, statSync } from "node:fs";
import { LATE_EVENT, LATE_LOOK_MS, LateLooks } from "../src/hooks/late-look.ts";
import { type Claim, type SyncRequest, claim, done, waiting } from "../src/hooks/queue.ts";
import { enqueue } from "../src/hooks/enqueue.ts";
import { afterPass } from "../src/hooks/schedule.ts";
import { useTempHome } from "./helpers/cli.ts";
import { SESSION, tempClaudeDir } from "./helpers/transcript.ts";

// The queue lives under $HOME/.claude-code-sync: a fresh HOME per test, never the real one.
useTempHome("test");

const T = 1_700_000_000_000;
const MIN = 60_000;

/** A session's transcript (a 2.1 line: no flat agent files looked for) and its Stop, done after a look that found `readSize` bytes. */
function stopped() {
  const path = tempClaudeDir().write(`p/${SESSION}.jsonl`, `{"type":"user","version":"2.1.3","sessionId":"${SESSION}"}\n`);
  const stop: SyncRequest = { sessionId: SESSION, event: "Stop", at: T, transcriptPath: path };
  const late = new LateLooks();
  late.remember({ ...stop, readSize: statSync(path).size });
  return { path, late, grow: () => appendFileSync(path, '{"type":"assistant"}\n') };
}

/** What the late looks queued, served and done (as the runner does), as [event, at]. */
function served(): Array<[string, number]> {
  return claim(() => true).map((c) => {
    done(c);
    return [c.event, c.at];
  });
}

describe("late looks after a session's latest hook", () => {
  test("they come 30 s after the hook, then each gap twice the last, within the runner's wait for more work (10 min)", () => {
    const { late } = stopped();
    const times: number[] = [];
    for (let at = late.nextAt(); at !== undefined; at = late.nextAt()) {
      times.push(at - T);
      late.look(at);
    }
    expect(times).toEqual([0.5 * MIN, MIN, 2 * MIN, 4 * MIN, 8 * MIN]);
    expect(waiting()).toEqual([]);
  });

  test("lines written after the first late look (a background agent 40 s after the Stop) are found by the next", () => {
    const { late, grow } = stopped();
    expect(late.look(T + LATE_LOOK_MS)).toBe(0);
    grow();
    expect(late.look(T + 2 * LATE_LOOK_MS)).toBe(1);
    expect(served()).toEqual([[LATE_EVENT, T + 2 * LATE_LOOK_MS]]);
  });

  test("the late look's request, done, goes on with the looks from the bytes it read; lines after it are found by the next", () => {
    const { path, late, grow } = stopped();
    grow();
    expect(late.look(T + LATE_LOOK_MS)).toBe(1);
    // Its request is being served: no look meanwhile.
    expect(late.nextAt()).toBeUndefined();
    const [request] = claim(() => true);
    late.forget(request as SyncRequest);
    late.remember({ ...(request as SyncRequest), readSize: statSync(path).size });
    expect(late.nextAt()).toBe(T + 2 * LATE_LOOK_MS);
    expect(late.look(T + 2 * LATE_LOOK_MS)).toBe(0);
    grow();
    expect(late.look(T + 4 * LATE_LOOK_MS)).toBe(1);
  });

  test("past the doubling ones, every 4 min while each finds the files grown (a long turn with no hook); the first that finds none ends them", () => {
    const { path, late, grow } = stopped();
    for (const at of [0.5, 1, 2, 4]) late.look(T + at * MIN);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const at = late.nextAt() as number;
      times.push(at - T);
      grow();
      expect(late.look(at)).toBe(1);
      const [request] = claim(() => true);
      done(request as Claim);
      late.remember({ ...(request as Claim), readSize: statSync(path).size });
    }
    expect(times).toEqual([8 * MIN, 12 * MIN, 16 * MIN]);
    expect(late.nextAt()).toBe(T + 20 * MIN);
    expect(late.look(T + 20 * MIN)).toBe(0);
    expect(late.nextAt()).toBeUndefined();
  });

  test("a newer hook of the session ends them: its own looks follow", () => {
    const { late, grow } = stopped();
    late.forget({ sessionId: SESSION, event: "UserPromptSubmit", at: T + 1_000 });
    grow();
    expect(late.nextAt()).toBeUndefined();
    expect(late.look(T + 8 * MIN)).toBe(0);
  });

  test("after a prompt too: a terminal closed before the turn's end leaves no Stop", () => {
    const late = new LateLooks();
    late.remember({ sessionId: SESSION, event: "UserPromptSubmit", at: T, transcriptPath: "/t/x.jsonl", readSize: 10 });
    expect(late.nextAt()).toBe(T + LATE_LOOK_MS);
  });

  test("a runner killed (SIGKILL) before they were over leaves them to the next: a terminal closed mid-turn still gets its look", () => {
    const { late: first, grow } = stopped();
    // The first runner looked once, found nothing, and was killed; the closed turn's lines came after.
    expect(first.look(T + LATE_LOOK_MS)).toBe(0);
    grow();
    const next = new LateLooks();
    expect(next.nextAt()).toBe(T + 2 * LATE_LOOK_MS);
    expect(next.look(T + 2 * LATE_LOOK_MS)).toBe(1);
    expect(served()).toEqual([[LATE_EVENT, T + 2 * LATE_LOOK_MS]]);
  });

  test("a runner that leaves when its wait is over gives them up: the next runner begins none", () => {
    const { late } = stopped();
    late.abandon();
    expect(new LateLooks().nextAt()).toBeUndefined();
  });

  test("none begun by a late look's own request once its looks are over", () => {
    const late = new LateLooks();
    late.remember({ sessionId: SESSION, event: LATE_EVENT, after: "Stop", at: T, transcriptPath: "/t/x.jsonl", readSize: 10 });
    expect(late.nextAt()).toBeUndefined();
  });
});

describe("a late look's request", () => {
  test("names the hook it follows, and keeps it when put back after a pass (its next pass closes what that hook closed)", () => {
    const { late, grow } = stopped();
    grow();
    late.look(T + LATE_LOOK_MS);
    const [request] = waiting();
    expect(request).toMatchObject({ event: LATE_EVENT, after: "Stop" });
    expect(afterPass(request as SyncRequest, { kind: "sent" }, (request as SyncRequest).at, 100)).toMatchObject({ event: LATE_EVENT, after: "Stop" });
    const failed = afterPass(request as SyncRequest, { kind: "failed", error: "down", retry: "backoff" }, T + 2 * LATE_LOOK_MS);
    expect(failed).toMatchObject({ event: LATE_EVENT, after: "Stop" });
  });
});

test("a late look that finds the files grown while a hook's request of the session waits leaves that request as it is: it reads the same files, and knows what its event closes", () => {
  const { late, grow } = stopped();
  grow();
  enqueue({ sessionId: SESSION, event: "UserPromptSubmit", at: T + LATE_LOOK_MS - 10 });
  late.look(T + LATE_LOOK_MS);
  expect(waiting()).toEqual([{ sessionId: SESSION, event: "UserPromptSubmit", at: T + LATE_LOOK_MS - 10 }]);
});
