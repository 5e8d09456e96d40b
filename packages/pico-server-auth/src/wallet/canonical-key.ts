import type { WalletAlgorithm } from "./algorithms.js";
import { uncompressedPoint } from "./ethereum.js";

/**
 * One key, one encoding: a secp256k1 point sent compressed (33 bytes) or uncompressed (65) becomes
 * the uncompressed form, so it binds, compares and derives as one identity. Other keys are taken as
 * they are (they have one encoding). Undefined for a secp256k1 point that is not on the curve.
 */
export function canonicalKey(algorithm: WalletAlgorithm, key: Uint8Array): Uint8Array | undefined {
  return algorithm === "secp256k1" ? uncompressedPoint(key) : key;
}

/** The canonical hex form of a stored or sent key (hex, any case), or undefined when it is not a valid key. */
export function canonicalKeyHex(algorithm: WalletAlgorithm, hex: string): string | undefined {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return undefined;
  const key = canonicalKey(algorithm, Buffer.from(hex, "hex"));
  return key && Buffer.from(key).toString("hex");
}
