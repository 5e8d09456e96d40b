import type Database from "better-sqlite3";

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
