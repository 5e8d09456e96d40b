/**
 * The paths and protocol names this server publishes, defined once: the controllers mount them, the
 * discovery documents name them.
 */
import { DEFAULT_JWKS_PATH } from "pico-client-auth/contract";

export const AUTH_PREFIX = "/api/v1/auth";

/**
 * The key set verifiers read (with `ml_dsa_jwks: separate`, the classical keys only): `${AUTH_PREFIX}/jwks`,
 * defined in pico-client-auth's contract, where it is the discovery fallback.
 */
export const JWKS_PATH = DEFAULT_JWKS_PATH;
/** Every published key, ML-DSA ones included, whatever `ml_dsa_jwks` says. */
export const JWKS_ALL_PATH = `${AUTH_PREFIX}/jwks/all`;
/** The ML-DSA-65 (`kty: AKP`) keys alone, with `ml_dsa_jwks: separate`. */
export const JWKS_ML_DSA_PATH = `${AUTH_PREFIX}/jwks/ml-dsa`;

/** RFC 6749 §3.2 token endpoint: RFC 8693 token exchange (agent tokens). */
export const TOKEN_PATH = `${AUTH_PREFIX}/token`;
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

/**
 * RFC 8414 metadata and OpenID Connect discovery, at the root of the issuer's origin: defined in
 * pico-client-auth's contract, which reads them too.
 */
export { OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH } from "pico-client-auth/contract";
