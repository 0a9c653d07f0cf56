/// <reference lib="webworker" />
import { batchBuffers } from "../fold/usage-ledger.ts";
import { SessionReader } from "./read-session.ts";
import type { ReadSettings, SessionChunk, SessionWorkItem } from "./work.ts";

/**
 * A scan worker: reads the sessions it is handed one at a time and posts
 * each chunk back. It runs ahead of the main thread by at most MAX_UNACKED
 * chunks, so a slow consumer (the state's writes) bounds its memory.
 */
declare const self: Worker;

export type ToWorker = { type: "init"; settings: ReadSettings; roots: string[] } | { type: "read"; item: SessionWorkItem } | { type: "ack" };
export type FromWorker = { type: "chunk"; chunk: SessionChunk } | { type: "read"; sessionId: string } | { type: "error"; message: string };

const MAX_UNACKED = 2;

let reader: SessionReader | undefined;
let unacked = 0;
let wake: (() => void) | undefined;
const queue: SessionWorkItem[] = [];
let running = false;

const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => self.postMessage(message, transfer);

async function emit(chunk: SessionChunk): Promise<void> {
  unacked++;
  post({ type: "chunk", chunk }, batchBuffers(chunk.usage));
  while (unacked >= MAX_UNACKED) await new Promise<void>((resolve) => (wake = resolve));
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let item = queue.shift(); item; item = queue.shift()) {
      await (reader as SessionReader).read(item, emit);
      post({ type: "read", sessionId: item.sessionId });
    }
  } catch (error) {
    post({ type: "error", message: (error as Error).stack ?? String(error) });
  } finally {
    running = false;
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (m.type === "init") reader = new SessionReader(m.settings, m.roots);
  else if (m.type === "ack") {
    unacked--;
    wake?.();
    wake = undefined;
  } else {
    queue.push(m.item);
    void drain();
  }
};
