/**
 * Tokens shaped as Auth0, Okta, Keycloak, Entra ID, Duende IdentityServer and Google send them,
 * through the real guard, each with its documented configuration (support/idp-configs.ts, quoted
 * by docs/claim-mapping.md): @requiresRole, @requiresGroup and @requiresScope pass for what the
 * provider grants at the configured places, and refuse what it puts elsewhere.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { authApp, bearer } from "./app.js";
import { Gates } from "./support/gates.js";
import { auth0, entra, google, identityServer, keycloak, okta } from "./support/idp-configs.js";
import { rsaKey, sign, staticKeySource } from "./support/tokens.js";
import type { ClassicalKey } from "./support/tokens.js";

type IdpConfig = { readonly auth_client: { readonly issuer: string; readonly audience: string } & Record<string, unknown> };

let key: ClassicalKey;
beforeAll(async () => {
  key = await rsaKey("idp-1");
});

/** One app per configuration; `payload` is what the provider puts in the token besides iss, iat and exp. */
function provider(config: IdpConfig, header: Record<string, unknown> = {}) {
  const app = authApp([Gates], staticKeySource([key.jwk]), { config: config as never });
  const now = Math.floor(Date.now() / 1000);
  const token = (payload: Record<string, unknown>) => sign(key, { iss: config.auth_client.issuer, iat: now, exp: now + 600, ...payload }, header);
  return {
    async status(path: string, payload: Record<string, unknown>): Promise<number> {
      return (await app.request(`/gates/${path}`, bearer(await token(payload)))).status;
    },
    async me(payload: Record<string, unknown>): Promise<unknown> {
      const response = await app.request("/gates/me", bearer(await token(payload)));
      return { status: response.status, body: await response.json() };
    },
    /** Statuses of /role, /group, /scope for one token. */
    async gates(payload: Record<string, unknown>): Promise<number[]> {
      return Promise.all(["role", "group", "scope"].map((path) => this.status(path, payload)));
    },
  };
}

describe("Auth0: namespaced roles claim, scope string plus RBAC permissions, aud array", () => {
  const base = { sub: "auth0|64f0c2a1b2", aud: ["https://api.example.com", "https://example.eu.auth0.com/userinfo"], azp: "k3Xq0" };
  const idp = () => provider(auth0);

  it("roles from https://example.com/roles, scopes from scope and permissions", async () => {
    const granted = { ...base, "https://example.com/roles": ["admin", "support"], scope: "openid profile", permissions: ["orders:read", "orders:write"] };
    expect(await idp().me(granted)).toEqual({ status: 200, body: { sub: "auth0|64f0c2a1b2", roles: ["admin", "support"], groups: [], scopes: ["openid", "profile", "orders:read", "orders:write"] } });
    expect(await idp().gates(granted)).toEqual([200, 403, 200]);
    // The scope string alone grants too.
    expect(await idp().status("scope", { ...base, scope: "openid orders:read" })).toBe(200);
  });

  it("roles and scopes in claims that are not configured grant nothing", async () => {
    const elsewhere = { ...base, roles: ["admin"], role: "admin", scp: ["orders:read"], scope: "openid" };
    expect(await idp().gates(elsewhere)).toEqual([403, 403, 403]);
  });

  it("a permissions claim that is not a list of strings is a 401 naming it", async () => {
    const response = await provider(auth0).me({ ...base, permissions: [{ name: "orders:read" }] });
    expect(response).toEqual({ status: 401, body: { detail: 'Invalid token: "permissions" claim must be a string or an array of strings' } });
  });
});

describe("Okta: scp array, groups array, roles in a custom claim, no typ", () => {
  const base = { sub: "alice@example.com", aud: "api://default", ver: 1, jti: "AT.x1", cid: "0oa1b2", uid: "00u1", auth_time: 1 };
  const idp = () => provider(okta, { typ: undefined });

  it("scopes from scp, groups from groups, roles from roles", async () => {
    const granted = { ...base, scp: ["openid", "orders:read"], groups: ["Everyone", "engineering"], roles: ["admin"] };
    expect(await idp().me(granted)).toEqual({ status: 200, body: { sub: "alice@example.com", roles: ["admin"], groups: ["Everyone", "engineering"], scopes: ["openid", "orders:read"] } });
    expect(await idp().gates(granted)).toEqual([200, 200, 200]);
  });

  it("a scope claim is not read (only scp is configured); other groups and roles are refused", async () => {
    expect(await idp().gates({ ...base, scope: "orders:read", scp: ["openid"], groups: ["Everyone"], roles: ["viewer"] })).toEqual([403, 403, 403]);
    // Okta group names may contain spaces: a string is one group, not a list.
    expect(await idp().me({ ...base, groups: "Help Desk" })).toMatchObject({ body: { groups: ["Help Desk"] } });
  });
});

describe("Keycloak: realm and client roles, full group paths with group_match last_segment, scope string", () => {
  const base = {
    sub: "f1c3a0b2-6d7e-4c1f-9a55-0c1d2e3f4a5b",
    aud: ["my-api", "account"],
    typ: "Bearer",
    azp: "web",
    jti: randomUUID(),
    preferred_username: "alice",
    scope: "openid profile email orders:read",
  };
  const idp = () => provider(keycloak);

  it("roles from realm_access.roles then resource_access.my-api.roles; groups by last segment", async () => {
    const granted = {
      ...base,
      realm_access: { roles: ["offline_access", "uma_authorization"] },
      resource_access: { "my-api": { roles: ["admin"] }, account: { roles: ["manage-account"] } },
      groups: ["/acme/engineering", "/sales"],
    };
    expect(await idp().me(granted)).toEqual({
      status: 200,
      body: { sub: base.sub, roles: ["offline_access", "uma_authorization", "admin"], groups: ["/acme/engineering", "/sales"], scopes: ["openid", "profile", "email", "orders:read"] },
    });
    expect(await idp().gates(granted)).toEqual([200, 200, 200]);
  });

  it("another client's roles, a group that only starts with the name, and a missing scope are refused", async () => {
    const other = {
      ...base,
      scope: "openid",
      realm_access: { roles: ["offline_access"] },
      resource_access: { account: { roles: ["admin"] } },
      groups: ["/engineering/backend", "/acme/engineering-ops"],
    };
    expect(await idp().gates(other)).toEqual([403, 403, 403]);
  });

  it("with group_match full_path (the default) only the full path matches", async () => {
    const fullPath = provider({ auth_client: { ...keycloak.auth_client, group_match: "full_path" } });
    expect(await fullPath.status("group", { ...base, groups: ["/acme/engineering"] })).toBe(403);
    expect(await fullPath.status("group", { ...base, groups: ["engineering"] })).toBe(200);
  });

  it("a token without realm_access or resource_access has no roles; a malformed one is a 401", async () => {
    expect(await idp().me({ ...base })).toMatchObject({ status: 200, body: { roles: [] } });
    expect(await idp().me({ ...base, realm_access: "admin" })).toMatchObject({ status: 200, body: { roles: [] } });
    expect(await idp().me({ ...base, resource_access: { "my-api": { roles: "admin" } } })).toMatchObject({ status: 200, body: { roles: ["admin"] } });
    expect(await idp().me({ ...base, realm_access: { roles: [1] } })).toEqual({ status: 401, body: { detail: 'Invalid token: "realm_access.roles" claim must be a string or an array of strings' } });
  });
});

describe("Entra ID: roles array, scp space-separated string, group ids", () => {
  const groupId = "5b1f6c2e-8a3d-4b7e-9f10-2c3d4e5f6a7b";
  const base = { sub: "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ", aud: "api://my-api", oid: randomUUID(), tid: "9188040d-6c67-4c5b-b112-36a304b66dad", ver: "2.0", uti: "x", nbf: 0 };
  const idp = () => provider(entra);

  it("roles from roles, scopes from scp, groups are object ids", async () => {
    const granted = { ...base, roles: ["admin"], scp: "orders:read orders:write", groups: [groupId] };
    expect(await idp().me(granted)).toEqual({ status: 200, body: { sub: base.sub, roles: ["admin"], groups: [groupId], scopes: ["orders:read", "orders:write"] } });
    expect(await idp().gates(granted)).toEqual([200, 403, 200]);
  });

  it("an app-only token (roles, no scp) has no scopes; the role string is read too", async () => {
    expect(await idp().gates({ ...base, roles: "admin" })).toEqual([200, 403, 403]);
  });
});

describe("Duende IdentityServer: role string or array, scope array, typ at+jwt", () => {
  const base = { sub: "1", aud: "my-api", client_id: "interactive", idp: "local", sid: "S1", jti: randomUUID(), amr: ["pwd"] };
  const idp = () => provider(identityServer, { typ: "at+jwt" });

  it("one role as a string, several as an array; scope as an array", async () => {
    expect(await idp().me({ ...base, role: "admin", scope: ["openid", "orders:read"] })).toEqual({ status: 200, body: { sub: "1", roles: ["admin"], groups: [], scopes: ["openid", "orders:read"] } });
    expect(await idp().gates({ ...base, role: ["viewer", "admin"], scope: ["orders:read"] })).toEqual([200, 403, 200]);
    expect(await idp().gates({ ...base, role: ["viewer"], scope: ["openid"] })).toEqual([403, 403, 403]);
  });

  it("the default settings (role, roles / scope, scopes) read the same token", async () => {
    const defaults = provider({ auth_client: { issuer: identityServer.auth_client.issuer, audience: "my-api" } }, { typ: "at+jwt" });
    expect(await defaults.gates({ ...base, role: ["viewer", "admin"], scope: ["orders:read"] })).toEqual([200, 403, 200]);
  });
});

describe("Google: ID tokens, authentication only", () => {
  const base = { sub: "110169484474386276334", aud: google.auth_client.audience, azp: google.auth_client.audience, email: "alice@example.com", email_verified: true, hd: "example.com" };
  const idp = () => provider(google);

  it("signs in, grants no role, group or scope, even when a claim happens to be named so", async () => {
    expect(await idp().me(base)).toEqual({ status: 200, body: { sub: base.sub, roles: [], groups: [], scopes: [] } });
    expect(await idp().gates({ ...base, role: "admin", groups: ["engineering"], scope: "orders:read" })).toEqual([403, 403, 403]);
    // Nothing is configured, so nothing is type-checked either.
    expect(await idp().me({ ...base, role: 5 })).toMatchObject({ status: 200 });
  });
});
