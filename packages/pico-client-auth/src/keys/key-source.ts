import type { JWK } from "jose";
import { createToken } from "pico-ioc";

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

export { LOCAL_JWKS } from "../contract.js";
export type { LocalJwks } from "../contract.js";
