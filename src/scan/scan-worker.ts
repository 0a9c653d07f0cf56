/// <reference lib="webworker" />
import type { FoldOptions } from "../fold/session-fold.ts";
import { batchBuffers } from "../fold/usage-ledger.ts";
import { type SessionGroup, foldSessions } from "./fold-sessions.ts";

/** A scan worker: folds the sessions it is given and posts the result back once. */
declare const self: Worker;

self.onmessage = (event: MessageEvent<{ groups: SessionGroup[]; options: FoldOptions }>) => {
  const result = foldSessions(event.data.groups, event.data.options);
  self.postMessage(result, result.sessions.flatMap((s) => batchBuffers(s.usage)));
};
