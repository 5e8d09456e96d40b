import { createLocalJWKSet, jwtVerify } from "jose";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import type { Application } from "pico-boot";
import { JWKS_ALL_PATH, JWKS_PATH, SigningKeys } from "../src/index.js";
import { freePort } from "../../../test-support/ports.js";
import { ADMIN, Profile, clientApp, postJson, serverApp, serverConfig } from "./support.js";

/**
 * The key types that joserfc 1.6, jwcrypto 1.1, python-jose 3.3 and go-jose v2 know. Those libraries
 * import a key set whole, before looking for the token's kid, and refuse all of it when one key has
 * a type they do not know: an ML-DSA key (kty AKP, RFC 9964) in the set fails every token.
 */
const KNOWN_KEY_TYPES = new Set(["RSA", "EC", "OKP", "oct"]);

/** A verifier as strict as those libraries: the key set is refused for an unknown kty, then jose verifies. */
async function strictVerify(token: string, jwks: { keys: JWK[] }) {
  const unknown = jwks.keys.find((key) => !KNOWN_KEY_TYPES.has(key.kty ?? ""));
  if (unknown) throw new Error(`key set refused: unsupported key type "${unknown.kty}"`);
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: serverConfig.issuer, audience: serverConfig.audience });
}

/** jose alone, which skips keys it cannot use: proves a token valid when the strict verifier refuses it. */
async function lenientVerify(token: string, jwks: { keys: JWK[] }) {
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: serverConfig.issuer, audience: serverConfig.audience, algorithms: ["RS256"] });
}

async function login(app: Application): Promise<string> {
  return ((await (await app.request("/api/v1/auth/login", postJson(ADMIN))).json()) as { access_token: string }).access_token;
}
const keySet = async (app: Application, path: string) => (await (await app.request(path)).json()) as { keys: JWK[] };
const algOf = (token: string) => (JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()) as { alg: string }).alg;

/** An app on `mode` with an RS256 token issued, then switched to ML-DSA-65 (server_auth.algorithm changed or rotate()). */
async function switchedToMlDsa(mode: string, options: { embedded?: boolean } = {}) {
  const app = serverApp({ server: { ml_dsa_jwks: mode }, embedded: options.embedded, components: options.embedded ? [Profile] : [] });
  const rs256 = await login(app);
  await app.container.get(SigningKeys).rotate("ML-DSA-65");
  const mlDsa = await login(app);
  expect([algOf(rs256), algOf(mlDsa)]).toEqual(["RS256", "ML-DSA-65"]);
  return { app, rs256, mlDsa };
}

describe("a verifier that refuses key sets with an unknown kty, after an RS256 → ML-DSA-65 switch", () => {
  it("before any ML-DSA key: the strict verifier accepts /jwks and verifies an RS256 token", async () => {
    const app = serverApp();
    const token = await login(app);
    expect((await strictVerify(token, await keySet(app, JWKS_PATH))).payload.sub).toBe(ADMIN.email);
    await app.stop();
  });

  it("ml_dsa_jwks inline (the default): the AKP key in /jwks makes it refuse an RS256 token that is still valid", async () => {
    const { app, rs256 } = await switchedToMlDsa("inline");
    const jwks = await keySet(app, JWKS_PATH);
    await expect(strictVerify(rs256, jwks)).rejects.toThrow('key set refused: unsupported key type "AKP"');
    // The token itself is fine: a verifier that skips unknown keys (jose, PyJWT) accepts it.
    expect((await lenientVerify(rs256, jwks)).payload.sub).toBe(ADMIN.email);
    await app.stop();
  });

  it("ml_dsa_jwks separate: /jwks holds no AKP key, so the still-valid RS256 token verifies; /jwks/all would be refused", async () => {
    const { app, rs256 } = await switchedToMlDsa("separate");
    const { payload, protectedHeader } = await strictVerify(rs256, await keySet(app, JWKS_PATH));
    expect([payload.sub, protectedHeader.alg]).toEqual([ADMIN.email, "RS256"]);
    await expect(strictVerify(rs256, await keySet(app, JWKS_ALL_PATH))).rejects.toThrow("unsupported key type");
    await app.stop();
  });
});

describe("pico-client-auth across the switch with ml_dsa_jwks separate", () => {
  const profile = async (app: Application, token: string) => (await app.request("/api/profile", { headers: { authorization: `Bearer ${token}` } })).status;

  it("in-process: RS256 and ML-DSA-65 tokens both accepted, before and after, and after a switch back", async () => {
    const { app, rs256, mlDsa } = await switchedToMlDsa("separate", { embedded: true });
    expect([await profile(app, rs256), await profile(app, mlDsa)]).toEqual([200, 200]);
    await app.container.get(SigningKeys).rotate("RS256");
    const again = await login(app);
    expect([await profile(app, rs256), await profile(app, mlDsa), await profile(app, again)]).toEqual([200, 200, 200]);
    await app.stop();
  });

  it("over HTTP: a client on /jwks/all accepts both; a client on /jwks the RS256 token only (it never sees the AKP key)", async () => {
    const { app, rs256, mlDsa } = await switchedToMlDsa("separate");
    const { url } = await app.start({ port: 0 });
    const all = clientApp({ jwks_url: `${url}${JWKS_ALL_PATH}` });
    const classical = clientApp({ jwks_url: `${url}${JWKS_PATH}` });
    try {
      expect([await profile(all, rs256), await profile(all, mlDsa)]).toEqual([200, 200]);
      expect([await profile(classical, rs256), await profile(classical, mlDsa)]).toEqual([200, 401]);
    } finally {
      await Promise.all([all.stop(), classical.stop(), app.stop()]);
    }
  });

  it("over HTTP by discovery (no jwks_url): RS256 throughout; ML-DSA-65 at once: its unknown kid rereads the document, which names /jwks/all now", async () => {
    // The issuer is the server's address: the client reads the documents from it.
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const app = serverApp({ server: { issuer, ml_dsa_jwks: "separate" } });
    await app.start({ port, host: "127.0.0.1" });
    const api = clientApp({ issuer, jwks_url: "", jwks_cooldown_seconds: 0 });
    try {
      const rs256 = await login(app);
      expect(await profile(api, rs256)).toBe(200);
      await app.container.get(SigningKeys).rotate("ML-DSA-65");
      const mlDsa = await login(app);
      // The document read before the switch named /jwks, which holds no AKP key: the unknown kid
      // rereads the document (now naming /jwks/all) before it refetches the key set.
      expect([await profile(api, mlDsa), await profile(api, rs256)]).toEqual([200, 200]);
    } finally {
      await Promise.all([api.stop(), app.stop()]);
    }
  });
});
