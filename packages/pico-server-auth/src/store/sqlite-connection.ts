import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import { isBusy } from "./sqlite-failure.js";

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

/**
 * Runs `open` (a whole open: connection, pragmas, schema) again while it fails with SQLITE_BUSY, for
 * up to BUSY_TIMEOUT_MS more. Processes that open one new file at the same moment (the workers of
 * WORKERS=N at their first boot) contend for its first locks, and SQLite can answer some of those
 * steps (switching a new file to WAL, the schema's first write) with SQLITE_BUSY without waiting on
 * the busy timeout: seen as a boot failure under load in CI, "database locked by another process".
 * The next try finds the other process done. Synchronous, as opening is, and only at boot.
 */
export function openRetryingBusy<T>(open: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return open();
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      // Jittered, so two processes that collided do not collide again in step.
      Atomics.wait(pause, 0, 0, 20 + Math.random() * 30);
    }
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
