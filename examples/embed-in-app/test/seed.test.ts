import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";
import { seedConfig } from "../src/config.js";
// The wallets sign with node:crypto and noble, independently of the server's verifiers.
import { ed25519Wallet, mlDsaWallet, postJson, secp256k1Wallet, walletSignIn } from "../../../packages/pico-server-auth/test/support.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const PASSWORD = "a-long-test-password";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function seedApp(): Application {
  const env = { SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__STORE: "memory" };
  return new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", "my_app"], config: seedConfig(env).config, root, env, logger: quiet });
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe("the user guide's embed-in-app scenario, in-process", () => {
  it("every row of 'What You Get'", async () => {
    const app = seedApp();
    // The four auth endpoints need no token.
    expect((await app.request("/api/v1/auth/jwks")).status).toBe(200);
    expect((await app.request("/api/v1/auth/challenge", postJson({ address: "0xrow" }))).status).toBe(200);
    expect((await app.request("/api/v1/auth/sign-in", postJson({}))).status).toBe(400);
    const login = await app.request("/api/v1/auth/login", postJson({ email: "admin@example.com", password: PASSWORD }));
    expect(login.status).toBe(200);
    const { access_token: admin } = (await login.json()) as { access_token: string };

    const dashboard = await app.request("/api/admin/dashboard", bearer(admin));
    expect([dashboard.status, await dashboard.json()]).toEqual([200, { message: "Welcome, admin@example.com" }]);
    const adminProfile = await app.request("/api/profile", bearer(admin));
    expect(await adminProfile.json()).toEqual({ subject: "admin@example.com", role: "admin" });

    for (const wallet of [ed25519Wallet(), secp256k1Wallet(), mlDsaWallet()]) {
      const signedIn = await walletSignIn(app, wallet);
      expect(signedIn.status, wallet.algorithm).toBe(200);
      const { access_token, address } = (await signedIn.json()) as { access_token: string; address: string };
      const profile = await app.request("/api/profile", bearer(access_token));
      expect([profile.status, await profile.json()]).toEqual([200, { subject: address, role: "wallet" }]);
      const forbidden = await app.request("/api/admin/dashboard", bearer(access_token));
      expect([forbidden.status, await forbidden.json()]).toEqual([403, { detail: "Requires one of roles: ['admin']" }]);
    }

    for (const path of ["/api/profile", "/api/admin/dashboard"]) {
      const anonymous = await app.request(path);
      expect([anonymous.status, await anonymous.json()]).toEqual([401, { detail: "Missing or invalid Authorization header" }]);
    }
    await app.stop();
  });

  it("without SERVER_AUTH__ADMIN_PASSWORD a strong password is generated, never a fixed default", () => {
    const [one, two] = [seedConfig({}).generatedPassword, seedConfig({}).generatedPassword];
    expect(one).toMatch(/^[\w-]{24}$/);
    expect(one).not.toBe(two);
    expect(seedConfig({ SERVER_AUTH__ADMIN_PASSWORD: "chosen-password" }).generatedPassword).toBeUndefined();
    // A hash wins over a password: printing a generated one would announce a password that fails.
    expect(seedConfig({ SERVER_AUTH__ADMIN_PASSWORD_HASH: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA" }).generatedPassword).toBeUndefined();
  });
});
