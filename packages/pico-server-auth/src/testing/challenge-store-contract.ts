import { afterEach, describe, expect, it } from "vitest";
import type { ChallengeStore, PendingChallenge } from "../challenge/challenge-store.js";
import { passTime } from "./clock.js";
import type { ContractClock } from "./clock.js";
import { connections } from "./opened-store.js";
import type { OpenedStore } from "./opened-store.js";

/**
 * A challenge store on fresh state, opened for one case and closed after it. `peers`: other
 * instances over the same shared state (another worker, another server): the suite issues on `store`
 * and consumes on the peers too, so "exactly once" is checked between instances.
 */
export interface OpenedChallengeStore extends OpenedStore<ChallengeStore>, ContractClock {}

export interface ChallengeStoreContractOptions {
  /**
   * Whether consume runs `check` before it consumes, so a throw leaves the challenge (the port allows
   * a store that cannot to ignore it). Default true; a store that sets false should say why in its docs.
   */
  readonly checkBeforeConsume?: boolean;
}

/** The settings the suite opens stores with: a TTL short enough to wait out in real time, and a small bound. */
export interface ChallengeStoreSettings {
  readonly ttlSeconds: number;
  readonly maxChallenges: number;
}

/**
 * The CHALLENGE_STORE contract, as vitest tests: every implementation runs it (in its own test file)
 * with a function that opens a fresh store with the given settings.
 *
 * @example
 * challengeStoreContract("in memory", async ({ ttlSeconds, maxChallenges }) => {
 *   const store = new InMemoryChallengeStore({ challengeTtlSeconds: ttlSeconds, maxChallenges } as ServerAuthSettings);
 *   let t = Date.now();
 *   store.now = () => t;
 *   return { store, advance: (ms) => void (t += ms), close: async () => undefined };
 * });
 */
export function challengeStoreContract(
  name: string,
  open: (settings: ChallengeStoreSettings) => Promise<OpenedChallengeStore>,
  options: ChallengeStoreContractOptions = {},
): void {
  describe(`ChallengeStore contract: ${name}`, () => {
    const opened: OpenedChallengeStore[] = [];
    const start = async (settings: Partial<ChallengeStoreSettings> = {}) => {
      const subject = await open({ ttlSeconds: 1, maxChallenges: 1000, ...settings });
      opened.push(subject);
      const all = connections(subject);
      // The last instance consumes: a peer when there is one.
      return { ...subject, all, peer: all[all.length - 1] as ChallengeStore };
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it("issues a 64-hex-char challenge with what it was issued for and the composed message; consume returns the same", async () => {
      const { store, peer } = await start();
      const { challenge, pending } = await store.create({ address: "0xabc", algorithm: "Ed25519", moveTo: { algorithm: "Ed25519", publicKey: "ab".repeat(32) }, compose: (c, at, until) => `sign ${c} ${at} ${until}` });
      expect(challenge).toMatch(/^[0-9a-f]{64}$/);
      expect(pending).toMatchObject({ address: "0xabc", algorithm: "Ed25519", moveTo: { algorithm: "Ed25519", publicKey: "ab".repeat(32) }, message: `sign ${challenge} ${pending.issuedAt} ${pending.expiresAt}` });
      expect(pending.expiresAt - pending.issuedAt).toBe(1000);
      expect(await peer.consume("0xabc", challenge)).toEqual(pending);
    });

    it("exactly one of 50 concurrent consumes wins, across instances; the challenge is then gone", async () => {
      const { store, all } = await start();
      const { challenge } = await store.create({ address: "0xrace", compose: (c) => c });
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (all[i % all.length] as ChallengeStore).consume("0xrace", challenge)));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect(await store.consume("0xrace", challenge)).toBeUndefined();
    });

    it("a consume for another address (or a case variant, or an unknown challenge) gets nothing and burns nothing", async () => {
      const { store, peer } = await start();
      const { challenge, pending } = await store.create({ address: "0xowner", compose: (c) => c });
      expect(await peer.consume("0xother", challenge)).toBeUndefined();
      expect(await peer.consume("0xOWNER", challenge)).toBeUndefined();
      expect(await peer.consume("0xowner", "00".repeat(32))).toBeUndefined();
      expect(await peer.consume("0xowner", challenge)).toEqual(pending);
    });

    it("a challenge expires after its TTL: valid just before, refused at it", async () => {
      const subject = await start({ ttlSeconds: 1 });
      const { challenge: early } = await subject.store.create({ address: "0xa", compose: (c) => c });
      const { challenge: late } = await subject.store.create({ address: "0xb", compose: (c) => c });
      await passTime(subject, subject.advance ? 999 : 700);
      expect(await subject.peer.consume("0xa", early)).toBeDefined();
      await passTime(subject, subject.advance ? 1 : 400);
      expect(await subject.peer.consume("0xb", late)).toBeUndefined();
    });

    it("keeps at most max_challenges: the oldest goes first, the newest stay", async () => {
      const { store, peer } = await start({ maxChallenges: 5 });
      const issued: string[] = [];
      for (let i = 0; i < 20; i++) issued.push((await store.create({ address: `0x${i}`, compose: (c) => c })).challenge);
      expect(await peer.consume("0x0", issued[0] as string)).toBeUndefined();
      expect(await peer.consume("0x14", issued[14] as string)).toBeUndefined();
      expect(await peer.consume("0x19", issued[19] as string)).toBeDefined();
      expect(await peer.consume("0x15", issued[15] as string)).toBeDefined();
    });

    if (options.checkBeforeConsume ?? true) {
      it("consume runs check first: when it throws, the error propagates and the challenge stays; when it passes, the challenge is consumed", async () => {
        const { store, peer } = await start();
        const { challenge, pending } = await store.create({ address: "0xchk", compose: (c) => c });
        const seen: PendingChallenge[] = [];
        const refuse = (p: PendingChallenge) => {
          seen.push(p);
          throw new Error("malformed request");
        };
        await expect(peer.consume("0xchk", challenge, refuse)).rejects.toThrow("malformed request");
        expect(seen).toEqual([pending]);
        expect(await peer.consume("0xchk", challenge, () => undefined)).toEqual(pending);
        expect(await store.consume("0xchk", challenge)).toBeUndefined();
      });
    }
  });
}
