import { StoreUnavailableError } from "../errors.js";

/**
 * SQLite's primary result codes that mean "the database cannot serve now", not "this call is wrong",
 * with the words the 503 detail uses. better-sqlite3's SqliteError carries the extended code
 * ("SQLITE_IOERR_WRITE", "SQLITE_BUSY_SNAPSHOT"), so lookups go by its primary part.
 */
const UNAVAILABLE: Readonly<Record<string, string>> = {
  SQLITE_FULL: "disk full",
  SQLITE_IOERR: "disk I/O error",
  SQLITE_CORRUPT: "database corrupt",
  SQLITE_NOTADB: "database corrupt",
  SQLITE_BUSY: "database locked by another process",
  SQLITE_READONLY: "database read-only",
  SQLITE_CANTOPEN: "database cannot be opened",
  SQLITE_PROTOCOL: "database locking failed",
};

/** The reason `error` (a better-sqlite3 SqliteError) makes the store unavailable, or undefined for any other error. */
export function unavailableReason(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== "SqliteError") return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return undefined;
  const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0];
  return primary === undefined ? undefined : UNAVAILABLE[primary];
}

/**
 * `error` as a StoreUnavailableError when the database failed, else unchanged (a constraint
 * violation is a caller's bug, and stays one). Calls failed by one batch share the SqliteError, so
 * they share one StoreUnavailableError too: whoever logs it logs it once.
 */
export function asStoreFailure(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const reason = unavailableReason(error);
  if (reason === undefined) return error;
  const known = mapped.get(error as Error);
  if (known) return known;
  const failure = new StoreUnavailableError(reason, { cause: error });
  mapped.set(error as Error, failure);
  return failure;
}

const mapped = new WeakMap<Error, StoreUnavailableError>();

/** True when `failure` (a SqliteError, or the StoreUnavailableError made of one) says another process holds a lock. */
export function isBusy(failure: unknown): boolean {
  const error = failure instanceof StoreUnavailableError ? failure.cause : failure;
  return unavailableReason(error) === UNAVAILABLE.SQLITE_BUSY;
}

/** True when `failure` says the database file itself is damaged (not full, locked or unreachable). */
export function isCorruption(failure: unknown): boolean {
  return failure instanceof StoreUnavailableError && failure.reason === UNAVAILABLE.SQLITE_CORRUPT;
}
