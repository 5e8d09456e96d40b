import { constants, createPublicKey, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { JWK } from "jose";

/**
 * JWS signatures of the classical algorithms, checked with node:crypto directly: no WebCrypto layer
 * on the request path, and no library to load at boot.
 */
const ALGORITHMS: Record<string, { readonly hash: string | null; readonly kind: "rsa" | "pss" | "ec" | "ed"; readonly curve?: string }> = {
  RS256: { hash: "sha256", kind: "rsa" },
  RS384: { hash: "sha384", kind: "rsa" },
  RS512: { hash: "sha512", kind: "rsa" },
  PS256: { hash: "sha256", kind: "pss" },
  PS384: { hash: "sha384", kind: "pss" },
  PS512: { hash: "sha512", kind: "pss" },
  ES256: { hash: "sha256", kind: "ec", curve: "prime256v1" },
  ES384: { hash: "sha384", kind: "ec", curve: "secp384r1" },
  ES512: { hash: "sha512", kind: "ec", curve: "secp521r1" },
  EdDSA: { hash: null, kind: "ed" },
  Ed25519: { hash: null, kind: "ed" },
};

/** RSA keys below 2048 bits are refused (RFC 7518 §3.3). */
const MIN_RSA_BITS = 2048;

/** The public key of `jwk`, checked to be the kind `alg` needs (key type, curve, RSA size). */
export function publicKeyFor(jwk: JWK, alg: string): KeyObject {
  const spec = ALGORITHMS[alg];
  if (!spec) throw new Error(`unsupported algorithm ${alg}`);
  // Only the public members: a JWKS that leaks a private part must not make us hold a private key.
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  const key = createPublicKey({ key: publicJwk as never, format: "jwk" });
  const details = key.asymmetricKeyDetails ?? {};
  const fits =
    spec.kind === "rsa" || spec.kind === "pss"
      ? key.asymmetricKeyType === "rsa" && (details.modulusLength ?? 0) >= MIN_RSA_BITS
      : spec.kind === "ec"
        ? key.asymmetricKeyType === "ec" && details.namedCurve === spec.curve
        : key.asymmetricKeyType === "ed25519";
  if (!fits) throw new Error(`the ${alg} token's key is a ${key.asymmetricKeyType} key that cannot verify it`);
  return key;
}

export function verifyClassical(alg: string, signingInput: string, signature: Buffer, key: KeyObject): boolean {
  const spec = ALGORITHMS[alg];
  if (!spec) return false;
  const data = Buffer.from(signingInput);
  if (spec.kind === "ec") return verify(spec.hash, data, { key, dsaEncoding: "ieee-p1363" }, signature);
  if (spec.kind === "pss") return verify(spec.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
  return verify(spec.hash, data, key, signature);
}
