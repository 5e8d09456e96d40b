import { connectionOf } from "../src/store/sqlite-connection.js";
import type { SqliteAuthStore } from "../src/store/sqlite-store.js";

/**
 * Caps `store`'s database at `pages` pages (SQLite's `max_page_count`, on the store's connection
 * only), so that a test can fill the "disk" without root: writes that need a new page then fail with
 * SQLITE_FULL. A higher cap gives the space back. Returns the cap in force (never below the pages in use).
 */
export function setMaxPageCount(store: SqliteAuthStore, pages: number): number {
  if (!Number.isInteger(pages) || pages < 1) throw new RangeError(`setMaxPageCount: expected a positive integer, got ${pages}`);
  const db = connectionOf(store);
  if (!db) throw new Error(`setMaxPageCount: the store on ${store.path} is closed`);
  return db.pragma(`max_page_count = ${pages}`, { simple: true }) as number;
}
