import { afterAll, describe, expect, it } from "vitest";
import { ADMIN, ed25519Wallet, mlDsaWallet, postJson, secp256k1Wallet, serverApp, walletSignIn } from "./support.js";

const FEED_BEARER = "feed-credential-of-32-characters";
const app = serverApp({ server: { revocation_feed_bearer: FEED_BEARER } });
afterAll(() => app.stop());

const cacheHeaders = (res: Response) => [res.status, res.headers.get("cache-control"), res.headers.get("pragma")];

describe("answers that carry tokens are never cached", () => {
  it.each([["Ed25519", ed25519Wallet], ["secp256k1", secp256k1Wallet], ["ML-DSA-65", mlDsaWallet]])("POST /sign-in (%s): Cache-Control: no-store, Pragma: no-cache", async (_name, make) => {
    expect(cacheHeaders(await walletSignIn(app, make()))).toEqual([200, "no-store", "no-cache"]);
  });

  it("POST /login and POST /refresh: Cache-Control: no-store, Pragma: no-cache", async () => {
    const login = await app.request("/api/v1/auth/login", postJson(ADMIN));
    expect(cacheHeaders(login)).toEqual([200, "no-store", "no-cache"]);
    const { refresh_token } = (await login.json()) as { refresh_token: string };
    expect(cacheHeaders(await app.request("/api/v1/auth/refresh", postJson({ refresh_token })))).toEqual([200, "no-store", "no-cache"]);
  });

  it("GET /revocations is not cached either; GET /jwks is public for 5 minutes", async () => {
    expect(cacheHeaders(await app.request("/api/v1/auth/revocations", { headers: { authorization: `Bearer ${FEED_BEARER}` } }))).toEqual([200, "no-store", "no-cache"]);
    const jwks = await app.request("/api/v1/auth/jwks");
    expect([jwks.status, jwks.headers.get("cache-control")]).toEqual([200, "public, max-age=300"]);
  });
});
