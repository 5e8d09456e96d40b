/**
 * The guard in the server's own Application checks tokens against the in-process revocation list,
 * and refuses to vouch for any token once that view is older than auth_client.revocation_ttl_seconds
 * (503). Without a change to read, only the poll (server_auth.sync_interval_ms) keeps the view fresh.
 */
import { describe, expect, it } from "vitest";
import { Profile, serverApp } from "./support.js";
import { answer, login, profile } from "./session-support.js";

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
