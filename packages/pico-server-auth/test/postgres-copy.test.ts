import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { StoredSigningKey } from "../src/keys/signing-key-store.js";
import type { RefreshFamily } from "../src/sessions/session-store.js";
import type { DurableState } from "../src/state/durable-state.js";
import { copySqliteToPostgres } from "../src/state/postgres/copy-from-sqlite.js";
import { runCopyStore } from "../src/state/postgres/copy-store-cli.js";
import { SqliteAuthStore } from "../src/store/sqlite-store.js";
import { createTestDatabase } from "./postgres-support.js";

const database = await createTestDatabase();
const dataDir = mkdtempSync(join(tmpdir(), "pico-copy-"));
afterAll(async () => {
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const NOW = Math.floor(Date.now() / 1000);
const PASSWORD = "copy-Secret-pw";
const FEED = [
  { jti: "gone-a0", exp: NOW + 900 },
  { jti: "reused-a0", exp: NOW + 600 },
  { jti: "reused-a1", exp: NOW + 600 },
];
const ADDRESSES = Array.from({ length: 2_500 }, (_, i) => `0x${i.toString(16).padStart(40, "0")}`);

const family = (id: string, overrides: Partial<RefreshFamily> = {}): RefreshFamily => ({
  id,
  sub: `sub-${id}`,
  role: "wallet",
  claims: { algorithm: "ML-DSA-65", wallet_address: `0x${id}`, nested: { a: [1, 2.5, "x"] } },
  currentHash: `${id}-h0`,
  expiresAt: NOW + 7 * 86400,
  startedAt: NOW - 60,
  ...overrides,
});

/** A SQLite store with one of everything, filled through its own API as the server fills it. */
async function fillSqlite(path: string): Promise<SqliteAuthStore> {
  const store = SqliteAuthStore.open(path);
  // Called with the expected active kid of SIGNING_KEY_STORE; an AUTH_STORE-era store ignores it.
  const addKey = store.addSigningKey.bind(store) as (key: StoredSigningKey, expectedActive: string | undefined) => Promise<unknown>;
  await addKey({ kid: "k-first", alg: "ML-DSA-65", material: "pico-kek:v1:sealed-1", createdAt: NOW - 300 }, undefined);
  await addKey({ kid: "k-second", alg: "ML-DSA-65", material: "pico-kek:v1:sealed-2", createdAt: NOW - 200 }, "k-first");
  await addKey({ kid: "k-third", alg: "EdDSA", material: '{"kty":"OKP","d":"x"}', createdAt: NOW - 100 }, "k-second");
  await store.deleteSigningKey("k-first");
  // More than one copy chunk; bound in one event-loop turn, so SQLite commits them together.
  await Promise.all(ADDRESSES.map((address, i) => store.bindAddress(address, { algorithm: i % 2 ? "Ed25519" : "secp256k1", publicKey: `pk${i}` })));
  // A session refreshed twice (three refresh hashes, three access tokens).
  await store.createFamily(family("live", { stamp: "stamp-1" }), { jti: "live-a0", exp: NOW + 900 });
  await store.redeemRefresh("live-h0", { hash: "live-h1", expiresAt: NOW + 7 * 86400 }, { jti: "live-a1", exp: NOW + 900 }, NOW);
  await store.redeemRefresh("live-h1", { hash: "live-h2", expiresAt: NOW + 7 * 86400 }, { jti: "live-a2", exp: NOW + 900 }, NOW);
  // A logged-out session: its unexpired token must be in the feed, its expired one not.
  await store.createFamily(family("gone"), { jti: "gone-a0", exp: NOW + 900 });
  await store.redeemRefresh("gone-h0", { hash: "gone-h1", expiresAt: NOW + 7 * 86400 }, { jti: "gone-expired", exp: NOW - 1 }, NOW - 1000);
  await store.revokeFamily("gone", NOW - 10);
  // A reuse-revoked session.
  await store.createFamily(family("reused"), { jti: "reused-a0", exp: NOW + 600 });
  await store.redeemRefresh("reused-h0", { hash: "reused-h1", expiresAt: NOW + 7 * 86400 }, { jti: "reused-a1", exp: NOW + 600 }, NOW);
  await store.redeemRefresh("reused-h0", { hash: "reused-h2", expiresAt: NOW + 7 * 86400 }, { jti: "reused-a2", exp: NOW + 600 }, NOW);
  await store.saveAdminCredential("$argon2id$v=19$m=19456,t=2,p=1$first");
  await store.saveAdminCredential("$argon2id$v=19$m=19456,t=2,p=1$second");
  return store;
}

describe.skipIf(!database)("copying a SQLite store into PostgreSQL", () => {
  const db = database!;
  const sqlitePath = join(dataDir, "auth.db");
  let sqlite: SqliteAuthStore;
  let postgres: DurableState;

  it("copies every key, binding, session, refresh hash, access token, feed entry, the admin credential and the first kid, and reads back equal", async () => {
    sqlite = await fillSqlite(sqlitePath);
    const report = await copySqliteToPostgres(dataDir, db.url, { now: NOW });
    expect(report).toEqual({ signingKeys: 2, bindings: 2_500, families: 3, refreshTokens: 7, accessTokens: 7, feedEntries: 3, adminCredential: 1, meta: 1 });
    postgres = await db.open();

    expect(await postgres.signingKeys.signingKeys()).toEqual(await sqlite.signingKeys());
    expect(await postgres.signingKeys.firstSigningKey()).toBe("k-first");
    const read = (store: { binding(address: string): Promise<unknown> }) => Promise.all(ADDRESSES.map((address) => store.binding(address)));
    expect(await read(postgres.bindings)).toEqual(await read(sqlite));
    for (const id of ["live", "gone", "reused"]) expect(await postgres.sessions.family(id)).toEqual(await sqlite.family(id));
    for (const hash of ["live-h0", "live-h1", "live-h2", "gone-h0", "gone-h1", "reused-h0", "reused-h1"]) {
      expect(await postgres.sessions.familyOfRefresh(hash)).toEqual(await sqlite.familyOfRefresh(hash));
    }
    // The unexpired tokens of the revoked sessions, in issue order: not the expired one, nor what a reused token's redeem offered.
    expect((await postgres.revocations.revokedSince(undefined, NOW)).revoked).toEqual(FEED);
    expect(await postgres.admin.adminCredential()).toEqual(await sqlite.adminCredential());
  });

  it("the copied sessions go on as they would have: the current token rotates, an earlier one revokes", async () => {
    expect(await postgres.sessions.redeemRefresh("live-h2", { hash: "live-h3", expiresAt: NOW + 86400 }, { jti: "live-a3", exp: NOW + 900 }, NOW)).toMatchObject({ outcome: "rotated" });
    expect(await postgres.sessions.redeemRefresh("live-h0", { hash: "live-h4", expiresAt: NOW + 86400 }, { jti: "live-a4", exp: NOW + 900 }, NOW)).toEqual({ outcome: "reused" });
    expect((await postgres.revocations.revokedSince(undefined, NOW)).revoked.map((t) => t.jti)).toEqual(expect.arrayContaining(["live-a0", "live-a1", "live-a2", "live-a3"]));
  });

  it("refuses a target that holds anything, naming what, and writes nothing", async () => {
    const before = (await db.sql("SELECT count(*)::int AS n FROM pico_auth_address_bindings")).rows[0]?.n;
    await expect(copySqliteToPostgres(sqlitePath, db.url)).rejects.toThrow(
      /^the PostgreSQL store at postgres:\/\/127\.0\.0\.1:5432\/pico_test_[0-9a-f]+ is not empty \(pico_auth_signing_keys: 2, pico_auth_address_bindings: 2500, .*\); copy into an empty database, or pass --force to replace what it holds$/,
    );
    expect((await db.sql("SELECT count(*)::int AS n FROM pico_auth_address_bindings")).rows[0]?.n).toBe(before);
  });

  it("with force, replaces what the target holds (and gives it a new store id, so revocation cursors start over)", async () => {
    const cursor = (await postgres.revocations.revokedSince(undefined, NOW)).cursor;
    await sqlite.bindAddress("0xadded-later", { algorithm: "Ed25519", publicKey: "later" });
    const report = await copySqliteToPostgres(sqlitePath, db.url, { force: true, now: NOW });
    expect(report.bindings).toBe(2_501);
    expect(await postgres.sessions.family("live")).toEqual(await sqlite.family("live"));
    const fresh = await db.open();
    const changes = await fresh.revocations.revokedSince(cursor, NOW);
    expect(changes.revoked).toEqual(FEED);
  });

  it("pico-auth-copy-store: usage errors exit 2; a copy prints counts and the URL without its password; a refused one exits 1", async () => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(`out ${line}`), err: (line: string) => lines.push(`err ${line}`) };
    expect(await runCopyStore([], {}, io)).toBe(2);
    expect(await runCopyStore(["--from", dataDir, "--too", "x"], {}, io)).toBe(2);
    expect(await runCopyStore(["--from", dataDir], {}, io)).toBe(2);
    expect(lines.filter((line) => line.startsWith("err pico-auth-copy-store:")).map((line) => line.split("\n")[0])).toEqual([
      "err pico-auth-copy-store: --from is required",
      expect.stringMatching(/^err pico-auth-copy-store: Unknown option '--too'/),
      "err pico-auth-copy-store: --to (or env SERVER_AUTH__POSTGRES_URL) is required",
    ]);
    lines.length = 0;
    const url = new URL(db.url);
    url.password = PASSWORD;
    expect(await runCopyStore(["--from", sqlitePath], { SERVER_AUTH__POSTGRES_URL: url.href }, io)).toBe(1);
    expect(lines.at(-1)).toMatch(/^err pico-auth-copy-store: nothing was copied: the PostgreSQL store at postgres:\/\/127\.0\.0\.1:5432\/pico_test_\w+ is not empty/);
    expect(await runCopyStore(["--from", sqlitePath, "--to", url.href, "--force"], {}, io)).toBe(0);
    expect(lines.at(-1)).toMatch(
      /^out copied .*auth\.db to postgres:\/\/127\.0\.0\.1:5432\/pico_test_\w+: 2 signing keys, 2501 address bindings, 3 sessions, 7 refresh tokens, 7 access tokens, 3 revocation feed entries, 1 admin credential, 1 store records; counts verified$/,
    );
    expect(lines.join("\n")).not.toContain(PASSWORD);
    expect(await runCopyStore(["--from", join(dataDir, "missing.db"), "--to", url.href], {}, io)).toBe(1);
    expect(lines.at(-1)).toMatch(/^err pico-auth-copy-store: nothing was copied: cannot open the SQLite store .*missing\.db/);
  });

  afterAll(() => sqlite?.close());
});
