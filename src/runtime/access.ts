import { accessSync } from "node:fs";

/** Whether this process may use `path` as `mode` says (fs.constants.R_OK, W_OK, X_OK...): false for a path not there. */
export function mayAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
