import Database from "better-sqlite3";
import { BUSY_TIMEOUT_MS, configure, createPrivateFile, openRetryingBusy } from "../../store/sqlite-connection.js";
import { asStoreFailure } from "../../store/sqlite-failure.js";

/** The file in `data_dir` the workers of one machine share their challenges and counters through. */
export const SHARED_DB_FILE = "shared.db";

/** The schema's version (`PRAGMA user_version`); a file of a newer version is refused, never rewritten. */
const VERSION = 1;

/**
 * Challenges by their nonce, with a sequence for "oldest first"; counters by key (fixed windows).
 * Nothing here outlives a few minutes: a lost file only forgets outstanding challenges and counts.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS challenges (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  challenge TEXT NOT NULL UNIQUE,
  address TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  pending TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS challenges_expiry ON challenges (expires_at);
CREATE TABLE IF NOT EXISTS counters (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  reset_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS counters_reset ON counters (reset_at);
`;

/**
 * Opens (creating if need be, mode 0600) the shared database at `path`: WAL, so the workers read
 * while one writes; `synchronous = NORMAL`, since nothing in it needs to survive power loss (a killed
 * process loses nothing either way); a busy timeout, so workers wait for each other's short writes.
 * Fails with a StoreUnavailableError when the file cannot serve.
 */
export function openSharedDb(path: string): Database.Database {
  return openRetryingBusy(() => openSharedDbOnce(path));
}

function openSharedDbOnce(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    createPrivateFile(path);
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    configure(db, path, "normal");
    const opened = db;
    // IMMEDIATE: workers starting together create the schema once, one after the other.
    opened.transaction(() => {
      const version = opened.pragma("user_version", { simple: true }) as number;
      if (version > VERSION) throw new Error(`${path} has schema version ${version}, newer than this version of pico-server-auth knows (${VERSION}): was it written by a newer release?`);
      opened.exec(SCHEMA);
      opened.pragma(`user_version = ${VERSION}`);
    }).immediate();
    return db;
  } catch (error) {
    db?.close();
    throw asStoreFailure(error);
  }
}

/** Runs `call` (synchronous statements on the shared database), a failure of the database as a StoreUnavailableError (a 503). */
export async function sharedCall<T>(call: () => T): Promise<T> {
  try {
    return call();
  } catch (error) {
    throw asStoreFailure(error);
  }
}
