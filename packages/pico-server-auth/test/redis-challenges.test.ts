/**
 * Challenges in Redis (pico-server-auth/redis), on the machine's Redis under a prefix of this run:
 * issued by one instance, redeemable exactly once on any, never burnt by a wrong address.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChallengeRequest } from "../src/challenge/challenge-store.js";
import type { FastState } from "../src/state/fast-state.js";
import { openRedisState } from "../src/state/redis/index.js";
import { SHARED_REDIS_URL, keysUnder, recordingLogger, redisSettings, runRedisTest, testPrefix } from "./redis-support.js";

const prefix = testPrefix();
const request = (address: string): ChallengeRequest => ({ address, algorithm: "Ed25519", compose: (challenge, issuedAt) => `sign in: ${challenge} at ${issuedAt}` });

describe.skipIf(!runRedisTest)("Redis challenge store", () => {
  /** Three instances: three pairs of connections, as three processes would have. */
  let instances: FastState[] = [];

  beforeAll(async () => {
    instances = await Promise.all([0, 1, 2].map(() => openRedisState(redisSettings(SHARED_REDIS_URL, prefix, { challengeTtlSeconds: 60 }), recordingLogger())));
    await instances[0]!.check();
  });

  afterAll(async () => {
    await Promise.all(instances.map((state) => state.close()));
    await keysUnder(SHARED_REDIS_URL, prefix, true);
  });

  it("a challenge issued by one instance is redeemed on another, once", async () => {
    const [a, b, c] = instances as [FastState, FastState, FastState];
    const { challenge, pending } = await a.challenges.create(request("addr-1"));
    expect(challenge).toMatch(/^[0-9a-f]{64}$/);
    expect(pending.message).toBe(`sign in: ${challenge} at ${pending.issuedAt}`);
    expect(await b.challenges.consume("addr-1", challenge)).toEqual(pending);
    expect(await c.challenges.consume("addr-1", challenge)).toBeUndefined();
    expect(await a.challenges.consume("addr-1", challenge)).toBeUndefined();
  });

  it("50 concurrent consumes of one challenge over 3 instances: exactly one wins", async () => {
    for (let round = 0; round < 5; round++) {
      const { challenge } = await instances[round % 3]!.challenges.create(request("addr-race"));
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => instances[i % 3]!.challenges.consume("addr-race", challenge)));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    }
  });

  it("a wrong address does not burn another's challenge, even racing the right one", async () => {
    const [a, b, c] = instances as [FastState, FastState, FastState];
    const { challenge } = await a.challenges.create(request("addr-owner"));
    expect(await b.challenges.consume("addr-thief", challenge)).toBeUndefined();
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => instances[i % 3]!.challenges.consume("addr-thief", challenge)),
      c.challenges.consume("addr-owner", challenge),
    ]);
    expect(results.slice(0, 20).every((r) => r === undefined)).toBe(true);
    expect(results[20]?.address).toBe("addr-owner");
  });

  it("a check that throws leaves the challenge as it was", async () => {
    const [a, b] = instances as [FastState, FastState];
    const { challenge } = await a.challenges.create(request("addr-check"));
    await expect(b.challenges.consume("addr-check", challenge, () => { throw new Error("malformed request"); })).rejects.toThrow("malformed request");
    expect((await a.challenges.consume("addr-check", challenge))?.address).toBe("addr-check");
  });

  it("an unknown or malformed challenge is not found", async () => {
    const [a] = instances as [FastState];
    expect(await a.challenges.consume("addr-1", "0".repeat(64))).toBeUndefined();
    expect(await a.challenges.consume("addr-1", "*")).toBeUndefined();
  });

  it("keeps each challenge under the prefix, with Redis' TTL as its lifetime", async () => {
    const [a] = instances as [FastState];
    const { challenge } = await a.challenges.create(request("addr-ttl"));
    expect(await keysUnder(SHARED_REDIS_URL, `${prefix}challenge:${challenge}`)).toEqual([`${prefix}challenge:${challenge}`]);
    const short = await openRedisState(redisSettings(SHARED_REDIS_URL, prefix, { challengeTtlSeconds: 1 }), recordingLogger());
    try {
      const { challenge: brief } = await short.challenges.create(request("addr-ttl"));
      expect(await keysUnder(SHARED_REDIS_URL, `${prefix}challenge:${brief}`)).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      // Gone from Redis itself, not only refused: nothing outlives its TTL.
      expect(await keysUnder(SHARED_REDIS_URL, `${prefix}challenge:${brief}`)).toEqual([]);
      expect(await short.challenges.consume("addr-ttl", brief)).toBeUndefined();
    } finally {
      await short.close();
    }
  });

  it("keeps at most max_challenges outstanding across instances together: the oldest go first", async () => {
    const ownPrefix = testPrefix();
    const bounded = await Promise.all([0, 1].map(() => openRedisState(redisSettings(SHARED_REDIS_URL, ownPrefix, { maxChallenges: 5 }), recordingLogger())));
    try {
      const issued: string[] = [];
      for (let i = 0; i < 12; i++) issued.push((await bounded[i % 2]!.challenges.create(request(`addr-${i}`))).challenge);
      // Five left in Redis: a flood evicts, it does not grow Redis.
      expect(await keysUnder(SHARED_REDIS_URL, `${ownPrefix}challenge:`)).toHaveLength(5);
      expect(await bounded[0]!.challenges.consume("addr-6", issued[6]!)).toBeUndefined();
      expect(await bounded[1]!.challenges.consume("addr-7", issued[7]!)).toBeDefined();
      expect(await bounded[0]!.challenges.consume("addr-11", issued[11]!)).toBeDefined();
    } finally {
      await Promise.all(bounded.map((state) => state.close()));
      await keysUnder(SHARED_REDIS_URL, ownPrefix, true);
    }
  });
});
