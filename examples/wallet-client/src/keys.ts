import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign as nodeSign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";

export const ALGORITHMS = ["ML-DSA-65", "Ed25519", "secp256k1"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** A signing key as the auth server sees it: an algorithm, raw public key bytes and a derived address. */
export interface Wallet {
  readonly algorithm: Algorithm;
  readonly publicKey: Uint8Array;
  readonly address: string;
  /**
   * Signs the sign-in message as the server's secure mode verifies it: secp256k1 with Ethereum's
   * `personal_sign` (EIP-191, a 65-byte r‖s‖v signature, as MetaMask makes it), Ed25519 and
   * ML-DSA-65 over the message's UTF-8 bytes.
   */
  sign(message: string): Uint8Array;
}

/**
 * What is written to disk: only the secret (an ML-DSA seed, or a PKCS#8 DER key for node:crypto), so
 * everything else is re-derived and cannot drift from it. `address` is there for humans reading the file.
 */
interface KeyFile {
  algorithm: Algorithm;
  address: string;
  seed?: string;
  pkcs8?: string;
}

const FILE_NAMES: Record<Algorithm, string> = { "ML-DSA-65": "ml-dsa-65.json", Ed25519: "ed25519.json", secp256k1: "secp256k1.json" };

/**
 * The address the server derives from the key, and the only one it lets the key bind:
 * secp256k1 → the Ethereum address (the last 20 bytes of Keccak-256 over the 64-byte point x‖y);
 * Ed25519 and ML-DSA-65 → "0x" + the first 40 hex digits of SHA-256(public key). Lower case.
 */
export function addressOf(algorithm: Algorithm, publicKey: Uint8Array): string {
  if (algorithm === "secp256k1") return `0x${Buffer.from(keccak_256(publicKey.subarray(1))).subarray(12).toString("hex")}`;
  return `0x${createHash("sha256").update(publicKey).digest("hex").slice(0, 40)}`;
}

/** EIP-191 personal_sign: ECDSA over Keccak-256("\x19Ethereum Signed Message:\n" + length + message), as r‖s‖v (v = 27 or 28). */
export function personalSign(secretKey: Uint8Array, message: string): Uint8Array {
  const bytes = Buffer.from(message, "utf8");
  const digest = keccak_256(Buffer.concat([Buffer.from(`\x19Ethereum Signed Message:\n${bytes.length}`), bytes]));
  // noble puts the recovery bit first; Ethereum puts it last, plus 27.
  const recovered = secp256k1.sign(digest, secretKey, { prehash: false, format: "recovered" });
  return Uint8Array.from([...recovered.subarray(1), 27 + (recovered[0] as number)]);
}

export function keyFilePath(dir: string, algorithm: Algorithm): string {
  return join(dir, FILE_NAMES[algorithm]);
}

/** Loads the wallet for `algorithm` from `dir`, or creates one there (file mode 0600) on first use. */
export async function loadOrCreateWallet(dir: string, algorithm: Algorithm): Promise<{ wallet: Wallet; path: string; created: boolean }> {
  const path = keyFilePath(dir, algorithm);
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read key file ${path}: ${(error as Error).message}`);
  }
  if (text !== undefined) {
    try {
      return { wallet: walletFromFile(parseKeyFile(text, algorithm)), path, created: false };
    } catch (error) {
      throw new Error(`key file ${path}: ${(error as Error).message}`);
    }
  }

  const file = newKeyFile(algorithm);
  // The directory holds secrets too: owner-only. "wx" refuses to overwrite a key another run just wrote.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  return { wallet: walletFromFile(file), path, created: true };
}

function newKeyFile(algorithm: Algorithm): KeyFile {
  if (algorithm === "ML-DSA-65") {
    const seed = randomBytes(32);
    return { algorithm, address: addressOf(algorithm, ml_dsa65.keygen(seed).publicKey), seed: seed.toString("hex") };
  }
  const { privateKey } = algorithm === "Ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
  return { algorithm, address: addressOf(algorithm, nodePublicKey(algorithm, privateKey)), pkcs8 };
}

function parseKeyFile(text: string, algorithm: Algorithm): KeyFile {
  let file: Partial<KeyFile>;
  try {
    file = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    throw new Error("not valid JSON; move the file away to create a new key");
  }
  const secret = algorithm === "ML-DSA-65" ? file.seed : file.pkcs8;
  if (file?.algorithm !== algorithm || typeof secret !== "string") {
    throw new Error(`does not hold a ${algorithm} key (expected "algorithm": "${algorithm}" and "${algorithm === "ML-DSA-65" ? "seed" : "pkcs8"}")`);
  }
  return file as KeyFile;
}

function walletFromFile(file: KeyFile): Wallet {
  const { algorithm } = file;
  if (algorithm === "ML-DSA-65") {
    const seed = Buffer.from(file.seed ?? "", "hex");
    if (seed.length !== 32) throw new Error(`ML-DSA-65 seed must be 32 bytes (64 hex digits), got ${seed.length}`);
    const { publicKey, secretKey } = ml_dsa65.keygen(seed);
    return { algorithm, publicKey, address: addressOf(algorithm, publicKey), sign: (m) => ml_dsa65.sign(new TextEncoder().encode(m), secretKey) };
  }
  const privateKey = createPrivateKey({ key: Buffer.from(file.pkcs8 ?? "", "base64"), format: "der", type: "pkcs8" });
  const curve = privateKey.asymmetricKeyType === "ec" ? privateKey.asymmetricKeyDetails?.namedCurve : privateKey.asymmetricKeyType;
  if (curve !== algorithm.toLowerCase()) throw new Error(`pkcs8 holds a ${curve ?? "unknown"} key, not ${algorithm}`);
  const publicKey = nodePublicKey(algorithm, privateKey);
  const address = addressOf(algorithm, publicKey);
  if (algorithm === "Ed25519") return { algorithm, publicKey, address, sign: (m) => nodeSign(null, Buffer.from(m, "utf8"), privateKey) };
  // node:crypto cannot sign a ready Keccak digest: noble signs with the same secret scalar.
  const secretKey = Buffer.from(privateKey.export({ format: "jwk" }).d as string, "base64url");
  return { algorithm, publicKey, address, sign: (m) => personalSign(secretKey, m) };
}

/** The raw public key the server expects: Ed25519's 32 bytes, or secp256k1's uncompressed 04‖x‖y. */
function nodePublicKey(algorithm: "Ed25519" | "secp256k1", privateKey: KeyObject): Uint8Array {
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  if (algorithm === "Ed25519") return Buffer.from(jwk.x as string, "base64url");
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x as string, "base64url"), Buffer.from(jwk.y as string, "base64url")]);
}
