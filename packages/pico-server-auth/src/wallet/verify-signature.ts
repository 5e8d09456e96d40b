import { verify } from "node:crypto";
import type { ml_dsa65 as MlDsa65 } from "@noble/post-quantum/ml-dsa.js";
import type { WalletAlgorithm } from "./algorithms.js";
import { publicKeyFromSpki } from "./key-cache.js";

// SubjectPublicKeyInfo headers; the raw key / point follows directly.
// Ed25519: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (0x00 + 32-byte key) }
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
// secp256k1: SEQUENCE { SEQUENCE { OID 1.2.840.10045.2.1, OID 1.3.132.0.10 }, BIT STRING (0x00 + point) }
const EC_ALGORITHM_ID = "3010" + "06072a8648ce3d0201" + "06052b8104000a";
const SECP256K1_SPKI_PREFIX_UNCOMPRESSED = Buffer.from("3056" + EC_ALGORITHM_ID + "034200", "hex");
const SECP256K1_SPKI_PREFIX_COMPRESSED = Buffer.from("3036" + EC_ALGORITHM_ID + "032200", "hex");

const ED25519_KEY_LENGTH = 32;
const ED25519_SIGNATURE_LENGTH = 64;
const SECP256K1_COMPACT_SIGNATURE_LENGTH = 64;
/** DER ECDSA-Sig-Value for a 256-bit curve: 30 len 02 len r 02 len s, r and s at most 33 bytes. */
const SECP256K1_DER_MIN_LENGTH = 8;
const SECP256K1_DER_MAX_LENGTH = 72;
const ML_DSA_65_KEY_LENGTH = 1952;
const ML_DSA_65_SIGNATURE_LENGTH = 3309;

let mlDsa65: typeof MlDsa65 | undefined;
let loadingMlDsa: Promise<void> | undefined;

/**
 * Loads @noble/post-quantum for ML-DSA-65 signatures. Not at import: boot does not wait for it, and
 * an app that accepts no ML-DSA wallets never loads it. Idempotent.
 */
export function loadMlDsaVerifier(): Promise<void> {
  loadingMlDsa ??= import("@noble/post-quantum/ml-dsa.js").then((module) => {
    mlDsa65 = module.ml_dsa65;
  });
  return loadingMlDsa;
}

/**
 * Verifies a wallet signature over `message` (the UTF-8 bytes of the challenge string).
 * Never throws for bad input: wrong lengths, garbage, invalid points → false.
 *
 * - Ed25519: raw 32-byte key, 64-byte signature (PureEdDSA), node:crypto / OpenSSL; small-order and
 *   non-canonical keys are refused.
 * - secp256k1: 33-byte compressed (02/03) or 65-byte uncompressed (04) point; ECDSA over SHA-256;
 *   DER signature (upstream's format) or 64-byte compact r‖s. High-S signatures verify
 *   (OpenSSL does not enforce low-S, matching upstream's pyca/cryptography verifier).
 *   A 64-byte signature is always read as compact.
 * - ML-DSA-65: raw 1952-byte key, 3309-byte signature, FIPS 204 pure mode, empty context; after
 *   `loadMlDsaVerifier()` has resolved.
 */
export function verifyWalletSignature(
  algorithm: WalletAlgorithm,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  // A programming error, not bad input: thrown, never reported as a bad signature.
  if (algorithm === "ML-DSA-65" && !mlDsa65) throw new Error("the ML-DSA-65 verifier is not loaded yet: await loadMlDsaVerifier() first");
  try {
    if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array)) return false;
    if (!(signature instanceof Uint8Array)) return false;
    switch (algorithm) {
      case "Ed25519":
        return verifyEd25519(publicKey, message, signature);
      case "secp256k1":
        return verifySecp256k1(publicKey, message, signature);
      case "ML-DSA-65":
        return verifyMlDsa65(publicKey, message, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/**
 * The encodings of Ed25519's eight small-order points (each with either sign bit). OpenSSL accepts
 * them as public keys, and with R = such a point and S = 0 a "signature" then verifies for EVERY
 * message (found by test/attacks-wallet.test.ts): whoever binds an address to one of these keys
 * lets anybody sign in as that address. Refused, like non-canonical encodings (y >= p) below.
 */
const ED25519_SMALL_ORDER = new Set(
  [
    "0100000000000000000000000000000000000000000000000000000000000000", // identity (order 1)
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
    "0000000000000000000000000000000000000000000000000000000000000000", // order 4
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
  ].flatMap((hex) => [hex, hex.slice(0, 62) + (Number.parseInt(hex.slice(62), 16) ^ 0x80).toString(16).padStart(2, "0")]),
);
/** 2^255 - 19, the field prime: a canonical encoding has its y (the low 255 bits, little-endian) below it. */
const ED25519_P = (1n << 255n) - 19n;

function isWeakEd25519Key(publicKey: Uint8Array): boolean {
  const hex = Buffer.from(publicKey).toString("hex");
  if (ED25519_SMALL_ORDER.has(hex)) return true;
  const y = BigInt(`0x${Buffer.from(publicKey).reverse().toString("hex")}`) & ((1n << 255n) - 1n);
  return y >= ED25519_P;
}

function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_KEY_LENGTH || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  if (isWeakEd25519Key(publicKey)) return false;
  const key = publicKeyFromSpki(Buffer.concat([ED25519_SPKI_PREFIX, publicKey]));
  return verify(null, message, key, signature);
}

function verifySecp256k1(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const prefix = secp256k1SpkiPrefix(publicKey);
  if (prefix === undefined) return false;
  let dsaEncoding: "der" | "ieee-p1363";
  if (signature.length === SECP256K1_COMPACT_SIGNATURE_LENGTH) {
    dsaEncoding = "ieee-p1363";
  } else if (
    signature[0] === 0x30 &&
    signature.length >= SECP256K1_DER_MIN_LENGTH &&
    signature.length <= SECP256K1_DER_MAX_LENGTH
  ) {
    dsaEncoding = "der"; // OpenSSL rejects non-DER encodings and trailing bytes.
  } else {
    return false;
  }
  const key = publicKeyFromSpki(Buffer.concat([prefix, publicKey]));
  return verify("sha256", message, { key, dsaEncoding }, signature);
}

function secp256k1SpkiPrefix(point: Uint8Array): Buffer | undefined {
  if (point.length === 33 && (point[0] === 0x02 || point[0] === 0x03)) return SECP256K1_SPKI_PREFIX_COMPRESSED;
  if (point.length === 65 && point[0] === 0x04) return SECP256K1_SPKI_PREFIX_UNCOMPRESSED;
  return undefined;
}

function verifyMlDsa65(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ML_DSA_65_KEY_LENGTH || signature.length !== ML_DSA_65_SIGNATURE_LENGTH) return false;
  return (mlDsa65 as typeof MlDsa65).verify(signature, message, publicKey);
}
