import { beforeAll, describe, expect, it } from "vitest";
import { DecoratorMisuseError, component } from "pico-ioc";
import { controller, get } from "pico-hono";
import { ROLE_RESOLVER, SecurityContext, allowAnonymous, anyScopeGranted, requiresRole, scopeGranted } from "../src/index.js";
import type { RoleResolver, TokenClaims } from "../src/index.js";
import { authApp, bearer } from "./app.js";
import { defaultClaims, rsaKey, sign, staticKeySource } from "./support/tokens.js";

@requiresRole("user")
@controller({ prefix: "/members" })
class Members {
  @get("/any")
  any() {
    return "member";
  }

  @get("/admin")
  @requiresRole("admin")
  admin() {
    return "admin";
  }

  @allowAnonymous
  @get("/open")
  open() {
    return "open";
  }
}

@allowAnonymous
@controller({ prefix: "/public" })
class PublicArea {
  @get("/page")
  page() {
    return "page";
  }

  @requiresRole("admin")
  @get("/secret")
  secret() {
    return "secret";
  }
}

let key: Awaited<ReturnType<typeof rsaKey>>;
beforeAll(async () => {
  key = await rsaKey("k1");
});

async function status(path: string, claims?: Record<string, unknown>, components: Parameters<typeof authApp>[0] = [Members, PublicArea]) {
  const app = authApp(components, staticKeySource([key.jwk]));
  const init = claims ? bearer(await sign(key, defaultClaims(claims))) : undefined;
  return (await app.request(path, init)).status;
}

describe("class-level and method-level decorators", () => {
  it("a class requirement covers every route; a method's own requirement wins over it", async () => {
    expect(await status("/members/any", { role: "user" })).toBe(200);
    expect(await status("/members/any", { role: "guest" })).toBe(403);
    expect(await status("/members/admin", { role: "user" })).toBe(403);
    expect(await status("/members/admin", { role: "admin" })).toBe(200);
    expect(await status("/members/open")).toBe(200);
  });

  it("an anonymous class stays open, except for methods that require something", async () => {
    expect(await status("/public/page")).toBe(200);
    expect(await status("/public/secret")).toBe(401);
    expect(await status("/public/secret", { role: "admin" })).toBe(200);
  });

  it("misuse fails when the class is declared", () => {
    expect(() => requiresRole()).toThrow(new DecoratorMisuseError("@requiresRole expected one or more non-empty strings, got []"));
    expect(() => {
      class Both {
        @allowAnonymous
        @requiresRole("admin")
        both() {}
      }
      return Both;
    }).toThrow("@allowAnonymous cannot be combined with @requiresRole/@requiresGroup/@requiresScope/@requiresAgentScope on the same target");
    expect(() => {
      class Twice {
        @requiresRole("a")
        @requiresRole("b")
        twice() {}
      }
      return Twice;
    }).toThrow(/used twice on the same target/);
  });

  it("a replacement RoleResolver decides the roles", async () => {
    @component({ provides: ROLE_RESOLVER })
    class KeycloakRoles implements RoleResolver {
      resolve(claims: TokenClaims) {
        return ((claims.realm_access as { roles?: string[] } | undefined)?.roles ?? []).map((r) => r.toLowerCase());
      }
    }
    @controller()
    class Who {
      @get("/roles")
      roles() {
        return SecurityContext.current().roles;
      }
    }
    const app = authApp([KeycloakRoles, Who, Members], staticKeySource([key.jwk]));
    const res = await app.request("/roles", bearer(await sign(key, defaultClaims({ role: "ignored", realm_access: { roles: ["ADMIN"] } }))));
    expect(await res.json()).toEqual(["admin"]);
  });

  it("a replacement RoleResolver is asked on every request, also for a cached token (its answer may change)", async () => {
    let calls = 0;
    @component({ provides: ROLE_RESOLVER })
    class CountingRoles implements RoleResolver {
      async resolve() {
        calls++;
        return [`call-${calls}`];
      }
    }
    @controller()
    class Who {
      @get("/roles")
      roles() {
        return SecurityContext.current().roles;
      }
    }
    const app = authApp([CountingRoles, Who, Members], staticKeySource([key.jwk]));
    const token = bearer(await sign(key, defaultClaims()));
    expect(await (await app.request("/roles", token)).json()).toEqual(["call-1"]);
    expect(await (await app.request("/roles", token)).json()).toEqual(["call-2"]);
  });
});

describe("scope matching (granted side only)", () => {
  it.each([
    ["treasury:read", "treasury:read", true],
    ["treasury:read", "treasury:write", false],
    ["*", "anything:at:all", true],
    ["*", "", true],
    ["treasury:*", "treasury:read", true],
    ["treasury:*", "treasury:write:budget:opex", true],
    ["treasury:*", "treasury", true],
    ["treasury:*", "treasuryx", false],
    ["treasury:*", "wallet:write", false],
    ["treasury:*:budget", "treasury:write:budget", false],
    ["treasury:read", "treasury:*", false],
    ["treasury:*", "treasury:*", true],
    // Glob edge cases: only a whole trailing ":*" segment, or "*" alone, is a wildcard.
    ["a:*", "a:", true],
    ["a:*", "a", true],
    ["a:*", "ab", false],
    ["a:*", "b:a", false],
    ["a:*:c", "a:*:c", true],
    ["a:*:c", "a:b:c", false],
    ["a:*:c", "a:c", false],
    ["a:*:c", "a", false],
    ["a*", "ab", false],
    ["a*", "a*", true],
    ["*:read", "a:read", false],
    ["a:b:*", "a:b:c:d", true],
    ["a:b:*", "a:c", false],
    ["A:*", "a:read", false],
    ["**", "a", false],
    ["", "a", false],
  ])("granted %j, required %j → %s", (granted, required, expected) => {
    expect(scopeGranted(granted, required)).toBe(expected);
  });

  it("any of several", () => {
    expect(anyScopeGranted(["a:read", "b:*"], ["c", "b:write"])).toBe(true);
    expect(anyScopeGranted(["a:read"], ["a:write", "b"])).toBe(false);
  });
});
