import { afterEach, describe, expect, it } from "vitest";
import type { RateLimitStore } from "../limits/rate-limit-store.js";
import { passTime } from "./clock.js";
import type { ContractClock } from "./clock.js";
import { connections } from "./opened-store.js";
import type { OpenedStore } from "./opened-store.js";

/**
 * Counters on fresh state (or keys of the test's own on a shared server), opened for one case and
 * closed after it. `peers`: other instances over the same counters (another worker, another server):
 * the suite spreads its hits over all of them.
 */
export interface OpenedRateLimitStore extends OpenedStore<RateLimitStore>, ContractClock {
  /** Milliseconds since the epoch as the implementation sees it (its fake clock); default Date.now. */
  readonly now?: () => number;
}

/** How far two readings of one window's end may differ: an implementation that derives resetAt from a remaining TTL (Redis PTTL) reads it a few ms apart. */
const RESET_TOLERANCE_MS = 50;

/**
 * The RATE_LIMIT_STORE contract, as vitest tests: every implementation runs it (in its own test file)
 * with a function that opens a fresh store (keys unique to the test run, so a shared server can be
 * used). With a fake clock (`advance`) the windows are a minute long; without one, a second, waited out.
 *
 * @example
 * rateLimitStoreContract("in memory", async () => {
 *   const store = new InMemoryRateLimitStore();
 *   let t = Date.now();
 *   store.now = () => t;
 *   return { store, now: () => t, advance: (ms) => void (t += ms), close: async () => undefined };
 * });
 */
export function rateLimitStoreContract(name: string, open: () => Promise<OpenedRateLimitStore>): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    const opened: OpenedRateLimitStore[] = [];
    const start = async () => {
      const subject = await open();
      opened.push(subject);
      const window = subject.advance ? 60_000 : 1000;
      const all = connections(subject);
      // The last instance reads and takes back: a peer when there is one.
      return { ...subject, all, peer: all[all.length - 1] as RateLimitStore, now: subject.now ?? Date.now, window };
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it("a first hit starts a window of windowMs with count 1; later hits add to it; peek reads it without counting", async () => {
      const { store, peer, now, window } = await start();
      const before = now();
      const first = await store.hit("t:start", window);
      expect(first.count).toBe(1);
      expect(first.resetAt).toBeGreaterThanOrEqual(before + window - RESET_TOLERANCE_MS);
      expect(first.resetAt).toBeLessThanOrEqual(now() + window + RESET_TOLERANCE_MS);
      expect((await peer.hit("t:start", window, 3)).count).toBe(4);
      expect((await peer.peek("t:start"))?.count).toBe(4);
      expect((await store.peek("t:start"))?.count).toBe(4);
      expect(await store.peek("t:other")).toBeUndefined();
    });

    it("200 concurrent hits on one key, across instances, are all counted: each sees a different count", async () => {
      const { store, all, window } = await start();
      const counts = await Promise.all(Array.from({ length: 200 }, (_, i) => (all[i % all.length] as RateLimitStore).hit("t:race", window).then((w) => w.count)));
      expect(new Set(counts).size).toBe(200);
      expect(Math.max(...counts)).toBe(200);
      expect((await store.peek("t:race"))?.count).toBe(200);
    });

    it("the window does not slide: hits near its end keep resetAt; after it ends, the next hit starts a new one", async () => {
      const subject = await start();
      const { store, peer, window } = subject;
      const first = await store.hit("t:fixed", window);
      await passTime(subject, window * 0.8);
      const late = await peer.hit("t:fixed", window);
      expect(late.count).toBe(2);
      expect(Math.abs(late.resetAt - first.resetAt)).toBeLessThanOrEqual(RESET_TOLERANCE_MS);
      await passTime(subject, window * 0.3);
      expect(await store.peek("t:fixed")).toBeUndefined();
      const next = await peer.hit("t:fixed", window);
      expect(next.count).toBe(1);
      expect(next.resetAt).toBeGreaterThan(first.resetAt + window * 0.5);
    });

    it("a negative amount takes hits back, never below 0, and never starts a window", async () => {
      const { store, peer, window } = await start();
      await store.hit("t:back", window, 3);
      expect((await peer.hit("t:back", window, -1)).count).toBe(2);
      expect((await peer.hit("t:back", window, -5)).count).toBe(0);
      expect((await store.hit("t:back", window)).count).toBe(1);
      expect((await store.hit("t:none", window, -1)).count).toBe(0);
      expect(await peer.peek("t:none")).toBeUndefined();
      expect((await peer.hit("t:none", window)).count).toBe(1);
    });

    it("reset ends a key's window (on every instance); other keys keep theirs", async () => {
      const { store, peer, window } = await start();
      await store.hit("t:reset", window, 5);
      await store.hit("t:kept", window, 2);
      await peer.reset("t:reset");
      expect(await store.peek("t:reset")).toBeUndefined();
      expect((await store.hit("t:reset", window)).count).toBe(1);
      expect((await peer.peek("t:kept"))?.count).toBe(2);
      await store.reset("t:never-hit");
    });

    it("a window expires on its own: peek then answers undefined", async () => {
      const subject = await start();
      await subject.store.hit("t:expire", subject.window);
      await passTime(subject, subject.window + 10);
      expect(await subject.peer.peek("t:expire")).toBeUndefined();
    });

    it("refuses a window that is not a positive integer and an amount that is not an integer, naming the parameter", async () => {
      const { store } = await start();
      await expect(store.hit("t:bad", 0)).rejects.toThrow(/windowMs/);
      await expect(store.hit("t:bad", Number.NaN)).rejects.toThrow(/windowMs/);
      await expect(store.hit("t:bad", 1000, 0.5)).rejects.toThrow(/amount/);
      expect(await store.peek("t:bad")).toBeUndefined();
    });
  });
}
