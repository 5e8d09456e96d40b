import type { Logger } from "pico-ioc";

/** After a failed load, the next try waits this long (or the cooldown, if shorter, but at least 1 s). */
const FAILURE_BACKOFF_MS = 5000;
const MIN_FAILURE_BACKOFF_MS = 1000;

/** How a remote document (a key set, a discovery document) is fetched and cached: the `jwks_*` settings. */
export interface RemoteDocumentOptions {
  readonly ttlMs: number;
  readonly cooldownMs: number;
  /** Per request. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

export interface CachedRemoteOptions<T> {
  /** How long a loaded value is used before it is loaded again. */
  readonly ttlMs: number;
  /** Least time between loads asked for with `refresh: true`. */
  readonly cooldownMs: number;
  /**
   * Fetches a fresh value; `previous` is the last good one (to keep its identity when unchanged, and
   * to say in a log line whether it is kept). It logs its own failures.
   */
  readonly load: (previous: T | undefined) => Promise<T>;
  /** What callers are rejected with while there is no good value, from the last failure. */
  readonly unavailable: (cause: unknown) => unknown;
  readonly now?: () => number;
}

/**
 * A value fetched from elsewhere (a key set, a discovery document), cached under the key set's rules:
 * - used for `ttlMs`, then loaded again; `refresh: true` (an unknown kid) loads at most once per
 *   `cooldownMs`, so garbage tokens cannot make us hammer the issuer;
 * - concurrent loads are coalesced into one, and everyone asking meanwhile waits for it;
 * - a failed load keeps the last good value and is retried after a short backoff; only with no good
 *   value at all do callers get `unavailable(cause)`.
 */
export class CachedRemote<T> {
  readonly #options: CachedRemoteOptions<T>;
  readonly #now: () => number;
  #current: T | undefined;
  #loadedAt = Number.NEGATIVE_INFINITY;
  #lastRefreshAt = Number.NEGATIVE_INFINITY;
  #retryAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<T> | undefined;
  #lastError: unknown;

  constructor(options: CachedRemoteOptions<T>) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The current value without a promise while it is fresh: the per-request path allocates nothing. */
  get(options?: { readonly refresh?: boolean }): T | Promise<T> {
    // A load under way answers everyone who asks meanwhile: after a key rotation, all the requests
    // carrying the new kid wait for the same fetch instead of failing against the old set.
    if (this.#inflight) return this.#inflight.catch(() => this.#currentOrFail());
    const now = this.#now();
    const stale = this.#current === undefined || now - this.#loadedAt >= this.#options.ttlMs;
    const refresh = options?.refresh === true && now - this.#lastRefreshAt >= this.#options.cooldownMs;
    if ((!stale && !refresh) || now < this.#retryAt) return this.#current ?? Promise.reject(this.#options.unavailable(this.#lastError));
    if (refresh) this.#lastRefreshAt = now;
    return (this.#inflight ??= this.#load().finally(() => (this.#inflight = undefined))).catch(() => this.#currentOrFail());
  }

  #currentOrFail(): T {
    if (this.#current !== undefined) return this.#current;
    throw this.#options.unavailable(this.#lastError);
  }

  async #load(): Promise<T> {
    try {
      this.#current = await this.#options.load(this.#current);
      this.#loadedAt = this.#now();
      this.#retryAt = Number.NEGATIVE_INFINITY;
      return this.#current;
    } catch (error) {
      this.#lastError = error;
      this.#retryAt = this.#now() + Math.max(MIN_FAILURE_BACKOFF_MS, Math.min(FAILURE_BACKOFF_MS, this.#options.cooldownMs));
      throw error;
    }
  }
}
