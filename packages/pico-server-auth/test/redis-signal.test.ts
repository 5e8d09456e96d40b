/** Change signals over Redis pub/sub (pico-server-auth/redis): from one instance to every other. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastState } from "../src/state/fast-state.js";
import { openRedisState } from "../src/state/redis/index.js";
import { SHARED_REDIS_URL, eventually, recordingLogger, redisSettings, runRedisTest, testPrefix } from "./redis-support.js";

const prefix = testPrefix();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!runRedisTest)("Redis change signal", () => {
  let instances: FastState[] = [];
  /** Another deployment on the same Redis: another prefix. */
  let stranger: FastState;

  beforeAll(async () => {
    instances = await Promise.all([0, 1, 2].map(() => openRedisState(redisSettings(SHARED_REDIS_URL, prefix), recordingLogger())));
    stranger = await openRedisState(redisSettings(SHARED_REDIS_URL, testPrefix()), recordingLogger());
  });

  afterAll(async () => {
    await Promise.all([...instances, stranger].map((state) => state.close()));
  });

  it("a signal published by one instance reaches the others on its topic only, not itself nor another prefix", async () => {
    const [a, b, c] = instances as [FastState, FastState, FastState];
    const heard: string[] = [];
    const stop = [
      a.signal!.subscribe("revocations", () => heard.push("a:revocations")),
      b.signal!.subscribe("revocations", () => heard.push("b:revocations")),
      c.signal!.subscribe("revocations", () => heard.push("c:revocations")),
      c.signal!.subscribe("signing-keys", () => heard.push("c:signing-keys")),
      stranger.signal!.subscribe("revocations", () => heard.push("stranger:revocations")),
    ];
    // SUBSCRIBE is on its way asynchronously: signal until both others heard.
    await eventually(async () => {
      await a.signal!.publish("revocations");
      return heard.includes("b:revocations") && heard.includes("c:revocations");
    });
    await sleep(100);
    expect(new Set(heard)).toEqual(new Set(["b:revocations", "c:revocations"]));
    heard.length = 0;
    await b.signal!.publish("signing-keys");
    await eventually(() => heard.includes("c:signing-keys"));
    await sleep(100);
    expect(heard).toEqual(["c:signing-keys"]);
    for (const unsubscribe of stop) unsubscribe();
  });

  it("an unsubscribed listener is not called any more; the others still are", async () => {
    const [a, b] = instances as [FastState, FastState];
    const heard: string[] = [];
    const stopFirst = b.signal!.subscribe("signing-keys", () => heard.push("first"));
    const stopSecond = b.signal!.subscribe("signing-keys", () => heard.push("second"));
    await eventually(async () => {
      await a.signal!.publish("signing-keys");
      return heard.includes("second");
    });
    stopFirst();
    heard.length = 0;
    await a.signal!.publish("signing-keys");
    await eventually(() => heard.includes("second"));
    await sleep(100);
    expect(heard).not.toContain("first");
    stopSecond();
  });
});
