import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createPublicKey, verify } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { describe, expect, it } from "vitest";
import { ALGORITHMS, addressOf, keyFilePath, loadOrCreateWallet } from "../src/keys.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "wallet-keys-"));
const challenge = "ab".repeat(32);

/** Verifies with code other than the signer's, in the formats the server takes (raw / 04‖x‖y keys). */
function verifies(algorithm: string, publicKey: Uint8Array, signature: Uint8Array): boolean {
  const message = new TextEncoder().encode(challenge);
  if (algorithm === "ML-DSA-65") return ml_dsa65.verify(signature, message, publicKey);
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
  const jwk = algorithm === "Ed25519" ? { kty: "OKP", crv: "Ed25519", x: b64(publicKey) } : { kty: "EC", crv: "secp256k1", x: b64(publicKey.slice(1, 33)), y: b64(publicKey.slice(33)) };
  return verify(algorithm === "Ed25519" ? null : "sha256", message, createPublicKey({ key: jwk, format: "jwk" }), signature);
}

describe("keys", () => {
  it.each(ALGORITHMS)("%s: created once (0600), then loaded with the same key; signs the challenge's UTF-8 bytes", async (algorithm) => {
    const dir = tempDir();
    const made = await loadOrCreateWallet(dir, algorithm);
    expect(made.created).toBe(true);
    expect(statSync(made.path).mode & 0o777).toBe(0o600);
    expect(made.wallet.address).toMatch(/^0x[0-9a-f]{40}$/);
    expect(made.wallet.address).toBe(addressOf(made.wallet.publicKey));
    expect(JSON.parse(readFileSync(made.path, "utf8"))).toMatchObject({ algorithm, address: made.wallet.address });

    const loaded = await loadOrCreateWallet(dir, algorithm);
    expect(loaded.created).toBe(false);
    expect(Buffer.from(loaded.wallet.publicKey).equals(Buffer.from(made.wallet.publicKey))).toBe(true);
    expect(verifies(algorithm, loaded.wallet.publicKey, loaded.wallet.sign(challenge))).toBe(true);
  });

  it("public keys have the sizes the server accepts", async () => {
    const dir = tempDir();
    const sizes = await Promise.all(ALGORITHMS.map(async (a) => (await loadOrCreateWallet(dir, a)).wallet.publicKey.length));
    expect(sizes).toEqual([1952, 32, 65]);
  });

  it("names the file and the problem when a key file is broken or holds another algorithm", async () => {
    const dir = tempDir();
    writeFileSync(keyFilePath(dir, "ML-DSA-65"), "{");
    await expect(loadOrCreateWallet(dir, "ML-DSA-65")).rejects.toThrow(`key file ${keyFilePath(dir, "ML-DSA-65")}: not valid JSON; move the file away to create a new key`);
    const secp = (await loadOrCreateWallet(dir, "secp256k1")).path;
    writeFileSync(keyFilePath(dir, "Ed25519"), readFileSync(secp, "utf8").replace('"secp256k1"', '"Ed25519"'));
    await expect(loadOrCreateWallet(dir, "Ed25519")).rejects.toThrow("pkcs8 holds a secp256k1 key, not Ed25519");
    writeFileSync(keyFilePath(dir, "Ed25519"), '{"algorithm":"secp256k1"}');
    await expect(loadOrCreateWallet(dir, "Ed25519")).rejects.toThrow('does not hold a Ed25519 key (expected "algorithm": "Ed25519" and "pkcs8")');
  });
});
