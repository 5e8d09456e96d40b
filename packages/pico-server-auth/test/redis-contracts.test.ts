/**
 * The Redis fast state passes the port contracts (pico-server-auth/testing), with three instances
 * over one Redis (the suites spread their concurrent calls over all three), each case under its own
 * prefix, deleted after. Real clock: Redis' TTLs cannot be faked.
 */
import { describe, expect, it } from "vitest";
import type { FastState } from "../src/state/fast-state.js";
import { openRedisState } from "../src/state/redis/index.js";
import { challengeStoreContract, rateLimitStoreContract } from "../src/testing/index.js";
import { SHARED_REDIS_URL, keysUnder, recordingLogger, redisSettings, runRedisTest, testPrefix } from "./redis-support.js";

/** Three instances on one fresh prefix, and a close that deletes what they left. */
async function instances(more: Parameters<typeof redisSettings>[2] = {}): Promise<{ states: FastState[]; close(): Promise<void> }> {
  const prefix = testPrefix();
  const states = await Promise.all([0, 1, 2].map(() => openRedisState(redisSettings(SHARED_REDIS_URL, prefix, more), recordingLogger())));
  return {
    states,
    close: async () => {
      await Promise.all(states.map((state) => state.close()));
      await keysUnder(SHARED_REDIS_URL, prefix, true);
    },
  };
}

if (runRedisTest) {
  challengeStoreContract("Redis, three instances", async ({ ttlSeconds, maxChallenges }) => {
    const { states, close } = await instances({ challengeTtlSeconds: ttlSeconds, maxChallenges });
    const [store, ...peers] = states.map((state) => state.challenges);
    return { store: store!, peers, close };
  });

  rateLimitStoreContract("Redis, three instances", async () => {
    const { states, close } = await instances();
    const [store, ...peers] = states.map((state) => state.counters);
    return { store: store!, peers, close };
  });
} else {
  describe("Redis port contracts", () => {
    it.skip("need Redis on 127.0.0.1:6379 (under CI=true they run, and fail without it)", () => expect(runRedisTest).toBe(true));
  });
}
