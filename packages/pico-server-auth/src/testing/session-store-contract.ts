import { describe, expect, it } from "vitest";
import type { SessionStore } from "../sessions/session-store.js";
import { access, family, next } from "./fixtures.js";
import { connections, eachOpened } from "./opened-store.js";
import type { OpenedStore } from "./opened-store.js";

/**
 * The contract of SESSION_STORE: every redeem outcome, revocation, prune, and atomicity under
 * concurrency (spread over `peers` when given). What revoking appends to the feed is
 * revocationStoreContract's.
 */
export function sessionStoreContract(name: string, open: () => Promise<OpenedStore<SessionStore>>): void {
  describe(`SessionStore contract: ${name}`, () => {
    const opened = eachOpened(open);
    const store = () => opened().store;

    it("family() returns what createFamily stored, and undefined for an unknown id", async () => {
      await store().createFamily(family("f1"), access("f1-a0"));
      expect(await store().family("f1")).toStrictEqual(family("f1"));
      expect(await store().family("f2")).toBeUndefined();
    });

    it("rotated: redeeming the current token makes next current, with next's expiry", async () => {
      await store().createFamily(family("f1"), access("f1-a0"));
      const rotated = { ...family("f1"), currentHash: "f1-r1", expiresAt: 2000 };
      expect(await store().redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10)).toStrictEqual({ outcome: "rotated", family: rotated });
      expect(await store().family("f1")).toStrictEqual(rotated);
      expect(await store().redeemRefresh("f1-r1", next("f1-r2", 3000), access("f1-a2"), 11)).toStrictEqual({
        outcome: "rotated",
        family: { ...rotated, currentHash: "f1-r2", expiresAt: 3000 },
      });
    });

    it("reused: redeeming a spent token revokes the family at now", async () => {
      await store().createFamily(family("f1"), access("f1-a0"));
      await store().redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10);
      expect(await store().redeemRefresh("f1-r0", next("f1-x"), access("f1-ax"), 20)).toStrictEqual({ outcome: "reused" });
      expect(await store().family("f1")).toStrictEqual({ ...family("f1"), currentHash: "f1-r1", expiresAt: 2000, revokedAt: 20 });
      expect(await store().redeemRefresh("f1-r1", next("f1-r2"), access("f1-a2"), 21)).toStrictEqual({ outcome: "revoked" });
    });

    it("unknown: a token hash no family ever had revokes nothing and creates nothing (a made-up token cannot end a session)", async () => {
      await store().createFamily(family("f1"), access("f1-a0"));
      expect(await store().redeemRefresh("never-issued", next("f1-r1"), access("f1-a1"), 7)).toStrictEqual({ outcome: "unknown" });
      expect(await store().family("f1")).toStrictEqual(family("f1"));
      expect(await store().familyOfRefresh("f1-r1")).toBeUndefined();
    });

    it("expired: an expired current token is refused, and nothing changes", async () => {
      await store().createFamily(family("f1", { expiresAt: 100 }), access("f1-a0"));
      expect(await store().redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 100)).toStrictEqual({ outcome: "expired" });
      expect(await store().family("f1")).toStrictEqual(family("f1", { expiresAt: 100 }));
    });

    it("revoked: after revocation even the current token is refused, and nothing changes", async () => {
      await store().createFamily(family("f1"), access("f1-a0"));
      await store().revokeFamily("f1", 5);
      expect(await store().redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10)).toStrictEqual({ outcome: "revoked" });
      expect(await store().family("f1")).toStrictEqual({ ...family("f1"), revokedAt: 5 });
    });

    it("familyOfRefresh finds the family of its current and of its spent tokens, nothing for others", async () => {
      await store().createFamily(family("f1", { stamp: "admin:3" }), access("f1-a0"));
      await store().redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10);
      const rotated = { ...family("f1", { stamp: "admin:3" }), currentHash: "f1-r1", expiresAt: 2000 };
      expect(await store().familyOfRefresh("f1-r0")).toStrictEqual(rotated);
      expect(await store().familyOfRefresh("f1-r1")).toStrictEqual(rotated);
      expect(await store().familyOfRefresh("f1-r2")).toBeUndefined();
    });

    it("reuse of one family leaves the others alone", async () => {
      await store().createFamily(family("f1"), access("f1-a0"));
      await store().createFamily(family("f2"), access("f2-a0"));
      await store().redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10);
      expect(await store().redeemRefresh("f1-r0", next("f1-r2"), access("f1-a2"), 10)).toStrictEqual({ outcome: "reused" });
      expect(await store().family("f2")).toStrictEqual(family("f2"));
      expect(await store().redeemRefresh("f2-r0", next("f2-r1"), access("f2-a1"), 11)).toMatchObject({ outcome: "rotated" });
    });

    it("creating a family under an existing id fails and changes nothing: a revoked family stays revoked", async () => {
      await store().createFamily(family("f1"), access("f1-old"));
      await store().revokeFamily("f1", 5);
      await expect(store().createFamily(family("f1", { sub: "other" }), access("f1-new"))).rejects.toThrow();
      expect(await store().family("f1")).toStrictEqual({ ...family("f1"), revokedAt: 5 });
    });

    it("50 concurrent redeems of one token: exactly one rotates, the others are reuse or find it revoked, and the family is revoked", async () => {
      await store().createFamily(family("f1"), access("f1-a0"));
      const all = connections(opened());
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => all[i % all.length]!.redeemRefresh("f1-r0", next(`f1-r${i + 1}`), access(`f1-a${i + 1}`), 10)));
      const count = (outcome: string) => outcomes.filter((o) => o.outcome === outcome).length;
      expect(count("rotated")).toBe(1);
      expect(count("reused")).toBeGreaterThanOrEqual(1);
      expect(count("reused") + count("revoked")).toBe(49);
      expect((await store().family("f1"))?.revokedAt).toBe(10);
    });

    it("revokeFamily is false for an unknown family; true for a known one, also the second time, which keeps the first time", async () => {
      expect(await store().revokeFamily("ghost", 5)).toBe(false);
      expect(await store().family("ghost")).toBeUndefined();
      await store().createFamily(family("f1"), access("f1-a0"));
      expect(await store().revokeFamily("f1", 5)).toBe(true);
      expect(await store().revokeFamily("f1", 9)).toBe(true);
      expect((await store().family("f1"))?.revokedAt).toBe(5);
    });

    it("revokeSubject revokes every unrevoked family of the subject at now, counts them, and leaves other subjects alone", async () => {
      await store().createFamily(family("a1", { sub: "alice" }), access("a1-a0"));
      await store().createFamily(family("a2", { sub: "alice" }), access("a2-a0"));
      await store().createFamily(family("a3", { sub: "alice" }), access("a3-a0"));
      await store().createFamily(family("b1", { sub: "bob" }), access("b1-a0"));
      await store().revokeFamily("a3", 5);
      expect(await store().revokeSubject("alice", 9)).toBe(2);
      expect([(await store().family("a1"))?.revokedAt, (await store().family("a2"))?.revokedAt, (await store().family("a3"))?.revokedAt]).toStrictEqual([9, 9, 5]);
      expect((await store().family("b1"))?.revokedAt).toBeUndefined();
      expect(await store().revokeSubject("alice", 10)).toBe(0);
      expect(await store().revokeSubject("nobody", 10)).toBe(0);
      expect(await store().redeemRefresh("a1-r0", next("a1-r1"), access("a1-a1"), 11)).toStrictEqual({ outcome: "revoked" });
    });

    it("revokeSubject keeps the families whose stamp is keepStamp (the key an address moved to), revokes the others, unstamped ones too", async () => {
      await store().createFamily(family("old", { sub: "0xa", stamp: "key:old" }), access("old-a0"));
      await store().createFamily(family("new", { sub: "0xa", stamp: "key:new" }), access("new-a0"));
      await store().createFamily(family("legacy", { sub: "0xa" }), access("legacy-a0"));
      expect(await store().revokeSubject("0xa", 9, "key:new")).toBe(2);
      expect([(await store().family("old"))?.revokedAt, (await store().family("new"))?.revokedAt, (await store().family("legacy"))?.revokedAt]).toStrictEqual([9, undefined, 9]);
    });

    it("prune drops families whose refresh token expired at now and whose access tokens all expired; keeps the others", async () => {
      await store().createFamily(family("expired", { expiresAt: 100 }), access("expired-a0", 50));
      await store().createFamily(family("at-now", { expiresAt: 200 }), access("at-now-a0", 200));
      await store().createFamily(family("token-lives", { expiresAt: 100 }), access("token-lives-a0", 300));
      await store().createFamily(family("refresh-lives", { expiresAt: 201 }), access("refresh-lives-a0", 50));
      await store().prune(200);
      expect(await store().family("expired")).toBeUndefined();
      expect(await store().family("at-now")).toBeUndefined();
      expect(await store().family("token-lives")).toStrictEqual(family("token-lives", { expiresAt: 100 }));
      expect(await store().family("refresh-lives")).toStrictEqual(family("refresh-lives", { expiresAt: 201 }));
    });

    it("recordAccess records a token of a live family (true), and nothing for an unknown or revoked one (false)", async () => {
      await store().createFamily(family("f1"), access("f1-a0"));
      expect(await store().recordAccess("f1", access("f1-agent", 300))).toBe(true);
      expect(await store().family("f1")).toStrictEqual(family("f1"));
      expect(await store().recordAccess("ghost", access("ghost-agent"))).toBe(false);
      expect(await store().family("ghost")).toBeUndefined();
      await store().revokeFamily("f1", 5);
      expect(await store().recordAccess("f1", access("f1-late"))).toBe(false);
      expect(await store().family("f1")).toStrictEqual({ ...family("f1"), revokedAt: 5 });
    });

    it("a recorded token keeps its family from being pruned while it lives", async () => {
      await store().createFamily(family("f1", { expiresAt: 100 }), access("f1-a0", 50));
      await store().recordAccess("f1", access("f1-agent", 300));
      await store().prune(200);
      expect(await store().family("f1")).toStrictEqual(family("f1", { expiresAt: 100 }));
      await store().prune(300);
      expect(await store().family("f1")).toBeUndefined();
      expect(await store().recordAccess("f1", access("f1-after"))).toBe(false);
    });

    it("a pruned family's refresh tokens are unknown afterwards", async () => {
      await store().createFamily(family("f1", { expiresAt: 100 }), access("f1-a0", 50));
      await store().prune(100);
      expect(await store().redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 101)).toStrictEqual({ outcome: "unknown" });
    });
  });
}
