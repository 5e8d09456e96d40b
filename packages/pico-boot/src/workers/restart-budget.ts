/**
 * How often dead workers are replaced: the n-th death within `windowMs` waits `baseDelayMs * 2^(n-1)`
 * (capped at `maxDelayMs`) before its replacement starts, and more than `maxRestarts` deaths within
 * the window stop the whole program: a worker that crashes at once would otherwise fork forever.
 */
export class RestartBudget {
  readonly maxRestarts: number;
  readonly windowMs: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  #deaths: number[] = [];

  constructor({ maxRestarts = 5, windowMs = 60_000, baseDelayMs = 100, maxDelayMs = 5_000 } = {}) {
    this.maxRestarts = maxRestarts;
    this.windowMs = windowMs;
    this.#baseDelayMs = baseDelayMs;
    this.#maxDelayMs = maxDelayMs;
  }

  /** Records a death at `now`: the delay before its replacement, or `undefined` when the budget is spent. */
  onDeath(now: number): number | undefined {
    this.#deaths = [...this.#deaths.filter((t) => now - t < this.windowMs), now];
    const recent = this.#deaths.length;
    if (recent > this.maxRestarts) return undefined;
    return Math.min(this.#baseDelayMs * 2 ** (recent - 1), this.#maxDelayMs);
  }
}
