import type { JWK } from "jose";
import type { PublicJwk } from "./key-material.js";

/** A JSON Web Key Set (RFC 7517 §5), frozen. */
export interface Jwks {
  readonly keys: readonly JWK[];
}

/**
 * The published public keys, computed once per change of the keys (SigningKeys) so that serving any
 * of them allocates nothing. `classical` and `mlDsa` split `all` by key type for
 * `server_auth.ml_dsa_jwks: separate`: many verifiers refuse a whole key set that holds a key type
 * they do not know (ML-DSA's `AKP`, RFC 9964), classic keys included.
 */
export interface PublishedKeys {
  /** Every published key, the signing key first. */
  readonly all: Jwks;
  /** RSA, EC and OKP keys: what every JOSE library reads. */
  readonly classical: Jwks;
  /** The ML-DSA (`kty: AKP`) keys. */
  readonly mlDsa: Jwks;
  /** The `alg` of every published key, without repeats, the signing key's first. */
  readonly algorithms: readonly string[];
  /** The public key of the key that signs now (undefined before the first key exists). */
  readonly signing: PublicJwk | undefined;
  /** Whether the key that signs now is an ML-DSA key: only `all` and `mlDsa` hold it then. */
  readonly mlDsaSigns: boolean;
}

/** The `kty` of ML-DSA keys (RFC 9964, "Algorithm Key Pair"). */
export const ML_DSA_KEY_TYPE = "AKP";

const isMlDsa = (jwk: PublicJwk): boolean => jwk.kty === ML_DSA_KEY_TYPE;
const frozenSet = (keys: readonly PublicJwk[]): Jwks => Object.freeze({ keys: Object.freeze([...keys]) });

/** The published sets of `keys` (newest first), `signing` being the key that signs now. */
export function publishedKeysOf(keys: readonly PublicJwk[], signing: PublicJwk | undefined): PublishedKeys {
  return Object.freeze({
    all: frozenSet(keys),
    classical: frozenSet(keys.filter((k) => !isMlDsa(k))),
    mlDsa: frozenSet(keys.filter(isMlDsa)),
    algorithms: Object.freeze([...new Set(keys.map((k) => k.alg).filter((alg): alg is string => alg !== undefined))]),
    signing,
    mlDsaSigns: signing !== undefined && isMlDsa(signing),
  });
}
