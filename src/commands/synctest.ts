import { UserError } from "../errors.ts";

export async function run(): Promise<number> {
  throw new UserError("`synctest` is not available in this version yet.");
}
