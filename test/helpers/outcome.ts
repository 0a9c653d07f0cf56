import type { Outcome } from "../../src/opensync/client.ts";

/** The error of a failed Outcome, as the class the test expects (it checks the class itself). */
export function errorOf<E>(outcome: Outcome<unknown>): E {
  if (outcome.ok) throw new Error("expected a failed Outcome");
  return outcome.error as unknown as E;
}
