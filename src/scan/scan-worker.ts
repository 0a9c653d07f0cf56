/// <reference lib="webworker" />
import type { FoldOptions } from "../fold/session-fold.ts";
import { type SessionGroup, foldSessions } from "./fold-sessions.ts";

/** A scan worker: folds the sessions it is given and posts the result back once. */
declare const self: Worker;

self.onmessage = (event: MessageEvent<{ groups: SessionGroup[]; options: FoldOptions }>) => {
  const result = foldSessions(event.data.groups, event.data.options);
  const transfer = result.sessions.flatMap((s) => [s.usage.model.buffer, s.usage.flags.buffer, s.usage.tokens.buffer]);
  self.postMessage(result, transfer as ArrayBuffer[]);
};
