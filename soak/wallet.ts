/** Wallets as examples/wallet-client and bench/lib/wallets.ts make them. */
import { createHash, generateKeyPairSync, randomBytes, sign as nodeSign } from "node:crypto";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";

export type WalletAlgorithm = "Ed25519" | "secp256k1" | "ML-DSA-65";
export const ALGORITHMS: readonly WalletAlgorithm[] = ["Ed25519", "secp256k1", "ML-DSA-65"];

export interface Wallet {
  readonly algorithm: WalletAlgorithm;
  readonly publicKeyHex: string;
  readonly address: string;
  sign(message: string): string;
}

export function newWallet(algorithm: WalletAlgorithm): Wallet {
  let publicKey: Uint8Array;
  let sign: (m: string) => Uint8Array;
  if (algorithm === "ML-DSA-65") {
    const keys = ml_dsa65.keygen(randomBytes(32));
    publicKey = keys.publicKey;
    sign = (m) => ml_dsa65.sign(new TextEncoder().encode(m), keys.secretKey);
  } else if (algorithm === "Ed25519") {
    const { publicKey: pub, privateKey } = generateKeyPairSync("ed25519");
    publicKey = Buffer.from(pub.export({ format: "jwk" }).x as string, "base64url");
    sign = (m) => nodeSign(null, Buffer.from(m), privateKey);
  } else {
    const { publicKey: pub, privateKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
    const { x, y } = pub.export({ format: "jwk" });
    publicKey = Buffer.concat([Buffer.from([4]), Buffer.from(x as string, "base64url"), Buffer.from(y as string, "base64url")]);
    sign = (m) => nodeSign("sha256", Buffer.from(m), privateKey);
  }
  const publicKeyHex = Buffer.from(publicKey).toString("hex");
  const address = `0x${createHash("sha256").update(publicKey).digest("hex").slice(0, 40)}`;
  return { algorithm, publicKeyHex, address, sign: (m) => Buffer.from(sign(m)).toString("hex") };
}
