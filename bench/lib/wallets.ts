/**
 * Wallets as the seed app's clients make them, for the benchmark and the soak (packages/pico-server-auth/test/support.ts,
 * examples/wallet-client/src/keys.ts), for wallet_mode secure: they sign the sign-in message /challenge
 * hands out. Ed25519 with node:crypto; secp256k1 with noble, Ethereum's personal_sign (65-byte r‖s‖v);
 * ML-DSA-65 with @noble/post-quantum. Addresses as the server derives them: the Ethereum address for
 * secp256k1, "0x" + 40 hex of SHA-256(public key) for the others.
 */
import { createHash, generateKeyPairSync, randomBytes, sign as nodeSign } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";

export const WALLET_ALGORITHMS = ["Ed25519", "secp256k1", "ML-DSA-65"] as const;
export type WalletAlgorithm = (typeof WALLET_ALGORITHMS)[number];

export interface Wallet {
  readonly algorithm: WalletAlgorithm;
  readonly publicKey: Uint8Array;
  readonly publicKeyHex: string;
  readonly address: string;
  /** Signs the sign-in message as the server verifies it (secp256k1: personal_sign; others: its UTF-8 bytes). */
  sign(message: string): Uint8Array;
  /** For ML-DSA-65: the keygen seed, so a helper process can sign with the same key. */
  readonly seedHex?: string;
}

export function addressOf(algorithm: WalletAlgorithm, publicKey: Uint8Array): string {
  if (algorithm === "secp256k1") return `0x${Buffer.from(keccak_256(publicKey.subarray(1))).subarray(12).toString("hex")}`;
  return `0x${createHash("sha256").update(publicKey).digest("hex").slice(0, 40)}`;
}

/** EIP-191 personal_sign, r‖s‖v with v = 27 + recovery bit (noble puts the bit first). */
function personalSign(secretKey: Uint8Array, message: string): Uint8Array {
  const bytes = Buffer.from(message, "utf8");
  const digest = keccak_256(Buffer.concat([Buffer.from(`\x19Ethereum Signed Message:\n${bytes.length}`), bytes]));
  const recovered = secp256k1.sign(digest, secretKey, { prehash: false, format: "recovered" });
  return Uint8Array.from([...recovered.subarray(1), 27 + (recovered[0] as number)]);
}

function wallet(algorithm: WalletAlgorithm, publicKey: Uint8Array, sign: (m: string) => Uint8Array, seedHex?: string): Wallet {
  const publicKeyHex = Buffer.from(publicKey).toString("hex");
  return { algorithm, publicKey, publicKeyHex, address: addressOf(algorithm, publicKey), sign, ...(seedHex ? { seedHex } : {}) };
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
  const secretKey = secp256k1.utils.randomSecretKey();
  return wallet(algorithm, secp256k1.getPublicKey(secretKey, false), (m) => personalSign(secretKey, m));
}

/** The POST /api/v1/auth/challenge body: the address and the algorithm the message is written for. */
export function challengeBody(w: Wallet): { address: string; algorithm: WalletAlgorithm } {
  return { address: w.address, algorithm: w.algorithm };
}

/** The POST /api/v1/auth/sign-in fields for a challenge, `signature` over the challenge's message. */
export function signInFields(w: Wallet, challenge: string, signature: Uint8Array): Record<string, string> {
  return { address: w.address, public_key: w.publicKeyHex, signature: Buffer.from(signature).toString("hex"), challenge, algorithm: w.algorithm };
}

/** The same as a JSON body. */
export function signInBody(w: Wallet, challenge: string, signature: Uint8Array): string {
  return JSON.stringify(signInFields(w, challenge, signature));
}
