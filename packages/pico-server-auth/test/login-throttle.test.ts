import { describe, expect, it } from "vitest";
import { ServerAuthError, StoreUnavailableError } from "../src/index.js";
import type { RateLimitStore } from "../src/limits/rate-limit-store.js";
import { InMemoryRateLimitStore } from "../src/limits/memory-rate-limit-store.js";
import { LoginThrottle, MAX_LOGIN_DELAY_MS, backoff } from "../src/login/login-throttle.js";
import { VerificationQueue } from "../src/login/verification-queue.js";

/** A promise and its resolver. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const refusal = (promise: Promise<unknown>) => promise.then(() => "ran", (e: ServerAuthError) => [e.status, e.code, e.headers["Retry-After"]]);

describe("LoginThrottle", () => {
  it("delays grow with an email's failures past login_max_failures, doubling from 100 ms, capped at 2 s", () => {
    expect([0, 4, 5, 6, 7, 8, 9, 10, 1000].map((f) => backoff(f, 5))).toEqual([0, 0, 100, 200, 400, 800, 1600, MAX_LOGIN_DELAY_MS, MAX_LOGIN_DELAY_MS]);
  });

  it("an email's failures delay another client's attempt but never block it; the client is clean (no failures of its own)", async () => {
    const throttle = new LoginThrottle(new InMemoryRateLimitStore(), 3, 60);
    for (let i = 0; i < 3; i++) await throttle.begin("admin", `attacker-${i}`);
    for (let i = 0; i < 3; i++) await throttle.begin("admin", "attacker-x");
    await expect(throttle.begin("admin", "attacker-x")).rejects.toMatchObject({ status: 429, headers: { "Retry-After": "60" } });
    expect(await throttle.begin("admin", "owner")).toEqual({ email: "admin", client: "owner", clean: true, delayMs: 800 });
    expect(await throttle.begin("admin", "attacker-0")).toMatchObject({ clean: false });
  });

  it("a success clears the pair and the email's delay, and takes the client's attempt back; a withdrawn attempt counts for nothing", async () => {
    const throttle = new LoginThrottle(new InMemoryRateLimitStore(), 2, 60);
    await throttle.begin("admin", "owner");
    const right = await throttle.begin("admin", "owner");
    await throttle.succeeded(right);
    expect(await throttle.begin("admin", "owner")).toMatchObject({ clean: false, delayMs: 0 });
    const other = new LoginThrottle(new InMemoryRateLimitStore(), 1, 60);
    await other.withdraw(await other.begin("admin", "c"));
    expect(await other.begin("admin", "c")).toMatchObject({ clean: true, delayMs: 0 });
  });

  it("the server-wide failures (20 × login_max_failures) delay everyone, without blocking", async () => {
    const throttle = new LoginThrottle(new InMemoryRateLimitStore(), 1, 60);
    for (let i = 0; i < 20; i++) await throttle.begin(`user${i}`, `client${i}`);
    expect(await throttle.begin("fresh", "fresh")).toEqual({ email: "fresh", client: "fresh", clean: true, delayMs: 100 });
  });
});

describe("LoginThrottle over a RateLimitStore", () => {
  it("a refused attempt is taken back: hammering a blocked pair does not use up the client's allowance over other emails", async () => {
    const throttle = new LoginThrottle(new InMemoryRateLimitStore(), 1, 60);
    await throttle.begin("a", "c");
    for (let i = 0; i < 10; i++) await expect(throttle.begin("a", "c")).rejects.toMatchObject({ status: 429 });
    // The client's limit is 4 × 1: only its one counted attempt stands against it.
    for (const email of ["b", "d", "e"]) expect(await throttle.begin(email, "c")).toMatchObject({ clean: false });
    await expect(throttle.begin("f", "c")).rejects.toMatchObject({ status: 429 });
  });

  it("20 parallel attempts of one pair: exactly login_max_failures begin, the rest get 429", async () => {
    const throttle = new LoginThrottle(new InMemoryRateLimitStore(), 3, 60);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => throttle.begin("a", "c")));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(results.filter((r) => r.status === "rejected" && (r.reason as ServerAuthError).status === 429)).toHaveLength(17);
  });

  it("a store that fails: begin rejects with the store's error, and the counts it took are taken back", async () => {
    const store = new InMemoryRateLimitStore();
    const down = new StoreUnavailableError("Redis unreachable");
    let failing = true;
    const flaky: RateLimitStore = {
      hit: (key, windowMs, amount) => (failing && key.startsWith("login:email:") && (amount ?? 1) > 0 ? Promise.reject(down) : store.hit(key, windowMs, amount)),
      peek: (key) => store.peek(key),
      reset: (key) => store.reset(key),
    };
    const throttle = new LoginThrottle(flaky, 1, 60);
    await expect(throttle.begin("a", "c")).rejects.toBe(down);
    failing = false;
    expect(await throttle.begin("a", "c")).toEqual({ email: "a", client: "c", clean: true, delayMs: 0 });
  });
});

describe("VerificationQueue", () => {
  it("runs at most `concurrency` checks; clean clients wait ahead of suspect ones and are never refused with 429; full lanes answer 429 (suspect) or 503 (clean), with Retry-After", async () => {
    const queue = new VerificationQueue(1, { clean: 2, suspect: 1 });
    const order: string[] = [];
    const gate = deferred();
    const first = queue.run(true, 0, async () => {
      await gate.promise;
      order.push("first");
    });
    const suspect = queue.run(false, 0, async () => order.push("suspect"));
    expect(await refusal(queue.run(false, 0, async () => order.push("suspect-2")))).toEqual([429, "RATE_LIMITED", "1"]);
    const clean = [queue.run(true, 0, async () => order.push("clean-1")), queue.run(true, 0, async () => order.push("clean-2"))];
    expect(await refusal(queue.run(true, 0, async () => order.push("clean-3")))).toEqual([503, "LOGIN_BUSY", "1"]);
    gate.resolve();
    await Promise.all([first, suspect, ...clean]);
    expect(order).toEqual(["first", "clean-1", "clean-2", "suspect"]);
    // Slots and lanes are free again.
    expect(await queue.run(false, 0, async () => "ran")).toBe("ran");
  });

  it("a delay holds the request before its check; a failing check frees its slot", async () => {
    const queue = new VerificationQueue(1);
    const started = performance.now();
    await queue.run(true, 50, async () => undefined);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    await expect(queue.run(true, 0, () => Promise.reject(new Error("argon2 failed")))).rejects.toThrow("argon2 failed");
    expect(await queue.run(true, 0, async () => "ran")).toBe("ran");
  });
});
