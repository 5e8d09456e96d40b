import { afterAll, describe, expect, it } from "vitest";
import { ADMIN, Profile, claimsOf, postJson, serverApp } from "./support.js";
import { FEED_BEARER, embeddedApp, feed, login, profile, refresh } from "./session-support.js";
import type { Tokens } from "./session-support.js";
import { createTestDatabase } from "./postgres-support.js";

// The whole server on `store: postgres` (the factory providers pick this backend by configuration).
const database = await createTestDatabase();
afterAll(() => database?.drop());

describe.skipIf(!database)("pico-server-auth on store: postgres", () => {
  const db = database!;
  const app = () => embeddedApp({ store: "postgres", postgres_url: db.url });

  it("two instances booting at once on an empty database store one signing key and publish the same JWKS", async () => {
    const [a, b] = [app(), app()];
    try {
      await Promise.all([a.init(), b.init()]);
      expect((await db.sql("SELECT count(*)::int AS n FROM pico_auth_signing_keys")).rows[0]?.n).toBe(1);
      const [jwksA, jwksB] = await Promise.all([a, b].map(async (x) => (await x.request("/api/v1/auth/jwks")).json()));
      expect(jwksA).toEqual(jwksB);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("logs in on one instance, refreshes on another; a reused refresh token revokes the session, and the other instance refuses its tokens", async () => {
    const [a, b] = [app(), app()];
    try {
      const first = await login(a);
      const second = (await (await refresh(b, first.refresh_token)).json()) as Tokens;
      expect((await profile(a, second.access_token)).status).toBe(200);
      const replay = await refresh(a, first.refresh_token);
      expect([replay.status, await replay.json()]).toEqual([401, { detail: "refresh token already used: the session is revoked; sign in again" }]);
      // B follows the feed (a signal, else its poll every sync_interval_ms).
      await expect.poll(async () => (await profile(b, second.access_token)).status, { timeout: 2_000, interval: 50 }).toBe(401);
      expect((await feed(b)).sort()).toEqual([claimsOf(first.access_token).jti, claimsOf(second.access_token).jti].sort());
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("PostgreSQL refusing connections: login and /readyz answer 503 with a JSON detail, then work again without a restart", async () => {
    const a = app();
    try {
      await login(a);
      await db.admin(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
      try {
        await db.terminateConnections();
        const res = await a.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }));
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ detail: expect.stringMatching(/^the auth store is unavailable: database [a-z ]+; try again later$/) });
        expect((await a.request("/readyz")).status).toBe(503);
      } finally {
        await db.admin(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
      }
      // /readyz reuses an answer for up to a second.
      await expect.poll(async () => (await a.request("/readyz")).status, { timeout: 5_000, interval: 250 }).toBe(200);
      await login(a);
    } finally {
      await a.stop();
    }
  });

  it("with LISTEN/NOTIFY as the change signal (and polling once a minute): a logout on one instance is refused by the other within 1 s", async () => {
    // CHANGE_SIGNAL is the durable state's own (ChangeSignalProvider's choice without Redis).
    const instance = () =>
      serverApp({
        embedded: true,
        components: [Profile],
        server: { revocation_feed_bearer: FEED_BEARER, store: "postgres", postgres_url: db.url, sync_interval_ms: 60_000 },
        // The guard's TTL must exceed the poll (refused at boot otherwise).
        client: { revocation_ttl_seconds: 120 },
      });
    const [a, b] = [instance(), instance()];
    try {
      await Promise.all([a.init(), b.init()]);
      const delays: number[] = [];
      for (let i = 0; i < 5; i++) {
        const tokens = await login(a);
        expect((await profile(b, tokens.access_token)).status).toBe(200);
        const loggedOut = performance.now();
        expect((await a.request("/api/v1/auth/logout", { method: "POST", headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(204);
        await expect.poll(async () => (await profile(b, tokens.access_token)).status, { timeout: 1_000, interval: 5 }).toBe(401);
        delays.push(Math.round(performance.now() - loggedOut));
      }
      console.info(`logout on A refused by B after (ms, LISTEN/NOTIFY): ${delays.join(", ")}`);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
