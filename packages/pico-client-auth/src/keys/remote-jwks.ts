import type { JWK } from "jose";
import type { Logger } from "pico-ioc";
import { keysUnavailable } from "../errors.js";
import type { KeySet, KeySource } from "./key-source.js";

export interface RemoteJwksOptions {
  readonly url: string;
  readonly ttlMs: number;
  readonly cooldownMs: number;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** After a failed fetch, the next try waits this long (or the cooldown, if shorter, but at least 1 s). */
const FAILURE_BACKOFF_MS = 5000;
const MIN_FAILURE_BACKOFF_MS = 1000;

/**
 * A JWKS fetched over HTTP and cached for `ttlMs`.
 * - Unknown key ids refetch at most once per `cooldownMs`, so garbage tokens cannot make us hammer
 *   the issuer; concurrent fetches are coalesced into one request.
 * - A failed refresh keeps the last good set (and is retried after a short backoff); only with no
 *   good set at all does verification fail, with 503.
 */
export class RemoteJwks implements KeySource {
  readonly #options: RemoteJwksOptions;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #current: KeySet | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #lastRefreshAt = Number.NEGATIVE_INFINITY;
  #retryAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<KeySet> | undefined;
  #lastError: unknown;

  constructor(options: RemoteJwksOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
  }

  /** The current set without a promise while it is fresh: the per-request path allocates nothing. */
  getKeySet(options?: { readonly refresh?: boolean }): KeySet | Promise<KeySet> {
    // A fetch under way answers everyone who asks meanwhile: after a rotation, all the requests
    // carrying the new kid wait for the same fetch instead of failing against the old set.
    if (this.#inflight) return this.#inflight.catch(() => this.#currentOrFail());
    const now = this.#now();
    const stale = this.#current === undefined || now - this.#fetchedAt >= this.#options.ttlMs;
    const refresh = options?.refresh === true && now - this.#lastRefreshAt >= this.#options.cooldownMs;
    if ((!stale && !refresh) || now < this.#retryAt) return this.#current ?? Promise.reject(keysUnavailable(this.#lastError));
    if (refresh) this.#lastRefreshAt = now;
    return (this.#inflight ??= this.#load().finally(() => (this.#inflight = undefined))).catch(() => this.#currentOrFail());
  }

  #currentOrFail(): KeySet {
    if (this.#current) return this.#current;
    throw keysUnavailable(this.#lastError);
  }

  async #load(): Promise<KeySet> {
    try {
      const response = await this.#fetch(this.#options.url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      if (!response.ok) throw new Error(`JWKS ${this.#options.url} answered ${response.status}`);
      const keys = parseKeys(await response.json());
      const unchanged = this.#current && JSON.stringify(this.#current.keys) === JSON.stringify(keys);
      this.#current = unchanged && this.#current ? this.#current : { keys, version: (this.#current?.version ?? 0) + 1 };
      this.#fetchedAt = this.#now();
      this.#retryAt = Number.NEGATIVE_INFINITY;
      return this.#current;
    } catch (error) {
      this.#lastError = error;
      this.#retryAt = this.#now() + Math.max(MIN_FAILURE_BACKOFF_MS, Math.min(FAILURE_BACKOFF_MS, this.#options.cooldownMs));
      const kept = this.#current !== undefined;
      this.#options.logger.warn(`pico-client-auth: cannot refresh the JWKS from ${this.#options.url}${kept ? "; keeping the last good key set" : ""}`, {
        event: "auth.jwks_refresh_failed",
        url: this.#options.url,
        kept_last: kept,
        err: error,
      });
      throw error;
    }
  }
}

function parseKeys(body: unknown): JWK[] {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('JWKS body has no "keys" array');
  return keys.filter((key): key is JWK => key !== null && typeof key === "object" && typeof (key as JWK).kty === "string");
}
