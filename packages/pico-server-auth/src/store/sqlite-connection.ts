import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type Database from "better-sqlite3";

/**
 * What every SQLite file of this package shares (auth.db, and shared.db of the workers' fast state):
 * how it is created and configured, and the open connection of each store.
 */

/** How long a call waits for another process's write lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/** Creates `path` (mode 0600) and its parent directory (0700, when new) unless they exist. */
export function createPrivateFile(path: string): void {
  // mkdir's mode applies to the directories it creates only: an existing directory is the user's choice.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // SQLite would create the file with mode 0644; it holds private keys. Its -wal and -shm files copy this mode.
    closeSync(openSync(path, "wx", 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/** WAL (readers never wait for the writer, and several processes share the file), `synchronous`, foreign keys. */
export function configure(db: Database.Database, path: string, synchronous: "full" | "normal"): void {
  const mode = db.pragma("journal_mode = WAL", { simple: true });
  if (mode !== "wal") throw new Error(`SQLite could not put ${path} in WAL journal mode: expected "wal", got ${JSON.stringify(mode)}`);
  // Per connection, not stored in the file: FULL syncs the WAL at every commit, so a resolved call
  // survives power loss; NORMAL leaves the WAL to the OS between checkpoints (a kill -9 loses nothing).
  db.pragma(`synchronous = ${synchronous === "normal" ? "NORMAL" : "FULL"}`);
  db.pragma("foreign_keys = ON");
}

/**
 * The open connection of each SqliteAuthStore, kept outside the class so that its public surface
 * stays the ports': only test hooks read it (test/sqlite-hooks.ts caps the database's size to
 * fill the "disk" without root). This module is not among the package's exports.
 */
const connections = new WeakMap<object, Database.Database>();

/** Called by SqliteAuthStore: `db` is `store`'s connection until `forgetConnection`. */
export function rememberConnection(store: object, db: Database.Database): void {
  connections.set(store, db);
}

export function forgetConnection(store: object): void {
  connections.delete(store);
}

/** `store`'s connection, or undefined once it is closed. For tests only. */
export function connectionOf(store: object): Database.Database | undefined {
  return connections.get(store);
}
