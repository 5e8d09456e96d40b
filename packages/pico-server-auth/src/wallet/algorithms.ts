/** Wallet signature algorithms accepted by `POST /sign-in` (upstream's identifiers, case-sensitive). */
export const WALLET_ALGORITHMS = ["ML-DSA-65", "Ed25519", "secp256k1"] as const;

export type WalletAlgorithm = (typeof WALLET_ALGORITHMS)[number];

export function isWalletAlgorithm(value: unknown): value is WalletAlgorithm {
  return typeof value === "string" && (WALLET_ALGORITHMS as readonly string[]).includes(value);
}

/** Expected byte lengths, for boundary validation and error messages. */
export const PUBLIC_KEY_LENGTHS: Record<WalletAlgorithm, readonly number[]> = {
  "ML-DSA-65": [1952],
  Ed25519: [32],
  secp256k1: [33, 65],
};
