import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

/**
 * zod as every module uses it. zod/mini, not classic zod: a classic schema
 * builds its whole method table when it is made, and loading classic zod with
 * our schemas cost every command about 25 ms of start-up (a compiled program
 * starts in about 20). Its English issue messages are kept: users read them
 * in config errors.
 */
z.config(en());

export { z };

/**
 * `schema` as zod interprets it for its first `after` uses, then its generated parser (z.compile: a few ms
 * to make, then several times faster, same results), for schemas a large read or a first sync runs
 * thousands of times; a short run never pays for the generation. Each call of the getter is one use.
 */
export function compiledAfter<T extends z.ZodMiniType>(schema: T, after: number): () => T {
  let uses = 0;
  let generated: T | undefined;
  return () => generated ?? (++uses > after ? (generated = z.compile(schema) as unknown as T) : schema);
}
