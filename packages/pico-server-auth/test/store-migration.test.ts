import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../src/store/sqlite-schema.js";
import { SqliteAuthStore } from "../src/store/sqlite-store.js";

const root = mkdtempSync(join(tmpdir(), "pico-auth-migration-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The version-1 schema as released (frozen in the fixture, not read from the code under test). */
const SCHEMA_V1 = readFileSync(new URL("./fixtures/schema-v1.sql", import.meta.url), "utf8");
/** SQL without comments and with single spaces, to compare schema text. */
const normalized = (sql: string) => sql.replace(/--[^\n]*/g, "").replace(/\s+/g, " ").trim();

const FAR = 4_000_000_000;
const ED25519 = { algorithm: "Ed25519", publicKey: "ab".repeat(32) };

/**
 * A store file as version 1 left it: WAL, user_version 1, two keys, a binding, an active session
 * (family f1, refresh JWT jti j1) and a revoked one (f2, jti j2), each with an access token.
 */
function versionOneStore(path: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(SCHEMA_V1);
    db.pragma("user_version = 1");
    const key = db.prepare("INSERT INTO signing_keys (kid, alg, material, created_at, retired_at) VALUES (?, 'EdDSA', ?, ?, ?)");
    key.run("k1", '{"privateJwk":{"kid":"k1"}}', 100, 200);
    key.run("k2", '{"privateJwk":{"kid":"k2"}}', 200, null);
    db.prepare("INSERT INTO address_bindings (address, algorithm, public_key) VALUES (?, ?, ?)").run("0xabc", ED25519.algorithm, ED25519.publicKey);
    const family = db.prepare("INSERT INTO refresh_families (id, sub, role, claims, current_jti, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    family.run("f1", "0xabc", "user", '{"algorithm":"Ed25519","wallet_address":"0xabc"}', "j1", FAR, null);
    family.run("f2", "admin@example.com", "admin", '{"email":"admin@example.com"}', "j2", FAR, 150);
    const accessToken = db.prepare("INSERT INTO access_tokens (family_id, jti, exp) VALUES (?, ?, ?)");
    accessToken.run("f1", "a1", FAR);
    accessToken.run("f2", "a2", FAR);
  } finally {
    db.close();
  }
}

describe("schema migration from version 1 (released) to version 2", () => {
  it("step 1 of MIGRATIONS is still the released version-1 schema (steps are appended, never edited)", () => {
    expect(normalized(MIGRATIONS[0] as string)).toBe(normalized(SCHEMA_V1));
  });

  it("a version-1 file migrates every row: current_hash is jti:<jti>, a refresh_tokens row per family, started_at set, store_meta names the first key; its refresh token rotates once, then is reuse", async () => {
    const path = join(root, "v1", "auth.db");
    versionOneStore(path);
    const before = Math.floor(Date.now() / 1000);
    const store = SqliteAuthStore.open(path);
    try {
      expect((await store.signingKeys()).map((k) => [k.kid, k.retiredAt])).toStrictEqual([
        ["k1", 200],
        ["k2", undefined],
      ]);
      expect(await store.firstSigningKey()).toBe("k1");
      expect(await store.binding("0xabc")).toStrictEqual(ED25519);
      const [f1, f2] = [await store.family("f1"), await store.family("f2")];
      expect(f1).toMatchObject({ sub: "0xabc", role: "user", claims: { algorithm: "Ed25519", wallet_address: "0xabc" }, currentHash: "jti:j1", expiresAt: FAR });
      expect(f2).toMatchObject({ sub: "admin@example.com", role: "admin", currentHash: "jti:j2", revokedAt: 150 });
      // Sessions of version 1 count their absolute lifetime from the upgrade.
      for (const f of [f1, f2]) expect(Math.abs((f?.startedAt ?? 0) - before)).toBeLessThanOrEqual(5);
      expect([f1?.stamp, f2?.stamp]).toStrictEqual([undefined, undefined]);
      expect(await store.familyOfRefresh("jti:j2")).toMatchObject({ id: "f2" });
      expect((await store.revokedSince(undefined, 0)).revoked).toStrictEqual([{ jti: "a2", exp: FAR }]);

      const now = before + 10;
      const rotated = await store.redeemRefresh("jti:j1", { hash: "h".repeat(64), expiresAt: FAR }, { jti: "a3", exp: FAR }, now);
      expect(rotated).toMatchObject({ outcome: "rotated", family: { id: "f1", currentHash: "h".repeat(64) } });
      expect(await store.redeemRefresh("jti:j1", { hash: "i".repeat(64), expiresAt: FAR }, { jti: "a4", exp: FAR }, now)).toStrictEqual({ outcome: "reused" });
      expect(await store.redeemRefresh("jti:j2", { hash: "j".repeat(64), expiresAt: FAR }, { jti: "a5", exp: FAR }, now)).toStrictEqual({ outcome: "revoked" });
    } finally {
      await store.close();
    }

    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
      expect(db.prepare("SELECT hash, family_id FROM refresh_tokens ORDER BY hash").raw().all()).toStrictEqual([
        ["h".repeat(64), "f1"],
        ["jti:j1", "f1"],
        ["jti:j2", "f2"],
      ]);
      expect(db.prepare("SELECT name, value FROM store_meta").raw().all()).toStrictEqual([["first_signing_key", "k1"]]);
      expect(db.prepare("SELECT name FROM pragma_table_info('refresh_families') WHERE name = 'current_jti'").all()).toStrictEqual([]);
      expect(db.prepare("SELECT family_id, jti FROM access_tokens ORDER BY seq").raw().all()).toStrictEqual([
        ["f1", "a1"],
        ["f2", "a2"],
        ["f1", "a3"],
      ]);
    } finally {
      db.close();
    }
  });
});

describe("schema migration from version 2 to version 3 (the revocation feed)", () => {
  it("fills the feed with the unexpired access tokens of revoked sessions, in issue order; a cursor then lists only what is revoked after", async () => {
    const path = join(root, "v2", "auth.db");
    mkdirSync(join(path, ".."), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      for (const step of MIGRATIONS.slice(0, 2)) db.exec(step as string);
      db.pragma("user_version = 2");
      const family = db.prepare("INSERT INTO refresh_families (id, sub, role, claims, current_hash, expires_at, started_at, revoked_at) VALUES (?, 'sub', 'user', '{}', ?, ?, 1, ?)");
      family.run("live", "h-live", FAR, null);
      family.run("revoked", "h-revoked", FAR, 150);
      const accessToken = db.prepare("INSERT INTO access_tokens (family_id, jti, exp) VALUES (?, ?, ?)");
      accessToken.run("revoked", "expired", 1000);
      accessToken.run("live", "live-a0", FAR);
      accessToken.run("revoked", "revoked-a1", FAR);
      accessToken.run("revoked", "revoked-a2", FAR - 1);
      db.prepare("INSERT INTO refresh_tokens (hash, family_id) VALUES (?, ?)").run("h-live", "live");
    } finally {
      db.close();
    }
    const store = SqliteAuthStore.open(path);
    try {
      const full = await store.revokedSince(undefined, 0);
      expect(full.revoked).toStrictEqual([
        { jti: "revoked-a1", exp: FAR },
        { jti: "revoked-a2", exp: FAR - 1 },
      ]);
      await store.revokeFamily("live", 200);
      expect(await store.revokedSince(full.cursor, 0)).toStrictEqual({ revoked: [{ jti: "live-a0", exp: FAR }], cursor: String(Number(full.cursor) + 1) });
    } finally {
      await store.close();
    }
  });
});
