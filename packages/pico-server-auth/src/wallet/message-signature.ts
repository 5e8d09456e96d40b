import type { WalletAlgorithm } from "./algorithms.js";
import { canonicalKey } from "./canonical-key.js";
import { personalSignDigest, recoverSigner, verifyDigest } from "./ethereum.js";
import { verifyWalletSignature } from "./verify-signature.js";

/**
 * Checks a secure-mode signature over the text of a sign-in message and returns the signer's
 * canonical key, or undefined when the signature does not verify (never throws for bad input).
 *
 * - secp256k1: EIP-191 `personal_sign`, i.e. ECDSA over Keccak-256 of the prefixed message. A
 *   65-byte r‖s‖v signature names its key: `publicKey` may be left out, and when it is sent it must
 *   be the recovered key (either encoding). A 64-byte r‖s or DER signature needs `publicKey`.
 * - Ed25519 / ML-DSA-65: the UTF-8 bytes of the message, `publicKey` required.
 */
export function verifyMessageSignature(algorithm: WalletAlgorithm, message: string, signature: Uint8Array, publicKey: Uint8Array | undefined): Uint8Array | undefined {
  const sent = publicKey && canonicalKey(algorithm, publicKey);
  if (publicKey && !sent) return undefined;
  if (algorithm !== "secp256k1") {
    return sent && verifyWalletSignature(algorithm, sent, new TextEncoder().encode(message), signature) ? sent : undefined;
  }
  const digest = personalSignDigest(message);
  const recovered = recoverSigner(digest, signature);
  if (recovered && (!sent || sameBytes(recovered, sent))) return recovered;
  // Not a recoverable signature of that key: a 65-byte DER one, or r‖s / DER with the key sent.
  return sent && verifyDigest(sent, digest, signature) ? sent : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}
