import { beforeAll, describe, expect, it } from "vitest";
import { controller, get } from "pico-hono";
import { SecurityContext, requiresRole } from "../src/index.js";
import { authApp, bearer } from "./app.js";
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
