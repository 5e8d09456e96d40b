import { createHash } from "node:crypto";
import type { WalletAlgorithm } from "./algorithms.js";
import { checksumAddress, ethereumAddress } from "./ethereum.js";

/**
 * The address a key owns (secure mode):
 * - secp256k1: the Ethereum address of the key (what every Ethereum wallet shows for it).
 * - Ed25519 and ML-DSA-65: "0x" + the first 40 hex digits of SHA-256(raw public key), as the wallet
 *   client has always derived them: same shape as an Ethereum address, so one address syntax, and
 *   160 bits leave finding a second key for an address (a second preimage) out of reach.
 * `key` is canonical (secp256k1: uncompressed). Lower case.
 */
export function deriveAddress(algorithm: WalletAlgorithm, key: Uint8Array): string {
  if (algorithm === "secp256k1") return ethereumAddress(key);
  return `0x${createHash("sha256").update(key).digest("hex").slice(0, 40)}`;
}

export type ParsedAddress =
  | { readonly kind: "hex"; readonly lower: string }
  | { readonly kind: "bad-checksum" }
  | { readonly kind: "not-hex" };

const HEX_ADDRESS = /^0[xX]([0-9a-fA-F]{40})$/;

/**
 * An address as a client sends it: "0x" or "0X" and 40 hex digits in one case, or in mixed case
 * that passes EIP-55 (a mixed-case address is a checksum claim: a typo in it must not bind).
 */
export function parseAddress(address: string): ParsedAddress {
  const digits = HEX_ADDRESS.exec(address)?.[1];
  if (digits === undefined) return { kind: "not-hex" };
  const lower = `0x${digits.toLowerCase()}`;
  const mixed = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixed && checksumAddress(lower) !== `0x${digits}`) return { kind: "bad-checksum" };
  return { kind: "hex", lower };
}
