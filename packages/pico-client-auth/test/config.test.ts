import { describe, expect, it } from "vitest";
import { controller, get } from "pico-hono";
import { AuthConfigurationError, RemoteJwks } from "../src/index.js";
import { authApp, authConfig, bearer } from "./app.js";
import { defaultClaims, rsaKey, sign, staticKeySource } from "./support/tokens.js";

@controller()
class Private {
  @get("/private")
  private() {
    return "private";
  }
}

describe("auth_client settings", () => {
  it("boot fails clearly without issuer or audience, or with a plain-http remote JWKS", async () => {
    const keys = staticKeySource([]);
    const cases: [Record<string, unknown>, string][] = [
      [{ audience: "a" }, "auth_client.issuer must be set when auth is enabled"],
      [{ issuer: "https://i" }, "auth_client.audience must be set when auth is enabled"],
      [{ ...authConfig, jwks_url: "http://auth.example.com/jwks" }, "auth_client.jwks_url must use https (plain http only on localhost), got http://auth.example.com/jwks"],
    ];
    for (const [auth_client, message] of cases) {
      const error = await authApp([Private], keys, { config: { auth_client } }).init().catch((e: unknown) => e);
      expect((error as Error).message, message).toContain(message);
      expect((error as { cause?: unknown }).cause).toBeInstanceOf(AuthConfigurationError);
    }
    await expect(authApp([Private], keys, { config: { auth_client: { ...authConfig, jwks_url: "http://127.0.0.1:8100/jwks" } } }).init()).resolves.toBeDefined();
  });

  it("every lifetime and size has an upper bound: one past it (or 1e300 from the env) fails boot naming the setting", async () => {
    const bounds: Record<string, number> = {
      jwks_ttl_seconds: 86_400,
      jwks_cooldown_seconds: 3600,
      jwks_timeout_ms: 60_000,
      leeway_seconds: 300,
      token_cache_size: 10_000_000,
      max_token_length: 16_777_216,
      revocation_ttl_seconds: 86_400,
      max_token_lifetime_seconds: 31_536_000,
    };
    for (const [key, max] of Object.entries(bounds)) {
      const error = await authApp([Private], staticKeySource([]), { config: { auth_client: { ...authConfig, [key]: max + 1 } } }).init().catch((e: unknown) => e);
      expect((error as Error).message, key).toContain(`auth_client.${key}: expected at most ${max}, got ${max + 1}`);
      const fromEnv = await authApp([Private], staticKeySource([]), { env: { [`AUTH_CLIENT__${key.toUpperCase()}`]: "1e300" } }).init().catch((e: unknown) => e);
      expect((fromEnv as Error).message, key).toContain(`auth_client.${key}: expected at most ${max}`);
    }
    await expect(authApp([Private], staticKeySource([]), { config: { auth_client: { ...authConfig, ...bounds } } }).init()).resolves.toBeDefined();
  });

  it("every URL setting must be an absolute http(s) URL: boot fails naming the key or env variable, what was expected and what came", async () => {
    const keys = staticKeySource([]);
    const error = await authApp([Private], keys, {
      config: { auth_client: { ...authConfig, jwks_url: "jwks", revocation_endpoint: "https://user:pw@auth.example.com/revocations" } },
      env: { AUTH_CLIENT__ISSUER: "not-a-url" },
    }).init().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONFIG_INVALID" });
    const message = (error as Error).message;
    expect(message).toContain('auth_client.issuer: expected an absolute http(s) URL (such as "https://auth.example.com"), got "not-a-url" (from env AUTH_CLIENT__ISSUER)');
    expect(message).toContain('auth_client.jwks_url: expected an absolute http(s) URL (such as "https://auth.example.com"), got "jwks" (from config)');
    expect(message).toContain("auth_client.revocation_endpoint: expected an absolute http(s) URL without user:password@, got a URL with credentials (from config)");
    expect(message).not.toContain(":pw@");
    // "" keeps meaning "none" for the optional ones (derived JWKS URL, no feed), as before.
    await expect(authApp([Private], keys, { config: { auth_client: { ...authConfig, jwks_url: "", revocation_endpoint: "" } } }).init()).resolves.toBeDefined();
  });

  it("enabled: false installs no guard at all", async () => {
    const app = authApp([Private], staticKeySource([]), { config: { auth_client: { enabled: false } } });
    expect((await app.request("/private")).status).toBe(200);
  });

  it("a typo in the section is caught by the config binder", async () => {
    // Not a fresh literal, so tsc cannot see the typo (a literal would fail to compile): the boot check must.
    const auth_client = { ...authConfig, jwks_uri: "https://x" };
    const error = await authApp([Private], staticKeySource([]), { config: { auth_client } }).init().catch((e: unknown) => e);
    expect((error as Error).message).toContain('auth_client.jwks_uri: unknown key; did you mean "jwks_url"?');
  });

  it("a JWKS outage is a 503, then requests recover when the issuer is back", async () => {
    const key = await rsaKey("k1");
    let up = false;
    let clock = 0;
    const source = new RemoteJwks({
      url: "https://auth.example.com/api/v1/auth/jwks",
      ttlMs: 300_000,
      cooldownMs: 30_000,
      timeoutMs: 1000,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      now: () => clock,
      fetch: async () => (up ? Response.json({ keys: [key.jwk] }) : new Response("down", { status: 502 })),
    });
    const app = authApp([Private], source);
    const token = await sign(key, defaultClaims());
    const down = await app.request("/private", bearer(token));
    expect([down.status, down.headers.get("retry-after"), await down.json()]).toEqual([503, "5", { detail: "Token signing keys are unavailable; try again later" }]);
    up = true;
    expect((await app.request("/private", bearer(token))).status).toBe(503);
    clock += 5000;
    expect((await app.request("/private", bearer(token))).status).toBe(200);
  });
});
