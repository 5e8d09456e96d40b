/**
 * openRetryingBusy: processes that open one new SQLite file together (the workers of WORKERS=N at
 * their first boot) may get SQLITE_BUSY from steps that do not wait on the busy timeout; the open is
 * tried again, for up to BUSY_TIMEOUT_MS, and any other failure is not.
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../src/errors.js";
import { BUSY_TIMEOUT_MS, openRetryingBusy } from "../src/store/sqlite-connection.js";
import { asStoreFailure } from "../src/store/sqlite-failure.js";

const sqliteError = (code: string) => new Database.SqliteError(code === "SQLITE_BUSY" ? "database is locked" : "database disk image is malformed", code);

describe("openRetryingBusy", () => {
  it("tries again while the open fails with SQLITE_BUSY (raw, or as the store's 503 error), then answers what the open made", () => {
    let calls = 0;
    const opened = openRetryingBusy(() => {
      calls++;
      if (calls === 1) throw sqliteError("SQLITE_BUSY");
      if (calls === 2) throw asStoreFailure(sqliteError("SQLITE_BUSY"));
      return "opened";
    });
    expect([opened, calls]).toEqual(["opened", 3]);
  });

  it("does not try again after any other failure", () => {
    let calls = 0;
    const corrupt = sqliteError("SQLITE_CORRUPT");
    expect(() =>
      openRetryingBusy(() => {
        calls++;
        throw corrupt;
      }),
    ).toThrow(corrupt);
    expect(calls).toBe(1);
  });

  it("gives up after BUSY_TIMEOUT_MS, with the last failure", () => {
    const startedAt = Date.now();
    let calls = 0;
    let thrown: unknown;
    try {
      openRetryingBusy(() => {
        calls++;
        throw asStoreFailure(sqliteError("SQLITE_BUSY"));
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(BUSY_TIMEOUT_MS);
    expect(calls).toBeGreaterThan(10);
  });
});
