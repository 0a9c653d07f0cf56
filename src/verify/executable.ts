import { accessSync, constants, statSync } from "node:fs";

/** Whether `path` is a file this user may run. */
export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
