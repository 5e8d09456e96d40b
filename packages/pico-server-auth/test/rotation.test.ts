import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Application } from "pico-boot";
import { SIGNING_KEY_STORE, SigningKeys } from "../src/index.js";
import { ADMIN, Profile, clientApp, postJson, quiet, serverApp } from "./support.js";

type Tokens = { access_token: string; refresh_token: string };
const ACCESS_MINUTES = 15;
const REFRESH_DAYS = 7;
const app = (server: Record<string, unknown> = {}) =>
  serverApp({ embedded: true, components: [Profile], server: { access_token_expire_minutes: ACCESS_MINUTES, refresh_token_expire_days: REFRESH_DAYS, ...server } });

async function login(a: Application): Promise<Tokens> {
  return (await (await a.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }))).json()) as Tokens;
}
const published = async (a: Application) => ((await (await a.request("/api/v1/auth/jwks")).json()) as { keys: { kid: string; alg: string }[] }).keys;
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()) as { kid: string; alg: string };
const profileStatus = async (a: Application, token: string) => (await a.request("/api/profile", { headers: { authorization: `Bearer ${token}` } })).status;

describe("signing key rotation", () => {
  it("rotate(): the new key signs; the old one is published until its access tokens expired, kept until its refresh tokens did", async () => {
    const a = app();
    const before = await login(a);
    const keys = a.container.get(SigningKeys);
    const oldKid = headerOf(before.access_token).kid;
    await keys.rotate();
    const after = await login(a);
    const newKid = headerOf(after.access_token).kid;
    expect(newKid).not.toBe(oldKid);
    expect((await published(a)).map((k) => k.kid)).toEqual([newKid, oldKid]);
    // Both validate: the old token was signed before the rotation and has not expired.
    expect([await profileStatus(a, before.access_token), await profileStatus(a, after.access_token)]).toEqual([200, 200]);

    const rotatedAt = keys.now();
    keys.now = () => rotatedAt + ACCESS_MINUTES * 60 + 61;
    expect((await published(a)).map((k) => k.kid)).toEqual([newKid]);
    // Only a forged clock keeps the old access token unexpired here: with its key gone it is refused.
    expect(await profileStatus(a, before.access_token)).toBe(401);
    // Refresh tokens are opaque, signed by no key: one issued before the rotation gets tokens of the new key.
    const refreshed = await a.request("/api/v1/auth/refresh", postJson({ refresh_token: before.refresh_token }));
    expect(refreshed.status).toBe(200);
    expect(headerOf(((await refreshed.json()) as Tokens).access_token).kid).toBe(newKid);

    // The old key is kept until refresh tokens of its time have expired (a JWT refresh token of an
    // earlier version is signed by it); then it leaves the store.
    keys.now = () => rotatedAt + REFRESH_DAYS * 86_400 + 121;
    await published(a);
    const store = a.container.get(SIGNING_KEY_STORE);
    expect((await store.signingKeys()).map((k) => k.kid)).toEqual([newKid]);
    await a.stop();
  });

  it("every key_rotation_days a new key takes over by itself, and the log says why (auth.key_rotated at warn)", async () => {
    const warnings: [string, unknown][] = [];
    const logger = { ...quiet, warn: (m: string, fields?: unknown) => void warnings.push([m, fields]) };
    const a = serverApp({ embedded: true, components: [Profile], logger, server: { key_rotation_days: 1 } });
    const first = headerOf((await login(a)).access_token).kid;
    const keys = a.container.get(SigningKeys);
    const start = keys.now();
    keys.now = () => start + 86_400 + 1;
    const second = headerOf((await login(a)).access_token).kid;
    expect(second).not.toBe(first);
    expect(keys.activeKid).toBe(second);
    // No second rotation until another day has passed.
    expect(headerOf((await login(a)).access_token).kid).toBe(second);
    expect(warnings.filter(([m]) => m.includes("older than server_auth.key_rotation_days = 1"))).toStrictEqual([
      [expect.any(String), { event: "auth.key_rotated", kid: second, alg: "RS256", previous_kid: first }],
    ]);
    await a.stop();
  });

  it("withdraw(): a leaked retired key is dropped at once, with every token it signed; the signing key cannot be", async () => {
    const a = app();
    const before = await login(a);
    const keys = a.container.get(SigningKeys);
    const leaked = headerOf(before.access_token).kid;
    await expect(keys.withdraw(leaked)).rejects.toThrow(`${leaked} is the key that signs now: rotate() first, then withdraw it`);
    await keys.rotate();
    await keys.withdraw(leaked);
    expect((await published(a)).map((k) => k.kid)).toEqual([keys.activeKid]);
    expect(await profileStatus(a, before.access_token)).toBe(401);
    // The session's opaque refresh token was signed by no key: it gets tokens of the current one.
    const refreshed = await a.request("/api/v1/auth/refresh", postJson({ refresh_token: before.refresh_token }));
    expect(await profileStatus(a, ((await refreshed.json()) as Tokens).access_token)).toBe(200);
    expect(await profileStatus(a, (await login(a)).access_token)).toBe(200);
    await expect(keys.withdraw("no-such-kid")).rejects.toThrow("no signing key no-such-kid is kept");
    await a.stop();
  });

  it("concurrent rotate() calls make one new key", async () => {
    const a = app();
    await a.init();
    const keys = a.container.get(SigningKeys);
    await Promise.all([keys.rotate(), keys.rotate(), keys.rotate()]);
    expect(await published(a)).toHaveLength(2);
    await a.stop();
  });

  it("changing server_auth.algorithm is a rotation: both keys published, old tokens keep working", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pico-auth-migrate-"));
    const rsa = app({ store: "sqlite", data_dir: dataDir, algorithm: "RS256" });
    const old = await login(rsa);
    await rsa.stop();

    const pq = app({ store: "sqlite", data_dir: dataDir, algorithm: "ML-DSA-65" });
    const fresh = await login(pq);
    expect(headerOf(fresh.access_token).alg).toBe("ML-DSA-65");
    expect((await published(pq)).map((k) => k.alg)).toEqual(["ML-DSA-65", "RS256"]);
    expect([await profileStatus(pq, old.access_token), await profileStatus(pq, fresh.access_token)]).toEqual([200, 200]);
    // An old refresh token is exchanged for post-quantum tokens.
    const refreshed = (await (await pq.request("/api/v1/auth/refresh", postJson({ refresh_token: old.refresh_token }))).json()) as Tokens;
    expect(headerOf(refreshed.access_token).alg).toBe("ML-DSA-65");
    await pq.stop();
  });
});

describe.each(["RS256", "ES256", "EdDSA", "ML-DSA-65"])("%s tokens end to end over HTTP", (algorithm) => {
  it("issued by the auth service, published in its JWKS, validated by a separate pico-client-auth app", async () => {
    const auth = serverApp({ server: { algorithm } });
    const { url } = await auth.start({ port: 0 });
    const api = clientApp({ jwks_url: `${url}/api/v1/auth/jwks` });
    try {
      const { access_token } = await login(auth);
      expect(headerOf(access_token).alg).toBe(algorithm);
      expect((await published(auth))[0]).toMatchObject({ alg: algorithm, kid: headerOf(access_token).kid });
      const res = await api.request("/api/profile", { headers: { authorization: `Bearer ${access_token}` } });
      expect([res.status, await res.json()]).toEqual([200, { subject: ADMIN.email, role: "admin" }]);
      // After a rotation the API follows the new kid by refetching the JWKS.
      await auth.container.get(SigningKeys).rotate();
      const next = await login(auth);
      expect((await api.request("/api/profile", { headers: { authorization: `Bearer ${next.access_token}` } })).status).toBe(200);
    } finally {
      await Promise.all([api.stop(), auth.stop()]);
    }
  });
});
