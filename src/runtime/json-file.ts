import { readFileSync } from "node:fs";
import type { z } from "./zod.ts";

/** JSON text's value; undefined when it is not JSON. */
export function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON file's value as `schema` reads it; undefined when the file is missing, unreadable or not what it should be. */
export function readJsonFile<T>(path: string, schema: z.ZodMiniType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
