/**
 * Wallets as the seed app's clients make them, for the benchmark and the soak (packages/pico-server-auth/test/support.ts,
 * examples/wallet-client/src/keys.ts): node:crypto for Ed25519 and secp256k1 (DER signatures, not
 * low-S normalised), @noble/post-quantum for ML-DSA-65; address = "0x" + 40 hex of SHA-256(public key).
 */
import { createHash, generateKeyPairSync, randomBytes, sign as nodeSign } from "node:crypto";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";

export const WALLET_ALGORITHMS = ["Ed25519", "secp256k1", "ML-DSA-65"] as const;
export type WalletAlgorithm = (typeof WALLET_ALGORITHMS)[number];

export interface Wallet {
  readonly algorithm: WalletAlgorithm;
  readonly publicKey: Uint8Array;
  readonly publicKeyHex: string;
  readonly address: string;
  /** Signs the UTF-8 bytes of `message`, as the server verifies them. */
  sign(message: string): Uint8Array;
  /** For ML-DSA-65: the keygen seed, so a helper process can sign with the same key. */
  readonly seedHex?: string;
}

export function addressOf(publicKey: Uint8Array): string {
  return `0x${createHash("sha256").update(publicKey).digest("hex").slice(0, 40)}`;
}

function wallet(algorithm: WalletAlgorithm, publicKey: Uint8Array, sign: (m: string) => Uint8Array, seedHex?: string): Wallet {
  const publicKeyHex = Buffer.from(publicKey).toString("hex");
  return { algorithm, publicKey, publicKeyHex, address: addressOf(publicKey), sign, ...(seedHex ? { seedHex } : {}) };
}

export function mlDsaFromSeed(seedHex: string): Wallet {
  const { publicKey, secretKey } = ml_dsa65.keygen(Buffer.from(seedHex, "hex"));
  return wallet("ML-DSA-65", publicKey, (m) => ml_dsa65.sign(new TextEncoder().encode(m), secretKey), seedHex);
}

export function newWallet(algorithm: WalletAlgorithm): Wallet {
  if (algorithm === "ML-DSA-65") return mlDsaFromSeed(randomBytes(32).toString("hex"));
  if (algorithm === "Ed25519") {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const raw = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
    return wallet(algorithm, raw, (m) => nodeSign(null, Buffer.from(m), privateKey));
  }
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const { x, y } = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(x as string, "base64url"), Buffer.from(y as string, "base64url")]);
  return wallet(algorithm, point, (m) => nodeSign("sha256", Buffer.from(m), privateKey));
}

/** The POST /api/v1/auth/sign-in body for a challenge. */
export function signInBody(w: Wallet, challenge: string, signature: Uint8Array): string {
  return JSON.stringify({ address: w.address, public_key: w.publicKeyHex, signature: Buffer.from(signature).toString("hex"), challenge, algorithm: w.algorithm });
}
