import { X509Certificate } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StandInIdp } from "../../test-support/stand-in-idp.js";
import type { IdpKeyName } from "../../test-support/stand-in-idp.js";
import { apiFor, bearer, call } from "./support.js";

// pico-client-auth against a third-party IdP on a real socket, with the settings a user would write
// (jwks_url set: discovery and the claim-mapping settings are in idp-shapes.test.ts).

const jwksFetches = (idp: StandInIdp) => idp.requests.filter((path) => path === new URL(idp.urls.jwks).pathname).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("key-set shapes real IdPs publish", () => {
  let idp: StandInIdp;
  beforeAll(async () => {
    idp = await StandInIdp.start({ akp: true });
  });
  afterAll(() => idp.stop());

  it("the stand-in publishes them: enc key first, x5c certificates of the keys, a key without alg, thumbprint kids, an AKP key", async () => {
    const res = await fetch(idp.urls.jwks);
    expect(res.headers.get("content-type")).toBe("application/jwk-set+json");
    const { keys } = (await res.json()) as { keys: JWK[] };
    expect(keys.map((k) => [k.kty, k.use, k.alg ?? null])).toEqual([
      ["RSA", "enc", "RSA-OAEP"],
      ["RSA", "sig", "RS256"],
      ["RSA", "sig", null],
      ["EC", "sig", "ES256"],
      ["OKP", "sig", "EdDSA"],
      ["AKP", "sig", "ML-DSA-65"],
    ]);
    for (const jwk of keys.filter((k) => k.x5c)) {
      // Real certificates: each one holds exactly the key it is published with.
      const cert = new X509Certificate(Buffer.from(jwk.x5c?.[0] as string, "base64"));
      const { n, x, y } = cert.publicKey.export({ format: "jwk" });
      expect([n, x, y]).toEqual([jwk.n, jwk.x, jwk.y]);
      expect(jwk.x5t).toBe(Buffer.from(cert.fingerprint.replaceAll(":", ""), "hex").toString("base64url"));
    }
    const [enc, rsa, noAlg, ec, ed, akp] = keys as [JWK, JWK, JWK, JWK, JWK, JWK];
    for (const jwk of [enc, rsa, ec, ed, akp]) expect(jwk.kid).toBe(await calculateJwkThumbprint(jwk));
    expect(noAlg.kid).toBe(noAlg.x5t);
  });

  it("a token from each signing key is accepted, all from one fetch of the set", async () => {
    const app = apiFor(idp);
    for (const key of ["rsa", "rsa-no-alg", "ec", "ed", "ml-dsa"] satisfies IdpKeyName[]) {
      const token = await idp.mint("google", { key, claims: { sub: `user-${key}` } });
      expect(await call(app, "/api/me", token), key).toMatchObject({ status: 200, body: { sub: `user-${key}` } });
    }
    expect(jwksFetches(idp)).toBeGreaterThanOrEqual(1);
    const before = jwksFetches(idp);
    await call(app, "/api/me", await idp.mint("google", { key: "ec" }));
    expect(jwksFetches(idp)).toBe(before);
  });

  it("the kid a token names is its key's RFC 7638 thumbprint", async () => {
    const token = await idp.mint("keycloak");
    const header = JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()) as { kid: string };
    expect(header.kid).toBe(await calculateJwkThumbprint(idp.key("rsa").jwk));
    expect((await call(apiFor(idp), "/api/me", token)).status).toBe(200);
  });

  it("without a kid: accepted when one published key fits the alg (the AKP and enc keys do not), refused when several do", async () => {
    const app = apiFor(idp);
    for (const key of ["ec", "ed"] satisfies IdpKeyName[]) {
      expect((await call(app, "/api/me", await idp.mint("google", { key, header: { kid: undefined } }))).status, key).toBe(200);
    }
    // Two RSA signing keys (one with alg, one without): the token must say which.
    expect(await call(app, "/api/me", await idp.mint("google", { header: { kid: undefined } }))).toEqual({
      status: 401,
      body: { detail: 'Invalid token: several keys match; the token needs a "kid"' },
    });
  });

  it("a token signed with the use: enc key is refused", async () => {
    const token = await idp.mint("google", { key: "rsa-enc", header: { alg: "RS256" } });
    expect(await call(apiFor(idp), "/api/me", token)).toEqual({ status: 401, body: { detail: "Invalid token: no matching signing key" } });
  });

  it("audience arrays: accepted when they contain ours, refused otherwise", async () => {
    const app = apiFor(idp);
    // Auth0: [api, {issuer}/userinfo]; Keycloak: [api, "account"].
    expect((await call(app, "/api/me", await idp.mint("auth0"))).status).toBe(200);
    expect((await call(app, "/api/me", await idp.mint("keycloak"))).status).toBe(200);
    const elsewhere = await idp.mint("auth0", { claims: { aud: ["other-api", `${idp.urls.issuer}/userinfo`] } });
    expect(await call(app, "/api/me", elsewhere)).toEqual({ status: 401, body: { detail: "Invalid token: audience mismatch" } });
  });
});

describe("key rotation at the IdP", () => {
  it("a new kid is picked up at once, then at most once per cooldown; tokens of the previous key stay valid", async () => {
    const idp = await StandInIdp.start();
    try {
      const app = apiFor(idp, { jwks_cooldown_seconds: 1 });
      // Made ahead: the second rotation must fall well within the cooldown, however slow key generation is.
      const [second, third] = await Promise.all([StandInIdp.signingKey(), StandInIdp.signingKey()]);
      const old = await idp.mint("keycloak");
      expect((await call(app, "/api/me", old)).status).toBe(200);
      expect(jwksFetches(idp)).toBe(1);

      await idp.rotate({ to: second });
      expect((await call(app, "/api/me", await idp.mint("keycloak"))).status).toBe(200);
      expect(jwksFetches(idp)).toBe(2);
      expect((await call(app, "/api/me", old)).status).toBe(200);

      // A second rotation within the cooldown: the new kid is unknown until the cooldown is over.
      await idp.rotate({ to: third });
      const newest = await idp.mint("keycloak");
      expect(await call(app, "/api/me", newest)).toEqual({ status: 401, body: { detail: "Invalid token: no matching signing key" } });
      expect(jwksFetches(idp)).toBe(2);
      await sleep(1100);
      expect((await call(app, "/api/me", newest)).status).toBe(200);
      expect(jwksFetches(idp)).toBe(3);
    } finally {
      await idp.stop();
    }
  });
});

describe("key withdrawal at the IdP", () => {
  it("tokens of a key the IdP stops publishing are refused from the next fetch of the set", async () => {
    const idp = await StandInIdp.start();
    try {
      const app = apiFor(idp, { jwks_ttl_seconds: 0 });
      const old = await idp.mint("auth0");
      expect((await call(app, "/api/me", old)).status).toBe(200);
      await idp.rotate({ keepPrevious: false });
      expect(await call(app, "/api/me", old)).toEqual({ status: 401, body: { detail: "Invalid token: no matching signing key" } });
      expect((await call(app, "/api/me", await idp.mint("auth0"))).status).toBe(200);
    } finally {
      await idp.stop();
    }
  });
});

describe("IdP outages", () => {
  for (const mode of ["503", "close"] as const) {
    it(`(${mode}) the last good keys are kept; with none fetched yet, a 503 with Retry-After; then recovery`, async () => {
      const idp = await StandInIdp.start();
      try {
        // TTL 0: every request wants a fresh set, so each one meets the outage.
        const warm = apiFor(idp, { jwks_ttl_seconds: 0, jwks_cooldown_seconds: 1 });
        const token = await idp.mint("okta");
        expect((await call(warm, "/api/me", token)).status).toBe(200);
        idp.setOutage(mode);
        expect((await call(warm, "/api/me", token)).status).toBe(200);
        expect(jwksFetches(idp)).toBe(2); // it did ask, and was refused

        const cold = apiFor(idp, { jwks_cooldown_seconds: 1 });
        const res = await cold.request("/api/me", bearer(token));
        expect([res.status, res.headers.get("retry-after"), await res.json()]).toEqual([503, "5", { detail: "Token signing keys are unavailable; try again later" }]);

        idp.setOutage("off");
        await sleep(1100); // the failure backoff (the cooldown, at least 1 s)
        expect((await call(cold, "/api/me", token)).status).toBe(200);
      } finally {
        await idp.stop();
      }
    });
  }
});
