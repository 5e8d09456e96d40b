import type { RevocationChanges, RevocationStore } from "../../sessions/revocation-store.js";
import type { IssuedAccessToken } from "../../sessions/session-store.js";
import type { PostgresDatabase, Queryable } from "./database.js";
import { FEED_LOCK, LOCK_CLASS } from "./locks.js";

/**
 * Appends the unexpired access tokens of the families `familyIds` to the revocation feed, inside the
 * caller's revoking transaction (so the feed and the revoked state commit together). FEED_LOCK is
 * taken first and held to commit: see locks.ts for why that keeps cursors from skipping entries.
 */
export async function appendToFeed(tx: Queryable, familyIds: readonly string[], now: number): Promise<void> {
  if (familyIds.length === 0) return;
  await tx.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_CLASS, FEED_LOCK]);
  await tx.query(
    "INSERT INTO pico_auth_revocation_feed (jti, exp) SELECT jti, exp FROM pico_auth_access_tokens WHERE family_id = ANY($1::text[]) AND exp > $2 ORDER BY seq",
    [familyIds, now],
  );
}

/**
 * REVOCATION_STORE in PostgreSQL. A cursor is `<store id>.<seq>`: the last feed entry the reader's
 * snapshot held. Because appends commit in seq order (FEED_LOCK), any snapshot holds a prefix of the
 * feed, so "seq > cursor" next time misses nothing.
 */
export class PostgresRevocationStore implements RevocationStore {
  readonly #db: PostgresDatabase;
  readonly #storeId: string;

  constructor(db: PostgresDatabase, storeId: string) {
    this.#db = db;
    this.#storeId = storeId;
  }

  revokedSince(cursor: string | undefined, now: number): Promise<RevocationChanges> {
    return this.#db.run("revokedSince", async (db) => {
      const after = this.#position(cursor);
      const read = await readFeed(db, after, now);
      // A cursor past the newest entry is not this feed's (a restored backup) or its entries were
      // pruned: read everything, a superset of what it lacks.
      const changes = after > 0 && read.newest < after ? await readFeed(db, 0, now) : read;
      return { revoked: changes.revoked, cursor: `${this.#storeId}.${changes.last}` };
    });
  }

  /** The seq after which to read: 0 (everything) for no cursor, or one of another store. */
  #position(cursor: string | undefined): number {
    if (cursor === undefined) return 0;
    const dot = cursor.lastIndexOf(".");
    if (cursor.slice(0, dot) !== this.#storeId) return 0;
    const seq = Number(cursor.slice(dot + 1));
    return Number.isSafeInteger(seq) && seq >= 0 ? seq : 0;
  }
}

interface FeedRead {
  readonly revoked: IssuedAccessToken[];
  /** The last seq after `after` (expired entries included, so the cursor moves past them), else `after`. */
  readonly last: number;
  readonly newest: number;
}

/** One statement, so one snapshot: the entries and the new cursor agree. */
async function readFeed(db: Queryable, after: number, now: number): Promise<FeedRead> {
  const { rows } = await db.query<{ last: number | null; newest: number | null; revoked: IssuedAccessToken[] }>(
    `SELECT
       (SELECT max(seq) FROM pico_auth_revocation_feed WHERE seq > $1) AS last,
       (SELECT max(seq) FROM pico_auth_revocation_feed) AS newest,
       (SELECT coalesce(json_agg(json_build_object('jti', jti, 'exp', exp) ORDER BY seq), '[]'::json)
          FROM pico_auth_revocation_feed WHERE seq > $1 AND exp > $2) AS revoked`,
    [after, now],
  );
  const row = rows[0];
  if (!row) throw new Error("revokedSince: the feed query returned no row");
  return { revoked: row.revoked.map(({ jti, exp }) => ({ jti, exp })), last: row.last ?? after, newest: row.newest ?? 0 };
}
