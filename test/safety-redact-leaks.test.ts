import { describe, expect, test } from "bun:test";
import { createRedactor } from "../src/safety/redact.ts";

// Leaks found by red-teaming realistic transcripts: each case as a user would paste or a tool would print it,
// beside ordinary text of the same neighbourhood that must stay whole.
const { redact } = createRedactor();

function exactAndKept(cases: [input: string, output: string][], kept: [why: string, text: string][]): void {
  for (const [input, output] of cases) test(input, () => expect(redact(input).text).toBe(output));
  for (const [why, text] of kept) test(`kept: ${why}`, () => expect(redact(text)).toEqual({ text, count: 0 }));
}

describe("an app password written in two pairs of groups (abcd-efgh ijkl-mnop)", () => {
  exactAndKept(
    [
      ["EMAIL_HOST_PASSWORD=abcd-efgh ijkl-mnop", "EMAIL_HOST_PASSWORD=[REDACTED:password]"],
      ["Password: abcd-efgh ijkl-mnop and more", "Password: [REDACTED:password] and more"],
      ["my app password is abcd-efgh ijkl-mnop", "my app password is [REDACTED:password]"],
      ["gmail app password qwer-tyui opas-dfgh", "gmail app password [REDACTED:password]"],
    ],
    [["prose with dashed words after a password", "the password is self-made with some-what more"]],
  );
});
