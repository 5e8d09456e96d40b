import type { JWK } from "jose";
import { keysUnavailable } from "../errors.js";
import { CachedRemote } from "./cached-remote.js";
import type { RemoteDocumentOptions } from "./cached-remote.js";
import { getJson } from "./get-json.js";
import type { KeySet, KeySource } from "./key-source.js";

/** Where a key set is when no URL is configured: asked before each fetch of it (discovery). */
export interface JwksLocation {
  /**
   * The key set's URL. `rediscover: true` follows a failed fetch from the URL it gave last: the key
   * set may have moved. It rejects when it cannot say (and logs why itself).
   */
  jwksUrl(options: { readonly rediscover: boolean }): Promise<string>;
}

export interface RemoteJwksOptions extends RemoteDocumentOptions {
  /** The key set's URL (`jwks_url`), or where to learn it. */
  readonly url: string | JwksLocation;
}

/**
 * A JWKS fetched over HTTP and cached under `CachedRemote`'s rules: `ttlMs`, unknown key ids
 * refetching at most once per `cooldownMs`, coalesced fetches, the last good set kept through a
 * failed refresh; only with no good set at all does verification fail, with 503.
 */
export class RemoteJwks implements KeySource {
  readonly #options: RemoteJwksOptions;
  readonly #fetch: typeof fetch;
  readonly #cache: CachedRemote<KeySet>;
  #rediscover = false;

  constructor(options: RemoteJwksOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#cache = new CachedRemote({
      ttlMs: options.ttlMs,
      cooldownMs: options.cooldownMs,
      now: options.now,
      load: (previous) => this.#load(previous),
      unavailable: keysUnavailable,
    });
  }

  getKeySet(options?: { readonly refresh?: boolean }): KeySet | Promise<KeySet> {
    // An unknown kid may be a key published at another URL now (a server that moved its signing key
    // to another key set, as pico-server-auth's ml_dsa_jwks: separate does when ML-DSA-65 starts
    // signing): the refetch it causes rereads the discovery document first. Both are bounded by
    // their cooldowns.
    if (options?.refresh) this.#rediscover = true;
    return this.#cache.get(options);
  }

  async #load(previous: KeySet | undefined): Promise<KeySet> {
    const { url: location, timeoutMs, logger } = this.#options;
    const discovered = typeof location !== "string";
    const url = discovered ? await location.jwksUrl({ rediscover: this.#rediscover }) : location;
    try {
      // A discovered URL passed the https / loopback rule; a redirect could lead past it to plain http.
      const keys = parseKeys(await getJson(url, { what: "JWKS", timeoutMs, fetch: this.#fetch, ...(discovered ? { redirect: "error" } : {}) }));
      this.#rediscover = false;
      const unchanged = previous && JSON.stringify(previous.keys) === JSON.stringify(keys);
      return unchanged ? previous : { keys, version: (previous?.version ?? 0) + 1 };
    } catch (error) {
      this.#rediscover = true;
      const kept = previous !== undefined;
      logger.warn(`pico-client-auth: cannot refresh the JWKS from ${url}${kept ? "; keeping the last good key set" : ""}`, {
        event: "auth.jwks_refresh_failed",
        url,
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
