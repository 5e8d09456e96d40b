import { createHash, generateKeyPairSync, randomBytes, sign as nodeSign, type KeyObject } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ed25519 } from "@noble/curves/ed25519.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { isWalletAlgorithm, PUBLIC_KEY_LENGTHS, WALLET_ALGORITHMS } from "../src/wallet/algorithms.js";
import { decodeHex } from "../src/wallet/hex.js";
import { KEY_CACHE_MAX_ENTRIES, keyCacheSize } from "../src/wallet/key-cache.js";
import { loadMlDsaVerifier, verifyWalletSignature } from "../src/wallet/verify-signature.js";

beforeAll(() => loadMlDsaVerifier());

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
/** As in the real flow: the wallet signs the UTF-8 bytes of the 64-hex-char challenge string. */
const newChallenge = (): string => randomBytes(32).toString("hex");
const flipBit = (b: Uint8Array, i = 0): Uint8Array => {
  const c = Uint8Array.from(b);
  c[i] = (c[i] ?? 0) ^ 0x01;
  return c;
};
const tamper = (challenge: string): Uint8Array =>
  utf8((challenge[0] === "a" ? "b" : "a") + challenge.slice(1));
const jwk = (k: KeyObject) => k.export({ format: "jwk" });
const b64u = (s: string | undefined): Buffer => Buffer.from(s ?? "", "base64url");

const SECP256K1_N = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
/** Parses a DER ECDSA-Sig-Value by hand (independent of the verifier) and returns S. */
function derS(der: Uint8Array): bigint {
  expect(der[0]).toBe(0x30);
  expect(der[1]).toBe(der.length - 2);
  expect(der[2]).toBe(0x02);
  const rLen = der[3] ?? 0;
  expect(der[4 + rLen]).toBe(0x02);
  const sLen = der[5 + rLen] ?? 0;
  expect(6 + rLen + sLen).toBe(der.length);
  return BigInt("0x" + Buffer.from(der.subarray(6 + rLen)).toString("hex"));
}

function secp256k1NodeKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const { x, y } = jwk(publicKey);
  const X = b64u(x), Y = b64u(y);
  expect(X.length).toBe(32);
  expect(Y.length).toBe(32);
  const uncompressed = Uint8Array.from([0x04, ...X, ...Y]);
  const compressed = Uint8Array.from([(Y[31] ?? 0) % 2 === 0 ? 0x02 : 0x03, ...X]);
  return { privateKey, uncompressed, compressed };
}

describe("algorithms", () => {
  it("isWalletAlgorithm is exact and case-sensitive", () => {
    expect(isWalletAlgorithm("Ed25519")).toBe(true);
    expect(isWalletAlgorithm("secp256k1")).toBe(true);
    expect(isWalletAlgorithm("ML-DSA-65")).toBe(true);
    expect(isWalletAlgorithm("ed25519")).toBe(false);
    expect(isWalletAlgorithm("RSA-2048")).toBe(false);
    expect(isWalletAlgorithm(5)).toBe(false);
    expect(isWalletAlgorithm(undefined)).toBe(false);
  });
  it("lists key lengths for every algorithm", () => {
    expect(WALLET_ALGORITHMS).toEqual(["ML-DSA-65", "Ed25519", "secp256k1"]);
    expect(PUBLIC_KEY_LENGTHS).toEqual({ "ML-DSA-65": [1952], Ed25519: [32], secp256k1: [33, 65] });
  });
});

describe("decodeHex", () => {
  it.each([
    ["0x0a", [10]],
    ["0X0a", [10]],
    ["0A0b", [10, 11]],
    ["ff00", [255, 0]],
    ["abc", undefined],
    ["zz", undefined],
    ["", undefined],
    ["0x", undefined],
    [" 0a", undefined],
    ["0a ", undefined],
    ["0a 0b", undefined],
    ["0x0x0a", undefined],
    ["0g", undefined],
  ])("%j → %j", (input, expected) => {
    const out = decodeHex(input);
    if (expected === undefined) expect(out).toBeUndefined();
    else expect(out === undefined ? undefined : Array.from(out)).toEqual(expected);
  });
  it("returns a plain Uint8Array", () => {
    expect(decodeHex("00")).toBeInstanceOf(Uint8Array);
  });
});

describe("Ed25519", () => {
  const nodeKeyPair = () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const pk = Uint8Array.from(b64u(jwk(publicKey).x));
    return { pk, signFn: (m: Uint8Array) => Uint8Array.from(nodeSign(null, m, privateKey)) };
  };
  const nobleKeyPair = () => {
    const { secretKey, publicKey } = ed25519.keygen();
    return { pk: publicKey, signFn: (m: Uint8Array) => ed25519.sign(m, secretKey) };
  };

  it.each([
    ["node:crypto", nodeKeyPair],
    ["@noble/curves", nobleKeyPair],
  ])("verifies %s signatures and rejects tampering", (_name, make) => {
    const { pk, signFn } = make();
    expect(pk.length).toBe(32);
    const challenge = newChallenge();
    const msg = utf8(challenge);
    const sig = signFn(msg);
    expect(verifyWalletSignature("Ed25519", pk, msg, sig)).toBe(true);
    expect(verifyWalletSignature("Ed25519", pk, msg, sig)).toBe(true); // cached key path
    expect(verifyWalletSignature("Ed25519", pk, tamper(challenge), sig)).toBe(false);
    expect(verifyWalletSignature("Ed25519", pk, msg, flipBit(sig, 5))).toBe(false);
    expect(verifyWalletSignature("Ed25519", pk, msg, flipBit(sig, 63))).toBe(false);
    expect(verifyWalletSignature("Ed25519", nobleKeyPair().pk, msg, sig)).toBe(false);
    // The decoded 32 bytes are not what is signed.
    expect(verifyWalletSignature("Ed25519", pk, Buffer.from(challenge, "hex"), sig)).toBe(false);
  });

  it("rejects wrong lengths and invalid keys without throwing", () => {
    const { pk, signFn } = nodeKeyPair();
    const msg = utf8(newChallenge());
    const sig = signFn(msg);
    expect(verifyWalletSignature("Ed25519", pk.subarray(0, 31), msg, sig)).toBe(false);
    expect(verifyWalletSignature("Ed25519", Uint8Array.from([...pk, 0]), msg, sig)).toBe(false);
    expect(verifyWalletSignature("Ed25519", pk, msg, sig.subarray(0, 63))).toBe(false);
    expect(verifyWalletSignature("Ed25519", pk, msg, Uint8Array.from([...sig, 0]))).toBe(false);
    expect(verifyWalletSignature("Ed25519", new Uint8Array(32), msg, sig)).toBe(false);
    expect(verifyWalletSignature("Ed25519", new Uint8Array(32).fill(0xff), msg, sig)).toBe(false);
    expect(verifyWalletSignature("Ed25519", pk, msg, new Uint8Array(64))).toBe(false);
    expect(verifyWalletSignature("Ed25519", new Uint8Array(0), msg, new Uint8Array(0))).toBe(false);
  });
});

describe("secp256k1", () => {
  it("verifies 40 node:crypto DER signatures (incl. high-S) with both key encodings", () => {
    const { privateKey, uncompressed, compressed } = secp256k1NodeKeyPair();
    let highS = 0;
    for (let i = 0; i < 40; i++) {
      const msg = utf8(newChallenge());
      const der = Uint8Array.from(nodeSign("sha256", msg, privateKey));
      const isHigh = derS(der) > SECP256K1_N / 2n;
      if (isHigh) {
        highS++;
        // Independent confirmation that S really is high: noble's default low-S policy rejects it.
        expect(secp256k1.verify(der, msg, compressed, { format: "der" })).toBe(false);
        expect(secp256k1.verify(der, msg, compressed, { format: "der", lowS: false })).toBe(true);
      }
      expect(verifyWalletSignature("secp256k1", uncompressed, msg, der)).toBe(true);
      expect(verifyWalletSignature("secp256k1", compressed, msg, der)).toBe(true);
    }
    expect(highS).toBeGreaterThan(0);
  });

  it("verifies @noble/curves compact signatures (prehash sha256 by default) and DER", () => {
    const secretKey = secp256k1.utils.randomSecretKey();
    const compressed = secp256k1.getPublicKey(secretKey); // 33 bytes by default
    const uncompressed = secp256k1.getPublicKey(secretKey, false);
    const challenge = newChallenge();
    const msg = utf8(challenge);
    const compact = secp256k1.sign(msg, secretKey);
    expect(compact.length).toBe(64);
    // The default prehash is sha256: signing the digest with prehash: false gives the same bytes (RFC 6979).
    const digest = createHash("sha256").update(msg).digest();
    expect(secp256k1.sign(digest, secretKey, { prehash: false })).toEqual(compact);
    for (const pk of [compressed, uncompressed]) {
      expect(verifyWalletSignature("secp256k1", pk, msg, compact)).toBe(true);
      expect(verifyWalletSignature("secp256k1", pk, tamper(challenge), compact)).toBe(false);
      expect(verifyWalletSignature("secp256k1", pk, msg, flipBit(compact, 40))).toBe(false);
    }
    const der = secp256k1.sign(msg, secretKey, { format: "der" });
    expect(verifyWalletSignature("secp256k1", compressed, msg, der)).toBe(true);
    // A high-S compact signature (S → n − S) still verifies.
    const sig = secp256k1.Signature.fromBytes(compact);
    const high = new secp256k1.Signature(sig.r, SECP256K1_N - sig.s).toBytes("compact");
    expect(verifyWalletSignature("secp256k1", compressed, msg, high)).toBe(true);
  });

  it("rejects malformed signatures, keys and points without throwing", () => {
    const { privateKey, uncompressed, compressed } = secp256k1NodeKeyPair();
    const msg = utf8(newChallenge());
    const der = Uint8Array.from(nodeSign("sha256", msg, privateKey));
    expect(verifyWalletSignature("secp256k1", uncompressed, msg, der)).toBe(true);
    expect(verifyWalletSignature("secp256k1", uncompressed, msg, Uint8Array.from([...der, 0]))).toBe(false);
    expect(verifyWalletSignature("secp256k1", uncompressed, msg, der.subarray(0, der.length - 1))).toBe(false);
    expect(verifyWalletSignature("secp256k1", uncompressed, msg, randomBytes(64))).toBe(false);
    expect(verifyWalletSignature("secp256k1", uncompressed, msg, new Uint8Array(64))).toBe(false);
    expect(verifyWalletSignature("secp256k1", uncompressed, msg, new Uint8Array(0))).toBe(false);
    const offCurve = Uint8Array.from(uncompressed);
    offCurve[64] = (offCurve[64] ?? 0) ^ 0x01;
    expect(verifyWalletSignature("secp256k1", offCurve, msg, der)).toBe(false);
    const xTooBig = Uint8Array.from([0x02, ...new Uint8Array(32).fill(0xff)]);
    expect(verifyWalletSignature("secp256k1", xTooBig, msg, der)).toBe(false);
    const wrongPrefix = Uint8Array.from(compressed);
    wrongPrefix[0] = 0x04;
    expect(verifyWalletSignature("secp256k1", wrongPrefix, msg, der)).toBe(false);
    const hybrid = Uint8Array.from(uncompressed);
    hybrid[0] = 0x06;
    expect(verifyWalletSignature("secp256k1", hybrid, msg, der)).toBe(false);
    expect(verifyWalletSignature("secp256k1", compressed.subarray(0, 32), msg, der)).toBe(false);
    expect(verifyWalletSignature("secp256k1", new Uint8Array(33), msg, der)).toBe(false);
  });
});

describe("ML-DSA-65", () => {
  const { publicKey, secretKey } = ml_dsa65.keygen();

  it("verifies noble signatures and rejects tampering", () => {
    const challenge = newChallenge();
    const msg = utf8(challenge);
    const sig = ml_dsa65.sign(msg, secretKey);
    expect(sig.length).toBe(3309);
    expect(verifyWalletSignature("ML-DSA-65", publicKey, msg, sig)).toBe(true);
    expect(verifyWalletSignature("ML-DSA-65", publicKey, tamper(challenge), sig)).toBe(false);
    expect(verifyWalletSignature("ML-DSA-65", publicKey, msg, flipBit(sig, 100))).toBe(false);
    expect(verifyWalletSignature("ML-DSA-65", ml_dsa65.keygen().publicKey, msg, sig)).toBe(false);
    // Pure ML-DSA with an empty context: a signature under another context does not verify.
    const ctxSig = ml_dsa65.sign(msg, secretKey, { context: utf8("ctx") });
    expect(verifyWalletSignature("ML-DSA-65", publicKey, msg, ctxSig)).toBe(false);
  });

  it("rejects wrong lengths and garbage without throwing", () => {
    const msg = utf8(newChallenge());
    const sig = ml_dsa65.sign(msg, secretKey);
    expect(verifyWalletSignature("ML-DSA-65", publicKey.subarray(0, 1951), msg, sig)).toBe(false);
    expect(verifyWalletSignature("ML-DSA-65", Uint8Array.from([...publicKey, 0]), msg, sig)).toBe(false);
    expect(verifyWalletSignature("ML-DSA-65", publicKey, msg, sig.subarray(0, 3308))).toBe(false);
    expect(verifyWalletSignature("ML-DSA-65", publicKey, msg, randomBytes(3309))).toBe(false);
    expect(verifyWalletSignature("ML-DSA-65", randomBytes(1952), msg, sig)).toBe(false);
    // Old (pre-0.5) argument order must not be what we call: key and signature swapped → false.
    expect(verifyWalletSignature("ML-DSA-65", sig, msg, publicKey)).toBe(false);
  });
});

describe("verifyWalletSignature robustness", () => {
  it("rejects cross-algorithm keys, unknown algorithms and non-byte input", () => {
    const { secretKey, publicKey } = ed25519.keygen();
    const msg = utf8(newChallenge());
    const sig = ed25519.sign(msg, secretKey);
    expect(verifyWalletSignature("secp256k1", publicKey, msg, sig)).toBe(false);
    expect(verifyWalletSignature("ML-DSA-65", publicKey, msg, sig)).toBe(false);
    const call = verifyWalletSignature as (...args: unknown[]) => boolean;
    expect(call("RSA-2048", publicKey, msg, sig)).toBe(false);
    expect(call("Ed25519", "00".repeat(32), msg, sig)).toBe(false);
    expect(call("Ed25519", publicKey, undefined, sig)).toBe(false);
    expect(call("Ed25519", publicKey, msg, null)).toBe(false);
  });

  it("keeps the KeyObject cache bounded", () => {
    const msg = utf8(newChallenge());
    for (let i = 0; i < KEY_CACHE_MAX_ENTRIES + 20; i++) {
      const { publicKey } = generateKeyPairSync("ed25519");
      verifyWalletSignature("Ed25519", Uint8Array.from(b64u(jwk(publicKey).x)), msg, new Uint8Array(64));
    }
    expect(keyCacheSize()).toBe(KEY_CACHE_MAX_ENTRIES);
  });
});
