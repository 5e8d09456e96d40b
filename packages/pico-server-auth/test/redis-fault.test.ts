/**
 * Redis faults, on a redis-server of this test's own (never the shared one): stopped, every operation
 * that needs it fails fast with StoreUnavailableError (a 503, never a 500 and never a hang); started
 * again on the same port, everything works again without reopening anything, subscribers included.
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChallengeRequest } from "../src/challenge/challenge-store.js";
import { StoreUnavailableError } from "../src/errors.js";
import type { FastState } from "../src/state/fast-state.js";
import { openRedisState } from "../src/state/redis/index.js";
import { OwnRedis, eventually, recordingLogger, redisSettings, runRedisTest, testPrefix } from "./redis-support.js";
import type { LogLine } from "./redis-support.js";

const PASSWORD = "s3cret-redis-pw-in-url";
const TIMEOUTS = { connectMs: 500, commandMs: 500, bootMs: 3_000 };
/** Bound on how long a failing operation may take. */
const FAST_MS = 2_000;
const request: ChallengeRequest = { address: "addr", compose: (challenge) => challenge };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every operation of the fast state once, named. */
function operations(state: FastState): Record<string, () => Promise<unknown>> {
  return {
    "challenges.create": () => state.challenges.create(request),
    "challenges.consume": () => state.challenges.consume("addr", "a".repeat(64)),
    "counters.hit": () => state.counters.hit("k", 60_000),
    "counters.peek": () => state.counters.peek("k"),
    "counters.reset": () => state.counters.reset("k"),
    check: () => state.check(),
  };
}

/** Rejects with StoreUnavailableError, and within FAST_MS. */
async function failsFast(operation: () => Promise<unknown>): Promise<StoreUnavailableError> {
  const started = performance.now();
  const error = await operation().then(() => undefined, (e: unknown) => e);
  expect(performance.now() - started).toBeLessThan(FAST_MS);
  expect(error).toBeInstanceOf(StoreUnavailableError);
  const failure = error as StoreUnavailableError;
  expect([failure.status, failure.code, failure.expose]).toEqual([503, "STORE_UNAVAILABLE", true]);
  return failure;
}

/** Once `state` answers again (each instance reconnects on its own schedule). */
const answers = (...states: FastState[]) => eventually(async () => (await Promise.all(states.map((state) => state.check().then(() => true, () => false)))).every(Boolean));

const printed = (lines: readonly LogLine[]) => inspect(lines, { depth: 8 });

describe.skipIf(!runRedisTest)("Redis stopped, paused, absent at boot, and back", () => {
  const prefix = testPrefix();
  let redis: OwnRedis | undefined;
  let absentAtBoot: OwnRedis | undefined;
  const opened: FastState[] = [];
  const logA = recordingLogger();
  let a: FastState;
  let b: FastState;

  const open = async (url: string, logger = recordingLogger(), timeouts = TIMEOUTS) => {
    const state = await openRedisState(redisSettings(url, prefix), logger, timeouts);
    opened.push(state);
    return state;
  };

  beforeAll(async () => {
    redis = await OwnRedis.start(PASSWORD);
    a = await open(redis.url, logA);
    b = await open(redis.url);
  });

  afterAll(async () => {
    // Our own servers go whatever happened; the shared Redis is never touched.
    await Promise.all(opened.map((state) => state.close().catch(() => {})));
    await redis?.kill();
    await absentAtBoot?.kill();
  });

  it("stopped: every operation rejects with StoreUnavailableError within 2 s, publish does not throw, one line logs the outage", async () => {
    await a.check();
    await redis!.stop();
    const errors: StoreUnavailableError[] = [];
    for (const operation of Object.values(operations(a))) errors.push(await failsFast(operation));
    // Concurrent requests during the outage fail as fast.
    await Promise.all(Array.from({ length: 30 }, (_, i) => failsFast(Object.values(operations(b))[i % 6]!)));
    expect(new Set(errors.map((e) => e.message))).toEqual(new Set(["the auth store is unavailable: Redis is unreachable; try again later"]));
    const started = performance.now();
    await a.signal!.publish("revocations");
    expect(performance.now() - started).toBeLessThan(FAST_MS);
    expect(logA.lines.filter((line) => line.level === "error")).toHaveLength(1);
    expect(logA.lines.find((line) => line.level === "error")?.message).toMatch(/the auth store is unavailable \(Redis is unreachable\)/);
  });

  it("started again on the same port: operations and signals work again without reopening, and the outage's end is logged", async () => {
    const heard: number[] = [];
    b.signal!.subscribe("signing-keys", () => heard.push(Date.now()));
    await redis!.start();
    await answers(a, b);
    const { challenge } = await a.challenges.create(request);
    expect((await b.challenges.consume("addr", challenge))?.address).toBe("addr");
    expect((await a.challenges.consume("addr", "a".repeat(64)))).toBeUndefined();
    expect((await b.counters.hit("k", 60_000)).count).toBe(1);
    expect((await a.counters.hit("k", 60_000)).count).toBe(2);
    expect((await a.counters.peek("k"))?.count).toBe(2);
    await a.counters.reset("k");
    // The subscriber connection came back and subscribed again: A's signals reach B.
    heard.length = 0;
    await eventually(async () => {
      await a.signal!.publish("signing-keys");
      return heard.length > 0;
    });
    await eventually(() => logA.lines.some((line) => line.level === "warn" && /works again/.test(line.message)));
    expect(logA.lines.filter((line) => line.level === "error")).toHaveLength(1);
  });

  it("a subscriber that reconnects is told once, for the signals it may have missed", async () => {
    const heard: string[] = [];
    b.signal!.subscribe("revocations", () => heard.push("revocations"));
    await eventually(async () => {
      await a.signal!.publish("revocations");
      return heard.length > 0;
    });
    await redis!.stop();
    await redis!.start();
    heard.length = 0;
    // Nobody publishes: the call comes from B's own reconnect.
    await eventually(() => heard.length > 0);
  });

  it("paused (connections held, nothing answered): operations fail within the command timeout, then work when it resumes", async () => {
    await answers(a);
    redis!.pause();
    try {
      const failure = await failsFast(() => a.counters.hit("k-paused", 60_000));
      expect(failure.reason).toBe("Redis did not answer in time");
      await failsFast(() => a.challenges.create(request));
    } finally {
      redis!.resume();
    }
    await answers(a);
    expect((await a.counters.hit("k-paused", 60_000)).count).toBeGreaterThanOrEqual(1);
  });

  it("absent at boot: boot goes on within boot_ms, operations answer 503, and work once Redis comes", async () => {
    absentAtBoot = await OwnRedis.notStarted(PASSWORD);
    const logger = recordingLogger();
    const started = performance.now();
    const state = await open(absentAtBoot.url, logger, { ...TIMEOUTS, bootMs: 300 });
    expect(performance.now() - started).toBeLessThan(FAST_MS);
    await failsFast(() => state.counters.hit("k-boot", 60_000));
    expect(logger.lines.some((line) => line.level === "error" && /is not ready after 300 ms \(Redis is unreachable\)/.test(line.message))).toBe(true);
    await absentAtBoot.start();
    await answers(state);
    expect((await state.counters.hit("k-boot", 60_000)).count).toBe(1);
    expect(printed(logger.lines)).toContain(`redis://127.0.0.1:${absentAtBoot.port}`);
  });

  it("never logs the password of redis_url, nor puts it in an error", async () => {
    await sleep(50);
    const everything = printed([...logA.lines]);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).toContain("Redis");
    const redacted = recordingLogger();
    const state = await open(`redis://:${PASSWORD}@127.0.0.1:${redis!.port}`, redacted);
    await state.check();
    await redis!.stop();
    const failure = await failsFast(() => state.check());
    expect(inspect(failure, { depth: 8 })).not.toContain(PASSWORD);
    expect(printed(redacted.lines)).not.toContain(PASSWORD);
  });

  it("a wrong password: boot goes on and says WRONGPASS, operations answer 503, and neither shows the password", async () => {
    await redis!.start();
    const wrong = `${PASSWORD}-wrong`;
    const logger = recordingLogger();
    const state = await open(`redis://:${wrong}@127.0.0.1:${redis!.port}`, logger, { ...TIMEOUTS, bootMs: 500 });
    const failure = await failsFast(() => state.check());
    expect(failure.message).toBe("the auth store is unavailable: Redis is unreachable; try again later");
    expect(logger.lines.find((line) => /is not ready after 500 ms/.test(line.message))?.message).toMatch(/\(Redis refused the command \(WRONGPASS\)\)/);
    const everything = printed(logger.lines) + inspect(failure, { depth: 8 });
    expect(everything).not.toContain(PASSWORD);
  });
});
