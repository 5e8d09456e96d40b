import { badRequest, refused } from "../errors.js";
import { PUBLIC_KEY_LENGTHS, isWalletAlgorithm } from "./algorithms.js";
import type { WalletAlgorithm } from "./algorithms.js";
import { decodeHex } from "./hex.js";

/**
 * Wallet addresses: letters, digits and `. _ : -`, up to 128 characters. Never an `@`, so a wallet
 * subject can never equal an email (the admin's `sub`). Secure mode narrows what can be bound (an
 * address derived from the key) but still signs in bindings made before in this wider syntax.
 */
const ADDRESS = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ADDRESS_RULE = "address must be 1-128 letters, digits or . _ : - (starting with a letter or digit)";

/** The `address` of a /challenge body. */
export function challengeAddress(value: unknown): string {
  if (typeof value !== "string" || value === "") throw badRequest("address required");
  if (!ADDRESS.test(value)) throw badRequest(ADDRESS_RULE);
  return value;
}

/** `value` as an algorithm of `supported`, else 400 naming the supported ones. */
export function supportedAlgorithm(value: unknown, supported: readonly string[]): WalletAlgorithm {
  if (!isWalletAlgorithm(value) || !supported.includes(value)) {
    throw badRequest(`unsupported wallet algorithm: ${typeof value === "string" ? value.slice(0, 32) : typeof value}; supported: ${supported.join(", ")}`);
  }
  return value;
}

/** The signature part of a /sign-in or /move body, checked before the challenge is consumed. */
export interface SignedFields {
  readonly address: string;
  readonly challenge: string;
  /** Undefined in secure mode when the body names none: the challenge's algorithm then. */
  readonly algorithm?: WalletAlgorithm;
  /** Undefined when not sent (secure mode: a recoverable secp256k1 signature names its key). */
  readonly publicKey?: Uint8Array;
  readonly signature: Uint8Array;
  /** The message the client signed, if it sent it: it must be the one issued. */
  readonly message?: string;
}

const REQUIRED = "address, public_key, signature, and challenge required";

/**
 * Reads `address, challenge, signature, public_key, algorithm, message` (or, with `prefix` "new_",
 * the new key's `new_signature, new_public_key, new_algorithm`). `public_key` may be absent only when
 * `keyOptional`; `algorithm` defaults to `defaultAlgorithm`.
 */
export function signedFields(body: Record<string, unknown>, supported: readonly string[], options: { keyOptional: boolean; defaultAlgorithm?: WalletAlgorithm }): SignedFields {
  const strings = ["address", "signature", "challenge", ...(options.keyOptional && body.public_key === undefined ? [] : ["public_key"])];
  if (strings.some((field) => typeof body[field] !== "string" || body[field] === "")) throw badRequest(REQUIRED);
  const { address, challenge } = body as { address: string; challenge: string };
  const algorithm = body.algorithm === undefined ? options.defaultAlgorithm : supportedAlgorithm(body.algorithm, supported);
  challengeAddress(address);
  if (body.message !== undefined && typeof body.message !== "string") throw badRequest("message must be a string");
  const key = keyAndSignature(body.public_key as string | undefined, body.signature as string, algorithm, "invalid hex encoding");
  return { address, challenge, algorithm, ...key, message: body.message as string | undefined };
}

/** The new key's signature of a /move body: `new_signature`, and `new_algorithm` / `new_public_key` if sent. */
export function newKeyFields(body: Record<string, unknown>, supported: readonly string[]): { algorithm?: WalletAlgorithm; publicKey?: Uint8Array; signature: Uint8Array } {
  if (typeof body.new_signature !== "string" || body.new_signature === "") throw badRequest("new_signature required");
  if (body.new_public_key !== undefined && (typeof body.new_public_key !== "string" || body.new_public_key === "")) throw badRequest("new_public_key must be a hex string");
  const algorithm = body.new_algorithm === undefined ? undefined : supportedAlgorithm(body.new_algorithm, supported);
  return { algorithm, ...keyAndSignature(body.new_public_key as string | undefined, body.new_signature, algorithm, "invalid hex encoding in new_public_key or new_signature") };
}

/** Decodes the hex of a key and signature; with the algorithm known, sizes are checked too (401, as a bad signature). */
function keyAndSignature(publicKeyHex: string | undefined, signatureHex: string, algorithm: WalletAlgorithm | undefined, hexDetail: string): { publicKey?: Uint8Array; signature: Uint8Array } {
  const publicKey = publicKeyHex === undefined ? undefined : decodeHex(publicKeyHex);
  const signature = decodeHex(signatureHex);
  if (!signature || (publicKeyHex !== undefined && !publicKey)) throw badRequest(hexDetail);
  if (algorithm !== undefined) checkSizes(algorithm, publicKey, signature);
  return { publicKey, signature };
}

/** Key and signature sizes of `algorithm`; 401 "signature verification failed" when they cannot fit. */
export function checkSizes(algorithm: WalletAlgorithm, publicKey: Uint8Array | undefined, signature: Uint8Array): void {
  if ((publicKey && !PUBLIC_KEY_LENGTHS[algorithm].includes(publicKey.length)) || !signatureLengthFits(algorithm, signature.length)) {
    throw refused("bad_signature", "signature verification failed");
  }
}

/** Signature sizes: Ed25519 64; secp256k1 64 (compact), 65 (r‖s‖v) or 8-72 (DER); ML-DSA-65 3309. */
function signatureLengthFits(algorithm: WalletAlgorithm, length: number): boolean {
  if (algorithm === "Ed25519") return length === 64;
  if (algorithm === "ML-DSA-65") return length === 3309;
  return length >= 8 && length <= 72;
}
