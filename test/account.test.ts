import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { payloadHash } from "../src/plan/hash.ts";
import { StateStore } from "../src/state/store.ts";
import { checkAccount } from "../src/sync/account.ts";
import { scratchDir } from "./helpers/scratch.ts";

const stores: StateStore[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

/** A state that sent session "s1" with the key "key-a". */
async function sentWith(key: string): Promise<StateStore> {
  const store = StateStore.open(join(scratchDir("ccs-account-"), "state.db"));
  stores.push(store);
  await checkAccount(store, async () => [], key);
  store.write(() => {
    const json = JSON.stringify({ externalId: "s1" });
    store.putSessionPayload("s1", json, payloadHash(json), { excluded: false });
    store.markSessionSent(store.sessionKey("s1"), { hash: payloadHash(json), windowKey: "k", at: 1 });
  });
  return store;
}

describe("the account a state belongs to", () => {
  test.each([
    ["the same key: no request, the state kept", "key-a", undefined, 0, ["s1"]],
    ["a new key (regenerated) that sees our sessions: the state kept", "key-b", ["s1", "s2"], 1, ["s1"]],
    ["a new key that sees none of them (another account): everything read and sent again", "key-b", ["s9"], 1, []],
  ] as const)("%s", async (_name, key, onServer, requests, sentAfter) => {
    const store = await sentWith("key-a");
    let asked = 0;
    await checkAccount(
      store,
      async () => {
        asked++;
        return [...(onServer ?? [])];
      },
      key,
    );
    expect(asked).toBe(requests);
    expect(store.sentSessionIds()).toEqual([...sentAfter]);
  });

  test("the server out of reach: the error goes to the caller, the state and the key it knows stay", async () => {
    const store = await sentWith("key-a");
    await expect(checkAccount(store, () => Promise.reject(new Error("down")), "key-b")).rejects.toThrow("down");
    expect(store.sentSessionIds()).toEqual(["s1"]);
    let asked = 0;
    await checkAccount(store, async () => (asked++, []), "key-a");
    expect(asked).toBe(0);
  });
});
