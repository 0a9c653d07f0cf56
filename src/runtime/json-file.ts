import { readFileSync } from "node:fs";
import type { z } from "./zod.ts";

/** A JSON file's value as `schema` reads it; undefined when the file is missing, unreadable or not what it should be. */
export function readJsonFile<T>(path: string, schema: z.ZodMiniType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
