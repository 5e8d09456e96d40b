/**
 * The claim mapping on its own (path reading, string and array rules, role/roles precedence, group
 * matching, caching) and its settings at boot (path syntax, group_match, env lists).
 */
import { describe, expect, it } from "vitest";
import { controller, get } from "pico-hono";
import { AuthClientError, AuthClientSettings, AuthConfigurationError, DefaultRoleResolver, SecurityContext, claimMappingOf } from "../src/index.js";
import type { ClaimMappingSettings, TokenClaims } from "../src/index.js";
import { ClaimMapping, groupSatisfies } from "../src/token/claim-paths.js";
import { authApp, authConfig } from "./app.js";
import { settings, staticKeySource } from "./support/tokens.js";

const mapping = (overrides: Partial<ClaimMappingSettings> = {}) =>
  new ClaimMapping({ roleClaims: ["role", "roles"], groupClaims: ["groups"], scopeClaims: ["scope", "scopes"], groupMatch: "full_path", ...overrides });

/** The 401 detail `read` throws for `claims`, or "ok". */
function refusal(m: ClaimMapping, claims: object): string {
  try {
    m.read(claims);
    return "ok";
  } catch (error) {
    if (!(error instanceof AuthClientError)) throw error;
    expect([error.status, error.code]).toEqual([401, "TOKEN_INVALID"]);
    return error.message;
  }
}

describe("reading a claim path", () => {
  it("dotted paths walk nested objects; a missing step or a non-object on the way is no value", () => {
    const m = mapping({ roleClaims: ["realm_access.roles", "resource_access.my-api.roles"] });
    const claims = { realm_access: { roles: ["a"] }, resource_access: { "my-api": { roles: ["b", "a"] }, other: { roles: ["c"] } } };
    expect(m.rolesOf(claims)).toEqual(["a", "b"]);
    expect(m.rolesOf({ realm_access: {} })).toEqual([]);
    expect(m.rolesOf({})).toEqual([]);
    expect(m.rolesOf({ realm_access: "roles", resource_access: null })).toEqual([]);
    expect(m.rolesOf({ realm_access: ["roles"], resource_access: 5 })).toEqual([]);
  });

  it("the whole path as a top-level claim name comes first (URL-like names with dots and slashes)", () => {
    const m = mapping({ roleClaims: ["https://example.com/roles"], groupClaims: ["a.b"] });
    expect(m.rolesOf({ "https://example.com/roles": ["admin"] })).toEqual(["admin"]);
    // "https://example" -> "com/roles" is no nested claim of a real token; the literal name wins anyway.
    expect(m.rolesOf({ "https://example": { "com/roles": ["nested"] } })).toEqual(["nested"]);
    expect(m.groupsOf({ "a.b": ["literal"], a: { b: ["nested"] } })).toEqual(["literal"]);
    expect(m.groupsOf({ a: { b: ["nested"] } })).toEqual(["nested"]);
  });

  it("arrays are lists of values and are never walked into", () => {
    const m = mapping({ roleClaims: ["list.0", "list.length"], groupClaims: ["g"] });
    expect(m.rolesOf({ list: ["x", "y"] })).toEqual([]);
    expect(m.groupsOf({ g: ["x", "y", "x", ""] })).toEqual(["x", "y"]);
  });

  it("roles and groups take a string as one value; scopes split a string on spaces", () => {
    const m = mapping({ roleClaims: ["r"], groupClaims: ["g"], scopeClaims: ["s", "t"] });
    const claims = { r: "Help Desk", g: "Team A", s: "  openid  orders:read ", t: ["a b", "c"] };
    expect(m.read(claims)).toEqual({ roles: ["Help Desk"], groups: ["Team A"], scopes: ["openid", "orders:read", "a b", "c"] });
    expect(m.read({ r: "", g: [], s: "" })).toEqual({ roles: [], groups: [], scopes: [] });
  });

  it("anything but a string or an array of strings at a configured path is a 401 naming the path", () => {
    const m = mapping({ roleClaims: ["realm_access.roles"], scopeClaims: ["https://example.com/scp"] });
    for (const bad of [5, true, null, {}, { 0: "a" }, ["a", 1], [["a"]], [null]]) {
      expect(refusal(m, { realm_access: { roles: bad } }), JSON.stringify(bad)).toBe('Invalid token: "realm_access.roles" claim must be a string or an array of strings');
      expect(refusal(m, { "https://example.com/scp": bad })).toBe('Invalid token: "https://example.com/scp" claim must be a string or an array of strings');
    }
    // Not configured: not checked.
    expect(refusal(m, { role: 5, roles: {}, groups: "x", scope: null, realm_access: { roles: "admin" } })).toBe("ok");
  });

  it("own properties only: prototype names never reach Object.prototype", () => {
    const m = mapping({ roleClaims: ["__proto__", "constructor", "toString", "a.__proto__.polluted", "a.constructor.name", "prototype"] });
    expect(m.rolesOf({})).toEqual([]);
    expect(m.rolesOf({ a: {} })).toEqual([]);
    // JSON.parse makes "__proto__" an own property: it is then read like any other claim.
    const parsed = JSON.parse('{"__proto__": ["p"], "a": {"__proto__": {"polluted": ["q"]}}, "constructor": "c"}') as object;
    expect(m.rolesOf(parsed)).toEqual(["p", "c", "q"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(refusal(m, JSON.parse('{"prototype": {"x": 1}}') as object)).toBe('Invalid token: "prototype" claim must be a string or an array of strings');
  });
});

describe("role and roles: precedence", () => {
  it("default role_claims: the union of role, then roles, in that order, deduplicated", () => {
    const m = mapping();
    expect(m.rolesOf({ role: "editor", roles: ["admin", "editor", "viewer"] })).toEqual(["editor", "admin", "viewer"]);
    expect(m.rolesOf({ role: ["b", "a"], roles: "a" })).toEqual(["b", "a"]);
    expect(m.rolesOf({ roles: ["admin"] })).toEqual(["admin"]);
  });

  it("the configured order decides: roles first when listed first", () => {
    expect(mapping({ roleClaims: ["roles", "role"] }).rolesOf({ role: "editor", roles: ["admin", "editor"] })).toEqual(["admin", "editor"]);
  });

  it("DefaultRoleResolver answers with role_claims", () => {
    const resolver = new DefaultRoleResolver(settings({ roleClaims: ["realm_access.roles"] }));
    expect(resolver.resolve({ sub: "u", iss: "i", aud: "a", exp: 1, role: "ignored", realm_access: { roles: ["admin"] } } as TokenClaims)).toEqual(["admin"]);
  });
});

describe("group_match", () => {
  it("full_path: equal strings only", () => {
    expect(groupSatisfies("/a/b", "/a/b", "full_path")).toBe(true);
    expect(groupSatisfies("/a/b", "b", "full_path")).toBe(false);
  });

  it("last_segment: the full path or its last segment, nothing else", () => {
    const ok = (granted: string, required: string) => groupSatisfies(granted, required, "last_segment");
    expect([ok("/a/b", "/a/b"), ok("/a/b", "b"), ok("b", "b"), ok("/b", "b")]).toEqual([true, true, true, true]);
    expect([ok("/a/b", "a"), ok("/a/b", "a/b"), ok("/a/xb", "b"), ok("/a/b/", "b"), ok("/a/b", "/b"), ok("b", "/a/b")]).toEqual([false, false, false, false, false, false]);
  });

  it("SecurityContext.hasGroup follows it", () => {
    const claims = { sub: "u", iss: "i", aud: "a", exp: 1 } as TokenClaims;
    const last = new SecurityContext(claims, [], [], ["/acme/engineering"], "last_segment");
    expect([last.hasGroup("engineering"), last.hasGroup("/acme/engineering"), last.hasGroup("acme")]).toEqual([true, true, false]);
    const full = new SecurityContext(claims, [], [], ["/acme/engineering"]);
    expect([full.hasGroup("engineering"), full.hasGroup("/acme/engineering")]).toEqual([false, true]);
  });
});

describe("caching", () => {
  it("one mapping per settings object; one frozen result per claims object", () => {
    const s = settings();
    expect(claimMappingOf(s)).toBe(claimMappingOf(s));
    expect(claimMappingOf(settings())).not.toBe(claimMappingOf(s));
    const claims = Object.freeze({ role: "a", scope: "x y" });
    const m = claimMappingOf(s);
    const first = m.read(claims);
    expect(m.read(claims)).toBe(first);
    expect(m.rolesOf(claims)).toBe(first.roles);
    expect([Object.isFrozen(first), Object.isFrozen(first.roles), Object.isFrozen(first.scopes), Object.isFrozen(first.groups)]).toEqual([true, true, true, true]);
  });

  it("a token listing many values is read in linear time", () => {
    const roles = Array.from({ length: 200_000 }, (_, i) => `r${i}`);
    const started = performance.now();
    expect(mapping().rolesOf({ roles })).toHaveLength(200_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

@controller()
class Private {
  @get("/private")
  private() {
    return "private";
  }
}

describe("settings at boot", () => {
  const bootError = async (auth_client: Record<string, unknown>, env: Record<string, string> = {}) =>
    authApp([Private], staticKeySource([]), { config: { auth_client: { ...authConfig, ...auth_client } }, env }).init().then(() => undefined, (e: unknown) => e as Error & { cause?: unknown });

  it("a malformed claim path fails boot naming the setting, the index, what was expected and what came", async () => {
    const expected = 'must be a claim name or a dotted path such as "realm_access.roles"';
    const cases: [Record<string, unknown>, string][] = [
      [{ role_claims: ["role", ""] }, `auth_client.role_claims[1] ${expected} (a non-empty string), got ""`],
      [{ group_claims: ["my groups"] }, `auth_client.group_claims[0] ${expected}, in printable ASCII without white space, got "my groups"`],
      [{ scope_claims: ["scopé"] }, `auth_client.scope_claims[0] ${expected}, in printable ASCII without white space, got "scopé"`],
      [{ role_claims: ["realm_access..roles"] }, `auth_client.role_claims[0] ${expected}, without an empty segment (leading, trailing or double "."), got "realm_access..roles"`],
      [{ role_claims: [".roles"] }, `without an empty segment`],
      [{ role_claims: ["x".repeat(257)] }, `auth_client.role_claims[0] ${expected}, at most 256 characters`],
    ];
    for (const [config, message] of cases) {
      const error = await bootError(config);
      expect(error?.message, message).toContain(message);
      expect(error?.cause, message).toBeInstanceOf(AuthConfigurationError);
    }
  });

  it("group_match is one of full_path, last_segment", async () => {
    const error = await bootError({ group_match: "suffix" });
    expect(error?.message).toContain('auth_client.group_match: expected one of "full_path", "last_segment", got "suffix"');
  });

  it("lists come from the env comma-separated, and an empty list is allowed (nothing read from claims)", async () => {
    const app = authApp([Private], staticKeySource([]), { env: { AUTH_CLIENT__ROLE_CLAIMS: "realm_access.roles,resource_access.my-api.roles", AUTH_CLIENT__SCOPE_CLAIMS: "", AUTH_CLIENT__GROUP_MATCH: "last_segment" } });
    const s = (await app.init()).container.get(AuthClientSettings);
    expect([s.roleClaims, s.scopeClaims, s.groupMatch]).toEqual([["realm_access.roles", "resource_access.my-api.roles"], [], "last_segment"]);
  });

  it("a disabled guard does not look at the paths", async () => {
    expect(await bootError({ enabled: false, role_claims: [""] })).toBeUndefined();
  });
});
