import { checkHitArguments, checkLimitKey } from "./hit-arguments.js";
import type { RateLimitStore, WindowCount } from "./rate-limit-store.js";

/** Keys kept at most by default: about 40 MB at worst, whatever a flood of clients sends. */
export const DEFAULT_COUNTER_CAPACITY = 200_000;

/**
 * The counters of one process (the memory FastState): every limit of this instance in one map,
 * bounded to `capacity` keys (the oldest window dropped first, so a flood of clients cannot exhaust
 * memory). Each method runs synchronously to its end, so concurrent hits are all counted.
 */
export class InMemoryRateLimitStore implements RateLimitStore {
  readonly #capacity: number;
  /** Insertion order is window-start order: a restarted window is moved to the end. */
  readonly #windows = new Map<string, { count: number; resetAt: number }>();
  /** Milliseconds since the epoch; replaceable in tests. */
  now: () => number = Date.now;

  constructor(capacity = DEFAULT_COUNTER_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new TypeError(`"capacity" expected a positive integer, got ${String(capacity)}`);
    this.#capacity = capacity;
  }

  async hit(key: string, windowMs: number, amount = 1): Promise<WindowCount> {
    checkHitArguments(key, windowMs, amount);
    const now = this.now();
    const window = this.#open(key, now);
    if (window) {
      window.count = Math.max(0, window.count + amount);
      return { count: window.count, resetAt: window.resetAt };
    }
    // No window: taking hits back (or adding none) starts nothing.
    if (amount <= 0) return { count: 0, resetAt: now };
    const started = { count: amount, resetAt: now + windowMs };
    this.#windows.set(key, started);
    if (this.#windows.size > this.#capacity) this.#windows.delete(this.#windows.keys().next().value as string);
    return { ...started };
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    checkLimitKey(key);
    const window = this.#open(key, this.now());
    return window && { count: window.count, resetAt: window.resetAt };
  }

  async reset(key: string): Promise<void> {
    checkLimitKey(key);
    this.#windows.delete(key);
  }

  /** Keys held (ended windows included until they are hit, reset or pushed out). For tests. */
  get size(): number {
    return this.#windows.size;
  }

  /** `key`'s window if it has not ended; an ended one is dropped. */
  #open(key: string, now: number): { count: number; resetAt: number } | undefined {
    const window = this.#windows.get(key);
    if (window && window.resetAt > now) return window;
    this.#windows.delete(key);
    return undefined;
  }
}
