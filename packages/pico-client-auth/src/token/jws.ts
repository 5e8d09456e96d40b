import type { KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { invalidToken } from "../errors.js";
import { publicKeyFor, verifyClassical } from "./node-jws.js";

export interface JwsParts {
  readonly header: Record<string, unknown>;
  readonly alg: string;
  readonly encoded: string;
}

/** Three base64url parts: one scan of the token instead of a split and a scan of each part. */
const COMPACT_JWS = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** Splits and reads the header of a compact JWS; 401 for anything that is not one. */
export function readJws(token: string): JwsParts {
  if (!COMPACT_JWS.test(token)) throw invalidToken("Invalid token: malformed");
  const parts = token.split(".");
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0] as string, "base64url").toString("utf8"));
  } catch {
    throw invalidToken("Invalid token: malformed header");
  }
  if (header === null || typeof header !== "object" || Array.isArray(header) || typeof (header as { alg?: unknown }).alg !== "string") {
    throw invalidToken("Invalid token: malformed header");
  }
  // No extension is understood here: a critical one must be refused (RFC 7515 §4.1.11), and an
  // unencoded payload (RFC 7797) would change what was signed.
  for (const name of ["crit", "b64"]) if (name in header) throw invalidToken(`Invalid token: unsupported header parameter "${name}"`);
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

/**
 * Verifies the signature and returns the payload bytes; a 401 on any failure. Synchronous for the
 * classical algorithms (node:crypto), a promise for ML-DSA-65 (its verifier loads on first use).
 */
export function verifySignature(jws: JwsParts, jwk: JWK, importedKeys: WeakMap<JWK, KeyObject>): Uint8Array | Promise<Uint8Array> {
  const [headerB64, payloadB64, signatureB64] = jws.encoded.split(".") as [string, string, string];
  const signingInput = `${headerB64}.${payloadB64}`;
  const signature = Buffer.from(signatureB64, "base64url");
  // Decoded only once the signature holds.
  const payload = (valid: boolean): Uint8Array => {
    if (!valid) throw invalidToken("Invalid token: signature verification failed");
    return Buffer.from(payloadB64, "base64url");
  };
  const failed = (error: unknown): never => {
    throw invalidToken("Invalid token: signature verification failed", error);
  };
  if (jws.alg === "ML-DSA-65") return verifyMlDsa(signingInput, signature, jwk).then(payload, failed);
  let valid: boolean;
  try {
    let key = importedKeys.get(jwk);
    if (!key) {
      key = publicKeyFor(jwk, jws.alg);
      importedKeys.set(jwk, key);
    }
    valid = verifyClassical(jws.alg, signingInput, signature, key);
  } catch (error) {
    failed(error);
  }
  return payload(valid!);
}

/** ML-DSA-65 by @noble/post-quantum (Node 20 has no ML-DSA), loaded on the first such token. */
async function verifyMlDsa(signingInput: string, signature: Buffer, jwk: JWK): Promise<boolean> {
  const publicKey = Buffer.from(typeof jwk.pub === "string" ? jwk.pub : "", "base64url");
  if (publicKey.length !== ML_DSA_65.publicKey || signature.length !== ML_DSA_65.signature) return false;
  const { ml_dsa65 } = await import("@noble/post-quantum/ml-dsa.js");
  return ml_dsa65.verify(signature, new TextEncoder().encode(signingInput), publicKey);
}
