/**
 * pico-server-auth apps with server_auth.redis_url: the fast state (challenges, rate limits) is
 * Redis, shared by every instance; and a Redis outage answers 503 with a JSON detail, then heals by
 * itself. In-process apps (app.request); each run under its own key prefix, deleted after.
 */
import type { Application } from "pico-boot";
import { afterAll, describe, expect, it } from "vitest";
import { OwnRedis, SHARED_REDIS_URL, keysUnder, runRedisTest, testPrefix } from "./redis-support.js";
import { ADMIN, askChallenge, ed25519Wallet, postJson, serverApp } from "./support.js";

const UNAVAILABLE = { detail: "the auth store is unavailable: Redis is unreachable; try again later" };

describe.skipIf(!runRedisTest)("apps sharing one Redis", () => {
  const prefix = testPrefix();
  const apps: Application[] = [];
  let own: OwnRedis | undefined;

  const app = (server: Record<string, unknown> = {}) => {
    const instance = serverApp({ embedded: true, server: { redis_url: SHARED_REDIS_URL, redis_key_prefix: prefix, ...server } });
    apps.push(instance);
    return instance;
  };

  afterAll(async () => {
    await Promise.all(apps.map((instance) => instance.stop()));
    await own?.kill();
    await keysUnder(SHARED_REDIS_URL, prefix, true);
  });

  it("a challenge issued by one app signs in on another exactly once, however many replay it on both", async () => {
    const [a, b] = [app(), app()];
    const wallet = ed25519Wallet();
    const { challenge, message } = await askChallenge(a, wallet);
    const signIn = () => postJson({ address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: wallet.algorithm });
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => [b, a][i % 2]!.request("/api/v1/auth/sign-in", signIn()).then((r) => r.status)));
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 401)).toBe(true);
  });

  it("the challenge quota counts across apps, not per app", async () => {
    const quotaPrefix = testPrefix();
    const [a, b] = [app({ redis_key_prefix: quotaPrefix, challenges_per_client: 3 }), app({ redis_key_prefix: quotaPrefix, challenges_per_client: 3 })];
    try {
      const ask = (instance: Application, i: number) => instance.request("/api/v1/auth/challenge", postJson({ address: `0xquota${i}` })).then((r) => r.status);
      expect([await ask(a, 0), await ask(b, 1), await ask(a, 2)]).toEqual([200, 200, 200]);
      expect([await ask(b, 3), await ask(a, 4)]).toEqual([429, 429]);
    } finally {
      await keysUnder(SHARED_REDIS_URL, quotaPrefix, true);
    }
  });

  it("Redis stopped: /challenge, /sign-in, /login, /refresh and /readyz answer 503 with a JSON detail, JWKS and logout go on; when it is back all work again, without a restart", async () => {
    own = await OwnRedis.start();
    const c = app({ redis_url: own.url });
    const wallet = ed25519Wallet();
    const { challenge, message } = await askChallenge(c, wallet);
    const login = () => c.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }));
    const tokens = (await (await login()).json()) as { access_token: string; refresh_token: string };
    await own.stop();
    const asked = await c.request("/api/v1/auth/challenge", postJson({ address: wallet.address, algorithm: wallet.algorithm }));
    expect([asked.status, await asked.json()]).toEqual([503, UNAVAILABLE]);
    const signIn = () => postJson({ address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(message), challenge, algorithm: wallet.algorithm });
    const signedIn = await c.request("/api/v1/auth/sign-in", signIn());
    expect([signedIn.status, await signedIn.json()]).toEqual([503, UNAVAILABLE]);
    // Password login and refresh count through the shared rate limits: they fail closed too.
    for (const res of [await login(), await c.request("/api/v1/auth/refresh", postJson({ refresh_token: tokens.refresh_token }))]) {
      expect([res.status, await res.json()]).toEqual([503, UNAVAILABLE]);
    }
    // What needs no fast state goes on: the JWKS, and logout (the durable store's).
    expect((await c.request("/api/v1/auth/jwks")).status).toBe(200);
    expect((await c.request("/api/v1/auth/logout", postJson({ refresh_token: tokens.refresh_token }, { authorization: `Bearer ${tokens.access_token}` }))).status).toBe(204);
    // /readyz reuses an answer for up to a second.
    await expect.poll(async () => (await c.request("/readyz")).status, { timeout: 5_000, interval: 250 }).toBe(503);
    await own.start();
    await expect.poll(async () => (await c.request("/readyz")).status, { timeout: 10_000, interval: 250 }).toBe(200);
    // Redis lost everything (no persistence): the old challenge is gone, a new one works.
    expect((await c.request("/api/v1/auth/sign-in", signIn())).status).toBe(401);
    const fresh = await askChallenge(c, wallet);
    const res = await c.request("/api/v1/auth/sign-in", postJson({ address: wallet.address, public_key: wallet.publicKeyHex, signature: wallet.sign(fresh.message), challenge: fresh.challenge, algorithm: wallet.algorithm }));
    expect(res.status).toBe(200);
    expect((await login()).status).toBe(200);
  });
});
