import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Application } from "pico-boot";
import { ADMIN_EMAIL, APP_NAME, appConfig } from "../src/config.js";

// Runs on tsc's output (dist/test/): the app's root is two folders up.
const root = fileURLToPath(new URL("../..", import.meta.url));
const PASSWORD = "a-long-test-password";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** The app as src/app.ts makes it, in memory (no data dir), answering requests without a socket. */
function testApp(): Application {
  const env = { SERVER_AUTH__ADMIN_PASSWORD: PASSWORD, SERVER_AUTH__STORE: "memory" };
  return new Application({ moduleNames: ["pico_server_auth", "pico_client_auth", APP_NAME], config: appConfig(env).config, root, env, envFile: false, logger: quiet });
}

const postJson = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

/** An Ed25519 wallet key: its address is 0x + the first 40 hex digits of SHA-256 over the raw public key. */
function ed25519Wallet() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
  const address = `0x${createHash("sha256").update(raw).digest("hex").slice(0, 40)}`;
  return { address, publicKeyHex: raw.toString("hex"), sign: (message: string) => sign(null, Buffer.from(message), privateKey).toString("hex") };
}

test("the routes refuse a request without a token", async () => {
  const app = testApp();
  try {
    for (const path of ["/api/profile", "/api/admin/dashboard"]) {
      const res = await app.request(path);
      assert.deepEqual([res.status, await res.json()], [401, { detail: "Missing or invalid Authorization header" }]);
    }
  } finally {
    await app.stop();
  }
});

test("the admin logs in and reaches the dashboard and the profile", async () => {
  const app = testApp();
  try {
    const login = await app.request("/api/v1/auth/login", postJson({ email: ADMIN_EMAIL, password: PASSWORD }));
    assert.equal(login.status, 200);
    const { access_token } = (await login.json()) as { access_token: string };
    const dashboard = await app.request("/api/admin/dashboard", bearer(access_token));
    assert.deepEqual([dashboard.status, await dashboard.json()], [200, { message: `Welcome, ${ADMIN_EMAIL}` }]);
    const profile = await app.request("/api/profile", bearer(access_token));
    assert.deepEqual([profile.status, await profile.json()], [200, { subject: ADMIN_EMAIL, role: "admin" }]);
  } finally {
    await app.stop();
  }
});

test("a wallet signs in, reads its profile, and is refused the admin dashboard", async () => {
  const app = testApp();
  try {
    const wallet = ed25519Wallet();
    const issued = await app.request("/api/v1/auth/challenge", postJson({ address: wallet.address, algorithm: "Ed25519" }));
    assert.equal(issued.status, 200);
    const { challenge, message } = (await issued.json()) as { challenge: string; message: string };
    const signedIn = await app.request("/api/v1/auth/sign-in", postJson({ address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: "Ed25519" }));
    assert.equal(signedIn.status, 200);
    const { access_token } = (await signedIn.json()) as { access_token: string };
    const profile = await app.request("/api/profile", bearer(access_token));
    assert.deepEqual([profile.status, await profile.json()], [200, { subject: wallet.address, role: "wallet" }]);
    const dashboard = await app.request("/api/admin/dashboard", bearer(access_token));
    assert.deepEqual([dashboard.status, await dashboard.json()], [403, { detail: "Requires one of roles: ['admin']" }]);
  } finally {
    await app.stop();
  }
});
