import type Database from "better-sqlite3";
import type { RevocationChanges } from "../sessions/revocation-store.js";
import type { IssuedAccessToken, NextRefresh, RedeemOutcome, RefreshFamily } from "../sessions/session-store.js";
import { parseCursor } from "./feed-cursor.js";
import { toFamily } from "../state/stored-rows.js";
import type { FamilyRow } from "../state/stored-rows.js";

/**
 * SESSION_STORE and REVOCATION_STORE as prepared statements (run by SqliteAuthStore inside one
 * IMMEDIATE transaction each). Every step that revokes a family appends its unexpired access tokens to
 * `revocations` in that same transaction. Writers on one file take turns, so `seq`
 * (AUTOINCREMENT: never reused, even after pruning) grows in commit order: a cursor never skips.
 */
export function sessionOperations(db: Database.Database) {
  const insertFamily = db.prepare<[FamilyRow]>(
    "INSERT INTO refresh_families (id, sub, role, claims, current_hash, expires_at, started_at, stamp, revoked_at) VALUES (@id, @sub, @role, @claims, @current_hash, @expires_at, @started_at, @stamp, @revoked_at)",
  );
  const insertRefresh = db.prepare<[string, string]>("INSERT INTO refresh_tokens (hash, family_id) VALUES (?, ?)");
  const family = db.prepare<[string], FamilyRow>("SELECT * FROM refresh_families WHERE id = ?");
  const familyOfRefresh = db.prepare<[string], FamilyRow>("SELECT f.* FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id WHERE t.hash = ?");
  const rotate = db.prepare<[string, number, string], FamilyRow>("UPDATE refresh_families SET current_hash = ?, expires_at = ? WHERE id = ? RETURNING *");
  // Only an unrevoked family changes: revoking twice keeps the first time and appends nothing.
  const revoke = db.prepare<[number, string]>("UPDATE refresh_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  // `stamp IS NOT @keep` is false only for an equal stamp, so unstamped families are revoked too.
  const revokeSubject = db.prepare<[{ now: number; sub: string; keep: string | null }], { id: string }>(
    "UPDATE refresh_families SET revoked_at = @now WHERE sub = @sub AND revoked_at IS NULL AND (@keep IS NULL OR stamp IS NOT @keep) RETURNING id",
  );
  const insertAccess = db.prepare<[string, string, number]>("INSERT INTO access_tokens (family_id, jti, exp) VALUES (?, ?, ?)");
  // Inside the write transaction: a revocation commits wholly before or after, never in between.
  const recordAccess = db.prepare<[string, number, string]>("INSERT INTO access_tokens (family_id, jti, exp) SELECT id, ?, ? FROM refresh_families WHERE id = ? AND revoked_at IS NULL");
  const appendFeed = db.prepare<[string, number]>("INSERT INTO revocations (jti, exp) SELECT jti, exp FROM access_tokens WHERE family_id = ? AND exp > ? ORDER BY seq");
  const feedSince = db.prepare<[number, number], IssuedAccessToken>("SELECT jti, exp FROM revocations WHERE seq > ? AND exp > ? ORDER BY seq");
  // sqlite_sequence keeps the highest seq ever handed out, also once those rows are pruned.
  const lastSeq = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'revocations'");
  const pruneAccess = db.prepare<[number]>("DELETE FROM access_tokens WHERE exp <= ?");
  // refresh_tokens rows go with their family (ON DELETE CASCADE).
  const pruneFamilies = db.prepare<[number]>("DELETE FROM refresh_families WHERE expires_at <= ? AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.family_id = refresh_families.id)");
  const pruneFeed = db.prepare<[number]>("DELETE FROM revocations WHERE exp <= ?");

  /** Revokes the family if it is not yet, appending its live access tokens to the feed; false when nothing changed. */
  const revokeAndFeed = (familyId: string, now: number): boolean => {
    if (revoke.run(now, familyId).changes === 0) return false;
    appendFeed.run(familyId, now);
    return true;
  };

  return {
    // An existing id fails (primary key): replacing a family could un-revoke it.
    createFamily: (f: RefreshFamily, access: IssuedAccessToken): void => {
      insertFamily.run({
        id: f.id,
        sub: f.sub,
        role: f.role,
        claims: JSON.stringify(f.claims),
        current_hash: f.currentHash,
        expires_at: f.expiresAt,
        started_at: f.startedAt,
        stamp: f.stamp ?? null,
        revoked_at: f.revokedAt ?? null,
      });
      insertRefresh.run(f.currentHash, f.id);
      insertAccess.run(f.id, access.jti, access.exp);
    },
    redeemRefresh: (tokenHash: string, next: NextRefresh, access: IssuedAccessToken, now: number): RedeemOutcome => {
      const row = familyOfRefresh.get(tokenHash);
      if (!row) return { outcome: "unknown" };
      if (row.revoked_at !== null) return { outcome: "revoked" };
      if (row.current_hash !== tokenHash) {
        revokeAndFeed(row.id, now);
        return { outcome: "reused" };
      }
      if (row.expires_at <= now) return { outcome: "expired" };
      const rotated = rotate.get(next.hash, next.expiresAt, row.id);
      if (!rotated) throw new Error(`refresh_families has no row ${row.id} right after reading it`);
      insertRefresh.run(next.hash, row.id);
      insertAccess.run(row.id, access.jti, access.exp);
      return { outcome: "rotated", family: toFamily(rotated) };
    },
    recordAccess: (familyId: string, access: IssuedAccessToken): boolean => recordAccess.run(access.jti, access.exp, familyId).changes === 1,
    familyOfRefresh: (tokenHash: string): RefreshFamily | undefined => {
      const row = familyOfRefresh.get(tokenHash);
      return row && toFamily(row);
    },
    revokeFamily: (familyId: string, now: number): boolean => revokeAndFeed(familyId, now) || family.get(familyId) !== undefined,
    revokeSubject: (sub: string, now: number, keepStamp?: string): number => {
      const revoked = revokeSubject.all({ now, sub, keep: keepStamp ?? null });
      for (const { id } of revoked) appendFeed.run(id, now);
      return revoked.length;
    },
    family: (familyId: string): RefreshFamily | undefined => {
      const row = family.get(familyId);
      return row && toFamily(row);
    },
    revokedSince: (cursor: string | undefined, now: number): RevocationChanges => {
      const last = lastSeq.get()?.seq ?? 0;
      const revoked = feedSince.all(parseCursor(cursor, last) ?? 0, now).map(({ jti, exp }) => ({ jti, exp }));
      return { revoked, cursor: String(last) };
    },
    prune: (now: number): void => {
      pruneAccess.run(now);
      pruneFamilies.run(now);
      pruneFeed.run(now);
    },
  };
}
