/**
 * Per-IdP token shapes through pico-client-auth with the claim-mapping settings of issue 17
 * (role_claims, group_claims, scope_claims, group_match) and discovery (jwks_url unset): the
 * configuration docs/claim-mapping.md gives for each provider, tested against the stand-in IdP.
 */
import { controller, get } from "pico-hono";
import { requiresGroup, requiresRole, requiresScope } from "pico-client-auth";
import { afterEach, describe, expect, it } from "vitest";
import { AUTH0_ROLES_CLAIM, OKTA_ROLES_CLAIM } from "../../test-support/idp-token-shapes.js";
import { StandInIdp } from "../../test-support/stand-in-idp.js";
import type { IdpShape, MintOverrides, StandInIdpOptions } from "../../test-support/stand-in-idp.js";
import { WhoAmI, apiFor, call } from "./support.js";
import type { Seen } from "./support.js";

@controller({ prefix: "/guarded" })
class Guarded {
  @get("/admin")
  @requiresRole("admin")
  admin() {
    return { ok: true };
  }

  @get("/backend")
  @requiresGroup("backend")
  backend() {
    return { ok: true };
  }

  @get("/engineering-backend")
  @requiresGroup("/engineering/backend")
  engineeringBackend() {
    return { ok: true };
  }

  @get("/read-messages")
  @requiresScope("read:messages")
  readMessages() {
    return { ok: true };
  }

  @get("/orders")
  @requiresScope("orders:read")
  orders() {
    return { ok: true };
  }
}

const components = [WhoAmI, Guarded];
const running: StandInIdp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((idp) => idp.stop()));
});

async function idpOf(options: StandInIdpOptions = {}): Promise<StandInIdp> {
  const idp = await StandInIdp.start(options);
  running.push(idp);
  return idp;
}

/** An API service finding the IdP's keys by discovery (no jwks_url), with `authClient` settings. */
const discovering = (idp: StandInIdp, authClient: Record<string, unknown> = {}) => apiFor(idp, authClient, { discover: true, components });

const pathsOf = (...urls: string[]) => urls.map((url) => new URL(url).pathname);

interface ProviderCase {
  readonly shape: IdpShape;
  readonly idp?: StandInIdpOptions;
  /** The settings docs/claim-mapping.md gives for this provider. */
  readonly authClient: Record<string, unknown>;
  readonly seen: Omit<Seen, "sub">;
  readonly allowed: readonly string[];
  readonly forbidden: readonly string[];
}

const PROVIDERS: readonly ProviderCase[] = [
  {
    shape: "auth0",
    authClient: { role_claims: [AUTH0_ROLES_CLAIM], scope_claims: ["scope", "permissions"] },
    seen: { roles: ["admin", "editor"], groups: [], scopes: ["openid", "profile", "email", "read:messages", "write:messages"] },
    allowed: ["/guarded/admin", "/guarded/read-messages"],
    forbidden: ["/guarded/backend", "/guarded/orders"],
  },
  {
    shape: "okta",
    authClient: { role_claims: [OKTA_ROLES_CLAIM], scope_claims: ["scp"], group_claims: ["groups"] },
    seen: { roles: ["admin"], groups: ["Everyone", "Admins"], scopes: ["openid", "profile", "orders:read"] },
    allowed: ["/guarded/admin", "/guarded/orders"],
    forbidden: ["/guarded/read-messages", "/guarded/backend"],
  },
  {
    shape: "keycloak",
    idp: { issuerPath: "/realms/demo", discovery: "oidc" },
    authClient: { role_claims: ["realm_access.roles", "resource_access.my-api.roles"], group_match: "last_segment" },
    seen: { roles: ["offline_access", "uma_authorization", "admin", "orders-reader"], groups: ["/engineering/backend", "/ops"], scopes: ["openid", "email", "profile"] },
    allowed: ["/guarded/admin", "/guarded/backend", "/guarded/engineering-backend"],
    forbidden: ["/guarded/orders"],
  },
  {
    shape: "entra",
    authClient: { scope_claims: ["scp"] },
    seen: { roles: ["Orders.Admin"], groups: ["c0ffee00-1111-4222-8333-444455556666"], scopes: ["access_as_user", "Files.Read"] },
    allowed: [],
    forbidden: ["/guarded/admin", "/guarded/orders"],
  },
  {
    // The defaults read IdentityServer's shape as it is: `role` and `scope` as arrays.
    shape: "duende",
    authClient: {},
    seen: { roles: ["admin", "user"], groups: [], scopes: ["openid", "api1", "api1.read"] },
    allowed: ["/guarded/admin"],
    forbidden: ["/guarded/orders"],
  },
  {
    shape: "google",
    idp: { discovery: "oidc" },
    authClient: {},
    seen: { roles: [], groups: [], scopes: [] },
    allowed: [],
    forbidden: ["/guarded/admin", "/guarded/orders", "/guarded/backend"],
  },
];

describe("each provider's token shape, with its documented settings and discovery", () => {
  for (const provider of PROVIDERS) {
    it(`${provider.shape}: roles, groups and scopes from where it puts them; keys found by discovery`, async () => {
      const idp = await idpOf(provider.idp);
      const app = discovering(idp, provider.authClient);
      const token = await idp.mint(provider.shape);
      const me = await call(app, "/api/me", token);
      expect(me).toEqual({ status: 200, body: { sub: expect.any(String), ...provider.seen } });
      for (const path of provider.allowed) expect((await call(app, path, token)).status, path).toBe(200);
      for (const path of provider.forbidden) expect((await call(app, path, token)).status, path).toBe(403);
      // RFC 8414 first; OIDC's document only where the IdP has no RFC 8414 one.
      const { oauthMetadata, openidConfiguration, jwks } = idp.urls;
      const documents = provider.idp?.discovery === "oidc" ? [oauthMetadata, openidConfiguration] : [oauthMetadata];
      expect(idp.requests).toEqual(pathsOf(...documents, jwks));
    });
  }

  it("Auth0 without role_claims / scope_claims: its roles and permissions are not read (today's defaults)", async () => {
    const idp = await idpOf();
    const app = discovering(idp);
    const token = await idp.mint("auth0");
    expect((await call(app, "/api/me", token)).body).toMatchObject({ roles: [], scopes: ["openid", "profile", "email", "read:messages"] });
    expect((await call(app, "/guarded/admin", token)).status).toBe(403);
  });

  it("Keycloak group paths: full_path (the default) matches only the whole path", async () => {
    const idp = await idpOf({ issuerPath: "/realms/demo", discovery: "oidc" });
    const app = discovering(idp, { role_claims: ["realm_access.roles"] });
    const token = await idp.mint("keycloak");
    expect((await call(app, "/guarded/engineering-backend", token)).status).toBe(200);
    expect((await call(app, "/guarded/backend", token)).status).toBe(403);
  });

  it("IdentityServer with one role sends a string: one role", async () => {
    const idp = await idpOf();
    const token = await idp.mint("duende", { claims: { role: "admin" } });
    expect((await call(discovering(idp), "/api/me", token)).body).toMatchObject({ roles: ["admin"] });
  });
});

describe("claim rules", () => {
  const me = async (authClient: Record<string, unknown>, overrides: MintOverrides, shape: IdpShape = "google") => {
    const idp = await idpOf();
    return call(apiFor(idp, authClient, { components }), "/api/me", await idp.mint(shape, overrides));
  };

  it("role and roles: both read, role first, duplicates once; role_claims sets the order", async () => {
    const claims = { role: "admin", roles: ["viewer", "admin"] };
    expect((await me({}, { claims })).body).toMatchObject({ roles: ["admin", "viewer"] });
    expect((await me({ role_claims: ["roles", "role"] }, { claims })).body).toMatchObject({ roles: ["viewer", "admin"] });
    expect((await me({ role_claims: ["roles"] }, { claims })).body).toMatchObject({ roles: ["viewer", "admin"] });
  });

  it("scopes split on spaces; groups and roles keep a string whole (group names hold spaces)", async () => {
    const claims = { scope: "a b  c", groups: "/Sales Team/EMEA", role: "site admin" };
    expect((await me({}, { claims })).body).toMatchObject({ scopes: ["a", "b", "c"], groups: ["/Sales Team/EMEA"], roles: ["site admin"] });
  });

  it("a configured path holding anything but a string or strings is a clear 401", async () => {
    for (const [path, claims] of [
      ["realm_access.roles", { realm_access: { roles: 5 } }],
      ["realm_access.roles", { realm_access: { roles: ["admin", 7] } }],
      ["roles", { roles: { admin: true } }],
    ] as const) {
      const authClient = { role_claims: [path] };
      expect(await me(authClient, { claims }), path).toEqual({ status: 401, body: { detail: `Invalid token: "${path}" claim must be a string or an array of strings` } });
    }
    expect(await me({}, { claims: { scope: { read: true } } })).toEqual({ status: 401, body: { detail: 'Invalid token: "scope" claim must be a string or an array of strings' } });
  });

  it("claims at paths not configured are not type-checked; missing ones give nothing", async () => {
    const res = await me({ role_claims: ["realm_access.roles"], scope_claims: ["scp"] }, { claims: { roles: { odd: 1 }, scope: 42 } });
    expect(res).toMatchObject({ status: 200, body: { roles: [], scopes: [] } });
  });

  it("a token shape nobody here has seen is a 401 with a detail, never a 5xx", async () => {
    const odd = { role: [[["deep"]]], groups: [{ name: "g" }], scopes: 12, aud: { not: "a list" }, exp: "tomorrow" };
    for (const [name, value] of Object.entries(odd)) {
      const res = await me({ role_claims: ["role", "realm_access.roles"] }, { claims: { [name]: value } });
      expect(res.status, name).toBe(401);
      expect(res.body.detail, name).toMatch(/^Invalid token: /);
    }
  });
});

describe("accepted typ values", () => {
  it("JWT, at+jwt, application/jwt, application/at+jwt (any case) or none; other types are refused", async () => {
    const idp = await idpOf();
    const app = apiFor(idp, {}, { components });
    for (const typ of ["JWT", "jwt", "at+jwt", "application/jwt", "application/at+jwt", "Application/AT+JWT", undefined]) {
      expect((await call(app, "/api/me", await idp.mint("google", { header: { typ } }))).status, String(typ)).toBe(200);
    }
    for (const typ of ["JOSE", "application/json", "dpop+jwt"]) {
      expect(await call(app, "/api/me", await idp.mint("google", { header: { typ } })), typ).toEqual({ status: 401, body: { detail: "Invalid token: unexpected token type" } });
    }
    // An agent token's typ, in Authorization: refused, and told where it belongs (docs/agent-delegation.md).
    expect(await call(app, "/api/me", await idp.mint("google", { header: { typ: "agent+jwt" } }))).toEqual({
      status: 401,
      body: { detail: "Invalid token: an agent token is not an access token (it goes in X-Agent-Authorization)" },
    });
  });
});

describe("discovery (jwks_url unset)", () => {
  it("no discovery document (both 404): the key set at {issuer}/api/v1/auth/jwks, as upstream servers publish it", async () => {
    const idp = await idpOf({ discovery: "none", jwksPath: "/api/v1/auth/jwks" });
    expect((await call(discovering(idp), "/api/me", await idp.mint("google"))).status).toBe(200);
    expect(idp.requests).toEqual(pathsOf(idp.urls.oauthMetadata, idp.urls.openidConfiguration, idp.urls.jwks));
  });

  it("a document naming another issuer is refused: 503, and its jwks_uri is never fetched", async () => {
    const idp = await idpOf();
    idp.setDiscovery("both", "https://impostor.example.com");
    const res = await call(discovering(idp), "/api/me", await idp.mint("google"));
    expect(res.status).toBe(503);
    expect(res.body.detail).toEqual(expect.any(String));
    expect(idp.requests).not.toContain(new URL(idp.urls.jwks).pathname);
  });

  it("the IdP down at the first request: 503; once it is back, discovery and keys recover", async () => {
    const idp = await idpOf();
    const app = discovering(idp, { jwks_cooldown_seconds: 1 });
    const token = await idp.mint("google");
    idp.setOutage("503");
    expect((await call(app, "/api/me", token)).status).toBe(503);
    idp.setOutage("off");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call(app, "/api/me", token)).status).toBe(200);
  });
});
