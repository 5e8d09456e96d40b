import { createHash } from "node:crypto";
import type { RateLimitStore } from "./rate-limit-store.js";

/** One counted event: the count in the window after it, and the seconds to wait when that is over the limit (else 0). */
export interface CountedHit {
  readonly count: number;
  readonly retryAfter: number;
}

/**
 * One limit: events per key in a fixed window of `windowSeconds`, counted through a RateLimitStore
 * (so in every instance that shares it), under keys `<namespace>:<key>`. `hit` always counts, then
 * says whether the event went over `max` (`max` Infinity: a plain counter, never over).
 */
export class WindowCounter {
  readonly #store: RateLimitStore;
  readonly #namespace: string;
  readonly #max: number;
  readonly #windowSeconds: number;
  /** Milliseconds since the epoch, for Retry-After only (the store keeps the windows' own clock); replaceable in tests. */
  now: () => number = Date.now;

  constructor(store: RateLimitStore, namespace: string, max: number, windowSeconds: number) {
    this.#store = store;
    this.#namespace = namespace;
    this.#max = max;
    this.#windowSeconds = windowSeconds;
  }

  /** Counts one event for `key`. Atomic in the store: of concurrent hits on a key at its limit, exactly the ones past it are over. */
  async hit(key: string): Promise<CountedHit> {
    const { count, resetAt } = await this.#store.hit(this.#key(key), this.#windowSeconds * 1000);
    return { count, retryAfter: count > this.#max ? this.#secondsUntil(resetAt) : 0 };
  }

  /** Takes back one event (an attempt that turned out to be legitimate, or one that was refused). */
  async forgive(key: string): Promise<void> {
    await this.#store.hit(this.#key(key), this.#windowSeconds * 1000, -1);
  }

  async reset(key: string): Promise<void> {
    await this.#store.reset(this.#key(key));
  }

  /** Seconds until `resetAt`, at least 1 and at most the window: a clock that differs from the store's (Redis's) cannot make Retry-After absurd. */
  #secondsUntil(resetAt: number): number {
    return Math.min(this.#windowSeconds, Math.max(1, Math.ceil((resetAt - this.now()) / 1000)));
  }

  #key(key: string): string {
    return `${this.#namespace}:${shortKey(key)}`;
  }
}

/** `text` as it is when short and plain (an IP address, a digest), else its SHA-256 (base64url): store keys stay short whatever a client sends. */
export function shortKey(text: string): string {
  return /^[\w.:/-]{1,64}$/.test(text) ? text : createHash("sha256").update(text).digest("base64url");
}
