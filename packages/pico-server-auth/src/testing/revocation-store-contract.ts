import { describe, expect, it } from "vitest";
import type { RevocationStore } from "../sessions/revocation-store.js";
import type { IssuedAccessToken, SessionStore } from "../sessions/session-store.js";
import { access, byJti, family, next } from "./fixtures.js";
import { connections, eachOpened } from "./opened-store.js";
import type { OpenedStore } from "./opened-store.js";

/** The feed and the sessions port that appends to it, on one state (a DurableState has both). */
export interface FeedPorts {
  readonly revocations: RevocationStore;
  readonly sessions: SessionStore;
}

/**
 * The contract of REVOCATION_STORE, revoking through the SESSION_STORE of the same state: every
 * revoking step appends, a cursor returns what came after it and never skips an entry (also with
 * writers on `peers`), expired entries are neither returned nor kept past prune, and an unknown cursor
 * reads in full.
 */
export function revocationStoreContract(name: string, open: () => Promise<OpenedStore<FeedPorts>>): void {
  describe(`RevocationStore contract: ${name}`, () => {
    const opened = eachOpened(open);
    const feed = () => opened().store.revocations;
    const sessions = () => opened().store.sessions;
    const since = async (cursor: string | undefined, now = 0) => {
      const changes = await feed().revokedSince(cursor, now);
      return { revoked: byJti(changes.revoked), cursor: changes.cursor };
    };

    it("an empty feed lists nothing, and its cursor lists nothing either", async () => {
      const first = await since(undefined);
      expect(first.revoked).toStrictEqual([]);
      expect((await since(first.cursor)).revoked).toStrictEqual([]);
    });

    it("live sessions are not in the feed; revokeFamily appends every access token of the family, once", async () => {
      await sessions().createFamily(family("f1"), access("f1-a0"));
      await sessions().redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10);
      await sessions().createFamily(family("f2"), access("f2-a0"));
      const before = await since(undefined);
      expect(before.revoked).toStrictEqual([]);
      await sessions().revokeFamily("f1", 11);
      const after = await since(before.cursor);
      expect(after.revoked).toStrictEqual([access("f1-a0"), access("f1-a1")]);
      await sessions().revokeFamily("f1", 12);
      expect((await since(after.cursor)).revoked).toStrictEqual([]);
      expect((await since(undefined)).revoked).toStrictEqual([access("f1-a0"), access("f1-a1")]);
    });

    it("a reused refresh token appends its family's access tokens in the same step, not the access token offered with it", async () => {
      await sessions().createFamily(family("f1"), access("f1-a0"));
      await sessions().redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1"), 10);
      const { cursor } = await since(undefined);
      expect(await sessions().redeemRefresh("f1-r0", next("f1-x"), access("f1-ax"), 20)).toStrictEqual({ outcome: "reused" });
      expect((await since(cursor)).revoked).toStrictEqual([access("f1-a0"), access("f1-a1")]);
    });

    it("a token recorded with recordAccess is listed when its family is revoked, by revokeFamily, reuse or revokeSubject", async () => {
      await sessions().createFamily(family("f1"), access("f1-a0"));
      await sessions().createFamily(family("f2"), access("f2-a0"));
      await sessions().createFamily(family("f3", { sub: "carol" }), access("f3-a0"));
      for (const id of ["f1", "f2", "f3"]) expect(await sessions().recordAccess(id, access(`${id}-agent`, 400))).toBe(true);
      const { cursor } = await since(undefined);
      await sessions().revokeFamily("f1", 11);
      await sessions().redeemRefresh("f2-r0", next("f2-r1"), access("f2-a1"), 12);
      await sessions().redeemRefresh("f2-r0", next("f2-x"), access("f2-ax"), 13);
      await sessions().revokeSubject("carol", 14);
      expect((await since(cursor)).revoked).toStrictEqual(byJti([access("f1-a0"), access("f1-agent", 400), access("f2-a0"), access("f2-a1"), access("f2-agent", 400), access("f3-a0"), access("f3-agent", 400)]));
    });

    it("recordAccess racing revokeFamily (on peers too): every token it recorded is in the feed", async () => {
      const all = connections(opened());
      for (let round = 0; round < 5; round++) {
        const id = `race${round}`;
        await sessions().createFamily(family(id), access(`${id}-a0`));
        const records = Array.from({ length: 10 }, (_, i) => all[i % all.length]!.sessions.recordAccess(id, access(`${id}-agent${i}`)));
        const revoked = all[round % all.length]!.sessions.revokeFamily(id, 20);
        const recorded = await Promise.all(records);
        await revoked;
        const listed = new Set((await since(undefined)).revoked.map((t) => t.jti));
        recorded.forEach((ok, i) => {
          if (ok) expect(listed.has(`${id}-agent${i}`)).toBe(true);
        });
        expect(await sessions().recordAccess(id, access(`${id}-after`))).toBe(false);
      }
    });

    it("revokeSubject appends the tokens of each family it revoked, not of those it kept", async () => {
      await sessions().createFamily(family("old", { sub: "0xa", stamp: "key:old" }), access("old-a0"));
      await sessions().createFamily(family("new", { sub: "0xa", stamp: "key:new" }), access("new-a0"));
      await sessions().createFamily(family("other", { sub: "0xb" }), access("other-a0"));
      await sessions().revokeSubject("0xa", 9, "key:new");
      expect((await since(undefined)).revoked).toStrictEqual([access("old-a0")]);
    });

    it("tokens expired at now are not listed, nor appended when a family is revoked after they expired", async () => {
      await sessions().createFamily(family("f1"), access("f1-a0", 100));
      await sessions().redeemRefresh("f1-r0", next("f1-r1"), access("f1-a1", 300), 50);
      await sessions().createFamily(family("f2"), access("f2-a0", 100));
      await sessions().revokeFamily("f1", 60);
      await sessions().revokeFamily("f2", 150);
      expect((await since(undefined, 100)).revoked).toStrictEqual([access("f1-a1", 300)]);
      expect((await since(undefined, 0)).revoked).toStrictEqual([access("f1-a0", 100), access("f1-a1", 300)]);
    });

    it("a cursor this feed never handed out (garbage, or past its end: another store's) reads in full", async () => {
      await sessions().createFamily(family("f1"), access("f1-a0"));
      await sessions().revokeFamily("f1", 5);
      for (const foreign of ["garbage", "-1", "99999999999", ""]) expect([foreign, (await since(foreign)).revoked]).toStrictEqual([foreign, [access("f1-a0")]]);
    });

    it("prune forgets expired entries; a cursor from before the prune still lists only what came after it", async () => {
      await sessions().createFamily(family("short"), access("short-a0", 100));
      await sessions().createFamily(family("long"), access("long-a0", 900));
      await sessions().revokeFamily("short", 5);
      await sessions().revokeFamily("long", 5);
      const { cursor } = await since(undefined);
      await sessions().prune(100);
      expect((await since(undefined, 0)).revoked).toStrictEqual([access("long-a0", 900)]);
      await sessions().createFamily(family("late"), access("late-a0", 900));
      await sessions().revokeFamily("late", 150);
      expect((await since(cursor, 0)).revoked).toStrictEqual([access("late-a0", 900)]);
    });

    it("never skips: 40 revocations racing on every connection while a follower reads by cursor, the follower sees each one once", async () => {
      const all = connections(opened());
      const ids = Array.from({ length: 40 }, (_, i) => `c${i}`);
      for (const id of ids) await sessions().createFamily(family(id), access(`${id}-a0`));
      const seen: IssuedAccessToken[] = [];
      let cursor = (await feed().revokedSince(undefined, 0)).cursor;
      const follow = async () => {
        const changes = await feed().revokedSince(cursor, 0);
        seen.push(...changes.revoked);
        cursor = changes.cursor;
      };
      // Even: a logout. Odd: a rotation, then the spent token again (reuse).
      const writes = Promise.all(
        ids.map(async (id, i) => {
          const { sessions: port } = all[i % all.length]!;
          if (i % 2 === 0) return void (await port.revokeFamily(id, 10));
          await port.redeemRefresh(`${id}-r0`, next(`${id}-r1`), access(`${id}-a1`), 10);
          await port.redeemRefresh(`${id}-r0`, next(`${id}-r2`), access(`${id}-a2`), 11);
        }),
      );
      let done = false;
      void writes.finally(() => (done = true));
      while (!done) await follow();
      await writes;
      await follow();
      const expected = ids.flatMap((id, i) => (i % 2 === 0 ? [access(`${id}-a0`)] : [access(`${id}-a0`), access(`${id}-a1`)]));
      expect(byJti(seen)).toStrictEqual(byJti(expected));
    });
  });
}
