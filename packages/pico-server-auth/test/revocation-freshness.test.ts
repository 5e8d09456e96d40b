/**
 * The guard in the server's own Application checks tokens against the in-process revocation list,
 * and refuses to vouch for any token once that view is older than auth_client.revocation_ttl_seconds
 * (503). Without a change to read, only the poll (server_auth.sync_interval_ms) keeps the view fresh.
 */
import { describe, expect, it } from "vitest";
import { InMemoryAuthStore, REVOCATION_STORE, StoreUnavailableError } from "../src/index.js";
import type { RevocationStore } from "../src/index.js";
import { Profile, serverApp } from "./support.js";
import { FEED_BEARER, answer, bearer, login, profile } from "./session-support.js";

const app = (syncIntervalMs: number, ttlSeconds: number) =>
  serverApp({ embedded: true, components: [Profile], server: { sync_interval_ms: syncIntervalMs }, client: { revocation_ttl_seconds: ttlSeconds } });

describe("the in-process revocation view and revocation_ttl_seconds", () => {
  it("a poll not below revocation_ttl_seconds is refused at boot: the view would go stale between polls, and a valid token get 503 on a healthy store", async () => {
    const a = app(1_000, 1);
    try {
      await expect(a.init()).rejects.toThrow(/sync_interval_ms \(1000\).*revocation_ttl_seconds \(1\)/s);
    } finally {
      await a.stop();
    }
  });

  it("a poll below it keeps the view fresh: a valid token is accepted after longer than the TTL", async () => {
    const a = app(200, 1);
    await a.init();
    try {
      const tokens = await login(a);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      expect((await answer(profile(a, tokens.access_token)))[0]).toBe(200);
    } finally {
      await a.stop();
    }
  });
});

describe("the revocation feed (/revocations) of a view the store no longer updates", () => {
  it("answers 503 while the revocation store cannot be read, not 200 with a list that remote guards would take for current; 200 again once it can", async () => {
    const feedStore = new InMemoryAuthStore();
    let down = false;
    const revocations: RevocationStore = {
      revokedSince: (cursor, now) => (down ? Promise.reject(new StoreUnavailableError("test outage")) : feedStore.revokedSince(cursor, now)),
    };
    const a = serverApp({ server: { revocation_feed_bearer: FEED_BEARER, sync_interval_ms: 50 }, overrides: [{ provide: REVOCATION_STORE, useValue: revocations }] });
    await a.init();
    try {
      const get = () => answer(a.request("/api/v1/auth/revocations", bearer(FEED_BEARER)));
      expect(await get()).toEqual([200, { items: [] }]);
      down = true;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const [status, body] = await get();
      expect([status, (body as { detail?: unknown }).detail]).toEqual([503, expect.stringContaining("unavailable")]);
      down = false;
      await expect.poll(async () => (await get())[0], { timeout: 2_000, interval: 20 }).toBe(200);
    } finally {
      await a.stop();
    }
  });
});
