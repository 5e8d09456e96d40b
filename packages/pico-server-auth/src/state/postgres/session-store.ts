import type { IssuedAccessToken, NextRefresh, RedeemOutcome, RefreshFamily, SessionStore } from "../../sessions/session-store.js";
import type { PostgresDatabase, Queryable } from "./database.js";
import { appendToFeed } from "./revocation-store.js";
import { toFamily } from "../stored-rows.js";
import type { FamilyRow } from "../stored-rows.js";

const FAMILY_COLUMNS = "f.id, f.sub, f.role, f.claims, f.current_hash, f.expires_at, f.started_at, f.stamp, f.revoked_at";

/**
 * SESSION_STORE in PostgreSQL. Every step that revokes appends to the revocation feed in its own
 * transaction (appendToFeed), so the feed never lacks a revoked session's tokens.
 */
export class PostgresSessionStore implements SessionStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  /**
   * One statement (the family, its refresh token, its access token), so one round trip and atomic
   * without a transaction of its own. An existing id fails (primary key): replacing could un-revoke it.
   */
  createFamily(family: RefreshFamily, access: IssuedAccessToken): Promise<void> {
    const params = [family.id, family.sub, family.role, JSON.stringify(family.claims), family.currentHash, family.expiresAt, family.startedAt, family.stamp ?? null, family.revokedAt ?? null, access.jti, access.exp];
    const insert = `WITH f AS (
        INSERT INTO pico_auth_refresh_families (id, sub, role, claims, current_hash, expires_at, started_at, stamp, revoked_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id),
      t AS (INSERT INTO pico_auth_refresh_tokens (hash, family_id) SELECT $5, id FROM f)
      INSERT INTO pico_auth_access_tokens (family_id, jti, exp) SELECT id, $10, $11 FROM f`;
    // A family created revoked (a copy, a test) lists its token in the feed like any other.
    if (family.revokedAt === undefined) return this.#db.run("createFamily", async (db) => void (await db.query(insert, params)));
    return this.#db.transaction("createFamily", async (tx) => {
      await tx.query(insert, params);
      await appendToFeed(tx, [family.id], family.revokedAt as number);
    });
  }

  /**
   * SELECT ... FOR UPDATE on the family makes concurrent redeems of one family take turns: the first
   * rotates; each later one, once granted the lock, reads the family as rotated (READ COMMITTED
   * rechecks a locked row's newest version), finds its token no longer current, and revokes.
   */
  redeemRefresh(tokenHash: string, next: NextRefresh, access: IssuedAccessToken, now: number): Promise<RedeemOutcome> {
    return this.#db.transaction("redeemRefresh", async (tx): Promise<RedeemOutcome> => {
      const { rows } = await tx.query<FamilyRow>(
        `SELECT ${FAMILY_COLUMNS} FROM pico_auth_refresh_tokens t JOIN pico_auth_refresh_families f ON f.id = t.family_id WHERE t.hash = $1 FOR UPDATE OF f`,
        [tokenHash],
      );
      const row = rows[0];
      if (!row) return { outcome: "unknown" };
      if (row.revoked_at !== null) return { outcome: "revoked" };
      if (row.current_hash !== tokenHash) {
        await revoke(tx, [row.id], now);
        return { outcome: "reused" };
      }
      if (row.expires_at <= now) return { outcome: "expired" };
      // One statement for the three writes: fewer round trips while the family's lock is held.
      const rotated = await tx.query<FamilyRow>(
        `WITH f AS (UPDATE pico_auth_refresh_families f SET current_hash = $1, expires_at = $2 WHERE id = $3 RETURNING ${FAMILY_COLUMNS}),
           t AS (INSERT INTO pico_auth_refresh_tokens (hash, family_id) SELECT $1, id FROM f),
           a AS (INSERT INTO pico_auth_access_tokens (family_id, jti, exp) SELECT id, $4, $5 FROM f)
         SELECT * FROM f`,
        [next.hash, next.expiresAt, row.id, access.jti, access.exp],
      );
      const family = rotated.rows[0];
      if (!family) throw new Error(`pico_auth_refresh_families has no row ${row.id} right after locking it`);
      return { outcome: "rotated", family: toFamily(family) };
    });
  }

  /**
   * One statement. FOR SHARE locks the family row: a revocation (which locks it FOR UPDATE) waits for
   * this insert to commit and then lists it in the feed; one that got there first leaves the row
   * revoked, which READ COMMITTED rechecks once the lock is granted, so nothing is inserted.
   */
  recordAccess(familyId: string, access: IssuedAccessToken): Promise<boolean> {
    return this.#db.run("recordAccess", async (db) => {
      const { rowCount } = await db.query(
        `INSERT INTO pico_auth_access_tokens (family_id, jti, exp)
         SELECT id, $2, $3 FROM (SELECT id FROM pico_auth_refresh_families WHERE id = $1 AND revoked_at IS NULL FOR SHARE) f`,
        [familyId, access.jti, access.exp],
      );
      return rowCount === 1;
    });
  }

  familyOfRefresh(tokenHash: string): Promise<RefreshFamily | undefined> {
    return this.#db.run("familyOfRefresh", async (db) => {
      const { rows } = await db.query<FamilyRow>(
        `SELECT ${FAMILY_COLUMNS} FROM pico_auth_refresh_tokens t JOIN pico_auth_refresh_families f ON f.id = t.family_id WHERE t.hash = $1`,
        [tokenHash],
      );
      return rows[0] && toFamily(rows[0]);
    });
  }

  revokeFamily(familyId: string, now: number): Promise<boolean> {
    return this.#db.transaction("revokeFamily", async (tx) => {
      const { rows } = await tx.query<{ revoked_at: number | null }>("SELECT revoked_at FROM pico_auth_refresh_families WHERE id = $1 FOR UPDATE", [familyId]);
      const row = rows[0];
      if (!row) return false;
      // Revoking twice keeps the first time, and the feed has its tokens already.
      if (row.revoked_at === null) await revoke(tx, [familyId], now);
      return true;
    });
  }

  revokeSubject(sub: string, now: number, keepStamp?: string): Promise<number> {
    return this.#db.transaction("revokeSubject", async (tx) => {
      // `stamp IS DISTINCT FROM $3` is false only for an equal stamp, so unstamped families are revoked too.
      const { rows } = await tx.query<{ id: string }>(
        "UPDATE pico_auth_refresh_families SET revoked_at = $1 WHERE sub = $2 AND revoked_at IS NULL AND ($3::text IS NULL OR stamp IS DISTINCT FROM $3::text) RETURNING id",
        [now, sub, keepStamp ?? null],
      );
      const ids = rows.map((row) => row.id);
      await appendToFeed(tx, ids, now);
      return ids.length;
    });
  }

  family(familyId: string): Promise<RefreshFamily | undefined> {
    return this.#db.run("family", async (db) => {
      const { rows } = await db.query<FamilyRow>(`SELECT ${FAMILY_COLUMNS} FROM pico_auth_refresh_families f WHERE f.id = $1`, [familyId]);
      return rows[0] && toFamily(rows[0]);
    });
  }

  prune(now: number): Promise<void> {
    return this.#db.transaction("prune", async (tx) => {
      await tx.query("DELETE FROM pico_auth_access_tokens WHERE exp <= $1", [now]);
      // refresh_tokens rows go with their family (ON DELETE CASCADE).
      await tx.query(
        "DELETE FROM pico_auth_refresh_families f WHERE expires_at <= $1 AND NOT EXISTS (SELECT 1 FROM pico_auth_access_tokens a WHERE a.family_id = f.id)",
        [now],
      );
      // A reader's cursor stays valid: it counts seqs, and later entries keep theirs.
      await tx.query("DELETE FROM pico_auth_revocation_feed WHERE exp <= $1", [now]);
    });
  }
}

async function revoke(tx: Queryable, familyIds: readonly string[], now: number): Promise<void> {
  await tx.query("UPDATE pico_auth_refresh_families SET revoked_at = $1 WHERE id = ANY($2::text[]) AND revoked_at IS NULL", [now, familyIds]);
  await appendToFeed(tx, familyIds, now);
}
