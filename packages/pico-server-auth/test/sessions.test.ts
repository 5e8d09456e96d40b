import { describe, expect, it } from "vitest";
import { RevocationList, Sessions, SigningKeys } from "../src/index.js";
import { ADMIN, clientApp, claimsOf, ed25519Wallet, postJson, serverApp, walletSignIn } from "./support.js";
import { FEED_BEARER, embeddedApp as app, feed, login, profile, refresh } from "./session-support.js";
import type { Tokens } from "./session-support.js";

describe("POST /refresh", () => {
  it("rotates: new tokens of the same session and subject, each refresh token working once", async () => {
    const a = app();
    const first = await login(a);
    const res = await refresh(a, first.refresh_token);
    expect([res.status, res.headers.get("cache-control")]).toEqual([200, "no-store"]);
    const second = (await res.json()) as Tokens;
    const [before, after] = [claimsOf(first.access_token), claimsOf(second.access_token)];
    expect(after).toMatchObject({ sub: ADMIN.email, role: "admin", sid: before.sid });
    expect(after.jti).not.toBe(before.jti);
    // Refresh tokens are opaque: 256 random bits, nothing to decode, different each time.
    expect([first.refresh_token, second.refresh_token].map((t) => /^[A-Za-z0-9_-]{43}$/.test(t))).toEqual([true, true]);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await profile(a, second.access_token)).status).toBe(200);
    // The new refresh token works in turn.
    expect((await refresh(a, second.refresh_token)).status).toBe(200);
    await a.stop();
  });

  it("keeps a wallet session's claims", async () => {
    const a = app();
    const wallet = ed25519Wallet();
    const signedIn = (await (await walletSignIn(a, wallet)).json()) as Tokens;
    const refreshed = (await (await refresh(a, signedIn.refresh_token)).json()) as Tokens;
    expect(claimsOf(refreshed.access_token)).toMatchObject({ sub: wallet.address, role: "wallet", algorithm: "Ed25519", wallet_address: wallet.address });
    await a.stop();
  });

  it("a reused refresh token revokes the whole session: its access tokens are refused by the guard at once", async () => {
    const a = app();
    const first = await login(a);
    const second = (await (await refresh(a, first.refresh_token)).json()) as Tokens;
    expect((await profile(a, first.access_token)).status).toBe(200);

    const replay = await refresh(a, first.refresh_token);
    expect([replay.status, await replay.json()]).toEqual([401, { detail: "refresh token already used: the session is revoked; sign in again" }]);
    for (const token of [first.access_token, second.access_token]) {
      const res = await profile(a, token);
      expect([res.status, await res.json()]).toEqual([401, { detail: "Token revoked" }]);
    }
    // The legitimate holder's current refresh token is dead too.
    const current = await refresh(a, second.refresh_token);
    expect([current.status, await current.json()]).toEqual([401, { detail: "session revoked; sign in again" }]);
    expect((await feed(a)).sort()).toEqual([claimsOf(first.access_token).jti, claimsOf(second.access_token).jti].sort());
    // Another session is untouched.
    expect((await profile(a, (await login(a)).access_token)).status).toBe(200);
    await a.stop();
  });

  it("of N concurrent refreshes with one token exactly one succeeds, and the session is then revoked", async () => {
    const a = app();
    const { refresh_token } = await login(a);
    const statuses = await Promise.all(Array.from({ length: 20 }, () => refresh(a, refresh_token).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(19);
    await a.stop();
  });

  it("400 without a refresh_token; 401 for access tokens, garbage, expired or foreign tokens", async () => {
    const a = app();
    const other = app();
    const mine = await login(a);
    for (const body of [{}, { refresh_token: "" }, { refresh_token: 42 }, { refresh_token: null }]) {
      const res = await a.request("/api/v1/auth/refresh", postJson(body));
      expect([res.status, await res.json()]).toEqual([400, { detail: "refresh_token required" }]);
    }
    const bad = ["not-a-jwt", "a.b.c", mine.access_token, (await login(other)).refresh_token, `${mine.refresh_token.slice(0, -4)}AAAA`];
    for (const token of bad) {
      const res = await refresh(a, token);
      expect([res.status, await res.json()], token.slice(0, 20)).toEqual([401, { detail: "invalid refresh token" }]);
    }
    const sessions = a.container.get(Sessions);
    const later = Math.floor(Date.now() / 1000) + 8 * 86_400;
    sessions.now = () => later;
    expect((await refresh(a, mine.refresh_token)).status).toBe(401);
    await Promise.all([a.stop(), other.stop()]);
  });
});

describe("POST /logout", () => {
  it("with the refresh token in the body: 204, the session's tokens are refused from then on", async () => {
    const a = app();
    const tokens = await login(a);
    const res = await a.request("/api/v1/auth/logout", postJson({ refresh_token: tokens.refresh_token }));
    expect(res.status).toBe(204);
    expect(await (await profile(a, tokens.access_token)).json()).toEqual({ detail: "Token revoked" });
    expect((await refresh(a, tokens.refresh_token)).status).toBe(401);
    await a.stop();
  });

  it("with the access token as bearer: ends that session, not others", async () => {
    const a = app();
    const [one, two] = [await login(a), await login(a)];
    // A client that always sends a JSON content type, with no body, is still logging out by its bearer.
    const res = await a.request("/api/v1/auth/logout", { method: "POST", headers: { authorization: `Bearer ${one.access_token}`, "content-type": "application/json" } });
    expect(res.status).toBe(204);
    expect((await profile(a, one.access_token)).status).toBe(401);
    expect((await profile(a, two.access_token)).status).toBe(200);
    await a.stop();
  });

  it("400 without a token, 401 for an invalid one; logging out twice is fine", async () => {
    const a = app();
    const none = await a.request("/api/v1/auth/logout", { method: "POST" });
    expect([none.status, await none.json()]).toEqual([400, { detail: "a JSON body with refresh_token, or an Authorization: Bearer access token, required" }]);
    const garbage = await a.request("/api/v1/auth/logout", { method: "POST", headers: { authorization: "Bearer nope" } });
    expect([garbage.status, await garbage.json()]).toEqual([401, { detail: "invalid token" }]);
    // A refresh token is not an access token, and the reverse.
    const tokens = await login(a);
    expect((await a.request("/api/v1/auth/logout", { method: "POST", headers: { authorization: `Bearer ${tokens.refresh_token}` } })).status).toBe(401);
    expect((await a.request("/api/v1/auth/logout", postJson({ refresh_token: tokens.access_token }))).status).toBe(401);
    expect((await a.request("/api/v1/auth/logout", postJson({ refresh_token: tokens.refresh_token }))).status).toBe(204);
    expect((await a.request("/api/v1/auth/logout", postJson({ refresh_token: tokens.refresh_token }))).status).toBe(204);
    await a.stop();
  });
});

describe("GET /revocations", () => {
  it("needs the service credential; lists only unexpired revoked access tokens", async () => {
    const a = app();
    const tokens = await login(a);
    expect((await a.request("/api/v1/auth/revocations")).status).toBe(401);
    const wrong = await a.request("/api/v1/auth/revocations", { headers: { authorization: "Bearer guess" } });
    expect([wrong.status, wrong.headers.get("www-authenticate"), await wrong.json()]).toEqual([401, 'Bearer realm="revocations", error="invalid_token"', { detail: "invalid service credential" }]);
    expect(await feed(a)).toEqual([]);
    await a.request("/api/v1/auth/logout", postJson({ refresh_token: tokens.refresh_token }));
    expect(await feed(a)).toEqual([claimsOf(tokens.access_token).jti]);
    const list = a.container.get(RevocationList);
    list.now = () => (claimsOf(tokens.access_token).exp as number) + 1;
    expect(await feed(a)).toEqual([]);
    await a.stop();
  });

  it("is not served without server_auth.revocation_feed_bearer", async () => {
    const a = serverApp();
    const res = await a.request("/api/v1/auth/revocations", { headers: { authorization: "Bearer x" } });
    expect([res.status, await res.json()]).toEqual([404, { detail: "revocation feed disabled: set server_auth.revocation_feed_bearer to serve it" }]);
    await a.stop();
  });
});

describe("token responses", () => {
  it("are not cached, and carry a session id", async () => {
    const a = app();
    const res = await a.request("/api/v1/auth/login", postJson({ email: ADMIN.email, password: ADMIN.password }));
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { access_token } = (await res.json()) as Tokens;
    expect(claimsOf(access_token).sid).toEqual(expect.any(String));
    expect(a.container.get(SigningKeys).activeKid).toBeDefined();
    await a.stop();
  });
});

describe("across processes, through the revocation feed", () => {
  it("a separate API sees a logout within revocation_ttl_seconds, and refuses with 503 while the feed is down", async () => {
    const auth = app();
    const { url } = await auth.start({ port: 0 });
    const api = clientApp({
      jwks_url: `${url}/api/v1/auth/jwks`,
      revocation_endpoint: `${url}/api/v1/auth/revocations`,
      revocation_bearer: FEED_BEARER,
      revocation_ttl_seconds: 1,
    });
    const settle = () => new Promise((r) => setTimeout(r, 1100));
    try {
      const [leaving, staying] = [await login(auth), await login(auth)];
      expect([(await profile(api, leaving.access_token)).status, (await profile(api, staying.access_token)).status]).toEqual([200, 200]);
      expect((await auth.request("/api/v1/auth/logout", postJson({ refresh_token: leaving.refresh_token }))).status).toBe(204);
      await settle();
      const revoked = await profile(api, leaving.access_token);
      expect([revoked.status, await revoked.json()]).toEqual([401, { detail: "Token revoked" }]);
      expect((await profile(api, staying.access_token)).status).toBe(200);

      // Fail-closed: once the list is older than its TTL and cannot be fetched, nothing is accepted.
      await auth.stop();
      await settle();
      const down = await profile(api, staying.access_token);
      expect([down.status, await down.json()]).toEqual([503, { detail: "Token revocation list unavailable" }]);
    } finally {
      await Promise.all([api.stop(), auth.stop()]);
    }
  });
});
