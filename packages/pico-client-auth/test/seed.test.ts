import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Application } from "pico-boot";
import { controller, get } from "pico-hono";
import { component } from "pico-ioc";
import { LOCAL_JWKS, SecurityContext, requiresRole } from "../src/index.js";
import type { LocalJwks } from "../src/index.js";
import { authApp, bearer, packageRoot, quiet } from "./app.js";
import { defaultClaims, edKey, sign, staticKeySource } from "./support/tokens.js";

// The controller of the user guide (shared/seed/embed-in-app.md), as a TypeScript user writes it.
@controller({ prefix: "/api", tags: ["API"] })
class MyController {
  @requiresRole("admin")
  @get("/admin/dashboard")
  async adminDashboard() {
    const ctx = SecurityContext.current();
    return { message: `Welcome, ${ctx.claims.sub}` };
  }

  @get("/profile")
  async profile() {
    const ctx = SecurityContext.current();
    return { subject: ctx.claims.sub, role: ctx.claims.role };
  }
}

describe("the seed's controller, in-process, with tokens from a local key", () => {
  let key: Awaited<ReturnType<typeof edKey>>;
  beforeAll(async () => {
    key = await edKey("local-ed25519");
  });

  it("admin reaches the dashboard; a wallet user gets their profile and a 403 on the dashboard", async () => {
    const app = authApp([MyController], staticKeySource([key.jwk]), {
      config: { auth_client: { issuer: "http://localhost:8100", audience: "my-app", jwks_url: "http://localhost:8100/api/v1/auth/jwks" } },
    });
    const admin = await sign(key, defaultClaims({ iss: "http://localhost:8100", aud: "my-app", sub: "admin@example.com", role: "admin" }));
    const wallet = await sign(key, defaultClaims({ iss: "http://localhost:8100", aud: "my-app", sub: "0xabc", role: "wallet" }));

    const dashboard = await app.request("/api/admin/dashboard", bearer(admin));
    expect([dashboard.status, await dashboard.json()]).toEqual([200, { message: "Welcome, admin@example.com" }]);
    const profile = await app.request("/api/profile", bearer(wallet));
    expect([profile.status, await profile.json()]).toEqual([200, { subject: "0xabc", role: "wallet" }]);
    const forbidden = await app.request("/api/admin/dashboard", bearer(wallet));
    expect([forbidden.status, await forbidden.json()]).toEqual([403, { detail: "Requires one of roles: ['admin']" }]);
    expect((await app.request("/api/profile")).status).toBe(401);
  });
});

describe("keys from an auth server in the same Application", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("uses the in-process JWKS when jwks_url points at it: no socket, and rotations are seen", async () => {
    const first = await edKey("first");
    const second = await edKey("second");
    let published = { keys: [first.jwk] };
    @component({ provides: LOCAL_JWKS })
    class InProcessServer implements LocalJwks {
      readonly issuer = "http://localhost:8100";
      readonly jwksPath = "/api/v1/auth/jwks";
      async jwks() {
        return published;
      }
    }
    const fetchSpy = vi.fn(async () => new Response("no network in this test", { status: 599 }));
    vi.stubGlobal("fetch", fetchSpy);
    const app = new Application({
      moduleNames: ["pico_client_auth"],
      root: packageRoot,
      components: [InProcessServer, MyController],
      config: { auth_client: { issuer: "http://localhost:8100", audience: "my-app", jwks_url: "http://localhost:8100/api/v1/auth/jwks" } },
      env: {},
      logger: quiet,
    });
    const claims = { iss: "http://localhost:8100", aud: "my-app" };
    const before = await sign(first, defaultClaims(claims));
    expect((await app.request("/api/profile", bearer(before))).status).toBe(200);

    published = { keys: [second.jwk] };
    expect((await app.request("/api/profile", bearer(await sign(second, defaultClaims(claims))))).status).toBe(200);
    // The old key is gone: its token fails at once, cached verification or not.
    expect((await app.request("/api/profile", bearer(before))).status).toBe(401);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("a token with an unknown kid asks the in-process server to refresh: another instance may have rotated", async () => {
    const first = await edKey("first");
    const rotatedElsewhere = await edKey("rotated-elsewhere");
    const asked: unknown[] = [];
    @component({ provides: LOCAL_JWKS })
    class InProcessServer implements LocalJwks {
      readonly issuer = "http://localhost:8100";
      readonly jwksPath = "/api/v1/auth/jwks";
      #keys = { keys: [first.jwk] };
      jwks(options?: { readonly refresh?: boolean }) {
        asked.push(options);
        // Only a reread of the shared store finds the key another instance added.
        if (options?.refresh) this.#keys = { keys: [rotatedElsewhere.jwk, first.jwk] };
        return this.#keys;
      }
    }
    const app = new Application({
      moduleNames: ["pico_client_auth"],
      root: packageRoot,
      components: [InProcessServer, MyController],
      config: { auth_client: { issuer: "http://localhost:8100", audience: "my-app", jwks_url: "http://localhost:8100/api/v1/auth/jwks" } },
      env: {},
      logger: quiet,
    });
    const claims = { iss: "http://localhost:8100", aud: "my-app" };
    expect((await app.request("/api/profile", bearer(await sign(first, defaultClaims(claims))))).status).toBe(200);
    expect(asked).not.toContainEqual({ refresh: true });
    expect((await app.request("/api/profile", bearer(await sign(rotatedElsewhere, defaultClaims(claims))))).status).toBe(200);
    expect(asked).toContainEqual({ refresh: true });
  });
});
