import { afterAll, afterEach, beforeAll } from "bun:test";
import { join } from "node:path";
import { StateStore } from "../../src/state/store.ts";
import { type TestServer, startTestServer } from "../../testserver/server.ts";
import { useTempHome } from "./cli.ts";
import { scratchDir } from "./scratch.ts";

/**
 * What a test file that runs syncs in its own process needs: one test server for the file, and HOME
 * pointed at a temporary folder meanwhile (the price cache lives under it, never the real one).
 */
export function serverForFile(): { readonly server: TestServer; readonly home: () => string } {
  const held = { home: useTempHome() } as { server: TestServer; home: () => string };
  beforeAll(async () => {
    held.server = await startTestServer();
  });
  afterAll(() => held.server.stop());
  return held;
}

/** Opens state databases in scratch folders named from `prefix`, each closed after its test. */
export function scratchStores(prefix: string): () => StateStore {
  const stores: StateStore[] = [];
  afterEach(() => stores.splice(0).forEach((s) => s.close()));
  return () => {
    const store = StateStore.open(join(scratchDir(prefix), "state.db"));
    stores.push(store);
    return store;
  };
}
