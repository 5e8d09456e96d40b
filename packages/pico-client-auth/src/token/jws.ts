import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { compactVerify, importJWK } from "jose";
import type { JWK } from "jose";
import { invalidToken } from "../errors.js";

export interface JwsParts {
  readonly header: Record<string, unknown>;
  readonly alg: string;
  readonly encoded: string;
}

/** Splits and reads the header of a compact JWS; 401 for anything that is not one. */
export function readJws(token: string): JwsParts {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw invalidToken("Invalid token: malformed");
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0] as string, "base64url").toString("utf8"));
  } catch {
    throw invalidToken("Invalid token: malformed header");
  }
  if (header === null || typeof header !== "object" || Array.isArray(header) || typeof (header as { alg?: unknown }).alg !== "string") {
    throw invalidToken("Invalid token: malformed header");
  }
  return { header: header as Record<string, unknown>, alg: (header as { alg: string }).alg, encoded: token };
}

// Which JWKs can verify which alg when the JWK does not name its alg itself. AKP keys always must.
const KEY_TYPES: Record<string, (jwk: JWK) => boolean> = {
  RS256: (k) => k.kty === "RSA",
  RS384: (k) => k.kty === "RSA",
  RS512: (k) => k.kty === "RSA",
  PS256: (k) => k.kty === "RSA",
  PS384: (k) => k.kty === "RSA",
  PS512: (k) => k.kty === "RSA",
  ES256: (k) => k.kty === "EC" && k.crv === "P-256",
  ES384: (k) => k.kty === "EC" && k.crv === "P-384",
  ES512: (k) => k.kty === "EC" && k.crv === "P-521",
  EdDSA: (k) => k.kty === "OKP" && k.crv === "Ed25519",
  Ed25519: (k) => k.kty === "OKP" && k.crv === "Ed25519",
};

/** Whether `jwk` may verify a token signed with `alg`: the JWK's own `alg` must equal it, or its type fit it. */
export function keyFits(jwk: JWK, alg: string): boolean {
  if (jwk.use !== undefined && jwk.use !== "sig") return false;
  if (jwk.key_ops !== undefined && !jwk.key_ops.includes("verify")) return false;
  if (jwk.alg !== undefined) return jwk.alg === alg;
  return KEY_TYPES[alg]?.(jwk) ?? false;
}

const ML_DSA_65 = { publicKey: 1952, signature: 3309 };

/** Verifies the signature and returns the payload bytes; throws 401 on any failure. */
export async function verifySignature(jws: JwsParts, jwk: JWK, importedKeys: WeakMap<JWK, unknown>): Promise<Uint8Array> {
  if (jws.alg === "ML-DSA-65") return verifyMlDsa(jws.encoded, jwk);
  try {
    let key = importedKeys.get(jwk);
    if (!key) {
      key = await importJWK(jwk, jws.alg);
      importedKeys.set(jwk, key);
    }
    const { payload } = await compactVerify(jws.encoded, key as Parameters<typeof compactVerify>[1], { algorithms: [jws.alg] });
    return payload;
  } catch (error) {
    throw invalidToken("Invalid token: signature verification failed", error);
  }
}

/** ML-DSA-65 JWS by hand: WebCrypto has no ML-DSA on Node 20, so jose cannot (see docs/auth-client.md). */
function verifyMlDsa(token: string, jwk: JWK): Uint8Array {
  const publicKey = Buffer.from(typeof jwk.pub === "string" ? jwk.pub : "", "base64url");
  const [headerB64, payloadB64, signatureB64] = token.split(".") as [string, string, string];
  const signature = Buffer.from(signatureB64, "base64url");
  if (publicKey.length !== ML_DSA_65.publicKey || signature.length !== ML_DSA_65.signature) {
    throw invalidToken("Invalid token: signature verification failed");
  }
  // Verify before the payload is even decoded.
  const signed = new TextEncoder().encode(`${headerB64}.${payloadB64}`);
  let valid = false;
  try {
    valid = ml_dsa65.verify(signature, signed, publicKey);
  } catch (error) {
    throw invalidToken("Invalid token: signature verification failed", error);
  }
  if (!valid) throw invalidToken("Invalid token: signature verification failed");
  return Buffer.from(payloadB64, "base64url");
}
