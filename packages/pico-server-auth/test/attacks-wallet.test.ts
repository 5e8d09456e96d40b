/**
 * The attack catalogue (docs/security.md), wallet side: replayed and misdirected challenges, stolen
 * addresses, algorithm confusion, malformed and weak keys, and a race on one challenge. Every answer
 * is a 4xx with its exact detail; none is a 5xx. These run in wallet_mode upstream (the bare
 * challenge, any address), where they were written; secure mode's attacks are in wallet-identity.test.ts
 * and wallet-message.test.ts.
 */
import { generateKeyPairSync } from "node:crypto";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { describe, expect, it } from "vitest";
import type { Application } from "pico-boot";
import { UPSTREAM, ed25519Wallet, inProcessState, mlDsaWallet, postJson, secp256k1Wallet, serverApp as anyModeApp } from "./support.js";
import type { Wallet } from "./support.js";

/** An app in upstream wallet mode, with `server` settings on top. */
const serverApp = (options: { server?: Record<string, unknown> } = {}) => anyModeApp({ server: { ...UPSTREAM, ...options.server } });

async function challengeFor(app: Application, address: string): Promise<string> {
  const res = await app.request("/api/v1/auth/challenge", postJson({ address }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { challenge: string }).challenge;
}

async function signIn(app: Application, body: Record<string, unknown>) {
  const res = await app.request("/api/v1/auth/sign-in", postJson(body));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The sign-in body of `wallet` for `challenge`, with `overrides`. */
function signed(wallet: Wallet, address: string, challenge: string, overrides: Record<string, unknown> = {}) {
  return { address, public_key: wallet.publicKeyHex, signature: wallet.signRaw(challenge), challenge, algorithm: wallet.algorithm, ...overrides };
}

const failed = (detail: string) => ({ status: 401, body: { detail } });
const BAD_SIGNATURE = failed("signature verification failed");
const BAD_CHALLENGE = failed("invalid or expired challenge");

describe("attacks on wallet sign-in (upstream mode): challenges", () => {
  it("a challenge cannot be replayed: the same signed request a second time is refused", async () => {
    const app = serverApp();
    const wallet = ed25519Wallet();
    const challenge = await challengeFor(app, "0xreplay");
    const body = signed(wallet, "0xreplay", challenge);
    expect((await signIn(app, body)).status).toBe(200);
    expect(await signIn(app, body)).toEqual(BAD_CHALLENGE);
    expect(await signIn(app, body)).toEqual(BAD_CHALLENGE);
  });

  it("a challenge issued for address A does not sign in address B, and stays usable by A", async () => {
    const app = serverApp();
    const wallet = ed25519Wallet();
    const challenge = await challengeFor(app, "0xaaaa");
    expect(await signIn(app, signed(wallet, "0xbbbb", challenge))).toEqual(BAD_CHALLENGE);
    // Nor a case variant of A: addresses are compared exactly.
    expect(await signIn(app, signed(wallet, "0xAAAA", challenge))).toEqual(BAD_CHALLENGE);
    expect((await signIn(app, signed(wallet, "0xaaaa", challenge))).status).toBe(200);
  });

  it("an expired challenge is refused (the store's clock, faked): valid 1 ms before the TTL, not at it", async () => {
    const app = serverApp({ server: { challenge_ttl_seconds: 60 } });
    await app.init();
    const store = (await inProcessState(app)).challenges;
    let clock = 5_000_000;
    store.now = () => clock;
    const wallet = ed25519Wallet();
    const late = await challengeFor(app, "0xlate");
    const justInTime = await challengeFor(app, "0xontime");
    clock += 59_999;
    expect((await signIn(app, signed(wallet, "0xontime", justInTime))).status).toBe(200);
    clock += 1;
    expect(await signIn(app, signed(wallet, "0xlate", late))).toEqual(BAD_CHALLENGE);
    // A challenge that never existed, or one altered by a digit.
    expect(await signIn(app, signed(wallet, "0xlate", "00".repeat(32)))).toEqual(BAD_CHALLENGE);
    const fresh = await challengeFor(app, "0xlate");
    const altered = `${fresh.slice(0, -1)}${fresh.endsWith("0") ? "1" : "0"}`;
    expect(await signIn(app, signed(wallet, "0xlate", altered))).toEqual(BAD_CHALLENGE);
  });

  it("1000 parallel sign-ins with one challenge: exactly one 200, every other one a 401, none a 5xx", async () => {
    const app = serverApp();
    const wallet = ed25519Wallet();
    const challenge = await challengeFor(app, "0xrace");
    const body = signed(wallet, "0xrace", challenge);
    const results = await Promise.all(Array.from({ length: 1000 }, () => signIn(app, body)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const others = results.filter((r) => r.status !== 200);
    expect(others).toHaveLength(999);
    expect(others.every((r) => r.status === 401 && r.body.detail === "invalid or expired challenge")).toBe(true);
  });
});

describe("attacks on wallet sign-in (upstream mode): keys and addresses", () => {
  it("another key, of the same or another algorithm, cannot claim a bound address", async () => {
    const app = serverApp();
    const owner = ed25519Wallet();
    expect((await signIn(app, signed(owner, "0xowned", await challengeFor(app, "0xowned")))).status).toBe(200);
    for (const intruder of [ed25519Wallet(), secp256k1Wallet(), mlDsaWallet()]) {
      expect(await signIn(app, signed(intruder, "0xowned", await challengeFor(app, "0xowned")))).toEqual(failed("address is bound to a different key"));
    }
    // The owner's key under another algorithm name is refused before the binding is even looked at.
    expect(await signIn(app, signed(owner, "0xowned", await challengeFor(app, "0xowned"), { algorithm: "secp256k1" }))).toEqual(BAD_SIGNATURE);
    expect((await signIn(app, signed(owner, "0xowned", await challengeFor(app, "0xowned")))).status).toBe(200);
  });

  it("a signature of another algorithm than the one declared is refused, without using up the challenge", async () => {
    const app = serverApp();
    const [ed, k1, ml] = [ed25519Wallet(), secp256k1Wallet(), mlDsaWallet()];
    const challenge = await challengeFor(app, "0xconfused");
    const mismatches: [Wallet, string | undefined][] = [
      [ed, "secp256k1"],
      [ed, "ML-DSA-65"],
      [ed, undefined], // no algorithm: ML-DSA-65 is the default
      [k1, "Ed25519"],
      [k1, "ML-DSA-65"],
      [ml, "Ed25519"],
      [ml, "secp256k1"],
    ];
    for (const [wallet, algorithm] of mismatches) {
      expect(await signIn(app, signed(wallet, "0xconfused", challenge, { algorithm })), `${wallet.algorithm} as ${algorithm}`).toEqual(BAD_SIGNATURE);
    }
    // A compressed secp256k1 key is 33 bytes and a compact signature 64, like none of Ed25519's sizes.
    expect((await signIn(app, signed(ed, "0xconfused", challenge))).status).toBe(200);
  });

  it("truncated or extended signatures and public keys are refused, for every algorithm", async () => {
    const app = serverApp();
    for (const wallet of [ed25519Wallet(), secp256k1Wallet(), mlDsaWallet()]) {
      const address = `0x${wallet.algorithm.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
      const key = wallet.publicKeyHex;
      const variants = [
        { signature: (sig: string) => sig.slice(0, -2) },
        { signature: (sig: string) => `${sig}00` },
        { signature: (sig: string) => sig.slice(0, 2) },
        { signature: (sig: string) => sig + sig },
        { public_key: key.slice(0, -2) },
        { public_key: `${key}00` },
        { public_key: key.slice(0, 2) },
      ];
      for (const { signature, ...rest } of variants) {
        const challenge = await challengeFor(app, address);
        const good = signed(wallet, address, challenge);
        const result = await signIn(app, { ...good, ...rest, ...(signature ? { signature: signature(good.signature) } : {}) });
        expect(result, `${wallet.algorithm} ${signature ? "signature" : "public_key"} ${JSON.stringify(rest).slice(0, 30)}`).toEqual(BAD_SIGNATURE);
      }
      expect((await signIn(app, signed(wallet, address, await challengeFor(app, address)))).status, wallet.algorithm).toBe(200);
    }
  });

  it("a signature or key of the wrong size does not use up the challenge (a DER signature's size varies, so within 8-72 bytes it does)", async () => {
    const app = serverApp();
    for (const wallet of [ed25519Wallet(), mlDsaWallet()]) {
      const address = `0xkeep${wallet.algorithm.length}`;
      const challenge = await challengeFor(app, address);
      const good = signed(wallet, address, challenge);
      expect(await signIn(app, { ...good, signature: good.signature.slice(0, -2) })).toEqual(BAD_SIGNATURE);
      expect(await signIn(app, { ...good, public_key: `${good.public_key}00` })).toEqual(BAD_SIGNATURE);
      expect((await signIn(app, good)).status, wallet.algorithm).toBe(200);
    }
    const k1 = secp256k1Wallet();
    const challenge = await challengeFor(app, "0xburn");
    const good = signed(k1, "0xburn", challenge);
    expect(await signIn(app, { ...good, signature: "30".padEnd(146, "0") })).toEqual(BAD_SIGNATURE); // 73 bytes: kept
    expect((await signIn(app, good)).status).toBe(200);
    const next = await challengeFor(app, "0xburn");
    const goodNext = signed(k1, "0xburn", next);
    expect(await signIn(app, { ...goodNext, signature: goodNext.signature.slice(0, -2) })).toEqual(BAD_SIGNATURE); // DER, 1 byte short: used up
    expect(await signIn(app, goodNext)).toEqual(BAD_CHALLENGE);
  });

  it("a secp256k1 key not on the curve, or at infinity, is refused", async () => {
    const app = serverApp();
    const wallet = secp256k1Wallet();
    const point = Buffer.from(wallet.publicKeyHex, "hex");
    const offCurve = Buffer.from(point);
    offCurve[64] = (offCurve[64] as number) ^ 1; // y + 1 (or - 1): no longer on the curve
    const p = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
    const keys = [
      offCurve.toString("hex"),
      `04${"00".repeat(64)}`, // (0, 0), what some encoders write for the point at infinity
      "00", // SEC 1's encoding of the point at infinity
      `00${"00".repeat(64)}`,
      `02${"00".repeat(32)}`, // x = 0 has no y on secp256k1
      `04${p}${p}`, // coordinates equal to the field prime
      `03${"ff".repeat(32)}`, // x >= p
    ];
    for (const public_key of keys) {
      const address = `0xk1${public_key.length}`;
      const challenge = await challengeFor(app, address);
      expect(await signIn(app, signed(wallet, address, challenge, { public_key })), public_key.slice(0, 12)).toEqual(BAD_SIGNATURE);
    }
  });

  it("Ed25519 small-order and non-canonical public keys are refused, even with the signature that verifies for any message (was accepted)", async () => {
    const app = serverApp();
    const p = (1n << 255n) - 19n;
    const littleEndian = (n: bigint, signBit = false) => {
      const bytes = Buffer.from(n.toString(16).padStart(64, "0"), "hex").reverse();
      if (signBit) bytes[31] = (bytes[31] as number) | 0x80;
      return bytes.toString("hex");
    };
    const weakKeys = [
      littleEndian(1n), // the identity
      littleEndian(1n, true),
      littleEndian(p - 1n), // order 2
      littleEndian(0n), // order 4
      littleEndian(0n, true),
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
      littleEndian(p), // y = p, non-canonical 0
      littleEndian(p + 1n), // y = p + 1, non-canonical identity
      littleEndian(p + 1n, true),
      littleEndian((1n << 255n) - 1n), // the largest 255-bit y
    ];
    for (const public_key of weakKeys) {
      const address = `0xweak${public_key.slice(0, 8)}${public_key.slice(-2)}`;
      // R = the identity (or the key itself), S = 0: [S]B = R + [k]A holds for any message when A has small order.
      for (const r of [littleEndian(1n), public_key]) {
        const challenge = await challengeFor(app, address);
        const forged = { address, public_key, signature: r + "00".repeat(32), challenge, algorithm: "Ed25519" };
        expect(await signIn(app, forged), `key ${public_key}, R ${r.slice(0, 8)}`).toEqual(BAD_SIGNATURE);
      }
    }
    // A real key still signs in.
    const wallet = ed25519Wallet();
    expect((await signIn(app, signed(wallet, "0xstrong", await challengeFor(app, "0xstrong")))).status).toBe(200);
  });

  it("an ML-DSA-65 signature made with a non-empty context is refused", async () => {
    const app = serverApp();
    const { publicKey, secretKey } = ml_dsa65.keygen();
    const address = "0xcontext";
    const sign = (challenge: string, context?: Uint8Array) =>
      Buffer.from(ml_dsa65.sign(new TextEncoder().encode(challenge), secretKey, context ? { context } : {})).toString("hex");
    const body = (challenge: string, signature: string) => ({ address, public_key: Buffer.from(publicKey).toString("hex"), signature, challenge, algorithm: "ML-DSA-65" });
    const first = await challengeFor(app, address);
    expect(await signIn(app, body(first, sign(first, new TextEncoder().encode("pico-auth"))))).toEqual(BAD_SIGNATURE);
    const second = await challengeFor(app, address);
    expect(await signIn(app, body(second, sign(second, new Uint8Array([0]))))).toEqual(BAD_SIGNATURE);
    const third = await challengeFor(app, address);
    expect((await signIn(app, body(third, sign(third)))).status).toBe(200);
  });

  it("an ECDSA signature over the 32 challenge bytes instead of the hex string's UTF-8 is refused", async () => {
    const app = serverApp();
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
    const { x, y } = publicKey.export({ format: "jwk" });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(x as string, "base64url"), Buffer.from(y as string, "base64url")]).toString("hex");
    const { sign } = await import("node:crypto");
    const challenge = await challengeFor(app, "0xbytes");
    const signature = sign("sha256", Buffer.from(challenge, "hex"), privateKey).toString("hex");
    expect(await signIn(app, { address: "0xbytes", public_key: point, signature, challenge, algorithm: "secp256k1" })).toEqual(BAD_SIGNATURE);
  });
});
