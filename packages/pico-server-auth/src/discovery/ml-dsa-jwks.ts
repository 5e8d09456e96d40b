import { JWKS_ALL_PATH, JWKS_PATH } from "../endpoints.js";
import type { Jwks, PublishedKeys } from "../keys/published-keys.js";
import type { ServerAuthSettings } from "../settings.js";

/** `server_auth.ml_dsa_jwks`: whether JWKS_PATH holds the ML-DSA keys too (inline) or the classical keys only (separate). */
export type MlDsaJwks = "inline" | "separate";

export function mlDsaJwksOf(settings: ServerAuthSettings): MlDsaJwks {
  return settings.mlDsaJwks === "separate" ? "separate" : "inline";
}

/** What JWKS_PATH serves: every key inline; separate, the classical ones, which every verifier reads. */
export function defaultKeySet(published: PublishedKeys, mode: MlDsaJwks): Jwks {
  return mode === "separate" ? published.classical : published.all;
}

/**
 * The key-set path the discovery documents name (`jwks_uri`), which must hold the key that signs now:
 * JWKS_PATH, except with `separate` while an ML-DSA key signs (JWKS_PATH lacks it then), JWKS_ALL_PATH.
 */
export function jwksUriPath(published: PublishedKeys, mode: MlDsaJwks): string {
  return mode === "separate" && published.mlDsaSigns ? JWKS_ALL_PATH : JWKS_PATH;
}
