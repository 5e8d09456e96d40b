import { createHash, createPublicKey, verify as nodeVerify } from "node:crypto";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from "jose";
import type { JWK, JWTPayload } from "jose";

export const TOKEN_ALGORITHMS = ["RS256", "ES256", "EdDSA", "ML-DSA-65"] as const;

/** A usable signing key: its public JWK (as published) and what signs and verifies with it. */
export interface LoadedKey {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: Readonly<JWK>;
  sign(payload: JWTPayload): Promise<string>;
  /** Checks a compact JWS's signature (the caller has matched `kid` and `alg`). */
  verify(signingInput: string, signature: Buffer): boolean;
}

/** Serialised private key: `{privateJwk}` for the classical algorithms, `{mlDsaSeed}` for ML-DSA-65. */
interface Material {
  readonly privateJwk?: JWK;
  readonly mlDsaSeed?: string;
}

export async function generateMaterial(alg: string): Promise<string> {
  if (alg === "ML-DSA-65") return JSON.stringify({ mlDsaSeed: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url") });
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
  return JSON.stringify({ privateJwk: await exportJWK(privateKey) });
}

export async function loadKey(alg: string, serialised: string): Promise<LoadedKey> {
  const material = JSON.parse(serialised) as Material;
  return alg === "ML-DSA-65" ? loadMlDsa(material) : loadClassical(alg, material);
}

/** The kid a key gets: its RFC 7638 thumbprint (the AKP analogue for ML-DSA). A new key, a new kid. */
export async function kidOf(alg: string, serialised: string): Promise<string> {
  return (await loadKey(alg, serialised)).kid;
}

function loadMlDsa(material: Material): LoadedKey {
  const { publicKey, secretKey } = ml_dsa65.keygen(Buffer.from(material.mlDsaSeed ?? "", "base64url"));
  const pub = Buffer.from(publicKey).toString("base64url");
  const alg = "ML-DSA-65";
  const kid = createHash("sha256").update(JSON.stringify({ alg, kty: "AKP", pub })).digest("base64url");
  const header = Buffer.from(JSON.stringify({ alg, typ: "JWT", kid })).toString("base64url");
  return {
    kid,
    alg,
    publicJwk: Object.freeze({ kty: "AKP", alg, use: "sig", kid, pub }),
    // ML-DSA JWS by hand: jose's ML-DSA needs WebCrypto ML-DSA, which Node 20 lacks.
    async sign(payload) {
      const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
      const signature = ml_dsa65.sign(new TextEncoder().encode(`${header}.${body}`), secretKey);
      return `${header}.${body}.${Buffer.from(signature).toString("base64url")}`;
    },
    verify: (input, signature) => ml_dsa65.verify(signature, new TextEncoder().encode(input), publicKey),
  };
}

async function loadClassical(alg: string, material: Material): Promise<LoadedKey> {
  const privateJwk = material.privateJwk as JWK;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicOnly } = privateJwk;
  const kid = await calculateJwkThumbprint(publicOnly, "sha256");
  const privateKey = await importJWK(privateJwk, alg);
  const publicKey = createPublicKey({ key: publicOnly as never, format: "jwk" });
  const digest = alg === "EdDSA" ? null : "sha256";
  // ES256 JWS signatures are r‖s (IEEE P1363), not DER.
  const dsaEncoding = alg === "ES256" ? "ieee-p1363" : undefined;
  return {
    kid,
    alg,
    publicJwk: Object.freeze({ ...publicOnly, alg, use: "sig", kid }),
    sign: (payload) => new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT", kid }).sign(privateKey),
    verify: (input, signature) => nodeVerify(digest, Buffer.from(input), dsaEncoding ? { key: publicKey, dsaEncoding } : publicKey, signature),
  };
}
