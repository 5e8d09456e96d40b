import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { UPSTREAM, claimsOf, ed25519Wallet, inProcessState, mlDsaWallet, postJson, secp256k1Wallet, serverApp, walletSignIn } from "./support.js";

async function call(app: ReturnType<typeof serverApp>, path: string, init?: RequestInit) {
  const res = await app.request(path, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("GET /jwks", () => {
  it("publishes one public key with a thumbprint kid, alg and use, cacheable; every token verifies against it alone", async () => {
    const app = serverApp();
    const res = await app.request("/api/v1/auth/jwks");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    expect(key).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: expect.stringMatching(/^[\w-]{43}$/) });
    expect(Object.keys(key ?? {}).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
    const signedIn = (await (await walletSignIn(app, ed25519Wallet())).json()) as { access_token: string; refresh_token: string };
    // RFC 9068 access tokens: jose checks the at+jwt type when asked to.
    const verifyOptions = { issuer: "http://localhost:8100", audience: "my-app", algorithms: ["RS256"], typ: "at+jwt" };
    const { payload, protectedHeader } = await jwtVerify(signedIn.access_token, createLocalJWKSet(jwks as never), verifyOptions);
    expect(protectedHeader).toEqual({ alg: "RS256", typ: "at+jwt", kid: key?.kid });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload).toMatchObject({ client_id: "my-app", iat: expect.any(Number) });
    // The refresh token is opaque: no verifier takes it for an access token (RFC 8725 §3.11).
    await expect(jwtVerify(signedIn.refresh_token, createLocalJWKSet(jwks as never), verifyOptions)).rejects.toThrow();
  });
});

describe("POST /challenge", () => {
  it("returns 64 lowercase hex chars and the ttl; 400 without an address", async () => {
    const app = serverApp({ server: { challenge_ttl_seconds: 120 } });
    const ok = await call(app, "/api/v1/auth/challenge", postJson({ address: "0xabc" }));
    expect(ok).toEqual({ status: 200, body: { challenge: expect.stringMatching(/^[0-9a-f]{64}$/), ttl: 120, message: expect.stringContaining("wants you to sign in") } });
    for (const body of [{}, { address: "" }, { address: null }, { address: 42 }]) {
      expect(await call(app, "/api/v1/auth/challenge", postJson(body))).toEqual({ status: 400, body: { detail: "address required" } });
    }
    expect(await call(app, "/api/v1/auth/challenge", postJson([1]))).toEqual({ status: 400, body: { detail: "expected a JSON object body" } });
    expect((await app.request("/api/v1/auth/challenge", { method: "POST", body: "{", headers: { "content-type": "application/json" } })).status).toBe(400);
  });
});

describe("challenge quota", () => {
  it("a client gets challenges_per_client per TTL window, then 429: a flood cannot evict others' challenges", async () => {
    const app = serverApp({ server: { challenges_per_client: 3 } });
    for (let i = 0; i < 3; i++) expect((await app.request("/api/v1/auth/challenge", postJson({ address: `0xq${i}` }))).status).toBe(200);
    const limited = await app.request("/api/v1/auth/challenge", postJson({ address: "0xq9" }));
    expect([limited.status, limited.headers.get("retry-after"), await limited.json()]).toEqual([429, "60", { detail: "too many challenges requested; try again later" }]);
  });
});

/** Today's sign-in tests, in wallet_mode upstream (secure mode has wallet-identity and wallet-message tests). */
const upstreamApp = (options: { server?: Record<string, unknown> } = {}) => serverApp({ server: { ...UPSTREAM, ...options.server } });

describe("POST /sign-in (upstream mode)", () => {
  it.each([["Ed25519", ed25519Wallet], ["secp256k1 (DER, high-S allowed)", secp256k1Wallet], ["ML-DSA-65", mlDsaWallet]])("%s: tokens with sub, role, algorithm and wallet_address", async (_name, make) => {
    const app = upstreamApp();
    const wallet = make();
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await walletSignIn(app, wallet, "0xwallet");
      const body = (await res.json()) as Record<string, string>;
      expect([res.status, body.address, body.algorithm]).toEqual([200, "0xwallet", wallet.algorithm]);
      expect(claimsOf(body.access_token as string)).toMatchObject({ sub: "0xwallet", role: "wallet", algorithm: wallet.algorithm, wallet_address: "0xwallet", iss: "http://localhost:8100", aud: "my-app" });
      expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it("answers upstream's status codes and details for every bad input, never 500", async () => {
    const app = upstreamApp({ server: { supported_wallet_algorithms: ["Ed25519", "secp256k1"] } });
    const wallet = ed25519Wallet();
    const { challenge } = (await call(app, "/api/v1/auth/challenge", postJson({ address: "0xa" }))).body as { challenge: string };
    const good = { address: "0xa", public_key: wallet.publicKeyHex, signature: wallet.signRaw(challenge), challenge, algorithm: "Ed25519" };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ address: "0xa" }, 400, "address, public_key, signature, and challenge required"],
      [{ ...good, signature: null }, 400, "address, public_key, signature, and challenge required"],
      [{ ...good, public_key: "zz" }, 400, "invalid hex encoding"],
      [{ ...good, signature: "abc" }, 400, "invalid hex encoding"],
      [{ ...good, algorithm: "RSA-2048" }, 400, "unsupported wallet algorithm: RSA-2048; supported: Ed25519, secp256k1"],
      [{ ...good, algorithm: "ML-DSA-65" }, 400, "unsupported wallet algorithm: ML-DSA-65; supported: Ed25519, secp256k1"],
      [{ ...good, public_key: "00".repeat(31) }, 401, "signature verification failed"],
      [{ ...good, signature: "00".repeat(63) }, 401, "signature verification failed"],
      [{ ...good, address: "admin@example.com" }, 400, "address must be 1-128 letters, digits or . _ : - (starting with a letter or digit)"],
      [{ ...good, challenge: "f".repeat(64) }, 401, "invalid or expired challenge"],
      [{ ...good, address: "0xother" }, 401, "invalid or expired challenge"],
    ];
    for (const [body, status, detail] of cases) {
      expect(await call(app, "/api/v1/auth/sign-in", postJson(body)), detail).toEqual({ status, body: { detail } });
    }
    // None of the above spent the challenge: the good request still works, once.
    expect((await call(app, "/api/v1/auth/sign-in", postJson(good))).status).toBe(200);
    expect(await call(app, "/api/v1/auth/sign-in", postJson(good))).toEqual({ status: 401, body: { detail: "invalid or expired challenge" } });
  });

  it("a signature over other bytes is 401 and burns the challenge", async () => {
    const app = upstreamApp();
    const wallet = ed25519Wallet();
    const { challenge } = (await call(app, "/api/v1/auth/challenge", postJson({ address: "0xb" }))).body as { challenge: string };
    const forged = { address: "0xb", public_key: wallet.publicKeyHex, signature: wallet.signRaw("something else"), challenge, algorithm: "Ed25519" };
    expect(await call(app, "/api/v1/auth/sign-in", postJson(forged))).toEqual({ status: 401, body: { detail: "signature verification failed" } });
    expect(await call(app, "/api/v1/auth/sign-in", postJson({ ...forged, signature: wallet.signRaw(challenge) }))).toEqual({ status: 401, body: { detail: "invalid or expired challenge" } });
  });

  it("binds an address to the first key that signs in with it", async () => {
    const app = upstreamApp();
    const [owner, intruder] = [ed25519Wallet(), ed25519Wallet()];
    expect((await walletSignIn(app, owner, "0xvictim")).status).toBe(200);
    const stolen = await walletSignIn(app, intruder, "0xvictim");
    expect([stolen.status, await stolen.json()]).toEqual([401, { detail: "address is bound to a different key" }]);
    expect((await walletSignIn(app, owner, "0xvictim")).status).toBe(200);
  });

  it("one challenge, 20 concurrent sign-ins: exactly one token", async () => {
    const app = upstreamApp();
    const wallet = ed25519Wallet();
    const { challenge } = (await call(app, "/api/v1/auth/challenge", postJson({ address: "0xc" }))).body as { challenge: string };
    const request = postJson({ address: "0xc", public_key: wallet.publicKeyHex, signature: wallet.signRaw(challenge), challenge, algorithm: "Ed25519" });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => app.request("/api/v1/auth/sign-in", request).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(19);
  });

  it("challenges expire after the TTL, and the store is bounded", async () => {
    const app = upstreamApp({ server: { challenge_ttl_seconds: 60, max_challenges: 5 } });
    await app.init();
    const store = (await inProcessState(app)).challenges;
    let clock = 1_000_000;
    store.now = () => clock;
    const wallet = ed25519Wallet();
    const { challenge } = (await call(app, "/api/v1/auth/challenge", postJson({ address: "0xd" }))).body as { challenge: string };
    clock += 60_001;
    const late = await call(app, "/api/v1/auth/sign-in", postJson({ address: "0xd", public_key: wallet.publicKeyHex, signature: wallet.signRaw(challenge), challenge, algorithm: "Ed25519" }));
    expect(late).toEqual({ status: 401, body: { detail: "invalid or expired challenge" } });

    const first = (await call(app, "/api/v1/auth/challenge", postJson({ address: "0xe" }))).body.challenge as string;
    for (let i = 0; i < 1000; i++) await store.create({ address: `0xflood${i}`, compose: (c) => c });
    expect(store.size).toBe(5);
    expect(await store.consume("0xe", first)).toBeUndefined();
  });
});
