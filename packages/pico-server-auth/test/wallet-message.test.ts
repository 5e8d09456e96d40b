/**
 * Secure wallet mode (the default), message side: /challenge hands out the exact text to sign, an
 * EIP-4361 (Sign-In with Ethereum) message for secp256k1 and its CAIP-122 form for Ed25519 and
 * ML-DSA-65, naming the site from the settings (never the Host header), the address, the nonce and
 * an expiry. /sign-in verifies the signature over the stored text. An Ethereum library nobody here
 * wrote (viem) signs in with it and accepts it as SIWE.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { privateKeyToAccount, generatePrivateKey } from "viem/accounts";
import { createSiweMessage, parseSiweMessage, validateSiweMessage } from "viem/siwe";
import type { Application } from "pico-boot";
import { checksumAddress } from "../src/index.js";
import { askChallenge, ed25519Wallet, inProcessState, mlDsaWallet, postJson, secp256k1Wallet, serverApp, UPSTREAM } from "./support.js";
import type { IssuedChallenge, Wallet } from "./support.js";

async function call(app: Application, path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await app.request(path, postJson(body, headers));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function signed(wallet: Wallet, issued: IssuedChallenge, overrides: Record<string, unknown> = {}) {
  return { address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(issued.message), challenge: issued.challenge, algorithm: wallet.algorithm, ...overrides };
}

const refused = (detail: string) => ({ status: 401, body: { detail } });
const BAD_SIGNATURE = refused("signature verification failed");

/** An app whose challenge store runs on a fake clock, starting at `start` (ms). */
async function clockedApp(server: Record<string, unknown> = {}, start = Date.UTC(2026, 0, 2, 3, 4, 5)) {
  const app = serverApp({ server });
  await app.init();
  const clock = { now: start };
  (await inProcessState(app)).challenges.now = () => clock.now;
  return { app, clock };
}

describe("the sign-in message", () => {
  it("secp256k1: EIP-4361, word for word as viem's createSiweMessage writes it, from the issuer (never the Host header)", async () => {
    const { app } = await clockedApp({ challenge_ttl_seconds: 120 });
    const wallet = secp256k1Wallet();
    const res = await call(app, "/api/v1/auth/challenge", { address: wallet.address }, { host: "evil.example.com" });
    const { challenge, ttl, message } = res.body as unknown as IssuedChallenge;
    expect([res.status, ttl]).toEqual([200, 120]);
    expect(challenge).toMatch(/^[0-9a-f]{64}$/);
    const fields = {
      domain: "localhost:8100",
      address: checksumAddress(wallet.address) as `0x${string}`,
      statement: "Sign in to localhost:8100.",
      uri: "http://localhost:8100",
      version: "1" as const,
      chainId: 1,
      nonce: challenge,
      issuedAt: new Date("2026-01-02T03:04:05.000Z"),
      expirationTime: new Date("2026-01-02T03:06:05.000Z"),
    };
    expect(message).toBe(createSiweMessage(fields));
    expect(message).toBe(
      [`localhost:8100 wants you to sign in with your Ethereum account:`, fields.address, "", "Sign in to localhost:8100.", "", "URI: http://localhost:8100", "Version: 1", "Chain ID: 1", `Nonce: ${challenge}`, "Issued At: 2026-01-02T03:04:05.000Z", "Expiration Time: 2026-01-02T03:06:05.000Z"].join("\n"),
    );
    const parsed = parseSiweMessage(message);
    expect(parsed).toMatchObject({ domain: "localhost:8100", address: fields.address, uri: "http://localhost:8100", chainId: 1, nonce: challenge });
    expect(validateSiweMessage({ message: parsed, domain: "localhost:8100", address: fields.address, nonce: challenge, time: new Date("2026-01-02T03:05:00Z") })).toBe(true);
    expect(validateSiweMessage({ message: parsed, domain: "evil.example.com", address: fields.address, nonce: challenge, time: new Date("2026-01-02T03:05:00Z") })).toBe(false);
    expect(validateSiweMessage({ message: parsed, domain: "localhost:8100", time: new Date("2026-01-02T03:06:06Z") })).toBe(false);
  });

  it("sign_in_domain and siwe_chain_id name the site and chain; the URI stays the issuer", async () => {
    const { app } = await clockedApp({ sign_in_domain: "app.example.com", siwe_chain_id: 10, issuer: "https://auth.example.com" });
    const wallet = secp256k1Wallet();
    const { message } = await askChallenge(app, wallet);
    expect(parseSiweMessage(message)).toMatchObject({ domain: "app.example.com", chainId: 10, uri: "https://auth.example.com" });
    expect(message.split("\n")[0]).toBe("app.example.com wants you to sign in with your Ethereum account:");
  });

  it.each([["Ed25519", "pico:ed25519", ed25519Wallet], ["ML-DSA-65", "pico:ml-dsa-65", mlDsaWallet]] as const)("%s: the same fields in CAIP-122 form, chain id %s", async (algorithm, chainId, make) => {
    const { app } = await clockedApp();
    const wallet = make();
    const { challenge, message } = await askChallenge(app, wallet);
    expect(message).toBe(
      [`localhost:8100 wants you to sign in with your ${algorithm} account:`, wallet.address, "", "Sign in to localhost:8100.", "", "URI: http://localhost:8100", "Version: 1", `Chain ID: ${chainId}`, `Nonce: ${challenge}`, "Issued At: 2026-01-02T03:04:05.000Z", "Expiration Time: 2026-01-02T03:05:05.000Z"].join("\n"),
    );
  });

  it("a bad configuration fails boot, naming the setting: no domain to put in messages, or a sign_in_domain that is not host[:port]", async () => {
    const notAUrl = 'server_auth.issuer: expected an absolute http(s) URL (such as "https://auth.example.com"), got "pico-auth" (from config)';
    await expect(serverApp({ server: { issuer: "pico-auth" } }).init()).rejects.toThrow(notAUrl);
    await expect(serverApp({ server: { sign_in_domain: "https://app.example.com/" } }).init()).rejects.toThrow('server_auth.sign_in_domain must be a host or host:port (as in "auth.example.com"), got "https://app.example.com/"');
    await expect(serverApp({ server: { sign_in_domain: "a b" } }).init()).rejects.toThrow('server_auth.sign_in_domain must be a host or host:port (as in "auth.example.com"), got "a b"');
    // Upstream mode puts no domain in anything, but the issuer is a URL setting all the same (issue 15).
    await expect(serverApp({ server: { ...UPSTREAM, issuer: "pico-auth" } }).init()).rejects.toThrow(notAUrl);
    await serverApp({ server: { ...UPSTREAM, issuer: "https://auth.example.com" } }).init();
  });
});

describe("viem (a client library nobody here wrote) signs in", () => {
  it("privateKeyToAccount(...).signMessage over our message: 200 without public_key, sub its lower-case address", async () => {
    const app = serverApp();
    const account = privateKeyToAccount(generatePrivateKey());
    const issued = await askChallenge(app, { algorithm: "secp256k1" } as Wallet, account.address);
    const signature = await account.signMessage({ message: issued.message });
    const res = await call(app, "/api/v1/auth/sign-in", { address: account.address, signature, challenge: issued.challenge, message: issued.message });
    expect([res.status, res.body.address, res.body.algorithm]).toEqual([200, account.address.toLowerCase(), "secp256k1"]);
  });
});

describe("attacks on the sign-in message (secure mode)", () => {
  it("a signature over a message naming another domain (a phishing page's), another address or another expiry is refused", async () => {
    const { app } = await clockedApp();
    const wallet = secp256k1Wallet();
    const variants = [
      ["domain", (m: string) => m.replace("localhost:8100 wants", "evil.example.com wants")],
      ["address", (m: string) => m.replace(checksumAddress(wallet.address), checksumAddress(secp256k1Wallet().address))],
      ["expiry", (m: string) => m.replace("Expiration Time: 2026-01-02T03:05:05.000Z", "Expiration Time: 2036-01-02T03:05:05.000Z")],
    ] as const;
    for (const [what, alter] of variants) {
      const issued = await askChallenge(app, wallet);
      const other = alter(issued.message);
      expect(other).not.toBe(issued.message);
      // Signed over the altered text, sent without it: the server checks the text it issued.
      expect(await call(app, "/api/v1/auth/sign-in", signed(wallet, { ...issued, message: other })), what).toEqual(BAD_SIGNATURE);
      // Sent with it: refused, naming what differs.
      const again = await askChallenge(app, wallet);
      expect(await call(app, "/api/v1/auth/sign-in", { ...signed(wallet, again), message: alter(again.message) }), what).toEqual(refused(`the message differs from the one issued for this challenge: its ${what} is not the one issued`));
    }
    const issued = await askChallenge(app, wallet);
    expect((await call(app, "/api/v1/auth/sign-in", { ...signed(wallet, issued), message: issued.message })).status).toBe(200);
  });

  it("a raw-signing wallet's signature over the bare challenge (what upstream asked for) is refused", async () => {
    const app = serverApp();
    for (const wallet of [secp256k1Wallet(), ed25519Wallet()]) {
      const issued = await askChallenge(app, wallet);
      expect(await call(app, "/api/v1/auth/sign-in", { ...signed(wallet, issued), signature: wallet.signRaw(issued.challenge) }), wallet.algorithm).toEqual(BAD_SIGNATURE);
      const again = await askChallenge(app, wallet);
      expect(await call(app, "/api/v1/auth/sign-in", { ...signed(wallet, again), signature: wallet.sign(again.challenge) }), wallet.algorithm).toEqual(BAD_SIGNATURE);
    }
  });

  it("an expired challenge is refused: valid 1 ms before its Expiration Time, not at it", async () => {
    const { app, clock } = await clockedApp();
    const wallet = ed25519Wallet();
    const [late, onTime] = [await askChallenge(app, wallet), await askChallenge(app, wallet)];
    clock.now += 59_999;
    expect((await call(app, "/api/v1/auth/sign-in", signed(wallet, onTime))).status).toBe(200);
    clock.now += 1;
    expect(await call(app, "/api/v1/auth/sign-in", signed(wallet, late))).toEqual(refused("invalid or expired challenge"));
  });

  it("an algorithm other than the challenge's is refused; without one, the challenge's applies", async () => {
    const app = serverApp();
    const [k1, ed] = [secp256k1Wallet(), ed25519Wallet()];
    const issued = await askChallenge(app, k1, ed.address);
    expect(await call(app, "/api/v1/auth/sign-in", { ...signed(ed, issued) })).toEqual(refused("the challenge was issued for secp256k1, not Ed25519"));
    const forEd = await askChallenge(app, ed);
    const { algorithm: _omitted, ...body } = signed(ed, forEd);
    expect((await call(app, "/api/v1/auth/sign-in", body)).body.algorithm).toBe("Ed25519");
    // A /challenge without an algorithm is for secp256k1.
    const plain = (await call(app, "/api/v1/auth/challenge", { address: k1.address })).body as unknown as IssuedChallenge;
    expect(plain.message).toContain("with your Ethereum account");
    expect(await call(app, "/api/v1/auth/challenge", { address: k1.address, algorithm: "RSA" })).toEqual({ status: 400, body: { detail: "unsupported wallet algorithm: RSA; supported: ML-DSA-65, Ed25519, secp256k1" } });
  });

  it("secp256k1 recovery: r‖s‖v (v 27/28 or 0/1) names its key; a public_key that is not the signer's, or another v, is refused", async () => {
    const app = serverApp();
    const wallet = secp256k1Wallet();
    const bodyWithout = (issued: IssuedChallenge, signature = wallet.sign(issued.message)) => ({ address: wallet.address, signature, challenge: issued.challenge, algorithm: "secp256k1" });
    expect((await call(app, "/api/v1/auth/sign-in", bodyWithout(await askChallenge(app, wallet)))).body.address).toBe(wallet.address);
    const lowV = await askChallenge(app, wallet);
    const sig = wallet.sign(lowV.message);
    const v = Number.parseInt(sig.slice(128), 16);
    expect((await call(app, "/api/v1/auth/sign-in", bodyWithout(lowV, sig.slice(0, 128) + (v - 27).toString(16).padStart(2, "0")))).status).toBe(200);
    const flipped = await askChallenge(app, wallet);
    const flippedSig = wallet.sign(flipped.message);
    // The other v recovers another key, which does not hold the address.
    expect(await call(app, "/api/v1/auth/sign-in", bodyWithout(flipped, flippedSig.slice(0, 128) + (flippedSig.endsWith("1b") ? "1c" : "1b")))).toEqual(refused("address is bound to a different key"));
    const otherKey = await askChallenge(app, wallet);
    expect(await call(app, "/api/v1/auth/sign-in", { ...bodyWithout(otherKey), public_key: secp256k1Wallet().publicKeyHex })).toEqual(BAD_SIGNATURE);
    const badV = await askChallenge(app, wallet);
    expect(await call(app, "/api/v1/auth/sign-in", bodyWithout(badV, wallet.sign(badV.message).slice(0, 128) + "1d"))).toEqual(BAD_SIGNATURE);
    // Ed25519 and ML-DSA-65 keys cannot be recovered: public_key is required.
    const ed = ed25519Wallet();
    const { public_key: _k, ...noKey } = signed(ed, await askChallenge(app, ed));
    expect(await call(app, "/api/v1/auth/sign-in", noKey)).toEqual({ status: 400, body: { detail: "public_key required for Ed25519" } });
  });

  it("weak keys are refused in secure mode too: Ed25519 small-order (the signature that verifies any message), secp256k1 off the curve", async () => {
    const app = serverApp();
    const identity = `01${"00".repeat(31)}`;
    for (const public_key of [identity, `${"00".repeat(32)}`, "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"]) {
      const address = `0x${createHash("sha256").update(Buffer.from(public_key, "hex")).digest("hex").slice(0, 40)}`;
      const issued = await askChallenge(app, { algorithm: "Ed25519" } as Wallet, address);
      expect(await call(app, "/api/v1/auth/sign-in", { address, public_key, signature: identity + "00".repeat(32), challenge: issued.challenge, algorithm: "Ed25519" }), public_key).toEqual(BAD_SIGNATURE);
    }
    const wallet = secp256k1Wallet();
    const offCurve = Buffer.from(wallet.publicKeyHex, "hex");
    offCurve[64] = (offCurve[64] as number) ^ 1;
    for (const public_key of [offCurve.toString("hex"), `02${"00".repeat(32)}`, `04${"00".repeat(64)}`]) {
      const issued = await askChallenge(app, wallet);
      // The compact r‖s with an off-curve key; the r‖s‖v alone would recover the real key.
      expect(await call(app, "/api/v1/auth/sign-in", { ...signed(wallet, issued), public_key, signature: wallet.sign(issued.message).slice(0, 128) }), public_key.slice(0, 8)).toEqual(BAD_SIGNATURE);
    }
  });

  it("a DER-encoded signature over the EIP-191 digest (as OpenSSL-based signers write) signs in with its public_key", async () => {
    const app = serverApp();
    const wallet = secp256k1Wallet();
    const issued = await askChallenge(app, wallet);
    // node:crypto cannot sign a ready digest with ECDSA; the wallet's r and s, DER-encoded, stand in for one.
    const compact = Buffer.from(wallet.sign(issued.message).slice(0, 128), "hex");
    const der = derOf(compact.subarray(0, 32), compact.subarray(32));
    expect((await call(app, "/api/v1/auth/sign-in", { ...signed(wallet, issued), signature: der.toString("hex") })).status).toBe(200);
  });
});

/** DER ECDSA-Sig-Value of r and s. */
function derOf(r: Uint8Array, s: Uint8Array): Buffer {
  const integer = (n: Uint8Array) => {
    let bytes = Buffer.from(n);
    while (bytes.length > 1 && bytes[0] === 0 && (bytes[1] as number) < 0x80) bytes = bytes.subarray(1);
    if ((bytes[0] as number) >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
