import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";
import { BINDING_STORE } from "../src/index.js";
import { ADMIN, Profile, ed25519Wallet, postJson, serverApp, walletSignIn } from "./support.js";

type Tokens = { access_token: string; refresh_token: string };

async function adminTokens(app: ReturnType<typeof serverApp>): Promise<Tokens> {
  return (await (await app.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }))).json()) as Tokens;
}

async function kids(app: ReturnType<typeof serverApp>): Promise<string[]> {
  return ((await (await app.request("/api/v1/auth/jwks")).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

const durable = (dataDir: string, server: Record<string, unknown> = {}) => serverApp({ embedded: true, components: [Profile], server: { store: "sqlite", data_dir: dataDir, ...server } });
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe("embedded with pico-client-auth", () => {
  it.each(["RS256", "ES256", "EdDSA", "ML-DSA-65"])("%s tokens are accepted on protected routes in-process; refresh tokens are not", async (algorithm) => {
    const app = serverApp({ embedded: true, components: [Profile], server: { algorithm } });
    const { access_token, refresh_token } = await adminTokens(app);
    const ok = await app.request("/api/profile", bearer(access_token));
    expect([ok.status, await ok.json()]).toEqual([200, { subject: ADMIN.email, role: "admin" }]);
    const refresh = await app.request("/api/profile", bearer(refresh_token));
    expect([refresh.status, await refresh.json()]).toEqual([401, { detail: "Invalid token: malformed" }]);
    // The auth endpoints stay public with the guard loaded.
    expect((await app.request("/api/v1/auth/jwks")).status).toBe(200);
    expect((await app.request("/api/profile")).status).toBe(401);
  });
});

describe("the SQLite store in data_dir (the default)", () => {
  it("keeps keys, bindings and sessions across a restart: old access and refresh tokens still work", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "pico-auth-")), "state");
    const first = durable(dataDir);
    const tokens = await adminTokens(first);
    const kept = ed25519Wallet();
    expect((await walletSignIn(first, kept)).status).toBe(200);
    const [kid] = await kids(first);
    await first.stop();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, "auth.db")).mode & 0o777).toBe(0o600);

    const second = durable(dataDir);
    expect(await kids(second)).toEqual([kid]);
    expect((await second.request("/api/profile", bearer(tokens.access_token))).status).toBe(200);
    const refreshed = await second.request("/api/v1/auth/refresh", postJson({ refresh_token: tokens.refresh_token }));
    expect(refreshed.status).toBe(200);
    // The binding survived: the address is still bound to its key.
    expect(await second.container.get(BINDING_STORE).binding(kept.address)).toEqual({ algorithm: "Ed25519", publicKey: kept.publicKeyHex });
    // And so did the rotation: the first refresh token is spent.
    expect((await second.request("/api/v1/auth/refresh", postJson({ refresh_token: tokens.refresh_token }))).status).toBe(401);
    await second.stop();

    // Revocations survive too.
    const third = durable(dataDir);
    expect((await third.request("/api/profile", bearer(tokens.access_token))).status).toBe(401);
    await third.stop();
  });

  it("imports the signing key and bindings that an earlier version kept as files", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pico-auth-legacy-"));
    // The earlier version's file, and the kid its tokens carry: the RFC 7638 thumbprint of the public key.
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    writeFileSync(join(dataDir, "signing-key.json"), JSON.stringify({ alg: "RS256", privateJwk: await exportJWK(privateKey) }), { mode: 0o600 });
    const owner = ed25519Wallet();
    writeFileSync(join(dataDir, "wallet-bindings.jsonl"), `${JSON.stringify({ address: "0xold", algorithm: "Ed25519", publicKey: owner.publicKeyHex })}\n`, { mode: 0o600 });
    const app = durable(dataDir);
    expect(await kids(app)).toEqual([await calculateJwkThumbprint(await exportJWK(publicKey), "sha256")]);
    // Secure mode signs a binding made before in with its own key, though "0xold" derives from no key.
    expect((await walletSignIn(app, ed25519Wallet(), "0xold")).status).toBe(401);
    expect((await walletSignIn(app, owner, "0xold")).status).toBe(200);
    await app.stop();
  });
});

describe("store: memory", () => {
  it("a new key at every start, under a new kid, and a warning says so", async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    const seen = [];
    for (let i = 0; i < 2; i++) {
      const app = serverApp({ logger });
      seen.push(...(await kids(app)));
      await app.stop();
    }
    expect(new Set(seen).size).toBe(2);
    expect(warnings).toContain("pico-server-auth: server_auth.store is memory: signing keys, wallet bindings and sessions are lost on restart");
  });
});
