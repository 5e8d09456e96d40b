import { createToken } from "pico-ioc";

/**
 * What a revocation source knows about one token id. `"unavailable"`: the list cannot be consulted
 * (feed down, list too old), so the answer is unknown; the request gets a 503, never a 401.
 */
export type RevocationStatus = "revoked" | "not-revoked" | "unavailable";

/**
 * Answers whether a token id (`jti`) has been revoked; asked after a token's signature and claims
 * check out, and again on every verified-token cache hit. Replace the default (in-process auth server,
 * else `revocation_endpoint`, else nothing) with `@component({ provides: REVOCATION_CHECK })`.
 */
export interface RevocationCheck {
  /**
   * false: there is no revocation source at all; `status` is never asked, and tokens without a `jti`
   * are accepted. true: a token without a `jti` cannot be checked, so it is refused.
   */
  readonly enabled: boolean;
  /** Synchronous when it can be: this runs on every protected request. */
  status(jti: string): RevocationStatus | Promise<RevocationStatus>;
}

export const REVOCATION_CHECK = createToken<RevocationCheck>("RevocationCheck");

export { LOCAL_REVOCATIONS } from "../contract.js";
export type { LocalRevocations } from "../contract.js";
