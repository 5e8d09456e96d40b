import { createToken } from "pico-ioc";

/** A counter's state: its count, and when its window ends (milliseconds since the epoch). */
export interface WindowCount {
  readonly count: number;
  readonly resetAt: number;
}

/**
 * Port: fixed-window counters for rate limits (challenge and refresh quotas, login throttling), shared
 * by every instance that shares the implementation. A window starts at a key's first hit and never
 * slides: later hits do not move its end. Each method is one atomic step (Redis: one script), so
 * concurrent hits on any number of instances are all counted. Keys are short (callers hash what
 * could be long). Replace with `@component({ provides: RATE_LIMIT_STORE })`; every implementation
 * passes `rateLimitStoreContract` of `pico-server-auth/testing`.
 */
export interface RateLimitStore {
  /**
   * Adds `amount` (default 1) to `key`'s count in its window, starting a window of `windowMs` when
   * there is none (or it ended); returns the state after. A negative amount takes hits back (never
   * below 0, and never starts a window).
   */
  hit(key: string, windowMs: number, amount?: number): Promise<WindowCount>;
  /** The state of `key`'s window, undefined when it has none (or it ended). */
  peek(key: string): Promise<WindowCount | undefined>;
  /** Ends `key`'s window. */
  reset(key: string): Promise<void>;
}

export const RATE_LIMIT_STORE = createToken<RateLimitStore>("RateLimitStore");
