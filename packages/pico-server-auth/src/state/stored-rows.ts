import type { StoredSigningKey } from "../keys/signing-key-store.js";
import type { RefreshFamily } from "../sessions/session-store.js";

/**
 * Rows of the SQL backends (SQLite, PostgreSQL), which name their columns alike, and how they read
 * back as port values: one mapping, so the backends cannot drift apart on what a NULL means.
 */
export interface FamilyRow {
  id: string;
  sub: string;
  role: string;
  claims: string;
  current_hash: string;
  expires_at: number;
  started_at: number;
  stamp: string | null;
  revoked_at: number | null;
}

export interface KeyRow {
  kid: string;
  alg: string;
  material: string;
  created_at: number;
  retired_at: number | null;
}

export function toFamily(row: FamilyRow): RefreshFamily {
  const family = {
    id: row.id,
    sub: row.sub,
    role: row.role,
    claims: JSON.parse(row.claims) as Record<string, unknown>,
    currentHash: row.current_hash,
    expiresAt: row.expires_at,
    startedAt: row.started_at,
    ...(row.stamp === null ? {} : { stamp: row.stamp }),
  };
  return row.revoked_at === null ? family : { ...family, revokedAt: row.revoked_at };
}

export function toKey(row: KeyRow): StoredSigningKey {
  const key = { kid: row.kid, alg: row.alg, material: row.material, createdAt: row.created_at };
  return row.retired_at === null ? key : { ...key, retiredAt: row.retired_at };
}
