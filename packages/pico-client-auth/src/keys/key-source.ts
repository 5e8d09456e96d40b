import type { JWK } from "jose";
import { createToken } from "pico-ioc";
import type { Token } from "pico-ioc";

/** A key set as verification uses it; `version` changes whenever the keys do. */
export interface KeySet {
  readonly keys: readonly JWK[];
  readonly version: number;
}

/**
 * Where verification keys come from. Replace the default (remote JWKS, or the in-process auth server)
 * with `@component({ provides: KEY_SOURCE })`.
 */
export interface KeySource {
  /**
   * The keys to verify with. `refresh: true` follows an unknown key id: the source fetches again if
   * its own rate limit allows, else answers with what it has.
   */
  getKeySet(options?: { readonly refresh?: boolean }): KeySet | Promise<KeySet>;
}

export const KEY_SOURCE = createToken<KeySource>("KeySource");

/**
 * Provided by an auth server running in the same Application (pico-server-auth), so tokens are checked
 * against its keys directly, without a socket. A `Symbol.for` token: the server need not depend on us.
 */
export interface LocalJwks {
  readonly issuer: string;
  /** Path the server publishes its JWKS at, e.g. `/api/v1/auth/jwks`. */
  readonly jwksPath: string;
  jwks(): { readonly keys: readonly JWK[] } | Promise<{ readonly keys: readonly JWK[] }>;
}

export const LOCAL_JWKS = Symbol.for("pico-auth.local-jwks") as Token<LocalJwks>;
