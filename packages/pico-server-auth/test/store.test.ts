import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuthStore, RefreshFamily, StoredSigningKey } from "../src/store/auth-store.js";
import { InMemoryAuthStore } from "../src/store/memory-store.js";
import { SqliteAuthStore } from "../src/store/sqlite-store.js";

const root = mkdtempSync(join(tmpdir(), "pico-auth-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
/** A fresh directory under the suite's temporary root, not created yet. */
const freshDir = () => join(root, `d${++dirs}`);

const key = (kid: string, createdAt: number): StoredSigningKey => ({ kid, alg: "EdDSA", material: `{"privateJwk":{"kid":"${kid}"}}`, createdAt });
const family = (id: string, overrides: Partial<RefreshFamily> = {}): RefreshFamily => ({
  id,
  sub: `sub-${id}`,
  role: "user",
  claims: { algorithm: "Ed25519", wallet_address: `0x${id}`, nested: { n: 1, list: ["a", "ü"] } },
  currentHash: `${id}-r0`,
  startedAt: 1,
  expiresAt: 1000,
  ...overrides,
});
const access = (jti: string, exp = 500) => ({ jti, exp });
const next = (hash: string, expiresAt = 2000) => ({ hash, expiresAt });
const byJti = (tokens: { jti: string }[]) => [...tokens].sort((a, b) => a.jti.localeCompare(b.jti));

const implementations: { name: string; open: () => AuthStore }[] = [
  { name: "InMemoryAuthStore", open: () => new InMemoryAuthStore() },
  { name: "SqliteAuthStore", open: () => SqliteAuthStore.open(join(freshDir(), "auth.db")) },
];

describe.each(implementations)("AuthStore contract: $name", ({ open }) => {
  let store: AuthStore;
  beforeEach(() => {
    store = open();
  });
  afterEach(() => store.close());

  describe("signing keys", () => {
    it("starts with none", async () => {
      expect(await store.signingKeys()).toStrictEqual([]);
    });

    it("adding a key retires every unretired one at its createdAt, keeps earlier retirements, and lists oldest first", async () => {
      await store.addSigningKey(key("k1", 100));
      await store.addSigningKey(key("k2", 200));
      await store.addSigningKey(key("k3", 300));
      expect(await store.signingKeys()).toStrictEqual([
        { ...key("k1", 100), retiredAt: 200 },
        { ...key("k2", 200), retiredAt: 300 },
        key("k3", 300),
      ]);
    });

    it("keeps the material exactly as given", async () => {
      const material = JSON.stringify({ mlDsaSeed: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", note: "ü\n\"quoted\"" });
      await store.addSigningKey({ kid: "k", alg: "ML-DSA-65", material, createdAt: 5 });
      expect((await store.signingKeys())[0]?.material).toBe(material);
    });

    it("deletes only the named key; deleting an unknown kid changes nothing", async () => {
      await store.addSigningKey(key("k1", 100));
      await store.addSigningKey(key("k2", 200));
      await store.deleteSigningKey("k1");
      await store.deleteSigningKey("nope");
      expect(await store.signingKeys()).toStrictEqual([key("k2", 200)]);
    });
  });

  describe("address bindings", () => {
    const first = { algorithm: "Ed25519", publicKey: "aa" };
    const second = { algorithm: "ML-DSA-65", publicKey: "bb" };

    it("the first key wins and every later call returns it", async () => {
      expect(await store.bindAddress("0x1", first)).toStrictEqual(first);
      expect(await store.bindAddress("0x1", second)).toStrictEqual(first);
      expect(await store.bindAddress("0x1", first)).toStrictEqual(first);
    });

    it("each address has its own binding", async () => {
      await store.bindAddress("0x1", first);
      expect(await store.bindAddress("0x2", second)).toStrictEqual(second);
      expect(await store.bindAddress("0x1", second)).toStrictEqual(first);
    });

    it("200 concurrent binds of one address with different keys all return the first", async () => {
      const keys = Array.from({ length: 200 }, (_, i) => ({ algorithm: "Ed25519", publicKey: `key-${i}` }));
      const held = await Promise.all(keys.map((k) => store.bindAddress("0xcontended", k)));
      expect(new Set(held.map((b) => b.publicKey))).toStrictEqual(new Set(["key-0"]));
    });
  });

  describe("refresh families", () => {
    it("family() returns what createFamily stored, and undefined for an unknown id", async () => {
      await store.createFamily(family("f1"), access("f1-a0"));
      expect(await store.family("f1")).toStrictEqual(family("f1"));
      expect(await store.family("f2")).toBeUndefined();
    });

    it("redeeming the current token rotates: next is current, its expiry is the family's, its access token is recorded", async () => {
      await store.createFamily(family("f1"), access("f1-a0"));
      const rotated = { ...family("f1"), currentHash: "f1-r1", expiresAt: 2000 };
      expect(await store.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10)).toStrictEqual({ outcome: "rotated", family: rotated });
      expect(await store.family("f1")).toStrictEqual(rotated);
      expect(await store.redeemRefresh("f1-r1", next("f1-r2", 3000), access("f1-a2"), 11)).toStrictEqual({
        outcome: "rotated",
        family: { ...rotated, currentHash: "f1-r2", expiresAt: 3000 },
      });
      await store.revokeFamily("f1", 12);
      expect(byJti(await store.revokedAccessTokens(0))).toStrictEqual([access("f1-a0"), access("f1-a1"), access("f1-a2")]);
    });

    it("redeeming a spent token is reuse: the family is revoked at now, and the offered access token is not recorded", async () => {
      await store.createFamily(family("f1"), access("f1-a0"));
      await store.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10);
      expect(await store.redeemRefresh("f1-r0", next("f1-x"), access("f1-ax"), 20)).toStrictEqual({ outcome: "reused" });
      expect(await store.family("f1")).toStrictEqual({ ...family("f1"), currentHash: "f1-r1", expiresAt: 2000, revokedAt: 20 });
      expect(byJti(await store.revokedAccessTokens(0))).toStrictEqual([access("f1-a0"), access("f1-a1")]);
    });

    it("a token hash no family ever had is unknown and revokes nothing (a made-up token cannot end a session)", async () => {
      await store.createFamily(family("f1"), access("f1-a0"));
      expect(await store.redeemRefresh("never-issued", next("f1-r1"), access("f1-a1"), 7)).toStrictEqual({ outcome: "unknown" });
      expect(await store.family("f1")).toStrictEqual(family("f1"));
    });

    it("an expired current token is refused as expired, and nothing changes", async () => {
      await store.createFamily(family("f1", { expiresAt: 100 }), access("f1-a0"));
      expect(await store.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 100)).toStrictEqual({ outcome: "expired" });
      expect(await store.family("f1")).toStrictEqual(family("f1", { expiresAt: 100 }));
    });

    it("familyOfRefresh finds the family of its current and of its spent tokens, nothing for others", async () => {
      await store.createFamily(family("f1", { stamp: "admin:3" }), access("f1-a0"));
      await store.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10);
      const rotated = { ...family("f1", { stamp: "admin:3" }), currentHash: "f1-r1", expiresAt: 2000 };
      expect(await store.familyOfRefresh("f1-r0")).toStrictEqual(rotated);
      expect(await store.familyOfRefresh("f1-r1")).toStrictEqual(rotated);
      expect(await store.familyOfRefresh("f1-r2")).toBeUndefined();
    });

    it("after revocation even the current token is refused as revoked, and nothing changes", async () => {
      await store.createFamily(family("f1"), access("f1-a0"));
      await store.revokeFamily("f1", 5);
      expect(await store.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10)).toStrictEqual({ outcome: "revoked" });
      expect(await store.family("f1")).toStrictEqual({ ...family("f1"), revokedAt: 5 });
      expect(await store.revokedAccessTokens(0)).toStrictEqual([access("f1-a0")]);
    });

    it("an unknown family is unknown, and redeeming it creates nothing", async () => {
      expect(await store.redeemRefresh("ghost-r0", next("ghost-r1"), access("ghost-a1"), 10)).toStrictEqual({ outcome: "unknown" });
      expect(await store.family("ghost")).toBeUndefined();
    });

    it("reuse of one family leaves the others alone", async () => {
      await store.createFamily(family("f1"), access("f1-a0"));
      await store.createFamily(family("f2"), access("f2-a0"));
      await store.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10);
      expect(await store.redeemRefresh("f1-r0", next("f1-r2"), access("f1-a2"), 10)).toStrictEqual({ outcome: "reused" });
      expect(await store.family("f2")).toStrictEqual(family("f2"));
      expect(await store.redeemRefresh("f2-r0", next("f2-r1"), access("f2-a1"), 11)).toMatchObject({ outcome: "rotated" });
    });

    it("creating a family under an existing id fails and changes nothing: a revoked family stays revoked", async () => {
      await store.createFamily(family("f1"), access("f1-old"));
      await store.revokeFamily("f1", 5);
      await expect(store.createFamily(family("f1", { sub: "other" }), access("f1-new"))).rejects.toThrow();
      expect(await store.family("f1")).toStrictEqual({ ...family("f1"), revokedAt: 5 });
      expect(await store.revokedAccessTokens(0)).toStrictEqual([access("f1-old")]);
    });

    it("50 concurrent redeems of one token: exactly one rotates, the next one is reuse, the rest find the family revoked", async () => {
      await store.createFamily(family("f1"), access("f1-a0"));
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => store.redeemRefresh("f1-r0", next(`f1-r${i + 1}`), access(`f1-a${i + 1}`), 10)));
      const count = (outcome: string) => outcomes.filter((o) => o.outcome === outcome).length;
      expect([count("rotated"), count("reused"), count("revoked")]).toStrictEqual([1, 1, 48]);
      expect((await store.family("f1"))?.revokedAt).toBe(10);
    });
  });

  describe("revokeFamily", () => {
    it("is false for an unknown family", async () => {
      expect(await store.revokeFamily("ghost", 5)).toBe(false);
      expect(await store.family("ghost")).toBeUndefined();
    });

    it("is true for a known one, also the second time, which keeps the first time", async () => {
      await store.createFamily(family("f1"), access("f1-a0"));
      expect(await store.revokeFamily("f1", 5)).toBe(true);
      expect(await store.revokeFamily("f1", 9)).toBe(true);
      expect((await store.family("f1"))?.revokedAt).toBe(5);
    });
  });

  describe("revokeSubject", () => {
    it("revokes every unrevoked family of the subject at now, counts them, and leaves other subjects alone", async () => {
      await store.createFamily(family("a1", { sub: "alice" }), access("a1-a0"));
      await store.createFamily(family("a2", { sub: "alice" }), access("a2-a0"));
      await store.createFamily(family("a3", { sub: "alice" }), access("a3-a0"));
      await store.createFamily(family("b1", { sub: "bob" }), access("b1-a0"));
      await store.revokeFamily("a3", 5);
      expect(await store.revokeSubject("alice", 9)).toBe(2);
      expect([(await store.family("a1"))?.revokedAt, (await store.family("a2"))?.revokedAt, (await store.family("a3"))?.revokedAt]).toStrictEqual([9, 9, 5]);
      expect((await store.family("b1"))?.revokedAt).toBeUndefined();
      expect(await store.revokeSubject("alice", 10)).toBe(0);
      expect(await store.revokeSubject("nobody", 10)).toBe(0);
      expect(await store.redeemRefresh("a1-r0", next("a1-r1"), access("a1-a1"), 11)).toStrictEqual({ outcome: "revoked" });
    });

    it("keeps the families whose stamp is keepStamp (the key an address moved to), revokes the others, unstamped ones too", async () => {
      await store.createFamily(family("old", { sub: "0xa", stamp: "key:old" }), access("old-a0"));
      await store.createFamily(family("new", { sub: "0xa", stamp: "key:new" }), access("new-a0"));
      await store.createFamily(family("legacy", { sub: "0xa" }), access("legacy-a0"));
      expect(await store.revokeSubject("0xa", 9, "key:new")).toBe(2);
      expect([(await store.family("old"))?.revokedAt, (await store.family("new"))?.revokedAt, (await store.family("legacy"))?.revokedAt]).toStrictEqual([9, undefined, 9]);
    });
  });

  describe("address bindings: lookup, unbind, move", () => {
    const k1 = { algorithm: "Ed25519", publicKey: "aa" };
    const k2 = { algorithm: "secp256k1", publicKey: "bb" };
    it("binding() is the exact address's holder, without case folding", async () => {
      await store.bindAddress("0xAb", k1);
      expect(await store.binding("0xAb")).toStrictEqual(k1);
      expect(await store.binding("0xab")).toBeUndefined();
    });

    it("unbindAddress frees the address for the next key, and is false when there was nothing to unbind", async () => {
      await store.bindAddress("0x1", k1);
      expect(await store.unbindAddress("0x1")).toBe(true);
      expect(await store.unbindAddress("0x1")).toBe(false);
      expect(await store.bindAddress("0x1", k2)).toStrictEqual(k2);
    });

    it("moveAddress rebinds only from the current holder (compare-and-set); concurrent moves: exactly one wins", async () => {
      await store.bindAddress("0x1", k1);
      expect(await store.moveAddress("0x1", k2, k1)).toBe(false);
      expect(await store.moveAddress("0x2", k1, k2)).toBe(false);
      const targets = Array.from({ length: 20 }, (_, i) => ({ algorithm: "Ed25519", publicKey: `c${i}` }));
      const moved = await Promise.all(targets.map((to) => store.moveAddress("0x1", k1, to)));
      expect(moved.filter(Boolean)).toHaveLength(1);
      expect(await store.binding("0x1")).toStrictEqual(targets[moved.indexOf(true)]);
      expect(await store.binding("0x2")).toBeUndefined();
    });
  });

  describe("admin credential", () => {
    it("starts unset; the first hash is generation 1, the same hash keeps it, another one increments it", async () => {
      expect(await store.adminCredential()).toBeUndefined();
      expect(await store.saveAdminCredential("h1")).toBe(1);
      expect(await store.saveAdminCredential("h1")).toBe(1);
      expect(await store.saveAdminCredential("h2")).toBe(2);
      expect(await store.adminCredential()).toStrictEqual({ hash: "h2", generation: 2 });
      expect(await store.saveAdminCredential("h1")).toBe(3);
    });
  });

  describe("firstSigningKey", () => {
    it("is the kid of the first key ever added, also after that key is deleted", async () => {
      expect(await store.firstSigningKey()).toBeUndefined();
      await store.addSigningKey(key("k1", 100));
      await store.addSigningKey(key("k2", 200));
      await store.deleteSigningKey("k1");
      expect(await store.firstSigningKey()).toBe("k1");
    });
  });

  describe("revokedAccessTokens", () => {
    it("lists only the tokens of revoked families that are unexpired at now (exp == now is expired)", async () => {
      await store.createFamily(family("live"), access("live-a0", 900));
      await store.createFamily(family("gone"), access("gone-a0", 100));
      await store.redeemRefresh("gone-r0", next("gone-r1"), access("gone-a1", 200), 50);
      await store.redeemRefresh("gone-r1", next("gone-r2"), access("gone-a2", 300), 60);
      await store.revokeFamily("gone", 70);
      expect(byJti(await store.revokedAccessTokens(0))).toStrictEqual([access("gone-a0", 100), access("gone-a1", 200), access("gone-a2", 300)]);
      expect(byJti(await store.revokedAccessTokens(200))).toStrictEqual([access("gone-a2", 300)]);
      expect(await store.revokedAccessTokens(300)).toStrictEqual([]);
    });
  });

  describe("prune", () => {
    it("forgets expired access tokens and families whose refresh token expired once none of their tokens is left", async () => {
      await store.createFamily(family("expired", { expiresAt: 100 }), access("expired-a0", 50));
      await store.createFamily(family("at-now", { expiresAt: 200 }), access("at-now-a0", 200));
      await store.createFamily(family("token-lives", { expiresAt: 100 }), access("token-lives-a0", 300));
      await store.createFamily(family("refresh-lives", { expiresAt: 201 }), access("refresh-lives-a0", 50));
      for (const id of ["expired", "at-now", "token-lives", "refresh-lives"]) await store.revokeFamily(id, 10);

      await store.prune(200);

      expect(await store.family("expired")).toBeUndefined();
      expect(await store.family("at-now")).toBeUndefined();
      expect(await store.family("token-lives")).toStrictEqual({ ...family("token-lives", { expiresAt: 100 }), revokedAt: 10 });
      expect(await store.family("refresh-lives")).toStrictEqual({ ...family("refresh-lives", { expiresAt: 201 }), revokedAt: 10 });
      // Asked as of time 0, the feed shows what is still stored: only the unexpired token.
      expect(await store.revokedAccessTokens(0)).toStrictEqual([access("token-lives-a0", 300)]);
    });

    it("keeps everything that is still current", async () => {
      await store.createFamily(family("f1", { expiresAt: 1000 }), access("f1-a0", 500));
      await store.prune(400);
      await store.revokeFamily("f1", 401);
      expect(await store.revokedAccessTokens(0)).toStrictEqual([access("f1-a0", 500)]);
    });

    it("a pruned family's refresh tokens are unknown afterwards", async () => {
      await store.createFamily(family("f1", { expiresAt: 100 }), access("f1-a0", 50));
      await store.prune(100);
      expect(await store.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 101)).toStrictEqual({ outcome: "unknown" });
    });
  });
});

describe("SqliteAuthStore", () => {
  const stores: SqliteAuthStore[] = [];
  const open = (path: string) => {
    const store = SqliteAuthStore.open(path);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it("a reopened file holds everything the closed store had: keys, bindings, families, revocations", async () => {
    const path = join(freshDir(), "auth.db");
    const before = open(path);
    await before.addSigningKey(key("k1", 100));
    await before.addSigningKey(key("k2", 200));
    await before.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "aa" });
    await before.createFamily(family("f1"), access("f1-a0"));
    await before.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10);
    await before.createFamily(family("f2"), access("f2-a0"));
    await before.revokeFamily("f2", 11);
    await before.close();

    const after = open(path);
    expect(await after.signingKeys()).toStrictEqual([{ ...key("k1", 100), retiredAt: 200 }, key("k2", 200)]);
    expect(await after.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "other" })).toStrictEqual({ algorithm: "Ed25519", publicKey: "aa" });
    expect(await after.family("f1")).toStrictEqual({ ...family("f1"), currentHash: "f1-r1", expiresAt: 2000 });
    expect(await after.family("f2")).toStrictEqual({ ...family("f2"), revokedAt: 11 });
    expect(await after.revokedAccessTokens(0)).toStrictEqual([access("f2-a0")]);
    expect(await after.redeemRefresh("f1-r0", next("f1-x"), access("f1-ax"), 12)).toStrictEqual({ outcome: "reused" });
  });

  it("creates a new directory with mode 0700 and the database, WAL and shared-memory files with mode 0600", async () => {
    const dir = join(freshDir(), "nested", "state");
    const path = join(dir, "auth.db");
    const store = open(path);
    await store.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "aa" });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "..")).mode & 0o777).toBe(0o700);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect([file, statSync(file).mode & 0o777]).toStrictEqual([file, 0o600]);
  });

  it("leaves the mode of an existing directory alone", () => {
    const dir = mkdtempSync(join(root, "existing-"));
    chmodSync(dir, 0o755);
    open(join(dir, "auth.db"));
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  });

  it("synchronous: normal keeps what was committed, as full does, across a reopen", async () => {
    const path = join(freshDir(), "auth.db");
    const fast = SqliteAuthStore.open(path, { synchronous: "normal" });
    await fast.bindAddress("0xnormal", { algorithm: "Ed25519", publicKey: "aa" });
    await fast.close();
    const again = SqliteAuthStore.open(path);
    expect(await again.bindAddress("0xnormal", { algorithm: "Ed25519", publicKey: "bb" })).toStrictEqual({ algorithm: "Ed25519", publicKey: "aa" });
    await again.close();
  });

  it("the file is in WAL mode at schema version 2", () => {
    const path = join(freshDir(), "auth.db");
    open(path);
    const raw = new Database(path, { readonly: true });
    try {
      expect([raw.pragma("journal_mode", { simple: true }), raw.pragma("user_version", { simple: true })]).toStrictEqual(["wal", 2]);
    } finally {
      raw.close();
    }
  });

  it("refuses a file from a newer schema version, naming both versions", () => {
    const path = join(freshDir(), "auth.db");
    open(path);
    const raw = new Database(path);
    raw.pragma("user_version = 7");
    raw.close();
    expect(() => SqliteAuthStore.open(path)).toThrow(`${path} has schema version 7, but this pico-server-auth knows versions up to 2: a newer version wrote it; upgrade pico-server-auth`);
  });

  it("a second store on the same file sees the first one's commits, and writers on both stay consistent", async () => {
    const path = join(freshDir(), "auth.db");
    const a = open(path);
    const b = open(path);
    await a.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "aa" });
    expect(await b.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "bb" })).toStrictEqual({ algorithm: "Ed25519", publicKey: "aa" });
    await b.createFamily(family("f1"), access("f1-a0"));
    expect(await a.redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10)).toMatchObject({ outcome: "rotated" });
    expect(await b.redeemRefresh("f1-r0", next("f1-r2"), access("f1-a2"), 11)).toStrictEqual({ outcome: "reused" });
    expect((await a.family("f1"))?.revokedAt).toBe(11);
    await a.addSigningKey(key("k1", 100));
    await b.addSigningKey(key("k2", 200));
    expect(await a.signingKeys()).toStrictEqual([{ ...key("k1", 100), retiredAt: 200 }, key("k2", 200)]);
  });

  it("addSigningKey is one transaction: a duplicate kid fails and retires nothing", async () => {
    const store = open(join(freshDir(), "auth.db"));
    await store.addSigningKey(key("k1", 100));
    await expect(store.addSigningKey(key("k1", 200))).rejects.toThrow("UNIQUE constraint failed: signing_keys.kid");
    expect(await store.signingKeys()).toStrictEqual([key("k1", 100)]);
  });

  it("close() is idempotent, and a call after it fails naming the method and the file", async () => {
    const path = join(freshDir(), "auth.db");
    const store = SqliteAuthStore.open(path);
    await store.close();
    await store.close();
    await expect(store.family("f1")).rejects.toThrow(`SqliteAuthStore.family() was called after close() on ${path}; open the store again to use it`);
    await expect(store.bindAddress("0x1", { algorithm: "Ed25519", publicKey: "aa" })).rejects.toThrow("SqliteAuthStore.bindAddress() was called after close()");
    await expect(store.importLegacyFiles(freshDir(), async () => "kid")).rejects.toThrow("SqliteAuthStore.importLegacyFiles() was called after close()");
  });
});

describe("SqliteAuthStore.importLegacyFiles", () => {
  const privateJwk = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A" };
  const mlDsaSeed = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
  let dir: string;
  let store: SqliteAuthStore;
  let kidCalls: [string, string][];
  const kidOf = async (alg: string, material: string) => {
    kidCalls.push([alg, material]);
    return `kid-of-${alg}`;
  };
  const line = (address: string, publicKey: string) => `${JSON.stringify({ address, algorithm: "Ed25519", publicKey })}\n`;
  const holder = async (address: string) => (await store.bindAddress(address, { algorithm: "probe", publicKey: "probe" })).publicKey;

  beforeEach(() => {
    dir = mkdtempSync(join(root, "legacy-"));
    store = SqliteAuthStore.open(join(dir, "auth.db"));
    kidCalls = [];
  });
  afterEach(() => store.close());

  it("imports a classical key as {privateJwk} created at the file's time, under the kid the callback computes", async () => {
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "EdDSA", privateJwk }, null, 2));
    utimesSync(join(dir, "signing-key.json"), 1_700_000_000, 1_700_000_123.9);
    expect(await store.importLegacyFiles(dir, kidOf)).toBe("the EdDSA signing key");
    const material = JSON.stringify({ privateJwk });
    expect(kidCalls).toStrictEqual([["EdDSA", material]]);
    expect(await store.signingKeys()).toStrictEqual([{ kid: "kid-of-EdDSA", alg: "EdDSA", material, createdAt: 1_700_000_123 }]);
  });

  it("imports an ML-DSA-65 key as {mlDsaSeed}", async () => {
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "ML-DSA-65", mlDsaSeed }));
    await store.importLegacyFiles(dir, kidOf);
    const [stored] = await store.signingKeys();
    expect([stored?.kid, stored?.alg, stored?.material]).toStrictEqual(["kid-of-ML-DSA-65", "ML-DSA-65", JSON.stringify({ mlDsaSeed })]);
  });

  it("imports bindings first line per address wins, skips torn lines, and leaves both files in place", async () => {
    const key = JSON.stringify({ alg: "EdDSA", privateJwk });
    // A crash tore the "0xb" line; the next append landed behind it, so "0xc"'s first line is lost too.
    const bindings = `${line("0xa", "a1")}${line("0xb", "b1").slice(0, 20)}${line("0xc", "c1")}${line("0xa", "a2")}${line("0xd", "d1")}\n${line("0xc", "c2")}${line("0xe", "e1").slice(0, 25)}`;
    writeFileSync(join(dir, "signing-key.json"), key);
    writeFileSync(join(dir, "wallet-bindings.jsonl"), bindings);
    expect(await store.importLegacyFiles(dir, kidOf)).toBe("the EdDSA signing key and 3 address bindings");
    expect([await holder("0xa"), await holder("0xb"), await holder("0xc"), await holder("0xd"), await holder("0xe")]).toStrictEqual(["a1", "probe", "c2", "d1", "probe"]);
    expect(readFileSync(join(dir, "signing-key.json"), "utf8")).toBe(key);
    expect(readFileSync(join(dir, "wallet-bindings.jsonl"), "utf8")).toBe(bindings);
  });

  it("imports bindings without a key file", async () => {
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    expect(await store.importLegacyFiles(dir, kidOf)).toBe("1 address binding");
    expect(await store.signingKeys()).toStrictEqual([]);
    expect(await holder("0xa")).toBe("a1");
  });

  it("imports nothing, and reads no key, when the database already has a binding", async () => {
    await store.bindAddress("0xnew", { algorithm: "Ed25519", publicKey: "n1" });
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "EdDSA", privateJwk }));
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    expect(await store.importLegacyFiles(dir, kidOf)).toBeUndefined();
    expect([kidCalls, await store.signingKeys(), await holder("0xa")]).toStrictEqual([[], [], "probe"]);
  });

  it("imports nothing when the database already has a key, so a second import is a no-op", async () => {
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "EdDSA", privateJwk }));
    await store.importLegacyFiles(dir, kidOf);
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    expect(await store.importLegacyFiles(dir, kidOf)).toBeUndefined();
    expect([(await store.signingKeys()).length, await holder("0xa")]).toStrictEqual([1, "probe"]);
  });

  it("returns undefined when there are no files, or no directory", async () => {
    expect(await store.importLegacyFiles(dir, kidOf)).toBeUndefined();
    expect(await store.importLegacyFiles(join(dir, "missing"), kidOf)).toBeUndefined();
  });

  it("refuses a key file that is not a key, naming what it holds but no values, and imports no binding either", async () => {
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "RS256", mlDsaSeed: "secret-seed" }));
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    const error = await store.importLegacyFiles(dir, kidOf).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `${join(dir, "signing-key.json")} is not a signing key: expected {"alg": ..., "privateJwk": {...}} or {"alg": "ML-DSA-65", "mlDsaSeed": "..."}, got an object with ["alg","mlDsaSeed"] and alg "RS256"`,
    );
    expect((error as Error).message).not.toContain("secret-seed");
    expect(await holder("0xa")).toBe("probe");
  });

  it("refuses a key file that is not JSON", async () => {
    writeFileSync(join(dir, "signing-key.json"), '{"alg": "EdDSA", "privateJwk": {');
    await expect(store.importLegacyFiles(dir, kidOf)).rejects.toThrow(`${join(dir, "signing-key.json")} is not JSON (`);
  });

  it("refuses a bindings line that is JSON but not a binding, naming the line", async () => {
    writeFileSync(join(dir, "wallet-bindings.jsonl"), `${line("0xa", "a1")}{"address":"0xb","publicKey":7}\n`);
    await expect(store.importLegacyFiles(dir, kidOf)).rejects.toThrow(
      `${join(dir, "wallet-bindings.jsonl")} line 2 is not a binding: expected {"address", "algorithm", "publicKey"} strings, got {"address":"0xb","publicKey":7}`,
    );
    expect(await holder("0xa")).toBe("probe");
  });

  it("imports nothing when the kid callback fails", async () => {
    writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "EdDSA", privateJwk }));
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    await expect(store.importLegacyFiles(dir, async () => Promise.reject(new Error("bad key")))).rejects.toThrow("bad key");
    expect([await store.signingKeys(), await holder("0xa")]).toStrictEqual([[], "probe"]);
  });

  it("a second store that imported meanwhile wins: the first imports nothing", async () => {
    writeFileSync(join(dir, "wallet-bindings.jsonl"), line("0xa", "a1"));
    const other = SqliteAuthStore.open(join(dir, "auth.db"));
    try {
      // The other process imports while this one is computing the kid (after its first emptiness check).
      const slowKid = async (alg: string, material: string) => {
        await other.bindAddress("0xother", { algorithm: "Ed25519", publicKey: "o1" });
        return kidOf(alg, material);
      };
      writeFileSync(join(dir, "signing-key.json"), JSON.stringify({ alg: "EdDSA", privateJwk }));
      expect(await store.importLegacyFiles(dir, slowKid)).toBeUndefined();
      expect([await store.signingKeys(), await holder("0xa"), existsSync(join(dir, "signing-key.json"))]).toStrictEqual([[], "probe", true]);
    } finally {
      await other.close();
    }
  });
});
