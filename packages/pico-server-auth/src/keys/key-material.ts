import { createHash, createPrivateKey, createPublicKey, generateKeyPair, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import type { JsonWebKey, KeyObject } from "node:crypto";
import { promisify } from "node:util";
import type { JWTPayload } from "jose";

/** A public JWK as published in the JWKS. */
export type PublicJwk = Readonly<Record<string, string>>;

/** A usable signing key: its public JWK (as published) and what signs and verifies with it. */
export interface LoadedKey {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: PublicJwk;
  /** A compact JWS of `payload` whose protected header is `{alg, typ, kid}`. */
  sign(payload: JWTPayload, typ: string): Promise<string>;
  /** Checks a compact JWS's signature (the caller has matched `kid` and `alg`). */
  verify(signingInput: string, signature: Buffer): boolean;
}

/** Serialised private key: `{privateJwk}` for the classical algorithms, `{mlDsaSeed}` for ML-DSA-65. */
interface Material {
  readonly privateJwk?: JsonWebKey;
  readonly mlDsaSeed?: string;
}

const generate = promisify(generateKeyPair);
/** node:crypto's parameters per JWS algorithm; signing goes straight to OpenSSL, no library to load. */
const CLASSICAL: Record<string, { readonly hash: string | null; readonly dsaEncoding?: "ieee-p1363" }> = {
  RS256: { hash: "sha256" },
  // JWS ES256 signatures are r‖s (IEEE P1363), not DER.
  ES256: { hash: "sha256", dsaEncoding: "ieee-p1363" },
  EdDSA: { hash: null },
};
/** The members RFC 7638 hashes for each key type, in lexical order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = { RSA: ["e", "kty", "n"], EC: ["crv", "kty", "x", "y"], OKP: ["crv", "kty", "x"] };

export async function generateMaterial(alg: string): Promise<string> {
  if (alg === "ML-DSA-65") return JSON.stringify({ mlDsaSeed: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url") });
  const { privateKey } =
    alg === "RS256" ? await generate("rsa", { modulusLength: 2048 }) : alg === "ES256" ? await generate("ec", { namedCurve: "P-256" }) : await generate("ed25519");
  return JSON.stringify({ privateJwk: privateKey.export({ format: "jwk" }) });
}

export async function loadKey(alg: string, serialised: string): Promise<LoadedKey> {
  const material = JSON.parse(serialised) as Material;
  return alg === "ML-DSA-65" ? loadMlDsa(material) : loadClassical(alg, material);
}

/** The kid a key gets: its RFC 7638 thumbprint (the AKP analogue for ML-DSA). A new key, a new kid. */
export async function kidOf(alg: string, serialised: string): Promise<string> {
  return (await loadKey(alg, serialised)).kid;
}

const base64url = (value: string | Uint8Array) => Buffer.from(value).toString("base64url");
const protectedHeader = (alg: string, typ: string, kid: string) => base64url(JSON.stringify({ alg, typ, kid }));

async function loadMlDsa(material: Material): Promise<LoadedKey> {
  // @noble/post-quantum only for ML-DSA keys: apps signing with a classical key never load it.
  const { ml_dsa65 } = await import("@noble/post-quantum/ml-dsa.js");
  const { publicKey, secretKey } = ml_dsa65.keygen(Buffer.from(material.mlDsaSeed ?? "", "base64url"));
  const pub = base64url(publicKey);
  const alg = "ML-DSA-65";
  const kid = createHash("sha256").update(JSON.stringify({ alg, kty: "AKP", pub })).digest("base64url");
  return {
    kid,
    alg,
    publicJwk: Object.freeze({ kty: "AKP", alg, use: "sig", kid, pub }),
    // ML-DSA JWS by hand: Node 20 has no ML-DSA of its own.
    async sign(payload, typ) {
      const input = `${protectedHeader(alg, typ, kid)}.${base64url(JSON.stringify(payload))}`;
      return `${input}.${base64url(ml_dsa65.sign(new TextEncoder().encode(input), secretKey))}`;
    },
    verify: (input, signature) => ml_dsa65.verify(signature, new TextEncoder().encode(input), publicKey),
  };
}

async function loadClassical(alg: string, material: Material): Promise<LoadedKey> {
  const spec = CLASSICAL[alg];
  if (!spec || !material.privateJwk) throw new Error(`cannot load a ${alg} signing key`);
  const privateKey = createPrivateKey({ key: material.privateJwk, format: "jwk" });
  const publicKey: KeyObject = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: "jwk" }) as Record<string, string>;
  const members = THUMBPRINT_MEMBERS[jwk.kty as string] ?? [];
  const kid = createHash("sha256").update(JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])))).digest("base64url");
  const signKey = spec.dsaEncoding ? { key: privateKey, dsaEncoding: spec.dsaEncoding } : privateKey;
  const verifyKey = spec.dsaEncoding ? { key: publicKey, dsaEncoding: spec.dsaEncoding } : publicKey;
  return {
    kid,
    alg,
    publicJwk: Object.freeze({ ...jwk, alg, use: "sig", kid }),
    async sign(payload, typ) {
      const input = `${protectedHeader(alg, typ, kid)}.${base64url(JSON.stringify(payload))}`;
      return `${input}.${nodeSign(spec.hash, Buffer.from(input), signKey).toString("base64url")}`;
    },
    verify: (input, signature) => nodeVerify(spec.hash, Buffer.from(input), verifyKey, signature),
  };
}
