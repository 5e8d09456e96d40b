import { createRequire } from "node:module";
import type { secp256k1 as Secp256k1 } from "@noble/curves/secp256k1.js";
import type { keccak_256 as Keccak256 } from "@noble/hashes/sha3.js";

/**
 * Ethereum's rules, as wallets and libraries apply them: the address of a secp256k1 key (Yellow
 * Paper, appendix F), its mixed-case checksum (EIP-55), and the digest `personal_sign` signs (EIP-191).
 */

const encoder = new TextEncoder();

const require = createRequire(import.meta.url);
let noble: { readonly secp256k1: typeof Secp256k1; readonly keccak_256: typeof Keccak256 } | undefined;

/**
 * noble's secp256k1 and Keccak, loaded at first use, not at import: loading them takes about 30 ms,
 * which boot need not pay (`preloadEthereum` runs once boot is over). They are ES modules, required
 * synchronously (Node 20.19+ loads ES modules with require()), so the functions below stay synchronous.
 */
function curves(): NonNullable<typeof noble> {
  noble ??= {
    secp256k1: (require("@noble/curves/secp256k1.js") as typeof import("@noble/curves/secp256k1.js")).secp256k1,
    keccak_256: (require("@noble/hashes/sha3.js") as typeof import("@noble/hashes/sha3.js")).keccak_256,
  };
  return noble;
}

/** Loads noble now (see `curves`); idempotent. */
export function preloadEthereum(): void {
  curves();
}

/** "0x" + the last 20 bytes of Keccak-256 over the 64-byte point x‖y, lower case. `point` is 04‖x‖y. */
export function ethereumAddress(uncompressedPoint: Uint8Array): string {
  const hash = curves().keccak_256(uncompressedPoint.subarray(1));
  return `0x${Buffer.from(hash.subarray(12)).toString("hex")}`;
}

/**
 * EIP-55: each letter of the lower-case hex address is upper case where the same position of
 * Keccak-256(lower-case hex, as ASCII) is 8 or more. `lower` is "0x" + 40 lower-case hex digits.
 */
export function checksumAddress(lower: string): string {
  const digits = lower.slice(2);
  const hash = Buffer.from(curves().keccak_256(encoder.encode(digits))).toString("hex");
  let out = "0x";
  for (let i = 0; i < digits.length; i++) {
    const c = digits[i] as string;
    out += Number.parseInt(hash[i] as string, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/** What `personal_sign` signs: Keccak-256("\x19Ethereum Signed Message:\n" + byte length + message). */
export function personalSignDigest(message: string): Uint8Array {
  const bytes = encoder.encode(message);
  return curves().keccak_256(Buffer.concat([encoder.encode(`\x19Ethereum Signed Message:\n${bytes.length}`), bytes]));
}

/**
 * The key that made a 65-byte r‖s‖v signature over `digest` (v: 27/28 as wallets send it, or 0/1),
 * as the uncompressed point; undefined when the signature recovers no key.
 */
export function recoverSigner(digest: Uint8Array, signature: Uint8Array): Uint8Array | undefined {
  if (signature.length !== 65) return undefined;
  const v = signature[64] as number;
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) return undefined;
  try {
    // noble's "recovered" format puts the recovery bit first: v‖r‖s.
    const { secp256k1 } = curves();
    const recovered = secp256k1.recoverPublicKey(Uint8Array.from([recovery, ...signature.subarray(0, 64)]), digest, { prehash: false });
    return secp256k1.Point.fromBytes(recovered).toBytes(false);
  } catch {
    return undefined;
  }
}

/** ECDSA over `digest` with a 64-byte r‖s or DER signature; high S is accepted, as OpenSSL does. */
export function verifyDigest(publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  const format = signature.length === 64 ? "compact" : signature[0] === 0x30 && signature.length <= 72 ? "der" : undefined;
  if (format === undefined) return false;
  try {
    return curves().secp256k1.verify(signature, digest, publicKey, { prehash: false, lowS: false, format });
  } catch {
    return false;
  }
}

/** The uncompressed 04‖x‖y form of a 33- or 65-byte point; undefined when it is not on the curve. */
export function uncompressedPoint(point: Uint8Array): Uint8Array | undefined {
  try {
    return curves().secp256k1.Point.fromBytes(point).toBytes(false);
  } catch {
    return undefined;
  }
}
