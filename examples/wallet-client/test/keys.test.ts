import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveAddress, loadMlDsaVerifier, verifyMessageSignature } from "pico-server-auth";
import { ALGORITHMS, addressOf, keyFilePath, loadOrCreateWallet } from "../src/keys.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "wallet-keys-"));
const message = "localhost:8100 wants you to sign in with your Ethereum account:\n0x0000000000000000000000000000000000000000\n\nSign in.";

/**
 * Verifies with the server's own code, as /sign-in does: secp256k1 recovers the key from the r‖s‖v
 * personal_sign signature (no public key given), the others verify over the message's UTF-8 bytes.
 */
async function verifies(algorithm: (typeof ALGORITHMS)[number], publicKey: Uint8Array, signature: Uint8Array): Promise<boolean> {
  await loadMlDsaVerifier();
  const signer = verifyMessageSignature(algorithm, message, signature, algorithm === "secp256k1" ? undefined : publicKey);
  return signer !== undefined && Buffer.from(signer).equals(Buffer.from(publicKey));
}

describe("keys", () => {
  it.each(ALGORITHMS)("%s: created once (0600), then loaded with the same key; its address and signatures are the server's", async (algorithm) => {
    const dir = tempDir();
    const made = await loadOrCreateWallet(dir, algorithm);
    expect(made.created).toBe(true);
    expect(statSync(made.path).mode & 0o777).toBe(0o600);
    expect(made.wallet.address).toMatch(/^0x[0-9a-f]{40}$/);
    expect(made.wallet.address).toBe(addressOf(algorithm, made.wallet.publicKey));
    expect(made.wallet.address).toBe(deriveAddress(algorithm, made.wallet.publicKey));
    expect(JSON.parse(readFileSync(made.path, "utf8"))).toMatchObject({ algorithm, address: made.wallet.address });

    const loaded = await loadOrCreateWallet(dir, algorithm);
    expect(loaded.created).toBe(false);
    expect(Buffer.from(loaded.wallet.publicKey).equals(Buffer.from(made.wallet.publicKey))).toBe(true);
    const signature = loaded.wallet.sign(message);
    expect(await verifies(algorithm, loaded.wallet.publicKey, signature)).toBe(true);
    // A signature over other text is not one over the message.
    expect(await verifies(algorithm, loaded.wallet.publicKey, loaded.wallet.sign(`${message}.`))).toBe(false);
    expect(signature.length).toBe({ "ML-DSA-65": 3309, Ed25519: 64, secp256k1: 65 }[algorithm]);
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
