import { describe, expect, it } from "vitest";
import type { Application } from "pico-boot";
import { JWKS_ALL_PATH, JWKS_ML_DSA_PATH, JWKS_PATH, OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH, SigningKeys, TOKEN_EXCHANGE_GRANT } from "../src/index.js";
import { ADMIN, postJson, serverApp } from "./support.js";

type Document = Record<string, unknown> & { jwks_uri: string };
type KeySet = { keys: { kid: string; kty: string; alg: string }[] };

async function getJson<T>(app: Application, path: string): Promise<{ status: number; body: T; cache: string | null }> {
  const res = await app.request(path);
  return { status: res.status, body: (await res.json()) as T, cache: res.headers.get("cache-control") };
}

/** What both documents hold, for the default issuer and its RS256 key. */
const SHARED = {
  issuer: "http://localhost:8100",
  jwks_uri: "http://localhost:8100/api/v1/auth/jwks",
  token_endpoint: "http://localhost:8100/api/v1/auth/token",
  grant_types_supported: ["urn:ietf:params:oauth:grant-type:token-exchange"],
  token_endpoint_auth_methods_supported: ["none"],
  access_token_signing_alg_values_supported: ["RS256"],
};

/** An app with its container ready, for SigningKeys. */
async function initialised(server: Record<string, unknown>): Promise<Application> {
  const app = serverApp({ server });
  await app.init();
  return app;
}

/** The kid of the key that signs now, read from a fresh access token's header. */
async function signingKid(app: Application): Promise<string> {
  const { access_token } = (await (await app.request("/api/v1/auth/login", postJson(ADMIN))).json()) as { access_token: string };
  return (JSON.parse(Buffer.from(access_token.split(".")[0] as string, "base64url").toString()) as { kid: string }).kid;
}

describe("discovery documents", () => {
  it("RFC 8414 metadata and OpenID configuration at the well-known paths: absolute URLs from the issuer, cacheable as the JWKS", async () => {
    const app = serverApp();
    // The literal paths, once: the constants are what clients and the docs rely on.
    expect([OAUTH_METADATA_PATH, OPENID_CONFIGURATION_PATH]).toEqual(["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]);
    expect(await getJson(app, OAUTH_METADATA_PATH)).toEqual({ status: 200, cache: "public, max-age=300", body: { ...SHARED, response_types_supported: [] } });
    expect(SHARED.grant_types_supported).toEqual([TOKEN_EXCHANGE_GRANT]);
    // Only members this server honours: it issues no ID tokens and has no authorization endpoint.
    const openid = await getJson<Document>(app, OPENID_CONFIGURATION_PATH);
    expect(openid).toEqual({ status: 200, cache: "public, max-age=300", body: SHARED });
    for (const omitted of ["authorization_endpoint", "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported", "scopes_supported", "userinfo_endpoint"]) {
      expect(openid.body, omitted).not.toHaveProperty(omitted);
    }
    // The URLs name the issuer, never the address the request came in on (a proxy's, an internal one).
    expect((await getJson<Document>(app, `http://10.1.2.3:3000${OPENID_CONFIGURATION_PATH}`)).body.jwks_uri).toBe(SHARED.jwks_uri);
    // token_endpoint is the token-exchange route: an empty exchange is an RFC 6749 error, not a 404.
    const exchange = await app.request(new URL(SHARED.token_endpoint).pathname, { method: "POST", body: new URLSearchParams(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect([exchange.status, ((await exchange.json()) as { error?: string }).error]).toEqual([400, "invalid_request"]);
    // jwks_uri answers, with the key that signs now.
    const jwks = await getJson<KeySet>(app, new URL(openid.body.jwks_uri).pathname);
    expect(jwks.body.keys.map((k) => k.kid)).toEqual([await signingKid(app)]);
    await app.stop();
  });

  it("paths that are not this issuer's answer 404 with a detail, never a document", async () => {
    const app = serverApp();
    for (const path of [`${OAUTH_METADATA_PATH}/auth`, `/auth${OPENID_CONFIGURATION_PATH}`, `/a/b${OPENID_CONFIGURATION_PATH}`, `${OAUTH_METADATA_PATH}/a/b`]) {
      expect(await getJson(app, path), path).toEqual({ status: 404, cache: null, body: { detail: "Not Found" } });
    }
    expect((await app.request(OAUTH_METADATA_PATH, { method: "POST" })).status).toBe(405);
    await app.stop();
  });

  it("an issuer with a path: RFC 8414 inserts it after the well-known name, OIDC appends the name to the issuer; URLs keep the path", async () => {
    const issuer = "http://localhost:8100/tenants/blue/";
    const app = serverApp({ server: { issuer } });
    const base = "http://localhost:8100/tenants/blue";
    const expected = { ...SHARED, issuer, jwks_uri: `${base}${JWKS_PATH}`, token_endpoint: `${base}/api/v1/auth/token` };
    // RFC 8414 §3.1: the terminating "/" of the issuer's path is dropped before it is inserted.
    expect(await getJson(app, `${OAUTH_METADATA_PATH}/tenants/blue`)).toMatchObject({ status: 200, body: { ...expected, response_types_supported: [] } });
    // OIDC Discovery §4: {issuer}/.well-known/openid-configuration, reaching the app with the path, or
    // without it behind a proxy that strips the prefix the app is published under.
    expect(await getJson(app, `/tenants/blue${OPENID_CONFIGURATION_PATH}`)).toMatchObject({ status: 200, body: expected });
    expect(await getJson(app, OPENID_CONFIGURATION_PATH)).toMatchObject({ status: 200, body: expected });
    for (const path of [OAUTH_METADATA_PATH, `${OAUTH_METADATA_PATH}/tenants`, `${OAUTH_METADATA_PATH}/tenants/blue/x`, `/tenants${OPENID_CONFIGURATION_PATH}`, `/blue${OPENID_CONFIGURATION_PATH}`]) {
      expect((await app.request(path)).status, path).toBe(404);
    }
    await app.stop();
  });

  it("/openapi.json documents each route as public, with the members the answers really have", async () => {
    const app = serverApp();
    const document = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, { security: unknown; responses: Record<string, { content?: Record<string, { schema: { properties?: object; required?: string[] } }> }> }>> };
    const documented = (path: string) => {
      const op = document.paths[path]?.get;
      expect(op?.security, path).toEqual([]);
      return op?.responses["200"]?.content?.["application/json"]?.schema ?? {};
    };
    for (const [path, served] of [
      [OAUTH_METADATA_PATH, OAUTH_METADATA_PATH],
      [`${OAUTH_METADATA_PATH}/{issuerPath}`, OAUTH_METADATA_PATH],
      [OPENID_CONFIGURATION_PATH, OPENID_CONFIGURATION_PATH],
      [`/{issuerPath}${OPENID_CONFIGURATION_PATH}`, OPENID_CONFIGURATION_PATH],
    ] as const) {
      const schema = documented(path);
      const answer = (await getJson<Document>(app, served)).body;
      expect(Object.keys(schema.properties ?? {}).sort(), path).toEqual(Object.keys(answer).sort());
      expect([...(schema.required ?? [])].sort(), path).toEqual(Object.keys(answer).sort());
    }
    for (const path of [JWKS_PATH, JWKS_ALL_PATH, JWKS_ML_DSA_PATH]) expect(documented(path), path).toMatchObject({ required: ["keys"] });
    await app.stop();
  });
});

describe("jwks_uri always holds the key that signs now", () => {
  /** Each stage: the document's jwks_uri (as a path), the algorithms it lists, and whether that key set holds the signing key. */
  async function stage(app: Application) {
    const { body } = await getJson<Document>(app, OPENID_CONFIGURATION_PATH);
    const path = new URL(body.jwks_uri).pathname;
    const kids = (await getJson<KeySet>(app, path)).body.keys.map((k) => k.kid);
    return { path, algorithms: body.access_token_signing_alg_values_supported, holdsSigningKey: kids.includes(await signingKid(app)) };
  }

  it.each([
    ["separate", [JWKS_PATH, JWKS_ALL_PATH, JWKS_PATH]],
    ["inline", [JWKS_PATH, JWKS_PATH, JWKS_PATH]],
  ] as const)("ml_dsa_jwks %s: through RS256 → ML-DSA-65 → RS256", async (mode, paths) => {
    const app = await initialised({ ml_dsa_jwks: mode });
    const keys = app.container.get(SigningKeys);
    expect(await stage(app)).toEqual({ path: paths[0], algorithms: ["RS256"], holdsSigningKey: true });
    await keys.rotate("ML-DSA-65");
    expect(await stage(app)).toEqual({ path: paths[1], algorithms: ["ML-DSA-65", "RS256"], holdsSigningKey: true });
    await keys.rotate("RS256");
    expect(await stage(app)).toEqual({ path: paths[2], algorithms: ["RS256", "ML-DSA-65"], holdsSigningKey: true });
    await app.stop();
  });
});

describe("key sets by ml_dsa_jwks", () => {
  const ktys = async (app: Application, path: string) => (await getJson<KeySet>(app, path)).body.keys.map((k) => k.kty);

  it("inline: /jwks holds every key; separate: the classical ones, the AKP key apart; /jwks/all every key in both", async () => {
    for (const [mode, jwks] of [["inline", ["AKP", "RSA"]], ["separate", ["RSA"]]] as const) {
      const app = await initialised({ ml_dsa_jwks: mode });
      await app.container.get(SigningKeys).rotate("ML-DSA-65");
      expect({ jwks: await ktys(app, JWKS_PATH), all: await ktys(app, JWKS_ALL_PATH), mlDsa: await ktys(app, JWKS_ML_DSA_PATH) }, mode).toEqual({ jwks, all: ["AKP", "RSA"], mlDsa: ["AKP"] });
      for (const path of [JWKS_PATH, JWKS_ALL_PATH, JWKS_ML_DSA_PATH]) expect((await app.request(path)).headers.get("cache-control"), path).toBe("public, max-age=300");
      await app.stop();
    }
  });

  it("separate, once the RS256 key's tokens have all expired: /jwks is an empty set while ML-DSA signs", async () => {
    const app = await initialised({ ml_dsa_jwks: "separate", access_token_expire_minutes: 5 });
    const keys = app.container.get(SigningKeys);
    await keys.rotate("ML-DSA-65");
    const rotatedAt = keys.now();
    keys.now = () => rotatedAt + 5 * 60 + 61;
    expect({ jwks: await ktys(app, JWKS_PATH), all: await ktys(app, JWKS_ALL_PATH), mlDsa: await ktys(app, JWKS_ML_DSA_PATH) }).toEqual({ jwks: [], all: ["AKP"], mlDsa: ["AKP"] });
    expect((await getJson<Document>(app, OAUTH_METADATA_PATH)).body).toMatchObject({ jwks_uri: `http://localhost:8100${JWKS_ALL_PATH}`, access_token_signing_alg_values_supported: ["ML-DSA-65"] });
    await app.stop();
  });

  it("served from sets computed when the keys change: the same frozen objects between changes", async () => {
    const app = await initialised({ ml_dsa_jwks: "separate" });
    const keys = app.container.get(SigningKeys);
    const before = await keys.published();
    expect(await keys.published()).toBe(before);
    expect(await keys.jwks()).toBe(before.all);
    expect([Object.isFrozen(before.all.keys), Object.isFrozen(before.classical), Object.isFrozen(before.mlDsa.keys)]).toEqual([true, true, true]);
    await keys.rotate("ML-DSA-65");
    const after = await keys.published();
    expect(after).not.toBe(before);
    expect([after.mlDsaSigns, after.all.keys.length, after.classical.keys.length, after.mlDsa.keys.length]).toEqual([true, 2, 1, 1]);
    // The in-process client reads every key, whatever the mode; JWKS_ALL_PATH serves that same set.
    expect([keys.jwksPath, keys.jwksPaths]).toEqual([JWKS_PATH, [JWKS_ALL_PATH]]);
    await app.stop();
  });

  it("refuses an ml_dsa_jwks that is neither inline nor separate, at boot", async () => {
    const app = serverApp({ server: { ml_dsa_jwks: "split" } });
    await expect(app.init()).rejects.toThrow(/ml_dsa_jwks/);
  });
});
