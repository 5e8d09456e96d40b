import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { controller, get } from "pico-hono";
import { SecurityContext } from "pico-client-auth";
import { ADMIN, ed25519Wallet, postJson, serverApp, walletSignIn } from "./support.js";

@controller({ prefix: "/api" })
class Profile {
  @get("/profile")
  profile() {
    const { claims } = SecurityContext.current();
    return { subject: claims.sub, role: claims.role };
  }
}

async function adminToken(app: ReturnType<typeof serverApp>): Promise<{ access_token: string; refresh_token: string }> {
  return (await (await app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }))).json()) as never;
}

describe("embedded with pico-client-auth", () => {
  it.each(["RS256", "ES256", "EdDSA", "ML-DSA-65"])("%s tokens are accepted on protected routes in-process; refresh tokens are not", async (algorithm) => {
    const app = serverApp({ embedded: true, components: [Profile], server: { algorithm } });
    const { access_token, refresh_token } = await adminToken(app);
    const ok = await app.request("/api/profile", { headers: { authorization: `Bearer ${access_token}` } });
    expect([ok.status, await ok.json()]).toEqual([200, { subject: ADMIN.email, role: "admin" }]);
    const refresh = await app.request("/api/profile", { headers: { authorization: `Bearer ${refresh_token}` } });
    expect([refresh.status, await refresh.json()]).toEqual([401, { detail: "Invalid token: refresh tokens are not accepted here" }]);
    // The auth endpoints stay public with the guard loaded.
    expect((await app.request("/api/v1/auth/jwks")).status).toBe(200);
    expect((await app.request("/api/profile")).status).toBe(401);
  });
});

describe("data_dir", () => {
  it("keeps the signing key (mode 0600) and the wallet bindings across a restart: old tokens stay valid", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pico-auth-"));
    const first = serverApp({ embedded: true, components: [Profile], server: { data_dir: dataDir } });
    const { access_token } = await adminToken(first);
    const owner = ed25519Wallet();
    expect((await walletSignIn(first, owner, "0xkept")).status).toBe(200);
    const kid = ((await (await first.request("/api/v1/auth/jwks")).json()) as { keys: { kid: string }[] }).keys[0]?.kid;
    await first.stop();
    expect(statSync(join(dataDir, "signing-key.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, "wallet-bindings.jsonl")).mode & 0o777).toBe(0o600);

    const second = serverApp({ embedded: true, components: [Profile], server: { data_dir: dataDir } });
    const again = ((await (await second.request("/api/v1/auth/jwks")).json()) as { keys: { kid: string }[] }).keys[0]?.kid;
    expect(again).toBe(kid);
    expect((await second.request("/api/profile", { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);
    expect((await walletSignIn(second, ed25519Wallet(), "0xkept")).status).toBe(401);
    await second.stop();
  });

  it("without data_dir the key is new at every start, under a new kid, and a warning says so", async () => {
    const warnings: string[] = [];
    const logger = { info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    const kids = [];
    for (let i = 0; i < 2; i++) {
      const app = serverApp({ logger });
      kids.push(((await (await app.request("/api/v1/auth/jwks")).json()) as { keys: { kid: string }[] }).keys[0]?.kid);
    }
    expect(kids[0]).not.toBe(kids[1]);
    expect(warnings).toContain("pico-server-auth: no server_auth.data_dir, so the signing key is ephemeral: tokens issued now stop validating after a restart");
  });
});
