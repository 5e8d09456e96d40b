/**
 * Rate-limit counters in Redis (pico-server-auth/redis): hits on any number of instances all count
 * in one window, which starts at the first hit and never slides, and ends by Redis' TTL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastState } from "../src/state/fast-state.js";
import { openRedisState } from "../src/state/redis/index.js";
import { SHARED_REDIS_URL, keysUnder, recordingLogger, redisSettings, runRedisTest, testPrefix } from "./redis-support.js";

const prefix = testPrefix();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!runRedisTest)("Redis rate-limit counters", () => {
  let instances: FastState[] = [];

  beforeAll(async () => {
    instances = await Promise.all([0, 1, 2].map(() => openRedisState(redisSettings(SHARED_REDIS_URL, prefix), recordingLogger())));
    await instances[0]!.check();
  });

  afterAll(async () => {
    await Promise.all(instances.map((state) => state.close()));
    await keysUnder(SHARED_REDIS_URL, prefix, true);
  });

  it("200 concurrent hits over 3 instances are all counted, in one window", async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => instances[i % 3]!.counters.hit("k-concurrent", 60_000)));
    // Each hit saw a distinct count: none was lost or counted twice.
    expect(new Set(results.map((r) => r.count)).size).toBe(200);
    expect(Math.max(...results.map((r) => r.count))).toBe(200);
    expect((await instances[1]!.counters.peek("k-concurrent"))?.count).toBe(200);
    const ends = results.map((r) => r.resetAt);
    expect(Math.max(...ends) - Math.min(...ends)).toBeLessThan(1_000);
  });

  it("the window does not slide: later hits keep its end", async () => {
    const [a, b] = instances as [FastState, FastState];
    const first = await a.counters.hit("k-slide", 1_500);
    await sleep(400);
    const later = await b.counters.hit("k-slide", 1_500, 3);
    expect(later.count).toBe(4);
    // Same end (both computed as now + Redis' PTTL, so within clock jitter), not 400 ms later.
    expect(Math.abs(later.resetAt - first.resetAt)).toBeLessThan(100);
  });

  it("a window ends by Redis' TTL, and the next hit starts a new one", async () => {
    const [a, b] = instances as [FastState, FastState];
    await a.counters.hit("k-expire", 300, 5);
    expect((await b.counters.peek("k-expire"))?.count).toBe(5);
    await sleep(400);
    expect(await b.counters.peek("k-expire")).toBeUndefined();
    expect(await keysUnder(SHARED_REDIS_URL, `${prefix}limit:k-expire`)).toEqual([]);
    const fresh = await b.counters.hit("k-expire", 300);
    expect(fresh.count).toBe(1);
  });

  it("taking hits back never goes below 0 and never starts a window", async () => {
    const [a, b] = instances as [FastState, FastState];
    expect((await a.counters.hit("k-back-none", 60_000, -1)).count).toBe(0);
    expect(await b.counters.peek("k-back-none")).toBeUndefined();
    expect(await keysUnder(SHARED_REDIS_URL, `${prefix}limit:k-back-none`)).toEqual([]);
    const start = await a.counters.hit("k-back", 60_000, 2);
    const back = await b.counters.hit("k-back", 60_000, -5);
    expect(back.count).toBe(0);
    // The window keeps its end.
    expect(Math.abs(back.resetAt - start.resetAt)).toBeLessThan(100);
    expect((await a.counters.hit("k-back", 60_000)).count).toBe(1);
  });

  it("peek and reset", async () => {
    const [a, b] = instances as [FastState, FastState];
    expect(await a.counters.peek("k-reset")).toBeUndefined();
    const hit = await a.counters.hit("k-reset", 60_000, 7);
    const seen = await b.counters.peek("k-reset");
    expect(seen?.count).toBe(7);
    expect(Math.abs(seen!.resetAt - hit.resetAt)).toBeLessThan(100);
    await b.counters.reset("k-reset");
    expect(await a.counters.peek("k-reset")).toBeUndefined();
    expect((await a.counters.hit("k-reset", 60_000)).count).toBe(1);
  });

  it("rejects a bad window, amount or key, naming the parameter", async () => {
    const [a] = instances as [FastState];
    await expect(a.counters.hit("k", 0)).rejects.toThrow(/"windowMs" expected a positive integer of milliseconds, got 0/);
    await expect(a.counters.hit("k", 1.5)).rejects.toThrow(/"windowMs"/);
    await expect(a.counters.hit("k", 1_000, 0.5)).rejects.toThrow(/"amount" expected an integer, got 0.5/);
    await expect(a.counters.hit("", 1_000)).rejects.toThrow(/"key" expected a string of 1 to 200 characters, got length=0/);
  });
});
