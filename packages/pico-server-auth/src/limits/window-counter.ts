/**
 * Counts events per key in a fixed window. `blockedFor(key)` is the seconds left while a key has
 * reached `max` events, else 0 (`max` Infinity: a plain counter, never blocking). Bounded: at most `capacity` keys, oldest dropped first.
 */
export class WindowCounter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #capacity: number;
  readonly #entries = new Map<string, { count: number; windowEnds: number }>();
  now: () => number = Date.now;

  constructor(max: number, windowSeconds: number, capacity = 100_000) {
    this.#max = max;
    this.#windowMs = windowSeconds * 1000;
    this.#capacity = capacity;
  }

  /** Events counted for `key` in its current window. */
  count(key: string): number {
    const entry = this.#entries.get(key);
    return entry && entry.windowEnds > this.now() ? entry.count : 0;
  }

  blockedFor(key: string): number {
    const entry = this.#entries.get(key);
    if (!entry || entry.windowEnds <= this.now()) return 0;
    return entry.count >= this.#max ? Math.ceil((entry.windowEnds - this.now()) / 1000) : 0;
  }

  /** Counts one event; returns the seconds to wait if this event is over the limit, else 0. */
  hit(key: string): number {
    const now = this.now();
    const entry = this.#entries.get(key);
    if (entry && entry.windowEnds > now) {
      if (entry.count >= this.#max) return Math.ceil((entry.windowEnds - now) / 1000);
      entry.count++;
      return 0;
    }
    this.#entries.delete(key);
    this.#entries.set(key, { count: 1, windowEnds: now + this.#windowMs });
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value as string);
    return 0;
  }

  /** Takes back one event (an attempt that turned out to be legitimate). */
  forgive(key: string): void {
    const entry = this.#entries.get(key);
    if (entry && entry.count > 0) entry.count--;
  }

  reset(key: string): void {
    this.#entries.delete(key);
  }
}
