/**
 * Two Applications on one SQLite store, as two workers sharing data_dir: what one changes, the other
 * follows by polling (no change signal between them). The fake-store tests (sync-*.test.ts) cover
 * the races; these check the wiring end to end.
 */
import { describe, expect, it } from "vitest";
import { SigningKeys } from "../src/index.js";
import { answer, bearer, durableApp, login, newDataDir, profile } from "./session-support.js";

const SYNC_MS = 100;

describe("two instances sharing one store", () => {
  it("a token revoked on A is refused by B within sync_interval_ms, without any change signal", async () => {
    const dataDir = newDataDir();
    const a = durableApp(dataDir, { sync_interval_ms: SYNC_MS });
    await a.init();
    const b = durableApp(dataDir, { sync_interval_ms: SYNC_MS });
    await b.init();
    try {
      const tokens = await login(a);
      expect((await profile(b, tokens.access_token)).status).toBe(200);
      expect((await a.request("/api/v1/auth/logout", { method: "POST", ...bearer(tokens.access_token) })).status).toBe(204);
      const loggedOutAt = Date.now();
      expect(await answer(profile(a, tokens.access_token))).toEqual([401, { detail: "Token revoked" }]);
      let seenAfter = Number.POSITIVE_INFINITY;
      while (Date.now() - loggedOutAt < 2_000) {
        if ((await profile(b, tokens.access_token)).status === 401) {
          seenAfter = Date.now() - loggedOutAt;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // The interval plus a read, with slack for a loaded machine (without polling, it is never seen).
      expect(seenAfter).toBeLessThan(SYNC_MS + 400);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("B adopts A's signing key at boot and A's rotation at once on a token with the new kid, and both publish the same JWKS", async () => {
    const dataDir = newDataDir();
    // No poll within the test (the guard's TTL must exceed it).
    const a = durableApp(dataDir, { sync_interval_ms: 60_000 }, { revocation_ttl_seconds: 120 });
    await a.init();
    const b = durableApp(dataDir, { sync_interval_ms: 60_000 }, { revocation_ttl_seconds: 120 });
    await b.init();
    try {
      const jwks = async (x: typeof a) => (await (await x.request("/api/v1/auth/jwks")).json()) as unknown;
      expect(b.container.get(SigningKeys).activeKid).toBe(a.container.get(SigningKeys).activeKid);
      await a.container.get(SigningKeys).rotate();
      const tokens = await login(a);
      // B has not polled (a minute) and got no signal: the unknown kid makes it reread the store.
      expect((await profile(b, tokens.access_token)).status).toBe(200);
      expect(await jwks(b)).toEqual(await jwks(a));
      expect(b.container.get(SigningKeys).activeKid).toBe(a.container.get(SigningKeys).activeKid);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
