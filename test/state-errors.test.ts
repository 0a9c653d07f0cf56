/**
 * SQLite failures as what to do about them (state/db.ts stateError). A state the system refuses to change reaches
 * us under several codes, depending on which of its files SQLite touched first: each says it cannot be written.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../src/errors.ts";
import { stateError } from "../src/state/db.ts";
import { scratchDir } from "./helpers/scratch.ts";

const isRoot = process.getuid?.() === 0;
const canChattr = isRoot && Bun.which("chattr") !== null;
/** Root ignores permissions: only an immutable flag stops it. */
const canBlock = !isRoot || canChattr;
const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("stateError", () => {
  const dir = scratchDir("ccs-state-errors-");
  const db = join(dir, "s.db");
  writeFileSync(db, "");
  const block = (yes: boolean) => {
    if (isRoot) Bun.spawnSync(["chattr", yes ? "+i" : "-i", db, dir]);
    else chmodSync(dir, yes ? 0o500 : 0o700);
  };
  afterAll(() => block(false));

  for (const [code, message] of [
    ["SQLITE_IOERR_WRITE", "disk I/O error"],
    ["SQLITE_PROTOCOL", "locking protocol"],
    ["SQLITE_CANTOPEN", "unable to open database file"],
  ] as const)
    test.skipIf(!canBlock)(`${code} on a state that cannot be written: says so, with its fix`, () => {
      block(true);
      try {
        const e = stateError(sqliteError(code, message), db);
        expect(e).toBeInstanceOf(UserError);
        expect((e as UserError).code).toBe("state-not-writable");
        expect((e as UserError).exitCode).toBe(2);
        expect(e.message).toContain(`Cannot write the sync state at ${db} (${message}). To fix, make `);
        expect(e.message).toContain(isRoot ? `chattr -i "${db}" "${dir}"` : `chmod u+rwx "${dir}"`);
      } finally {
        block(false);
      }
    });

  test("a locking-protocol error on a writable state: an I/O failure to retry, no stack trace", () => {
    const e = stateError(sqliteError("SQLITE_PROTOCOL", "locking protocol"), db);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe("state-io-error");
    expect(e.message).toStartWith(`Reading or writing the sync state at ${db} failed (SQLITE_PROTOCOL: locking protocol).`);
  });

  test("an error that is not SQLite's is passed on", () => {
    const e = new TypeError("x is undefined");
    expect(stateError(e, db)).toBe(e);
  });
});
