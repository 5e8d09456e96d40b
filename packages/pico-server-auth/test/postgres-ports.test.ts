import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RefreshFamily } from "../src/sessions/session-store.js";
import type { DurableState } from "../src/state/durable-state.js";
import { createTestDatabase } from "./postgres-support.js";

// What each port promises (its doc comment), on PostgreSQL. The shared contract suites of
// pico-server-auth/testing run here too once they land (see the report of issue 16's postgres helper).
const database = await createTestDatabase();
let state: DurableState;
beforeAll(async () => {
  if (database) state = await database.open();
});
afterAll(() => database?.drop());

const NOW = 1_800_000_000;
let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}`;

function newFamily(overrides: Partial<RefreshFamily> = {}): RefreshFamily {
  const id = unique("family");
  return { id, sub: unique("sub"), role: "wallet", claims: { algorithm: "Ed25519", wallet_address: "0xabc" }, currentHash: `hash-${id}`, expiresAt: NOW + 3600, startedAt: NOW, ...overrides };
}

describe.skipIf(!database)("PostgreSQL durable ports", () => {
  describe("signing keys", () => {
    const key = (kid: string, createdAt: number) => ({ kid, alg: "EdDSA", material: `sealed:${kid}`, createdAt });

    it("adds a key only while the expected one is active, retiring the others, and remembers the first kid after it is deleted", async () => {
      expect(await state.signingKeys.addSigningKey(key("k1", NOW), undefined)).toBe(true);
      expect(await state.signingKeys.addSigningKey(key("k-late", NOW + 1), undefined)).toBe(false);
      expect(await state.signingKeys.addSigningKey(key("k2", NOW + 10), "k1")).toBe(true);
      expect(await state.signingKeys.addSigningKey(key("k-stale", NOW + 20), "k1")).toBe(false);
      expect(await state.signingKeys.signingKeys()).toEqual([{ ...key("k1", NOW), retiredAt: NOW + 10 }, key("k2", NOW + 10)]);
      await expect(state.signingKeys.addSigningKey(key("k2", NOW + 30), "k2")).rejects.toThrow(/duplicate key/);
      expect((await state.signingKeys.signingKeys()).map((k) => k.retiredAt)).toEqual([NOW + 10, undefined]);
      await state.signingKeys.deleteSigningKey("k1");
      await state.signingKeys.deleteSigningKey("never-kept");
      expect((await state.signingKeys.signingKeys()).map((k) => k.kid)).toEqual(["k2"]);
      expect(await state.signingKeys.firstSigningKey()).toBe("k1");
    });
  });

  describe("bindings", () => {
    const a = { algorithm: "Ed25519", publicKey: "aa" };
    const b = { algorithm: "ML-DSA-65", publicKey: "bb" };

    it("binds first key wins, unbinds, and moves only from the binding that holds (no case folding)", async () => {
      expect(await state.bindings.bindAddress("0xAbC", a)).toEqual(a);
      expect(await state.bindings.bindAddress("0xAbC", b)).toEqual(a);
      expect(await state.bindings.binding("0xabc")).toBeUndefined();
      expect(await state.bindings.moveAddress("0xAbC", b, a)).toBe(false);
      expect(await state.bindings.moveAddress("0xAbC", a, b)).toBe(true);
      expect(await state.bindings.binding("0xAbC")).toEqual(b);
      expect(await state.bindings.unbindAddress("0xAbC")).toBe(true);
      expect(await state.bindings.unbindAddress("0xAbC")).toBe(false);
      expect(await state.bindings.binding("0xAbC")).toBeUndefined();
    });

    it("20 concurrent binds of one address all return the one that won", async () => {
      const keys = Array.from({ length: 20 }, (_, i) => ({ algorithm: "Ed25519", publicKey: `k${i}` }));
      const results = await Promise.all(keys.map((k) => state.bindings.bindAddress("0xrace", k)));
      expect(new Set(results.map((r) => r.publicKey)).size).toBe(1);
      expect(await state.bindings.binding("0xrace")).toEqual(results[0]);
    });
  });

  describe("sessions", () => {
    const next = (hash: string) => ({ hash, expiresAt: NOW + 7200 });

    it("rotates the current token, then revokes the family when an earlier one comes back", async () => {
      const family = newFamily({ stamp: "gen-1" });
      await state.sessions.createFamily(family, { jti: "a1", exp: NOW + 900 });
      const rotated = await state.sessions.redeemRefresh(family.currentHash, next("h2"), { jti: "a2", exp: NOW + 950 }, NOW + 5);
      expect(rotated).toEqual({ outcome: "rotated", family: { ...family, currentHash: "h2", expiresAt: NOW + 7200 } });
      expect((await state.sessions.familyOfRefresh(family.currentHash))?.id).toBe(family.id);
      expect(await state.sessions.redeemRefresh(family.currentHash, next("h3"), { jti: "a3", exp: NOW + 999 }, NOW + 6)).toEqual({ outcome: "reused" });
      expect((await state.sessions.family(family.id))?.revokedAt).toBe(NOW + 6);
      expect(await state.sessions.redeemRefresh("h2", next("h4"), { jti: "a4", exp: NOW + 999 }, NOW + 7)).toEqual({ outcome: "revoked" });
      const feed = await state.revocations.revokedSince(undefined, NOW + 6);
      expect(feed.revoked.filter((t) => t.jti.startsWith("a"))).toEqual([{ jti: "a1", exp: NOW + 900 }, { jti: "a2", exp: NOW + 950 }]);
    });

    it("answers expired for a current token past its time and unknown for a hash no family had, changing nothing", async () => {
      const family = newFamily();
      await state.sessions.createFamily(family, { jti: unique("jti"), exp: NOW + 900 });
      expect(await state.sessions.redeemRefresh(family.currentHash, next(unique("h")), { jti: unique("jti"), exp: NOW }, family.expiresAt)).toEqual({ outcome: "expired" });
      expect(await state.sessions.redeemRefresh("made-up", next(unique("h")), { jti: unique("jti"), exp: NOW }, NOW)).toEqual({ outcome: "unknown" });
      expect(await state.sessions.family(family.id)).toEqual(family);
    });

    it("refuses a second family with an existing id", async () => {
      const family = newFamily();
      await state.sessions.createFamily(family, { jti: unique("jti"), exp: NOW + 1 });
      await expect(state.sessions.createFamily({ ...family, currentHash: unique("h") }, { jti: unique("jti"), exp: NOW + 1 })).rejects.toThrow(/duplicate key/);
    });

    it("revokes a family once (the first time stays) and says false for one that does not exist", async () => {
      const family = newFamily();
      await state.sessions.createFamily(family, { jti: unique("jti"), exp: NOW + 900 });
      expect(await state.sessions.revokeFamily(family.id, NOW + 1)).toBe(true);
      expect(await state.sessions.revokeFamily(family.id, NOW + 2)).toBe(true);
      expect((await state.sessions.family(family.id))?.revokedAt).toBe(NOW + 1);
      expect(await state.sessions.revokeFamily("no-such-family", NOW)).toBe(false);
    });

    it("revokes a subject's families but those of the kept stamp, counting the newly revoked", async () => {
      const sub = unique("sub");
      const kept = newFamily({ sub, stamp: "key-new" });
      const other = newFamily({ sub, stamp: "key-old" });
      const unstamped = newFamily({ sub });
      for (const f of [kept, other, unstamped]) await state.sessions.createFamily(f, { jti: `${f.id}-jti`, exp: NOW + 900 });
      expect(await state.sessions.revokeSubject(sub, NOW + 1, "key-new")).toBe(2);
      expect((await state.sessions.family(kept.id))?.revokedAt).toBeUndefined();
      expect(await state.sessions.revokeSubject(sub, NOW + 2)).toBe(1);
      expect(await state.sessions.revokeSubject(sub, NOW + 3)).toBe(0);
      const feed = await state.revocations.revokedSince(undefined, NOW);
      expect(feed.revoked.map((t) => t.jti)).toEqual(expect.arrayContaining([`${kept.id}-jti`, `${other.id}-jti`, `${unstamped.id}-jti`]));
    });

    it("prunes expired access tokens, families whose refresh token expired, and expired feed entries", async () => {
      const family = newFamily({ expiresAt: NOW + 100 });
      await state.sessions.createFamily(family, { jti: "prune-me", exp: NOW + 50 });
      await state.sessions.revokeFamily(family.id, NOW);
      await state.sessions.prune(NOW + 100);
      expect(await state.sessions.family(family.id)).toBeUndefined();
      expect(await state.sessions.familyOfRefresh(family.currentHash)).toBeUndefined();
      expect((await database!.sql("SELECT count(*)::int AS n FROM pico_auth_revocation_feed WHERE jti = 'prune-me'")).rows[0]?.n).toBe(0);
    });
  });

  describe("revocation feed", () => {
    it("returns what was revoked after a cursor, all unexpired entries without one or with another store's", async () => {
      const start = await state.revocations.revokedSince(undefined, NOW);
      const family = newFamily();
      await state.sessions.createFamily(family, { jti: "feed-1", exp: NOW + 900 });
      await state.sessions.redeemRefresh(family.currentHash, { hash: unique("h"), expiresAt: NOW + 3600 }, { jti: "feed-short", exp: NOW + 10 }, NOW);
      await state.sessions.revokeFamily(family.id, NOW + 1);
      const after = await state.revocations.revokedSince(start.cursor, NOW + 5);
      expect(after.revoked).toEqual([{ jti: "feed-1", exp: NOW + 900 }, { jti: "feed-short", exp: NOW + 10 }]);
      // Expired entries are left out, and the cursor still moves past them.
      expect((await state.revocations.revokedSince(start.cursor, NOW + 10)).revoked).toEqual([{ jti: "feed-1", exp: NOW + 900 }]);
      expect(await state.revocations.revokedSince(after.cursor, NOW + 5)).toEqual({ revoked: [], cursor: after.cursor });
      const foreign = await state.revocations.revokedSince("another-store.99999", NOW + 5);
      const everything = await state.revocations.revokedSince(undefined, NOW + 5);
      expect(foreign).toEqual(everything);
      expect(everything.revoked).toContainEqual({ jti: "feed-1", exp: NOW + 900 });
    });

    it("reads the whole feed again for a cursor past its newest entry (a restored backup)", async () => {
      const everything = await state.revocations.revokedSince(undefined, NOW);
      const storeId = everything.cursor.slice(0, everything.cursor.lastIndexOf("."));
      expect(await state.revocations.revokedSince(`${storeId}.${Number.MAX_SAFE_INTEGER}`, NOW)).toEqual(everything);
    });
  });

  describe("admin credential", () => {
    it("counts generations: the same hash keeps its generation, another one is the next", async () => {
      expect(await state.admin.adminCredential()).toBeUndefined();
      expect(await state.admin.saveAdminCredential("$argon2id$one")).toBe(1);
      expect(await state.admin.saveAdminCredential("$argon2id$one")).toBe(1);
      expect(await state.admin.saveAdminCredential("$argon2id$two")).toBe(2);
      expect(await state.admin.adminCredential()).toEqual({ hash: "$argon2id$two", generation: 2 });
    });
  });

  it("is a postgres state whose check answers", async () => {
    expect(state.kind).toBe("postgres");
    await state.check();
  });
});
