import type Database from "better-sqlite3";

/**
 * Schema steps; `PRAGMA user_version` counts how many a database has had. Append, never edit: a
 * database written by an earlier version runs only the steps after its own.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE signing_keys (
    -- Insertion order is "oldest first"; an explicit key keeps it stable across VACUUM.
    seq INTEGER PRIMARY KEY,
    kid TEXT NOT NULL UNIQUE,
    alg TEXT NOT NULL,
    material TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
  ) STRICT;
  CREATE TABLE address_bindings (
    address TEXT PRIMARY KEY,
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL
  ) STRICT;
  CREATE TABLE refresh_families (
    id TEXT PRIMARY KEY,
    sub TEXT NOT NULL,
    role TEXT NOT NULL,
    claims TEXT NOT NULL,
    current_jti TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  -- The revocation feed reads revoked families only; few are, so a partial index stays small.
  CREATE INDEX refresh_families_revoked ON refresh_families (id) WHERE revoked_at IS NOT NULL;
  CREATE INDEX refresh_families_expiry ON refresh_families (expires_at);
  CREATE TABLE access_tokens (
    seq INTEGER PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
    jti TEXT NOT NULL,
    exp INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX access_tokens_family ON access_tokens (family_id, exp);
  CREATE INDEX access_tokens_expiry ON access_tokens (exp);
  `,
  // 2: opaque refresh tokens, kept as hashes (a JWT refresh token of version 1 as "jti:" + its jti, so
  // it can be redeemed once more); absolute session lifetime (sessions of version 1 count from the
  // upgrade); credential stamps; revoking a subject; the admin credential; the store's identity.
  `
  ALTER TABLE refresh_families ADD COLUMN current_hash TEXT NOT NULL DEFAULT '';
  UPDATE refresh_families SET current_hash = 'jti:' || current_jti;
  ALTER TABLE refresh_families DROP COLUMN current_jti;
  ALTER TABLE refresh_families ADD COLUMN started_at INTEGER NOT NULL DEFAULT 0;
  UPDATE refresh_families SET started_at = unixepoch();
  ALTER TABLE refresh_families ADD COLUMN stamp TEXT;
  CREATE INDEX refresh_families_sub ON refresh_families (sub);
  CREATE TABLE refresh_tokens (
    hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE
  ) STRICT;
  CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
  INSERT INTO refresh_tokens (hash, family_id) SELECT current_hash, id FROM refresh_families;
  CREATE TABLE admin_credential (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    hash TEXT NOT NULL,
    generation INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE store_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  INSERT INTO store_meta (name, value) SELECT 'first_signing_key', kid FROM signing_keys ORDER BY seq LIMIT 1;
  `,
  // 3: the revocation feed (REVOCATION_STORE) that every process on the file follows by cursor. Filled
  // by each revoking step in its own transaction; here with what is revoked and unexpired already.
  // AUTOINCREMENT: a seq is never reused, even after its row is pruned, so a cursor stays exact.
  `
  CREATE TABLE revocations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    jti TEXT NOT NULL,
    exp INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX revocations_expiry ON revocations (exp);
  -- The feed was read by scanning revoked families through this index; the table above replaces that read.
  DROP INDEX refresh_families_revoked;
  INSERT INTO revocations (jti, exp)
    SELECT jti, exp FROM access_tokens
    WHERE family_id IN (SELECT id FROM refresh_families WHERE revoked_at IS NOT NULL) AND exp > unixepoch()
    ORDER BY seq;
  `,
];

/**
 * Brings the database at `path` to the current schema, in one IMMEDIATE transaction: two processes
 * creating the same file take turns, and the second sees the first's version. A file of a newer
 * version is refused rather than guessed at.
 */
export function migrate(db: Database.Database, path: string): void {
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`${path} has schema version ${version}, but this pico-server-auth knows versions up to ${MIGRATIONS.length}: a newer version wrote it; upgrade pico-server-auth`);
    }
    for (const step of MIGRATIONS.slice(version)) db.exec(step);
    if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
